// How a child table's siblings follow one another, real against synthetic. Each parent's
// children are put in the order of the table's first day-offset or date column (rows without a
// time last; ties in store order, as fit orders them), and then
// - gap shape: KS complement of the gaps between successive children that both have a time;
// - sibling transitions, per categorical column C: the joint distribution of (C of the previous
//   sibling, or "first child", C of the row) over all child rows; score = 1 - total variation
//   distance between the real and the synthetic joint. Beside it, the score of siblings that are
//   independent of one another: the real joint against the product of its own two marginals,
//   which a generator that got every category's frequency right but no order would reach.
// Families may span shards and ranks, so every rank gathers (parent key, time, store position,
// category) records of both sides, one categorical column at a time: 32 bytes per child row and
// rank. The result is the same for any rank count (records are sorted by a total order first).
#pragma once

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

#include "pipeline/mpi_comm.hpp"
#include "pipeline/store.hpp"
#include "pipeline/table_store.hpp"

namespace sc {

struct SiblingSide {
  const StageReader& reader;
  const TableMeta& child;
  const std::vector<std::string>& shards;
};

// Synthetic codes of `column` -> the real dictionary's indices (-1: a category the real data lack).
std::vector<int32_t> real_category_indices(const TableMeta& side, const TableMeta& real, const std::string& column);

// {"gap_shape": {column, score}, "sibling_transitions": [{column, score, independent_siblings}]};
// empty when the table has no time column.
nlohmann::json evaluate_sibling_order(const Communicator& comm, const SiblingSide& real, const SiblingSide& synthetic);

}  // namespace sc
