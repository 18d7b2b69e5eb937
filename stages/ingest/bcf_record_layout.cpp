#include "stages/ingest/bcf_record_layout.hpp"

#include <cstring>

namespace sc {
namespace {

// Bytes per value of a BCF type code; 0 for codes that hold no values or are not defined.
int type_bytes(int type) {
  switch (type) {
    case 1: return 1;  // int8
    case 2: return 2;  // int16
    case 3: return 4;  // int32
    case 5: return 4;  // float
    case 7: return 1;  // char
    default: return 0;
  }
}

// A bounds-checked walk over typed values.
class TypedCursor {
 public:
  TypedCursor(const uint8_t* begin, const uint8_t* end) : p_(begin), end_(end) {}
  const uint8_t* position() const { return p_; }
  bool at_end() const { return p_ == end_; }

  // A type descriptor byte, and the count that follows it when its count field is 15.
  bool descriptor(int& type, int64_t& count) {
    if (p_ >= end_) return false;
    const uint8_t b = *p_++;
    type = b & 15;
    count = b >> 4;
    if (type != 0 && type_bytes(type) == 0) return false;
    if (count == 15 && !typed_integer(count)) return false;
    return count >= 0 && (type != 0 || count == 0);
  }
  // A typed integer: a descriptor of one int8/16/32 value, then the value.
  bool typed_integer(int64_t& value) {
    int type = 0;
    int64_t count = 0;
    if (p_ >= end_) return false;
    const uint8_t b = *p_++;
    type = b & 15;
    count = b >> 4;
    if (count != 1 || type < 1 || type > 3) return false;
    return integer(type, value);
  }
  // `count` values of `type`, skipped.
  bool skip(int type, int64_t count) {
    const int64_t bytes = count * type_bytes(type);
    if (bytes < 0 || bytes > end_ - p_) return false;
    p_ += bytes;
    return true;
  }
  // One typed vector: its descriptor and values.
  bool skip_typed() {
    int type = 0;
    int64_t count = 0;
    return descriptor(type, count) && skip(type, count);
  }

 private:
  bool integer(int type, int64_t& value) {
    const int bytes = type_bytes(type);
    if (end_ - p_ < bytes) return false;
    if (type == 1) value = static_cast<int8_t>(p_[0]);
    if (type == 2) {
      int16_t v;
      std::memcpy(&v, p_, 2);
      value = v;
    }
    if (type == 3) {
      int32_t v;
      std::memcpy(&v, p_, 4);
      value = v;
    }
    p_ += bytes;
    return true;
  }

  const uint8_t* p_;
  const uint8_t* end_;
};

uint32_t word(const uint8_t* p) {
  uint32_t v;
  std::memcpy(&v, p, 4);
  return v;  // BCF is little-endian, as is every machine this builds for
}

}  // namespace

bool read_bcf_layout(const uint8_t* record, uint32_t shared_bytes, uint32_t indiv_bytes, int gt_key, int dictionary_size,
                     int contigs, BcfRecordLayout& out) {
  if (shared_bytes < 24) return false;
  out.rid = static_cast<int32_t>(word(record));
  out.pos = static_cast<int32_t>(word(record + 4));
  out.rlen = static_cast<int32_t>(word(record + 8));
  out.qual_bits = word(record + 12);
  out.n_info = word(record + 16) & 0xffff;
  out.n_allele = word(record + 16) >> 16;
  out.n_sample = word(record + 20) & 0xffffff;
  out.n_fmt = word(record + 20) >> 24;
  out.gt = nullptr;
  if (out.rid < 0 || out.rid >= contigs || out.n_allele == 0) return false;

  // Shared: ID, the alleles, FILTER, then INFO's key/value pairs.
  TypedCursor shared(record + 24, record + shared_bytes);
  if (!shared.skip_typed()) return false;
  for (uint32_t a = 0; a < out.n_allele; ++a)
    if (!shared.skip_typed()) return false;
  if (!shared.skip_typed()) return false;
  for (uint32_t i = 0; i < out.n_info; ++i) {
    int64_t key = 0;
    if (!shared.typed_integer(key) || key < 0 || key >= dictionary_size || !shared.skip_typed()) return false;
  }
  if (!shared.at_end()) return false;

  // Per sample: each FORMAT field's key, descriptor and n_sample vectors. htslib treats FORMAT
  // fields without samples as absent; so does this.
  if (indiv_bytes == 0 || out.n_sample == 0) {
    out.n_fmt = 0;
    return true;
  }
  TypedCursor indiv(record + shared_bytes, record + shared_bytes + indiv_bytes);
  for (uint32_t f = 0; f < out.n_fmt; ++f) {
    int64_t key = 0, per_sample = 0;
    int type = 0;
    if (!indiv.typed_integer(key) || key < 0 || key >= dictionary_size || !indiv.descriptor(type, per_sample)) return false;
    const uint8_t* values = indiv.position();
    if (!indiv.skip(type, per_sample * out.n_sample)) return false;
    if (key == gt_key) {
      out.gt = values;
      out.gt_type = type;
      out.gt_per_sample = per_sample;
    }
  }
  return indiv.at_end();
}

}  // namespace sc
