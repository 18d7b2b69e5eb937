// The fitted model of one registry table, as the fit stage writes it and the sample stage reads
// it: a Bayesian network over discretised columns (DESIGN.md, "Registry tables"). Each node is a
// modelled column of the table, or the number of children one row has in a child table; a child
// table's network also sees its parent row's node states as context, and its previous sibling's
// category. A numeric node's states are
// ranges of a fine equal-width histogram (quantile groups of it), so a value is placed in two
// steps: the range by the network, the fine bin by the range's own histogram, then uniformly
// inside the fine bin (tapered in the outermost fine bin of a heavy tail). Every probability is an integer threshold on the 2^32 scale, so sampling
// is integer arithmetic (kernels/sampling/cumulative_table.hpp). Stored in the fit stage as JSON
// bytes (one shard per table), so its digest is the digest of the model itself.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>
#include <vector>

#include "kernels/sampling/network_sampler.hpp"
#include "pipeline/schema.hpp"
#include "pipeline/store.hpp"

namespace sc {

// `gap`: for a child table ordered by a time column, the time since the previous sibling (the
// time column's own node then holds the first sibling's time only). `visit`: instead of the gap,
// whether a sibling shares its previous sibling's time (state 1: the same visit, gap 0) or starts
// a visit of its own (state 0), whose time the time column's node draws given the row's other
// columns and the parent.
enum class NodeKind { categorical, numeric, children, gap, visit };

// Nodes whose states are categories (no value is placed): columns stored as codes, visit flags.
inline bool has_category_states(NodeKind kind) { return kind == NodeKind::categorical || kind == NodeKind::visit; }

struct ModelNode {
  std::string name;           // the column, or "children:<table>"
  NodeKind kind = NodeKind::categorical;
  int column = -1;            // index in the table's columns (-1 for children counts)
  bool integer_values = false;  // values are whole numbers (int64 columns, counts)
  int32_t states = 0;
  int32_t missing_state = -1;
  int32_t binned_states = 0;  // numeric: states that are value ranges
  std::vector<int32_t> parents;  // slots of the state vector (context first, then nodes)
  std::vector<int32_t> parent_radix;  // per parent: groups its states are read in (0: every state)
  int32_t tail_taper = 0;             // kernels/sampling/network_model.hpp
  std::vector<uint64_t> thresholds;       // states per parent configuration
  int32_t fine_bins = 0;
  bool point_values = false;              // fine bin k is the value fine_edges[k] itself
  std::vector<uint64_t> fine_thresholds;  // fine_bins per binned state
  std::vector<double> fine_edges;         // fine_bins + 1
  std::vector<int32_t> fine_to_state;     // numeric: the range (state) of each fine bin
  // Categorical under differential privacy: the declared categories (state k is categories[k]),
  // which replace the real dictionary in the synthetic store. Empty: states are dictionary codes.
  std::vector<std::string> categories;
};

struct ReferenceModel {
  int column = -1;
  std::string target_table;
  uint64_t missing_threshold = 0;  // a reference is missing when the draw's word is below this
};

struct TableModel {
  std::string table, parent;
  int64_t rows_fit = 0;                 // real rows the model was fitted on
  int64_t persons_fit = 0;              // root rows of the fit (the unit of privacy)
  bool private_fit = false;             // fitted under fit.epsilon: counts above are noisy estimates
  std::vector<int32_t> context_states;  // states per context slot: the parent's nodes, first child, previous sibling
  std::vector<ModelNode> nodes;
  std::vector<ReferenceModel> references;
  std::string order_by;                 // child tables: siblings are ordered by this column ("" = none)
  int32_t first_child_slot = -1;        // context slot that is 1 for a parent's first child (-1: none)
  // Context slot holding the previous sibling's state of node `sibling_category` (its states, then
  // one more for a first child); -1: none. Sample fills it in draw order, family by family.
  int32_t previous_sibling_slot = -1;
  std::string sibling_category;
  nlohmann::json report = nlohmann::json::object();  // structure and suppression, for the manifest

  int node_index(const std::string& name) const;  // -1 when absent
  // Everything but the node arrays written by write_table_model as datasets (thresholds,
  // fine_thresholds, fine_edges, fine_to_state): from_json leaves those empty.
  nlohmann::json to_json() const;
  static TableModel from_json(const nlohmann::json& json);
  // The kernel's view of the network, keyed by (seed, table_row, stream).
  kernels::NetworkArrays network(uint64_t seed, uint32_t stream) const;
};

// The model shard's contents: /model_json (the JSON of to_json) and the node arrays concatenated
// over the nodes (/thresholds, /fine_thresholds: uint64; /fine_edges: float64; /fine_to_state: int32).
void write_table_model(ShardFile& file, const TableModel& model);
// The model of `table` in a completed fit stage.
TableModel read_table_model(const StageReader& fit, const std::string& table);

// The name of the node that holds the time since the previous sibling along `column`.
std::string gap_node_name(const std::string& column);

// The name of the node that says whether a sibling shares its previous sibling's `column` value.
std::string visit_node_name(const std::string& column);

// The name of the node that counts a parent row's children in `child_table`.
std::string children_node_name(const std::string& child_table);

}  // namespace sc
