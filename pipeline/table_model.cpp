#include "pipeline/table_model.hpp"

#include "pipeline/error.hpp"

namespace sc {

namespace {
// The node arrays that hold the model's probabilities, concatenated over the nodes in the model
// shard as datasets of their own, /NAME (JSON text of 2^64-scale integers was 28% of a small
// sample stage, parsing them); each node's JSON gives their lengths as NAME_count.
template <class T>
void write_node_array(ShardFile& file, const std::vector<ModelNode>& nodes, const std::string& name,
                      std::vector<T> ModelNode::*field) {
  std::vector<T> all;
  for (const auto& n : nodes) all.insert(all.end(), (n.*field).begin(), (n.*field).end());
  file.write("/" + name, all);
}
template <class T>
void read_node_array(const h5::File& file, const std::string& path, const nlohmann::json& json_nodes,
                     const std::string& name, std::vector<ModelNode>& nodes, std::vector<T> ModelNode::*field) {
  const std::vector<T> all = file.read<T>("/" + name);
  size_t at = 0;
  for (size_t i = 0; i < nodes.size(); ++i) {
    const size_t n = json_nodes[i].at(name + "_count").get<size_t>();
    SC_EXPECTS(at + n <= all.size(), InputError, path + ": /" + name + " holds fewer entries than the model's nodes count");
    (nodes[i].*field).assign(all.begin() + static_cast<std::ptrdiff_t>(at), all.begin() + static_cast<std::ptrdiff_t>(at + n));
    at += n;
  }
  SC_EXPECTS(at == all.size(), InputError, path + ": /" + name + " holds more entries than the model's nodes count");
}
}  // namespace

void write_table_model(ShardFile& file, const TableModel& model) {
  const std::string text = model.to_json().dump();
  file.write("/model_json", std::vector<uint8_t>(text.begin(), text.end()));
  write_node_array(file, model.nodes, "thresholds", &ModelNode::thresholds);
  write_node_array(file, model.nodes, "fine_thresholds", &ModelNode::fine_thresholds);
  write_node_array(file, model.nodes, "fine_edges", &ModelNode::fine_edges);
  write_node_array(file, model.nodes, "fine_to_state", &ModelNode::fine_to_state);
}

TableModel read_table_model(const StageReader& fit, const std::string& table) {
  const std::string path = fit.path(shard_name("models/" + table, 0));
  h5::File file = h5::File::open_read(path);
  std::vector<uint8_t> bytes = file.read<uint8_t>("/model_json");
  nlohmann::json json = nlohmann::json::parse(bytes.begin(), bytes.end(), nullptr, false);
  if (json.is_discarded()) throw InputError(path + ": /model_json is not valid JSON");
  TableModel model = TableModel::from_json(json);
  const nlohmann::json& nodes = json.at("nodes");
  read_node_array(file, path, nodes, "thresholds", model.nodes, &ModelNode::thresholds);
  read_node_array(file, path, nodes, "fine_thresholds", model.nodes, &ModelNode::fine_thresholds);
  read_node_array(file, path, nodes, "fine_edges", model.nodes, &ModelNode::fine_edges);
  read_node_array(file, path, nodes, "fine_to_state", model.nodes, &ModelNode::fine_to_state);
  return model;
}

std::string children_node_name(const std::string& child_table) { return "children:" + child_table; }
std::string gap_node_name(const std::string& column) { return "gap:" + column; }
std::string visit_node_name(const std::string& column) { return "visit:" + column; }

int TableModel::node_index(const std::string& name) const {
  for (size_t i = 0; i < nodes.size(); ++i)
    if (nodes[i].name == name) return static_cast<int>(i);
  return -1;
}

namespace {
const char* kind_name(NodeKind kind) {
  switch (kind) {
    case NodeKind::categorical: return "categorical";
    case NodeKind::numeric: return "numeric";
    case NodeKind::children: return "children";
    case NodeKind::gap: return "gap";
    case NodeKind::visit: return "visit";
  }
  return "?";
}
NodeKind kind_from(const std::string& text) {
  if (text == "categorical") return NodeKind::categorical;
  if (text == "numeric") return NodeKind::numeric;
  if (text == "children") return NodeKind::children;
  if (text == "gap") return NodeKind::gap;
  if (text == "visit") return NodeKind::visit;
  throw InputError("model node kind '" + text + "' is not categorical, numeric, children, gap or visit");
}
}  // namespace

nlohmann::json TableModel::to_json() const {
  nlohmann::json out = {{"format", "synthcohort-table-model/3"}, {"table", table}, {"parent", parent},
                        {"rows_fit", rows_fit}, {"persons_fit", persons_fit}, {"private_fit", private_fit}, {"context_states", context_states},
                        {"order_by", order_by}, {"first_child_slot", first_child_slot},
                        {"previous_sibling_slot", previous_sibling_slot}, {"sibling_category", sibling_category}, {"report", report}};
  nlohmann::json list = nlohmann::json::array();
  for (const auto& n : nodes)
    list.push_back({{"name", n.name}, {"kind", kind_name(n.kind)}, {"column", n.column},
                    {"integer_values", n.integer_values}, {"states", n.states}, {"missing_state", n.missing_state},
                    {"binned_states", n.binned_states}, {"parents", n.parents}, {"parent_radix", n.parent_radix}, {"tail_taper", n.tail_taper},
                    {"thresholds_count", n.thresholds.size()}, {"fine_bins", n.fine_bins}, {"point_values", n.point_values},
                    {"fine_thresholds_count", n.fine_thresholds.size()}, {"fine_edges_count", n.fine_edges.size()},
                    {"fine_to_state_count", n.fine_to_state.size()}, {"categories", n.categories}});
  out["nodes"] = list;
  nlohmann::json refs = nlohmann::json::array();
  for (const auto& r : references)
    refs.push_back({{"column", r.column}, {"target_table", r.target_table}, {"missing_threshold", r.missing_threshold}});
  out["references"] = refs;
  return out;
}

TableModel TableModel::from_json(const nlohmann::json& json) {
  if (json.value("format", "") != "synthcohort-table-model/3")
    throw InputError("the fit stage holds a table model of another format (expected synthcohort-table-model/3; fit again)");
  TableModel m;
  m.table = json.at("table");
  m.parent = json.at("parent");
  m.rows_fit = json.at("rows_fit");
  m.persons_fit = json.at("persons_fit");
  m.private_fit = json.value("private_fit", false);
  m.context_states = json.at("context_states").get<std::vector<int32_t>>();
  m.order_by = json.at("order_by");
  m.first_child_slot = json.at("first_child_slot");
  m.previous_sibling_slot = json.at("previous_sibling_slot");
  m.sibling_category = json.at("sibling_category");
  m.report = json.at("report");
  for (const auto& n : json.at("nodes")) {
    ModelNode node;
    node.name = n.at("name");
    node.kind = kind_from(n.at("kind"));
    node.column = n.at("column");
    node.integer_values = n.at("integer_values");
    node.states = n.at("states");
    node.missing_state = n.at("missing_state");
    node.binned_states = n.at("binned_states");
    node.parents = n.at("parents").get<std::vector<int32_t>>();
    node.parent_radix = n.value("parent_radix", std::vector<int32_t>(node.parents.size(), 0));
    node.tail_taper = n.value("tail_taper", 0);
    node.fine_bins = n.at("fine_bins");
    node.point_values = n.at("point_values");
    node.categories = n.value("categories", std::vector<std::string>{});
    m.nodes.push_back(std::move(node));
  }
  for (const auto& r : json.at("references"))
    m.references.push_back({r.at("column").get<int>(), r.at("target_table").get<std::string>(),
                            r.at("missing_threshold").get<uint64_t>()});
  return m;
}

kernels::NetworkArrays TableModel::network(uint64_t seed, uint32_t stream) const {
  kernels::NetworkArrays net;
  net.context_count = static_cast<int32_t>(context_states.size());
  net.key = kernels::DrawKey{seed, kernels::DrawPurpose::table_row, stream};
  net.parent_states = context_states;
  for (const auto& n : nodes) net.parent_states.push_back(n.states);
  for (const auto& n : nodes) {
    kernels::NetworkNode k;
    k.states = n.states;
    k.missing_state = n.missing_state;
    SC_EXPECTS(n.parents.size() <= static_cast<size_t>(kernels::kMaxNodeParents), InputError,
               "model of table " + table + ": node " + n.name + " has more parents than the kernel takes");
    k.parent_count = static_cast<int32_t>(n.parents.size());
    SC_EXPECTS(n.parent_radix.size() == n.parents.size(), InputError,
               "model of table " + table + ": node " + n.name + " has " + std::to_string(n.parent_radix.size()) +
                   " parent_radix entries for " + std::to_string(n.parents.size()) + " parents");
    for (size_t p = 0; p < n.parents.size(); ++p) {
      k.parent[p] = n.parents[p];
      k.parent_radix[p] = n.parent_radix[p];
    }
    k.table_offset = static_cast<int64_t>(net.thresholds.size());
    net.thresholds.insert(net.thresholds.end(), n.thresholds.begin(), n.thresholds.end());
    k.fine_bins = n.fine_bins;
    k.point_values = n.point_values ? 1 : 0;
    k.tail_taper = n.tail_taper;
    k.binned_states = n.binned_states;
    k.fine_offset = static_cast<int64_t>(net.fine_thresholds.size());
    net.fine_thresholds.insert(net.fine_thresholds.end(), n.fine_thresholds.begin(), n.fine_thresholds.end());
    k.edge_offset = static_cast<int64_t>(net.fine_edges.size());
    net.fine_edges.insert(net.fine_edges.end(), n.fine_edges.begin(), n.fine_edges.end());
    net.nodes.push_back(k);
  }
  kernels::add_guide_tables(net);
  return net;
}

}  // namespace sc
