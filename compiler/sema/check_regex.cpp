// A step of pass 2: every regex of `=~` and `!~` compiles (stap reports a
// bad one in pass 2 too). The error points at the offending character when
// the literal is written on one line without escapes; otherwise at the
// literal, with the byte position in the message.
#include <algorithm>

#include "ast/visitor.h"
#include "regex/regex.h"
#include "sema/context.h"

namespace utap::sema {

namespace {

class RegexChecker : public ast::Visitor {
 public:
  explicit RegexChecker(Context& ctx) : ctx_(ctx) {}

  void visit(ast::BinaryExpr& n) override {
    Visitor::visit(n);
    if (n.op != ast::BinaryOp::Match && n.op != ast::BinaryOp::NoMatch) return;
    auto* lit = dynamic_cast<ast::StringLit*>(n.rhs.get());
    if (!lit) return;  // pass 1 said so
    regex::Compiled c = regex::compile(lit->value);
    if (c.error) ctx_.diags.report(DiagKind::BadRegex, at(*lit, c.error->position), c.error->position, c.error->message);
  }

 private:
  // The character `position` of the literal, when the source shows it as is.
  SourceRange at(const ast::StringLit& lit, size_t position) const {
    SourceRange r = lit.range;
    const SourceLoc& b = r.begin;
    if (!b.valid() || r.expansion != 0 || r.end.line != b.line) return r;
    std::string_view line = ctx_.sources.lineText(b.file, b.line);
    bool ascii = std::all_of(line.begin(), line.end(), [](char ch) { return static_cast<unsigned char>(ch) < 0x80; });
    size_t open = b.column - 1;
    if (!ascii || open >= line.size() || line[open] != '"') return r;
    if (line.substr(open + 1, lit.value.size()) != lit.value || line.substr(open + 1 + lit.value.size(), 1) != "\"")
      return r;  // escapes: source columns are not byte positions
    SourceRange one = r;
    one.begin.column = static_cast<uint32_t>(open + 2 + std::min(position, lit.value.size()));
    one.end = one.begin;
    return one;
  }

  Context& ctx_;
};

}  // namespace

void checkRegexes(Context& ctx) {
  RegexChecker checker(ctx);
  for (auto& p : ctx.program.probes) p->body->accept(checker);
  for (auto& f : ctx.program.functions)
    if (f->used && f->decl->body) f->decl->body->accept(checker);
}

}  // namespace utap::sema
