// A bucket index over ascending values, for searches that must find exactly what a binary search
// over all of them finds (the mosaic's cM index of a window, the fit's fine bins of a column): the
// range from the first value to the last cut into `buckets` equal buckets, and per bucket b the
// first value whose bucket is b or more. The bucket of x is floor((x - low) * scale) clamped to
// [0, buckets - 1]; rounding may put x one bucket off the exact quotient, but the function is
// non-decreasing in x, and that is all the search needs: with b = bucket_of(x), every value before
// first[b] has a lower bucket, hence lies below x, and every value from first[b + 1] on has a
// higher bucket, hence lies above x; so the first value at or beyond x (or beyond it) lies in
// [first[b], first[b + 1]] whatever the rounding (also for x = NaN or infinity).
#pragma once

#include <cmath>
#include <cstdint>

#include "kernels/random/philox_stream.hpp"  // SC_HOST_DEVICE

namespace sc::kernels {

// Buckets per unit for `buckets` buckets from low to high: 0 where that span is not positive and
// finite (one bucket then holds everything).
inline double bucket_scale(int64_t buckets, double low, double high) {
  const double span = high - low;
  const double scale = span > 0 && std::isfinite(span) ? static_cast<double>(buckets) / span : 0.0;
  return std::isfinite(scale) ? scale : 0.0;
}

SC_HOST_DEVICE inline int64_t bucket_of(double x, double low, double scale, int64_t buckets) {
  const double t = (x - low) * scale;
  if (!(t >= 0)) return 0;
  if (t >= static_cast<double>(buckets - 1)) return buckets - 1;
  return static_cast<int64_t>(t);
}

// first[0 .. buckets] for the n ascending `values` (entries of empty buckets at the end are n).
inline void fill_bucket_first(const double* values, int64_t n, double low, double scale, int64_t buckets, int32_t* first) {
  int64_t filled = 0;  // buckets [0, filled) have their first value
  for (int64_t i = 0; i < n; ++i)
    for (const int64_t b = bucket_of(values[i], low, scale, buckets); filled <= b; ++filled) first[filled] = static_cast<int32_t>(i);
  for (; filled <= buckets; ++filled) first[filled] = static_cast<int32_t>(n);
}

}  // namespace sc::kernels
