// stap's operator precedence, in one place: the builder folds expression
// sequences with it and the printer decides parentheses with it.
#pragma once

#include "ast/ast.h"

namespace utap::ast {

// Binding strength, loosest first.
enum Precedence {
  kAssign = 1, kTernary, kOrOr, kAndAnd, kBitOr, kBitXor, kBitAnd, kIn, kCompare,
  kShift, kConcat, kAdditive, kMultiplicative, kUnary, kPostfix, kPrimary,
};

inline int precedenceOf(BinaryOp op) {
  switch (op) {
    case BinaryOp::Mul: case BinaryOp::Div: case BinaryOp::Mod: return kMultiplicative;
    case BinaryOp::Add: case BinaryOp::Sub: return kAdditive;
    case BinaryOp::Concat: return kConcat;
    case BinaryOp::Shl: case BinaryOp::Shr: return kShift;
    case BinaryOp::BitAnd: return kBitAnd;
    case BinaryOp::BitXor: return kBitXor;
    case BinaryOp::BitOr: return kBitOr;
    case BinaryOp::LogicalAnd: return kAndAnd;
    case BinaryOp::LogicalOr: return kOrOr;
    default: return kCompare;
  }
}

}  // namespace utap::ast
