#include "driver/dump_library.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <set>

#include "ast/printer.h"

namespace utap::driver {

namespace {

const char* typeName(ast::Type type) {
  switch (type) {
    case ast::Type::Long: return "long";
    case ast::Type::String: return "string";
    case ast::Type::Unknown: break;
  }
  return "unknown";
}

// The tags stap shows after a signature: who may call the function.
std::string privilegeTags(const ast::FunctionDecl& f) {
  std::string out;
  for (const char* tag : {"guru", "unprivileged", "myproc-unprivileged"})
    if (std::find(f.pragmas.begin(), f.pragmas.end(), tag) != f.pragmas.end()) out += fmt::format(" /* {} */", tag);
  return out;
}

std::string signature(const ast::FunctionDecl& f) {
  std::string params;
  for (const auto& p : f.params) params += fmt::format("{}{}:{}", params.empty() ? "" : ", ", p.name, typeName(p.type));
  return fmt::format("{}:{} ({}){}", f.name, typeName(f.returnType), params, privilegeTags(f));
}

// A probe point as an alias line shows it, without its condition.
std::string pointText(const ast::ProbePoint& point) {
  std::string out;
  for (const auto& c : point.components) {
    if (!out.empty()) out += '.';
    out += c.name;
    // Numbers in decimal, as stap shows them (the -p1 printer may use hex).
    if (auto* number = dynamic_cast<const ast::NumberLit*>(c.arg.get()))
      out += fmt::format("({})", number->value);
    else if (c.arg)
      out += fmt::format("({})", ast::printExpr(*c.arg));
  }
  if (point.sufficient) out += '!';
  if (point.optional) out += '?';
  return out;
}

}  // namespace

std::string dumpFunctions(const std::vector<std::unique_ptr<ast::File>>& library) {
  std::multimap<std::string, std::string> lines;  // equal names keep their order
  for (const auto& file : library)
    for (const auto& decl : file->decls)
      if (auto* f = dynamic_cast<const ast::FunctionDecl*>(decl.get()); f && !f->isPrivate && f->name[0] != '_')
        lines.emplace(f->name, signature(*f));
  std::string out;
  for (const auto& [name, line] : lines) out += line + '\n';
  return out;
}

std::string dumpProbeAliases(const std::vector<std::unique_ptr<ast::File>>& library) {
  std::multimap<std::string, std::string> lines;
  for (const auto& file : library)
    for (const auto& decl : file->decls) {
      auto* alias = dynamic_cast<const ast::AliasDecl*>(decl.get());
      if (!alias) continue;
      // "+=" (an epilogue alias) has no prologue block.
      const char* op = alias->prologue ? "=" : "+=";
      std::string points;
      for (const auto& p : alias->points) points += (points.empty() ? "" : ", ") + pointText(p);
      for (const auto& name : alias->names) {
        std::string text = pointText(name);
        lines.emplace(text, fmt::format("{} {} {}", text, op, points));
      }
    }
  std::string out;
  for (const auto& [name, line] : lines) out += line + '\n';
  return out;
}

std::string dumpProbeTypes(const probes::Registry& registry) {
  using Key = std::vector<std::pair<std::string, probes::ArgKind>>;
  std::set<Key> keys;
  for (const auto& family : registry.families())
    for (const auto& pattern : family->patterns()) {
      Key key;
      for (const auto& c : pattern.components) key.emplace_back(c.name, c.arg);
      keys.insert(std::move(key));
    }
  std::string out;
  for (const auto& key : keys) {
    probes::Pattern pattern;
    for (const auto& [name, arg] : key) pattern.components.push_back({name, arg});
    out += pattern.spelling() + '\n';
  }
  return out;
}

}  // namespace utap::driver
