// The loader's side of the module's record stream (runtime/include/utap/
// control.h): parsing what a read of the control file returns, and putting
// the per-CPU streams back into commit order.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace utap::run {

struct Record {
  uint64_t seq = 0;
  uint32_t kind = 0;  // enum utap_record_kind
  std::string payload;
};

// Appends the whole records in `bytes` to `out`. Returns false, with a
// sentence in `error`, when the bytes are not a sequence of whole records
// (a module/loader mismatch: never guess at the rest).
bool parseRecords(std::string_view bytes, std::vector<Record>& out, std::string& error);

// Records arrive per CPU, each CPU's in order, the CPUs interleaved by the
// reader. A record is released as soon as every earlier one has been; a gap
// (a record dropped because its ring was full) is skipped one drain pass
// later: a record is published within its handler, with interrupts off, so
// any sequence number taken before one pass ended is visible by the end of
// the next.
class RecordMerger {
 public:
  void add(Record record);
  // Call after each pass over all the CPUs' rings.
  void endPass();
  // The records that can be released now, in order; `flush` releases all
  // (the module is gone, nothing more can arrive).
  std::vector<Record> take(bool flush = false);
  size_t held() const { return held_.size(); }

 private:
  uint64_t next_ = 1;          // the next sequence number to release
  uint64_t maxSeen_ = 0;       // the highest sequence number added
  uint64_t previousPass_ = 0;  // maxSeen_ at the end of the previous pass
  uint64_t finalUpTo_ = 0;     // a gap at or below this is a dropped record
  std::map<uint64_t, Record> held_;
  std::vector<Record> late_;  // arrived after their gap was given up: released as they come
};

}  // namespace utap::run
