// Where the loader writes a script's output (run/output_files.h), as stap's
// stapio does: -o FILE, switch_file() to FILE.1, FILE.2, ..., -S SIZE[,N]
// with FILE.0 on and only the newest N kept; and --vm's frames, read back
// across any chunking.
#include "run/output_files.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <vector>

namespace utap::run {
namespace {

namespace fs = std::filesystem;

class OutputFilesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("utap-output-files-" + std::to_string(getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string path() const { return (dir_ / "out").string(); }
  std::string read(const std::string& name) const {
    std::ifstream in(dir_ / name, std::ios::binary);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
  }
  std::vector<std::string> names() const {
    std::vector<std::string> out;
    for (const auto& e : fs::directory_iterator(dir_)) out.push_back(e.path().filename().string());
    std::sort(out.begin(), out.end());
    return out;
  }

  fs::path dir_;
};

TEST_F(OutputFilesTest, SwitchFileGoesOnInFileDotN) {
  OutputFiles files(path(), {});
  std::string error;
  ASSERT_TRUE(files.open(error)) << error;
  ASSERT_TRUE(files.write("first\n", error));
  ASSERT_TRUE(files.switchFile(error));
  ASSERT_TRUE(files.write("second\n", error));
  ASSERT_TRUE(files.switchFile(error));
  ASSERT_TRUE(files.write("third\n", error));
  EXPECT_EQ(names(), (std::vector<std::string>{"out", "out.1", "out.2"}));
  EXPECT_EQ(read("out"), "first\n");
  EXPECT_EQ(read("out.1"), "second\n");
  EXPECT_EQ(read("out.2"), "third\n");
}

TEST_F(OutputFilesTest, SizeLimitStartsAtDotZeroAndSwitchesAfterTheWriteThatPassesIt) {
  OutputFiles files(path(), OutputLimits{1u << 20, 0});
  std::string error, mb(1u << 20, 'x');
  ASSERT_TRUE(files.open(error)) << error;
  ASSERT_TRUE(files.write(mb, error));  // exactly the limit: not past it
  ASSERT_TRUE(files.write("a", error));  // past it now
  ASSERT_TRUE(files.write("b", error));  // so this goes to the next file
  EXPECT_EQ(names(), (std::vector<std::string>{"out.0", "out.1"}));
  EXPECT_EQ(read("out.0").size(), mb.size() + 1);
  EXPECT_EQ(read("out.1"), "b");
}

TEST_F(OutputFilesTest, CountKeepsTheNewestFiles) {
  OutputFiles files(path(), OutputLimits{1u << 20, 2});
  std::string error;
  ASSERT_TRUE(files.open(error)) << error;
  for (const char* text : {"0", "1", "2", "3"}) {
    ASSERT_TRUE(files.write(text, error));
    if (std::string(text) != "3") ASSERT_TRUE(files.switchFile(error));
  }
  EXPECT_EQ(names(), (std::vector<std::string>{"out.2", "out.3"}));
  EXPECT_EQ(read("out.3"), "3");
}

TEST_F(OutputFilesTest, UnwritableFileIsASentence) {
  OutputFiles files((dir_ / "no" / "such" / "out").string(), {});
  std::string error;
  EXPECT_FALSE(files.open(error));
  EXPECT_NE(error.find("cannot write '"), std::string::npos) << error;
}

TEST(OutputLimits, ParsesSizeAndCount) {
  OutputLimits limits;
  std::string error;
  ASSERT_TRUE(parseOutputLimits("5", limits, error)) << error;
  EXPECT_EQ(limits.sizeBytes, 5u << 20);
  EXPECT_EQ(limits.count, 0u);
  ASSERT_TRUE(parseOutputLimits("1,3", limits, error)) << error;
  EXPECT_EQ(limits.count, 3u);
  for (const char* bad : {"", "0", "x", "1,", "1,0", ",2", "-1", "1,2,3"}) {
    EXPECT_FALSE(parseOutputLimits(bad, limits, error)) << bad;
    EXPECT_NE(error.find("-S takes SIZE[,N]"), std::string::npos) << error;
  }
}

TEST(OutputFrames, ReadBackAcrossAnyChunking) {
  std::string stream = frames::output("hello ") + frames::switchFile() + frames::output("") +
                       frames::output(std::string(300, 'z'));
  for (size_t chunk : {1u, 2u, 5u, 7u, 1000u}) {
    frames::Reader reader;
    std::string seen;
    for (size_t at = 0; at < stream.size(); at += chunk) {
      ASSERT_TRUE(reader.feed(std::string_view(stream).substr(at, chunk), [&](char kind, std::string_view p) {
        seen += kind;
        seen += std::to_string(p.size());
        return true;
      }));
    }
    EXPECT_EQ(seen, "O6S0O0O300") << "chunk " << chunk;
    EXPECT_EQ(reader.pending(), 0u);
  }
}

TEST(OutputFrames, BytesThatAreNotFramesAreRefused) {
  frames::Reader reader;
  EXPECT_FALSE(reader.feed("plain text output\n", [](char, std::string_view) { return true; }));
}

}  // namespace
}  // namespace utap::run
