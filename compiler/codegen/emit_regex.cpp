// Regex matches: the tables of compiled regexes, and `=~` / `!~` in a body.
#include <fmt/format.h>

#include "codegen/body_emitter.h"
#include "codegen/c_writer.h"
#include "codegen/regex_table.h"

namespace utap::codegen {

namespace {

// A C character constant for byte `b`.
std::string cChar(uint8_t b) {
  if (b >= 0x20 && b < 0x7f && b != '\'' && b != '\\') return fmt::format("'{}'", static_cast<char>(b));
  if (b == '\'' || b == '\\') return fmt::format("'\\{}'", static_cast<char>(b));
  return fmt::format("'\\x{:02x}'", b);
}

std::string insn(const regex::Insn& i) {
  using Op = regex::Insn::Op;
  switch (i.op) {
    case Op::Byte: return fmt::format("{{ .op = UTAP_RE_BYTE, .byte = {} }},", cChar(i.byte));
    case Op::Class: return fmt::format("{{ .op = UTAP_RE_CLASS, .x = {} }},", i.x);
    case Op::Any: return "{ .op = UTAP_RE_ANY },";
    case Op::Split: return fmt::format("{{ .op = UTAP_RE_SPLIT, .x = {}, .y = {} }},", i.x, i.y);
    case Op::Jump: return fmt::format("{{ .op = UTAP_RE_JUMP, .x = {} }},", i.x);
    case Op::Save: return fmt::format("{{ .op = UTAP_RE_SAVE, .x = {} }},", i.x);
    case Op::LineStart: return "{ .op = UTAP_RE_LINE_START },";
    case Op::LineEnd: return "{ .op = UTAP_RE_LINE_END },";
    case Op::Match: return "{ .op = UTAP_RE_MATCH },";
  }
  return "";
}

}  // namespace

std::string RegexTables::use(const std::string& pattern) {
  for (const Table& t : tables_)
    if (t.pattern == pattern) return t.name;
  regex::Compiled c = regex::compile(pattern);
  if (!c.program) return "";
  std::string name = "regex_" + std::to_string(tables_.size());
  tables_.push_back({pattern, name, std::move(*c.program)});
  return name;
}

std::string RegexTables::definitions() const {
  CWriter w;
  for (const Table& t : tables_) {
    const regex::Program& p = t.program;
    if (&t != &tables_.front()) w.blank();
    w.line("/* regex " + cString(t.pattern) + " */");
    w.open("static const struct utap_regex_insn " + t.name + "_insns[] =");
    for (size_t i = 0; i < p.insns.size(); ++i) w.line(fmt::format("{}\t/* {} */", insn(p.insns[i]), i));
    w.close(";");
    if (!p.classes.empty()) {
      w.open("static const uint8_t " + t.name + "_classes[][32] =");
      for (const regex::ByteSet& s : p.classes) {
        std::string bytes;
        for (unsigned i = 0; i < 32; ++i)
          bytes += fmt::format("{}0x{:02x}", i ? ", " : "", static_cast<unsigned>((s[i / 8] >> (8 * (i % 8))) & 0xff));
        w.line("{ " + bytes + " },");
      }
      w.close(";");
    }
    w.open("static const struct utap_regex " + t.name + " =");
    w.line(".pattern = " + cString(t.pattern) + ",");
    w.line(".insns = " + t.name + "_insns,");
    if (!p.classes.empty()) w.line(".classes = " + t.name + "_classes,");
    w.line(".ninsns = ARRAY_SIZE(" + t.name + "_insns),");
    w.line(fmt::format(".nthreads = {},", p.threads()));
    w.line(fmt::format(".ngroups = {},", p.groups));
    if (p.anchored) w.line(".anchored = true,");
    w.close(";");
  }
  return w.take();
}

std::string RegexTables::workSize() const {
  const Table* largest = nullptr;
  for (const Table& t : tables_)
    if (!largest || t.program.workSize() > largest->program.workSize()) largest = &t;
  if (!largest) return "0";
  const regex::Program& p = largest->program;
  return fmt::format("UTAP_REGEX_WORK_SIZE({}, {}, {})", p.insns.size(), p.threads(), p.groups);
}

// The match records itself in the context for matched(); its only error is
// a frames area too small for the regex's scratch, which pass 3 prevents.
std::string BodyEmitter::regexMatch(const ast::BinaryExpr& n) {
  auto* lit = dynamic_cast<const ast::StringLit*>(n.rhs.get());
  std::string table = lit ? regexes_.use(lit->value) : "";
  if (table.empty()) return unsupported(n, "this regular expression");
  std::string call = "utap_regex_match(c, &" + table + ", " + expr(*n.lhs) + ")";
  std::string value = checked(call, "int64_t", nearOperator(ast::spelling(n.op), *n.lhs, n));
  return n.op == ast::BinaryOp::NoMatch ? "(int64_t)!" + value : value;
}

}  // namespace utap::codegen
