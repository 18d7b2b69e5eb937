#include "pipeline/constraints.hpp"

#include <cmath>
#include <limits>
#include <regex>

#include "pipeline/config.hpp"
#include "pipeline/error.hpp"
#include "pipeline/table_store.hpp"

namespace sc {
namespace {

const char* op_text(ConstraintOp op) {
  switch (op) {
    case ConstraintOp::le: return "<=";
    case ConstraintOp::lt: return "<";
    case ConstraintOp::ge: return ">=";
    case ConstraintOp::gt: return ">";
  }
  return "?";
}

void check_numeric_column(const Config& config, const std::string& key, const TableMeta& table,
                          const std::string& column, const std::string& constraint) {
  int c = table.column_index(column);
  if (c < 0)
    config.reject(key, "columns of table " + table.name + " in constraint '" + constraint + "' ('" + column +
                           "' is not one)");
  ColumnType type = table.types[static_cast<size_t>(c)];
  if (type == ColumnType::key || stored_as_code(type))
    config.reject(key, "a number, date or day-offset column in constraint '" + constraint + "' ('" + column +
                           "' of table " + table.name + " is " + to_string(type) + ")");
}

}  // namespace

std::optional<Constraint> parse_constraint(const std::string& text, std::string& why) {
  static const std::regex form(R"(^\s*([^<>=\s]+)\s*(<=|<|>=|>)\s*([^<>=\s]+)\s*$)");
  std::smatch m;
  if (!std::regex_match(text, m, form)) {
    why = "a constraint 'column OP operand' with OP one of <= < >= > (e.g. days <= parent.futime, value >= 0)";
    return std::nullopt;
  }
  Constraint c;
  c.column = m[1];
  const std::string op = m[2], operand = m[3];
  c.op = op == "<=" ? ConstraintOp::le : op == "<" ? ConstraintOp::lt : op == ">=" ? ConstraintOp::ge : ConstraintOp::gt;
  char* end = nullptr;
  double number = std::strtod(operand.c_str(), &end);
  if (end && *end == '\0' && std::isfinite(number)) {
    c.operand = OperandKind::literal;
    c.literal = number;
  } else if (operand.rfind("parent.", 0) == 0 && operand.size() > 7) {
    c.operand = OperandKind::parent_column;
    c.operand_column = operand.substr(7);
  } else {
    c.operand = OperandKind::column;
    c.operand_column = operand;
  }
  c.text = c.column + " " + op_text(c.op) + " " + operand;
  return c;
}

void check_constraints(const Config& config, const std::string& key, const std::vector<Constraint>& constraints,
                       const TableMeta& table, const TableMeta* parent) {
  for (const Constraint& c : constraints) {
    check_numeric_column(config, key, table, c.column, c.text);
    if (c.operand == OperandKind::column) check_numeric_column(config, key, table, c.operand_column, c.text);
    if (c.operand == OperandKind::parent_column) {
      if (!parent) config.reject(key, "parent.COLUMN only in a table with a parent (constraint '" + c.text + "')");
      check_numeric_column(config, key, *parent, c.operand_column, c.text);
    }
  }
}

bool constraint_holds(ConstraintOp op, double lhs, double rhs) {
  switch (op) {
    case ConstraintOp::le: return lhs <= rhs;
    case ConstraintOp::lt: return lhs < rhs;
    case ConstraintOp::ge: return lhs >= rhs;
    case ConstraintOp::gt: return lhs > rhs;
  }
  return true;
}

double repaired_value(ConstraintOp op, double rhs, bool integral) {
  switch (op) {
    case ConstraintOp::le:
    case ConstraintOp::ge: return integral ? (op == ConstraintOp::le ? std::floor(rhs) : std::ceil(rhs)) : rhs;
    case ConstraintOp::lt: return integral ? std::ceil(rhs) - 1.0 : std::nextafter(rhs, -HUGE_VAL);
    case ConstraintOp::gt: return integral ? std::floor(rhs) + 1.0 : std::nextafter(rhs, HUGE_VAL);
  }
  return rhs;
}

double value_as_double(const ColumnValues& column, ColumnType type, size_t r) {
  if (column.missing[r]) return std::numeric_limits<double>::quiet_NaN();
  return stored_as_double(type) ? column.f64[r] : static_cast<double>(column.i64[r]);
}

std::vector<double> column_as_double(const TableShard& shard, const TableMeta& meta, const std::string& column) {
  const int c = meta.column_index(column);
  SC_EXPECTS(c >= 0, InternalError, "table " + meta.name + " has no column " + column);
  const ColumnValues& values = shard.columns[static_cast<size_t>(c)];
  std::vector<double> out(values.missing.size());
  for (size_t r = 0; r < out.size(); ++r) out[r] = value_as_double(values, meta.types[static_cast<size_t>(c)], r);
  return out;
}

}  // namespace sc
