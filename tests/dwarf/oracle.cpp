// Runs binutils and gdb on the test programs and parses what they print.
#include "oracle.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <map>
#include <mutex>

namespace utap::test {

std::string testProgram(std::string_view name) {
  return std::string(UTAP_TEST_PROGRAMS) + "/" + std::string(name);
}

namespace {

// Reads both pipes until both are closed; poll keeps a full stderr pipe
// from blocking a child that is still writing stdout.
void drainPipes(int outFd, int errFd, std::string* out, std::string* err) {
  pollfd fds[2] = {{outFd, POLLIN, 0}, {errFd, POLLIN, 0}};
  std::string* sinks[2] = {out, err};
  int open = errFd >= 0 ? 2 : 1;
  if (errFd < 0) fds[1].fd = -1;
  char buffer[65536];
  while (open > 0) {
    if (poll(fds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      break;
    }
    for (int k = 0; k < 2; k++) {
      if (fds[k].fd < 0 || fds[k].revents == 0) continue;
      ssize_t n = read(fds[k].fd, buffer, sizeof buffer);
      if (n > 0) {
        sinks[k]->append(buffer, static_cast<size_t>(n));
      } else if (n == 0 || errno != EINTR) {
        close(fds[k].fd);
        fds[k].fd = -1;
        open--;
      }
    }
  }
}

}  // namespace

CommandResult runCommand(const std::vector<std::string>& argv, bool mergeStderr,
                         const std::vector<std::string>& extraEnvironment) {
  CommandResult result;
  int outPipe[2], errPipe[2];
  if (argv.empty() || pipe2(outPipe, O_CLOEXEC) != 0) return result;
  if (pipe2(errPipe, O_CLOEXEC) != 0) {
    close(outPipe[0]);
    close(outPipe[1]);
    return result;
  }
  std::vector<char*> args;
  for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_t pid = fork();
  if (pid == 0) {
    int devNull = open("/dev/null", O_RDONLY);
    if (devNull >= 0) dup2(devNull, 0);
    dup2(outPipe[1], 1);
    dup2(mergeStderr ? outPipe[1] : errPipe[1], 2);
    for (const std::string& entry : extraEnvironment) putenv(strdup(entry.c_str()));
    execvp(args[0], args.data());
    dprintf(2, "cannot run %s: %s\n", args[0], strerror(errno));
    _exit(127);
  }
  close(outPipe[1]);
  close(errPipe[1]);
  if (pid < 0) {
    close(outPipe[0]);
    close(errPipe[0]);
    return result;
  }
  drainPipes(outPipe[0], errPipe[0], &result.out, &result.err);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (WIFEXITED(status)) result.exitStatus = WEXITSTATUS(status);
  return result;
}

std::vector<std::string> splitLines(std::string_view text) {
  std::vector<std::string> lines;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    lines.emplace_back(text.substr(start, end - start));
    start = end + 1;
  }
  return lines;
}

std::vector<std::string> splitWords(std::string_view line) {
  std::vector<std::string> words;
  size_t k = 0;
  while (k < line.size()) {
    while (k < line.size() && (line[k] == ' ' || line[k] == '\t')) k++;
    size_t start = k;
    while (k < line.size() && line[k] != ' ' && line[k] != '\t') k++;
    if (k > start) words.emplace_back(line.substr(start, k - start));
  }
  return words;
}

std::optional<uint64_t> parseNumber(std::string_view text) {
  std::string s(text);
  if (s.empty()) return std::nullopt;
  errno = 0;
  char* end = nullptr;
  uint64_t value = 0;
  if (s[0] == '-')
    value = static_cast<uint64_t>(std::strtoll(s.c_str(), &end, 0));
  else
    value = std::strtoull(s.c_str(), &end, 0);
  if (errno != 0 || end == s.c_str() || *end != '\0') return std::nullopt;
  return value;
}

// ---- nm -------------------------------------------------------------------

std::vector<NmSymbol> nmSymbols(const std::string& path, bool dynamicTable) {
  std::vector<std::string> argv = {"nm", "--defined-only"};
  if (dynamicTable) argv.push_back("-D");
  argv.push_back(path);
  std::vector<NmSymbol> symbols;
  for (const std::string& line : splitLines(runCommand(argv).out)) {
    // "0000000000001139 T main"; versioned dynamic names keep their "@@V".
    std::vector<std::string> words = splitWords(line);
    if (words.size() != 3 || words[1].size() != 1) continue;
    std::optional<uint64_t> address = parseNumber("0x" + words[0]);
    if (!address) continue;
    symbols.push_back({words[2], *address, words[1][0]});
  }
  return symbols;
}

std::optional<uint64_t> nmFunctionAddress(const std::string& path, std::string_view name) {
  for (const NmSymbol& symbol : nmSymbols(path))
    if (symbol.name == name && std::strchr("TtWw", symbol.type) != nullptr) return symbol.address;
  return std::nullopt;
}

// ---- readelf ----------------------------------------------------------------

namespace {

// The text after "Key: " up to the next comma, from a readelf line.
std::optional<uint64_t> fieldAfter(const std::string& line, std::string_view key) {
  size_t at = line.find(key);
  if (at == std::string::npos) return std::nullopt;
  size_t start = at + key.size();
  size_t end = line.find(',', start);
  std::string value = line.substr(start, end == std::string::npos ? std::string::npos : end - start);
  return parseNumber(splitWords(value).empty() ? "" : splitWords(value)[0]);
}

std::string afterColon(const std::string& line) {
  size_t colon = line.find(':');
  std::string rest = line.substr(colon + 1);
  size_t first = rest.find_first_not_of(' ');
  return first == std::string::npos ? "" : rest.substr(first);
}

}  // namespace

std::vector<ReadelfSdtNote> readelfSdtNotes(const std::string& path) {
  std::vector<ReadelfSdtNote> notes;
  for (const std::string& line : splitLines(runCommand({"readelf", "-n", path}).out)) {
    std::vector<std::string> words = splitWords(line);
    if (words.empty()) continue;
    if (words[0] == "stapsdt") notes.emplace_back();
    if (notes.empty()) continue;
    // Keys are looked for anywhere: readelf puts "Provider:" on the owner's
    // line in some layouts (-W) and on its own line in others.
    if (size_t at = line.find("Provider: "); at != std::string::npos)
      notes.back().provider = splitWords(line.substr(at + 10)).at(0);
    if (words[0] == "Name:")
      notes.back().name = afterColon(line);
    if (words[0] == "Location:") {
      notes.back().location = fieldAfter(line, "Location: ").value_or(0);
      notes.back().base = fieldAfter(line, "Base: ").value_or(0);
      notes.back().semaphore = fieldAfter(line, "Semaphore: ").value_or(0);
    }
    if (words[0] == "Arguments:") notes.back().arguments.assign(words.begin() + 1, words.end());
  }
  return notes;
}

std::vector<LineRow> readelfLineRows(const std::string& path) {
  std::vector<LineRow> rows;
  std::string unit;
  for (const std::string& line :
       splitLines(runCommand({"readelf", "--debug-dump=decodedline", "-W", path}).out)) {
    if (line.rfind("CU: ", 0) == 0) {
      unit = line.substr(4);
      if (!unit.empty() && unit.back() == ':') unit.pop_back();
      continue;
    }
    // FILE LINE ADDRESS [VIEW] [x]; LINE is "-" at the end of a sequence.
    std::vector<std::string> words = splitWords(line);
    if (words.size() < 3 || words[2].rfind("0x", 0) != 0) continue;
    std::optional<uint64_t> address = parseNumber(words[2]);
    if (!address) continue;
    LineRow row;
    row.compileUnit = unit;
    row.file = words[0];
    row.address = *address;
    if (words[1] == "-") {
      row.endSequence = true;
    } else if (std::optional<uint64_t> number = parseNumber(words[1])) {
      row.line = static_cast<int>(*number);
    } else {
      continue;
    }
    for (size_t k = 3; k < words.size(); k++) {
      if (words[k] == "x")
        row.isStmt = true;
      else if (std::optional<uint64_t> view = parseNumber(words[k]))
        row.view = static_cast<int>(*view);
    }
    rows.push_back(row);
  }
  return rows;
}

bool isSharedObjectFile(const std::string& path) {
  for (const std::string& line : splitLines(runCommand({"readelf", "-h", path}).out))
    if (line.find("Type:") != std::string::npos) return line.find("DYN") != std::string::npos;
  return false;
}

// ---- gdb -batch ---------------------------------------------------------------

namespace {

constexpr std::string_view kValueMarker = "@@utap-value@@";

std::vector<std::string> gdbCommand(const std::string& program, const std::vector<std::string>& commands,
                                    const std::vector<std::string>& args) {
  std::vector<std::string> argv = {"gdb", "-nx", "-batch", "-ex", "set debuginfod enabled off",
                                   "-ex", "set disable-randomization on", "-ex", "set pagination off",
                                   "-ex", "set confirm off",
                                   // The program's stack then holds what a plain exec gives it
                                   // (recipe_eval's), so stack addresses agree between the two.
                                   "-ex", "set startup-with-shell off", "-ex", "unset environment LINES",
                                   "-ex", "unset environment COLUMNS"};
  for (const std::string& command : commands) {
    argv.push_back("-ex");
    argv.push_back(command);
  }
  argv.push_back("--args");
  argv.push_back(program);
  argv.insert(argv.end(), args.begin(), args.end());
  return argv;
}

// The lowest PT_LOAD address from `readelf -lW`, page aligned.
uint64_t firstLoadAddress(const std::string& path) {
  for (const std::string& line : splitLines(runCommand({"readelf", "-l", "-W", path}).out)) {
    std::vector<std::string> words = splitWords(line);
    if (words.size() >= 3 && words[0] == "LOAD")
      if (std::optional<uint64_t> vaddr = parseNumber(words[2])) return *vaddr & ~uint64_t{0xfff};
  }
  return 0;
}

}  // namespace

uint64_t gdbLoadBias(const std::string& program) {
  static std::mutex mutex;
  static std::map<std::string, uint64_t> biases;
  std::string path = std::filesystem::canonical(program).string();
  std::lock_guard<std::mutex> lock(mutex);
  if (auto it = biases.find(path); it != biases.end()) return it->second;
  uint64_t bias = 0;
  if (isSharedObjectFile(path)) {
    // "  0x555555554000 0x555555555000 0x1000 0x0 r--p /path": the mapping of offset 0.
    CommandResult run = runCommand(gdbCommand(path, {"starti", "info proc mappings"}, {}), true);
    for (const std::string& line : splitLines(run.out)) {
      std::vector<std::string> words = splitWords(line);
      if (words.size() >= 6 && words.back() == path && words[3] == "0x0") {
        bias = parseNumber(words[0]).value_or(0) - firstLoadAddress(path);
        break;
      }
    }
  }
  biases[path] = bias;
  return bias;
}

GdbResult gdbPrintAt(const std::string& program, const GdbStop& stop, const std::vector<std::string>& expressions,
                     const std::vector<std::string>& args) {
  GdbResult result;
  std::vector<std::string> commands;
  char text[64];
  if (stop.address) {
    // An absolute breakpoint needs the runtime address: stop at the first
    // instruction (the file is mapped then) and break at bias + address.
    result.loadBias = gdbLoadBias(program);
    snprintf(text, sizeof text, "break *0x%llx", static_cast<unsigned long long>(*stop.address + result.loadBias));
    commands = {"starti", text, "continue"};
  } else {
    commands = {"break " + stop.breakSpec, "run"};
  }
  commands.push_back("echo " + std::string(kValueMarker) + "pc\\n");
  commands.push_back("output/x $pc");
  for (const std::string& expression : expressions) {
    commands.push_back("echo \\n" + std::string(kValueMarker) + "\\n");
    commands.push_back("output " + expression);
  }
  commands.push_back("echo \\n" + std::string(kValueMarker) + "end\\n");
  CommandResult run = runCommand(gdbCommand(program, commands, args), true);
  result.transcript = run.out;

  std::vector<std::string> lines = splitLines(run.out);
  size_t k = 0;
  for (; k < lines.size() && lines[k] != std::string(kValueMarker) + "pc"; k++) {
    // "Breakpoint 1 at 0x14d0: file ..., line 52." (before the run: link-time for PIE)
    if (lines[k].rfind("Breakpoint 1 at ", 0) == 0) {
      std::string address = splitWords(lines[k])[3];
      if (!address.empty() && address.back() == ':') address.pop_back();
      result.breakAddress = parseNumber(address).value_or(0);
    }
    if (lines[k].rfind("Breakpoint 1, ", 0) == 0) result.stopped = true;
  }
  if (stop.address) result.breakAddress = *stop.address;
  // Each value runs to the next marker; values may span lines (long structs).
  std::string* current = nullptr;
  for (k++; k < lines.size(); k++) {
    if (lines[k].rfind(kValueMarker, 0) == 0) {
      if (lines[k] == std::string(kValueMarker) + "end") break;
      result.values.emplace_back();
      current = &result.values.back();
      continue;
    }
    if (current == nullptr) continue;  // the pc line
    if (!current->empty()) *current += "\n";
    *current += lines[k];
  }
  // The echo after an error message leaves an empty line behind it.
  for (std::string& value : result.values)
    while (!value.empty() && (value.back() == '\n' || value.back() == ' ')) value.pop_back();
  if (!result.stopped) result.values.clear();
  return result;
}

}  // namespace utap::test
