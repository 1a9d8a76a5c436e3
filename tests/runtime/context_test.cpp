// The context pool: every context can be taken once, an empty pool counts a
// skipped hit, contexts come back reset, and frames nest up to MAXNESTING.
#include <gtest/gtest.h>

#include <vector>

extern "C" {
#include "utap/base.h"
#include "utap/limit_defaults.h"
}

namespace {

class RuntimeContext : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_EQ(utap_contexts_init(4096), 0); }
  void TearDown() override { utap_contexts_free(); }
};

TEST_F(RuntimeContext, PoolRunsOutAndCountsSkips) {
  std::vector<utap_context*> taken;
  while (utap_context* c = utap_context_get("begin", MAXACTION)) taken.push_back(c);
  EXPECT_EQ(taken.size(), 2u * utap_test_nr_cpus + 4 + UTAP_TASK_CONTEXTS);
  uint64_t skipped = utap_contexts_skipped();
  EXPECT_EQ(utap_context_get("begin", MAXACTION), nullptr);
  EXPECT_EQ(utap_contexts_skipped(), skipped + 1);
  utap_context_put(taken.back());
  utap_context* again = utap_context_get("end", 5);
  ASSERT_EQ(again, taken.back());
  EXPECT_STREQ(again->probe_point, "end");
  EXPECT_EQ(again->actions_left, 5);
  for (auto* c : taken) utap_context_put(c);
}

TEST_F(RuntimeContext, ContextsComeBackReset) {
  utap_context* c = utap_context_get("begin", MAXACTION);
  utap_error(c, "boom");
  c->next = true;
  ASSERT_NE(utap_frame_push(c, 100), nullptr);
  utap_context_put(c);
  utap_context* d = utap_context_get("begin", MAXACTION);
  EXPECT_EQ(d->error, nullptr);
  EXPECT_FALSE(d->next);
  EXPECT_EQ(d->frames_used, 0u);
  EXPECT_EQ(d->nesting, 0);
  utap_context_put(d);
}

TEST_F(RuntimeContext, FramesNestUpToMaxNesting) {
  utap_context* c = utap_context_get("begin", MAXACTION);
  std::vector<char*> frames;
  for (int i = 0; i <= MAXNESTING; ++i) {
    char* f = static_cast<char*>(utap_frame_push(c, 16));
    ASSERT_NE(f, nullptr) << i;
    EXPECT_EQ(f[0], 0);
    f[0] = 1;
    frames.push_back(f);
  }
  EXPECT_EQ(utap_frame_push(c, 16), nullptr);
  EXPECT_STREQ(c->error, "MAXNESTING exceeded");
  utap_context_put(c);
}

TEST_F(RuntimeContext, FrameSpaceIsBounded) {
  utap_context* c = utap_context_get("begin", MAXACTION);
  EXPECT_EQ(utap_frame_push(c, 5000), nullptr);
  EXPECT_NE(c->error, nullptr);
  utap_context_put(c);
}

}  // namespace
