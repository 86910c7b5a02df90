// Engine lifetime, wiring, lookups and the small helpers every SNS file shares.
#include "sluice/services/sns/engine.hpp"

#include "internal.hpp"
#include "sluice/common/encoding.hpp"
#include "sluice/common/log.hpp"

namespace sluice::services::sns {

std::optional<ParsedArn> parse_arn(const std::string& arn) {
  // arn:partition:service:region:account:resource (the resource may contain ':').
  std::vector<std::string> parts;
  std::size_t pos = 0;
  for (int i = 0; i < 5; ++i) {
    const std::size_t colon = arn.find(':', pos);
    if (colon == std::string::npos) return std::nullopt;
    parts.push_back(arn.substr(pos, colon - pos));
    pos = colon + 1;
  }
  if (parts[0] != "arn" || parts[1].empty() || parts[2].empty()) return std::nullopt;
  ParsedArn out{parts[1], parts[2], parts[3], parts[4], arn.substr(pos)};
  if (out.resource.empty()) return std::nullopt;
  return out;
}

namespace detail {

const std::string& Notification::message_for(const std::string& protocol) const {
  if (per_protocol.empty()) return message;
  if (auto it = per_protocol.find(protocol); it != per_protocol.end()) return it->second;
  if (auto it = per_protocol.find("default"); it != per_protocol.end()) return it->second;
  return message;
}

std::string page_token(const std::string& last_key) {
  return base64_encode(last_key);
}

std::optional<std::string> decode_page_token(const std::string& token) {
  return base64_decode(token);
}

std::string scope_key(const std::string& region, const std::string& account) {
  return region + "/" + account;
}

}  // namespace detail

std::shared_ptr<SnsEngine> SnsEngine::create(Runtime& runtime, SnsOptions options) {
  return std::shared_ptr<SnsEngine>(new SnsEngine(runtime, std::move(options)));
}

SnsEngine::SnsEngine(Runtime& runtime, SnsOptions options)
    : runtime_(runtime), options_(std::move(options)), cert_id_(random_hex(16)) {}

SnsEngine::~SnsEngine() {
  std::lock_guard lock(mu_);
  for (auto& [id, d] : deliveries_)
    if (d->timer) runtime_.timers.cancel(d->timer);
}

void SnsEngine::set_queue_delivery(std::shared_ptr<QueueDelivery> queues) {
  std::lock_guard lock(mu_);
  queues_ = std::move(queues);
}

void SnsEngine::set_http_client(std::shared_ptr<HttpClient> http) {
  std::lock_guard lock(mu_);
  http_ = std::move(http);
}

void SnsEngine::when_durable(std::function<void(Status)> done) {
  runtime_.store.after_durable(std::move(done));
}

void SnsEngine::reset() {
  std::lock_guard lock(mu_);
  for (auto& [id, d] : deliveries_)
    if (d->timer) runtime_.timers.cancel(d->timer);
  deliveries_.clear();
  topics_.clear();
  subscriptions_.clear();
  tokens_.clear();
  applications_.clear();
  endpoints_.clear();
  sms_.clear();
  sandbox_otps_.clear();
  recorded_.clear();
  for (const char* kind : {"sns.topic", "sns.subscription", "sns.application", "sns.endpoint",
                           "sns.sms", "sns.delivery"})
    runtime_.store.erase_prefix(kind, "");
}

Result<detail::Topic*> SnsEngine::require_topic(const CallContext& ctx, const std::string& arn,
                                                const char* param) {
  auto parsed = parse_arn(arn);
  if (!parsed || parsed->service != "sns" || parsed->resource.find(':') != std::string::npos ||
      !detail::valid_topic_name(
          parsed->resource, parsed->resource.size() > 5 && parsed->resource.ends_with(".fifo"))) {
    return detail::invalid_parameter(std::string("Invalid parameter: ") + param);
  }
  // AWS: a topic ARN of another region is not addressable from this endpoint.
  if (parsed->region != ctx.region)
    return detail::invalid_parameter(std::string("Invalid parameter: ") + param);
  auto it = topics_.find(arn);
  if (it == topics_.end()) return detail::not_found("Topic does not exist");
  return it->second.get();
}

detail::Subscription* SnsEngine::find_subscription(const std::string& arn) {
  auto it = subscriptions_.find(arn);
  return it == subscriptions_.end() ? nullptr : it->second.get();
}

std::string SnsEngine::signing_cert_path() const {
  return "/_sluice/sns/SimpleNotificationService-" + cert_id_ + ".pem";
}

std::string SnsEngine::signing_cert_url(const std::string& base_url) const {
  const std::string& base =
      options_.signing_cert_url_base.empty() ? base_url : options_.signing_cert_url_base;
  return base + signing_cert_path();
}

std::vector<RecordedDelivery> SnsEngine::recorded(const std::string& kind,
                                                  const std::string& region,
                                                  const std::string& account) const {
  std::lock_guard lock(mu_);
  std::vector<RecordedDelivery> out;
  for (const auto& r : recorded_) {
    if (!kind.empty() && r.kind != kind) continue;
    if (!region.empty() && r.region != region) continue;
    if (!account.empty() && r.account != account) continue;
    out.push_back(r);
  }
  return out;
}

void SnsEngine::clear_recorded(const std::string& kind, const std::string& region,
                               const std::string& account) {
  std::lock_guard lock(mu_);
  std::erase_if(recorded_, [&](const RecordedDelivery& r) {
    return (kind.empty() || r.kind == kind) && (region.empty() || r.region == region) &&
           (account.empty() || r.account == account);
  });
}

std::vector<SubscriptionToken> SnsEngine::subscription_tokens(const std::string& region,
                                                              const std::string& account) const {
  std::lock_guard lock(mu_);
  std::vector<SubscriptionToken> out;
  for (const auto& [token, t] : tokens_) {
    if (!region.empty() && t.region != region) continue;
    if (!account.empty() && t.account != account) continue;
    out.push_back(t);
  }
  return out;
}

std::optional<std::string> SnsEngine::sandbox_one_time_password(
    const std::string& phone_number) const {
  std::lock_guard lock(mu_);
  auto it = sandbox_otps_.find(phone_number);
  if (it == sandbox_otps_.end()) return std::nullopt;
  return it->second;
}

std::size_t SnsEngine::pending_retries() const {
  std::lock_guard lock(mu_);
  return deliveries_.size();
}

void SnsEngine::record_locked(RecordedDelivery record) {
  recorded_.push_back(std::move(record));
  while (recorded_.size() > options_.recorded_limit)
    recorded_.pop_front();
}

}  // namespace sluice::services::sns
