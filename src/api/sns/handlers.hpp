#pragma once
// Shared pieces of SNS's wire declarations: shapes used by several operations, the
// conversion of a Call into the engine's CallContext, and the durable reply.
#include <memory>
#include <string>

#include "sluice/api/service.hpp"
#include "sluice/services/sns/engine.hpp"

namespace sluice::api::sns::detail {

using services::sns::SnsEngine;
using EnginePtr = std::shared_ptr<SnsEngine>;

// What every handler captures.
struct Bound {
  EnginePtr engine;
  std::string url_host;  // fixed host for URLs handed out; empty: the request's Host
};

services::sns::CallContext call_context(const Call& call, const Bound& bound);

// Replies once everything the engine emitted is durable (at once without a data dir).
void reply_durable(const Bound& bound, Reply reply, Result<Json> result);
void reply_status(const Bound& bound, Reply reply, const Status& status, Json value = {});

protocol::ShapePtr str();
protocol::ShapePtr attribute_map();  // Attributes.entry.N.key/value
protocol::ShapePtr tag_list();       // Tags.member.N.Key/Value
protocol::ShapePtr message_attribute_map();
protocol::ShapePtr string_list();

services::sns::AttributeMap to_attributes(const Json& value);
Json from_attributes(const services::sns::AttributeMap& attributes);
std::string text(const Json& input, const char* member);
Result<services::sns::MessageAttributes> to_message_attributes(const Json& value);

void add_topic_operations(ServiceDecl& decl, const Bound& bound);
void add_subscription_operations(ServiceDecl& decl, const Bound& bound);
void add_publish_operations(ServiceDecl& decl, const Bound& bound);
void add_platform_operations(ServiceDecl& decl, const Bound& bound);
void add_sms_operations(ServiceDecl& decl, const Bound& bound);

}  // namespace sluice::api::sns::detail
