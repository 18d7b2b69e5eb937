#include "stages/ingest/sleeping_rendezvous.hpp"

namespace sc {
namespace {
constexpr int kArrivedTag = 7211, kGoTag = 7212;
}  // namespace

void sleep_until_every_rank_arrives(const Communicator& comm) {
  if (comm.size() == 1) return;
  const std::vector<uint8_t> token = {1};
  if (comm.is_root()) {
    for (int rank = 1; rank < comm.size(); ++rank) comm.recv_bytes_sleeping(rank, kArrivedTag);
    for (int rank = 1; rank < comm.size(); ++rank) comm.send_bytes(token, rank, kGoTag);
  } else {
    comm.send_bytes(token, 0, kArrivedTag);
    comm.recv_bytes_sleeping(0, kGoTag);
  }
}

}  // namespace sc
