#include "driver/options.h"

#include <fmt/format.h>
#include <getopt.h>

#include <cctype>
#include <cstring>

namespace utap::driver {

namespace {

// stap's short options, so bundling and argument rules match (-vvp1, -p 1).
constexpr const char* kShortOptions = "hVvtp:I:e:E:o:R:r:a:m:kgPc:x:D:bs:uqiwl:d:L:FS:B:WG:T:C:";

enum LongOption {
  kCompatible = 1000,
  kPrivilege,
  kUnprivileged,
  kRuntime,
  kVm,
  kVmKernel,
  kPlacement,
  kDumpFunctions,
  kDumpProbeAliases,
  kDumpProbeTypes,
  kLdd,
  kDeferBuild,
  kBuildDeferred,
  kUnsupportedLong,
};

const struct option kLongOptions[] = {
    {"help", no_argument, nullptr, 'h'},
    {"version", no_argument, nullptr, 'V'},
    {"compatible", required_argument, nullptr, kCompatible},
    {"privilege", required_argument, nullptr, kPrivilege},
    {"unprivileged", no_argument, nullptr, kUnprivileged},
    {"runtime", required_argument, nullptr, kRuntime},
    {"vm", no_argument, nullptr, kVm},
    {"vm-kernel", required_argument, nullptr, kVmKernel},
    {"placement", required_argument, nullptr, kPlacement},
    {"ldd", no_argument, nullptr, kLdd},
    {"defer-build", required_argument, nullptr, kDeferBuild},
    {"build-deferred", required_argument, nullptr, kBuildDeferred},
    {"all-modules", no_argument, nullptr, kUnsupportedLong},
    {"skip-badvars", no_argument, nullptr, kUnsupportedLong},
    {"suppress-handler-errors", no_argument, nullptr, kUnsupportedLong},
    {"dump-probe-types", no_argument, nullptr, kDumpProbeTypes},
    {"dump-functions", no_argument, nullptr, kDumpFunctions},
    {"dump-probe-aliases", no_argument, nullptr, kDumpProbeAliases},
    {nullptr, 0, nullptr, 0},
};

bool isIdentifier(const std::string& s) {
  if (s.empty() || std::isdigit(static_cast<unsigned char>(s[0]))) return false;
  for (char c : s)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_') return false;
  return true;
}

}  // namespace

ParsedOptions parseOptions(int argc, char** argv) {
  ParsedOptions result;
  Options& o = result.options;
  auto error = [&](std::string message) { result.errors.push_back(std::move(message)); };

  optind = 0;  // reset getopt (also lets tests call this more than once)
  opterr = 0;
  int c;
  int longIndex = -1;
  while ((c = getopt_long(argc, argv, kShortOptions, kLongOptions, &longIndex)) != -1) {
    switch (c) {
      case 'h': o.help = true; break;
      case 'V': o.version = true; break;
      case 'v': ++o.verbose; break;
      case 'p': {
        char* end = nullptr;
        long pass = std::strtol(optarg, &end, 10);
        if (*optarg == '\0' || *end != '\0' || pass < 1 || pass > 5)
          error(fmt::format("invalid pass number '{}' for -p; use 1 to 5", optarg));
        else
          o.lastPass = static_cast<int>(pass);
        break;
      }
      case 'I': o.includeDirs.emplace_back(optarg); break;
      case 'D': {
        std::string def = optarg;
        size_t eq = def.find('=');
        std::string name = def.substr(0, eq);
        if (!isIdentifier(name))
          error(fmt::format("invalid -D '{}': expected NAME or NAME=VALUE with a C identifier as NAME", def));
        else
          o.defines.emplace_back(name, eq == std::string::npos ? "" : def.substr(eq + 1));
        break;
      }
      case 'o': o.outputFile = optarg; break;
      case 'S': o.outputLimits = optarg; break;
      case 'c': o.targetCommand = optarg; break;
      case 'x': {
        char* end = nullptr;
        long pid = std::strtol(optarg, &end, 10);
        if (*optarg == '\0' || *end != '\0' || pid <= 0)
          error(fmt::format("invalid process id '{}' for -x", optarg));
        else
          o.targetPid = static_cast<pid_t>(pid);
        break;
      }
      case 'g': o.guru = true; break;
      case 'w': o.suppressWarnings = true; break;
      case 'W': o.warningsAreErrors = true; break;
      case 'u': o.unoptimized = true; break;
      case 'T': {
        char* end = nullptr;
        long seconds = std::strtol(optarg, &end, 10);
        if (*optarg == '\0' || *end != '\0' || seconds <= 0 || seconds > 1000000)
          error(fmt::format("invalid time limit '{}' for -T; give whole seconds", optarg));
        else
          o.timeoutSeconds = static_cast<int>(seconds);
        break;
      }
      case 'k': o.keepTemps = true; break;
      case 'm':
        if (!isIdentifier(optarg) || std::strlen(optarg) > 55)
          error(fmt::format("invalid module name '{}' for -m: use letters, digits and '_', at most 55", optarg));
        else
          o.moduleName = optarg;
        break;
      case 'r': o.kernel = optarg; break;
      case 'e':
        if (o.scriptText) error("-e may be given only once");
        o.scriptText = optarg;
        break;
      case kCompatible: o.compatVersion = optarg; break;
      case kPrivilege:
        if (std::strcmp(optarg, "stapusr") && std::strcmp(optarg, "stapsys") && std::strcmp(optarg, "stapdev"))
          error(fmt::format("invalid --privilege '{}': use stapusr, stapsys or stapdev", optarg));
        else
          o.privilege = optarg;
        break;
      case kUnprivileged: o.privilege = "stapusr"; break;
      case kRuntime:
        if (std::strcmp(optarg, "kernel") != 0)
          error(fmt::format("--runtime={} is not supported; utap has the kernel runtime only", optarg));
        break;
      case kVm: o.vm = true; break;
      case 'd': o.symbolModules.emplace_back(optarg); break;
      case kLdd: o.ldd = true; break;
      case kDeferBuild: o.deferBuild = optarg; break;
      case kBuildDeferred: o.buildDeferred = optarg; break;
      case kVmKernel:
        o.vm = true;
        o.vmKernel = optarg;
        break;
      case kPlacement:
        if (std::strcmp(optarg, "auto") && std::strcmp(optarg, "entry") && std::strcmp(optarg, "prologue"))
          error(fmt::format("invalid --placement '{}': use auto, entry or prologue", optarg));
        else
          o.placement = optarg;
        break;
      case 'l':
      case 'L':
        if (!o.listPattern.empty()) error("-l and -L may be given only once");
        o.listPattern = optarg;
        o.listVariables = c == 'L';
        break;
      case kDumpFunctions:
      case kDumpProbeAliases:
      case kDumpProbeTypes: {
        Dump dump = c == kDumpFunctions      ? Dump::Functions
                    : c == kDumpProbeAliases ? Dump::ProbeAliases
                                             : Dump::ProbeTypes;
        if (o.dump != Dump::None && o.dump != dump)
          error("give only one of --dump-functions, --dump-probe-aliases and --dump-probe-types");
        o.dump = dump;
        break;
      }
      case kUnsupportedLong:
        error(fmt::format("option '--{}' is not supported yet", kLongOptions[longIndex].name));
        break;
      case '?':
        if (optopt && std::strchr(kShortOptions, optopt))
          error(fmt::format("option '-{}' needs an argument", static_cast<char>(optopt)));
        else if (optopt)
          error(fmt::format("unknown option '-{}'; see 'utap --help'", static_cast<char>(optopt)));
        else
          error(fmt::format("unknown option '{}'; see 'utap --help'", argv[optind - 1]));
        break;
      default:
        // A stap option utap does not have yet (-t, -s, -b, ...).
        error(fmt::format("option '-{}' is not supported yet", static_cast<char>(c)));
        break;
    }
    longIndex = -1;
  }

  int i = optind;
  if (!o.listPattern.empty() && (o.scriptText || (optind < argc)))
    error("-l and -L take a probe point instead of a script; give no script with them");
  if (o.dump != Dump::None && (o.scriptText || optind < argc || !o.listPattern.empty()))
    error("--dump-functions, --dump-probe-aliases and --dump-probe-types take no script and no -l/-L");
  if (!o.buildDeferred.empty() && (o.scriptText || optind < argc || !o.listPattern.empty() || o.dump != Dump::None))
    error("--build-deferred builds what --defer-build left; give it no script");
  if (!o.deferBuild.empty() && o.lastPass != 4)
    error("--defer-build goes with -p4: it leaves the module to a later --build-deferred");
  if (!o.scriptText && !o.help && !o.version && o.listPattern.empty() && o.dump == Dump::None &&
      o.buildDeferred.empty()) {
    if (i < argc)
      o.scriptFile = argv[i++];
    else if (result.errors.empty())  // "-L PROBE" needs no script: say only that -L is missing
      error("no script given: name a script file, '-' for standard input, or use -e 'SCRIPT'");
  }
  for (; i < argc; ++i) o.args.emplace_back(argv[i]);
  if (!o.targetCommand.empty() && o.targetPid) error("-c and -x cannot be used together");
  return result;
}

const char* usageText() {
  return R"(Usage: utap [OPTIONS] FILE [ARGUMENTS]
       utap [OPTIONS] -e SCRIPT [ARGUMENTS]
       utap [OPTIONS] - [ARGUMENTS]          (script on standard input)

A SystemTap-compatible tracer for user-space programs.

Options:
  -h, --help       show this help
  -V, --version    show the version
  -p NUM           stop after pass NUM (1 parse, 2 elaborate, 3 translate,
                   4 build, 5 run)
  -v               more verbose (repeat for more)
  -e SCRIPT        run the script given on the command line
  -I DIR           look for tapsets and .stpm macro files in DIR too
  -D NAME[=VALUE]  define a runtime limit or C macro for the module
  -o FILE          write the output to FILE (switch_file(): FILE.1, FILE.2, ...)
  -S SIZE[,N]      with -o: FILE.0, FILE.1, ..., the next once one holds SIZE
                   megabytes, only the newest N kept
  -c CMD           start CMD and trace it; stop when it exits
  -x PID           trace process PID (target())
  -d FILE          carry FILE's symbol and unwind tables in the module, for
                   usymname() and backtraces through it (the probed files'
                   are carried without asking)
  --ldd            carry those of every shared library the probed and -d
                   files need, as ldd would list them
  -g               guru mode: allow embedded C in the script
  -w               suppress warnings
  -W               treat warnings as errors
  -u               unoptimized: elide nothing (unused locals and their
                   assignments, side-effect-free statements, empty probes)
  -T SECONDS       stop the script after SECONDS
  --vm             run pass 5 in a qemu guest (for kernels that cannot load modules)
  --vm-kernel=KVER the guest's kernel release (default: the newest installed)
  -k               keep the temporary build directory
  -m NAME          name the kernel module NAME
  -r KVER          build for kernel release KVER (or a build directory)
  -l PROBE         list the probe points PROBE matches
  -L PROBE         list them with their target variables and types
  --placement=P    where .function probes go: auto (the entry when every
                   target variable the probe reads can be fetched there,
                   else after the prologue), entry, or prologue (as stap)
  --compatible=V   behave like SystemTap version V (systemtap_v)
  --privilege=P    compile for stapusr, stapsys or stapdev
  --unprivileged   same as --privilege=stapusr
  --dump-functions     list the tapset library's functions with their
                       signatures, one a line
  --dump-probe-aliases list the tapset library's probe aliases
  --dump-probe-types   list the built-in probe point patterns
  --defer-build=DIR    with -p4: on a cache miss, leave the module's build
                       directory in DIR and print where the module will be
  --build-deferred=DIR build every module left in DIR with one kbuild run
                       (for -r's kernel): many scripts build faster so

Arguments after the script are available as $1 ... $N and @1 ... @N.
)";
}

}  // namespace utap::driver
