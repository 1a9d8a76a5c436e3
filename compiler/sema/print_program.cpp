// The -p2 listing, in stap's layout: "# globals", "# functions", "# probes"
// with each probe's alias chain and locals; bodies with -v.
#include "ast/printer.h"
#include "ast/visitor.h"
#include "probes/process.h"
#include "sema/elaborate.h"

namespace utap::sema {

namespace {

// -p2 -v: each target expression of a probe and its recipe, in body order:
// "  $p->x:int = reg rdi; plus 4; read s32".
class TargetLister : public ast::Visitor {
 public:
  explicit TargetLister(const Program& program) : program_(program) {}
  std::string out;
  void visit(ast::TargetExpr& n) override {
    Visitor::visit(n);
    auto it = program_.targets.find(&n);
    if (it == program_.targets.end() || !it->second.value) return;
    const dwarf::TargetValue& v = *it->second.value;
    bool isString = v.kind == dwarf::TargetValue::Kind::String;
    out += "  " + ast::printExpr(n) + ":" + (v.typeName.empty() && isString ? "string" : v.typeName) + " = ";
    if (!isString) {
      out += v.value.describe() + "\n";
      return;
    }
    std::string parts;
    for (const dwarf::PrettyPart& part : v.pretty) {
      if (!parts.empty()) parts += " . ";
      static const char* const kFormats[] = {"", "signed", "unsigned", "hex", "char", "user-string"};
      if (part.format == dwarf::PrettyPart::Format::Text)
        parts += "\"" + part.text + "\"";
      else
        parts += std::string(kFormats[static_cast<int>(part.format)]) + "(" + part.value.describe() + ")";
    }
    out += parts + "\n";
  }

 private:
  const Program& program_;
};

std::string targetLines(const Program& program, const Probe& probe) {
  TargetLister lister(program);
  probe.body->accept(lister);
  return lister.out.empty() ? "" : "  # targets\n" + lister.out;
}

std::string variableLine(const Variable& v) {
  std::string s = v.name + ":" + typeName(v.type);
  if (v.arity > 0) {
    s += " [";
    for (size_t i = 0; i < v.keyTypes.size(); ++i) s += (i ? ", " : "") + std::string(typeName(v.keyTypes[i]));
    s += "]";
  }
  return s;
}

std::string pointsText(const std::vector<ast::ProbePoint>& points) {
  std::string s;
  for (const auto& p : points) s += (s.empty() ? "" : ",") + ast::printProbePoint(p);
  return s;
}

}  // namespace

std::string probeChain(const Probe& probe) {
  if (!probe.origin) return "<- " + probe.point->text() + " (" + probe.synthesizedFor + ")";
  std::string s;
  for (const auto* alias : probe.aliases)
    s += "<- " + pointsText(alias->names) + (alias->prologue ? " = " : " += ") + pointsText(alias->points) + " ";
  return s + "<- " + pointsText(probe.origin->points);
}

std::string printProgram(const Program& program, bool verbose) {
  std::string out;
  if (!program.globals.empty()) {
    out += "# globals\n";
    for (const auto& g : program.globals) {
      out += variableLine(*g);
      if (verbose && g->global->init) out += " = " + ast::printExpr(*g->global->init);
      out += '\n';
    }
  }
  if (!program.functions.empty()) {
    out += "# functions\n";
    for (const auto& f : program.functions) {
      out += f->decl->name + ":" + typeName(f->returnType) + " (";
      for (size_t i = 0; i < f->params.size(); ++i) out += (i ? ", " : "") + variableLine(*f->params[i]);
      out += ")\n";
      if (!f->locals.empty()) {
        out += "  # locals\n";
        for (const auto& l : f->locals) out += "  " + variableLine(*l) + "\n";
      }
      if (verbose) {
        if (f->decl->embedded)
          out += "%{" + *f->decl->embedded + "%}\n";
        else
          out += ast::printStmt(*f->decl->body);
      }
    }
  }
  out += "# probes\n";
  for (const auto& p : program.probes) {
    out += p->point->text();
    if (auto* process = dynamic_cast<const probes::ProcessPoint*>(p->point.get()); process && process->module)
      out += " /* " + process->annotation() + " */";
    out += " /* " + probeChain(*p) + " */\n";
    if (!p->locals.empty()) {
      out += "  # locals\n";
      for (const auto& l : p->locals) out += "  " + variableLine(*l) + "\n";
    }
    if (verbose) {
      out += ast::printStmt(*p->body);
      out += targetLines(program, *p);
    }
  }
  return out;
}

}  // namespace utap::sema
