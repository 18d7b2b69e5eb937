#include "stages/ingest/genome_window_codec.hpp"

#include <cstring>

#include "pipeline/error.hpp"

namespace sc {
namespace {

class Writer {
 public:
  explicit Writer(size_t reserve) { out_.reserve(reserve); }
  template <class T> void put(const T& value) { raw(&value, sizeof value); }
  template <class T> void put(const std::vector<T>& values) {
    put<uint64_t>(values.size());
    raw(values.data(), values.size() * sizeof(T));
  }
  void put(const std::vector<std::string>& values) {
    put<uint64_t>(values.size());
    for (const auto& v : values) {
      put<uint64_t>(v.size());
      raw(v.data(), v.size());
    }
  }
  std::vector<uint8_t> take() { return std::move(out_); }

 private:
  void raw(const void* data, size_t size) {
    const auto* p = static_cast<const uint8_t*>(data);
    out_.insert(out_.end(), p, p + size);
  }
  std::vector<uint8_t> out_;
};

class Reader {
 public:
  explicit Reader(const std::vector<uint8_t>& in) : in_(in) {}
  template <class T> T get() {
    T value;
    raw(&value, sizeof value);
    return value;
  }
  template <class T> void get(std::vector<T>& values) {
    values.resize(count(sizeof(T)));
    raw(values.data(), values.size() * sizeof(T));
  }
  void get(std::vector<std::string>& values) {
    values.resize(count(sizeof(uint64_t)));
    for (auto& v : values) {
      v.resize(count(1));
      raw(v.data(), v.size());
    }
  }
  bool at_end() const { return pos_ == in_.size(); }

 private:
  // An element count, checked against the bytes left so that a damaged message cannot make us
  // allocate without bound.
  size_t count(size_t element_size) {
    uint64_t n = get<uint64_t>();
    if (n > (in_.size() - pos_) / element_size) fail();
    return static_cast<size_t>(n);
  }
  void raw(void* out, size_t size) {
    if (size > in_.size() - pos_) fail();
    if (size) std::memcpy(out, in_.data() + pos_, size);
    pos_ += size;
  }
  [[noreturn]] static void fail() { throw IoError("a genome window arrived damaged (shorter than its own lengths say)"); }
  const std::vector<uint8_t>& in_;
  size_t pos_ = 0;
};

}  // namespace

std::vector<uint8_t> encode_window(const GenomeWindow& window) {
  Writer out(window.bytes() + 256);
  out.put(window.index);
  out.put(window.haplotypes);
  out.put(window.position);
  out.put(window.cm);
  out.put(window.contig);
  out.put(window.id);
  out.put(window.ref);
  out.put(window.alt);
  out.put(window.bits);
  return out.take();
}

GenomeWindow decode_window(const std::vector<uint8_t>& bytes) {
  Reader in(bytes);
  GenomeWindow window;
  window.index = in.get<int64_t>();
  window.haplotypes = in.get<int64_t>();
  in.get(window.position);
  in.get(window.cm);
  in.get(window.contig);
  in.get(window.id);
  in.get(window.ref);
  in.get(window.alt);
  in.get(window.bits);
  if (!in.at_end() || window.bits.size() != static_cast<size_t>(window.haplotypes * window.words_per_haplotype()))
    throw IoError("a genome window arrived damaged (its parts disagree in size)");
  return window;
}

}  // namespace sc
