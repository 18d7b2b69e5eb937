// Relations the schema declares that every synthetic row must satisfy, e.g. a lab row's day offset
// no later than its person's end of follow-up (`days <= parent.futime`), a date after birth, a
// value range (`value >= 0`). Declared per table as `constraints = ...` in [table.NAME]; the
// sampler repairs a drawn value that breaks one (so synthetic rows satisfy them all), and
// evaluate reports the share of real and synthetic rows that satisfy each (real extracts break
// some: in nafld, events after the end of follow-up).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace sc {

class Config;
struct ColumnValues;
struct TableMeta;
struct TableShard;
enum class ColumnType;

enum class ConstraintOp { le, lt, ge, gt };

// The right-hand side: a number, another column of the same row, or a column of the parent row.
enum class OperandKind { literal, column, parent_column };

struct Constraint {
  std::string text;    // as declared, normalised (`days <= parent.futime`), for reports
  std::string column;  // left-hand side: a numeric or date column of the table
  ConstraintOp op = ConstraintOp::le;
  OperandKind operand = OperandKind::literal;
  std::string operand_column;  // column or parent column name
  double literal = 0.0;
};

// Parses one declared constraint; nullopt (with `why` set) when it is not of the form
// `column OP operand`, OP one of <= < >= >, operand a number, a column or parent.COLUMN.
std::optional<Constraint> parse_constraint(const std::string& text, std::string& why);

// Checks a table's constraints against its stored columns (and its parent's): the columns exist
// and hold numbers or dates, not categories or keys. Rejects `key` of `config` (a ConfigError
// naming the file and the key) where one does not.
void check_constraints(const Config& config, const std::string& key, const std::vector<Constraint>& constraints,
                       const TableMeta& table, const TableMeta* parent);

// Whether lhs OP rhs holds.
bool constraint_holds(ConstraintOp op, double lhs, double rhs);

// The value nearest to a broken lhs that satisfies lhs OP rhs: the bound itself for <= and >=,
// one step inside it for < and > (1 for integer columns, the next representable double otherwise).
// Clamping keeps the order of a family's times, which a redraw would not.
double repaired_value(ConstraintOp op, double rhs, bool integral);

// Row r of a number, date or day-offset column as a double, NaN where missing; and a whole column
// of a shard so.
double value_as_double(const ColumnValues& column, ColumnType type, size_t r);
std::vector<double> column_as_double(const TableShard& shard, const TableMeta& meta, const std::string& column);

}  // namespace sc
