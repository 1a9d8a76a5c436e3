// Script errors: the first error of a hit wins, and long messages are cut
// at MAXSTRINGLEN, never overflowed.
#include <gtest/gtest.h>

#include <string>

extern "C" {
#include "utap/base.h"
#include "utap/limit_defaults.h"
}

namespace {

TEST(RuntimeError, FirstErrorIsKept) {
  utap_context c{};
  utap_error(&c, "division by zero near operator '%s' at %s", "/", "x.stp:3:9");
  utap_error(&c, "second");
  ASSERT_NE(c.error, nullptr);
  EXPECT_STREQ(c.error, "division by zero near operator '/' at x.stp:3:9");
}

TEST(RuntimeError, LongMessagesAreTruncated) {
  utap_context c{};
  std::string longText(1000, 'x');
  utap_error(&c, "%s", longText.c_str());
  EXPECT_EQ(std::string(c.error).size(), size_t(MAXSTRINGLEN - 1));
}

}  // namespace

namespace {

TEST(RuntimeError, TheInnermostConstructSaysWhere) {
  utap_context c{};
  utap_error(&c, "division by zero");
  utap_error_near(&c, "operator '/' at x.stp:3:9");
  utap_error_near(&c, "identifier 'f' at x.stp:7:3");
  EXPECT_STREQ(c.error, "division by zero near operator '/' at x.stp:3:9");
}

int actionsUntilLimit(utap_context* c) {
  int executed = 0;
  for (;;) {
    utap_action(c, out);
    ++executed;
  }
out:
  return executed;
}

TEST(RuntimeError, MaxActionStopsTheHit) {
  utap_context c{};
  c.actions_left = 3;
  EXPECT_EQ(actionsUntilLimit(&c), 3);
  EXPECT_STREQ(c.error, "MAXACTION exceeded");
}

}  // namespace
