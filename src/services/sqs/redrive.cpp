// Dead-letter queues: moving a message whose receives are exhausted, and the message
// move tasks (StartMessageMoveTask & co.) that take messages out of a dead-letter
// queue again at a bounded rate.
#include <algorithm>

#include <nlohmann/json.hpp>

#include "internal.hpp"
#include "sluice/common/encoding.hpp"

namespace sluice::services::sqs {

using detail::Completions;
using detail::MessageState;
using detail::MoveTask;
using detail::Queue;
using detail::StoredMessage;
using Json = nlohmann::json;

namespace {

constexpr int kDefaultMovesPerSecond = 500;

// A copy of `m` as a fresh, visible message of another queue.
StoredMessage transfer_copy(const StoredMessage& m) {
  StoredMessage n;
  n.id = m.id;
  n.body = m.body;
  n.md5_of_body = m.md5_of_body;
  detail::MessageExtras x = m.extra();
  x.dead_letter_source_arn.clear();
  n.set_extra(std::move(x));
  n.sender_id = m.sender_id;
  n.sent_ms = m.sent_ms;
  n.retention_base_ms = m.retention_base_ms;
  n.size = m.size;
  return n;
}

Error resource_not_found(const std::string& parameter) {
  return Error::sender(
      "ResourceNotFoundException",
      "The resource that you specified for the " + parameter + " parameter doesn't exist.", 404);
}

}  // namespace

void SqsEngine::wake_soon(Queue& q) {
  if (q.waiters.empty()) return;
  const TimeMs now = runtime_.clock.now_ms();
  if (q.timer != 0) runtime_.timers.cancel(q.timer);
  std::weak_ptr<SqsEngine> weak = weak_from_this();
  q.timer_at = now;
  q.timer_passive = false;
  q.timer = runtime_.timers.schedule_at(now, [weak, key = q.key, gen = q.generation] {
    if (auto self = weak.lock()) self->on_queue_timer(key, gen);
  });
}

bool SqsEngine::move_to_dead_letter_queue(Queue& q, StoredMessage& m, TimeMs now) {
  auto target = parse_queue_arn(q.config.redrive_target_arn);
  if (!target) return false;
  Queue* dlq = find_queue(*target);
  if (!dlq || dlq == &q) return false;
  StoredMessage moved = transfer_copy(m);
  moved.receive_count = m.receive_count;
  moved.first_receive_ms = m.first_receive_ms;
  moved.extra_mut().dead_letter_source_arn = q.arn;
  // AWS: a standard dead-letter queue keeps the original enqueue time for retention; a
  // FIFO one starts it again.
  if (dlq->config.fifo) {
    moved.retention_base_ms = now;
    moved.extra_mut().sequence_number =
        std::to_string(detail::kSequenceBase + dlq->next_sequence_number++);
  }
  const auto seq = m.seq;
  erase_message(q, seq);
  unpersist_message(q, seq);
  refresh(*dlq, now);
  StoredMessage& stored = insert_message(*dlq, std::move(moved));
  persist_message(*dlq, stored);
  if (dlq->config.fifo) persist_queue(*dlq);
  arm(*dlq);
  wake_soon(*dlq);
  return true;
}

// ---- message move tasks ----

void SqsEngine::schedule_move_task(MoveTask& task, TimeMs at) {
  std::weak_ptr<SqsEngine> weak = weak_from_this();
  task.timer = runtime_.timers.schedule_at(at, [weak, id = task.id] {
    if (auto self = weak.lock()) self->run_move_task(id);
  });
}

Result<std::string> SqsEngine::start_message_move_task(const std::string& source_arn,
                                                       const std::string& destination_arn,
                                                       std::optional<int> max_per_second) {
  std::lock_guard lock(mu_);
  auto source_id = parse_queue_arn(source_arn);
  Queue* source = source_id ? find_queue(*source_id) : nullptr;
  if (!source) return resource_not_found("SourceArn");
  bool is_dlq = false;
  for (const auto& [key, q] : queues_)
    if (q->config.redrive_target_arn == source_arn) is_dlq = true;
  if (!is_dlq) {
    return detail::invalid_parameter("Source queue must be configured as a Dead Letter Queue.");
  }
  if (!destination_arn.empty()) {
    auto dest_id = parse_queue_arn(destination_arn);
    Queue* dest = dest_id ? find_queue(*dest_id) : nullptr;
    if (!dest) return resource_not_found("DestinationArn");
    if (dest->config.fifo != source->config.fifo)
      return detail::invalid_parameter(
          "The source queue and destination queue must be of the same queue type.");
  }
  if (max_per_second && (*max_per_second < 1 || *max_per_second > 500)) {
    return detail::invalid_parameter("Value " + std::to_string(*max_per_second) +
                                     " for parameter MaxNumberOfMessagesPerSecond is invalid. "
                                     "Reason: Must be between 1 and 500.");
  }
  for (const auto& [id, t] : move_tasks_) {
    if (t->source_arn == source_arn && t->status == "RUNNING") {
      return detail::invalid_parameter(
          "There is already a task running. Only one active task is allowed for a source queue "
          "arn at a given time.");
    }
  }
  const TimeMs now = runtime_.clock.now_ms();
  refresh(*source, now);
  auto task = std::make_unique<MoveTask>();
  task->id = uuid_v4();
  task->handle = base64_encode(Json{{"taskId", task->id}, {"sourceArn", source_arn}}.dump());
  task->status = "RUNNING";
  task->source_arn = source_arn;
  task->destination_arn = destination_arn;
  task->max_per_second = max_per_second;
  task->to_move = static_cast<std::int64_t>(source->visible.size());
  task->started_ms = now;
  schedule_move_task(*task, now);
  persist_move_task(*task);
  std::string handle = task->handle;
  move_tasks_.emplace(task->id, std::move(task));
  return handle;
}

void SqsEngine::run_move_task(const std::string& task_id) {
  std::lock_guard lock(mu_);
  auto it = move_tasks_.find(task_id);
  if (it == move_tasks_.end()) return;
  MoveTask& t = *it->second;
  t.timer = 0;
  if (t.status != "RUNNING") return;
  const TimeMs now = runtime_.clock.now_ms();
  auto fail = [&](const std::string& reason) {
    t.status = "FAILED";
    t.failure_reason = reason;
    persist_move_task(t);
  };
  auto source_id = parse_queue_arn(t.source_arn);
  Queue* source = source_id ? find_queue(*source_id) : nullptr;
  if (!source) return fail("AWS.SimpleQueueService.NonExistentQueue");
  refresh(*source, now);
  const int rate = t.max_per_second.value_or(kDefaultMovesPerSecond);
  int moved_now = 0;
  while (moved_now < rate && t.moved < t.to_move && !source->visible.empty()) {
    StoredMessage& m = source->messages.at(*source->visible.begin());
    const std::string dest_arn =
        t.destination_arn.empty() ? m.extra().dead_letter_source_arn : t.destination_arn;
    auto dest_id = parse_queue_arn(dest_arn);
    Queue* dest = dest_id ? find_queue(*dest_id) : nullptr;
    if (!dest) {
      persist_move_task(t);
      return fail("AWS.SimpleQueueService.NonExistentQueue");
    }
    StoredMessage copy = transfer_copy(m);
    copy.retention_base_ms = now;
    if (dest->config.fifo)
      copy.extra_mut().sequence_number =
          std::to_string(detail::kSequenceBase + dest->next_sequence_number++);
    const auto seq = m.seq;
    erase_message(*source, seq);
    unpersist_message(*source, seq);
    refresh(*dest, now);
    StoredMessage& stored = insert_message(*dest, std::move(copy));
    persist_message(*dest, stored);
    if (dest->config.fifo) persist_queue(*dest);
    arm(*dest);
    wake_soon(*dest);
    ++t.moved;
    ++moved_now;
  }
  if (t.moved >= t.to_move || source->visible.empty()) {
    t.status = "COMPLETED";
  } else {
    // MaxNumberOfMessagesPerSecond: the next slice a second later, on the clock.
    schedule_move_task(t, now + 1000);
  }
  persist_move_task(t);
}

Result<std::int64_t> SqsEngine::cancel_message_move_task(const std::string& task_handle) {
  std::lock_guard lock(mu_);
  std::string task_id;
  if (auto raw = base64_decode(task_handle)) {
    Json doc = Json::parse(*raw, nullptr, false);
    if (doc.is_object() && doc.contains("taskId") && doc["taskId"].is_string())
      task_id = doc["taskId"];
  }
  // AWS: a handle that does not decode is an invalid parameter; a well-formed one naming
  // no running task is ResourceNotFoundException.
  if (task_id.empty())
    return detail::invalid_parameter("Value for parameter TaskHandle is invalid.");
  auto it = move_tasks_.find(task_id);
  if (it == move_tasks_.end() || it->second->status != "RUNNING")
    return Error::sender("ResourceNotFoundException", "Task does not exist.", 404);
  MoveTask& t = *it->second;
  if (t.timer) runtime_.timers.cancel(t.timer);
  t.timer = 0;
  t.status = "CANCELLED";
  persist_move_task(t);
  return t.moved;
}

Result<std::vector<MoveTaskInfo>> SqsEngine::list_message_move_tasks(
    const std::string& source_arn, std::optional<int> max_results) {
  if (max_results && (*max_results < 1 || *max_results > 10)) {
    return detail::invalid_parameter("Value " + std::to_string(*max_results) +
                                     " for parameter MaxResults is invalid. Reason: You must enter "
                                     "a number that's between 1 and 10.");
  }
  std::lock_guard lock(mu_);
  auto source_id = parse_queue_arn(source_arn);
  if (!source_id || !find_queue(*source_id)) return resource_not_found("SourceArn");
  std::vector<const MoveTask*> tasks;
  for (const auto& [id, t] : move_tasks_)
    if (t->source_arn == source_arn) tasks.push_back(t.get());
  std::sort(tasks.begin(), tasks.end(), [](const MoveTask* a, const MoveTask* b) {
    return a->started_ms != b->started_ms ? a->started_ms > b->started_ms : a->id > b->id;
  });
  std::vector<MoveTaskInfo> out;
  for (const MoveTask* t : tasks) {
    if (static_cast<int>(out.size()) >= max_results.value_or(1)) break;
    MoveTaskInfo info;
    if (t->status == "RUNNING") info.task_handle = t->handle;
    info.status = t->status;
    info.source_arn = t->source_arn;
    info.destination_arn = t->destination_arn;
    info.max_per_second = t->max_per_second;
    info.moved = t->moved;
    info.to_move = t->to_move;
    info.failure_reason = t->failure_reason;
    info.started_ms = t->started_ms;
    out.push_back(std::move(info));
  }
  return out;
}

}  // namespace sluice::services::sqs
