// Topics: create/delete/list, attributes, permissions (the topic policy), data
// protection policies and tags.
#include <algorithm>

#include "internal.hpp"
#include "sluice/services/sns/delivery_policy.hpp"

namespace sluice::services::sns {

using detail::invalid_parameter;
using detail::Json;
using detail::OrderedJson;

namespace {

// Attributes SetTopicAttributes accepts (AWS SetTopicAttributes reference).
bool settable_topic_attribute(const std::string& name) {
  static const std::set<std::string> kNames = {"DeliveryPolicy",
                                               "DisplayName",
                                               "Policy",
                                               "TracingConfig",
                                               "KmsMasterKeyId",
                                               "SignatureVersion",
                                               "ContentBasedDeduplication",
                                               "ArchivePolicy",
                                               "FifoThroughputScope",
                                               "DataProtectionPolicy"};
  if (kNames.count(name)) return true;
  for (const char* proto : {"Application", "Firehose", "HTTP", "Lambda", "SQS"}) {
    for (const char* suffix :
         {"SuccessFeedbackRoleArn", "SuccessFeedbackSampleRate", "FailureFeedbackRoleArn"})
      if (name == std::string(proto) + suffix) return true;
  }
  return false;
}

std::string default_policy(const std::string& arn, const std::string& account) {
  OrderedJson statement = {{"Sid", "__default_statement_ID"},
                           {"Effect", "Allow"},
                           {"Principal", {{"AWS", "*"}}},
                           {"Action",
                            {"SNS:GetTopicAttributes", "SNS:SetTopicAttributes",
                             "SNS:AddPermission", "SNS:RemovePermission", "SNS:DeleteTopic",
                             "SNS:Subscribe", "SNS:ListSubscriptionsByTopic", "SNS:Publish"}},
                           {"Resource", arn},
                           {"Condition", {{"StringEquals", {{"AWS:SourceOwner", account}}}}}};
  OrderedJson policy = {{"Version", "2008-10-17"},
                        {"Id", "__default_policy_ID"},
                        {"Statement", OrderedJson::array({statement})}};
  return policy.dump();
}

// Validates one topic attribute for `topic` (fifo known); `value` may be normalised.
Status check_topic_attribute(const std::string& name, std::string& value, bool fifo) {
  if (!settable_topic_attribute(name)) return invalid_parameter("Invalid parameter: AttributeName");
  if (name == "DisplayName" && value.size() > 100)
    return invalid_parameter("Invalid parameter: DisplayName");
  if (name == "Policy") {
    auto p = Json::parse(value, nullptr, false);
    if (p.is_discarded() || !p.is_object())
      return invalid_parameter("Invalid parameter: Policy Error: failed to parse JSON");
  }
  if (name == "DeliveryPolicy" && !value.empty()) SLUICE_TRY(validate_topic_delivery_policy(value));
  if (name == "SignatureVersion" && value != "1" && value != "2")
    return invalid_parameter("Invalid parameter: SignatureVersion");
  if (name == "TracingConfig" && value != "PassThrough" && value != "Active")
    return invalid_parameter("Invalid parameter: TracingConfig");
  if (name == "ContentBasedDeduplication") {
    if (!fifo)
      return invalid_parameter(
          "Invalid parameter: ContentBasedDeduplication Reason: Content based deduplication can "
          "only be set for FIFO topics");
    value = ascii_lower(value);
    if (value != "true" && value != "false")
      return invalid_parameter("Invalid parameter: ContentBasedDeduplication");
  }
  if (name == "FifoThroughputScope") {
    if (!fifo)
      return invalid_parameter(
          "Invalid parameter: FifoThroughputScope Reason: FifoThroughputScope can only be set "
          "for FIFO topics");
    if (value != "Topic" && value != "MessageGroup")
      return invalid_parameter("Invalid parameter: FifoThroughputScope");
  }
  if (name == "ArchivePolicy" && !fifo)
    return invalid_parameter(
        "Invalid parameter: ArchivePolicy Reason: The ArchivePolicy attribute is only supported "
        "for FIFO topics");
  return ok_status();
}

// AWS reserves tag keys that start with "aws:" (any case) for its own use: they can be
// neither set nor removed by a caller.
Status check_not_reserved(const std::string& key) {
  if (ascii_lower(key.substr(0, 4)) == "aws:")
    return invalid_parameter("Invalid parameter: Tag keys starting with 'aws:' are reserved: " +
                             key);
  return ok_status();
}

Status check_tags(const TagList& tags) {
  std::set<std::string> keys;
  for (const auto& [k, v] : tags) {
    if (!keys.insert(k).second)
      return invalid_parameter("Invalid parameter: Duplicated keys are not allowed.");
    if (k.empty() || k.size() > 128)
      return invalid_parameter("Invalid parameter: Tag key length must be between 1 and 128");
    SLUICE_TRY(check_not_reserved(k));
    if (v.size() > 256)
      return invalid_parameter("Invalid parameter: Tag value length must be at most 256");
  }
  return ok_status();
}

}  // namespace

Result<std::string> SnsEngine::create_topic(
    const CallContext& ctx, const std::string& name, const AttributeMap& attributes,
    const TagList& tags, const std::optional<std::string>& data_protection_policy) {
  bool fifo = false;
  if (auto it = attributes.find("FifoTopic"); it != attributes.end()) {
    const std::string v = ascii_lower(it->second);
    if (v != "true" && v != "false") return invalid_parameter("Invalid parameter: FifoTopic");
    fifo = v == "true";
  }
  if (fifo && !detail::valid_topic_name(name, true)) {
    return invalid_parameter(
        "Invalid parameter: Fifo Topic names must end with .fifo and must be made up of only "
        "uppercase and lowercase ASCII letters, numbers, underscores, and hyphens, and must be "
        "between 1 and 256 characters long.");
  }
  // A ".fifo" name without FifoTopic=true is simply an invalid standard topic name.
  if (!fifo && !detail::valid_topic_name(name, false))
    return invalid_parameter("Invalid parameter: Topic Name");
  AttributeMap attrs;
  for (const auto& [k, v] : attributes) {
    if (k == "FifoTopic") continue;
    std::string value = v;
    SLUICE_TRY(check_topic_attribute(k, value, fifo));
    attrs[k] = value;
  }
  SLUICE_TRY(check_tags(tags));
  if (data_protection_policy && !data_protection_policy->empty()) {
    auto p = Json::parse(*data_protection_policy, nullptr, false);
    if (p.is_discarded() || !p.is_object())
      return invalid_parameter(
          "Invalid parameter: DataProtectionPolicy Reason: Failed to parse "
          "the data protection policy");
  }
  if (tags.size() > 50)
    return Error::sender("TagLimitExceededException",
                         "Could not complete request: tag quota of per resource exceeded");

  const std::string arn = "arn:aws:sns:" + ctx.region + ":" + ctx.account + ":" + name;
  std::lock_guard lock(mu_);
  if (auto it = topics_.find(arn); it != topics_.end()) {
    // AWS: CreateTopic is idempotent for equal attributes and tags.
    const detail::Topic& t = *it->second;
    for (const auto& [k, v] : attrs) {
      auto have = t.attributes.find(k);
      if (have == t.attributes.end() || have->second != v)
        return invalid_parameter(
            "Invalid parameter: Attributes Reason: Topic already exists with different "
            "attributes");
    }
    for (const auto& [k, v] : tags) {
      auto have = t.tags.find(k);
      if (have == t.tags.end() || have->second != v)
        return invalid_parameter(
            "Invalid parameter: Tags Reason: Topic already exists with different tags");
    }
    return arn;
  }
  auto topic = std::make_unique<detail::Topic>();
  topic->arn = arn;
  topic->name = name;
  topic->region = ctx.region;
  topic->account = ctx.account;
  topic->fifo = fifo;
  topic->attributes = std::move(attrs);
  if (!topic->attributes.count("Policy"))
    topic->attributes["Policy"] = default_policy(arn, ctx.account);
  if (fifo && !topic->attributes.count("ContentBasedDeduplication"))
    topic->attributes["ContentBasedDeduplication"] = "false";
  for (const auto& [k, v] : tags)
    topic->tags[k] = v;
  if (data_protection_policy) topic->data_protection_policy = *data_protection_policy;
  persist_topic(*topic);
  topics_[arn] = std::move(topic);
  return arn;
}

Status SnsEngine::delete_topic(const CallContext& ctx, const std::string& topic_arn) {
  std::lock_guard lock(mu_);
  auto topic = require_topic(ctx, topic_arn);
  if (!topic.ok()) {
    // AWS: deleting a topic that does not exist succeeds.
    if (topic.error().code == "NotFoundException") return ok_status();
    return std::move(topic).error();
  }
  for (const auto& sub_arn : (*topic)->subscriptions) {
    if (auto* sub = find_subscription(sub_arn)) {
      if (!sub->token.empty()) tokens_.erase(sub->token);
      unpersist_subscription(*sub);
      subscriptions_.erase(sub_arn);
    }
  }
  std::erase_if(tokens_, [&](const auto& kv) { return kv.second.topic_arn == topic_arn; });
  runtime_.store.erase("sns.topic", topic_arn);
  topics_.erase(topic_arn);
  return ok_status();
}

Result<Page<TopicSummary>> SnsEngine::list_topics(const CallContext& ctx,
                                                  const std::string& next_token) {
  std::optional<std::string> after;
  if (!next_token.empty()) {
    after = detail::decode_page_token(next_token);
    if (!after) return invalid_parameter("Invalid parameter: NextToken");
  }
  std::lock_guard lock(mu_);
  Page<TopicSummary> page;
  const std::string prefix = "arn:aws:sns:" + ctx.region + ":" + ctx.account + ":";
  auto it = after ? topics_.upper_bound(*after) : topics_.lower_bound(prefix);
  for (; it != topics_.end() && it->first.compare(0, prefix.size(), prefix) == 0; ++it) {
    if (page.items.size() == detail::kPageSize) {
      page.next_token = detail::page_token(page.items.back().arn);
      break;
    }
    page.items.push_back({it->first});
  }
  return page;
}

Result<AttributeMap> SnsEngine::get_topic_attributes(const CallContext& ctx,
                                                     const std::string& topic_arn) {
  std::lock_guard lock(mu_);
  auto found = require_topic(ctx, topic_arn);
  if (!found.ok()) return std::move(found).error();
  const detail::Topic& t = **found;
  AttributeMap out = t.attributes;
  out.erase("DataProtectionPolicy");
  out["Owner"] = t.account;
  out["TopicArn"] = t.arn;
  if (!out.count("DisplayName")) out["DisplayName"] = "";
  std::size_t pending = 0;
  std::size_t confirmed = 0;
  for (const auto& sub_arn : t.subscriptions) {
    if (const auto it = subscriptions_.find(sub_arn); it != subscriptions_.end())
      (it->second->pending ? pending : confirmed)++;
  }
  out["SubscriptionsPending"] = std::to_string(pending);
  out["SubscriptionsConfirmed"] = std::to_string(confirmed);
  out["SubscriptionsDeleted"] = std::to_string(t.subscriptions_deleted);
  // The effective policy is the topic's own DeliveryPolicy when it has one.
  auto dp = t.attributes.find("DeliveryPolicy");
  out["EffectiveDeliveryPolicy"] = dp != t.attributes.end() && !dp->second.empty()
                                       ? dp->second
                                       : default_topic_effective_delivery_policy();
  if (t.fifo) out["FifoTopic"] = "true";
  return out;
}

Status SnsEngine::set_topic_attributes(const CallContext& ctx, const std::string& topic_arn,
                                       const std::string& name, const std::string& value) {
  std::lock_guard lock(mu_);
  auto found = require_topic(ctx, topic_arn);
  if (!found.ok()) return std::move(found).error();
  detail::Topic& t = **found;
  if (name == "FifoTopic") return invalid_parameter("Invalid parameter: AttributeName");
  std::string v = value;
  SLUICE_TRY(check_topic_attribute(name, v, t.fifo));
  if (name == "DataProtectionPolicy") {
    t.data_protection_policy = v;
  } else if (v.empty() && name != "DisplayName") {
    // An empty value removes an optional attribute (the policy falls back to default).
    t.attributes.erase(name);
    if (name == "Policy") t.attributes["Policy"] = default_policy(t.arn, t.account);
  } else {
    t.attributes[name] = v;
  }
  persist_topic(t);
  return ok_status();
}

Status SnsEngine::add_permission(const CallContext& ctx, const std::string& topic_arn,
                                 const std::string& label, const std::vector<std::string>& accounts,
                                 const std::vector<std::string>& actions) {
  static const std::set<std::string> kActions = {"Publish",
                                                 "Subscribe",
                                                 "Receive",
                                                 "DeleteTopic",
                                                 "AddPermission",
                                                 "RemovePermission",
                                                 "SetTopicAttributes",
                                                 "GetTopicAttributes",
                                                 "ListSubscriptionsByTopic",
                                                 "ListTagsForResource",
                                                 "TagResource",
                                                 "UntagResource"};
  std::lock_guard lock(mu_);
  auto found = require_topic(ctx, topic_arn);
  if (!found.ok()) return std::move(found).error();
  detail::Topic& t = **found;
  if (accounts.empty()) return invalid_parameter("Invalid parameter: AWSAccountId");
  if (actions.empty()) return invalid_parameter("Invalid parameter: ActionName");
  for (const auto& a : actions)
    if (!kActions.count(a))
      return invalid_parameter("Invalid parameter: Policy statement action out of service scope!");
  auto policy = OrderedJson::parse(t.attributes["Policy"], nullptr, false);
  if (policy.is_discarded() || !policy.is_object()) policy = OrderedJson::object();
  if (!policy.contains("Statement") || !policy["Statement"].is_array())
    policy["Statement"] = OrderedJson::array();
  for (const auto& s : policy["Statement"])
    if (s.is_object() && s.value("Sid", "") == label)
      return invalid_parameter("Invalid parameter: Statement already exists");
  OrderedJson principals = OrderedJson::array();
  for (const auto& a : accounts)
    principals.push_back("arn:aws:iam::" + a + ":root");
  OrderedJson acts = OrderedJson::array();
  for (const auto& a : actions)
    acts.push_back("SNS:" + a);
  OrderedJson statement = {
      {"Sid", label},
      {"Effect", "Allow"},
      {"Principal", {{"AWS", principals.size() == 1 ? principals[0] : principals}}},
      {"Action", acts.size() == 1 ? acts[0] : acts},
      {"Resource", t.arn}};
  policy["Statement"].push_back(statement);
  t.attributes["Policy"] = policy.dump();
  persist_topic(t);
  return ok_status();
}

Status SnsEngine::remove_permission(const CallContext& ctx, const std::string& topic_arn,
                                    const std::string& label) {
  std::lock_guard lock(mu_);
  auto found = require_topic(ctx, topic_arn);
  if (!found.ok()) return std::move(found).error();
  detail::Topic& t = **found;
  auto policy = OrderedJson::parse(t.attributes["Policy"], nullptr, false);
  if (policy.is_discarded() || !policy.is_object() || !policy.contains("Statement"))
    return ok_status();
  auto& statements = policy["Statement"];
  OrderedJson kept = OrderedJson::array();
  for (const auto& s : statements)
    if (!(s.is_object() && s.value("Sid", "") == label)) kept.push_back(s);
  statements = kept;
  t.attributes["Policy"] = policy.dump();
  persist_topic(t);
  return ok_status();
}

Result<std::string> SnsEngine::get_data_protection_policy(const CallContext& ctx,
                                                          const std::string& resource_arn) {
  std::lock_guard lock(mu_);
  auto found = require_topic(ctx, resource_arn, "ResourceArn");
  if (!found.ok()) return std::move(found).error();
  return (*found)->data_protection_policy;
}

Status SnsEngine::put_data_protection_policy(const CallContext& ctx,
                                             const std::string& resource_arn,
                                             const std::string& policy) {
  auto p = Json::parse(policy, nullptr, false);
  if (p.is_discarded() || !p.is_object())
    return invalid_parameter(
        "Invalid parameter: DataProtectionPolicy Reason: Failed to parse the data protection "
        "policy");
  std::lock_guard lock(mu_);
  auto found = require_topic(ctx, resource_arn, "ResourceArn");
  if (!found.ok()) return std::move(found).error();
  (*found)->data_protection_policy = policy;
  persist_topic(**found);
  return ok_status();
}

namespace {

Result<detail::Topic*> tag_target(
    const std::map<std::string, std::unique_ptr<detail::Topic>>& topics, const CallContext& ctx,
    const std::string& arn) {
  auto parsed = parse_arn(arn);
  if (!parsed || parsed->service != "sns")
    return invalid_parameter("Invalid parameter: ResourceArn");
  if (parsed->region != ctx.region) return invalid_parameter("Invalid parameter: ResourceArn");
  auto it = topics.find(arn);
  if (it == topics.end())
    return Error::sender("ResourceNotFoundException", "Resource does not exist", 404);
  return it->second.get();
}

}  // namespace

Result<TagList> SnsEngine::list_tags_for_resource(const CallContext& ctx, const std::string& arn) {
  std::lock_guard lock(mu_);
  auto t = tag_target(topics_, ctx, arn);
  if (!t.ok()) return std::move(t).error();
  TagList out((*t)->tags.begin(), (*t)->tags.end());
  return out;
}

Status SnsEngine::tag_resource(const CallContext& ctx, const std::string& arn,
                               const TagList& tags) {
  SLUICE_TRY(check_tags(tags));
  std::lock_guard lock(mu_);
  auto t = tag_target(topics_, ctx, arn);
  if (!t.ok()) return std::move(t).error();
  TagMap merged = (*t)->tags;
  for (const auto& [k, v] : tags)
    merged[k] = v;
  if (merged.size() > 50)
    return Error::sender("TagLimitExceededException",
                         "Could not complete request: tag quota of per resource exceeded");
  (*t)->tags = std::move(merged);
  persist_topic(**t);
  return ok_status();
}

Status SnsEngine::untag_resource(const CallContext& ctx, const std::string& arn,
                                 const std::vector<std::string>& keys) {
  for (const auto& k : keys)
    SLUICE_TRY(check_not_reserved(k));
  std::lock_guard lock(mu_);
  auto t = tag_target(topics_, ctx, arn);
  if (!t.ok()) return std::move(t).error();
  for (const auto& k : keys)
    (*t)->tags.erase(k);
  persist_topic(**t);
  return ok_status();
}

}  // namespace sluice::services::sns
