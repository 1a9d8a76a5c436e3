// The command line (parseOptions, as stap(1) spells it) and the target
// kernel facts the preprocessor asks about.
#include "driver/options.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <initializer_list>
#include <string>
#include <vector>

#include "driver/target_kernel.h"

namespace utap {
namespace {

using driver::Dump;
using driver::ParsedOptions;

ParsedOptions parse(std::initializer_list<const char*> args) {
  std::vector<std::string> storage{"utap"};
  for (const char* a : args) storage.emplace_back(a);
  std::vector<char*> argv;
  for (auto& s : storage) argv.push_back(s.data());
  argv.push_back(nullptr);
  return driver::parseOptions(static_cast<int>(storage.size()), argv.data());
}

std::string errorsOf(const ParsedOptions& p) {
  std::string out;
  for (const auto& e : p.errors) out += e + "\n";
  return out;
}

TEST(Options, Defaults) {
  ParsedOptions p = parse({"script.stp"});
  EXPECT_TRUE(p.errors.empty()) << errorsOf(p);
  const auto& o = p.options;
  EXPECT_EQ(o.lastPass, 5);
  EXPECT_EQ(o.verbose, 0);
  EXPECT_EQ(o.scriptFile, "script.stp");
  EXPECT_FALSE(o.scriptText.has_value());
  EXPECT_TRUE(o.args.empty());
  EXPECT_FALSE(o.guru);
  EXPECT_EQ(o.compatVersion, "4.8");
  EXPECT_EQ(o.privilege, "stapdev");
  EXPECT_FALSE(o.targetPid.has_value());
}

TEST(Options, PassNumber) {
  EXPECT_EQ(parse({"-p1", "s.stp"}).options.lastPass, 1);
  EXPECT_EQ(parse({"-p", "3", "s.stp"}).options.lastPass, 3);
  EXPECT_EQ(parse({"-p5", "s.stp"}).options.lastPass, 5);
  for (const char* bad : {"-p0", "-p6", "-pabc", "-p1x", "-p-1"}) {
    ParsedOptions p = parse({bad, "s.stp"});
    ASSERT_EQ(p.errors.size(), 1u) << bad;
    EXPECT_NE(p.errors[0].find("invalid pass number"), std::string::npos) << p.errors[0];
  }
  EXPECT_EQ(parse({"-p", "", "s.stp"}).errors.size(), 1u);
}

TEST(Options, VerboseCounts) {
  EXPECT_EQ(parse({"-v", "s.stp"}).options.verbose, 1);
  EXPECT_EQ(parse({"-vvv", "s.stp"}).options.verbose, 3);
  EXPECT_EQ(parse({"-v", "-v", "s.stp"}).options.verbose, 2);
  ParsedOptions p = parse({"-vvp1", "s.stp"});  // bundled, as in stap
  EXPECT_EQ(p.options.verbose, 2);
  EXPECT_EQ(p.options.lastPass, 1);
}

TEST(Options, IncludeDirectories) {
  ParsedOptions p = parse({"-I", "/a", "-I/b", "s.stp"});
  EXPECT_EQ(p.options.includeDirs, (std::vector<std::string>{"/a", "/b"}));
}

TEST(Options, Defines) {
  ParsedOptions p = parse({"-D", "MAXACTION=10000", "-DFOO", "-D", "BAR=", "-D", "_X1=a=b", "s.stp"});
  EXPECT_TRUE(p.errors.empty()) << errorsOf(p);
  using Pair = std::pair<std::string, std::string>;
  EXPECT_EQ(p.options.defines, (std::vector<Pair>{{"MAXACTION", "10000"}, {"FOO", ""}, {"BAR", ""}, {"_X1", "a=b"}}));
}

TEST(Options, DefinesNeedACIdentifier) {
  for (const char* bad : {"9X", "=1", "FOO-BAR=1", "A B", ""}) {
    ParsedOptions p = parse({"-D", bad, "s.stp"});
    ASSERT_EQ(p.errors.size(), 1u) << bad;
    EXPECT_NE(p.errors[0].find("invalid -D"), std::string::npos) << p.errors[0];
    EXPECT_TRUE(p.options.defines.empty());
  }
}

TEST(Options, ScriptText) {
  ParsedOptions p = parse({"-e", "probe begin {}"});
  EXPECT_TRUE(p.errors.empty()) << errorsOf(p);
  ASSERT_TRUE(p.options.scriptText.has_value());
  EXPECT_EQ(*p.options.scriptText, "probe begin {}");
  EXPECT_EQ(p.options.scriptFile, "");
}

TEST(Options, ScriptTextOnlyOnce) {
  ParsedOptions p = parse({"-e", "a", "-e", "b"});
  EXPECT_EQ(errorsOf(p), "-e may be given only once\n");
}

TEST(Options, ArgumentsAfterTheScriptFile) {
  ParsedOptions p = parse({"-p1", "s.stp", "a", "b c", "3"});
  EXPECT_TRUE(p.errors.empty()) << errorsOf(p);
  EXPECT_EQ(p.options.scriptFile, "s.stp");
  EXPECT_EQ(p.options.args, (std::vector<std::string>{"a", "b c", "3"}));
}

TEST(Options, ArgumentsWithScriptText) {
  ParsedOptions p = parse({"-e", "probe begin {}", "x.stp", "y"});
  EXPECT_EQ(p.options.scriptFile, "");
  EXPECT_EQ(p.options.args, (std::vector<std::string>{"x.stp", "y"}));
}

TEST(Options, OptionsAfterTheScriptAreStillOptions) {
  // stap's getopt permutes: "stap s.stp foo -v" is verbose with one argument.
  ParsedOptions p = parse({"s.stp", "foo", "-v"});
  EXPECT_EQ(p.options.verbose, 1);
  EXPECT_EQ(p.options.args, (std::vector<std::string>{"foo"}));
}

TEST(Options, DoubleDashEndsOptions) {
  ParsedOptions p = parse({"s.stp", "--", "-v", "-p1"});
  EXPECT_TRUE(p.errors.empty()) << errorsOf(p);
  EXPECT_EQ(p.options.verbose, 0);
  EXPECT_EQ(p.options.args, (std::vector<std::string>{"-v", "-p1"}));
}

TEST(Options, StandardInput) {
  ParsedOptions p = parse({"-", "arg"});
  EXPECT_TRUE(p.errors.empty()) << errorsOf(p);
  EXPECT_EQ(p.options.scriptFile, "-");
  EXPECT_EQ(p.options.args, std::vector<std::string>{"arg"});
}

TEST(Options, MissingScript) {
  EXPECT_EQ(errorsOf(parse({"-p1"})),
            "no script given: name a script file, '-' for standard input, or use -e 'SCRIPT'\n");
  EXPECT_TRUE(parse({"-h"}).errors.empty());
  EXPECT_TRUE(parse({"--help"}).options.help);
  EXPECT_TRUE(parse({"-V"}).options.version);
  EXPECT_TRUE(parse({"--version"}).errors.empty());
}

TEST(Options, TargetCommandAndPid) {
  ParsedOptions p = parse({"-c", "./app --flag", "s.stp"});
  EXPECT_EQ(p.options.targetCommand, "./app --flag");
  p = parse({"-x", "1234", "s.stp"});
  ASSERT_TRUE(p.options.targetPid.has_value());
  EXPECT_EQ(*p.options.targetPid, 1234);
}

TEST(Options, TargetCommandAndPidAreExclusive) {
  EXPECT_EQ(errorsOf(parse({"-c", "ls", "-x", "1", "s.stp"})), "-c and -x cannot be used together\n");
  EXPECT_EQ(errorsOf(parse({"-x", "1", "-c", "ls", "s.stp"})), "-c and -x cannot be used together\n");
}

TEST(Options, InvalidPid) {
  for (const char* bad : {"0", "-5", "abc", "12x", ""}) {
    ParsedOptions p = parse({"-x", bad, "s.stp"});
    ASSERT_EQ(p.errors.size(), 1u) << bad;
    EXPECT_EQ(p.errors[0], std::string("invalid process id '") + bad + "' for -x");
    EXPECT_FALSE(p.options.targetPid.has_value());
  }
}

TEST(Options, ModuleName) {
  EXPECT_EQ(parse({"-m", "my_module1", "s.stp"}).options.moduleName, "my_module1");
  std::string longest(55, 'm');
  EXPECT_TRUE(parse({"-m", longest.c_str(), "s.stp"}).errors.empty());
  std::string tooLong(56, 'm');
  for (const char* bad : {"my-module", "1abc", "a.b", "", tooLong.c_str()}) {
    ParsedOptions p = parse({"-m", bad, "s.stp"});
    ASSERT_EQ(p.errors.size(), 1u) << bad;
    EXPECT_NE(p.errors[0].find("invalid module name"), std::string::npos);
    EXPECT_EQ(p.options.moduleName, "");
  }
}

TEST(Options, SimpleFlagsAndValues) {
  // Releases in these tests are made up: options are only parsed.
  ParsedOptions p = parse({"-g", "-k", "-w", "-o", "out.txt", "-r", "6.12.999+deb12-amd64", "s.stp"});
  EXPECT_TRUE(p.errors.empty()) << errorsOf(p);
  EXPECT_TRUE(p.options.guru);
  EXPECT_TRUE(p.options.suppressWarnings);
  EXPECT_TRUE(p.options.keepTemps);
  EXPECT_EQ(p.options.outputFile, "out.txt");
  EXPECT_EQ(p.options.kernel, "6.12.999+deb12-amd64");
}

TEST(Options, LongOptions) {
  ParsedOptions p = parse({"--compatible=4.0", "--privilege", "stapsys", "s.stp"});
  EXPECT_TRUE(p.errors.empty()) << errorsOf(p);
  EXPECT_EQ(p.options.compatVersion, "4.0");
  EXPECT_EQ(p.options.privilege, "stapsys");
  EXPECT_EQ(parse({"--unprivileged", "s.stp"}).options.privilege, "stapusr");
  EXPECT_TRUE(parse({"--runtime=kernel", "s.stp"}).errors.empty());
}

TEST(Options, InvalidLongOptionValues) {
  EXPECT_EQ(errorsOf(parse({"--privilege=root", "s.stp"})),
            "invalid --privilege 'root': use stapusr, stapsys or stapdev\n");
  EXPECT_EQ(errorsOf(parse({"--runtime=dyninst", "s.stp"})),
            "--runtime=dyninst is not supported; utap has the kernel runtime only\n");
}

TEST(Options, UnoptimizedAndWarningsAreErrors) {
  ParsedOptions p = parse({"-u", "-W", "s.stp"});
  EXPECT_TRUE(p.errors.empty()) << errorsOf(p);
  EXPECT_TRUE(p.options.unoptimized);
  EXPECT_TRUE(p.options.warningsAreErrors);
  ParsedOptions none = parse({"s.stp"});
  EXPECT_FALSE(none.options.unoptimized);
  EXPECT_FALSE(none.options.warningsAreErrors);
}

TEST(Options, UnsupportedStapOptions) {
  for (const char* opt : {"-B", "-s", "-G", "-C", "-a", "-R", "-E"}) {
    ParsedOptions p = parse({opt, "value", "s.stp"});
    ASSERT_EQ(p.errors.size(), 1u) << opt;
    EXPECT_EQ(p.errors[0], std::string("option '") + opt + "' is not supported yet");
  }
  for (const char* opt : {"-t", "-b", "-q", "-F", "-i", "-P"}) {
    ParsedOptions p = parse({opt, "s.stp"});
    ASSERT_EQ(p.errors.size(), 1u) << opt;
    EXPECT_EQ(p.errors[0], std::string("option '") + opt + "' is not supported yet");
  }
  ParsedOptions vm = parse({"--vm-kernel=6.12.999+deb12-amd64", "-T", "5", "s.stp"});
  EXPECT_TRUE(vm.errors.empty()) << errorsOf(vm);
  EXPECT_TRUE(vm.options.vm);
  EXPECT_EQ(vm.options.vmKernel, "6.12.999+deb12-amd64");
  EXPECT_EQ(vm.options.timeoutSeconds, 5);
}

TEST(Options, OutputFileLimits) {
  // -S SIZE[,N] is kept as written; utap's main checks it with
  // run::parseOutputLimits (tests/unit/output_files_test.cpp) and wants -o.
  ParsedOptions p = parse({"-o", "out", "-S", "2,3", "s.stp"});
  EXPECT_TRUE(p.errors.empty()) << errorsOf(p);
  EXPECT_EQ(p.options.outputFile, "out");
  EXPECT_EQ(p.options.outputLimits, "2,3");
}

TEST(Options, DumpListings) {
  ParsedOptions f = parse({"--dump-functions"});
  EXPECT_TRUE(f.errors.empty()) << errorsOf(f);
  EXPECT_EQ(f.options.dump, Dump::Functions);
  EXPECT_EQ(parse({"--dump-probe-aliases"}).options.dump, Dump::ProbeAliases);
  EXPECT_EQ(parse({"--dump-probe-types"}).options.dump, Dump::ProbeTypes);
  EXPECT_EQ(errorsOf(parse({"--dump-functions", "--dump-probe-types"})),
            "give only one of --dump-functions, --dump-probe-aliases and --dump-probe-types\n");
  EXPECT_EQ(errorsOf(parse({"--dump-functions", "s.stp"})),
            "--dump-functions, --dump-probe-aliases and --dump-probe-types take no script and no -l/-L\n");
  EXPECT_EQ(errorsOf(parse({"--dump-probe-aliases", "-e", "probe begin {}"})),
            "--dump-functions, --dump-probe-aliases and --dump-probe-types take no script and no -l/-L\n");
}

TEST(Options, DeferredBuilds) {
  ParsedOptions defer = parse({"-p4", "--defer-build=/tmp/d", "s.stp"});
  EXPECT_TRUE(defer.errors.empty()) << errorsOf(defer);
  EXPECT_EQ(defer.options.deferBuild, "/tmp/d");
  EXPECT_EQ(errorsOf(parse({"--defer-build", "/tmp/d", "s.stp"})),
            "--defer-build goes with -p4: it leaves the module to a later --build-deferred\n");
  ParsedOptions build = parse({"--build-deferred=/tmp/d"});
  EXPECT_TRUE(build.errors.empty()) << errorsOf(build);
  EXPECT_EQ(build.options.buildDeferred, "/tmp/d");
  EXPECT_EQ(errorsOf(parse({"--build-deferred=/tmp/d", "s.stp"})),
            "--build-deferred builds what --defer-build left; give it no script\n");
}

TEST(Options, SymbolModulesAndLdd) {
  ParsedOptions p = parse({"-d", "/bin/ls", "-d/usr/lib/x86_64-linux-gnu/libc.so.6", "--ldd", "s.stp"});
  EXPECT_TRUE(p.errors.empty()) << errorsOf(p);
  EXPECT_EQ(p.options.symbolModules, (std::vector<std::string>{"/bin/ls", "/usr/lib/x86_64-linux-gnu/libc.so.6"}));
  EXPECT_TRUE(p.options.ldd);
  ParsedOptions none = parse({"s.stp"});
  EXPECT_TRUE(none.options.symbolModules.empty());
  EXPECT_FALSE(none.options.ldd);
}

TEST(Options, UnknownOptions) {
  EXPECT_EQ(errorsOf(parse({"-Z", "s.stp"})), "unknown option '-Z'; see 'utap --help'\n");
  EXPECT_EQ(errorsOf(parse({"--bogus", "s.stp"})), "unknown option '--bogus'; see 'utap --help'\n");
}

TEST(Options, MissingOptionArgument) {
  ParsedOptions p = parse({"-p"});
  ASSERT_FALSE(p.errors.empty());
  EXPECT_EQ(p.errors[0], "option '-p' needs an argument");
  EXPECT_EQ(parse({"s.stp", "-I"}).errors.at(0), "option '-I' needs an argument");
}

TEST(Options, ParsingTwiceStartsAfresh) {
  parse({"-v", "-p2", "a.stp"});
  ParsedOptions p = parse({"b.stp"});
  EXPECT_EQ(p.options.verbose, 0);
  EXPECT_EQ(p.options.lastPass, 5);
  EXPECT_EQ(p.options.scriptFile, "b.stp");
}

TEST(Options, SeveralErrorsAreAllReported) {
  ParsedOptions p = parse({"-p9", "-x", "0", "-m", "a-b", "x.stp"});
  EXPECT_EQ(p.errors.size(), 3u) << errorsOf(p);  // pass, pid, module
}

TEST(Options, MissingScriptIsReportedOnlyWhenNothingElseIsWrong) {
  EXPECT_EQ(parse({"-v"}).errors.size(), 1u);
  ParsedOptions p = parse({"-p9"});
  ASSERT_EQ(p.errors.size(), 1u) << errorsOf(p);
  EXPECT_EQ(p.errors[0], "invalid pass number '9' for -p; use 1 to 5");
}

TEST(Options, ListingTakesAProbePointInsteadOfAScript) {
  ParsedOptions l = parse({"-l", "process(\"x\").function(\"*\")"});
  EXPECT_TRUE(l.errors.empty()) << errorsOf(l);
  EXPECT_EQ(l.options.listPattern, "process(\"x\").function(\"*\")");
  EXPECT_FALSE(l.options.listVariables);
  ParsedOptions v = parse({"-L", "process.begin"});
  EXPECT_TRUE(v.errors.empty()) << errorsOf(v);
  EXPECT_TRUE(v.options.listVariables);
  EXPECT_EQ(errorsOf(parse({"-l", "begin", "s.stp"})),
            "-l and -L take a probe point instead of a script; give no script with them\n");
  EXPECT_EQ(errorsOf(parse({"-l", "begin", "-L", "end"})), "-l and -L may be given only once\n");
}

TEST(Options, Placement) {
  EXPECT_EQ(parse({"s.stp"}).options.placement, "auto");
  EXPECT_EQ(parse({"--placement=entry", "s.stp"}).options.placement, "entry");
  EXPECT_EQ(parse({"--placement", "prologue", "s.stp"}).options.placement, "prologue");
  EXPECT_EQ(errorsOf(parse({"--placement=middle", "s.stp"})),
            "invalid --placement 'middle': use auto, entry or prologue\n");
}

TEST(Options, UsageMentionsTheMainOptions) {
  std::string usage = driver::usageText();
  for (const char* opt : {"-p NUM", "-e SCRIPT", "-I DIR", "-D NAME", "-c CMD", "-x PID", "-g", "-m NAME", "-r KVER"})
    EXPECT_NE(usage.find(opt), std::string::npos) << opt;
}

// ---- target kernel ----------------------------------------------------------------

class FakeBuildDir : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/utap-kernel-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir = tmpl;
    std::filesystem::create_directories(dir / "include/config");
    // A made-up release.
    std::ofstream(dir / "include/config/kernel.release") << "6.12.999+deb12-amd64\n";
    std::ofstream(dir / ".config") << "#\n# Automatically generated\n#\nCONFIG_MODULES=y\nCONFIG_EXT4_FS=m\n"
                                      "CONFIG_HZ=250\nCONFIG_LOCALVERSION=\"-debian\"\n"
                                      "# CONFIG_DEBUG_INFO is not set\nCONFIG_EMPTY=\"\"\n";
  }
  void TearDown() override { std::filesystem::remove_all(dir); }
  std::filesystem::path dir;
};

TEST_F(FakeBuildDir, ReleaseAndConfigFromABuildDirectory) {
  driver::TargetKernel k(dir.string());
  EXPECT_EQ(k.release(), "6.12.999+deb12-amd64");
  EXPECT_EQ(k.buildDir(), dir.string());
  EXPECT_EQ(k.config("CONFIG_MODULES"), "y");
  EXPECT_EQ(k.config("CONFIG_EXT4_FS"), "m");
  EXPECT_EQ(k.config("CONFIG_HZ"), "250");
  EXPECT_EQ(k.config("CONFIG_LOCALVERSION"), "-debian");  // quotes removed
  EXPECT_EQ(k.config("CONFIG_DEBUG_INFO"), "");           // "is not set"
  EXPECT_EQ(k.config("CONFIG_EMPTY"), "");
  EXPECT_EQ(k.config("CONFIG_NOT_THERE"), "");
}

TEST_F(FakeBuildDir, UtsReleaseNamesTheKernelAsItsModulesAreStamped) {
  // Debian's 6.1 headers: the upstream version in kernel.release, the
  // package's release in UTS_RELEASE. Made up here.
  std::ofstream(dir / "include/config/kernel.release") << "6.1.999\n";
  std::filesystem::create_directories(dir / "include/generated");
  std::ofstream(dir / "include/generated/utsrelease.h") << "#define UTS_RELEASE \"6.1.0-999-amd64\"\n";
  EXPECT_EQ(driver::TargetKernel(dir.string()).release(), "6.1.0-999-amd64");
}

TEST(TargetKernel, ReleaseNameGivesTheModulesBuildDirectory) {
  driver::TargetKernel k("6.1.0-999-amd64");  // made up
  EXPECT_EQ(k.release(), "6.1.0-999-amd64");
  EXPECT_EQ(k.buildDir(), "/lib/modules/6.1.0-999-amd64/build");
}

TEST(TargetKernel, EmptySpecIsTheRunningKernel) {
  driver::TargetKernel k("");
  EXPECT_FALSE(k.release().empty());
  EXPECT_EQ(k.buildDir(), "/lib/modules/" + k.release() + "/build");
}

TEST(TargetKernel, MissingConfigGivesEmptyValues) {
  driver::TargetKernel k("0.0.0-no-such-kernel");
  EXPECT_EQ(k.config("CONFIG_MODULES"), "");
}

TEST(TargetKernel, ArchitectureUsesStapNames) {
  std::string arch = driver::TargetKernel::arch();
  EXPECT_FALSE(arch.empty());
  EXPECT_NE(arch, "aarch64");  // stap says arm64
  EXPECT_NE(arch, "i686");     // stap says i386
#if defined(__x86_64__)
  EXPECT_EQ(arch, "x86_64");
#endif
}

}  // namespace
}  // namespace utap
