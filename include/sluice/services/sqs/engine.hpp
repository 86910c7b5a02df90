#pragma once
// The SQS engine: queues, messages, visibility, long polling, FIFO, dead-letter queues
// and message move tasks, on an injected clock and store. Plain C++: it knows neither
// HTTP nor the wire protocols (DESIGN.md: services layer).
//
// Concurrency: one mutex guards all state. Callbacks (long-poll completions, durable
// barriers) are never invoked while it is held.
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "sluice/common/result.hpp"
#include "sluice/common/timer.hpp"
#include "sluice/services/runtime.hpp"
#include "sluice/services/sqs/types.hpp"

namespace sluice::services::sqs {

namespace detail {
struct Queue;
struct StoredMessage;
struct MoveTask;
struct Completions;
struct PreparedSend;
}  // namespace detail

using ReceiveCallback = std::function<void(Result<std::vector<ReceivedMessage>>)>;

class SqsEngine : public std::enable_shared_from_this<SqsEngine> {
 public:
  // Engines are shared so that timers can hold weak references to them.
  static std::shared_ptr<SqsEngine> create(Runtime& runtime);
  ~SqsEngine();
  SqsEngine(const SqsEngine&) = delete;
  SqsEngine& operator=(const SqsEngine&) = delete;

  const Runtime& runtime() const { return runtime_; }

  // Loads every persisted queue, message, dedup entry and move task (startup only).
  Status restore();
  // Drops all state (admin reset), persisted records included.
  void reset();
  // Runs `done` once everything this engine emitted so far is durable.
  void when_durable(std::function<void(Status)> done);

  // ---- queues (queue_ops.cpp) ----
  // Creates the queue, or returns success if it exists with equal attributes.
  Status create_queue(const QueueId& id, const AttributeMap& attributes, const TagMap& tags);
  Status delete_queue(const QueueId& id);
  Status queue_exists(const QueueId& id);
  Result<QueuePage> list_queues(const std::string& region, const std::string& account,
                                const std::string& prefix, std::optional<int> max_results,
                                const std::string& next_token);
  Result<AttributeMap> get_queue_attributes(const QueueId& id,
                                            const std::vector<std::string>& names);
  Status set_queue_attributes(const QueueId& id, const AttributeMap& attributes);
  Status purge_queue(const QueueId& id);
  Result<TagMap> list_queue_tags(const QueueId& id);
  Status tag_queue(const QueueId& id, const TagMap& tags);
  Status untag_queue(const QueueId& id, const std::vector<std::string>& keys);
  Status add_permission(const QueueId& id, const std::string& label,
                        const std::vector<std::string>& accounts,
                        const std::vector<std::string>& actions);
  Status remove_permission(const QueueId& id, const std::string& label);
  Result<QueuePage> list_dead_letter_source_queues(const QueueId& id,
                                                   std::optional<int> max_results,
                                                   const std::string& next_token);

  // ---- messages (send.cpp, receive.cpp) ----
  Result<SendResult> send_message(const QueueId& id, SendRequest request);
  // For other engines (SNS delivery, Step Functions tasks): the queue named by its ARN.
  Result<SendResult> send_message_to_arn(const std::string& queue_arn, SendRequest request);
  // Entries are validated as a batch first (EmptyBatchRequest, ...); then each entry
  // succeeds or lands in `failed`.
  Status send_message_batch(const QueueId& id, std::vector<SendRequest> entries,
                            std::vector<SendResult>& successful, std::vector<BatchFailure>& failed);
  // Answers at once, or parks (long polling) and answers when messages arrive or the
  // wait ends. The callback runs once the receive is durable, on any thread.
  void receive_message(const QueueId& id, ReceiveRequest request, ReceiveCallback done);
  Status delete_message(const QueueId& id, const std::string& receipt_handle);
  Status change_message_visibility(const QueueId& id, const std::string& receipt_handle,
                                   int visibility_timeout);
  // The batch rules shared by every *Batch operation (count, distinct and valid ids).
  static Status check_batch_ids(const std::vector<std::string>& ids, const char* entry_name);

  // ---- move tasks (move_tasks.cpp) ----
  Result<std::string> start_message_move_task(const std::string& source_arn,
                                              const std::string& destination_arn,
                                              std::optional<int> max_per_second);
  Result<std::int64_t> cancel_message_move_task(const std::string& task_handle);
  Result<std::vector<MoveTaskInfo>> list_message_move_tasks(const std::string& source_arn,
                                                            std::optional<int> max_results);

  // ---- inspection ----
  Result<std::vector<PeekedMessage>> peek_messages(const QueueId& id);

 private:
  explicit SqsEngine(Runtime& runtime);

  detail::Queue* find_queue(const QueueId& id);
  Result<detail::Queue*> require_queue(const QueueId& id);
  // Applies everything time has done to the queue: retention, delays and visibility
  // timeouts that ended, dedup windows that closed.
  void refresh(detail::Queue& q, TimeMs now);
  // (Re)schedules the queue's wake-up at its next event if that is earlier than the
  // one already scheduled.
  void arm(detail::Queue& q);
  void on_queue_timer(const std::string& key, std::uint64_t generation);
  void serve_waiters(detail::Queue& q, TimeMs now, detail::Completions& out);
  void expire_waiter(const std::string& key, std::uint64_t generation, std::uint64_t waiter_id);
  void drop_queue(detail::Queue& q, detail::Completions& out);
  // Wakes the queue's parked receives from the timer thread (after messages arrived
  // by a route that cannot complete them inline, e.g. a redrive).
  void wake_soon(detail::Queue& q);

  // Message bookkeeping shared by send, receive, redrive and restore.
  detail::StoredMessage& insert_message(detail::Queue& q, detail::StoredMessage m);
  void erase_message(detail::Queue& q, std::uint64_t seq);
  void set_pending(detail::Queue& q, detail::StoredMessage& m, TimeMs visible_at);
  void make_visible(detail::Queue& q, detail::StoredMessage& m);
  std::vector<ReceivedMessage> take_messages(detail::Queue& q, const ReceiveRequest& req, int max,
                                             TimeMs now);
  Result<SendResult> send_locked(detail::Queue& q, SendRequest request,
                                 detail::PreparedSend& prepared, TimeMs now);
  Status validate_redrive_target(const detail::Queue& q, const std::string& policy_json,
                                 std::string& normalized);
  Status apply_attributes(detail::Queue& q, const AttributeMap& attributes, bool creating);
  AttributeMap all_attributes(const detail::Queue& q) const;
  bool move_to_dead_letter_queue(detail::Queue& q, detail::StoredMessage& m, TimeMs now);
  void run_move_task(const std::string& task_id);
  void schedule_move_task(detail::MoveTask& task, TimeMs at);

  // Persistence (persistence.cpp): records are emitted under the lock.
  void persist_queue(const detail::Queue& q);
  void persist_message(const detail::Queue& q, const detail::StoredMessage& m);
  void persist_message_state(const detail::Queue& q, const detail::StoredMessage& m);
  void unpersist_message(const detail::Queue& q, std::uint64_t seq);
  void persist_dedup(const detail::Queue& q, const std::string& key);
  void persist_move_task(const detail::MoveTask& task);

  static void run(detail::Completions& c);
  // Receives parked in long polls, over every queue (under the lock).
  std::size_t parked_receives() const;

  Runtime& runtime_;
  mutable std::mutex mu_;
  std::unordered_map<std::string, std::unique_ptr<detail::Queue>> queues_;
  // Queue key -> when it was deleted (QueueDeletedRecently for 60 s).
  std::unordered_map<std::string, TimeMs> deleted_at_;
  std::unordered_map<std::string, std::unique_ptr<detail::MoveTask>> move_tasks_;
  std::uint64_t next_generation_ = 1;
  std::uint64_t next_receipt_token_ = 1;
  std::uint64_t next_waiter_id_ = 1;
};

}  // namespace sluice::services::sqs
