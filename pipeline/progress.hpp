// Progress of long work, printed by rank 0: the stage, the shards done out of the total, the rate
// and an ETA. Rank 0 only sees its own shards; since shards are dealt round-robin, its share of
// the work stands for the whole (its count times the rank count), which is what the ETA uses.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

#include "pipeline/mpi_comm.hpp"

namespace sc {

class Progress {
 public:
  Progress(const Communicator& comm, std::string stage, std::string what, int64_t total_shards,
           std::string unit);
  // One shard done on this rank, holding `units` rows, variants or bytes.
  void shard_done(int64_t units);
  double elapsed_seconds() const;

 private:
  const Communicator& comm_;
  std::string stage_, what_, unit_;
  int64_t total_shards_, local_shards_ = 0, local_units_ = 0;
  std::chrono::steady_clock::time_point start_, last_print_;
};

// "1.23 M" style numbers for rates and counts.
std::string human_count(double value);

}  // namespace sc
