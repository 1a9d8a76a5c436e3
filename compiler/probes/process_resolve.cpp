// Resolving written process(...) points: the process component (a path, a
// glob, a PID, the -c command), .library(...), and each kind of code point
// through compiler/dwarf, into ProcessPoints.
#include <fmt/format.h>
#include <fnmatch.h>
#include <glob.h>
#include <unistd.h>

#include <climits>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <set>

#include "probes/process_family.h"

namespace utap::probes {

namespace {

using Kind = ProcessPoint::Kind;

// A written string argument's column inside its literal, for errors that
// point into it: past the opening quote (escapes are rare in probe points).
SourceRange insideString(const PointArg& arg, size_t column) {
  SourceRange r = arg.range;
  r.begin.column += 1 + static_cast<int>(column);
  r.end = r.begin;
  r.end.column += 1;
  return r;
}

bool hasWildcard(std::string_view s) { return s.find_first_of("*?[") != std::string_view::npos; }

bool globMatches(const std::string& pattern, const std::string& name) {
  return fnmatch(pattern.c_str(), name.c_str(), 0) == 0;
}

// The machine of an ELF file other than x86-64's ("EM_386"), or "" for an
// x86-64 ELF file or a file that is not ELF (opening it says why).
std::string otherElfMachine(const std::string& path) {
  unsigned char h[20];
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (!f) return "";
  size_t n = std::fread(h, 1, sizeof h, f);
  std::fclose(f);
  if (n < sizeof h || h[0] != 0x7f || h[1] != 'E' || h[2] != 'L' || h[3] != 'F') return "";
  unsigned machine = h[5] == 2 ? (h[18] << 8 | h[19]) : (h[18] | h[19] << 8);  // EI_DATA: big or little endian
  if (machine == 62 && h[4] == 2) return "";                                  // EM_X86_64, ELFCLASS64
  switch (machine) {
    case 3: return "i386";
    case 62: return "x32";
    case 183: return "aarch64";
    case 40: return "arm";
    default: return fmt::format("e_machine {}", machine);
  }
}

// Resolves one written point against one matched pattern.
class PointBuilder {
 public:
  PointBuilder(const ProcessFamily& family, const Pattern& pattern, const std::vector<PointArg>& args,
               const ast::ProbePoint& written, Diagnostics& diags)
      : family_(family), pattern_(pattern), args_(args), diags_(diags),
        optional_(written.optional || written.sufficient) {}

  std::vector<std::unique_ptr<ResolvedPoint>> build() {
    // Which components the pattern has, and their arguments.
    for (size_t i = 0; i < pattern_.components.size(); ++i) at_[pattern_.components[i].name] = i;
    if (has("absolute")) return absolute();
    if (!has("function") && !has("statement") && !has("mark") && !has("plt")) return lifecycle();
    for (const std::string& processPath : processes()) {
      std::vector<std::string> modulePaths = {processPath};
      if (has("library")) modulePaths = libraries(processPath);
      for (const std::string& modulePath : modulePaths) {
        std::string error;
        auto module = family_.open(modulePath, &error);
        if (!module) {
          fail(arg(has("library") ? "library" : "process"), error);
          continue;
        }
        code(processPath, module);
      }
    }
    return std::move(out_);
  }

 private:
  bool has(const char* name) const { return at_.count(name) != 0; }
  const PointArg& arg(const char* name) const { return args_.at(at_.at(name)); }
  const std::string& text(const char* name) const { return *arg(name).string; }
  // A program or library that is not there: an optional point is skipped.
  void fail(const PointArg& where, const std::string& message) {
    if (!optional_) diags_.report(DiagKind::ProcessPoint, where.range, message);
  }

  std::unique_ptr<ProcessPoint> point(Kind kind) {
    auto p = std::make_unique<ProcessPoint>(family_, kind);
    if (arg("process").number) p->pid = arg("process").number;
    p->unnamedProcess = !arg("process").number && !arg("process").string;
    return p;
  }

  // process, process(PID), process("PATH") with begin/end/thread.*/syscall*.
  std::vector<std::unique_ptr<ResolvedPoint>> lifecycle() {
    bool thread = has("thread"), syscall = has("syscall");
    Kind kind = syscall ? (has("return") ? Kind::SyscallReturn : Kind::Syscall)
                : has("begin") ? (thread ? Kind::ThreadBegin : Kind::Begin)
                               : (thread ? Kind::ThreadEnd : Kind::End);
    if (arg("process").string) {
      for (const std::string& path : processes()) {
        auto p = point(kind);
        p->processPath = path;
        out_.push_back(std::move(p));
      }
    } else {
      auto p = point(kind);
      if (p->pid && *p->pid <= 0) {
        fail(arg("process"), fmt::format("process ID {} is not valid: it must be positive", *p->pid));
        return {};
      }
      out_.push_back(std::move(p));
    }
    return std::move(out_);
  }

  // process(PID).statement(ADDRESS).absolute: raw, unverified, no $variables.
  std::vector<std::unique_ptr<ResolvedPoint>> absolute() {
    auto p = point(Kind::Absolute);
    p->address = static_cast<uint64_t>(*arg("statement").number);
    p->spelling = fmt::format("statement({:#x}).absolute", p->address);
    out_.push_back(std::move(p));
    return std::move(out_);
  }

  // The executables the process component names: a path (a bare name is
  // searched in $PATH), a glob (no $PATH search), or a PID's executable.
  std::vector<std::string> processes() {
    const PointArg& a = arg("process");
    if (a.number) {
      std::string link = fmt::format("/proc/{}/exe", *a.number);
      char buf[PATH_MAX];
      ssize_t n = readlink(link.c_str(), buf, sizeof buf - 1);
      if (n <= 0) {
        fail(a, fmt::format("cannot find the executable of process {}: {} is not readable (is the process running?)",
                            *a.number, link));
        return {};
      }
      return {std::string(buf, static_cast<size_t>(n))};
    }
    if (!a.string) return commandProgram();
    if (hasWildcard(*a.string)) {
      std::vector<std::string> out;
      glob_t g{};
      if (glob(a.string->c_str(), 0, nullptr, &g) == 0)
        for (size_t i = 0; i < g.gl_pathc; ++i) {
          std::error_code ec;
          if (!std::filesystem::is_regular_file(g.gl_pathv[i], ec)) continue;
          std::string path = std::filesystem::canonical(g.gl_pathv[i], ec).string();
          // A pattern over library directories also matches a multilib
          // system's 32-bit files: those are left out (stap probes them;
          // utap probes x86-64 programs only), the x86-64 ones probed.
          if (std::string machine = otherElfMachine(path); !machine.empty()) {
            if (!optional_) diags_.report(DiagKind::ProcessOtherMachine, a.range, path, machine);
            continue;
          }
          out.push_back(path);
        }
      globfree(&g);
      return out;  // none matched: the point matched nothing
    }
    std::string error;
    auto path = dwarf::findExecutable(*a.string, &error);
    if (!path) {
      fail(a, error);
      return {};
    }
    return {*path};
  }

  // process.function(...) with -c CMD: CMD's program, when CMD is a plain
  // command stap's way (no shell syntax), found as the shell would.
  std::vector<std::string> commandProgram() {
    const std::string& command = family_.targetCommand();
    if (command.find_first_of("|&;<>(){}`$") != std::string::npos) {
      fail(arg("process"), fmt::format("process probes without a path take the program of -c, which must then be a "
                                       "plain command without shell syntax ('{}' is not); name the program: "
                                       "process(\"PATH\")",
                                       command));
      return {};
    }
    std::string program = command.substr(0, command.find_first_of(" \t"));
    std::string error;
    auto path = dwarf::findExecutable(program, &error);
    if (!path) {
      fail(arg("process"), "the -c command's program: " + error);
      return {};
    }
    return {*path};
  }

  // The libraries .library("NAME") names for a program: found as the
  // loader would, or, for a pattern, every library the program needs
  // (directly or through other libraries) whose path or name matches.
  std::vector<std::string> libraries(const std::string& processPath) {
    std::string error;
    auto exe = family_.open(processPath, &error);
    if (!exe) {
      fail(arg("process"), error);
      return {};
    }
    const std::string& name = text("library");
    if (!hasWildcard(name)) {
      if (auto found = dwarf::findLibrary(*exe, name)) return {*found};
      fail(arg("library"), fmt::format("cannot find library '{}' for '{}': it is not among the libraries the program "
                                       "needs nor in the loader's search path; give its full path",
                                       name, processPath));
      return {};
    }
    std::vector<std::string> matched, queue = {processPath};
    std::set<std::string> seen = {processPath};
    for (size_t i = 0; i < queue.size(); ++i) {
      auto module = family_.open(queue[i], &error);
      if (!module) continue;
      for (const std::string& needed : module->neededLibraries()) {
        auto found = dwarf::findLibrary(*exe, needed);
        if (!found || !seen.insert(*found).second) continue;
        queue.push_back(*found);
        std::string base = std::filesystem::path(*found).filename().string();
        if (globMatches(name, *found) || globMatches(name, base) || globMatches(name, needed)) matched.push_back(*found);
      }
    }
    return matched;
  }

  void code(const std::string& processPath, const std::shared_ptr<const dwarf::Module>& module) {
    processPath_ = processPath;
    module_ = module;
    if (has("mark")) return marks();
    if (has("plt")) return plts();
    if (has("statement") && arg("statement").number) return statementAddress();
    const char* component = has("function") ? "function" : "statement";
    std::string error;
    size_t column = 0;
    auto spec = dwarf::FunctionSpec::parse(text(component), &error, &column);
    if (!spec) {
      diags_.report(DiagKind::ProcessPoint, insideString(arg(component), column), error);
      return;
    }
    if (!module->hasDebugInfo() && family_.firstWithoutDebugInfo(module->path()))
      diags_.report(DiagKind::ProcessNoDebugInfo, arg(component).range, module->path(), component);
    if (has("label")) return labels(*spec);
    if (has("statement")) return statements(*spec, component);
    if (spec->lines != dwarf::FunctionSpec::Lines::None) {
      // stap 4.8 probes the function and says so.
      diags_.report(DiagKind::ProcessFunctionLine, arg("function").range);
      spec->lines = dwarf::FunctionSpec::Lines::None;
    }
    functions(*spec);
  }

  std::unique_ptr<ProcessPoint> codePoint(Kind kind) {
    auto p = point(kind);
    p->processPath = processPath_;
    p->module = module_;
    p->viaLibrary = has("library");
    return p;
  }

  std::string suffixText() const {
    std::string s;
    for (const char* name : {"call", "inline", "exported", "nearest"})
      if (has(name)) s += std::string(".") + name;
    if (has("return")) s += ".return";
    return s;
  }

  void functions(const dwarf::FunctionSpec& spec) {
    bool call = has("call"), inlined = has("inline"), exported = has("exported"), returns = has("return");
    // Only an out-of-line function has a call and a return (and can be
    // exported); stap's .call/.return/.exported list each one, including
    // split-off parts that begin with an inlined copy.
    std::vector<const dwarf::Function*> found =
        call || returns || exported ? module_->outOfLineFunctions(spec) : module_->functions(spec);
    for (const dwarf::Function* f : found) {
      if (call && f->isInlineInstance) continue;
      if (inlined && !f->isInlineInstance) continue;
      if (exported && !module_->isExported(*f)) continue;
      if (returns && f->isInlineInstance) continue;  // an inlined copy has no return to probe
      // The program's entry point never returns, and what the kernel
      // replaces with its return trampoline there is argc.
      if (returns && f->entry && f->entry == module_->entryPoint()) {
        if (spec.function.find_first_of("*?[") == std::string::npos)
          diags_.report(DiagKind::ProcessEntryPointReturn, arg("function").range, f->name);
        continue;
      }
      auto p = codePoint(Kind::Function);
      p->function = f;
      p->returns = returns;
      p->spelling = "function(" + quoted(f->probeSpelling(spec)) + ")" + suffixText();
      // A return probe hooks the entry; the rest start at stap's place and
      // may move to the entry once the body's target variables are known.
      p->address = returns || f->isInlineInstance ? f->entry : f->afterPrologue;
      if (!returns && !f->isInlineInstance) {
        if (family_.placement() == Placement::Entry)
          p->place(Placement::Entry, "--placement=entry");
        else if (family_.placement() == Placement::AfterPrologue)
          p->place(Placement::AfterPrologue, "--placement=prologue");
      }
      out_.push_back(std::move(p));
    }
  }

  // .nearest: a line without code moves to the nearest line of the same
  // function that has some, within kNearestLines of the function's lines.
  static constexpr int kNearestLines = 5;
  std::vector<dwarf::Statement> nearest(const dwarf::FunctionSpec& spec) {
    std::vector<dwarf::Statement> out;
    dwarf::FunctionSpec every = spec;
    every.lines = dwarf::FunctionSpec::Lines::Every;
    std::map<const dwarf::Function*, std::vector<dwarf::Statement>> byFunction;
    for (const dwarf::Statement& s : module_->statements(every)) byFunction[s.function].push_back(s);
    for (auto& [function, rows] : byFunction) {
      int target = spec.firstLine, best = -1;
      for (const dwarf::Statement& s : rows)
        if (best < 0 || std::abs(s.line - target) < std::abs(best - target)) best = s.line;
      if (best < 0 || std::abs(best - target) > kNearestLines) continue;
      for (const dwarf::Statement& s : rows)
        if (s.line == best) {
          out.push_back(s);
          break;
        }
    }
    return out;
  }

  void statements(const dwarf::FunctionSpec& spec, const char* component) {
    std::vector<dwarf::Statement> found = module_->statements(spec);
    if (found.empty() && has("nearest") && spec.lines == dwarf::FunctionSpec::Lines::One) found = nearest(spec);
    for (const dwarf::Statement& s : found) {
      auto p = codePoint(Kind::Statement);
      p->function = s.function;
      p->address = s.address;
      std::string name = s.function ? s.function->name : spec.function;
      p->spelling = fmt::format("{}(\"{}@{}:{}\")", component, name, s.file, s.line) + suffixText();
      out_.push_back(std::move(p));
    }
  }

  void statementAddress() {
    uint64_t address = static_cast<uint64_t>(*arg("statement").number);
    if (!module_->fileOffset(address)) {
      fail(arg("statement"), fmt::format("address {:#x} is not in a loaded segment of '{}'; give a link-time address "
                                         "as nm or objdump -d print it",
                                         address, module_->path()));
      return;
    }
    auto p = codePoint(Kind::Statement);
    p->address = address;
    p->spelling = fmt::format("statement({:#x})", address);
    out_.push_back(std::move(p));
  }

  void labels(const dwarf::FunctionSpec& spec) {
    for (const dwarf::Label& l : module_->labels(spec, text("label"))) {
      auto p = codePoint(Kind::Label);
      p->function = l.function;
      p->address = l.address;
      // stap spells the function with the label's own line.
      std::string fn = l.function ? l.function->name : spec.function;
      p->spelling = fmt::format("function(\"{}@{}:{}\").label(\"{}\")", fn, l.file, l.line, l.name);
      out_.push_back(std::move(p));
    }
    if (out_.empty() && !optional_)
      diags_.report(DiagKind::ProcessNoMatch, arg("label").range, "label", module_->path(), text("label"),
                    fmt::format(" in functions matching '{}'", text("function")));
  }

  void marks() {
    // dtrace-style names spell "__" as "-" (function-entry).
    auto normal = [](std::string s) {
      for (size_t at; (at = s.find('-')) != std::string::npos;) s.replace(at, 1, "__");
      return s;
    };
    std::string name = normal(text("mark"));
    std::string provider = has("provider") ? normal(text("provider")) : "*";
    for (const dwarf::SdtProbe& m : module_->sdtProbes()) {
      if (!globMatches(name, m.name) || !globMatches(provider, m.provider)) continue;
      auto p = codePoint(Kind::Mark);
      p->mark = &m;
      p->address = m.pc;
      p->spelling = has("provider") ? fmt::format("provider(\"{}\").mark(\"{}\")", m.provider, m.name)
                                    : fmt::format("mark(\"{}\")", m.name);
      out_.push_back(std::move(p));
    }
    if (out_.empty() && !optional_)
      diags_.report(DiagKind::ProcessNoMatch, arg("mark").range, "SDT marker", module_->path(), text("mark"),
                    module_->sdtProbes().empty() ? std::string(" (it has no .note.stapsdt markers)") : "");
  }

  void plts() {
    std::string name = arg("plt").string ? *arg("plt").string : "*";
    for (const dwarf::PltEntry& e : module_->pltEntries()) {
      // .plt.got stubs serve functions whose address is also taken; stap
      // 4.8 does not offer them, nor do we, so the same calls are counted.
      if (e.nonLazy || !globMatches(name, e.name)) continue;
      auto p = codePoint(Kind::Plt);
      p->plt = &e;
      p->returns = has("return");
      p->address = e.address;
      p->spelling = fmt::format("plt(\"{}\")", e.name) + (p->returns ? ".return" : "");
      out_.push_back(std::move(p));
    }
    if (out_.empty() && !optional_)
      diags_.report(DiagKind::ProcessNoMatch, arg("plt").range, "PLT entry", module_->path(), name,
                    module_->pltEntries().empty() ? std::string(" (it has no PLT)") : "");
  }

  const ProcessFamily& family_;
  const Pattern& pattern_;
  const std::vector<PointArg>& args_;
  Diagnostics& diags_;
  // '?' or '!': matching nothing is not an error (the caller decides).
  const bool optional_;
  std::map<std::string, size_t> at_;
  std::vector<std::unique_ptr<ResolvedPoint>> out_;
  std::string processPath_;
  std::shared_ptr<const dwarf::Module> module_;
};

}  // namespace

std::vector<std::unique_ptr<ResolvedPoint>> ProcessFamily::resolve(const Pattern& pattern,
                                                                   const std::vector<PointArg>& args,
                                                                   const ast::ProbePoint& written,
                                                                   Diagnostics& diags) const {
  return PointBuilder(*this, pattern, args, written, diags).build();
}

}  // namespace utap::probes
