// utap: the command. Parses options, runs the passes up to -p, and reports.
#include <fmt/format.h>
#include <malloc.h>
#include <sys/resource.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include "ast/printer.h"
#include "base/diagnostics.h"
#include "base/stack_guard.h"
#include "codegen/translate.h"
#include "driver/data_dirs.h"
#include "driver/dump_library.h"
#include "driver/later_passes.h"
#include "driver/list_probes.h"
#include "driver/options.h"
#include "driver/target_kernel.h"
#include "parse/parser.h"
#include "probes/provider.h"
#include "run/output_files.h"
#include "sema/context.h"
#include "sema/elaborate.h"

#ifndef UTAP_VERSION
#define UTAP_VERSION "0.1"
#endif

namespace utap::driver {

namespace {

constexpr size_t kFrontEndStack = size_t(256) << 20;

bool readAll(std::istream& in, std::string& out) {
  std::ostringstream buffer;
  buffer << in.rdbuf();
  out = buffer.str();
  return !in.bad();
}

// Loads the public macros of every .stpm file in the tapset directories.
void loadLibraryMacros(const std::vector<std::string>& dirs, SourceManager& sources, Diagnostics& diags,
                       const parse::ParseOptions& parseOptions, parse::MacroTable& library) {
  for (const auto& dir : dirs) {
    std::error_code ec;
    std::vector<std::filesystem::path> files;
    for (auto it = std::filesystem::recursive_directory_iterator(dir, ec);
         !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec))
      if (it->path().extension() == ".stpm") files.push_back(it->path());
    std::sort(files.begin(), files.end());
    for (const auto& path : files) {
      std::ifstream in(path);
      std::string text;
      if (!readAll(in, text)) continue;
      FileId id = sources.addFile(path.string(), std::move(text));
      parse::parseMacroFile(id, sources, diags, parseOptions, library);
    }
  }
}

// What the three --dump options print; errors (a tapset that does not parse)
// go to diags.
std::string dumpLibrary(Dump dump, const std::vector<std::string>& dirs, SourceManager& sources, Diagnostics& diags,
                        const parse::ParseOptions& parseOptions) {
  if (dump == Dump::ProbeTypes) {
    // With -c, process points need no path (process.function("main")): list
    // those too, as stap does.
    probes::ProviderOptions withCommand;
    withCommand.targetCommand = "CMD";
    return dumpProbeTypes(probes::Registry::standard(withCommand));
  }
  sema::ElaborateOptions options;
  options.tapsetDirs = dirs;
  options.parse = parseOptions;
  auto library = sema::loadTapsetLibrary(sources, diags, options);
  return dump == Dump::Functions ? dumpFunctions(library) : dumpProbeAliases(library);
}

// The result of -p1 to -p3 and of the listings: to -o FILE or standard output.
int writeOutput(const Options& o, const std::string& printed) {
  if (o.outputFile.empty()) {
    std::fwrite(printed.data(), 1, printed.size(), stdout);
    return 0;
  }
  std::ofstream out(o.outputFile, std::ios::binary);
  out << printed;
  if (!out) {
    fmt::print(stderr, "utap: error: cannot write '{}': {}\n", o.outputFile, std::strerror(errno));
    return 1;
  }
  return 0;
}

int run(int argc, char** argv) {
  PassTimer timer;
  std::string passFigures[4];  // -v: what passes 1-3 cost, measured as each ends
  ParsedOptions parsed = parseOptions(argc, argv);
  Options o = parsed.options;
  if (!o.outputLimits.empty()) {
    run::OutputLimits limits;
    std::string error;
    if (!run::parseOutputLimits(o.outputLimits, limits, error))
      parsed.errors.push_back(error);
    else if (o.outputFile.empty())
      parsed.errors.push_back("-S limits the output files' size: give the files' name with -o FILE");
  }
  for (const auto& e : parsed.errors) fmt::print(stderr, "utap: error: {}\n", e);
  if (!parsed.errors.empty()) return 1;
  if (!o.listPattern.empty()) o.lastPass = 2;  // -l/-L: pass 2 of one empty probe
  if (o.help) {
    std::fputs(usageText(), stdout);
    return 0;
  }
  if (o.version) {
    fmt::print("utap {} (SystemTap {} language)\n", UTAP_VERSION, o.compatVersion);
    if (o.verbose) fmt::print("tapsets: {}\nruntime: {}\n", tapsetDir(), runtimeDir());
    return 0;
  }

  if (!o.buildDeferred.empty()) return buildDeferred(o);

  SourceManager sources;
  Diagnostics diags(sources);

  std::string text;
  std::string name;
  if (o.dump != Dump::None) {
    name = "<input>";  // nothing to parse but the library
  } else if (!o.listPattern.empty()) {
    text = listingScript(o.listPattern);
    name = "<input>";
  } else if (o.scriptText) {
    text = *o.scriptText;
    name = "<input>";
  } else if (o.scriptFile == "-") {
    readAll(std::cin, text);
    name = "<stdin>";
  } else {
    std::ifstream in(o.scriptFile, std::ios::binary);
    std::error_code ec;
    if (!in || std::filesystem::is_directory(o.scriptFile, ec) || !readAll(in, text)) {
      fmt::print(stderr, "utap: error: cannot read script '{}': {}\n", o.scriptFile,
                 std::filesystem::is_directory(o.scriptFile, ec) ? "it is a directory" : std::strerror(errno));
      return 1;
    }
    name = o.scriptFile;
  }

  TargetKernel kernel(o.kernel);
  parse::ParseOptions parseOptions;
  parse::PreprocessorConfig& pp = parseOptions.preprocessor;
  pp.args = o.args;
  pp.kernelRelease = kernel.release();
  pp.arch = TargetKernel::arch();
  pp.compatVersion = o.compatVersion;
  pp.privilege = o.privilege;
  pp.guru = o.guru;
  pp.kernelConfig = [&kernel](const std::string& option) { return kernel.config(option); };

  // With -p1 and -p2 the process ends right after printing: leave the
  // parse trees to the kernel.
  parseOptions.freeParseTree = o.lastPass > 2;
  parse::MacroTable library;
  std::string printed;
  bool tooDeep = false;
  bool parseOk = false;
  std::vector<std::string> dirs;
  if (!tapsetDir().empty()) dirs.push_back(tapsetDir());
  dirs.insert(dirs.end(), o.includeDirs.begin(), o.includeDirs.end());
  diags.suppressWarnings(o.suppressWarnings);
  diags.warningsAreErrors(o.warningsAreErrors);
  std::unique_ptr<sema::Program> program;
  std::string summary;  // "3 probes, 1 function, 0 embeds, 2 globals"
  bool translated = false;
  codegen::Translation translation;
  bool elaborated = false;
  runWithLargeStack(kFrontEndStack, [&] {
    loadLibraryMacros(dirs, sources, diags, parseOptions, library);
    parseOptions.libraryMacros = &library;
    if (o.dump != Dump::None) {
      printed = dumpLibrary(o.dump, dirs, sources, diags, parseOptions);
      parseOk = !diags.hasErrors();
      return;
    }
    FileId script = sources.addFile(name, std::move(text));
    std::unique_ptr<ast::File> file = parse::parseFile(script, sources, diags, parseOptions);
    parseOk = file != nullptr && !diags.hasErrors();
    passFigures[1] = timer.lap();
    try {
      if (file && o.lastPass == 1) printed = ast::printFile(*file);
    } catch (const ast::TooDeep&) {
      tooDeep = true;
    }
    if (o.lastPass == 1) {
      (void)file.release();  // the process exits next; see freeParseTree
      return;
    }
    if (!parseOk) return;
    if (o.verbose) fmt::print(stderr, "Pass 1: parsed user script {}.\n", passFigures[1]);
    sema::ElaborateOptions elaborateOptions;
    elaborateOptions.tapsetDirs = dirs;
    elaborateOptions.parse = parseOptions;
    elaborateOptions.guru = o.guru;
    // -l/-L elaborate "probe PATTERN {}": nothing may be elided there.
    elaborateOptions.unoptimized = o.unoptimized || !o.listPattern.empty();
    elaborateOptions.defines = o.defines;
    probes::ProviderOptions providerOptions;
    providerOptions.placement = o.placement == "entry"      ? probes::Placement::Entry
                                : o.placement == "prologue" ? probes::Placement::AfterPrologue
                                                            : probes::Placement::Auto;
    providerOptions.targetCommand = o.targetCommand;
    probes::Registry registry = probes::Registry::standard(providerOptions);
    program = sema::elaborate(std::move(file), sources, diags, elaborateOptions, registry);
    elaborated = program != nullptr;
    passFigures[2] = timer.lap();
    if (program) {
      auto plural = [](size_t n, const char* word) { return fmt::format("{} {}{}", n, word, n == 1 ? "" : "s"); };
      summary = fmt::format("{}, {}, {}, {}", plural(program->probes.size(), "probe"),
                            plural(program->functions.size(), "function"), plural(program->embedded.size(), "embed"),
                            plural(program->globals.size(), "global"));
    }
    if (program && o.lastPass >= 3) {
      // The module name is part of the build's cache key: stable per script
      // (and per -m), not per run.
      codegen::TranslateOptions translateOptions;
      translateOptions.scriptName = name;
      translateOptions.stacks.modules = o.symbolModules;
      translateOptions.stacks.ldd = o.ldd;
      if (!o.moduleName.empty()) translateOptions.moduleName = o.moduleName;
      size_t errors = diags.errorCount();
      translation = codegen::translate(*program, sources, diags, translateOptions);
      translated = diags.errorCount() == errors;
      size_t bytes = 0;
      for (const auto& [file, text] : translation.files) bytes += text.size();
      passFigures[3] = fmt::format("{} file{}, {} bytes, {}", translation.files.size(),
                                   translation.files.size() == 1 ? "" : "s", bytes, timer.lap());
      if (o.moduleName.empty()) {
        // FNV-1a of everything in the module: the same script gets the same
        // name (and a cache hit), two different ones can run side by side.
        uint64_t hash = 1469598103934665603ULL;
        auto mix = [&](const std::string& text) {
          for (unsigned char ch : text) hash = (hash ^ ch) * 1099511628211ULL;
        };
        for (const auto& [file, text] : translation.files) mix(text);
        for (const auto& [define, value] : translation.defines) mix(define + "=" + value);
        translation.moduleName = fmt::format("utap_{:012x}", hash & 0xffffffffffffULL);
      }
      if (translated && o.lastPass == 3)
        for (const auto& [file, text] : translation.files) printed += text;
    }
    try {
      if (program && !o.listPattern.empty())
        printed = listProbes(*program, o.listVariables);
      else if (program && o.lastPass == 2)
        printed = sema::printProgram(*program, o.verbose > 0);
      if (program && o.verbose) reportPlacements(*program);
    } catch (const ast::TooDeep&) {
      tooDeep = true;
    }
    // The process exits next: leave the program to the kernel, as for -p1.
    (void)program.release();
  });
  if (tooDeep) diags.report(DiagKind::TooComplex, SourceRange{});
  diags.render(stderr);
  if (!parseOk) {
    fmt::print(stderr, "Pass 1: parse failed.\n");
    return 1;
  }
  if (o.dump != Dump::None) return writeOutput(o, printed);
  if (o.lastPass == 1 && o.verbose) fmt::print(stderr, "Pass 1: parsed user script {}.\n", passFigures[1]);
  if (o.lastPass >= 2) {
    if (!elaborated) {
      fmt::print(stderr, "Pass 2: analysis failed.\n");
      return 1;
    }
    if (o.verbose) fmt::print(stderr, "Pass 2: analyzed script: {} {}.\n", summary, passFigures[2]);
  }
  if (o.lastPass >= 3 && !translated) {
    fmt::print(stderr, "Pass 3: translation failed.\n");
    return 1;
  }
  if (o.lastPass >= 3 && o.verbose) fmt::print(stderr, "Pass 3: translated to C: {}.\n", passFigures[3]);
  timer.restart();
  if (o.lastPass > 3) return buildAndRun(o, translation, timer);
  return writeOutput(o, printed);
}

}  // namespace

}  // namespace utap::driver

int main(int argc, char** argv) {
  // The front end allocates and frees token vectors of tens of megabytes;
  // by default glibc maps each with mmap and unmaps it on free, so every
  // page is faulted in again for the next one. Keep freed memory instead.
  mallopt(M_MMAP_THRESHOLD, 1 << 30);
  mallopt(M_TRIM_THRESHOLD, 1 << 30);
  mallopt(M_TOP_PAD, 64 << 20);
  try {
    return utap::driver::run(argc, argv);
  } catch (const std::exception& e) {
    fmt::print(stderr, "utap: internal error: {}\n", e.what());
    return 2;
  }
}
