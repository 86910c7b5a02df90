// Input rules shared by the SNS operations: names, phone numbers, message attributes
// and subscription attributes, with AWS's error texts.
#include <cctype>
#include <cstdlib>

#include "internal.hpp"
#include "sluice/services/sns/delivery_policy.hpp"

namespace sluice::services::sns::detail {

bool valid_topic_name(const std::string& name, bool fifo) {
  // AWS: 1-256 characters of [A-Za-z0-9_-]; FIFO topic names end with ".fifo" (the
  // suffix counts toward the 256).
  std::string base = name;
  if (fifo) {
    if (name.size() <= 5 || !name.ends_with(".fifo")) return false;
    base = name.substr(0, name.size() - 5);
  }
  if (base.empty() || name.size() > 256) return false;
  for (unsigned char c : base)
    if (!std::isalnum(c) && c != '_' && c != '-') return false;
  return true;
}

bool is_e164(const std::string& phone) {
  // "+" then 1-15 digits, the first not zero.
  if (phone.size() < 2 || phone.size() > 16 || phone[0] != '+' || phone[1] == '0') return false;
  for (std::size_t i = 1; i < phone.size(); ++i)
    if (!std::isdigit(static_cast<unsigned char>(phone[i]))) return false;
  return true;
}

namespace {

Status validate_attribute_name(const std::string& name) {
  if (name.empty()) return invalid_parameter_value("The message attribute name can not be empty.");
  if (name.size() > 256)
    return invalid_parameter_value("Length of message attribute name must be less than 256 bytes.");
  if (name.front() == '.')
    return invalid_parameter_value(
        "Invalid message attribute name starting with character '.' was found.");
  if (name.back() == '.')
    return invalid_parameter_value(
        "Invalid message attribute name ending with character '.' was found.");
  for (std::size_t i = 0; i < name.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(name[i]);
    if (!std::isalnum(c) && c != '_' && c != '-' && c != '.') {
      char hex[8];
      std::snprintf(hex, sizeof hex, "#x%X", c);
      return invalid_parameter_value(std::string("Invalid non-alphanumeric character '") + hex +
                                     "' was found in the message attribute name. Can only "
                                     "include alphanumeric characters, hyphens, underscores, "
                                     "or dots.");
    }
    if (c == '.' && i > 0 && name[i - 1] == '.')
      return invalid_parameter_value(
          "Message attribute name can not have successive '.' character.");
  }
  // AWS reserves the "AWS." and "Amazon." prefixes.
  const std::string folded = ascii_lower(name);
  if (folded.rfind("aws.", 0) == 0 || folded.rfind("amazon.", 0) == 0)
    return invalid_parameter_value(
        "You can't use the reserved prefix AWS. or Amazon. in the "
        "message attribute name " +
        name + ".");
  return ok_status();
}

bool is_number(const std::string& s) {
  if (s.empty()) return false;
  char* end = nullptr;
  std::strtod(s.c_str(), &end);
  return end == s.c_str() + s.size() && !std::isspace(static_cast<unsigned char>(s.front()));
}

}  // namespace

Status validate_message_attributes(const MessageAttributes& attributes) {
  for (const auto& [name, attr] : attributes) {
    SLUICE_TRY(validate_attribute_name(name));
    const std::string& type = attr.data_type;
    const std::string base = type.substr(0, type.find('.'));
    if (base != "String" && base != "Number" && base != "Binary") {
      return invalid_parameter_value(
          "The message attribute '" + name +
          "' has an invalid message attribute type, the set of supported type prefixes is "
          "Binary, Number, and String.");
    }
    if (type.size() > 256)
      return invalid_parameter_value(
          "Length of message attribute type must be less than 256 bytes.");
    const bool binary = base == "Binary";
    const std::string& value = binary ? attr.binary_value : attr.string_value;
    if (binary && attr.binary_value.empty() && !attr.string_value.empty())
      return invalid_parameter_value("The message attribute '" + name + "' with type '" + type +
                                     "' must use field 'Binary'.");
    if (!binary && attr.string_value.empty() && !attr.binary_value.empty())
      return invalid_parameter_value("The message attribute '" + name + "' with type '" + type +
                                     "' must use field 'String'.");
    if (value.empty()) {
      return invalid_parameter_value("The message attribute '" + name +
                                     "' must contain non-empty message attribute value for "
                                     "message attribute type '" +
                                     type + "'.");
    }
    if (base == "Number" && !is_number(attr.string_value))
      return invalid_parameter_value("Could not cast message attribute '" + name +
                                     "' value to number.");
    if (type == "String.Array") {
      auto parsed = Json::parse(attr.string_value, nullptr, false);
      if (parsed.is_discarded() || !parsed.is_array())
        return invalid_parameter_value("The message attribute '" + name +
                                       "' with type 'String.Array' has an invalid value. It "
                                       "must be a JSON array.");
    }
  }
  return ok_status();
}

std::size_t message_size(const std::string& message, const MessageAttributes& attributes) {
  std::size_t n = message.size();
  for (const auto& [name, attr] : attributes)
    n += name.size() + attr.data_type.size() + attr.string_value.size() + attr.binary_value.size();
  return n;
}

Status validate_subscription_attribute(const std::string& name, const std::string& value,
                                       const Subscription& sub, bool subscribe_call) {
  const std::string prefix =
      subscribe_call ? "Invalid parameter: Attributes Reason: " : "Invalid parameter: ";
  const std::string& protocol = sub.protocol;
  if (name == "RawMessageDelivery") {
    const std::string v = ascii_lower(value);
    if (v != "true" && v != "false")
      return invalid_parameter(prefix + "RawMessageDelivery: Invalid value [" + value +
                               "]. Must be true or false.");
    if (protocol != "sqs" && protocol != "http" && protocol != "https" && protocol != "firehose")
      return invalid_parameter(prefix + "Delivery protocol [" + protocol +
                               "] does not support raw message delivery.");
    return ok_status();
  }
  if (name == "FilterPolicyScope") {
    if (value != "MessageAttributes" && value != "MessageBody")
      return invalid_parameter(prefix + "FilterPolicyScope: Invalid value [" + value +
                               "]. Please use either MessageBody or MessageAttributes");
    return ok_status();
  }
  if (name == "FilterPolicy") {
    if (value.size() > 256 * 1024)
      return invalid_parameter(prefix + "FilterPolicy: Filter policy is too long");
    return ok_status();  // parsed by the caller, which knows the scope
  }
  if (name == "DeliveryPolicy") {
    if (protocol != "http" && protocol != "https")
      return invalid_parameter(prefix +
                               "DeliveryPolicy: Delivery policy can only be set for "
                               "HTTP/S subscriptions");
    return validate_subscription_delivery_policy(value, prefix);
  }
  if (name == "RedrivePolicy") {
    if (value.empty()) return ok_status();  // removes the policy
    auto policy = Json::parse(value, nullptr, false);
    if (policy.is_discarded() || !policy.is_object())
      return invalid_parameter(prefix + "RedrivePolicy: failed to parse JSON.");
    auto it = policy.find("deadLetterTargetArn");
    if (it == policy.end() || !it->is_string())
      return invalid_parameter(prefix + "RedrivePolicy: deadLetterTargetArn is missing");
    const std::string target = *it;
    auto arn = parse_arn(target);
    if (!arn || arn->service != "sqs" || arn->resource.find(':') != std::string::npos)
      return invalid_parameter(prefix + "RedrivePolicy: Invalid deadLetterTargetArn [" + target +
                               "]");
    const bool fifo_topic = sub.topic_arn.ends_with(".fifo");
    const bool fifo_dlq = target.ends_with(".fifo");
    if (fifo_topic != fifo_dlq)
      return invalid_parameter(
          prefix + (fifo_topic ? "RedrivePolicy: must use a FIFO queue as DLQ for a FIFO "
                                 "subscription to a FIFO topic."
                               : "RedrivePolicy: must use a standard queue as DLQ for a "
                                 "standard topic subscription."));
    return ok_status();
  }
  if (name == "SubscriptionRoleArn") {
    if (protocol != "firehose")
      return invalid_parameter(prefix +
                               "SubscriptionRoleArn: Invalid parameter: "
                               "SubscriptionRoleArn is only valid for firehose");
    if (!parse_arn(value)) return invalid_parameter(prefix + "SubscriptionRoleArn: Invalid ARN");
    return ok_status();
  }
  if (name == "ReplayPolicy") {
    // Replay comes from archives, which only FIFO topics with an ArchivePolicy have.
    auto policy = Json::parse(value, nullptr, false);
    if (!value.empty() && (policy.is_discarded() || !policy.is_object()))
      return invalid_parameter(prefix + "ReplayPolicy: failed to parse JSON.");
    return ok_status();
  }
  return invalid_parameter(subscribe_call ? prefix + "Unknown attribute: " + name
                                          : std::string("Invalid parameter: AttributeName"));
}

}  // namespace sluice::services::sns::detail
