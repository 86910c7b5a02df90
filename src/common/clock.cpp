#include "sluice/common/clock.hpp"

#include <cctype>

namespace sluice {

TimeMs RealClock::now_ms() const {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

VirtualClock::VirtualClock(TimeMs start_ms) : now_(start_ms) {}

Clock::ListenerId VirtualClock::on_advance(std::function<void()> listener) {
  std::lock_guard lock(listeners_mu_);
  const ListenerId id = next_listener_++;
  listeners_.emplace_back(id, std::move(listener));
  return id;
}

void VirtualClock::remove_listener(ListenerId id) {
  {
    std::lock_guard lock(listeners_mu_);
    std::erase_if(listeners_, [id](const auto& l) { return l.first == id; });
  }
  // Wait out a notify() that copied the listener before it was erased.
  std::lock_guard wait(notify_mu_);
}

void VirtualClock::advance_ms(TimeMs delta) {
  if (delta <= 0) return;
  now_.fetch_add(delta, std::memory_order_acq_rel);
  notify();
}

void VirtualClock::set_ms(TimeMs t) {
  TimeMs cur = now_.load();
  while (t > cur && !now_.compare_exchange_weak(cur, t)) {
  }
  if (t > cur) notify();
}

void VirtualClock::set_auto_advance(bool on) {
  if (!auto_advance_.exchange(on) && on) notify();
}

void VirtualClock::notify() {
  std::lock_guard calling(notify_mu_);
  std::vector<std::pair<ListenerId, std::function<void()>>> copy;
  {
    std::lock_guard lock(listeners_mu_);
    copy = listeners_;
  }
  for (auto& [id, fn] : copy)
    fn();
}

TimeMs parse_duration_ms(const std::string& text) {
  if (text.empty()) return -1;
  std::size_t i = 0;
  TimeMs value = 0;
  while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i]))) {
    if (value > (TimeMs{1} << 50)) return -1;
    value = value * 10 + (text[i] - '0');
    ++i;
  }
  if (i == 0) return -1;
  const std::string unit = text.substr(i);
  TimeMs mult;
  if (unit.empty() || unit == "s") {
    mult = 1000;
  } else if (unit == "ms") {
    mult = 1;
  } else if (unit == "m") {
    mult = 60'000;
  } else if (unit == "h") {
    mult = 3'600'000;
  } else if (unit == "d") {
    mult = 86'400'000;
  } else if (unit == "y") {
    mult = 365LL * 86'400'000;
  } else {
    return -1;
  }
  // Refuse rather than wrap: "9000000000000y" is not a time anyone can move to.
  TimeMs ms = 0;
  if (__builtin_mul_overflow(value, mult, &ms)) return -1;
  return ms;
}

}  // namespace sluice
