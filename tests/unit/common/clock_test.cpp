#include "sluice/common/clock.hpp"

#include <gtest/gtest.h>

namespace sluice {
namespace {

TEST(VirtualClock, starts_where_told_and_moves_only_when_told) {
  VirtualClock clock(1'000'000);
  EXPECT_TRUE(clock.is_virtual());
  EXPECT_EQ(clock.now_ms(), 1'000'000);
  clock.advance_ms(1500);
  EXPECT_EQ(clock.now_ms(), 1'001'500);
  clock.set_ms(2'000'000);
  EXPECT_EQ(clock.now_ms(), 2'000'000);
}

TEST(VirtualClock, never_moves_backwards) {
  VirtualClock clock(5000);
  clock.set_ms(4000);
  EXPECT_EQ(clock.now_ms(), 5000);
  clock.advance_ms(-100);
  EXPECT_EQ(clock.now_ms(), 5000);
  clock.advance_ms(0);
  EXPECT_EQ(clock.now_ms(), 5000);
}

TEST(VirtualClock, listeners_hear_every_move_forward_and_nothing_else) {
  VirtualClock clock(0);
  int calls = 0;
  clock.on_advance([&] { ++calls; });
  clock.advance_ms(10);
  EXPECT_EQ(calls, 1);
  clock.set_ms(20);
  EXPECT_EQ(calls, 2);
  clock.set_ms(20);  // same time: not a move
  clock.set_ms(5);   // backwards: refused
  clock.advance_ms(0);
  EXPECT_EQ(calls, 2);
}

TEST(VirtualClock, auto_advance_is_a_switch) {
  VirtualClock clock(0);
  EXPECT_FALSE(clock.auto_advance());
  clock.set_auto_advance(true);
  EXPECT_TRUE(clock.auto_advance());
}

TEST(RealClock, follows_the_system_clock) {
  RealClock clock;
  EXPECT_FALSE(clock.is_virtual());
  const TimeMs system_now = std::chrono::duration_cast<std::chrono::milliseconds>(
                                std::chrono::system_clock::now().time_since_epoch())
                                .count();
  EXPECT_NEAR(static_cast<double>(clock.now_ms()), static_cast<double>(system_now), 1000.0);
}

TEST(ParseDuration, units) {
  EXPECT_EQ(parse_duration_ms("90"), 90'000);
  EXPECT_EQ(parse_duration_ms("90s"), 90'000);
  EXPECT_EQ(parse_duration_ms("1500ms"), 1500);
  EXPECT_EQ(parse_duration_ms("15m"), 15 * 60'000);
  EXPECT_EQ(parse_duration_ms("2h"), 2 * 3'600'000);
  EXPECT_EQ(parse_duration_ms("3d"), 3LL * 86'400'000);
  EXPECT_EQ(parse_duration_ms("1y"), 365LL * 86'400'000);
  EXPECT_EQ(parse_duration_ms("0"), 0);
}

TEST(ParseDuration, rejects_what_is_not_a_duration) {
  EXPECT_EQ(parse_duration_ms(""), -1);
  EXPECT_EQ(parse_duration_ms("s"), -1);
  EXPECT_EQ(parse_duration_ms("-5s"), -1);
  EXPECT_EQ(parse_duration_ms("1.5h"), -1);
  EXPECT_EQ(parse_duration_ms("5 s"), -1);
  EXPECT_EQ(parse_duration_ms("5w"), -1);
  EXPECT_EQ(parse_duration_ms("5S"), -1);
  EXPECT_EQ(parse_duration_ms("h5"), -1);
}

TEST(ParseDuration, refuses_values_that_overflow_instead_of_wrapping) {
  // 2^53 years does not fit in 64-bit milliseconds; it must not wrap to some other time.
  EXPECT_EQ(parse_duration_ms("9007199254740992y"), -1);
  EXPECT_EQ(parse_duration_ms("999999999999999999999999"), -1);
  EXPECT_EQ(parse_duration_ms("100000000000000d"), -1);
  // Large but representable values still parse.
  EXPECT_EQ(parse_duration_ms("10000y"), 10000LL * 365 * 86'400'000);
}

}  // namespace
}  // namespace sluice
