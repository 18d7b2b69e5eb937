// Declared constraints: what parses and what is refused, when a comparison holds, and the value a
// broken one is moved to (the bound for <= and >=, one step inside it for < and >).
#include <gtest/gtest.h>

#include <cmath>

#include "pipeline/constraints.hpp"

namespace sc {
namespace {

Constraint parsed(const std::string& text) {
  std::string why;
  auto c = parse_constraint(text, why);
  EXPECT_TRUE(c.has_value()) << text << ": " << why;
  return c.value_or(Constraint{});
}

TEST(Constraints, ParsesTheThreeOperandKinds) {
  Constraint parent = parsed("days <= parent.futime");
  EXPECT_EQ(parent.column, "days");
  EXPECT_EQ(parent.op, ConstraintOp::le);
  EXPECT_EQ(parent.operand, OperandKind::parent_column);
  EXPECT_EQ(parent.operand_column, "futime");
  EXPECT_EQ(parent.text, "days <= parent.futime");

  Constraint literal = parsed("  value>=-1.5 ");
  EXPECT_EQ(literal.op, ConstraintOp::ge);
  EXPECT_EQ(literal.operand, OperandKind::literal);
  EXPECT_DOUBLE_EQ(literal.literal, -1.5);
  EXPECT_EQ(literal.text, "value >= -1.5");

  Constraint column = parsed("end > start");
  EXPECT_EQ(column.op, ConstraintOp::gt);
  EXPECT_EQ(column.operand, OperandKind::column);
  EXPECT_EQ(column.operand_column, "start");
  EXPECT_EQ(parsed("age < 120").op, ConstraintOp::lt);
}

TEST(Constraints, RefusesWhatIsNotAComparison) {
  for (const char* bad : {"days", "days == futime", "days <= ", "<= futime", "days <= a b", "days => 3", ""}) {
    std::string why;
    EXPECT_FALSE(parse_constraint(bad, why).has_value()) << bad;
    EXPECT_NE(why.find("column OP operand"), std::string::npos) << bad;
  }
}

TEST(Constraints, HoldsAndRepairs) {
  EXPECT_TRUE(constraint_holds(ConstraintOp::le, 5, 5));
  EXPECT_FALSE(constraint_holds(ConstraintOp::lt, 5, 5));
  EXPECT_TRUE(constraint_holds(ConstraintOp::ge, 5, 5));
  EXPECT_FALSE(constraint_holds(ConstraintOp::gt, 5, 5));
  // Integer columns: the bound, or one day inside it; the repaired value satisfies the relation.
  EXPECT_EQ(repaired_value(ConstraintOp::le, 100, true), 100);
  EXPECT_EQ(repaired_value(ConstraintOp::lt, 100, true), 99);
  EXPECT_EQ(repaired_value(ConstraintOp::ge, 100, true), 100);
  EXPECT_EQ(repaired_value(ConstraintOp::gt, 100, true), 101);
  EXPECT_EQ(repaired_value(ConstraintOp::le, 2.5, true), 2);
  EXPECT_EQ(repaired_value(ConstraintOp::ge, 2.5, true), 3);
  EXPECT_EQ(repaired_value(ConstraintOp::lt, 2.5, true), 2);
  // Reals: one ulp inside a strict bound.
  EXPECT_LT(repaired_value(ConstraintOp::lt, 2.5, false), 2.5);
  EXPECT_GT(repaired_value(ConstraintOp::gt, 2.5, false), 2.5);
  EXPECT_EQ(repaired_value(ConstraintOp::le, 2.5, false), 2.5);
  for (auto op : {ConstraintOp::le, ConstraintOp::lt, ConstraintOp::ge, ConstraintOp::gt})
    for (double rhs : {-3.0, 0.0, 7.25})
      for (bool integral : {true, false}) EXPECT_TRUE(constraint_holds(op, repaired_value(op, rhs, integral), rhs));
}

}  // namespace
}  // namespace sc
