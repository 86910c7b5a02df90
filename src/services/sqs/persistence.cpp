// Persistence: the records the engine emits while it mutates (under its lock, so the
// store sees them in order), and the restore that rebuilds memory at startup.
//
// Kinds: sqs.queue (config, tags, counters), sqs.message (what was sent, immutable),
// sqs.msgstate (receive count, visibility: rewritten on every receive), sqs.dedup
// (FIFO deduplication windows), sqs.attempt (FIFO ReceiveRequestAttemptIds), sqs.task (message move
// tasks), sqs.deleted (when a queue name was deleted: QueueDeletedRecently).
#include <algorithm>
#include <cstdio>
#include <stdexcept>

#include <nlohmann/json.hpp>

#include "internal.hpp"
#include "sluice/common/encoding.hpp"
#include "sluice/common/json_fast.hpp"

namespace sluice::services::sqs {

using detail::MessageExtras;
using detail::MessageState;
using detail::MoveTask;
using detail::Queue;
using detail::StoredMessage;
using Json = nlohmann::json;

namespace {

// Records are read with the fast reader (a data dir may hold millions of messages: see
// bench/startup-1m.sh); a record that does not parse is a damaged store.
Json parse_record(std::string_view text) {
  Json j = json_parse(text);
  if (j.is_discarded()) throw std::runtime_error("a stored record is not valid JSON");
  return j;
}

std::string message_key(const Queue& q, std::uint64_t seq) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "%020llu", static_cast<unsigned long long>(seq));
  return q.key + "|" + buf;
}

MessageAttributes attributes_from_json(const Json& j) {
  MessageAttributes out;
  if (!j.is_object()) return out;
  for (auto it = j.begin(); it != j.end(); ++it) {
    AttributeValue v;
    v.data_type = it.value().value("t", "String");
    if (it.value().contains("b")) {
      v.binary_value = base64_decode(it.value().value("b", "")).value_or("");
    } else {
      v.string_value = it.value().value("s", "");
    }
    out.emplace(it.key(), std::move(v));
  }
  return out;
}

Json state_json(const StoredMessage& m) {
  return {{"rc", m.receive_count},           {"fr", m.first_receive_ms}, {"rv", m.received_ms},
          {"st", static_cast<int>(m.state)}, {"va", m.visible_at},       {"tk", m.receipt_token}};
}

// Message records are binary (the JSON form is still read, from older data dirs): a
// data dir may hold millions of them, and reading JSON objects back was most of the
// startup time (bench/startup-1m.sh). Layout: the byte 0x01, then the fields of
// StoredMessage in the order of write_message as varints (signed ones zigzag-coded) and
// length-prefixed strings. JSON text always starts with '{', so the first byte tells.
constexpr char kBinaryMessage = 0x01;

class RecordWriter {
 public:
  void u(std::uint64_t v) {
    while (v >= 0x80) {
      out.push_back(static_cast<char>((v & 0x7f) | 0x80));
      v >>= 7;
    }
    out.push_back(static_cast<char>(v));
  }
  void i(std::int64_t v) {
    u((static_cast<std::uint64_t>(v) << 1) ^ static_cast<std::uint64_t>(v >> 63));
  }
  void s(std::string_view v) {
    u(v.size());
    out.append(v);
  }
  void attributes(const MessageAttributes& a) {
    u(a.size());
    for (const auto& [name, v] : a) {
      s(name);
      s(v.data_type);
      s(v.is_binary() ? v.binary_value : v.string_value);
    }
  }
  std::string out;
};

class RecordReader {
 public:
  explicit RecordReader(std::string_view in) : in_(in) {}
  std::uint64_t u() {
    std::uint64_t v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (pos_ >= in_.size()) break;
      const auto b = static_cast<unsigned char>(in_[pos_++]);
      v |= static_cast<std::uint64_t>(b & 0x7f) << shift;
      if (!(b & 0x80)) return v;
    }
    throw std::runtime_error("a stored message record is truncated");
  }
  std::int64_t i() {
    const std::uint64_t z = u();
    return static_cast<std::int64_t>((z >> 1) ^ (~(z & 1) + 1));
  }
  std::string s() {
    const std::uint64_t n = u();
    if (n > in_.size() - pos_) throw std::runtime_error("a stored message record is truncated");
    std::string out(in_.substr(pos_, n));
    pos_ += n;
    return out;
  }
  MessageAttributes attributes() {
    MessageAttributes out;
    for (std::uint64_t n = u(); n > 0; --n) {
      std::string name = s();
      AttributeValue v;
      v.data_type = s();
      (v.is_binary() ? v.binary_value : v.string_value) = s();
      out.emplace(std::move(name), std::move(v));
    }
    return out;
  }
  bool done() const { return pos_ == in_.size(); }

 private:
  std::string_view in_;
  std::size_t pos_ = 1;  // past the format byte
};

std::string write_message(const StoredMessage& m) {
  RecordWriter w;
  w.out.reserve(m.body.size() + 160);
  w.out.push_back(kBinaryMessage);
  w.s(m.id.view());
  w.s(m.body);
  w.s(m.md5_of_body.view());
  w.attributes(m.extra().attributes);
  w.s(m.extra().md5_of_attributes);
  w.attributes(m.extra().system_attributes);
  w.s(m.extra().md5_of_system_attributes);
  w.s(m.sender_id);
  w.s(m.extra().group_id);
  w.s(m.extra().deduplication_id);
  w.s(m.extra().sequence_number);
  w.s(m.extra().dead_letter_source_arn);
  w.i(m.sent_ms);
  w.i(m.retention_base_ms);
  w.u(m.size);
  // The state at enqueue; later receives write sqs.msgstate, which wins.
  w.u(static_cast<std::uint64_t>(m.receive_count));
  w.i(m.first_receive_ms);
  w.i(m.received_ms);
  w.u(static_cast<std::uint64_t>(m.state));
  w.i(m.visible_at);
  w.u(m.receipt_token);
  return std::move(w.out);
}

StoredMessage read_binary_message(std::string_view value) {
  RecordReader r(value);
  StoredMessage m;
  MessageExtras x;
  m.id = r.s();
  m.body = r.s();
  m.md5_of_body = r.s();
  x.attributes = r.attributes();
  x.md5_of_attributes = r.s();
  x.system_attributes = r.attributes();
  x.md5_of_system_attributes = r.s();
  m.sender_id = r.s();
  x.group_id = r.s();
  x.deduplication_id = r.s();
  x.sequence_number = r.s();
  x.dead_letter_source_arn = r.s();
  m.set_extra(std::move(x));
  m.sent_ms = r.i();
  m.retention_base_ms = r.i();
  m.size = r.u();
  m.receive_count = static_cast<int>(r.u());
  m.first_receive_ms = r.i();
  m.received_ms = r.i();
  const std::uint64_t state = r.u();
  if (state > static_cast<std::uint64_t>(MessageState::InFlight))
    throw std::runtime_error("a stored message record has an unknown state");
  m.state = static_cast<MessageState>(state);
  m.visible_at = r.i();
  m.receipt_token = r.u();
  if (!r.done()) throw std::runtime_error("a stored message record has trailing bytes");
  return m;
}

void apply_state(StoredMessage& m, const Json& st) {
  m.receive_count = st["rc"];
  m.first_receive_ms = st["fr"];
  m.received_ms = st["rv"];
  m.state = static_cast<MessageState>(st["st"].get<int>());
  m.visible_at = st["va"];
  m.receipt_token = st["tk"];
}

// The JSON form written before the binary one.
StoredMessage read_json_message(std::string_view value) {
  Json j = parse_record(value);
  StoredMessage m;
  MessageExtras x;
  m.id = j["id"].get<std::string>();
  m.body = std::move(j["body"].get_ref<std::string&>());
  m.md5_of_body = j["md5"].get<std::string>();
  x.attributes = attributes_from_json(j["attrs"]);
  x.md5_of_attributes = j["md5a"];
  x.system_attributes = attributes_from_json(j["sys"]);
  x.md5_of_system_attributes = j["md5s"];
  m.sender_id = j["sender"];
  x.group_id = j["group"];
  x.deduplication_id = j["dedup"];
  x.sequence_number = j["seqno"];
  x.dead_letter_source_arn = j["dlq_source"];
  m.set_extra(std::move(x));
  m.sent_ms = j["sent"];
  m.retention_base_ms = j["base"];
  m.size = j["size"];
  if (j.contains("state")) apply_state(m, j["state"]);
  return m;
}

}  // namespace

void SqsEngine::persist_queue(const Queue& q) {
  if (!runtime_.store.persistent()) return;
  const auto& c = q.config;
  Json j = {{"region", q.id.region},
            {"account", q.id.account},
            {"name", q.id.name},
            {"created", q.created_ms},
            {"modified", q.modified_ms},
            {"tags", q.tags},
            {"last_purge", q.last_purge_ms},
            {"next_seq", q.next_seq},
            {"next_sequence_number", q.next_sequence_number},
            {"config",
             {{"delay_seconds", c.delay_seconds},
              {"maximum_message_size", c.maximum_message_size},
              {"message_retention_period", c.message_retention_period},
              {"receive_wait_seconds", c.receive_wait_seconds},
              {"visibility_timeout", c.visibility_timeout},
              {"policy", c.policy},
              {"redrive_policy", c.redrive_policy},
              {"redrive_target_arn", c.redrive_target_arn},
              {"max_receive_count", c.max_receive_count},
              {"redrive_allow_policy", c.redrive_allow_policy},
              {"kms_master_key_id", c.kms_master_key_id},
              {"kms_data_key_reuse_period", c.kms_data_key_reuse_period},
              {"sqs_managed_sse", c.sqs_managed_sse},
              {"fifo", c.fifo},
              {"content_based_deduplication", c.content_based_deduplication},
              {"deduplication_scope", c.deduplication_scope},
              {"fifo_throughput_limit", c.fifo_throughput_limit}}}};
  runtime_.store.put("sqs.queue", q.key, j.dump());
}

void SqsEngine::persist_message(const Queue& q, const StoredMessage& m) {
  if (!runtime_.store.persistent()) return;
  runtime_.store.put("sqs.message", message_key(q, m.seq), write_message(m));
}

void SqsEngine::persist_message_state(const Queue& q, const StoredMessage& m) {
  if (!runtime_.store.persistent()) return;
  runtime_.store.put("sqs.msgstate", message_key(q, m.seq), json_dump(state_json(m)));
}

void SqsEngine::unpersist_message(const Queue& q, std::uint64_t seq) {
  if (!runtime_.store.persistent()) return;
  const std::string key = message_key(q, seq);
  runtime_.store.erase("sqs.message", key);
  runtime_.store.erase("sqs.msgstate", key);
}

void SqsEngine::persist_dedup(const Queue& q, const std::string& key) {
  if (!runtime_.store.persistent()) return;
  auto it = q.dedup.find(key);
  if (it == q.dedup.end()) {
    runtime_.store.erase("sqs.dedup", q.key + "|" + key);
    return;
  }
  const auto& d = it->second;
  Json j = {{"key", key},
            {"id", d.message_id},
            {"seqno", d.sequence_number},
            {"md5", d.md5_of_body},
            {"md5a", d.md5_of_attributes},
            {"md5s", d.md5_of_system_attributes},
            {"expires", d.expires_ms}};
  runtime_.store.put("sqs.dedup", q.key + "|" + key, j.dump());
}

void detail::persist_attempt(store::Store& store, const Queue& q, const std::string& attempt_id,
                             const ReceiveAttempt& attempt) {
  if (!store.persistent()) return;
  Json messages = Json::array();
  for (auto [seq, token] : attempt.messages)
    messages.push_back({seq, token});
  Json j = {{"id", attempt_id}, {"expires", attempt.expires_ms}, {"messages", messages}};
  store.put("sqs.attempt", q.key + "|" + attempt_id, j.dump());
}

void detail::unpersist_attempt(store::Store& store, const Queue& q, const std::string& attempt_id) {
  if (store.persistent()) store.erase("sqs.attempt", q.key + "|" + attempt_id);
}

void SqsEngine::persist_move_task(const MoveTask& t) {
  if (!runtime_.store.persistent()) return;
  Json j = {{"id", t.id},
            {"handle", t.handle},
            {"status", t.status},
            {"source", t.source_arn},
            {"destination", t.destination_arn},
            {"moved", t.moved},
            {"to_move", t.to_move},
            {"failure", t.failure_reason},
            {"started", t.started_ms}};
  if (t.max_per_second) j["rate"] = *t.max_per_second;
  runtime_.store.put("sqs.task", t.id, j.dump());
}

Status SqsEngine::restore() {
  auto queues = runtime_.store.load("sqs.queue");
  SLUICE_TRY(queues);
  auto states = runtime_.store.load("sqs.msgstate");
  SLUICE_TRY(states);
  auto dedups = runtime_.store.load("sqs.dedup");
  SLUICE_TRY(dedups);
  auto attempts = runtime_.store.load("sqs.attempt");
  SLUICE_TRY(attempts);
  auto tasks = runtime_.store.load("sqs.task");
  SLUICE_TRY(tasks);
  auto deleted = runtime_.store.load("sqs.deleted");
  SLUICE_TRY(deleted);

  std::lock_guard lock(mu_);
  const TimeMs now = runtime_.clock.now_ms();
  try {
    for (const auto& rec : *queues) {
      Json j = parse_record(rec.value);
      auto q = std::make_unique<Queue>();
      q->id = QueueId{j["region"], j["account"], j["name"]};
      q->key = q->id.key();
      q->arn = q->id.arn();
      q->generation = next_generation_++;
      q->created_ms = j["created"];
      q->modified_ms = j["modified"];
      q->tags = j["tags"].get<TagMap>();
      q->last_purge_ms = j["last_purge"];
      q->next_seq = j["next_seq"];
      q->next_sequence_number = j["next_sequence_number"];
      const Json& c = j["config"];
      auto& cfg = q->config;
      cfg.delay_seconds = c["delay_seconds"];
      cfg.maximum_message_size = c["maximum_message_size"];
      cfg.message_retention_period = c["message_retention_period"];
      cfg.receive_wait_seconds = c["receive_wait_seconds"];
      cfg.visibility_timeout = c["visibility_timeout"];
      cfg.policy = c["policy"];
      cfg.redrive_policy = c["redrive_policy"];
      cfg.redrive_target_arn = c["redrive_target_arn"];
      cfg.max_receive_count = c["max_receive_count"];
      cfg.redrive_allow_policy = c["redrive_allow_policy"];
      cfg.kms_master_key_id = c["kms_master_key_id"];
      cfg.kms_data_key_reuse_period = c["kms_data_key_reuse_period"];
      cfg.sqs_managed_sse = c["sqs_managed_sse"];
      cfg.fifo = c["fifo"];
      cfg.content_based_deduplication = c["content_based_deduplication"];
      cfg.deduplication_scope = c["deduplication_scope"];
      cfg.fifo_throughput_limit = c["fifo_throughput_limit"];
      queues_.emplace(q->key, std::move(q));
    }
    std::unordered_map<std::string, Json> state_by_key;
    for (const auto& rec : *states)
      state_by_key.emplace(rec.key, parse_record(rec.value));
    states->clear();
    // Messages are streamed: a data dir may hold millions (bench/startup-1m.sh). They come
    // in key order, so runs of one queue's messages share one lookup.
    Queue* q = nullptr;
    std::string_view q_key;
    std::string key;
    SLUICE_TRY(runtime_.store.scan(
        "sqs.message", [&](std::string_view rec_key, std::string_view rec_value) {
          const auto bar = rec_key.rfind('|');
          if (bar == std::string_view::npos) return;
          const std::string_view queue_key = rec_key.substr(0, bar);
          if (!q || queue_key != q_key) {
            auto qit = queues_.find(std::string(queue_key));
            q = qit == queues_.end() ? nullptr : qit->second.get();
            if (!q) return;
            q_key = q->key;
          }
          StoredMessage m = !rec_value.empty() && rec_value[0] == kBinaryMessage
                                ? read_binary_message(rec_value)
                                : read_json_message(rec_value);
          m.seq = std::stoull(std::string(rec_key.substr(bar + 1)));
          auto s = state_by_key.end();
          if (!state_by_key.empty()) {
            key.assign(rec_key);
            s = state_by_key.find(key);
            if (s != state_by_key.end()) apply_state(m, s->second);
          }
          if (m.receipt_token >= next_receipt_token_) next_receipt_token_ = m.receipt_token + 1;
          insert_message(*q, std::move(m));
          if (s != state_by_key.end()) state_by_key.erase(s);
        }));
    // States left over have no message. A message number is never reused while its state
    // record exists, and such a state is dropped: a later message with its number must
    // not take over an old receive count and visibility (seen in the crash harness).
    for (const auto& [key, state] : state_by_key) {
      (void)state;
      const auto bar = key.rfind('|');
      if (bar == std::string::npos) continue;
      if (auto qit = queues_.find(key.substr(0, bar)); qit != queues_.end()) {
        const std::uint64_t seq = std::stoull(key.substr(bar + 1));
        if (seq >= qit->second->next_seq) qit->second->next_seq = seq + 1;
      }
      runtime_.store.erase("sqs.msgstate", key);
    }
    for (const auto& rec : *dedups) {
      const auto bar = rec.key.find('|');
      if (bar == std::string::npos) continue;
      // Queue keys contain no '|', so the first one ends the queue key.
      auto qit = queues_.find(rec.key.substr(0, bar));
      if (qit == queues_.end()) continue;
      Json j = parse_record(rec.value);
      detail::DedupEntry d{j["id"], j["seqno"], j["md5"], j["md5a"], j["md5s"], j["expires"]};
      if (d.expires_ms <= now) continue;
      const std::string key = j["key"];
      qit->second->dedup[key] = d;
      qit->second->dedup_expiry.emplace_back(d.expires_ms, key);
    }
    // A retried receive with the same attempt id gets the same messages after a restart
    // too, while they are still in flight with the handles it returned.
    for (const auto& rec : *attempts) {
      const auto bar = rec.key.find('|');
      if (bar == std::string::npos) continue;
      auto qit = queues_.find(rec.key.substr(0, bar));
      if (qit == queues_.end()) continue;
      Json j = parse_record(rec.value);
      detail::ReceiveAttempt a;
      a.expires_ms = j["expires"];
      if (a.expires_ms <= now) {
        runtime_.store.erase("sqs.attempt", rec.key);
        continue;
      }
      for (const auto& m : j["messages"])
        a.messages.emplace_back(m[0].get<std::uint64_t>(), m[1].get<std::uint64_t>());
      qit->second->attempts[j["id"].get<std::string>()] = std::move(a);
    }
    for (auto& [key, q] : queues_) {
      std::sort(q->dedup_expiry.begin(), q->dedup_expiry.end());
      refresh(*q, now);
      arm(*q);
    }
    // QueueDeletedRecently holds across a restart too.
    for (const auto& rec : *deleted) {
      const TimeMs at = std::stoll(rec.value);
      if (now - at < detail::kQueueRecreateDelayMs) deleted_at_[rec.key] = at;
    }
    for (const auto& rec : *tasks) {
      Json j = parse_record(rec.value);
      auto t = std::make_unique<MoveTask>();
      t->id = j["id"];
      t->handle = j["handle"];
      t->status = j["status"];
      t->source_arn = j["source"];
      t->destination_arn = j["destination"];
      t->moved = j["moved"];
      t->to_move = j["to_move"];
      t->failure_reason = j["failure"];
      t->started_ms = j["started"];
      if (j.contains("rate")) t->max_per_second = j["rate"].get<int>();
      if (t->status == "RUNNING") schedule_move_task(*t, now);
      move_tasks_.emplace(t->id, std::move(t));
    }
  } catch (const std::exception& e) {
    return Error::internal(std::string("cannot restore SQS state: ") + e.what());
  }
  return ok_status();
}

}  // namespace sluice::services::sqs
