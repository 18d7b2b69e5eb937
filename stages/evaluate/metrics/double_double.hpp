// Double-double arithmetic (an unevaluated sum hi + lo, about 106 bits) for the last few operations
// of a metric, where exact sums meet a cancellation: Pearson's n*Sxy - Sx*Sy, a variance from sums
// of squares. Products are split with Dekker's method, which needs no FMA and so gives the same
// bits on every machine (the library is built with -ffp-contract=off; see synthcohort_fp_strict).
#pragma once

namespace sc::metrics {

struct DoubleDouble {
  double hi = 0.0;
  double lo = 0.0;
  double value() const { return hi + lo; }
};

// a + b = s + e exactly (Knuth).
inline DoubleDouble two_sum(double a, double b) {
  const double s = a + b;
  const double bb = s - a;
  const double e = (a - (s - bb)) + (b - bb);
  return {s, e};
}

// a * b = p + e exactly, for |a|, |b| well inside the range of double (Dekker, Veltkamp split).
inline DoubleDouble two_product(double a, double b) {
  constexpr double kSplitter = 134217729.0;  // 2^27 + 1
  const double p = a * b;
  const double ta = kSplitter * a;
  const double a_hi = ta - (ta - a);
  const double a_lo = a - a_hi;
  const double tb = kSplitter * b;
  const double b_hi = tb - (tb - b);
  const double b_lo = b - b_hi;
  const double e = ((a_hi * b_hi - p) + a_hi * b_lo + a_lo * b_hi) + a_lo * b_lo;
  return {p, e};
}

inline DoubleDouble operator+(DoubleDouble a, DoubleDouble b) {
  DoubleDouble s = two_sum(a.hi, b.hi);
  s.lo += a.lo + b.lo;
  return two_sum(s.hi, s.lo);
}

inline DoubleDouble operator-(DoubleDouble a) { return {-a.hi, -a.lo}; }
inline DoubleDouble operator-(DoubleDouble a, DoubleDouble b) { return a + (-b); }

inline DoubleDouble operator*(DoubleDouble a, DoubleDouble b) {
  DoubleDouble p = two_product(a.hi, b.hi);
  p.lo += a.hi * b.lo + a.lo * b.hi;
  return two_sum(p.hi, p.lo);
}

}  // namespace sc::metrics
