#include "parse/ast_builder.h"

#include "parse/builder.h"

namespace utap::parse {

namespace build {

SourceRange Builder::range(antlr4::ParserRuleContext* ctx) const {
  SourceRange r = range(ctx->getStart());
  if (ctx->getStop() && ctx->getStop()->getTokenIndex() >= ctx->getStart()->getTokenIndex())
    r = SourceRange::spanning(r, range(ctx->getStop()));
  return r;
}

void Builder::guard() {
  if (stackExhausted()) throw TooDeep();
}

int64_t Builder::number(antlr4::Token* t, bool negative) {
  const std::string& text = tokens_[t->getTokenIndex()].text;
  NumberResult r = decodeNumber(text);
  if (r.tooLarge) {
    diags_.report(DiagKind::NumberTooLarge, range(t), text);
    return 0;
  }
  if (!r.value) {
    diags_.report(DiagKind::InvalidNumber, range(t), text, r.problem);
    return 0;
  }
  return negative ? static_cast<int64_t>(0 - static_cast<uint64_t>(*r.value)) : *r.value;
}

std::unique_ptr<StringLit> Builder::string(UtapParser::StringLitContext* ctx) {
  auto s = make<StringLit>(ctx);
  for (auto* t : ctx->parts) s->value += decodeString(tokens_[t->getTokenIndex()].text);
  return s;
}

ExprPtr Builder::literal(UtapParser::LiteralContext* ctx) {
  if (ctx->str) return string(ctx->str);
  auto n = make<NumberLit>(ctx);
  size_t sign = ctx->sign ? ctx->sign->getType() : 0;
  n->value = number(ctx->num, sign == UtapLexer::MINUS || sign == UtapLexer::NEG);
  return n;
}

}  // namespace build

DeclarationBuilder::DeclarationBuilder(const Tokens& tokens, FileId file, const SourceManager& sources,
                                       Diagnostics& diags, bool guru)
    : file_(std::make_unique<ast::File>()), builder_(std::make_unique<build::Builder>(tokens, sources, diags, guru)) {
  file_->id = file;
  file_->name = sources.path(file);
}

DeclarationBuilder::~DeclarationBuilder() = default;

void DeclarationBuilder::add(antlr4::ParserRuleContext* declaration) {
  builder_->add(static_cast<build::UtapParser::DeclarationContext*>(declaration), *file_);
}

std::unique_ptr<ast::File> buildAst(antlr4::ParserRuleContext* script, const Tokens& tokens, FileId file,
                                    const SourceManager& sources, Diagnostics& diags, bool guru) {
  DeclarationBuilder builder(tokens, file, sources, diags, guru);
  for (auto* d : static_cast<build::UtapParser::ScriptContext*>(script)->decls) builder.add(d);
  return builder.finish();
}

}  // namespace utap::parse
