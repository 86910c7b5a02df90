#include "sluice/common/timer.hpp"

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <vector>

#include <gtest/gtest.h>

namespace sluice {
namespace {

using namespace std::chrono_literals;

// Records what fired, from the timer thread, and lets the test wait for it.
class Fired {
 public:
  std::function<void()> add(int tag) {
    return [this, tag] {
      std::lock_guard lock(mu_);
      tags_.push_back(tag);
      cv_.notify_all();
    };
  }
  bool wait_for_count(std::size_t n, std::chrono::milliseconds limit = 5s) {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, limit, [&] { return tags_.size() >= n; });
  }
  std::vector<int> tags() {
    std::lock_guard lock(mu_);
    return tags_;
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<int> tags_;
};

TEST(TimerService, virtual_timers_fire_in_deadline_order_when_time_passes_them) {
  VirtualClock clock(1000);
  TimerService timers(clock);
  Fired fired;
  timers.schedule_at(1030, fired.add(30));
  timers.schedule_at(1010, fired.add(10));
  timers.schedule_after(20, fired.add(20));
  EXPECT_EQ(timers.pending(), 3u);
  EXPECT_EQ(timers.next_deadline(), 1010);
  clock.advance_ms(100);
  ASSERT_TRUE(fired.wait_for_count(3));
  EXPECT_EQ(fired.tags(), (std::vector<int>{10, 20, 30}));
  EXPECT_EQ(timers.pending(), 0u);
  EXPECT_EQ(timers.next_deadline(), -1);
}

TEST(TimerService, virtual_advance_fires_only_the_timers_that_are_due) {
  VirtualClock clock(0);
  TimerService timers(clock);
  Fired fired;
  timers.schedule_at(10, fired.add(1));
  timers.schedule_at(1000, fired.add(2));
  clock.advance_ms(500);
  ASSERT_TRUE(fired.wait_for_count(1));
  std::this_thread::sleep_for(30ms);  // the second must stay pending, whatever the wall clock
  EXPECT_EQ(fired.tags(), std::vector<int>{1});
  EXPECT_EQ(timers.pending(), 1u);
  EXPECT_EQ(timers.next_deadline(), 1000);
  clock.set_ms(1000);
  ASSERT_TRUE(fired.wait_for_count(2));
  EXPECT_EQ(fired.tags(), (std::vector<int>{1, 2}));
}

TEST(TimerService, manual_virtual_time_never_fires_on_its_own) {
  VirtualClock clock(0);
  TimerService timers(clock);
  Fired fired;
  timers.schedule_at(1, fired.add(1));
  EXPECT_FALSE(fired.wait_for_count(1, 50ms));
  EXPECT_EQ(timers.pending(), 1u);
}

TEST(TimerService, cancelled_timers_never_fire) {
  VirtualClock clock(0);
  TimerService timers(clock);
  Fired fired;
  const auto a = timers.schedule_at(10, fired.add(1));
  timers.schedule_at(20, fired.add(2));
  EXPECT_TRUE(timers.cancel(a));
  EXPECT_FALSE(timers.cancel(a));       // already gone
  EXPECT_FALSE(timers.cancel(123456));  // never existed
  clock.advance_ms(100);
  ASSERT_TRUE(fired.wait_for_count(1));
  std::this_thread::sleep_for(20ms);
  EXPECT_EQ(fired.tags(), std::vector<int>{2});
}

TEST(TimerService, cancel_after_firing_reports_false) {
  VirtualClock clock(0);
  TimerService timers(clock);
  Fired fired;
  const auto id = timers.schedule_at(5, fired.add(1));
  clock.advance_ms(5);
  ASSERT_TRUE(fired.wait_for_count(1));
  EXPECT_FALSE(timers.cancel(id));
}

TEST(TimerService, auto_advance_jumps_to_the_next_deadline) {
  VirtualClock clock(0);
  clock.set_auto_advance(true);
  TimerService timers(clock);
  Fired fired;
  const TimeMs year = 365LL * 86'400'000;
  timers.schedule_at(year, fired.add(2));
  timers.schedule_at(3'600'000, fired.add(1));
  const auto started = std::chrono::steady_clock::now();
  ASSERT_TRUE(fired.wait_for_count(2));
  EXPECT_LT(std::chrono::steady_clock::now() - started, 2s);
  EXPECT_EQ(fired.tags(), (std::vector<int>{1, 2}));
  // Time stopped at the last deadline rather than running past it.
  EXPECT_EQ(clock.now_ms(), year);
}

TEST(TimerService, auto_advance_never_jumps_to_a_passive_timer_but_passes_through_it) {
  VirtualClock clock(0);
  clock.set_auto_advance(true);
  TimerService timers(clock);
  Fired fired;
  // A callback's timeout alone: nobody is waiting it out, so time stays.
  timers.schedule_at(99'999'999'000, fired.add(9), /*passive=*/true);
  timers.schedule_at(1'000, fired.add(1), /*passive=*/true);
  EXPECT_FALSE(fired.wait_for_count(1, 50ms));
  EXPECT_EQ(clock.now_ms(), 0);
  // A Wait of 2 s: time jumps to it, firing the passive 1 s timer on the way.
  timers.schedule_at(2'000, fired.add(2));
  ASSERT_TRUE(fired.wait_for_count(2, 2s));
  EXPECT_EQ(fired.tags(), (std::vector<int>{1, 2}));
  EXPECT_EQ(clock.now_ms(), 2'000);
  EXPECT_FALSE(fired.wait_for_count(3, 50ms));
  EXPECT_EQ(clock.now_ms(), 2'000);
}

TEST(TimerService, switching_to_auto_advance_fires_timers_already_waiting) {
  // POST /_sluice/clock {"mode": "auto"} with timers pending: nothing else happens to
  // wake the timer thread, so the switch itself must.
  VirtualClock clock(0);
  TimerService timers(clock);
  Fired fired;
  timers.schedule_at(3'600'000, fired.add(1));
  EXPECT_FALSE(fired.wait_for_count(1, 30ms));
  clock.set_auto_advance(true);
  ASSERT_TRUE(fired.wait_for_count(1, 2s));
  EXPECT_EQ(clock.now_ms(), 3'600'000);
}

TEST(TimerService, real_clock_timers_wait_for_their_deadline) {
  RealClock clock;
  TimerService timers(clock);
  Fired fired;
  const auto started = std::chrono::steady_clock::now();
  timers.schedule_after(40, fired.add(1));
  timers.schedule_after(0, fired.add(0));
  ASSERT_TRUE(fired.wait_for_count(2));
  EXPECT_GE(std::chrono::steady_clock::now() - started, 35ms);
  EXPECT_EQ(fired.tags(), (std::vector<int>{0, 1}));
}

TEST(TimerService, a_callback_may_schedule_and_cancel_timers) {
  VirtualClock clock(0);
  TimerService timers(clock);
  Fired fired;
  TimerService::TimerId doomed = timers.schedule_at(50, fired.add(99));
  auto second = fired.add(2);
  auto first = fired.add(1);
  timers.schedule_at(10, [&, first, second] {
    first();
    timers.cancel(doomed);
    timers.schedule_at(20, second);
  });
  clock.advance_ms(100);
  ASSERT_TRUE(fired.wait_for_count(2));
  std::this_thread::sleep_for(20ms);
  EXPECT_EQ(fired.tags(), (std::vector<int>{1, 2}));
}

TEST(TimerService, stop_is_idempotent_and_pending_timers_are_dropped) {
  VirtualClock clock(0);
  TimerService timers(clock);
  Fired fired;
  timers.schedule_at(10, fired.add(1));
  timers.stop();
  timers.stop();
  clock.advance_ms(100);
  EXPECT_FALSE(fired.wait_for_count(1, 30ms));
}

TEST(TimerService, a_clock_may_outlive_its_timer_services) {
  // Engine tests share one manual clock across fixtures; moving it after a timer service
  // is gone must not call into the dead service.
  VirtualClock clock(0);
  {
    TimerService first(clock);
    first.schedule_at(10, [] {});
  }
  clock.advance_ms(100);
  TimerService second(clock);
  Fired fired;
  second.schedule_at(150, fired.add(1));
  clock.advance_ms(100);
  EXPECT_TRUE(fired.wait_for_count(1));
}

}  // namespace
}  // namespace sluice
