// Publish and PublishBatch on the wire.
#include "handlers.hpp"

namespace sluice::api::sns::detail {

using namespace protocol;

namespace {

Result<services::sns::PublishRequest> to_request(const Json& in) {
  services::sns::PublishRequest r;
  r.entry_id = text(in, "Id");
  r.topic_arn = text(in, "TopicArn");
  r.target_arn = text(in, "TargetArn");
  r.phone_number = text(in, "PhoneNumber");
  r.message = text(in, "Message");
  if (in.contains("Subject")) r.subject = text(in, "Subject");
  r.message_structure = text(in, "MessageStructure");
  r.group_id = text(in, "MessageGroupId");
  r.deduplication_id = text(in, "MessageDeduplicationId");
  auto attrs = to_message_attributes(in.value("MessageAttributes", Json()));
  if (!attrs.ok()) return std::move(attrs).error();
  r.attributes = std::move(*attrs);
  return r;
}

}  // namespace

void add_publish_operations(ServiceDecl& decl, const Bound& b) {
  decl.add({"Publish",
            structure({member("TopicArn", str()), member("TargetArn", str()),
                       member("PhoneNumber", str()), member("Message", str()).req(),
                       member("Subject", str()), member("MessageStructure", str()),
                       member("MessageAttributes", message_attribute_map()),
                       member("MessageDeduplicationId", str()), member("MessageGroupId", str())}),
            structure({member("MessageId", str()), member("SequenceNumber", str())}),
            [b](const Call& call, Json in, Reply reply) {
              auto request = to_request(in);
              if (!request.ok()) return reply(std::move(request).error());
              auto r = b.engine->publish(call_context(call, b), std::move(*request));
              if (!r.ok()) return reply(std::move(r).error());
              Json out = {{"MessageId", r->message_id}};
              if (!r->sequence_number.empty()) out["SequenceNumber"] = r->sequence_number;
              reply_durable(b, reply, out);
            }});
  auto entry = structure(
      {member("Id", str()).req(), member("Message", str()).req(), member("Subject", str()),
       member("MessageStructure", str()), member("MessageAttributes", message_attribute_map()),
       member("MessageDeduplicationId", str()), member("MessageGroupId", str())});
  decl.add(
      {"PublishBatch",
       structure({member("TopicArn", str()).req(),
                  member("PublishBatchRequestEntries", list_of(entry)).req()}),
       structure(
           {member("Successful", list_of(structure({member("Id", str()), member("MessageId", str()),
                                                    member("SequenceNumber", str())}))),
            member("Failed", list_of(structure({member("Id", str()), member("Code", str()),
                                                member("Message", str()),
                                                member("SenderFault", boolean_shape())})))}),
       [b](const Call& call, Json in, Reply reply) {
         std::vector<services::sns::PublishRequest> entries;
         for (const auto& e : in.value("PublishBatchRequestEntries", Json::array())) {
           auto r = to_request(e);
           if (!r.ok()) return reply(std::move(r).error());
           entries.push_back(std::move(*r));
         }
         std::vector<services::sns::PublishResult> ok;
         std::vector<services::sns::BatchFailure> failed;
         auto status = b.engine->publish_batch(call_context(call, b), text(in, "TopicArn"),
                                               std::move(entries), ok, failed);
         if (!status.ok()) return reply(std::move(status).error());
         Json successful = Json::array();
         for (const auto& s : ok) {
           Json j = {{"Id", s.entry_id}, {"MessageId", s.message_id}};
           if (!s.sequence_number.empty()) j["SequenceNumber"] = s.sequence_number;
           successful.push_back(j);
         }
         Json failures = Json::array();
         for (const auto& f : failed)
           failures.push_back({{"Id", f.entry_id},
                               {"Code", f.code},
                               {"Message", f.message},
                               {"SenderFault", f.sender_fault}});
         reply_durable(b, reply, Json{{"Successful", successful}, {"Failed", failures}});
       }});
}

}  // namespace sluice::api::sns::detail
