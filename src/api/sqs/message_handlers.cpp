// Handlers of the message operations: sending, receiving (possibly parked by long
// polling), deleting and visibility changes, single and batched.
#include "handlers.hpp"
#include "sluice/common/encoding.hpp"

namespace sluice::api::sqs {

using services::sqs::AttributeValue;
using services::sqs::BatchFailure;
using services::sqs::MessageAttributes;
using services::sqs::QueueId;
using services::sqs::ReceivedMessage;
using services::sqs::SendRequest;
using services::sqs::SendResult;
using services::sqs::SqsEngine;

namespace {

Result<MessageAttributes> attributes_from(const Json& in, const char* name) {
  MessageAttributes out;
  auto it = in.find(name);
  if (it == in.end() || !it->is_object()) return out;
  for (auto e = it->begin(); e != it->end(); ++e) {
    const Json& v = e.value();
    AttributeValue a;
    a.data_type = str_member(v, "DataType");
    a.string_value = str_member(v, "StringValue");
    if (auto b = v.find("BinaryValue"); b != v.end() && b->is_string()) {
      auto raw = base64_decode(b->get<std::string>());
      if (!raw) {
        return Error::sender("InvalidParameterValue", "The message attribute '" + e.key() +
                                                          "' has an invalid binary value.");
      }
      a.binary_value = std::move(*raw);
    }
    out.emplace(e.key(), std::move(a));
  }
  return out;
}

Json attributes_json(const MessageAttributes& attributes) {
  Json out = Json::object();
  for (const auto& [name, v] : attributes) {
    Json a = {{"DataType", v.data_type}};
    if (v.is_binary()) {
      a["BinaryValue"] = base64_encode(v.binary_value);
    } else {
      a["StringValue"] = v.string_value;
    }
    out[name] = std::move(a);
  }
  return out;
}

// Takes the body out of `in` (it is the one large string of a send) rather than copying it.
Result<SendRequest> send_request_from(Json& in, const Call& call) {
  SendRequest r;
  r.entry_id = str_member(in, "Id");
  if (auto body = in.find("MessageBody"); body != in.end() && body->is_string())
    r.body = std::move(body->get_ref<std::string&>());
  r.delay_seconds = int_member(in, "DelaySeconds");
  auto attrs = attributes_from(in, "MessageAttributes");
  if (!attrs.ok()) return attrs.error();
  r.attributes = std::move(*attrs);
  auto sys = attributes_from(in, "MessageSystemAttributes");
  if (!sys.ok()) return sys.error();
  r.system_attributes = std::move(*sys);
  r.group_id = str_member(in, "MessageGroupId");
  r.deduplication_id = str_member(in, "MessageDeduplicationId");
  r.sender_id = call.access_key.empty() ? call.account_id : call.access_key;
  return r;
}

// Members are emplaced with their strings moved in: answers are built per request, and
// nlohmann's initializer lists copy every key and value.
void put(Json& object, const char* key, std::string value) {
  object.get_ref<Json::object_t&>().emplace(key, Json(std::move(value)));
}

Json send_result_json(SendResult r, bool with_id) {
  Json out = Json::object();
  put(out, "MessageId", std::move(r.message_id));
  put(out, "MD5OfMessageBody", std::move(r.md5_of_body));
  if (with_id) put(out, "Id", std::move(r.entry_id));
  // AWS omits the attribute digests when the message has no attributes.
  if (!r.md5_of_attributes.empty())
    put(out, "MD5OfMessageAttributes", std::move(r.md5_of_attributes));
  if (!r.md5_of_system_attributes.empty())
    put(out, "MD5OfMessageSystemAttributes", std::move(r.md5_of_system_attributes));
  if (!r.sequence_number.empty()) put(out, "SequenceNumber", std::move(r.sequence_number));
  return out;
}

Json failure_json(const BatchFailure& f) {
  return {{"Id", f.entry_id},
          {"SenderFault", f.sender_fault},
          {"Code", f.code},
          {"Message", f.message}};
}

Json received_json(std::vector<ReceivedMessage> messages) {
  Json out = Json::object();
  if (messages.empty()) return out;
  Json list = Json::array();
  list.get_ref<Json::array_t&>().reserve(messages.size());
  for (auto& m : messages) {
    Json j = Json::object();
    put(j, "MessageId", std::move(m.message_id));
    put(j, "ReceiptHandle", std::move(m.receipt_handle));
    put(j, "MD5OfBody", std::move(m.md5_of_body));
    put(j, "Body", std::move(m.body));
    if (!m.attributes.empty()) j["Attributes"] = m.attributes;
    if (!m.md5_of_attributes.empty())
      put(j, "MD5OfMessageAttributes", std::move(m.md5_of_attributes));
    if (!m.message_attributes.empty())
      j["MessageAttributes"] = attributes_json(m.message_attributes);
    list.push_back(std::move(j));
  }
  out["Messages"] = std::move(list);
  return out;
}

std::vector<std::string> entry_ids(const Json& entries) {
  std::vector<std::string> ids;
  for (const auto& e : entries)
    ids.push_back(str_member(e, "Id"));
  return ids;
}

const Json& entries_of(const Json& in) {
  static const Json empty = Json::array();
  auto it = in.find("Entries");
  return it != in.end() && it->is_array() ? *it : empty;
}

}  // namespace

void SqsHandlers::send_message(const Call& call, Json in, Reply reply) {
  auto id = target_queue(call, in);
  if (!id.ok()) return reply(id.error());
  auto req = send_request_from(in, call);
  if (!req.ok()) return reply(req.error());
  auto r = engine_->send_message(*id, std::move(*req));
  if (!r.ok()) return reply(r.error());
  reply_durable(std::move(reply), send_result_json(std::move(*r), false));
}

void SqsHandlers::send_message_batch(const Call& call, Json in, Reply reply) {
  auto id = target_queue(call, in);
  if (!id.ok()) return reply(id.error());
  Json no_entries = Json::array();
  auto found = in.find("Entries");
  Json& entries = found != in.end() && found->is_array() ? *found : no_entries;
  std::vector<SendRequest> requests;
  std::vector<BatchFailure> failed;
  for (auto& e : entries) {
    auto req = send_request_from(e, call);
    if (!req.ok()) {
      failed.push_back(
          BatchFailure{str_member(e, "Id"), req.error().code, req.error().message, true});
      continue;
    }
    requests.push_back(std::move(*req));
  }
  if (auto s = SqsEngine::check_batch_ids(entry_ids(entries), "SendMessageBatchRequestEntry");
      !s.ok())
    return reply(s.error());
  std::vector<SendResult> successful;
  auto s = engine_->send_message_batch(*id, std::move(requests), successful, failed);
  if (!s.ok()) return reply(s.error());
  Json ok = Json::array();
  for (auto& r : successful)
    ok.push_back(send_result_json(std::move(r), true));
  Json bad = Json::array();
  for (const auto& f : failed)
    bad.push_back(failure_json(f));
  reply_durable(std::move(reply), Json{{"Successful", std::move(ok)}, {"Failed", std::move(bad)}});
}

void SqsHandlers::receive_message(const Call& call, Json in, Reply reply) {
  auto id = target_queue(call, in);
  if (!id.ok()) return reply(id.error());
  services::sqs::ReceiveRequest req;
  req.max_messages = int_member(in, "MaxNumberOfMessages");
  req.visibility_timeout = int_member(in, "VisibilityTimeout");
  req.wait_seconds = int_member(in, "WaitTimeSeconds");
  req.attribute_names = string_list(in, "AttributeNames");
  for (auto& n : string_list(in, "MessageSystemAttributeNames"))
    req.attribute_names.push_back(std::move(n));
  req.message_attribute_names = string_list(in, "MessageAttributeNames");
  req.receive_request_attempt_id = str_member(in, "ReceiveRequestAttemptId");
  engine_->receive_message(*id, std::move(req),
                           [reply = std::move(reply)](Result<std::vector<ReceivedMessage>> r) {
                             if (!r.ok()) {
                               reply(r.error());
                             } else {
                               reply(received_json(std::move(*r)));
                             }
                           });
}

void SqsHandlers::delete_message(const Call& call, Json in, Reply reply) {
  auto id = target_queue(call, in);
  if (!id.ok()) return reply(id.error());
  auto s = engine_->delete_message(*id, str_member(in, "ReceiptHandle"));
  if (!s.ok()) return reply(s.error());
  reply_durable(std::move(reply), Json::object());
}

void SqsHandlers::delete_message_batch(const Call& call, Json in, Reply reply) {
  auto id = target_queue(call, in);
  if (!id.ok()) return reply(id.error());
  const Json& entries = entries_of(in);
  if (auto s = SqsEngine::check_batch_ids(entry_ids(entries), "DeleteMessageBatchRequestEntry");
      !s.ok())
    return reply(s.error());
  if (auto s = engine_->queue_exists(*id); !s.ok()) return reply(s.error());
  Json ok = Json::array();
  Json bad = Json::array();
  for (const auto& e : entries) {
    auto s = engine_->delete_message(*id, str_member(e, "ReceiptHandle"));
    if (s.ok()) {
      ok.push_back(Json{{"Id", str_member(e, "Id")}});
    } else {
      bad.push_back(
          failure_json(BatchFailure{str_member(e, "Id"), s.error().code, s.error().message, true}));
    }
  }
  reply_durable(std::move(reply), Json{{"Successful", std::move(ok)}, {"Failed", std::move(bad)}});
}

void SqsHandlers::change_message_visibility(const Call& call, Json in, Reply reply) {
  auto id = target_queue(call, in);
  if (!id.ok()) return reply(id.error());
  auto s = engine_->change_message_visibility(*id, str_member(in, "ReceiptHandle"),
                                              int_member(in, "VisibilityTimeout").value_or(0));
  if (!s.ok()) return reply(s.error());
  reply_durable(std::move(reply), Json::object());
}

void SqsHandlers::change_message_visibility_batch(const Call& call, Json in, Reply reply) {
  auto id = target_queue(call, in);
  if (!id.ok()) return reply(id.error());
  const Json& entries = entries_of(in);
  if (auto s = SqsEngine::check_batch_ids(entry_ids(entries),
                                          "ChangeMessageVisibilityBatchRequestEntry");
      !s.ok())
    return reply(s.error());
  if (auto s = engine_->queue_exists(*id); !s.ok()) return reply(s.error());
  Json ok = Json::array();
  Json bad = Json::array();
  for (const auto& e : entries) {
    auto s = engine_->change_message_visibility(*id, str_member(e, "ReceiptHandle"),
                                                int_member(e, "VisibilityTimeout").value_or(0));
    if (s.ok()) {
      ok.push_back(Json{{"Id", str_member(e, "Id")}});
    } else {
      bad.push_back(
          failure_json(BatchFailure{str_member(e, "Id"), s.error().code, s.error().message, true}));
    }
  }
  reply_durable(std::move(reply), Json{{"Successful", std::move(ok)}, {"Failed", std::move(bad)}});
}

}  // namespace sluice::api::sqs
