// libFuzzer target for pass 1: the input is a script.
//
// Each input is parsed the way the driver does it (compiler/driver/main.cpp):
// parse::parseFile on a thread with a large stack (runWithLargeStack), then
// the diagnostics are rendered. When the script parses, the round trip must
// hold: the -p1 printer's output parses again, to the same tree (equal
// ast::dumpFile), and printing that tree gives the same text again (the
// testsuite's fixed-point check). Before that, the hand-written lexer
// (parse::lex) must give the same tokens and diagnostics as the reference
// lexer ANTLR generates from grammar/UtapLexer.g4 (parse::lexWithAntlr).
// The re-parsed tree then goes through pass 2 (sema::elaborate, without
// tapsets): it must either succeed or report an error, and never crash.
// A failure is a real bug: the target prints what it saw and calls abort(),
// and libFuzzer saves the input.
//
// Build and run: scripts/fuzz SECONDS (a clang build in build-fuzz).
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>

#include "ast/printer.h"
#include "base/diagnostics.h"
#include "base/stack_guard.h"
#include "parse/lexer.h"
#include "parse/parser.h"
#include "probes/provider.h"
#include "sema/elaborate.h"

namespace {

using namespace utap;

// As the driver's kFrontEndStack.
constexpr size_t kFrontEndStack = size_t(256) << 20;

parse::ParseOptions makeOptions(const parse::MacroTable* library) {
  parse::ParseOptions options;
  parse::PreprocessorConfig& pp = options.preprocessor;
  pp.args = {"5", "x"};
  pp.kernelRelease = "6.1.0-99-amd64";  // made up: parsing only
  pp.arch = "x86_64";
  // A fixed, small .config, so that CONFIG_ conditions take both branches.
  pp.kernelConfig = [](const std::string& option) -> std::string {
    if (option == "CONFIG_HZ") return "250";
    if (option == "CONFIG_SMP" || option == "CONFIG_MODULES" || option == "CONFIG_UPROBES") return "y";
    if (option == "CONFIG_DEBUG_INFO") return "m";
    if (option == "CONFIG_LOCALVERSION") return "-fuzz";
    return "";
  };
  options.libraryMacros = library;
  return options;
}

std::string clip(const std::string& s, size_t max = 8192) {
  return s.size() <= max ? s : s.substr(0, max) + "\n...[" + std::to_string(s.size() - max) + " more bytes]";
}

const probes::Registry& registry() {
  static const probes::Registry r = probes::Registry::standard();
  return r;
}

[[noreturn]] void fail(const char* what, const std::string& input, const std::string& details) {
  std::fprintf(stderr,
               "\n==== parse_fuzzer: check failed: %s ====\n"
               "---- input (%zu bytes) ----\n%s\n%s\n==== end ====\n",
               what, input.size(), clip(input).c_str(), details.c_str());
  std::fflush(stderr);
  std::abort();
}

std::string describe(const parse::Tokens& tokens, size_t from) {
  std::string out;
  for (size_t i = from; i < tokens.size() && i < from + 8; ++i) {
    const parse::Token& t = tokens[i];
    out += "  #" + std::to_string(i) + " type " + std::to_string(t.type) + " " +
           std::to_string(t.range.begin.line) + ":" + std::to_string(t.range.begin.column) + "-" +
           std::to_string(t.range.end.line) + ":" + std::to_string(t.range.end.column) + " [" + clip(t.text, 80) +
           "]\n";
  }
  return out;
}

// The hand-written lexer against the reference (ANTLR) lexer.
void checkLexers(const std::string& input) {
  SourceManager sourcesA, sourcesB;
  Diagnostics diagsA(sourcesA), diagsB(sourcesB);
  parse::Tokens a = parse::lex(sourcesA.addFile("fuzz.stp", input), sourcesA, diagsA);
  parse::Tokens b = parse::lexWithAntlr(sourcesB.addFile("fuzz.stp", input), sourcesB, diagsB);
  size_t n = std::min(a.size(), b.size());
  size_t i = 0;
  auto same = [](const SourceLoc& x, const SourceLoc& y) {
    return x.file == y.file && x.line == y.line && x.column == y.column;
  };
  while (i < n && a[i].type == b[i].type && a[i].text == b[i].text && same(a[i].range.begin, b[i].range.begin) &&
         same(a[i].range.end, b[i].range.end) && a[i].range.expansion == b[i].range.expansion)
    ++i;
  if (i < n || a.size() != b.size())
    fail("lex() and lexWithAntlr() give different tokens", input,
         "---- first difference at token " + std::to_string(i) + "; lex():\n" + describe(a, i) +
             "---- lexWithAntlr():\n" + describe(b, i));
  std::string renderedA = diagsA.renderToString(), renderedB = diagsB.renderToString();
  if (renderedA != renderedB)
    fail("lex() and lexWithAntlr() report different diagnostics", input,
         "---- lex():\n" + clip(renderedA) + "\n---- lexWithAntlr():\n" + clip(renderedB));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string input(reinterpret_cast<const char*>(data), size);
  checkLexers(input);

  // Outlives the large-stack thread, as in the driver: diagnostics are
  // rendered afterwards, on the calling thread.
  SourceManager sources;
  Diagnostics diags(sources);
  SourceManager sources2;
  Diagnostics diags2(sources2);

  parse::MacroTable library;  // no .stpm files in the tapset directory yet
  const parse::ParseOptions options = makeOptions(&library);

  bool parsed = false;
  bool tooDeep = false;  // the printer or dumper ran out of stack
  std::string printed, dump1;
  bool reparsed = false;
  std::string printed2, dump2;
  bool elaborated = false, elaborateErrors = false;

  runWithLargeStack(kFrontEndStack, [&] {
    FileId script = sources.addFile("fuzz.stp", input);
    std::unique_ptr<ast::File> file = parse::parseFile(script, sources, diags, options);
    if (!file) return;
    parsed = true;
    try {
      printed = ast::printFile(*file);
      dump1 = ast::dumpFile(*file);
    } catch (const ast::TooDeep&) {
      tooDeep = true;
    }
    file.reset();  // destroy the tree on the large stack too
    if (tooDeep) return;

    FileId again = sources2.addFile("fuzz.stp", printed);  // same name: the header shows it
    std::unique_ptr<ast::File> file2 = parse::parseFile(again, sources2, diags2, options);
    if (!file2) return;
    reparsed = true;
    try {
      dump2 = ast::dumpFile(*file2);
      printed2 = ast::printFile(*file2);
    } catch (const ast::TooDeep&) {
      tooDeep = true;
    }
    if (tooDeep) return;
    // Pass 2 on the same tree (no tapset library: it would dominate the time).
    sema::ElaborateOptions elaborateOptions;
    elaborateOptions.parse = options;
    size_t before = diags2.errorCount();
    std::unique_ptr<sema::Program> program =
        sema::elaborate(std::move(file2), sources2, diags2, elaborateOptions, registry());
    elaborated = program != nullptr;
    elaborateErrors = diags2.errorCount() != before;
    try {
      if (program) (void)sema::printProgram(*program, true);
    } catch (const ast::TooDeep&) {
    }
    program.reset();
  });

  // The driver renders whatever was reported; so does the fuzzer (to a string).
  std::string rendered = diags.renderToString();
  if (parsed && diags.hasErrors()) fail("parseFile returned a tree but reported errors", input, rendered);
  if (!parsed && !diags.hasErrors()) fail("parseFile returned no tree and reported no error", input, "");
  if (!parsed || tooDeep) return 0;

  std::string rendered2 = diags2.renderToString();
  if (!reparsed)
    fail("the -p1 output does not parse again", input,
         "---- printed ----\n" + clip(printed) + "\n---- diagnostics ----\n" + clip(rendered2));
  if (dump1 != dump2)
    fail("the -p1 output parses to a different tree", input,
         "---- printed ----\n" + clip(printed) + "\n---- dump of the input ----\n" + clip(dump1) +
             "\n---- dump of the printed text ----\n" + clip(dump2));
  if (printed != printed2)
    fail("printing is not a fixed point", input,
         "---- first print ----\n" + clip(printed) + "\n---- second print ----\n" + clip(printed2));
  if (elaborated == elaborateErrors)
    fail(elaborated ? "elaborate returned a program but reported errors" : "elaborate failed without an error", input,
         clip(diags2.renderToString()));
  return 0;
}
