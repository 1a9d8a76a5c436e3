// Arrays and statistics: element reads and writes through the runtime's
// maps (utap/map.h), `<<<` and the @ operators (utap/stat.h), membership,
// delete, and foreach in insertion or sorted order.
#include <fmt/format.h>

#include "codegen/body_emitter.h"

namespace utap::codegen {

using sema::Type;

namespace {

const char* statOp(ast::StatOp op) {
  switch (op) {
    case ast::StatOp::Count: return "UTAP_STAT_COUNT";
    case ast::StatOp::Sum: return "UTAP_STAT_SUM";
    case ast::StatOp::Min: return "UTAP_STAT_MIN";
    case ast::StatOp::Max: return "UTAP_STAT_MAX";
    case ast::StatOp::Avg: return "UTAP_STAT_AVG";
    case ast::StatOp::Variance: return "UTAP_STAT_VARIANCE";
    default: return "UTAP_STAT_COUNT";
  }
}

}  // namespace

// "struct utap_key __kN[] = { ... };" for the keys of an access to `v`, with
// the bit mask of the keys given (a null key is '*').
std::string BodyEmitter::keys(const sema::Variable& v, const std::vector<ast::ExprPtr>& keys, std::string& name,
                              unsigned& mask) {
  name = "__key" + std::to_string(labels_++);  // not __kN: gcc defines __k8 for some -march
  std::string code = "struct utap_key " + name + "[" + std::to_string(std::max<size_t>(keys.size(), 1)) + "] = { ";
  mask = 0;
  for (size_t i = 0; i < keys.size(); ++i) {
    if (!keys[i]) {
      code += "{ 0 }, ";
      continue;
    }
    mask |= 1u << i;
    bool isString = i < v.keyTypes.size() && v.keyTypes[i] == Type::String;
    code += isString ? "{ .s = " + expr(*keys[i]) + " }, " : "{ .n = " + expr(*keys[i]) + " }, ";
  }
  return code + "}; ";
}

std::string BodyEmitter::overflowCheck(const std::string& call, const std::string& map, const ast::Node& n) {
  return "if (unlikely(" + call + " < 0)) { utap_map_overflow_error(c, &" + map + "); utap_error_near(c, " +
         near("identifier '" + std::string(variableNameOf(n)) + "'", n) + "); goto " + errorLabel() + "; } ";
}

std::string BodyEmitter::variableNameOf(const ast::Node& n) const {
  if (auto* i = dynamic_cast<const ast::IndexExpr*>(&n))
    if (const sema::Variable* v = variableOf(*i->base)) return v->name;
  if (auto* s = dynamic_cast<const ast::Symbol*>(&n)) return s->name;
  return "array";
}

std::string BodyEmitter::indexRead(const ast::IndexExpr& n) {
  const sema::Variable* v = variableOf(*n.base);
  if (auto* hist = dynamic_cast<const ast::StatExpr*>(n.base.get())) {
    std::string data = statData(*hist);
    if (data.empty() || n.keys.size() != 1 || !n.keys[0]) return unsupported(n, "this histogram access");
    return checked("utap_stat_bucket(c, " + histOf(*hist) + ", " + data + ", " + expr(*n.keys[0]) + ")", "int64_t",
                   near("operator '" + std::string(ast::spelling(hist->op)) + "'", n));
  }
  if (!v || v->kind != sema::Variable::Kind::Global) return unsupported(n, "this array access");
  std::string map = storage(*v), k;
  unsigned mask;
  std::string prologue = keys(*v, n.keys, k, mask);
  if (v->type == Type::String) {
    std::string t = frame_.stringTemp();
    return "({ " + prologue + "utap_string_copy(" + t + ", utap_map_get_str(&" + map + ", " + k + ")); (const char *)" +
           t + "; })";
  }
  return "({ " + prologue + "utap_map_get_long(&" + map + ", " + k + "); })";
}

std::string BodyEmitter::indexAssign(const ast::AssignExpr& n, const ast::IndexExpr& target) {
  using Op = ast::AssignOp;
  const sema::Variable* v = variableOf(*target.base);
  if (!v || v->kind != sema::Variable::Kind::Global) return unsupported(n, "this array assignment");
  std::string map = storage(*v), k;
  unsigned mask;
  std::string value = expr(*n.rhs);
  std::string prologue = keys(*v, target.keys, k, mask);
  if (n.op == Op::Aggregate)
    return "({ int64_t __x = " + value + "; " + prologue +
           overflowCheck("utap_map_stat_add(&" + map + ", " + k + ", __x)", map, target) + "0; })";
  if (v->type == Type::String) {
    std::string t = frame_.stringTemp();
    std::string compute = n.op == Op::Concat ? "utap_string_copy(" + t + ", utap_map_get_str(&" + map + ", " + k +
                                                   ")); utap_string_concat(" + t + ", __x); "
                                             : "utap_string_copy(" + t + ", __x); ";
    return "({ const char *__x = " + value + "; " + prologue + compute +
           overflowCheck("utap_map_set_str(&" + map + ", " + k + ", " + t + ")", map, target) + "(const char *)" + t +
           "; })";
  }
  if (n.op == Op::Assign)
    return "({ int64_t __x = " + value + "; " + prologue +
           overflowCheck("utap_map_set_long(&" + map + ", " + k + ", __x)", map, target) + "__x; })";
  if (n.op == Op::Add || n.op == Op::Sub)
    return "({ int64_t __x = " + value + ", __r; " + prologue +
           overflowCheck(
               "utap_map_add_long(&" + map + ", " + k + ", " + (n.op == Op::Sub ? "utap_neg(__x)" : "__x") + ", &__r)",
               map, target) +
           "__r; })";
  // Other compound assignments: read, compute, write.
  std::string op = ast::spelling(n.op);
  op.pop_back();
  std::string compute;
  if (n.op == Op::Mul)
    compute = "utap_mul(__o, __x)";
  else if (n.op == Op::Div || n.op == Op::Mod)
    compute = checked(std::string(n.op == Op::Div ? "utap_div" : "utap_mod") + "(c, __o, __x)", "int64_t",
                      near("operator '" + op + "='", n));
  else if (n.op == Op::Shl)
    compute = "utap_shl(__o, __x)";
  else if (n.op == Op::Shr)
    compute = "utap_shr(__o, __x)";
  else
    compute = "(int64_t)(__o " + op + " __x)";
  return "({ int64_t __x = " + value + "; " + prologue + "int64_t __o = utap_map_get_long(&" + map + ", " + k +
         "); int64_t __r = " + compute + "; " +
         overflowCheck("utap_map_set_long(&" + map + ", " + k + ", __r)", map, target) + "__r; })";
}

std::string BodyEmitter::indexIncDec(const ast::IncDecExpr& n, const ast::IndexExpr& target) {
  const sema::Variable* v = variableOf(*target.base);
  if (!v || v->kind != sema::Variable::Kind::Global) return unsupported(n, "this array update");
  std::string map = storage(*v), k;
  unsigned mask;
  std::string prologue = keys(*v, target.keys, k, mask);
  std::string delta = n.increment ? "1" : "-1";
  std::string result = n.prefix ? "__r" : "utap_sub(__r, " + delta + ")";
  return "({ int64_t __r; " + prologue +
         overflowCheck("utap_map_add_long(&" + map + ", " + k + ", " + delta + ", &__r)", map, target) + result +
         "; })";
}

std::string BodyEmitter::inExpr(const ast::InExpr& n) {
  const sema::Variable* v = variableOf(*n.array);
  if (!v) return unsupported(n, "this membership test");
  std::string map = storage(*v), k;
  unsigned mask;
  std::string prologue = keys(*v, n.keys, k, mask);
  if (mask == (1u << n.keys.size()) - 1)
    return "({ " + prologue + "(int64_t)utap_map_exists(&" + map + ", " + k + "); })";
  // With '*': is any element in the slice? (The walk stops at the first; a
  // limit would count the elements outside the slice too.)
  return "({ " + prologue + "struct utap_map_iter __it; utap_map_iter_start(&__it, &" + map + ", " + k + ", " +
         std::to_string(mask) + ", UTAP_MAP_NO_LIMIT); (int64_t)(utap_map_iter_next(&__it) != NULL); })";
}

// The merged data of a statistic operand (a scalar or an element), or "".
std::string BodyEmitter::statData(const ast::StatExpr& n) {
  if (const sema::Variable* v = variableOf(*n.operand)) return "utap_stat_get(&" + storage(*v) + ")";
  if (auto* index = dynamic_cast<const ast::IndexExpr*>(n.operand.get()))
    if (const sema::Variable* v = variableOf(*index->base)) {
      std::string k;
      unsigned mask;
      std::string prologue = keys(*v, index->keys, k, mask);
      return "({ " + prologue + "utap_map_get_stat(&" + storage(*v) + ", " + k + "); })";
    }
  return "";
}

std::string BodyEmitter::histOf(const ast::StatExpr& n) {
  if (const sema::Variable* v = variableOf(*n.operand)) return "utap_stat_hist(&" + storage(*v) + ")";
  if (auto* index = dynamic_cast<const ast::IndexExpr*>(n.operand.get()))
    if (const sema::Variable* v = variableOf(*index->base)) return "utap_map_hist(&" + storage(*v) + ")";
  return "NULL";
}

std::string BodyEmitter::statExpr(const ast::StatExpr& n) {
  std::string data = statData(n);
  if (data.empty()) return unsupported(n, "this statistic");
  if (n.op == ast::StatOp::HistLog || n.op == ast::StatOp::HistLinear)
    return unsupported(n, "a histogram outside print");
  return checked("utap_stat_extract(c, " + data + ", " + statOp(n.op) + ")", "int64_t",
                 near("operator '" + std::string(ast::spelling(n.op)) + "'", n));
}

std::string BodyEmitter::aggregate(const ast::AssignExpr& n) {
  if (auto* index = dynamic_cast<const ast::IndexExpr*>(n.lhs.get())) return indexAssign(n, *index);
  const sema::Variable* v = variableOf(*n.lhs);
  if (!v) return unsupported(n, "'<<<'");
  return "({ utap_stat_add(&" + storage(*v) + ", " + expr(*n.rhs) + "); 0; })";
}

// print(@hist_log(s)): the ASCII graph, straight into the output.
std::string BodyEmitter::printHistogram(const ast::StatExpr& n, const std::string& sink) {
  std::string data = statData(n);
  if (data.empty()) return unsupported(n, "this histogram");
  return "utap_print_hist(c, " + sink + ", " + histOf(n) + ", " + data + "); ";
}

// Keys evaluated once into the frame, for a loop that reads them at every
// step: "l->NAME" (an array of struct utap_key); '*' keys are left out of
// `mask`.
std::string BodyEmitter::frameKeys(const sema::Variable& v, const std::vector<ast::ExprPtr>& keys,
                                   const std::string& name, unsigned& mask) {
  frame_.add("struct utap_key", name + "[" + std::to_string(keys.size()) + "]");
  std::string array = "l->" + name;
  mask = 0;
  for (size_t i = 0; i < keys.size(); ++i) {
    if (!keys[i]) continue;
    mask |= 1u << i;
    // A string key is copied: the loop's body may change its source.
    if (v.keyTypes[i] == Type::String) {
      std::string t = frame_.stringTemp();
      out_.line("utap_string_copy(" + t + ", " + expr(*keys[i]) + ");");
      out_.line(array + "[" + std::to_string(i) + "].s = " + t + ";");
    } else {
      out_.line(array + "[" + std::to_string(i) + "].n = " + expr(*keys[i]) + ";");
    }
  }
  return array;
}

// foreach over a histogram's buckets, as stap: every bucket in index order,
// empty or not (@hist_log's 128 with bucket 64 holding 0, a linear one's
// under- and overflow buckets too), the limit counting buckets; a sort
// suffix is accepted and has no effect. For the value form, a scalar is
// merged once, at the start, into its merge buffer, which the body's own
// reads of it refresh (as stap's); an array element's bucket is summed over
// the CPUs at each step, since reading another element of the array in the
// body would reuse the array's one merge buffer.
void BodyEmitter::histogramForeach(const ast::ForeachStmt& n, const ast::StatExpr& hist) {
  int id = labels_++;
  std::string bucket = "l->" + frame_.add("int64_t", "bucket" + std::to_string(id));
  std::string left = "l->" + frame_.add("int64_t", "left" + std::to_string(id));
  std::string count;  // the count of bucket `bucket`
  out_.line("utap_action(c, " + errorLabel() + ");");
  out_.open("");
  if (const sema::Variable* v = variableOf(*hist.operand)) {
    if (n.value) {
      std::string data = "l->" + frame_.add("const struct utap_stat_data *", "hist" + std::to_string(id));
      out_.line(data + " = utap_stat_get(&" + storage(*v) + ");");
      count = data + "->histogram[" + bucket + "]";
    }
  } else {
    auto* element = dynamic_cast<const ast::IndexExpr*>(hist.operand.get());
    const sema::Variable* a = element ? variableOf(*element->base) : nullptr;
    if (!a) {
      unsupported(n, "this histogram");
      out_.close();
      return;
    }
    unsigned mask;
    std::string keys = frameKeys(*a, element->keys, "hkey" + std::to_string(id), mask);
    count = "utap_map_hist_count(&" + storage(*a) + ", " + keys + ", " + bucket + ")";
  }
  out_.line(left + " = " + (n.limit ? expr(*n.limit) : "UTAP_MAP_NO_LIMIT") + ";");
  out_.open(fmt::format("for ({0} = 0; {0} < {1}->buckets && {2} > 0; {0}++, {2}--)", bucket, histOf(hist), left));
  for (const auto& k : n.keys)
    if (const sema::Variable* var = variableOf(*k.var)) out_.line(storage(*var) + " = " + bucket + ";");
  if (n.value)
    if (const sema::Variable* val = variableOf(*n.value)) out_.line(storage(*val) + " = " + count + ";");
  loopBody(*n.body, "", "");
  out_.close();
  out_.close();
}

void BodyEmitter::foreachStmt(const ast::ForeachStmt& n) {
  if (auto* hist = dynamic_cast<const ast::StatExpr*>(n.source.get())) return histogramForeach(n, *hist);
  auto* slice = dynamic_cast<const ast::IndexExpr*>(n.source.get());
  const sema::Variable* v = variableOf(slice ? *slice->base : *n.source);
  if (!v || v->kind != sema::Variable::Kind::Global) {
    unsupported(n, "this foreach");
    return;
  }
  std::string map = storage(*v);
  int id = labels_++;
  std::string it = "l->" + frame_.add("struct utap_map_iter", "iter" + std::to_string(id));
  std::string filter = "NULL";
  unsigned mask = 0;
  out_.line("utap_action(c, " + errorLabel() + ");");
  out_.open("");
  if (slice) filter = frameKeys(*v, slice->keys, "filter" + std::to_string(id), mask);
  std::string limit = n.limit ? expr(*n.limit) : "UTAP_MAP_NO_LIMIT";
  int by = -2;  // unsorted
  bool descending = false;
  for (size_t i = 0; i < n.keys.size(); ++i)
    if (n.keys[i].sort != ast::Sort::None) {
      by = static_cast<int>(i);
      descending = n.keys[i].sort == ast::Sort::Descending;
    }
  if (n.valueSort != ast::Sort::None) {
    by = -1;
    descending = n.valueSort == ast::Sort::Descending;
  }
  if (by == -2) {
    out_.line("utap_map_iter_start(&" + it.substr(0) + ", &" + map + ", " + filter + ", " + std::to_string(mask) +
              ", " + limit + ");");
  } else {
    std::string op = n.sortAggregate ? statOp(*n.sortAggregate) : "UTAP_STAT_COUNT";
    int slot = sortSlots_[v]++;
    out_.line(
        fmt::format("if (utap_map_iter_start_sorted(&{}, &{}, {}, &(const struct utap_map_order){{ .by = {}, "
                    ".op = {}, .descending = {} }}, {}, {}, {}) < 0) {{",
                    it, map, slot, by == -1 ? "UTAP_MAP_BY_VALUE" : std::to_string(by), op,
                    descending ? "true" : "false", filter, mask, limit));
    out_.line("\tutap_error(c, \"cannot sort '" + v->name + "'\");");
    out_.line("\tgoto " + errorLabel() + ";");
    out_.line("}");
  }
  out_.open("for (struct utap_map_entry *e; (e = utap_map_iter_next(&" + it + ")) != NULL;)");
  for (size_t i = 0; i < n.keys.size(); ++i) {
    const sema::Variable* k = variableOf(*n.keys[i].var);
    if (!k) continue;
    if (k->type == Type::String)
      out_.line("utap_string_copy(" + storage(*k) + ", utap_map_entry_key_str(&" + map + ", e, " + std::to_string(i) +
                "));");
    else
      out_.line(storage(*k) + " = utap_map_entry_key_long(&" + map + ", e, " + std::to_string(i) + ");");
  }
  if (n.value)
    if (const sema::Variable* val = variableOf(*n.value)) {
      if (val->type == Type::String)
        out_.line("utap_string_copy(" + storage(*val) + ", utap_map_entry_str(&" + map + ", e));");
      else
        out_.line(storage(*val) + " = utap_map_entry_long(&" + map + ", e);");
    }
  loopBody(*n.body, "", "");
  out_.close();
  out_.close();
}

void BodyEmitter::deleteStmt(const ast::DeleteStmt& n) {
  out_.line("utap_action(c, " + errorLabel() + ");");
  if (auto* index = dynamic_cast<const ast::IndexExpr*>(n.target.get())) {
    const sema::Variable* v = variableOf(*index->base);
    if (!v) {
      unsupported(n, "this delete");
      return;
    }
    std::string k;
    unsigned mask;
    std::string prologue = keys(*v, index->keys, k, mask);
    if (mask == (1u << index->keys.size()) - 1)
      out_.line("({ " + prologue + "(void)utap_map_delete(&" + storage(*v) + ", " + k + "); });");
    else
      out_.line("({ " + prologue + "(void)utap_map_delete_matching(&" + storage(*v) + ", " + k + ", " +
                std::to_string(mask) + "); });");
    return;
  }
  const sema::Variable* v = variableOf(*n.target);
  if (!v) {
    unsupported(n, "this delete");
    return;
  }
  if (v->arity > 0)
    out_.line("utap_map_clear(&" + storage(*v) + ");");
  else if (v->type == Type::Stats)
    out_.line("utap_stat_clear(&" + storage(*v) + ");");
  else if (v->type == Type::String)
    out_.line(storage(*v) + "[0] = '\\0';");
  else
    out_.line(storage(*v) + " = 0;");
}

}  // namespace utap::codegen
