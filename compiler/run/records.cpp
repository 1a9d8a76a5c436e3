#include "run/records.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstring>

extern "C" {
#include "utap/control.h"
}

namespace utap::run {

bool parseRecords(std::string_view bytes, std::vector<Record>& out, std::string& error) {
  size_t at = 0;
  while (at < bytes.size()) {
    utap_record_header h;
    if (bytes.size() - at < sizeof(h)) {
      error = fmt::format("the module sent {} bytes that are not a whole record header", bytes.size() - at);
      return false;
    }
    std::memcpy(&h, bytes.data() + at, sizeof(h));
    uint64_t space = UTAP_RECORD_SPACE(h.len);
    if (space > bytes.size() - at) {
      error = fmt::format("the module sent a record of {} bytes with only {} bytes following", h.len,
                          bytes.size() - at - sizeof(h));
      return false;
    }
    out.push_back(Record{h.seq, h.kind, std::string(bytes.substr(at + sizeof(h), h.len))});
    at += space;
  }
  return true;
}

void RecordMerger::add(Record record) {
  if (record.seq < next_) {
    late_.push_back(std::move(record));
    return;
  }
  maxSeen_ = std::max(maxSeen_, record.seq);
  held_.emplace(record.seq, std::move(record));
}

void RecordMerger::endPass() {
  finalUpTo_ = previousPass_;
  previousPass_ = maxSeen_;
}

std::vector<Record> RecordMerger::take(bool flush) {
  std::vector<Record> out = std::move(late_);
  late_.clear();
  while (!held_.empty()) {
    uint64_t seq = held_.begin()->first;
    if (seq != next_) {
      if (flush)
        next_ = seq;
      else if (next_ <= finalUpTo_)
        next_ = std::min(seq, finalUpTo_ + 1);
      if (seq != next_) break;
    }
    out.push_back(std::move(held_.begin()->second));
    held_.erase(held_.begin());
    next_ = seq + 1;
  }
  return out;
}

}  // namespace utap::run
