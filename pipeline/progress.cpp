#include "pipeline/progress.hpp"

#include <cstdio>

namespace sc {

std::string human_count(double value) {
  const char* suffix[] = {"", " k", " M", " G", " T"};
  int i = 0;
  while (value >= 1000.0 && i < 4) { value /= 1000.0; ++i; }
  char text[32];
  std::snprintf(text, sizeof text, i == 0 ? "%.0f%s" : "%.2f%s", value, suffix[i]);
  return text;
}

Progress::Progress(const Communicator& comm, std::string stage, std::string what, int64_t total_shards,
                   std::string unit)
    : comm_(comm), stage_(std::move(stage)), what_(std::move(what)), unit_(std::move(unit)),
      total_shards_(total_shards), start_(std::chrono::steady_clock::now()), last_print_(start_) {}

double Progress::elapsed_seconds() const {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
}

void Progress::shard_done(int64_t units) {
  ++local_shards_;
  local_units_ += units;
  if (!comm_.is_root()) return;
  auto now = std::chrono::steady_clock::now();
  bool last = local_shards_ * comm_.size() >= total_shards_;
  if (!last && now - last_print_ < std::chrono::seconds(2)) return;
  last_print_ = now;
  double seconds = elapsed_seconds();
  int64_t done = std::min<int64_t>(total_shards_, local_shards_ * comm_.size());
  double rate = seconds > 0 ? static_cast<double>(local_units_) * comm_.size() / seconds : 0.0;
  double eta = done > 0 ? seconds * static_cast<double>(total_shards_ - done) / static_cast<double>(done) : 0.0;
  std::fprintf(stdout, "[%s] %s: ~%lld/%lld shards, %s %s/s, ETA %.0f s\n", stage_.c_str(), what_.c_str(),
               static_cast<long long>(done), static_cast<long long>(total_shards_), human_count(rate).c_str(),
               unit_.c_str(), eta);
  std::fflush(stdout);
}

}  // namespace sc
