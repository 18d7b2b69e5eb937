// Per-shard metric pieces, computed by the shards' owner ranks and shared with every rank in
// shard order. Each rank runs `compute(s)` for its shards (s % size == rank) and gets back every
// shard's serialized piece, so merging them in shard order gives the same bits on any rank count.
#pragma once

#include <cstdint>
#include <cstring>
#include <functional>
#include <span>
#include <vector>

#include "pipeline/mpi_comm.hpp"

namespace sc {

inline std::vector<std::vector<uint8_t>> gather_shard_pieces(
    const Communicator& comm, int64_t shards, const std::function<std::vector<uint8_t>(int64_t)>& compute) {
  // Frame: [shard index int64][size int64][bytes] repeated.
  std::vector<uint8_t> mine;
  for (int64_t s = comm.rank(); s < shards; s += comm.size()) {
    std::vector<uint8_t> piece = compute(s);
    int64_t header[2] = {s, static_cast<int64_t>(piece.size())};
    const auto* h = reinterpret_cast<const uint8_t*>(header);
    mine.insert(mine.end(), h, h + sizeof header);
    mine.insert(mine.end(), piece.begin(), piece.end());
  }
  std::vector<std::vector<uint8_t>> pieces(static_cast<size_t>(shards));
  for (const auto& bytes : comm.allgather_bytes(mine)) {
    size_t pos = 0;
    while (pos + 16 <= bytes.size()) {
      int64_t header[2];
      std::memcpy(header, bytes.data() + pos, sizeof header);
      pos += sizeof header;
      pieces[static_cast<size_t>(header[0])].assign(bytes.begin() + static_cast<std::ptrdiff_t>(pos),
                                                    bytes.begin() + static_cast<std::ptrdiff_t>(pos + header[1]));
      pos += static_cast<size_t>(header[1]);
    }
  }
  return pieces;
}

// The pieces of every shard (gather_shard_pieces), deserialized and merged in shard order: the
// same merged piece on every rank, for any rank count. `Piece` has a `merge(Piece&, const Piece&)`
// found by argument-dependent lookup (the metrics' pieces).
template <class Piece, class Compute, class Deserialize>
Piece merged_shard_pieces(const Communicator& comm, int64_t shards, Compute compute, Deserialize deserialize) {
  Piece merged{};
  bool first = true;
  for (const auto& bytes : gather_shard_pieces(comm, shards, compute)) {
    Piece piece = deserialize(std::span<const uint8_t>(bytes));
    if (first) merged = std::move(piece);
    else merge(merged, piece);
    first = false;
  }
  return merged;
}

}  // namespace sc
