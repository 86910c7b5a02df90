#include "sluice/common/timer.hpp"

namespace sluice {

namespace {
// In virtual auto-advance mode, time jumps to the next deadline once the timer queue has
// been left alone for this long (real time): long enough for request handlers that are
// about to schedule earlier work to do so.
constexpr auto kAutoAdvanceIdle = std::chrono::milliseconds(5);
}  // namespace

TimerService::TimerService(Clock& clock) : clock_(clock) {
  listener_ = clock_.on_advance([this] {
    std::lock_guard lock(mu_);
    cv_.notify_all();
  });
  thread_ = std::thread([this] { run(); });
}

TimerService::~TimerService() {
  stop();
  clock_.remove_listener(listener_);
}

void TimerService::stop() {
  {
    std::lock_guard lock(mu_);
    if (stopping_) {
      if (thread_.joinable() && thread_.get_id() != std::this_thread::get_id()) thread_.join();
      return;
    }
    stopping_ = true;
    cv_.notify_all();
  }
  if (thread_.joinable() && thread_.get_id() != std::this_thread::get_id()) thread_.join();
}

TimerService::TimerId TimerService::schedule_at(TimeMs deadline, std::function<void()> fn,
                                                bool passive) {
  std::lock_guard lock(mu_);
  TimerId id = next_id_++;
  auto it = by_deadline_.emplace(deadline, Entry{id, passive, std::move(fn)});
  by_id_.emplace(id, it);
  cv_.notify_all();
  return id;
}

bool TimerService::cancel(TimerId id) {
  std::lock_guard lock(mu_);
  auto it = by_id_.find(id);
  if (it == by_id_.end()) return false;
  by_deadline_.erase(it->second);
  by_id_.erase(it);
  cv_.notify_all();
  return true;
}

TimeMs TimerService::next_deadline() const {
  std::lock_guard lock(mu_);
  return by_deadline_.empty() ? -1 : by_deadline_.begin()->first;
}

TimeMs TimerService::next_active_locked() const {
  for (const auto& [deadline, entry] : by_deadline_)
    if (!entry.passive) return deadline;
  return -1;
}

std::size_t TimerService::pending() const {
  std::lock_guard lock(mu_);
  return by_deadline_.size();
}

void TimerService::run() {
  std::unique_lock lock(mu_);
  while (!stopping_) {
    const TimeMs now = clock_.now_ms();
    if (!by_deadline_.empty() && by_deadline_.begin()->first <= now) {
      auto it = by_deadline_.begin();
      auto fn = std::move(it->second.fn);
      by_id_.erase(it->second.id);
      by_deadline_.erase(it);
      lock.unlock();
      fn();
      lock.lock();
      continue;
    }
    if (by_deadline_.empty()) {
      cv_.wait(lock);
      continue;
    }
    const TimeMs next = by_deadline_.begin()->first;
    if (clock_.is_virtual()) {
      auto& vclock = static_cast<VirtualClock&>(clock_);
      if (vclock.auto_advance() && next_active_locked() >= 0) {
        const std::size_t before = next_id_;
        if (cv_.wait_for(lock, kAutoAdvanceIdle) == std::cv_status::timeout && !stopping_ &&
            before == next_id_ && next_active_locked() >= 0) {
          const TimeMs target = next_active_locked();
          lock.unlock();
          vclock.set_ms(target);
          lock.lock();
        }
      } else {
        cv_.wait(lock);
      }
      continue;
    }
    cv_.wait_for(lock, std::chrono::milliseconds(next - now));
  }
}

}  // namespace sluice
