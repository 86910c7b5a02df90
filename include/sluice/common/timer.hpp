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

  // A passive timer fires when time reaches it but is never where auto-advance jumps
  // to: a timeout that waits on something outside (a callback, a worker) or an expiry
  // nobody waits for. Auto-advance skips the waits someone is waiting out (a Wait state,
  // a retry delay, a message delay, a long poll), not these.
  TimerId schedule_at(TimeMs deadline, std::function<void()> fn, bool passive = false);
  TimerId schedule_after(TimeMs delay_ms, std::function<void()> fn, bool passive = false) {
    return schedule_at(clock_.now_ms() + delay_ms, std::move(fn), passive);
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
  struct Entry {
    TimerId id;
    bool passive;
    std::function<void()> fn;
  };
  // The earliest deadline auto-advance may jump to, or -1.
  TimeMs next_active_locked() const;
  std::multimap<TimeMs, Entry> by_deadline_;
  std::unordered_map<TimerId, std::multimap<TimeMs, Entry>::iterator> by_id_;
  TimerId next_id_ = 1;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace sluice
