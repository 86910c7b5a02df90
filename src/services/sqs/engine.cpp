// Engine core: queue lookup, the passage of time (retention, delays, visibility
// timeouts), wake-ups on the TimerService, long-poll waiters and message indexes.
#include <set>

#include "internal.hpp"

namespace sluice::services::sqs {

using detail::Completions;
using detail::MessageState;
using detail::Queue;
using detail::StoredMessage;

std::shared_ptr<SqsEngine> SqsEngine::create(Runtime& runtime) {
  return std::shared_ptr<SqsEngine>(new SqsEngine(runtime));
}

SqsEngine::SqsEngine(Runtime& runtime) : runtime_(runtime) {}

SqsEngine::~SqsEngine() {
  for (auto& [key, q] : queues_) {
    if (q->timer) runtime_.timers.cancel(q->timer);
    for (auto& w : q->waiters)
      if (w.timer) runtime_.timers.cancel(w.timer);
  }
  for (auto& [id, t] : move_tasks_)
    if (t->timer) runtime_.timers.cancel(t->timer);
}

void SqsEngine::run(Completions& c) {
  for (auto& fn : c.calls)
    fn();
  c.calls.clear();
}

void SqsEngine::when_durable(std::function<void(Status)> done) {
  runtime_.store.after_durable(std::move(done));
}

Queue* SqsEngine::find_queue(const QueueId& id) {
  auto it = queues_.find(id.key());
  return it == queues_.end() ? nullptr : it->second.get();
}

Result<Queue*> SqsEngine::require_queue(const QueueId& id) {
  if (Queue* q = find_queue(id)) return q;
  return Error::sender("QueueDoesNotExist", "The specified queue does not exist.");
}

Status SqsEngine::queue_exists(const QueueId& id) {
  std::lock_guard lock(mu_);
  auto q = require_queue(id);
  SLUICE_TRY(q);
  return ok_status();
}

// ---- message indexes ----

namespace {

void detach(Queue& q, StoredMessage& m) {
  switch (m.state) {
    case MessageState::Visible:
      q.visible.erase(m.seq);
      break;
    case MessageState::Delayed:
      q.pending.erase(m.pending_it);
      --q.delayed;
      break;
    case MessageState::InFlight:
      q.pending.erase(m.pending_it);
      --q.in_flight;
      break;
  }
}

}  // namespace

StoredMessage& SqsEngine::insert_message(Queue& q, StoredMessage m) {
  if (m.seq == 0) m.seq = q.next_seq++;
  if (m.seq >= q.next_seq) q.next_seq = m.seq + 1;
  const auto seq = m.seq;
  // New messages (and restored ones, which come in order) go at the end: hinted
  // insertions there take constant time instead of a search from the root.
  auto it = q.messages.emplace_hint(q.messages.end(), seq, std::move(m));
  StoredMessage& stored = it->second;
  q.by_age.emplace_hint(q.by_age.end(), stored.retention_base_ms, seq);
  const MessageState state = stored.state;
  stored.state = MessageState::Visible;  // attach below from a neutral state
  if (state == MessageState::Visible) {
    q.visible.emplace_hint(q.visible.end(), seq);
  } else {
    stored.state = state;
    stored.pending_it = q.pending.emplace(stored.visible_at, seq);
    if (state == MessageState::Delayed) {
      ++q.delayed;
    } else {
      ++q.in_flight;
    }
  }
  if (q.config.fifo) {
    auto& members = q.groups[stored.extra().group_id];
    const bool had_head = !members.empty();
    const std::uint64_t old_head = had_head ? *members.begin() : 0;
    members.insert(seq);
    if (!had_head || *members.begin() != old_head) {
      if (had_head) q.group_heads.erase({old_head, stored.extra().group_id});
      q.group_heads.emplace(*members.begin(), stored.extra().group_id);
    }
  }
  return stored;
}

void SqsEngine::erase_message(Queue& q, std::uint64_t seq) {
  auto it = q.messages.find(seq);
  if (it == q.messages.end()) return;
  detach(q, it->second);
  if (q.config.fifo) {
    auto g = q.groups.find(it->second.extra().group_id);
    if (g != q.groups.end()) {
      const bool was_head = !g->second.empty() && *g->second.begin() == seq;
      if (was_head) q.group_heads.erase({seq, g->first});
      g->second.erase(seq);
      if (g->second.empty()) {
        q.groups.erase(g);
      } else if (was_head) {
        q.group_heads.emplace(*g->second.begin(), g->first);
      }
    }
  }
  q.by_age.erase({it->second.retention_base_ms, seq});
  q.messages.erase(it);
}

void SqsEngine::set_pending(Queue& q, StoredMessage& m, TimeMs visible_at) {
  // Becomes (or stays) in flight until visible_at.
  detach(q, m);
  m.state = MessageState::InFlight;
  m.visible_at = visible_at;
  m.pending_it = q.pending.emplace(visible_at, m.seq);
  ++q.in_flight;
}

void SqsEngine::make_visible(Queue& q, StoredMessage& m) {
  if (m.state == MessageState::Visible) return;
  detach(q, m);
  m.state = MessageState::Visible;
  m.visible_at = 0;
  q.visible.insert(m.seq);
}

// ---- time ----

void SqsEngine::refresh(Queue& q, TimeMs now) {
  const TimeMs retention = static_cast<TimeMs>(q.config.message_retention_period) * 1000;
  while (!q.by_age.empty() && q.by_age.begin()->first + retention <= now) {
    const auto seq = q.by_age.begin()->second;
    erase_message(q, seq);
    unpersist_message(q, seq);
  }
  while (!q.pending.empty() && q.pending.begin()->first <= now) {
    auto it = q.messages.find(q.pending.begin()->second);
    make_visible(q, it->second);
  }
  while (!q.dedup_expiry.empty() && q.dedup_expiry.front().first <= now) {
    const std::string key = q.dedup_expiry.front().second;
    q.dedup_expiry.pop_front();
    auto it = q.dedup.find(key);
    if (it != q.dedup.end() && it->second.expires_ms <= now) {
      q.dedup.erase(it);
      persist_dedup(q, key);
    }
  }
  if (!q.attempts.empty()) {
    for (auto it = q.attempts.begin(); it != q.attempts.end();) {
      if (it->second.expires_ms > now) {
        ++it;
        continue;
      }
      detail::unpersist_attempt(runtime_.store, q, it->first);
      it = q.attempts.erase(it);
    }
  }
}

void SqsEngine::arm(Queue& q) {
  TimeMs next = -1;
  if (!q.pending.empty()) next = q.pending.begin()->first;
  if (!q.by_age.empty()) {
    const TimeMs expiry =
        q.by_age.begin()->first + static_cast<TimeMs>(q.config.message_retention_period) * 1000;
    if (next < 0 || expiry < next) next = expiry;
  }
  if (next < 0) return;
  // Only retention expiry ahead: nobody waits for it, so virtual auto-advance must not
  // jump there (messages would expire under a test's feet).
  const bool passive = q.pending.empty();
  if (q.timer != 0 && q.timer_at <= next && (passive || !q.timer_passive)) return;
  if (q.timer != 0) runtime_.timers.cancel(q.timer);
  std::weak_ptr<SqsEngine> weak = weak_from_this();
  q.timer_at = next;
  q.timer_passive = passive;
  q.timer = runtime_.timers.schedule_at(
      next,
      [weak, key = q.key, gen = q.generation] {
        if (auto self = weak.lock()) self->on_queue_timer(key, gen);
      },
      passive);
}

void SqsEngine::on_queue_timer(const std::string& key, std::uint64_t generation) {
  Completions out;
  {
    std::lock_guard lock(mu_);
    auto it = queues_.find(key);
    if (it == queues_.end() || it->second->generation != generation) return;
    Queue& q = *it->second;
    q.timer = 0;
    const TimeMs now = runtime_.clock.now_ms();
    refresh(q, now);
    serve_waiters(q, now, out);
    arm(q);
  }
  run(out);
}

// ---- long polling ----

namespace {

void complete_receive(Completions& out, store::Store& store, ReceiveCallback done,
                      std::vector<ReceivedMessage> messages) {
  out.add([&store, done = std::move(done), messages = std::move(messages)]() mutable {
    store.after_durable([done = std::move(done), messages = std::move(messages)](Status s) mutable {
      if (!s.ok()) {
        done(std::move(s).error());
      } else {
        done(std::move(messages));
      }
    });
  });
}

}  // namespace

void SqsEngine::serve_waiters(Queue& q, TimeMs now, Completions& out) {
  while (!q.waiters.empty() && !q.visible.empty()) {
    detail::Waiter& w = q.waiters.front();
    const int max = w.request.max_messages.value_or(1);
    auto messages = take_messages(q, w.request, max, now);
    if (messages.empty()) break;
    if (w.timer) runtime_.timers.cancel(w.timer);
    complete_receive(out, runtime_.store, std::move(w.done), std::move(messages));
    q.waiters.pop_front();
  }
}

std::size_t SqsEngine::parked_receives() const {
  std::size_t n = 0;
  for (const auto& [key, q] : queues_)
    n += q->waiters.size();
  return n;
}

void SqsEngine::expire_waiter(const std::string& key, std::uint64_t generation,
                              std::uint64_t waiter_id) {
  Completions out;
  {
    std::lock_guard lock(mu_);
    auto it = queues_.find(key);
    if (it == queues_.end() || it->second->generation != generation) return;
    Queue& q = *it->second;
    for (auto w = q.waiters.begin(); w != q.waiters.end(); ++w) {
      if (w->id != waiter_id) continue;
      // The wait ended with nothing to return: an empty, successful receive.
      out.add([done = std::move(w->done)] { done(std::vector<ReceivedMessage>{}); });
      q.waiters.erase(w);
      break;
    }
  }
  run(out);
}

void SqsEngine::drop_queue(Queue& q, Completions& out) {
  if (q.timer) runtime_.timers.cancel(q.timer);
  q.timer = 0;
  for (auto& w : q.waiters) {
    if (w.timer) runtime_.timers.cancel(w.timer);
    out.add([done = std::move(w.done)] { done(std::vector<ReceivedMessage>{}); });
  }
  q.waiters.clear();
}

void SqsEngine::reset() {
  Completions out;
  {
    std::lock_guard lock(mu_);
    for (auto& [key, q] : queues_)
      drop_queue(*q, out);
    queues_.clear();
    deleted_at_.clear();
    for (auto& [id, t] : move_tasks_)
      if (t->timer) runtime_.timers.cancel(t->timer);
    move_tasks_.clear();
    for (const char* kind : {"sqs.queue", "sqs.message", "sqs.msgstate", "sqs.dedup", "sqs.attempt",
                             "sqs.task", "sqs.deleted"})
      runtime_.store.erase_prefix(kind, "");
  }
  run(out);
}

// ---- batches ----

Status SqsEngine::check_batch_ids(const std::vector<std::string>& ids, const char* entry_name) {
  if (ids.empty()) {
    return Error::sender("EmptyBatchRequest", std::string("There should be at least one ") +
                                                  entry_name + " in the request.");
  }
  if (ids.size() > 10) {
    return Error::sender("TooManyEntriesInBatchRequest",
                         "Maximum number of entries per request are 10. You have sent " +
                             std::to_string(ids.size()) + ".");
  }
  std::set<std::string> seen;
  for (const auto& id : ids) {
    bool valid = !id.empty() && id.size() <= 80;
    for (char c : id) {
      if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_')) valid = false;
    }
    if (!valid) {
      return Error::sender("InvalidBatchEntryId",
                           "A batch entry id can only contain alphanumeric characters, hyphens "
                           "and underscores. It can be at most 80 letters long.");
    }
    if (!seen.insert(id).second)
      return Error::sender("BatchEntryIdsNotDistinct", "Id " + id + " repeated.");
  }
  return ok_status();
}

}  // namespace sluice::services::sqs
