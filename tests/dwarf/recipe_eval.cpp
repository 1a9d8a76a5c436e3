// The ptrace evaluator of recipes (see recipe_eval.h).
#include "recipe_eval.h"

#include <elf.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/personality.h>
#include <sys/ptrace.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace utap::test {

using dwarf::RecipeOp;

std::optional<uint64_t> registerValue(const Registers& registers, int dwarfRegister) {
  const user_regs_struct& r = registers.general;
  // psABI order: rax rdx rcx rbx rsi rdi rbp rsp r8..r15 rip.
  const unsigned long long general[] = {r.rax, r.rdx, r.rcx, r.rbx, r.rsi, r.rdi, r.rbp, r.rsp, r.r8,
                                        r.r9,  r.r10, r.r11, r.r12, r.r13, r.r14, r.r15, r.rip};
  if (dwarfRegister >= 0 && dwarfRegister <= dwarf::kRegisterRip) return general[dwarfRegister];
  if (dwarfRegister >= 17 && dwarfRegister <= 32) {
    const unsigned int* words = &registers.fp.xmm_space[(dwarfRegister - 17) * 4];
    return uint64_t{words[0]} | uint64_t{words[1]} << 32;
  }
  return std::nullopt;
}

// ---- the traced program -------------------------------------------------------

namespace {

// The lowest PT_LOAD address of the ELF file at `path`, page aligned.
std::optional<uint64_t> firstLoadAddress(const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  Elf64_Ehdr header{};
  if (!file.read(reinterpret_cast<char*>(&header), sizeof header) || memcmp(header.e_ident, ELFMAG, SELFMAG) != 0 ||
      header.e_ident[EI_CLASS] != ELFCLASS64)
    return std::nullopt;
  std::optional<uint64_t> lowest;
  for (unsigned k = 0; k < header.e_phnum; k++) {
    Elf64_Phdr segment{};
    file.seekg(static_cast<std::streamoff>(header.e_phoff + k * header.e_phentsize));
    if (!file.read(reinterpret_cast<char*>(&segment), sizeof segment)) return std::nullopt;
    if (segment.p_type == PT_LOAD && (!lowest || segment.p_vaddr < *lowest)) lowest = segment.p_vaddr;
  }
  if (lowest) *lowest &= ~uint64_t{0xfff};
  return lowest;
}

std::string describeStatus(int status) {
  if (WIFEXITED(status)) return "exited with status " + std::to_string(WEXITSTATUS(status));
  if (WIFSIGNALED(status)) return std::string("was killed by ") + strsignal(WTERMSIG(status));
  return std::string("stopped by ") + strsignal(WSTOPSIG(status));
}

}  // namespace

std::unique_ptr<TracedProgram> TracedProgram::start(const std::vector<std::string>& argv, std::string* error) {
  std::vector<char*> args;
  for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_t pid = fork();
  if (pid < 0) {
    *error = std::string("fork: ") + strerror(errno);
    return nullptr;
  }
  if (pid == 0) {
    int devNull = open("/dev/null", O_RDWR);
    if (devNull >= 0) {
      dup2(devNull, 0);
      dup2(devNull, 1);
      dup2(devNull, 2);
    }
    personality(ADDR_NO_RANDOMIZE);
    ptrace(PTRACE_TRACEME, 0, nullptr, nullptr);
    execv(args[0], args.data());
    _exit(127);
  }
  std::unique_ptr<TracedProgram> program(new TracedProgram(pid));
  int status = 0;
  if (waitpid(pid, &status, 0) != pid || !WIFSTOPPED(status) || WSTOPSIG(status) != SIGTRAP) {
    *error = argv[0] + " did not stop at its exec: it " + describeStatus(status);
    return nullptr;
  }
  // The tracee dies with us if a test crashes.
  ptrace(PTRACE_SETOPTIONS, pid, nullptr, PTRACE_O_EXITKILL);
  program->memFd_ = open(("/proc/" + std::to_string(pid) + "/mem").c_str(), O_RDONLY | O_CLOEXEC);
  if (program->memFd_ < 0) {
    *error = std::string("cannot open /proc/PID/mem: ") + strerror(errno);
    return nullptr;
  }
  return program;
}

TracedProgram::~TracedProgram() {
  if (memFd_ >= 0) close(memFd_);
  kill(pid_, SIGKILL);
  int status = 0;
  while (waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
  }
}

std::optional<uint64_t> TracedProgram::loadBias(const std::string& path) const {
  std::error_code ec;
  std::string canonical = std::filesystem::canonical(path, ec).string();
  std::optional<uint64_t> linkAddress = firstLoadAddress(path);
  if (ec || !linkAddress) return std::nullopt;
  std::ifstream maps("/proc/" + std::to_string(pid_) + "/maps");
  std::string line;
  // "555555554000-555555555000 r--p 00000000 08:01 1234   /path"
  while (std::getline(maps, line)) {
    std::istringstream fields(line);
    std::string range, perms, offset, device, inode, file;
    fields >> range >> perms >> offset >> device >> inode >> file;
    if (file != canonical || std::stoull(offset, nullptr, 16) != 0) continue;
    return std::stoull(range.substr(0, range.find('-')), nullptr, 16) - *linkAddress;
  }
  return std::nullopt;
}

std::optional<uint64_t> TracedProgram::entryPoint() const {
  std::ifstream auxv("/proc/" + std::to_string(pid_) + "/auxv", std::ios::binary);
  uint64_t pair[2];
  while (auxv.read(reinterpret_cast<char*>(pair), sizeof pair))
    if (pair[0] == AT_ENTRY) return pair[1];
  return std::nullopt;
}

bool TracedProgram::runToRuntimeAddress(uint64_t address, std::string* error) {
  char where[32];
  snprintf(where, sizeof where, "0x%llx", static_cast<unsigned long long>(address));
  errno = 0;
  long original = ptrace(PTRACE_PEEKTEXT, pid_, address, nullptr);
  if (errno != 0) {
    *error = std::string("cannot read the instruction at ") + where + ": " + strerror(errno);
    return false;
  }
  long trapped = (original & ~0xffL) | 0xcc;
  if (ptrace(PTRACE_POKETEXT, pid_, address, trapped) != 0) {
    *error = std::string("cannot set a breakpoint at ") + where + ": " + strerror(errno);
    return false;
  }
  int status = 0;
  int forward = 0;
  for (;;) {
    ptrace(PTRACE_CONT, pid_, nullptr, forward);
    if (waitpid(pid_, &status, 0) != pid_ || !WIFSTOPPED(status)) {
      *error = std::string("the program never reached ") + where + ": it " + describeStatus(status);
      return false;
    }
    if (WSTOPSIG(status) == SIGTRAP) break;
    forward = WSTOPSIG(status);  // the program's own signals are delivered
  }
  ptrace(PTRACE_GETREGS, pid_, nullptr, &registers_.general);
  ptrace(PTRACE_POKETEXT, pid_, address, original);
  if (registers_.general.rip != address + 1) {
    char stoppedAt[32];
    snprintf(stoppedAt, sizeof stoppedAt, "0x%llx", registers_.general.rip - 1);
    *error = std::string("the program trapped at ") + stoppedAt + ", not at " + where;
    return false;
  }
  registers_.general.rip = address;
  ptrace(PTRACE_SETREGS, pid_, nullptr, &registers_.general);
  ptrace(PTRACE_GETFPREGS, pid_, nullptr, &registers_.fp);
  return true;
}

bool TracedProgram::runTo(const std::string& modulePath, uint64_t address, std::string* error) {
  std::optional<uint64_t> bias = loadBias(modulePath);
  if (!bias && !pastEntry_) {
    std::optional<uint64_t> entry = entryPoint();
    if (!entry) {
      *error = "no AT_ENTRY in /proc/PID/auxv";
      return false;
    }
    if (!runToRuntimeAddress(*entry, error)) return false;
    pastEntry_ = true;
    bias = loadBias(modulePath);
  }
  if (!bias) {
    *error = modulePath + " is not mapped in the program";
    return false;
  }
  return runToRuntimeAddress(*bias + address, error);
}

bool TracedProgram::readMemory(uint64_t address, void* buffer, size_t size) const {
  return pread(memFd_, buffer, size, static_cast<off_t>(address)) == static_cast<ssize_t>(size);
}

// ---- recipes ------------------------------------------------------------------

namespace {

uint64_t extend(uint64_t value, unsigned size, bool isSigned) {
  if (size >= 8) return value;
  unsigned bits = size * 8;
  uint64_t mask = (uint64_t{1} << bits) - 1;
  value &= mask;
  if (isSigned && (value >> (bits - 1)) != 0) value |= ~mask;
  return value;
}

bool binary(RecipeOp::Kind kind, uint64_t a, uint64_t b, uint64_t* result, std::string* error) {
  using K = RecipeOp::Kind;
  auto sa = static_cast<int64_t>(a), sb = static_cast<int64_t>(b);
  switch (kind) {
    case K::Add: *result = a + b; return true;
    case K::Sub: *result = a - b; return true;
    case K::Mul: *result = a * b; return true;
    case K::Div:
    case K::Mod:
      if (b == 0) {
        *error = "division by zero";
        return false;
      }
      if (kind == K::Div)
        *result = (sa == INT64_MIN && sb == -1) ? a : static_cast<uint64_t>(sa / sb);
      else
        *result = a % b;
      return true;
    case K::And: *result = a & b; return true;
    case K::Or: *result = a | b; return true;
    case K::Xor: *result = a ^ b; return true;
    case K::Shl: *result = b >= 64 ? 0 : a << b; return true;
    case K::Shr: *result = b >= 64 ? 0 : a >> b; return true;
    case K::Shra: *result = static_cast<uint64_t>(sa >> (b >= 64 ? 63 : b)); return true;
    default: return false;
  }
}

}  // namespace

std::optional<uint64_t> evaluateRecipe(const dwarf::ValueRecipe& recipe, const RecipeContext& context,
                                       std::string* error) {
  using K = RecipeOp::Kind;
  std::vector<uint64_t> stack;
  for (const RecipeOp& op : recipe.ops) {
    size_t needed = 0;
    if (op.kind == K::Read || op.kind == K::Extend || op.kind == K::Neg || op.kind == K::Not ||
        op.kind == K::PlusConstant || op.kind == K::Fp32ToFp64)
      needed = 1;
    else if (op.kind >= K::Add && op.kind <= K::Shra)
      needed = 2;
    if (stack.size() < needed) {
      *error = "stack underflow in `" + recipe.describe() + "`";
      return std::nullopt;
    }
    switch (op.kind) {
      case K::Register:
      case K::EntryRegister: {
        const Registers* registers = op.kind == K::Register ? &context.program->registers() : context.entryRegisters;
        if (registers == nullptr) {
          *error = "no registers saved at entry for register " + std::to_string(op.reg);
          return std::nullopt;
        }
        std::optional<uint64_t> value = registerValue(*registers, op.reg);
        if (!value) {
          *error = "no register numbered " + std::to_string(op.reg);
          return std::nullopt;
        }
        stack.push_back(*value);
        break;
      }
      case K::Constant: stack.push_back(static_cast<uint64_t>(op.value)); break;
      case K::ModuleAddress: stack.push_back(context.moduleBias + static_cast<uint64_t>(op.value)); break;
      case K::SyscallNumber: stack.push_back(context.program->registers().general.orig_rax); break;
      case K::Input:
        if (op.value < 0 || static_cast<size_t>(op.value) >= context.inputs.size()) {
          *error = "no input number " + std::to_string(op.value);
          return std::nullopt;
        }
        stack.push_back(static_cast<uint64_t>(context.inputs[static_cast<size_t>(op.value)]));
        break;
      case K::Read: {
        uint64_t value = 0;
        if (op.size == 0 || op.size > 8 || !context.program->readMemory(stack.back(), &value, op.size)) {
          char text[64];
          snprintf(text, sizeof text, "cannot read %u bytes at 0x%llx", op.size,
                   static_cast<unsigned long long>(stack.back()));
          *error = text;
          return std::nullopt;
        }
        stack.back() = extend(value, op.size, op.isSigned);
        break;
      }
      case K::Extend: stack.back() = extend(stack.back(), op.size, op.isSigned); break;
      case K::Neg: stack.back() = 0 - stack.back(); break;
      case K::Not: stack.back() = ~stack.back(); break;
      case K::PlusConstant: stack.back() += static_cast<uint64_t>(op.value); break;
      case K::Fp32ToFp64: {
        uint32_t single = static_cast<uint32_t>(stack.back());
        float f;
        std::memcpy(&f, &single, sizeof f);
        double d = f;
        std::memcpy(&stack.back(), &d, sizeof d);
        break;
      }
      default: {
        uint64_t b = stack.back();
        stack.pop_back();
        if (!binary(op.kind, stack.back(), b, &stack.back(), error)) return std::nullopt;
      }
    }
  }
  if (stack.size() != 1) {
    *error = "`" + recipe.describe() + "` leaves " + std::to_string(stack.size()) + " values, not one";
    return std::nullopt;
  }
  return stack.back();
}

namespace {

std::string quoteByte(unsigned char c) {
  switch (c) {
    case '\n': return "\\n";
    case '\t': return "\\t";
    case '\r': return "\\r";
    case '\\': return "\\\\";
    case '"': return "\\\"";
    case '\'': return "\\'";
    default: break;
  }
  if (c >= 0x20 && c < 0x7f) return std::string(1, static_cast<char>(c));
  char octal[8];
  snprintf(octal, sizeof octal, "\\%03o", c);
  return octal;
}

}  // namespace

std::optional<std::string> evaluateTarget(const dwarf::TargetValue& value, const RecipeContext& context,
                                          std::string* error) {
  using F = dwarf::PrettyPart::Format;
  if (value.kind == dwarf::TargetValue::Kind::Long) {
    std::optional<uint64_t> number = evaluateRecipe(value.value, context, error);
    if (!number) return std::nullopt;
    return std::to_string(static_cast<int64_t>(*number));
  }
  std::string text;
  for (const dwarf::PrettyPart& part : value.pretty) {
    if (part.format == F::Text) {
      text += part.text;
      continue;
    }
    std::string partError;
    std::optional<uint64_t> number = evaluateRecipe(part.value, context, &partError);
    if (!number) {
      if (!part.mayFault) {
        *error = partError;
        return std::nullopt;
      }
      text += "?";
      continue;
    }
    char buffer[32];
    switch (part.format) {
      case F::Signed: text += std::to_string(static_cast<int64_t>(*number)); break;
      case F::Unsigned: text += std::to_string(*number); break;
      case F::Hex:
        snprintf(buffer, sizeof buffer, "%#llx", static_cast<unsigned long long>(*number));
        text += buffer;
        break;
      case F::Char: text += "'" + quoteByte(static_cast<unsigned char>(*number)) + "'"; break;
      case F::UserString: {
        std::string quoted = "\"";
        uint32_t k = 0;
        unsigned char c = 0;
        for (; k < part.maxLength && context.program->readMemory(*number + k, &c, 1) && c != 0; k++)
          quoted += quoteByte(c);
        // A string whose first byte cannot be read is a fault, as stap's "?".
        text += (k == 0 && !context.program->readMemory(*number, &c, 1)) ? "?" : quoted + "\"";
        break;
      }
      case F::Text: break;
    }
  }
  return text;
}

}  // namespace utap::test
