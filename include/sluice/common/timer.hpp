#pragma once
// Timers on an injected Clock. One thread waits for the earliest deadline; with a
// virtual clock it wakes when time is advanced. Callbacks run on the timer thread and
// must be short (typically: post work elsewhere or complete a parked request).
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <thread>
#include <unordered_map>

#include "sluice/common/clock.hpp"

namespace sluice {

class TimerService {
 public:
  using TimerId = std::uint64_t;
  explicit TimerService(Clock& clock);
  ~TimerService();
  TimerService(const TimerService&) = delete;
  TimerService& operator=(const TimerService&) = delete;

  TimerId schedule_at(TimeMs deadline, std::function<void()> fn);
  TimerId schedule_after(TimeMs delay_ms, std::function<void()> fn) {
    return schedule_at(clock_.now_ms() + delay_ms, std::move(fn));
  }
  // Returns false if the timer already fired or never existed.
  bool cancel(TimerId id);
  // Earliest pending deadline, or -1 when none (used by virtual auto-advance).
  TimeMs next_deadline() const;
  std::size_t pending() const;
  void stop();

 private:
  void run();
  Clock& clock_;
  Clock::ListenerId listener_ = 0;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::multimap<TimeMs, std::pair<TimerId, std::function<void()>>> by_deadline_;
  std::unordered_map<TimerId,
                     std::multimap<TimeMs, std::pair<TimerId, std::function<void()>>>::iterator>
      by_id_;
  TimerId next_id_ = 1;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace sluice
