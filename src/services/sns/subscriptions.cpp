// Subscriptions: Subscribe (with attributes and confirmation), ConfirmSubscription,
// Unsubscribe, listing and attributes.
#include "internal.hpp"
#include "sluice/common/encoding.hpp"
#include "sluice/services/sns/delivery_policy.hpp"

namespace sluice::services::sns {

using detail::invalid_parameter;

namespace {

const std::set<std::string> kProtocols = {"http", "https",  "email",       "email-json", "sms",
                                          "sqs",  "lambda", "application", "firehose"};

bool needs_confirmation(const std::string& protocol) {
  return protocol == "http" || protocol == "https" || protocol == "email" ||
         protocol == "email-json";
}

Status check_endpoint(const std::string& protocol, const std::string& endpoint, bool fifo_topic) {
  if (endpoint.empty()) return invalid_parameter("Invalid parameter: Endpoint");
  if (protocol == "http" || protocol == "https") {
    if (endpoint.rfind(protocol + "://", 0) != 0)
      return invalid_parameter("Invalid parameter: Endpoint must match the specified protocol");
  } else if (protocol == "email" || protocol == "email-json") {
    const auto at = endpoint.find('@');
    if (at == std::string::npos || at == 0 || at + 1 >= endpoint.size())
      return invalid_parameter("Invalid parameter: Email address");
  } else if (protocol == "sms") {
    if (!detail::is_e164(endpoint)) return invalid_parameter("Invalid SMS endpoint: " + endpoint);
  } else if (protocol == "sqs") {
    auto arn = parse_arn(endpoint);
    if (!arn || arn->service != "sqs" || arn->resource.find(':') != std::string::npos)
      return invalid_parameter("Invalid parameter: SQS endpoint ARN");
  } else if (protocol == "lambda") {
    auto arn = parse_arn(endpoint);
    if (!arn || arn->service != "lambda")
      return invalid_parameter("Invalid parameter: Lambda endpoint ARN");
  } else if (protocol == "application") {
    auto arn = parse_arn(endpoint);
    if (!arn || arn->service != "sns" || arn->resource.rfind("endpoint/", 0) != 0)
      return invalid_parameter("Invalid parameter: ApplicationEndpoint ARN");
  } else if (protocol == "firehose") {
    auto arn = parse_arn(endpoint);
    if (!arn || arn->service != "firehose")
      return invalid_parameter("Invalid parameter: Firehose endpoint ARN");
  }
  if (protocol == "sqs" && endpoint.ends_with(".fifo") && !fifo_topic)
    return invalid_parameter(
        "Invalid parameter: Invalid parameter: Endpoint Reason: FIFO SQS Queues can not be "
        "subscribed to standard SNS topics");
  if (fifo_topic && protocol != "sqs" && protocol != "firehose")
    return invalid_parameter(
        "Invalid parameter: Invalid parameter: Endpoint Reason: FIFO SNS topics currently only "
        "support Amazon SQS queues as endpoints");
  return ok_status();
}

FilterScope scope_of(const AttributeMap& attributes) {
  auto it = attributes.find("FilterPolicyScope");
  return it != attributes.end() && it->second == "MessageBody" ? FilterScope::MessageBody
                                                               : FilterScope::MessageAttributes;
}

}  // namespace

Result<std::string> SnsEngine::subscribe(const CallContext& ctx, const std::string& topic_arn,
                                         const std::string& protocol, const std::string& endpoint,
                                         const AttributeMap& attributes, bool return_arn) {
  std::lock_guard lock(mu_);
  auto found = require_topic(ctx, topic_arn);
  if (!found.ok()) return std::move(found).error();
  detail::Topic& topic = **found;
  if (!kProtocols.count(protocol))
    return invalid_parameter(
        "Invalid parameter: Amazon SNS does not support this protocol string: " + protocol);
  SLUICE_TRY(check_endpoint(protocol, endpoint, topic.fifo));

  auto sub = std::make_unique<detail::Subscription>();
  sub->topic_arn = topic_arn;
  sub->protocol = protocol;
  sub->endpoint = endpoint;
  sub->owner = ctx.account;
  sub->region = ctx.region;
  for (const auto& [k, v] : attributes) {
    SLUICE_TRY(detail::validate_subscription_attribute(k, v, *sub, true));
    sub->attributes[k] = k == "RawMessageDelivery" ? ascii_lower(v) : v;
  }
  if (auto it = sub->attributes.find("FilterPolicy");
      it != sub->attributes.end() && !it->second.empty()) {
    auto policy = parse_filter_policy(it->second, scope_of(sub->attributes), true);
    if (!policy.ok()) return std::move(policy).error();
    sub->filter = std::move(*policy);
  }

  // AWS: an endpoint subscribes to a topic once; Subscribe again returns the same
  // subscription unless the attributes differ.
  for (const auto& existing_arn : topic.subscriptions) {
    auto* existing = find_subscription(existing_arn);
    if (!existing || existing->protocol != protocol || existing->endpoint != endpoint) continue;
    for (const auto& [k, v] : sub->attributes) {
      auto have = existing->attributes.find(k);
      if (have == existing->attributes.end() || have->second != v)
        return invalid_parameter(
            "Invalid parameter: Attributes Reason: Subscription already exists with different "
            "attributes");
    }
    if (existing->pending && !return_arn) return std::string("pending confirmation");
    return existing->arn;
  }

  sub->arn = topic_arn + ":" + uuid_v4();
  sub->pending = needs_confirmation(protocol);
  sub->authenticated = !sub->pending;
  if (sub->pending) {
    // AWS tokens are long opaque hex strings.
    sub->token = random_hex(144);
    tokens_[sub->token] =
        SubscriptionToken{sub->token, sub->arn, topic_arn, topic.region, topic.account};
  }
  detail::Subscription& ref = *sub;
  topic.subscriptions.push_back(sub->arn);
  subscriptions_[sub->arn] = std::move(sub);
  persist_subscription(ref);
  persist_topic(topic);
  if (ref.pending) send_confirmation_locked(ctx, topic, ref, "SubscriptionConfirmation");
  if (ref.pending && !return_arn) return std::string("pending confirmation");
  return ref.arn;
}

Result<std::string> SnsEngine::confirm_subscription(
    const CallContext& ctx, const std::string& topic_arn, const std::string& token,
    const std::string& authenticate_on_unsubscribe) {
  auto parsed = parse_arn(topic_arn);
  if (!parsed || parsed->service != "sns") return invalid_parameter("Invalid parameter: Topic");
  std::lock_guard lock(mu_);
  // The request may come unsigned (a GET on the SubscribeURL): the topic ARN, not the
  // caller, names the region and account.
  CallContext topic_ctx{parsed->region, parsed->account, ctx.base_url};
  auto found = require_topic(topic_ctx, topic_arn);
  if (!found.ok()) return std::move(found).error();
  auto it = tokens_.find(token);
  if (it == tokens_.end() || it->second.topic_arn != topic_arn)
    return invalid_parameter("Invalid parameter: Token");
  auto* sub = find_subscription(it->second.subscription_arn);
  if (!sub) return invalid_parameter("Invalid parameter: Token");
  if (sub->pending) {
    sub->pending = false;
    // Confirmed through the API (signed or via the SubscribeURL): AWS reports true.
    // AuthenticateOnUnsubscribe=true additionally forbids unauthenticated unsubscribes,
    // which an emulator without identities has no way to enforce.
    (void)authenticate_on_unsubscribe;
    sub->authenticated = true;
    persist_subscription(*sub);
  }
  return sub->arn;
}

Status SnsEngine::unsubscribe(const CallContext& ctx, const std::string& subscription_arn) {
  auto parsed = parse_arn(subscription_arn);
  if (!parsed) {
    std::size_t parts = 1;
    for (char c : subscription_arn)
      parts += c == ':';
    return invalid_parameter(
        "Invalid parameter: SubscriptionArn Reason: An ARN must have at least 6 elements, not " +
        std::to_string(parts));
  }
  if (parsed->service != "sns") return invalid_parameter("Invalid parameter: SubscriptionArn");
  std::lock_guard lock(mu_);
  auto* sub = find_subscription(subscription_arn);
  if (!sub) return ok_status();  // AWS: Unsubscribe is idempotent
  auto topic_it = topics_.find(sub->topic_arn);
  if (topic_it != topics_.end()) {
    detail::Topic& topic = *topic_it->second;
    if (sub->protocol == "http" || sub->protocol == "https")
      send_confirmation_locked(ctx, topic, *sub, "UnsubscribeConfirmation");
    std::erase(topic.subscriptions, subscription_arn);
    topic.subscriptions_deleted++;
    persist_topic(topic);
  }
  if (!sub->token.empty()) tokens_.erase(sub->token);
  unpersist_subscription(*sub);
  subscriptions_.erase(subscription_arn);
  return ok_status();
}

namespace {

SubscriptionSummary summarize(const detail::Subscription& s) {
  return {s.pending ? "PendingConfirmation" : s.arn, s.owner, s.protocol, s.endpoint, s.topic_arn};
}

}  // namespace

Result<Page<SubscriptionSummary>> SnsEngine::list_subscriptions(const CallContext& ctx,
                                                                const std::string& next_token) {
  std::optional<std::string> after;
  if (!next_token.empty()) {
    after = detail::decode_page_token(next_token);
    if (!after) return invalid_parameter("Invalid parameter: NextToken");
  }
  std::lock_guard lock(mu_);
  const std::string prefix = "arn:aws:sns:" + ctx.region + ":" + ctx.account + ":";
  Page<SubscriptionSummary> page;
  std::string last;
  auto it = after ? subscriptions_.upper_bound(*after) : subscriptions_.lower_bound(prefix);
  for (; it != subscriptions_.end() && it->first.compare(0, prefix.size(), prefix) == 0; ++it) {
    if (page.items.size() == detail::kPageSize) {
      page.next_token = detail::page_token(last);
      break;
    }
    page.items.push_back(summarize(*it->second));
    last = it->first;
  }
  return page;
}

Result<Page<SubscriptionSummary>> SnsEngine::list_subscriptions_by_topic(
    const CallContext& ctx, const std::string& topic_arn, const std::string& next_token) {
  std::size_t start = 0;
  if (!next_token.empty()) {
    auto decoded = detail::decode_page_token(next_token);
    if (!decoded) return invalid_parameter("Invalid parameter: NextToken");
    try {
      start = std::stoul(*decoded);
    } catch (...) {
      return invalid_parameter("Invalid parameter: NextToken");
    }
  }
  std::lock_guard lock(mu_);
  auto found = require_topic(ctx, topic_arn);
  if (!found.ok()) return std::move(found).error();
  const auto& subs = (*found)->subscriptions;
  Page<SubscriptionSummary> page;
  for (std::size_t i = start; i < subs.size(); ++i) {
    if (page.items.size() == detail::kPageSize) {
      page.next_token = detail::page_token(std::to_string(i));
      break;
    }
    if (auto* s = find_subscription(subs[i])) page.items.push_back(summarize(*s));
  }
  return page;
}

Result<AttributeMap> SnsEngine::get_subscription_attributes(const CallContext& ctx,
                                                            const std::string& subscription_arn) {
  auto parsed = parse_arn(subscription_arn);
  if (!parsed || parsed->service != "sns")
    return invalid_parameter("Invalid parameter: SubscriptionArn");
  std::lock_guard lock(mu_);
  auto* sub = find_subscription(subscription_arn);
  if (!sub) return detail::not_found("Subscription does not exist");
  AttributeMap out = sub->attributes;
  out["SubscriptionArn"] = sub->arn;
  out["TopicArn"] = sub->topic_arn;
  out["Owner"] = sub->owner;
  out["Protocol"] = sub->protocol;
  out["Endpoint"] = sub->endpoint;
  out["PendingConfirmation"] = sub->pending ? "true" : "false";
  out["ConfirmationWasAuthenticated"] = sub->authenticated ? "true" : "false";
  out["SubscriptionPrincipal"] = "arn:aws:iam::" + sub->owner + ":user/sluice";
  if (!out.count("RawMessageDelivery")) out["RawMessageDelivery"] = "false";
  if (out.count("FilterPolicy") && !out.count("FilterPolicyScope"))
    out["FilterPolicyScope"] = "MessageAttributes";
  if (!out.count("FilterPolicy")) out.erase("FilterPolicyScope");
  if (sub->protocol == "http" || sub->protocol == "https") {
    std::string topic_policy;
    if (auto t = topics_.find(sub->topic_arn); t != topics_.end()) {
      auto dp = t->second->attributes.find("DeliveryPolicy");
      if (dp != t->second->attributes.end()) topic_policy = dp->second;
    }
    auto sp = sub->attributes.find("DeliveryPolicy");
    out["EffectiveDeliveryPolicy"] = describe_effective_delivery_policy(effective_delivery_policy(
        topic_policy, sp == sub->attributes.end() ? std::string() : sp->second));
  }
  return out;
}

Status SnsEngine::set_subscription_attributes(const CallContext& ctx,
                                              const std::string& subscription_arn,
                                              const std::string& name, const std::string& value) {
  auto parsed = parse_arn(subscription_arn);
  if (!parsed || parsed->service != "sns")
    return invalid_parameter("Invalid parameter: SubscriptionArn");
  std::lock_guard lock(mu_);
  auto* sub = find_subscription(subscription_arn);
  if (!sub) return detail::not_found("Subscription does not exist");
  SLUICE_TRY(detail::validate_subscription_attribute(name, value, *sub, false));
  if (name == "FilterPolicy") {
    if (value.empty()) {
      sub->filter.reset();
      sub->attributes.erase("FilterPolicy");
    } else {
      auto policy = parse_filter_policy(value, scope_of(sub->attributes), false);
      if (!policy.ok()) return std::move(policy).error();
      sub->filter = std::move(*policy);
      sub->attributes["FilterPolicy"] = value;
    }
  } else if (name == "FilterPolicyScope") {
    // The existing policy must still be valid under the new scope.
    AttributeMap scoped{{"FilterPolicyScope", value}};
    if (auto it = sub->attributes.find("FilterPolicy"); it != sub->attributes.end()) {
      auto policy = parse_filter_policy(it->second, scope_of(scoped), false);
      if (!policy.ok()) return std::move(policy).error();
      sub->filter = std::move(*policy);
    }
    sub->attributes[name] = value;
  } else if (name == "RawMessageDelivery") {
    sub->attributes[name] = ascii_lower(value);
  } else if (value.empty() && (name == "RedrivePolicy" || name == "DeliveryPolicy")) {
    sub->attributes.erase(name);
  } else {
    sub->attributes[name] = value;
  }
  persist_subscription(*sub);
  return ok_status();
}

}  // namespace sluice::services::sns
