// The loader's record stream: parsing reads of the control file, and
// merging per-CPU streams back into commit order, with dropped records
// (gaps) given up one pass after they could have arrived. And the loader's
// check that the running kernel can load modules at all.
#include "run/records.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <fstream>

#include "run/loader.h"

extern "C" {
#include "utap/control.h"
}

namespace utap::run {
namespace {

std::string encode(uint64_t seq, uint32_t kind, const std::string& payload) {
  utap_record_header h{seq, static_cast<uint32_t>(payload.size()), kind};
  std::string out(UTAP_RECORD_SPACE(payload.size()), '\0');
  std::memcpy(out.data(), &h, sizeof(h));
  std::memcpy(out.data() + sizeof(h), payload.data(), payload.size());
  return out;
}

Record rec(uint64_t seq) { return Record{seq, UTAP_RECORD_OUTPUT, std::to_string(seq)}; }

std::string seqs(const std::vector<Record>& records) {
  std::string s;
  for (const auto& r : records) s += (s.empty() ? "" : " ") + std::to_string(r.seq);
  return s;
}

TEST(Records, ParseWholeRecords) {
  std::string bytes = encode(1, UTAP_RECORD_OUTPUT, "hello\n") + encode(2, UTAP_RECORD_ERROR, "ERROR: x") +
                      encode(3, UTAP_RECORD_EXIT, "");
  std::vector<Record> out;
  std::string error;
  ASSERT_TRUE(parseRecords(bytes, out, error)) << error;
  ASSERT_EQ(out.size(), 3u);
  EXPECT_EQ(out[0].payload, "hello\n");
  EXPECT_EQ(out[1].kind, uint32_t(UTAP_RECORD_ERROR));
  EXPECT_EQ(out[2].payload, "");
}

TEST(Records, TruncatedInputIsAnError) {
  std::string bytes = encode(1, UTAP_RECORD_OUTPUT, "hello\n");
  std::vector<Record> out;
  std::string error;
  EXPECT_FALSE(parseRecords(std::string_view(bytes).substr(0, 10), out, error));
  EXPECT_NE(error.find("not a whole record header"), std::string::npos);
  error.clear();
  EXPECT_FALSE(parseRecords(std::string_view(bytes).substr(0, 20), out, error));
  EXPECT_NE(error.find("with only"), std::string::npos);
}

TEST(RecordMerger, InterleavedCpusComeOutInOrder) {
  RecordMerger m;
  m.add(rec(2));  // CPU 1
  m.add(rec(4));
  EXPECT_EQ(seqs(m.take()), "");
  m.add(rec(1));  // CPU 0
  m.add(rec(3));
  EXPECT_EQ(seqs(m.take()), "1 2 3 4");
}

TEST(RecordMerger, GapsAreGivenUpOnePassLater) {
  RecordMerger m;
  m.add(rec(1));
  m.add(rec(3));  // 2 was dropped, or is in flight on another CPU
  EXPECT_EQ(seqs(m.take()), "1");
  m.endPass();  // 2 may still arrive during the next pass
  EXPECT_EQ(seqs(m.take()), "");
  m.add(rec(4));
  m.endPass();  // 2 was taken before the previous pass ended: it is gone
  EXPECT_EQ(seqs(m.take()), "3 4");
}

TEST(RecordMerger, LateRecordsAreNotLost) {
  RecordMerger m;
  m.add(rec(2));
  m.endPass();
  m.endPass();
  EXPECT_EQ(seqs(m.take()), "2");
  m.add(rec(1));  // after its gap was given up
  EXPECT_EQ(seqs(m.take()), "1");
}

TEST(RecordMerger, FlushReleasesEverything) {
  RecordMerger m;
  m.add(rec(5));
  m.add(rec(9));
  EXPECT_EQ(seqs(m.take(true)), "5 9");
  EXPECT_EQ(m.held(), 0u);
}

}  // namespace
}  // namespace utap::run

namespace utap::run {
namespace {

// A fake /proc with `modules` present or not and modules_disabled set to `disabled`.
std::string fakeProc(bool modules, const char* disabled) {
  static int serial = 0;
  auto dir = std::filesystem::temp_directory_path() /
             ("utap-proc-test-" + std::to_string(getpid()) + "-" + std::to_string(serial++));
  std::filesystem::create_directories(dir / "sys/kernel");
  if (modules) std::ofstream(dir / "modules") << "";
  if (disabled) std::ofstream(dir / "sys/kernel/modules_disabled") << disabled;
  return dir.string();
}

TEST(Loader, SaysWhenTheRunningKernelCannotLoadModules) {
  std::string none = fakeProc(false, nullptr);
  EXPECT_NE(moduleLoadingUnavailable(none).find("built without CONFIG_MODULES; run the script in a guest with --vm"),
            std::string::npos);
  std::string disabled = fakeProc(true, "1\n");
  EXPECT_NE(moduleLoadingUnavailable(disabled).find("modules_disabled is 1"), std::string::npos);
  std::string fine = fakeProc(true, "0\n");
  EXPECT_EQ(moduleLoadingUnavailable(fine), "");
  for (const auto& d : {none, disabled, fine}) std::filesystem::remove_all(d);
}

}  // namespace
}  // namespace utap::run
