#pragma once
// The engine's internal state, shared by the files of src/services/sqs/.
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <stdexcept>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "sluice/common/ascii.hpp"
#include "sluice/common/timer.hpp"
#include "sluice/services/sqs/engine.hpp"
#include "sluice/store/store.hpp"

namespace sluice::services::sqs::detail {

constexpr int kMaxVisibilitySeconds = 43200;  // 12 hours
constexpr TimeMs kDedupWindowMs = 5 * 60 * 1000;
constexpr TimeMs kQueueRecreateDelayMs = 60 * 1000;
constexpr TimeMs kPurgeIntervalMs = 60 * 1000;
constexpr std::uint64_t kSequenceBase = 10000000000000000000ULL;  // 20 digits, as AWS's

enum class MessageState { Visible, Delayed, InFlight };

// Text of bounded length (message ids, MD5 digests) kept inside the message rather
// than on the heap: a queue may hold millions of messages.
template <std::size_t N>
class InlineText {
 public:
  InlineText() = default;
  InlineText(std::string_view text) { assign(text); }  // NOLINT: reads like a string
  InlineText& operator=(std::string_view text) {
    assign(text);
    return *this;
  }
  std::string_view view() const { return {data_, size_}; }
  operator std::string() const { return std::string(view()); }  // NOLINT
  bool empty() const { return size_ == 0; }

 private:
  void assign(std::string_view text) {
    if (text.size() > N) throw std::length_error("text longer than its inline capacity");
    text.copy(data_, text.size());
    size_ = static_cast<std::uint8_t>(text.size());
  }
  char data_[N] = {};
  std::uint8_t size_ = 0;
};

// What most messages do not have (attributes, FIFO fields, a dead-letter source), kept
// apart so that a plain message does not carry its empty containers.
struct MessageExtras {
  MessageAttributes attributes;
  std::string md5_of_attributes;
  MessageAttributes system_attributes;
  std::string md5_of_system_attributes;
  std::string group_id;
  std::string deduplication_id;
  std::string sequence_number;
  std::string dead_letter_source_arn;
  bool operator==(const MessageExtras&) const = default;
};

struct StoredMessage {
  std::uint64_t seq = 0;  // queue order
  InlineText<36> id;      // a UUID
  std::string body;
  InlineText<32> md5_of_body;  // hex
  std::string sender_id;
  TimeMs sent_ms = 0;
  TimeMs retention_base_ms = 0;  // retention counts from here
  int receive_count = 0;
  MessageState state = MessageState::Visible;
  TimeMs first_receive_ms = 0;
  TimeMs received_ms = 0;           // start of the current receive (12-hour visibility cap)
  TimeMs visible_at = 0;            // Delayed / InFlight: when it becomes visible
  std::uint64_t receipt_token = 0;  // changes on every receive
  std::multimap<TimeMs, std::uint64_t>::iterator pending_it;
  std::size_t size = 0;  // body + attributes, as AWS counts message size

  // The extras, read (empty ones when the message has none) and written. Messages are
  // built with set_extra, which keeps nothing for empty extras; extra_mut is for adding
  // a field (a dead-letter source, a new sequence number) to a copy being moved.
  const MessageExtras& extra() const { return extras_ ? *extras_ : no_extras(); }
  MessageExtras& extra_mut() {
    if (!extras_) extras_ = std::make_unique<MessageExtras>();
    return *extras_;
  }
  void set_extra(MessageExtras x) {
    if (x == no_extras()) {
      extras_.reset();
    } else {
      extras_ = std::make_unique<MessageExtras>(std::move(x));
    }
  }

 private:
  static const MessageExtras& no_extras() {
    static const MessageExtras none;
    return none;
  }
  std::unique_ptr<MessageExtras> extras_;
};

struct QueueConfig {
  int delay_seconds = 0;
  int maximum_message_size = 1048576;
  int message_retention_period = 345600;
  int receive_wait_seconds = 0;
  int visibility_timeout = 30;
  std::string policy;
  std::string redrive_policy;  // normalized JSON text, or empty
  std::string redrive_target_arn;
  int max_receive_count = 0;
  std::string redrive_allow_policy;
  std::string kms_master_key_id;
  int kms_data_key_reuse_period = 300;
  bool sqs_managed_sse = true;
  bool fifo = false;
  bool content_based_deduplication = false;
  std::string deduplication_scope = "queue";
  std::string fifo_throughput_limit = "perQueue";
};

struct DedupEntry {
  std::string message_id;
  std::string sequence_number;
  std::string md5_of_body;
  std::string md5_of_attributes;
  std::string md5_of_system_attributes;
  TimeMs expires_ms = 0;
};

struct ReceiveAttempt {
  std::vector<std::pair<std::uint64_t, std::uint64_t>> messages;  // (seq, receipt token)
  TimeMs expires_ms = 0;
};

struct Waiter {
  std::uint64_t id = 0;
  ReceiveRequest request;
  ReceiveCallback done;
  TimerService::TimerId timer = 0;
};

struct Queue {
  QueueId id;
  std::string key;
  std::string arn;
  std::uint64_t generation = 0;  // distinguishes a queue from a later one of the same name
  QueueConfig config;
  TimeMs created_ms = 0;
  TimeMs modified_ms = 0;
  TagMap tags;
  TimeMs last_purge_ms = -1;

  std::uint64_t next_seq = 1;
  std::map<std::uint64_t, StoredMessage> messages;
  std::set<std::uint64_t> visible;                    // ready to be received
  std::multimap<TimeMs, std::uint64_t> pending;       // delayed or in flight, by deadline
  std::set<std::pair<TimeMs, std::uint64_t>> by_age;  // retention order
  std::size_t delayed = 0;
  std::size_t in_flight = 0;

  // FIFO
  std::uint64_t next_sequence_number = 1;
  // Messages per group in queue order, and groups ordered by their first message, so a
  // receive visits each group's head instead of scanning the whole queue.
  std::unordered_map<std::string, std::set<std::uint64_t>> groups;
  std::set<std::pair<std::uint64_t, std::string>> group_heads;
  std::unordered_map<std::string, DedupEntry> dedup;
  std::deque<std::pair<TimeMs, std::string>> dedup_expiry;
  std::unordered_map<std::string, ReceiveAttempt> attempts;

  std::deque<Waiter> waiters;
  TimerService::TimerId timer = 0;
  TimeMs timer_at = 0;
  bool timer_passive = false;  // armed only for retention expiry
};

struct MoveTask {
  std::string id;
  std::string handle;
  std::string status;  // RUNNING, COMPLETED, CANCELLED, FAILED
  std::string source_arn;
  std::string destination_arn;
  std::optional<int> max_per_second;
  std::int64_t moved = 0;
  std::int64_t to_move = 0;
  std::string failure_reason;
  TimeMs started_ms = 0;
  TimerService::TimerId timer = 0;
};

// Work to run once the engine lock is released (replies, barriers).
struct Completions {
  std::vector<std::function<void()>> calls;
  void add(std::function<void()> fn) { calls.push_back(std::move(fn)); }
};

// ---- message validation and digests (message_rules.cpp) ----
// AWS's MD5 of message attributes: sorted by name, each as length-prefixed name, data
// type, a transport byte (1 string/number, 2 binary) and the length-prefixed value.
std::string md5_of_attributes(const MessageAttributes& attributes);
// Characters allowed in a message body: #x9 #xA #xD #x20-#xD7FF #xE000-#xFFFD
// #x10000-#x10FFFF.
bool valid_message_characters(const std::string& text);
Status validate_message_attributes(const MessageAttributes& attributes, bool system);
std::size_t message_size(const SendRequest& request);

// The part of a send that does not depend on the queue (the body's and attributes'
// checks, the digests, the message id), worked out before the engine lock is taken so
// that sends on other threads do not wait for it.
struct PreparedSend {
  // The first failure of those checks; reported only once the queue is known to exist,
  // so that errors come in the same order as when everything was checked under the lock.
  Status checked = ok_status();
  std::string message_id;
  std::string md5_of_body;
  std::string md5_of_attributes;         // empty without attributes
  std::string md5_of_system_attributes;  // empty without system attributes
  std::size_t size = 0;                  // what counts against MaximumMessageSize
};
PreparedSend prepare_send(const SendRequest& request);
Error invalid_parameter(const std::string& message);

// ---- queue attribute rules (attributes.cpp) ----
bool valid_queue_name(const std::string& name, bool fifo);
bool is_known_attribute(const std::string& name);
bool is_settable_attribute(const std::string& name);

// ---- FIFO receive attempts (persistence.cpp): sqs.attempt records ----
void persist_attempt(store::Store& store, const Queue& q, const std::string& attempt_id,
                     const ReceiveAttempt& attempt);
void unpersist_attempt(store::Store& store, const Queue& q, const std::string& attempt_id);

// Receipt handles (receive.cpp).
std::string make_receipt_handle(const Queue& q, const StoredMessage& m);

}  // namespace sluice::services::sqs::detail
