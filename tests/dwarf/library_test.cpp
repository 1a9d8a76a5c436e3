// Library and executable search against the dynamic loader itself (ldd,
// which runs ld.so in trace mode) and ldconfig -p (the cache's reader):
// RUNPATH with $ORIGIN, LD_LIBRARY_PATH before RUNPATH but after RPATH,
// every x86-64 entry of /etc/ld.so.cache, files of the wrong class skipped.
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <map>

#include "dwarf/module.h"
#include "oracle.h"
#include "test_programs.h"

namespace utap::dwarf {
namespace {

namespace fs = std::filesystem;
using test::openModule;
using test::runCommand;
using test::testProgram;

// Sets (or unsets, for null) an environment variable for one scope.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const char* value) : name_(name) {
    if (const char* old = getenv(name)) old_ = old;
    if (value)
      setenv(name, value, 1);
    else
      unsetenv(name);
  }
  ~ScopedEnv() {
    if (old_)
      setenv(name_, old_->c_str(), 1);
    else
      unsetenv(name_);
  }

 private:
  const char* name_;
  std::optional<std::string> old_;
};

// A fresh directory under the test's temporary directory, removed at the end.
class TempDir {
 public:
  TempDir() : path_((fs::path(testing::TempDir()) / "utap-lib-XXXXXX").string()) {
    if (!mkdtemp(path_.data())) path_.clear();
  }
  ~TempDir() {
    if (!path_.empty()) fs::remove_all(path_);
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

std::string canonical(const std::string& path) { return fs::canonical(path).string(); }

// ldd's "name => path" pairs for `program`, with `environment` added.
std::map<std::string, std::string> lddLibraries(const std::string& program,
                                                const std::vector<std::string>& environment = {}) {
  std::map<std::string, std::string> found;
  test::CommandResult r = runCommand({"ldd", program}, false, environment);
  for (const std::string& line : test::splitLines(r.out)) {
    std::vector<std::string> words = test::splitWords(line);
    if (words.size() >= 3 && words[1] == "=>" && words[2][0] == '/') found[words[0]] = canonical(words[2]);
  }
  return found;
}

// Every library ldd lists for `program` is found where ld.so found it.
void expectAgreesWithLdd(const std::string& program) {
  SCOPED_TRACE(program);
  auto module = openModule(program);
  ASSERT_TRUE(module);
  std::map<std::string, std::string> ldd = lddLibraries(program);
  ASSERT_FALSE(ldd.empty());
  for (const auto& [name, path] : ldd) EXPECT_EQ(findLibrary(*module, name).value_or("(none)"), path) << name;
}

TEST(FindLibrary, AgreesWithLdd) {
  ScopedEnv noLibraryPath("LD_LIBRARY_PATH", nullptr);
  for (const char* name : {"uselib", "cxxprog-O2", "cprog-O2"}) expectAgreesWithLdd(testProgram(name));
  for (const char* path : {"/bin/ls", "/usr/bin/python3.11"})
    if (fs::exists(path)) expectAgreesWithLdd(path);
}

TEST(FindLibrary, RunpathOriginAndRealPath) {
  ScopedEnv noLibraryPath("LD_LIBRARY_PATH", nullptr);
  auto uselib = openModule(testProgram("uselib"));
  ASSERT_TRUE(uselib);
  EXPECT_EQ(findLibrary(*uselib, "libutaptest.so"), canonical(testProgram("libutaptest.so")));
  // As stap prints it: the real file behind the soname's symlink.
  auto libstdcxx = findLibrary(*openModule(testProgram("cxxprog-O2")), "libstdc++.so.6");
  ASSERT_TRUE(libstdcxx);
  EXPECT_EQ(*libstdcxx, canonical("/usr/lib/x86_64-linux-gnu/libstdc++.so.6"));
  EXPECT_NE(libstdcxx->find("libstdc++.so.6."), std::string::npos) << *libstdcxx;
}

TEST(FindLibrary, AbsoluteAndMissingNames) {
  auto ls = openModule(testProgram("cprog-O2"));
  ASSERT_TRUE(ls);
  EXPECT_EQ(findLibrary(*ls, "/usr/lib/x86_64-linux-gnu/libc.so.6"), "/usr/lib/x86_64-linux-gnu/libc.so.6");
  EXPECT_EQ(findLibrary(*ls, "libutap-no-such-library.so.9"), std::nullopt);
  EXPECT_EQ(findLibrary(*ls, "/nonexistent/libc.so.6"), std::nullopt);
  EXPECT_EQ(findLibrary(*ls, ""), std::nullopt);
}

// Copies `file` into `dir`, keeping its name.
std::string copyInto(const std::string& file, const std::string& dir) {
  std::string to = dir + "/" + fs::path(file).filename().string();
  fs::copy_file(file, to, fs::copy_options::overwrite_existing);
  return to;
}

// Rewrites the DT_RUNPATH entry of `path` into DT_RPATH: same string, the
// other search rule. The dynamic section is found through readelf -S.
bool runpathToRpath(const std::string& path) {
  test::CommandResult r = runCommand({"readelf", "-SW", path});
  uint64_t offset = 0, size = 0;
  for (const std::string& line : test::splitLines(r.out)) {
    size_t at = line.find(".dynamic ");
    if (at == std::string::npos) continue;
    std::vector<std::string> words = test::splitWords(line.substr(at));
    // .dynamic DYNAMIC address offset size ...
    if (words.size() < 5) return false;
    offset = test::parseNumber("0x" + words[3]).value_or(0);
    size = test::parseNumber("0x" + words[4]).value_or(0);
  }
  if (!offset) return false;
  std::fstream file(path, std::ios::in | std::ios::out | std::ios::binary);
  for (uint64_t at = offset; at + 16 <= offset + size; at += 16) {
    int64_t tag = 0;
    file.seekg(static_cast<std::streamoff>(at));
    file.read(reinterpret_cast<char*>(&tag), sizeof tag);
    if (tag != 29) continue;  // DT_RUNPATH
    int64_t rpath = 15;       // DT_RPATH
    file.seekp(static_cast<std::streamoff>(at));
    file.write(reinterpret_cast<const char*>(&rpath), sizeof rpath);
    return static_cast<bool>(file);
  }
  return false;
}

// uselib and its library in one directory ($ORIGIN), another copy of the
// library in a second directory named by LD_LIBRARY_PATH: ld.so takes the
// second under RUNPATH and the first under RPATH.
TEST(FindLibrary, LdLibraryPathAfterRpathBeforeRunpath) {
  TempDir programDir, libraryDir;
  ASSERT_FALSE(programDir.path().empty() || libraryDir.path().empty());
  std::string runpathProgram = copyInto(testProgram("uselib"), programDir.path());
  std::string rpathProgram = programDir.path() + "/uselib-rpath";
  fs::copy_file(runpathProgram, rpathProgram);
  ASSERT_TRUE(runpathToRpath(rpathProgram));
  std::string beside = canonical(copyInto(testProgram("libutaptest.so"), programDir.path()));
  std::string inLibraryPath = canonical(copyInto(testProgram("libutaptest.so"), libraryDir.path()));

  std::string env = "LD_LIBRARY_PATH=" + libraryDir.path();
  ScopedEnv libraryPath("LD_LIBRARY_PATH", libraryDir.path().c_str());
  EXPECT_EQ(lddLibraries(runpathProgram, {env}).at("libutaptest.so"), inLibraryPath);
  EXPECT_EQ(findLibrary(*openModule(runpathProgram), "libutaptest.so"), inLibraryPath);
  EXPECT_EQ(lddLibraries(rpathProgram, {env}).at("libutaptest.so"), beside);
  EXPECT_EQ(findLibrary(*openModule(rpathProgram), "libutaptest.so"), beside);
}

// ld.so passes over libraries of another ELF class: a 32-bit libc first
// in LD_LIBRARY_PATH does not hide the x86-64 one.
TEST(FindLibrary, SkipsLibrariesOfAnotherClass) {
  if (!fs::exists("/lib32/libc.so.6")) GTEST_SKIP() << "no 32-bit libc in /lib32";
  ScopedEnv libraryPath("LD_LIBRARY_PATH", "/lib32");
  std::string program = testProgram("cprog-O2");
  std::string expected = lddLibraries(program, {"LD_LIBRARY_PATH=/lib32"}).at("libc.so.6");
  EXPECT_EQ(expected, canonical("/lib/x86_64-linux-gnu/libc.so.6"));
  EXPECT_EQ(findLibrary(*openModule(program), "libc.so.6"), expected);
}

// Every x86-64 library of /etc/ld.so.cache, as ldconfig -p prints it (the
// first of each name wins, as in ld.so), from a program without RUNPATH.
TEST(FindLibrary, EveryCacheEntryAsLdconfigPrintsIt) {
  ScopedEnv noLibraryPath("LD_LIBRARY_PATH", nullptr);
  test::CommandResult r = runCommand({"ldconfig", "-p"});
  if (r.exitStatus != 0) r = runCommand({"/sbin/ldconfig", "-p"});
  ASSERT_EQ(r.exitStatus, 0) << r.out;
  std::map<std::string, std::string> cache;
  for (const std::string& line : test::splitLines(r.out)) {
    // "\tlibz.so.1 (libc6,x86-64) => /lib/x86_64-linux-gnu/libz.so.1"
    size_t open = line.find(" ("), arrow = line.find(") => ");
    if (open == std::string::npos || arrow == std::string::npos) continue;
    std::string flags = line.substr(open + 2, arrow - open - 2);
    if (flags.rfind("libc6,x86-64", 0) != 0 || flags.find("hwcap") != std::string::npos) continue;
    std::string name = test::splitWords(line.substr(0, open)).at(0);
    std::string path = line.substr(arrow + 5);
    if (fs::exists(path)) cache.try_emplace(name, canonical(path));
  }
  ASSERT_GT(cache.size(), 10u);
  auto module = openModule(testProgram("cprog-O2"));
  ASSERT_TRUE(module);
  for (const auto& [name, path] : cache) EXPECT_EQ(findLibrary(*module, name).value_or("(none)"), path) << name;
}

// Runs the scope in another working directory.
class ScopedCwd {
 public:
  explicit ScopedCwd(const std::string& dir) : old_(fs::current_path()) { fs::current_path(dir); }
  ~ScopedCwd() { fs::current_path(old_); }

 private:
  fs::path old_;
};

void writeScript(const std::string& path, const std::string& text) {
  std::ofstream(path) << text;
  fs::permissions(path, fs::perms::owner_all | fs::perms::group_read | fs::perms::others_read);
}

TEST(FindExecutable, BareNamesThroughPathThenTheWorkingDirectory) {
  ScopedEnv path("PATH", "/nonexistent-dir:/usr/bin:/bin");
  std::string error;
  EXPECT_EQ(findExecutable("ls", &error), canonical("/usr/bin/ls")) << error;
  EXPECT_EQ(findExecutable("utap-no-such-program", &error), std::nullopt);
  EXPECT_EQ(error,
            "cannot find the program \"utap-no-such-program\" in $PATH (/nonexistent-dir:/usr/bin:/bin) or the "
            "working directory; give its path");
  // A directory and a file without x permission in $PATH are passed over.
  TempDir dir;
  fs::create_directory(dir.path() + "/ls");
  std::ofstream(dir.path() + "/cat") << "#!/bin/sh\n";
  std::string list = dir.path() + ":/usr/bin";
  ScopedEnv inFront("PATH", list.c_str());
  EXPECT_EQ(findExecutable("ls", &error), canonical("/usr/bin/ls")) << error;
  EXPECT_EQ(findExecutable("cat", &error), canonical("/usr/bin/cat")) << error;
  // stap takes a name that is not in $PATH from the working directory.
  std::string program = canonical(testProgram("cprog-O2"));
  TempDir cwd;
  fs::copy_file(program, cwd.path() + "/here");
  ScopedCwd in(cwd.path());
  EXPECT_EQ(findExecutable("here", &error), cwd.path() + "/here") << error;
}

TEST(FindExecutable, PathsAreAbsoluteWithSymlinksFollowed) {
  std::string program = canonical(testProgram("cprog-O2"));
  std::string error;
  EXPECT_EQ(findExecutable(program, &error), program) << error;
  std::string relative = fs::relative(program, fs::current_path()).string();
  ASSERT_NE(relative[0], '/');
  EXPECT_EQ(findExecutable(relative, &error), program) << error;
  TempDir dir;
  fs::create_symlink(program, dir.path() + "/link");
  EXPECT_EQ(findExecutable(dir.path() + "/link", &error), program) << error;
  // Shared libraries are 0644, and stap probes them (and any ELF file) by path.
  std::string library = canonical("/usr/lib/x86_64-linux-gnu/libc.so.6");
  EXPECT_EQ(findExecutable("/usr/lib/x86_64-linux-gnu/libc.so.6", &error), library) << error;
  std::string copy = dir.path() + "/not-executable";
  fs::copy_file(program, copy);
  fs::permissions(copy, fs::perms::owner_read | fs::perms::owner_write);
  EXPECT_EQ(findExecutable(copy, &error), copy) << error;
}

// stapprobes(3stap): a script's interpreter is probed.
TEST(FindExecutable, ScriptsMeanTheirInterpreter) {
  TempDir dir;
  std::string error;
  std::string sh = canonical("/bin/sh");
  writeScript(dir.path() + "/plain", "#!/bin/sh\necho hi\n");
  EXPECT_EQ(findExecutable(dir.path() + "/plain", &error), sh) << error;
  writeScript(dir.path() + "/spaced", "#! /bin/sh -e\necho hi\n");
  EXPECT_EQ(findExecutable(dir.path() + "/spaced", &error), sh) << error;
  ScopedEnv path("PATH", "/usr/bin:/bin");
  writeScript(dir.path() + "/env", "#!/usr/bin/env sh\necho hi\n");
  EXPECT_EQ(findExecutable(dir.path() + "/env", &error), canonical("/usr/bin/sh")) << error;
  // A script interpreting scripts: the kernel follows the chain.
  writeScript(dir.path() + "/nested", fmt::format("#!{}/plain\n", dir.path()));
  EXPECT_EQ(findExecutable(dir.path() + "/nested", &error), sh) << error;

  writeScript(dir.path() + "/missing", "#!/nonexistent/interpreter\n");
  EXPECT_EQ(findExecutable(dir.path() + "/missing", &error), std::nullopt);
  EXPECT_EQ(error, dir.path() + "/missing is a script, and its interpreter /nonexistent/interpreter does not exist");
  writeScript(dir.path() + "/noenv", "#!/usr/bin/env utap-no-such-interpreter\n");
  EXPECT_EQ(findExecutable(dir.path() + "/noenv", &error), std::nullopt);
  EXPECT_EQ(error, dir.path() +
                       "/noenv is a script run by \"utap-no-such-interpreter\" through env, which is not in $PATH "
                       "(/usr/bin:/bin)");
  writeScript(dir.path() + "/loop", fmt::format("#!{}/loop\n", dir.path()));
  EXPECT_EQ(findExecutable(dir.path() + "/loop", &error), std::nullopt);
  EXPECT_NE(error.find("interpreters nest more than 4 deep"), std::string::npos) << error;
}

TEST(FindExecutable, ErrorsAreSentences) {
  TempDir dir;
  std::string error;
  std::string missing = dir.path() + "/missing";
  EXPECT_EQ(findExecutable(missing, &error), std::nullopt);
  EXPECT_EQ(error, missing + " does not exist");
  EXPECT_EQ(findExecutable(dir.path(), &error), std::nullopt);
  EXPECT_EQ(error, dir.path() + " is not a regular file; give a program or a shared library");
  EXPECT_EQ(findExecutable("", &error), std::nullopt);
  EXPECT_EQ(error, "the process name is empty; give a path or a program name in $PATH");
}

}  // namespace
}  // namespace utap::dwarf
