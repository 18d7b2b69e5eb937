#include "stages/sample/table_sampler.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>

#include "kernels/sampling/network_row.hpp"
#include "kernels/sampling/network_sampler.hpp"
#include "pipeline/error.hpp"

namespace sc {

SampledTable plan_table(const TableSamplingPlan& plan) {
  SampledTable table;
  table.name = plan.model->table;
  if (!plan.parent) {
    table.rows = plan.rows;
    return table;
  }
  const auto it = plan.parent->children_counts.find(table.name);
  SC_EXPECTS(it != plan.parent->children_counts.end(), InternalError,
             "table " + table.name + ": its parent's model carries no children count for it");
  table.family_start.assign(it->second.size() + 1, 0);
  for (size_t p = 0; p < it->second.size(); ++p) table.family_start[p + 1] = table.family_start[p] + it->second[p];
  table.rows = table.family_start.back();
  return table;
}

namespace {

// The parent row of child row g.
int64_t parent_of(const SampledTable& table, int64_t g) {
  auto it = std::upper_bound(table.family_start.begin(), table.family_start.end(), g);
  return static_cast<int64_t>(it - table.family_start.begin()) - 1;
}

}  // namespace

SampledShard sample_shard(const TableSamplingPlan& plan, const SampledTable& table, int64_t first, int64_t count) {
  const TableModel& model = *plan.model;
  const TableMeta& meta = *plan.meta;
  const size_t nodes = model.nodes.size();
  const int32_t context = static_cast<int32_t>(model.context_states.size());
  kernels::NetworkArrays own_network;
  if (!plan.network) own_network = model.network(plan.seed, plan.stream);
  const kernels::NetworkArrays& net = plan.network ? *plan.network : own_network;

  // The rows to draw: the shard's, widened to whole families for a child table.
  int64_t begin = first, end = first + count;
  std::vector<int64_t> parent_row;
  if (plan.parent && count > 0) {
    begin = table.family_start[static_cast<size_t>(parent_of(table, first))];
    end = table.family_start[static_cast<size_t>(parent_of(table, first + count - 1)) + 1];
  }
  const int64_t drawn = end - begin;
  std::vector<int32_t> context_states(static_cast<size_t>(drawn * context));
  if (plan.parent) {
    parent_row.resize(static_cast<size_t>(drawn));
    int64_t p = drawn > 0 ? parent_of(table, begin) : 0;
    const int32_t parent_slots = static_cast<int32_t>(plan.parent_nodes);
    for (int64_t i = 0; i < drawn; ++i) {
      while (table.family_start[static_cast<size_t>(p) + 1] <= begin + i) ++p;
      parent_row[static_cast<size_t>(i)] = p;
      const int32_t* states = plan.parent->node_states.data() + p * parent_slots;
      std::copy(states, states + parent_slots, context_states.begin() + i * context);
      if (model.first_child_slot >= 0)
        context_states[static_cast<size_t>(i * context + model.first_child_slot)] =
            table.family_start[static_cast<size_t>(p)] == begin + i ? 1 : 0;
      // Every row is drawn first as if it had no previous sibling; follow_previous corrects it.
      if (model.previous_sibling_slot >= 0)
        context_states[static_cast<size_t>(i * context + model.previous_sibling_slot)] =
            model.context_states[static_cast<size_t>(model.previous_sibling_slot)] - 1;
    }
  }
  // Rows [first_row, first_row + rows) of the drawn block, from `network`, on the chosen backend.
  auto draw = [&](const kernels::DrawKey& key, int64_t first_row, int64_t rows) {
    // The whole block (the first draw) reads the context in place; a redraw of a few rows copies its slice.
    std::vector<int32_t> slice;
    if (first_row != 0 || rows != drawn)
      slice.assign(context_states.begin() + first_row * context, context_states.begin() + (first_row + rows) * context);
    const std::vector<int32_t>& context_slice = first_row != 0 || rows != drawn ? slice : context_states;
    if (!plan.use_cuda) return kernels::sample_rows_cpu(net, key, static_cast<uint64_t>(begin + first_row), rows, context_slice);
    try {
      return kernels::sample_rows_cuda(net, key, static_cast<uint64_t>(begin + first_row), rows, context_slice);
    } catch (const std::runtime_error& e) {
      throw Error(ExitCode::cuda, "CUDA error", "table " + model.table + ": " + e.what());
    }
  };
  kernels::SampledRows sampled = draw(net.key, 0, drawn);
  auto retry_key = [&](uint32_t attempt) {
    return kernels::DrawKey{plan.seed, kernels::DrawPurpose::constraint_retry, (attempt << 16) | (plan.stream & 0xFFFFu)};
  };
  auto first_of_family = [&](int64_t i) { return i == 0 || parent_row[static_cast<size_t>(i)] != parent_row[static_cast<size_t>(i - 1)]; };

  // The previous sibling's category (in draw order). The kernel drew every row with "no previous
  // sibling"; row i then takes row i - 1's category state as context, and the nodes that depend
  // on that slot, directly or through their parents, are drawn again from the same counters under
  // `key` (the key row i was last drawn with): the very draw of a row drawn after its sibling, on
  // any backend, since this runs on the host for both. Rows are followed in order within a family.
  const int32_t previous_slot = model.previous_sibling_slot;
  const int sibling_node = previous_slot >= 0 ? model.node_index(model.sibling_category) : -1;
  std::vector<int> after_previous;  // the nodes drawn again, in topological (node) order
  if (sibling_node >= 0) {
    std::vector<uint8_t> depends(nodes, 0);
    for (size_t j = 0; j < nodes; ++j) {
      for (int32_t slot : model.nodes[j].parents)
        depends[j] |= slot == previous_slot || (slot >= context && depends[static_cast<size_t>(slot - context)]);
      if (depends[j]) after_previous.push_back(static_cast<int>(j));
    }
  }
  const kernels::NetworkView view = net.view();
  auto follow_previous = [&](int64_t i, const kernels::DrawKey& key) {
    if (sibling_node < 0 || first_of_family(i)) return;
    int32_t* row = sampled.states.data() + i * sampled.width;
    const int32_t previous = sampled.states[static_cast<size_t>((i - 1) * sampled.width + context + sibling_node)];
    if (row[previous_slot] == previous) return;
    row[previous_slot] = previous;
    context_states[static_cast<size_t>(i * context + previous_slot)] = previous;
    double* values = sampled.values.data() + i * static_cast<int64_t>(nodes);
    for (int j : after_previous)
      kernels::place_network_node(view, j, kernels::node_configuration(view, view.nodes[j], row),
                                  kernels::draw_words(key, static_cast<uint64_t>(begin + i), static_cast<uint32_t>(j)), row, values);
  };
  for (int64_t i = 0; i < drawn; ++i) follow_previous(i, net.key);

  // The time column. Gap model: the first sibling's own draw, then each later sibling's gap added
  // to the previous time (a missing first time leaves the family's times missing). Visit model: a
  // sibling in the same visit as the one drawn before it takes that one's time, every other its own.
  int order_node = model.order_by.empty() ? -1 : model.node_index(model.order_by);
  int gap_node = model.order_by.empty() ? -1 : model.node_index(gap_node_name(model.order_by));
  int visit_node = model.order_by.empty() ? -1 : model.node_index(visit_node_name(model.order_by));
  std::vector<double> times;
  std::vector<uint8_t> time_missing;
  // Draws rows [a, b) of the block again from the retry stream of `attempt` (the same tables under
  // the retry key: no copy of the network per family and attempt), then follows rows a + 1 .. b - 1
  // to their redrawn previous siblings (row a keeps its context: the rows before it are settled).
  auto redraw = [&](int64_t a, int64_t b, uint32_t attempt) {
    kernels::SampledRows again = draw(retry_key(attempt), a, b - a);
    std::copy(again.states.begin(), again.states.end(), sampled.states.begin() + a * sampled.width);
    std::copy(again.values.begin(), again.values.end(), sampled.values.begin() + a * static_cast<int64_t>(nodes));
    for (int64_t i = a + 1; i < b; ++i) follow_previous(i, retry_key(attempt));
  };
  auto bound_of = [&](int64_t i) {
    return plan.family_time_bound ? (*plan.family_time_bound)[static_cast<size_t>(parent_row[static_cast<size_t>(i)])]
                                  : std::numeric_limits<double>::quiet_NaN();
  };
  if (order_node >= 0 && (gap_node >= 0 || visit_node >= 0)) {
    times.assign(static_cast<size_t>(drawn), 0.0);
    time_missing.assign(static_cast<size_t>(drawn), 0);
    const ModelNode& time_node = model.nodes[static_cast<size_t>(order_node)];
    auto state_of = [&](int64_t i, int node) { return sampled.states[static_cast<size_t>(i * sampled.width + context + node)]; };
    auto value_of = [&](int64_t i, int node) { return sampled.values[static_cast<size_t>(i * static_cast<int64_t>(nodes) + node)]; };
    // Row i's own time, or (a later sibling of the same visit, or gap model) one that follows the previous row's.
    auto place_time = [&](int64_t i, bool first_sibling) {
      const size_t k = static_cast<size_t>(i);
      if (visit_node >= 0) {
        if (!first_sibling && state_of(i, visit_node) == 1) {
          time_missing[k] = time_missing[k - 1];
          times[k] = times[k - 1];
        } else {
          time_missing[k] = state_of(i, order_node) == time_node.missing_state;
          times[k] = std::floor(value_of(i, order_node));
        }
      } else if (first_sibling) {
        time_missing[k] = state_of(i, order_node) == time_node.missing_state;
        times[k] = std::floor(value_of(i, order_node));
      } else {
        const ModelNode& gap = model.nodes[static_cast<size_t>(gap_node)];
        time_missing[k] = time_missing[k - 1];
        double step = state_of(i, gap_node) == gap.missing_state ? 0.0 : std::floor(value_of(i, gap_node));
        times[k] = times[k - 1] + step;
      }
    };
    auto breaks = [&](int64_t i, double bound) {
      return !time_missing[static_cast<size_t>(i)] && !constraint_holds(plan.family_time_op, times[static_cast<size_t>(i)], bound);
    };
    for (int64_t a = 0; a < drawn;) {
      int64_t b = a;
      while (b < drawn && parent_row[static_cast<size_t>(b)] == parent_row[static_cast<size_t>(a)]) ++b;
      const double bound = bound_of(a);
      if (visit_node >= 0) {
        // Visits start independently given the row and the parent, so the model conditioned on
        // the constraint redraws just the row that breaks it (rejection per row; a row that joins
        // a visit takes a time that already holds).
        for (int64_t i = a; i < b; ++i) {
          follow_previous(i, net.key);  // row i - 1 may have been drawn again
          place_time(i, i == a);
          for (uint32_t attempt = 1; !std::isnan(bound) && attempt <= kFamilyRedraws && breaks(i, bound); ++attempt) {
            redraw(i, i + 1, attempt);
            place_time(i, i == a);
          }
        }
      } else {
        for (int64_t i = a; i < b; ++i) place_time(i, i == a);
        // A family whose times run past the parent's bound (e.g. labs after the end of follow-up)
        // is drawn again, whole, from retry streams keyed by the attempt: a draw from the model
        // conditioned on the constraint (rejection), not a pile-up at the bound. Families still
        // outside after the last attempt are clamped by the constraint repair.
        auto family_breaks = [&] {
          for (int64_t i = a; i < b; ++i)
            if (breaks(i, bound)) return true;
          return false;
        };
        for (uint32_t attempt = 1; !std::isnan(bound) && attempt <= kFamilyRedraws && family_breaks(); ++attempt) {
          redraw(a, b, attempt);
          for (int64_t i = a; i < b; ++i) place_time(i, i == a);
        }
      }
      a = b;
    }
  }

  // Siblings in the order of the table's time column (ties: the order they were drawn in).
  std::vector<int64_t> order(static_cast<size_t>(drawn));
  std::iota(order.begin(), order.end(), int64_t{0});
  if (order_node >= 0) {
    auto key = [&](int64_t i) {
      if (!times.empty()) return time_missing[static_cast<size_t>(i)] ? std::numeric_limits<double>::infinity() : times[static_cast<size_t>(i)];
      const ModelNode& node = model.nodes[static_cast<size_t>(order_node)];
      int32_t state = sampled.states[static_cast<size_t>(i * sampled.width + context + order_node)];
      // Missing times go last within their family.
      return state == node.missing_state ? std::numeric_limits<double>::infinity()
                                         : sampled.values[static_cast<size_t>(i * static_cast<int64_t>(nodes) + order_node)];
    };
    std::vector<double> keys(static_cast<size_t>(drawn));
    for (int64_t r = 0; r < drawn; ++r) keys[static_cast<size_t>(r)] = key(r);
    auto before = [&](int64_t a, int64_t b) { return keys[static_cast<size_t>(a)] < keys[static_cast<size_t>(b)]; };
    int64_t i = 0;
    while (i < drawn) {
      int64_t j = i;
      while (j < drawn && parent_row[static_cast<size_t>(j)] == parent_row[static_cast<size_t>(i)]) ++j;
      // A stable sort has one result, so any stable sort will do: insertion for the usual few
      // siblings (std::stable_sort allocates a buffer per call), std::stable_sort for many.
      if (j - i <= 32) {
        for (int64_t k = i + 1; k < j; ++k) {
          const int64_t row = order[static_cast<size_t>(k)];
          int64_t at = k;
          for (; at > i && before(row, order[static_cast<size_t>(at - 1)]); --at) order[static_cast<size_t>(at)] = order[static_cast<size_t>(at - 1)];
          order[static_cast<size_t>(at)] = row;
        }
      } else {
        std::stable_sort(order.begin() + i, order.begin() + j, before);
      }
      i = j;
    }
  }

  // The shard's columns, each allocated and cleared on one of TBB's threads: their first-touch
  // page faults were a third of a one-shard table's conversion below when taken one by one.
  SampledShard out;
  out.data.columns.resize(meta.columns.size());
  for (const auto& child : plan.child_tables) out.children_counts[child];
  tbb::parallel_for(size_t{0}, meta.columns.size() + 1, [&](size_t c) {
    if (c == meta.columns.size()) {
      out.node_states.resize(static_cast<size_t>(count) * nodes);
      for (auto& [child, counts] : out.children_counts) counts.assign(static_cast<size_t>(count), 0);
      return;
    }
    ColumnValues& column = out.data.columns[c];
    column.missing.assign(static_cast<size_t>(count), 0);
    if (stored_as_code(meta.types[c])) column.codes.assign(static_cast<size_t>(count), 0);
    else if (stored_as_double(meta.types[c])) column.f64.assign(static_cast<size_t>(count), 0.0);
    else column.i64.assign(static_cast<size_t>(count), 0);
  });
  // Looked up once, not per row: where each children node's counts go, each reference's targets.
  std::vector<std::vector<int64_t>*> counts_of_node(nodes, nullptr);
  for (size_t j = 0; j < nodes; ++j)
    for (auto& [child, counts] : out.children_counts)
      if (children_node_name(child) == model.nodes[j].name) counts_of_node[j] = &counts;
  std::vector<int64_t> reference_targets;
  for (const auto& ref : model.references)
    reference_targets.push_back(plan.table_rows.count(ref.target_table) ? plan.table_rows.at(ref.target_table) : 0);
  const int pk = meta.primary_key.empty() ? -1 : meta.column_index(meta.primary_key);
  const int fk = meta.foreign_key.empty() ? -1 : meta.column_index(meta.foreign_key);
  // Every row goes to its own place in the columns, from its own counters: rows in blocks on
  // TBB's threads give the same shard in any order.
  tbb::parallel_for(tbb::blocked_range<int64_t>(0, count, 2048), [&](const tbb::blocked_range<int64_t>& rows) {
    for (int64_t r = rows.begin(); r < rows.end(); ++r) {
      const int64_t g = first + r;
      const int64_t i = order[static_cast<size_t>(g - begin)];
      const int32_t* states = sampled.states.data() + i * sampled.width + context;
      const double* values = sampled.values.data() + i * static_cast<int64_t>(nodes);
      // Keys are identities: a synthetic row's key is its row number + 1, its parent's likewise.
      if (pk >= 0) out.data.columns[static_cast<size_t>(pk)].i64[static_cast<size_t>(r)] = g + 1;
      if (fk >= 0) out.data.columns[static_cast<size_t>(fk)].i64[static_cast<size_t>(r)] = parent_row[static_cast<size_t>(g - begin)] + 1;
      for (size_t j = 0; j < nodes; ++j) {
        const ModelNode& node = model.nodes[j];
        out.node_states[static_cast<size_t>(r) * nodes + j] = states[j];
        if (node.kind == NodeKind::gap || node.kind == NodeKind::visit) continue;
        if (!times.empty() && static_cast<int>(j) == order_node) {
          ColumnValues& column = out.data.columns[static_cast<size_t>(node.column)];
          column.missing[static_cast<size_t>(r)] = time_missing[static_cast<size_t>(i)];
          column.i64[static_cast<size_t>(r)] = time_missing[static_cast<size_t>(i)] ? 0 : static_cast<int64_t>(times[static_cast<size_t>(i)]);
          continue;
        }
        if (node.kind == NodeKind::children) {
          (*counts_of_node[j])[static_cast<size_t>(r)] = static_cast<int64_t>(std::floor(values[j]));
          continue;
        }
        ColumnValues& column = out.data.columns[static_cast<size_t>(node.column)];
        if (states[j] == node.missing_state) {
          column.missing[static_cast<size_t>(r)] = 1;
          if (!column.codes.empty()) column.codes[static_cast<size_t>(r)] = -1;
          continue;
        }
        if (node.kind == NodeKind::categorical) column.codes[static_cast<size_t>(r)] = states[j];
        else if (node.integer_values) column.i64[static_cast<size_t>(r)] = static_cast<int64_t>(std::floor(values[j]));
        else column.f64[static_cast<size_t>(r)] = values[j];
      }
      for (size_t k = 0; k < model.references.size(); ++k) {
        const ReferenceModel& ref = model.references[k];
        ColumnValues& column = out.data.columns[static_cast<size_t>(ref.column)];
        kernels::DrawWords w = kernels::draw_words(
            kernels::DrawKey{plan.seed, kernels::DrawPurpose::reference_key, plan.stream}, static_cast<uint64_t>(g),
            static_cast<uint32_t>(ref.column));
        const int64_t targets = reference_targets[k];
        if (w.w[0] < ref.missing_threshold || targets == 0) {
          column.missing[static_cast<size_t>(r)] = 1;
          continue;
        }
        uint64_t word = (static_cast<uint64_t>(w.w[1]) << 32) | w.w[2];
        column.i64[static_cast<size_t>(r)] = static_cast<int64_t>(word % static_cast<uint64_t>(targets)) + 1;
      }
    }
  });
  return out;
}

}  // namespace sc
