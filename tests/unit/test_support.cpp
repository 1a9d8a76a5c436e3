#include "test_support.h"

#include <fstream>
#include <functional>
#include <sstream>

#include "base/stack_guard.h"

namespace utap::test {

std::string fakeKernelConfig(const std::string& name) {
  static const std::map<std::string, std::string> config = {
      {"CONFIG_MODULES", "y"},   {"CONFIG_SMP", "y"},         {"CONFIG_EXT4_FS", "m"},
      {"CONFIG_HZ", "250"},      {"CONFIG_NR_CPUS", "0x200"}, {"CONFIG_LOCALVERSION", "-debian"},
      {"CONFIG_NEGATIVE", "-5"},
  };
  auto it = config.find(name);
  return it == config.end() ? "" : it->second;
}

parse::ParseOptions defaultOptions() {
  parse::ParseOptions o;
  o.preprocessor.kernelRelease = kRelease;
  o.preprocessor.arch = "x86_64";
  o.preprocessor.kernelConfig = fakeKernelConfig;
  return o;
}

bool Parsed::has(DiagKind kind) const {
  for (const Diagnostic& d : diags->all())
    if (d.kind == kind) return true;
  return false;
}

std::string Parsed::firstMessage() const { return diags->all().empty() ? "" : diags->all().front().message; }

Parsed parseScript(const std::string& text, const parse::ParseOptions& options, const std::string& name) {
  Parsed p;
  p.sources = std::make_unique<SourceManager>();
  p.diags = std::make_unique<Diagnostics>(*p.sources);
  FileId id = p.sources->addFile(name, text);
  p.file = parse::parseFile(id, *p.sources, *p.diags, options);
  p.rendered = p.diags->renderToString();
  return p;
}

Parsed parseWithArgs(const std::string& text, std::vector<std::string> args) {
  parse::ParseOptions o = defaultOptions();
  o.preprocessor.args = std::move(args);
  return parseScript(text, o);
}

std::string dumpOf(const std::string& text, const parse::ParseOptions& options) {
  return parseScript(text, options).dump();
}

namespace {

std::string firstLine(const std::string& s) { return s.substr(0, s.find('\n')); }

}  // namespace

std::string bodyDump(const std::string& body, const parse::ParseOptions& options) {
  Parsed p = parseScript("probe begin {\n" + body + "\n}\n", options);
  if (!p.ok()) return "ERROR: " + firstLine(p.rendered);
  std::string d = ast::dumpFile(*p.file);
  const std::string head = "(probe (point begin optfalse sufffalse _) (block";
  if (d.rfind(head, 0) != 0 || d.size() < head.size() + 3) return "UNEXPECTED: " + d;
  std::string inner = d.substr(head.size(), d.size() - head.size() - 3);  // drop "))\n"
  // Split the top-level statement dumps.
  std::string out;
  int depth = 0;
  std::string cur;
  for (char c : inner) {
    if (c == ' ' && depth == 0) {
      if (!cur.empty()) out += (out.empty() ? "" : " ; ") + cur;
      cur.clear();
      continue;
    }
    if (c == '(') ++depth;
    if (c == ')') --depth;
    cur += c;
  }
  if (!cur.empty()) out += (out.empty() ? "" : " ; ") + cur;
  return out;
}

std::string exprDump(const std::string& expr, const parse::ParseOptions& options) {
  Parsed p = parseScript("probe begin {\n" + expr + "\n}\n", options);
  if (!p.ok()) return "ERROR: " + firstLine(p.rendered);
  auto* probe = dynamic_cast<ast::ProbeDecl*>(p.file->decls.at(0).get());
  if (probe && probe->body->stmts.size() == 1)
    if (auto* s = dynamic_cast<ast::ExprStmt*>(probe->body->stmts[0].get())) return ast::dumpExpr(*s->expr);
  return bodyDump(expr, options);
}

std::string rhsDump(const std::string& expr, const parse::ParseOptions& options) {
  Parsed p = parseScript("probe begin {\nr = " + expr + "\n}\n", options);
  if (!p.ok()) return "ERROR: " + firstLine(p.rendered);
  auto* probe = dynamic_cast<ast::ProbeDecl*>(p.file->decls.at(0).get());
  if (probe && probe->body->stmts.size() == 1)
    if (auto* s = dynamic_cast<ast::ExprStmt*>(probe->body->stmts[0].get()))
      if (auto* a = dynamic_cast<ast::AssignExpr*>(s->expr.get()))
        if (auto* r = dynamic_cast<ast::Symbol*>(a->lhs.get()); r && r->name == "r" && a->op == ast::AssignOp::Assign)
          return ast::dumpExpr(*a->rhs);
  return "NOT ONE ASSIGNMENT: " + bodyDump("r = " + expr, options);
}

std::string errorOf(const std::string& text, const parse::ParseOptions& options) {
  Parsed p = parseScript(text, options);
  if (p.ok() && p.errors() == 0) return "OK";
  return firstLine(p.rendered);
}

void onLargeStack(const std::function<void()>& work) { runWithLargeStack(size_t(256) << 20, work); }

Elaborated elaborateScript(const std::string& script, const sema::ElaborateOptions& options) {
  Elaborated e;
  e.sources = std::make_unique<SourceManager>();
  e.diags = std::make_unique<Diagnostics>(*e.sources);
  onLargeStack([&] {
    FileId id = e.sources->addFile("t.stp", script);
    auto file = parse::parseFile(id, *e.sources, *e.diags, options.parse);
    if (file) e.program = sema::elaborate(std::move(file), *e.sources, *e.diags, options, probes::Registry::standard());
  });
  e.rendered = e.diags->renderToString();
  return e;
}

std::string readSourceFile(const std::string& relative) {
  std::ifstream in(std::string(UTAP_SOURCE_DIR) + "/" + relative, std::ios::binary);
  std::ostringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

}  // namespace utap::test
