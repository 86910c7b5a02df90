#pragma once
// All time comes from an injected Clock (see DESIGN.md: Concurrency and time).
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <vector>

namespace sluice {

// Milliseconds since the Unix epoch: the unit of every timestamp SQS/SNS/SFN expose.
using TimeMs = std::int64_t;

class Clock {
 public:
  virtual ~Clock() = default;
  virtual TimeMs now_ms() const = 0;
  using ListenerId = std::uint64_t;
  // A listener is called whenever virtual time moves, so that timers scheduled on the
  // clock can fire. The real clock never calls it. Whoever registers a listener removes
  // it before it dies: a clock may outlive its timer services (engine tests share one).
  virtual ListenerId on_advance(std::function<void()> listener) {
    (void)listener;
    return 0;
  }
  // Once this returns the listener is not running (on another thread) and will not be
  // called again.
  virtual void remove_listener(ListenerId id) { (void)id; }
  virtual bool is_virtual() const { return false; }
};

class RealClock final : public Clock {
 public:
  TimeMs now_ms() const override;
};

// Time moves only when told (advance/set), or, in auto-advance mode, the timer service
// jumps it to the next deadline whenever nothing else is waiting to run.
class VirtualClock final : public Clock {
 public:
  explicit VirtualClock(TimeMs start_ms);
  TimeMs now_ms() const override { return now_.load(std::memory_order_acquire); }
  ListenerId on_advance(std::function<void()> listener) override;
  void remove_listener(ListenerId id) override;
  bool is_virtual() const override { return true; }

  void advance_ms(TimeMs delta);
  // Moves time to `t` if it is later than now; time never goes backwards.
  void set_ms(TimeMs t);
  bool auto_advance() const { return auto_advance_.load(); }
  // Switching auto-advance on wakes the listeners (a timer thread parked until time
  // moves must now jump to its next deadline instead).
  void set_auto_advance(bool on);

 private:
  void notify();
  std::atomic<TimeMs> now_;
  std::atomic<bool> auto_advance_{false};
  std::mutex listeners_mu_;
  std::vector<std::pair<ListenerId, std::function<void()>>> listeners_;
  ListenerId next_listener_ = 1;
  // Held while listeners run, so remove_listener can wait for a call in progress.
  // Recursive: a listener may itself move the clock.
  std::recursive_mutex notify_mu_;
};

// Parses durations such as "90", "90s", "1500ms", "15m", "2h", "3d", "1y" into ms.
// Returns -1 when the text is not a duration.
TimeMs parse_duration_ms(const std::string& text);

}  // namespace sluice
