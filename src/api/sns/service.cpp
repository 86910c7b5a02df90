// SNS's service declaration: wire facts (AWS Query, version 2010-03-31), the error code
// table from the model, and the shapes and conversions the handlers share.
#include "handlers.hpp"
#include "sluice/api/sns/sns_api.hpp"
#include "sluice/common/encoding.hpp"

namespace sluice::api::sns {

namespace detail {

using namespace protocol;

services::sns::CallContext call_context(const Call& call, const Bound& bound) {
  const std::string host =
      !bound.url_host.empty() ? bound.url_host : (call.host.empty() ? "localhost:4566" : call.host);
  return {call.region, call.account_id, call.scheme + "://" + host};
}

void reply_durable(const Bound& bound, Reply reply, Result<Json> result) {
  if (!result.ok()) return reply(std::move(result));
  bound.engine->when_durable([reply, value = std::move(*result)](Status s) {
    if (!s.ok()) return reply(std::move(s).error());
    reply(value);
  });
}

void reply_status(const Bound& bound, Reply reply, const Status& status, Json value) {
  if (!status.ok()) return reply(status.error());
  reply_durable(bound, std::move(reply), std::move(value));
}

ShapePtr str() {
  static const ShapePtr s = string_shape();
  return s;
}

ShapePtr attribute_map() {
  static const ShapePtr s = map_of(str(), str());
  return s;
}

ShapePtr tag_list() {
  static const ShapePtr s =
      list_of(structure({member("Key", str()).req(), member("Value", str()).req()}));
  return s;
}

ShapePtr message_attribute_map() {
  static const ShapePtr s =
      map_of(str(),
             structure({member("DataType", str()).req(), member("StringValue", str()),
                        member("BinaryValue", blob_shape())}),
             "Name", "Value");
  return s;
}

ShapePtr string_list() {
  static const ShapePtr s = list_of(str());
  return s;
}

services::sns::AttributeMap to_attributes(const Json& value) {
  services::sns::AttributeMap out;
  if (!value.is_object()) return out;
  for (auto it = value.begin(); it != value.end(); ++it)
    if (it.value().is_string()) out[it.key()] = it.value().get<std::string>();
  return out;
}

Json from_attributes(const services::sns::AttributeMap& attributes) {
  Json out = Json::object();
  for (const auto& [k, v] : attributes)
    out[k] = v;
  return out;
}

std::string text(const Json& input, const char* member) {
  auto it = input.find(member);
  return it != input.end() && it->is_string() ? it->get<std::string>() : std::string();
}

Result<services::sns::MessageAttributes> to_message_attributes(const Json& value) {
  services::sns::MessageAttributes out;
  if (!value.is_object()) return out;
  for (auto it = value.begin(); it != value.end(); ++it) {
    const Json& v = it.value();
    services::sns::MessageAttribute a;
    a.data_type = text(v, "DataType");
    a.string_value = text(v, "StringValue");
    if (v.contains("BinaryValue")) {
      auto raw = base64_decode(text(v, "BinaryValue"));
      if (!raw)
        return Error::sender("InvalidParameterValueException",
                             "The message attribute '" + it.key() +
                                 "' has an invalid binary value: it must be base64.");
      a.binary_value = std::move(*raw);
    }
    out[it.key()] = std::move(a);
  }
  return out;
}

}  // namespace detail

std::shared_ptr<const ServiceDecl> make_sns_service(
    std::shared_ptr<services::sns::SnsEngine> engine, const services::Runtime& runtime) {
  auto decl = std::make_shared<ServiceDecl>();
  decl->name = "sns";
  decl->signing_name = "sns";
  decl->api_version = "2010-03-31";
  decl->xml_namespace = "http://sns.amazonaws.com/doc/2010-03-31/";
  decl->speaks_query = true;
  // Error shape name -> Query code and status (the model's error traits).
  const std::pair<const char*, QueryErrorCode> errors[] = {
      {"AuthorizationErrorException", {"AuthorizationError", 403}},
      {"BatchEntryIdsNotDistinctException", {"BatchEntryIdsNotDistinct", 400}},
      {"BatchRequestTooLongException", {"BatchRequestTooLong", 400}},
      {"ConcurrentAccessException", {"ConcurrentAccess", 400}},
      {"EmptyBatchRequestException", {"EmptyBatchRequest", 400}},
      {"EndpointDisabledException", {"EndpointDisabled", 400}},
      {"FilterPolicyLimitExceededException", {"FilterPolicyLimitExceeded", 403}},
      {"InternalErrorException", {"InternalError", 500}},
      {"InvalidBatchEntryIdException", {"InvalidBatchEntryId", 400}},
      {"InvalidParameterException", {"InvalidParameter", 400}},
      {"InvalidParameterValueException", {"ParameterValueInvalid", 400}},
      {"InvalidSecurityException", {"InvalidSecurity", 403}},
      {"InvalidStateException", {"InvalidState", 400}},
      {"KMSAccessDeniedException", {"KMSAccessDenied", 400}},
      {"KMSDisabledException", {"KMSDisabled", 400}},
      {"KMSInvalidStateException", {"KMSInvalidState", 400}},
      {"KMSNotFoundException", {"KMSNotFound", 400}},
      {"KMSOptInRequired", {"KMSOptInRequired", 403}},
      {"KMSThrottlingException", {"KMSThrottling", 400}},
      {"NotFoundException", {"NotFound", 404}},
      {"OptedOutException", {"OptedOut", 400}},
      {"PlatformApplicationDisabledException", {"PlatformApplicationDisabled", 400}},
      {"ReplayLimitExceededException", {"ReplayLimitExceeded", 403}},
      {"ResourceNotFoundException", {"ResourceNotFound", 404}},
      {"StaleTagException", {"StaleTag", 400}},
      {"SubscriptionLimitExceededException", {"SubscriptionLimitExceeded", 403}},
      {"TagLimitExceededException", {"TagLimitExceeded", 400}},
      {"TagPolicyException", {"TagPolicy", 400}},
      {"ThrottledException", {"Throttled", 429}},
      {"TooManyEntriesInBatchRequestException", {"TooManyEntriesInBatchRequest", 400}},
      {"TopicLimitExceededException", {"TopicLimitExceeded", 403}},
      {"UserErrorException", {"UserError", 400}},
      {"ValidationException", {"ValidationException", 400}},
      {"VerificationException", {"VerificationException", 400}},
  };
  for (const auto& [shape, code] : errors)
    decl->query_errors[shape] = code;
  const detail::Bound bound{std::move(engine), runtime.url_host};
  detail::add_topic_operations(*decl, bound);
  detail::add_subscription_operations(*decl, bound);
  detail::add_publish_operations(*decl, bound);
  detail::add_platform_operations(*decl, bound);
  detail::add_sms_operations(*decl, bound);
  return decl;
}

}  // namespace sluice::api::sns
