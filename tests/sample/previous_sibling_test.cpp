// The previous-sibling slot of a child table's network (fit.previous_sibling), at the sampler:
// every row must be exactly the draw it would have had if drawn after its previous sibling (a
// sequential reference drawn row by row here), whatever the shard cuts, and the chain must carry
// the model's transitions (a category that follows the previous one with probability 0.9).
#include <gtest/gtest.h>

#include <vector>

#include "kernels/sampling/cumulative_table.hpp"
#include "kernels/sampling/network_row.hpp"
#include "stages/sample/table_sampler.hpp"

namespace sc {
namespace {

// Context: [first child (2 states), previous sibling's kind (3 kinds + "none")]; nodes: kind
// (parent: the previous kind), flag (parent: kind).
TableModel chain_model() {
  TableModel model;
  model.table = "visits";
  model.parent = "persons";
  model.context_states = {2, 4};
  model.first_child_slot = 0;
  model.previous_sibling_slot = 1;
  model.sibling_category = "kind";
  ModelNode kind;
  kind.name = "kind";
  kind.column = 1;
  kind.states = kind.binned_states = 3;
  kind.parents = {1};
  kind.parent_radix = {0};
  for (int previous = 0; previous < 4; ++previous) {
    std::vector<uint64_t> weights(3, 1);  // after kind a: kind (a + 1) % 3 nine times in ten
    if (previous < 3) weights[static_cast<size_t>((previous + 1) % 3)] = 18;
    auto t = kernels::thresholds_from_weights(weights);
    kind.thresholds.insert(kind.thresholds.end(), t.begin(), t.end());
  }
  ModelNode flag;
  flag.name = "flag";
  flag.column = 2;
  flag.states = flag.binned_states = 2;
  flag.parents = {2};  // slot of the kind node (context 2 + node 0)
  flag.parent_radix = {0};
  for (int k = 0; k < 3; ++k) {
    auto t = kernels::thresholds_from_weights({static_cast<uint64_t>(1 + k), 3});
    flag.thresholds.insert(flag.thresholds.end(), t.begin(), t.end());
  }
  model.nodes = {kind, flag};
  return model;
}

struct Fixture {
  TableModel model = chain_model();
  TableMeta meta;
  SampledTable parent;
  TableSamplingPlan plan;
  SampledTable table;
  Fixture() {
    meta.name = "visits";
    meta.columns = {"person", "kind", "flag"};
    meta.types = {ColumnType::key, ColumnType::categorical, ColumnType::categorical};
    meta.parent = "persons";
    meta.foreign_key = "person";
    std::vector<int64_t> counts;
    for (int p = 0; p < 300; ++p) counts.push_back(p % 7 == 0 ? 0 : 1 + (p * 37) % 23);
    parent.name = "persons";
    parent.children_counts["visits"] = counts;
    plan.model = &model;
    plan.meta = &meta;
    plan.parent = &parent;
    plan.parent_nodes = 0;
    plan.seed = 11;
    plan.stream = 3;
    table = plan_table(plan);
  }
};

TEST(PreviousSibling, EveryRowIsTheDrawAfterItsSibling) {
  Fixture f;
  const kernels::NetworkArrays net = f.model.network(f.plan.seed, f.plan.stream);
  const kernels::NetworkView view = net.view();
  SampledShard all = sample_shard(f.plan, f.table, 0, f.table.rows);
  ASSERT_EQ(all.node_states.size(), static_cast<size_t>(f.table.rows) * 2);
  int64_t follows = 0, later = 0;
  for (size_t p = 0; p + 1 < f.table.family_start.size(); ++p) {
    int32_t previous = 3;  // none
    for (int64_t g = f.table.family_start[p]; g < f.table.family_start[p + 1]; ++g) {
      int32_t states[4] = {g == f.table.family_start[p] ? 1 : 0, previous, 0, 0};
      double values[2];
      kernels::sample_network_row(view, static_cast<uint64_t>(g), states, values);
      ASSERT_EQ(all.node_states[static_cast<size_t>(g) * 2], states[2]) << "row " << g;
      ASSERT_EQ(all.node_states[static_cast<size_t>(g) * 2 + 1], states[3]) << "row " << g;
      EXPECT_EQ(all.data.columns[1].codes[static_cast<size_t>(g)], states[2]);
      if (previous < 3) {
        ++later;
        follows += states[2] == (previous + 1) % 3;
      }
      previous = states[2];
    }
  }
  // 0.9 of the later siblings follow the chain (independent draws would give 1/3 or so).
  ASSERT_GT(later, 2000);
  EXPECT_NEAR(static_cast<double>(follows) / static_cast<double>(later), 0.9, 0.02);
}

TEST(PreviousSibling, ShardCutsDoNotChangeRows) {
  Fixture f;
  SampledShard all = sample_shard(f.plan, f.table, 0, f.table.rows);
  for (int64_t cut : {int64_t{1}, int64_t{97}, int64_t{1000}}) {
    std::vector<int32_t> joined;
    for (int64_t first = 0; first < f.table.rows; first += cut) {
      SampledShard piece = sample_shard(f.plan, f.table, first, std::min(cut, f.table.rows - first));
      joined.insert(joined.end(), piece.node_states.begin(), piece.node_states.end());
    }
    EXPECT_EQ(joined, all.node_states) << "shards of " << cut << " rows";
  }
}

}  // namespace
}  // namespace sc
