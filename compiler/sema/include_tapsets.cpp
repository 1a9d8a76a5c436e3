// Step 1 of pass 2: which tapset files the program needs. A library file is
// included when it publicly defines a function, global or probe alias that
// an included file uses and no included file already provides; included
// files can pull in more, until nothing changes (as stap does).
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <unordered_map>

#include "ast/visitor.h"
#include "sema/context.h"

namespace utap::sema {

namespace {

// What one file defines and what it uses, by name.
struct FileNames {
  std::unordered_set<std::string> functions, globals;  // every definition
  std::unordered_set<std::string> publicFunctions, publicGlobals;
  std::vector<const ast::ProbePoint*> aliasNames;
  std::unordered_set<std::string> calls, symbols;
  std::vector<const ast::ProbePoint*> points;  // probe and alias targets
};

class NameCollector : public ast::Visitor {
 public:
  explicit NameCollector(FileNames& names) : names_(names) {}
  using Visitor::visit;

  void visit(ast::Symbol& n) override { names_.symbols.insert(n.name); }
  void visit(ast::CallExpr& n) override {
    names_.calls.insert(n.name);
    Visitor::visit(n);
  }
  void visit(ast::ProbeDecl& n) override {
    for (auto& p : n.points) names_.points.push_back(&p);
    Visitor::visit(n);
  }
  void visit(ast::AliasDecl& n) override {
    for (auto& p : n.names) names_.aliasNames.push_back(&p);
    for (auto& p : n.points) names_.points.push_back(&p);
    visitIf(n.prologue);
    visitIf(n.epilogue);
  }
  void visit(ast::GlobalDecl& n) override {
    names_.globals.insert(n.name);
    if (!n.isPrivate) names_.publicGlobals.insert(n.name);
    visitIf(n.init);
  }
  void visit(ast::FunctionDecl& n) override {
    names_.functions.insert(n.name);
    if (!n.isPrivate) names_.publicFunctions.insert(n.name);
    Visitor::visit(n);
  }

 private:
  FileNames& names_;
};

FileNames collectNames(ast::File& file) {
  FileNames names;
  NameCollector collector(names);
  collector.visit(file);
  return names;
}

bool hasWildcard(const ast::ProbePoint& point) {
  for (const auto& c : point.components)
    if (c.name.find_first_of("*?[") != std::string::npos) return true;
  return false;
}

bool aliasMatches(const ast::ProbePoint& written, const ast::ProbePoint& alias) {
  return matchAliasName(written, alias) != 0;
}

}  // namespace

void includeTapsets(Context& ctx, std::vector<std::unique_ptr<ast::File>> library) {
  auto& files = ctx.program.files;
  std::vector<FileNames> included;
  for (auto& f : files) included.push_back(collectNames(*f));
  std::vector<FileNames> candidates;
  for (auto& f : library) candidates.push_back(collectNames(*f));

  auto providedPublicly = [&](auto member, const std::string& name) {
    for (const auto& names : included)
      if ((names.*member).count(name)) return true;
    return false;
  };
  auto pointProvided = [&](const ast::ProbePoint& point) {
    if (!ctx.registry.match(point).empty()) return true;
    for (const auto& names : included)
      for (const auto* alias : names.aliasNames)
        if (aliasMatches(point, *alias)) return true;
    return false;
  };

  // Included files are scanned in order; each newly included one is scanned
  // in turn, so a needed name is found however deep the chain.
  for (size_t scanned = 0; scanned < included.size(); ++scanned) {
    // Copy: `included` grows while we look.
    FileNames uses = included[scanned];
    auto include = [&](auto wants) {
      for (size_t i = 0; i < candidates.size(); ++i) {
        if (!library[i] || !wants(candidates[i])) continue;
        ctx.tapsetFiles.insert(library[i]->id);
        files.push_back(std::move(library[i]));
        included.push_back(std::move(candidates[i]));
      }
    };
    // Every library function of a called name comes in, even when the
    // script defines one too: same-arity functions are overloads of one
    // another (the script's run first), as in stap.
    for (const auto& name : uses.calls) include([&](const FileNames& c) { return c.publicFunctions.count(name) != 0; });
    for (const auto& name : uses.symbols) {
      if (uses.globals.count(name) || providedPublicly(&FileNames::publicGlobals, name)) continue;
      include([&](const FileNames& c) { return c.publicGlobals.count(name) != 0; });
    }
    for (const auto* point : uses.points) {
      // A wildcard takes every alias it matches, wherever it is defined.
      if (!hasWildcard(*point) && pointProvided(*point)) continue;
      include([&](const FileNames& c) {
        return std::any_of(c.aliasNames.begin(), c.aliasNames.end(),
                           [&](const ast::ProbePoint* alias) { return aliasMatches(*point, *alias); });
      });
    }
  }
  for (auto& f : files)
    for (auto& d : f->decls)
      if (auto* e = dynamic_cast<ast::EmbeddedDecl*>(d.get())) ctx.program.embedded.push_back(e);
}

std::vector<std::unique_ptr<ast::File>> loadTapsetLibrary(SourceManager& sources, Diagnostics& diags,
                                                          const ElaborateOptions& options) {
  parse::ParseOptions parseOptions = options.parse;
  parseOptions.preprocessor.guru = true;  // tapsets may use embedded C
  std::vector<std::unique_ptr<ast::File>> library;
  for (const auto& dir : options.tapsetDirs) {
    std::error_code ec;
    std::vector<std::filesystem::path> paths;
    for (auto it = std::filesystem::recursive_directory_iterator(dir, ec);
         !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec))
      if (it->path().extension() == ".stp" && it->is_regular_file(ec)) paths.push_back(it->path());
    std::sort(paths.begin(), paths.end());
    for (const auto& path : paths) {
      std::ifstream in(path, std::ios::binary);
      std::ostringstream text;
      text << in.rdbuf();
      if (!in) {
        diags.report(DiagKind::CannotReadFile, SourceRange{}, path.string(), "read error");
        continue;
      }
      FileId id = sources.addFile(path.string(), text.str());
      if (auto file = parse::parseFile(id, sources, diags, parseOptions)) library.push_back(std::move(file));
    }
  }
  return library;
}

}  // namespace utap::sema
