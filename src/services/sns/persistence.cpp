// Persistence: the engine emits a record for every object it changes (under its lock,
// so records are ordered like the mutations) and restores them at startup. Pending
// HTTP/Lambda retries are records too, so a restart resumes their schedule. The
// signing key is kept so that certificates handed out stay valid across restarts.
#include "internal.hpp"
#include "sluice/common/encoding.hpp"
#include "sluice/common/log.hpp"

namespace sluice::services::sns {

using detail::Json;

namespace {

Json attributes_to_json(const MessageAttributes& attributes) {
  Json out = Json::object();
  for (const auto& [name, a] : attributes)
    out[name] = {a.data_type, a.string_value, base64_encode(a.binary_value)};
  return out;
}

MessageAttributes attributes_from_json(const Json& j) {
  MessageAttributes out;
  if (!j.is_object()) return out;
  for (auto it = j.begin(); it != j.end(); ++it) {
    const Json& v = it.value();
    if (!v.is_array() || v.size() != 3) continue;
    out[it.key()] = {v[0].get<std::string>(), v[1].get<std::string>(),
                     base64_decode(v[2].get<std::string>()).value_or("")};
  }
  return out;
}

Json retry_to_json(const RetryPolicy& p) {
  return {p.min_delay_target,      p.max_delay_target,     p.num_retries,
          p.num_max_delay_retries, p.num_no_delay_retries, p.num_min_delay_retries,
          p.backoff_function};
}

RetryPolicy retry_from_json(const Json& j) {
  RetryPolicy p;
  if (!j.is_array() || j.size() != 7) return p;
  p.min_delay_target = j[0];
  p.max_delay_target = j[1];
  p.num_retries = j[2];
  p.num_max_delay_retries = j[3];
  p.num_no_delay_retries = j[4];
  p.num_min_delay_retries = j[5];
  p.backoff_function = j[6];
  return p;
}

}  // namespace

const MessageSigner& SnsEngine::signer() const {
  std::lock_guard lock(signer_mu_);
  if (!signer_) {
    auto generated = MessageSigner::generate();
    if (!generated.ok()) throw std::runtime_error(generated.error().message);
    signer_ = std::move(*generated);
    runtime_.store.put(
        "sns.signing", "default",
        Json{{"key", signer_->key_pem()}, {"cert", signer_->certificate_pem()}, {"id", cert_id_}}
            .dump());
  }
  return *signer_;
}

void SnsEngine::persist_topic(const detail::Topic& t) {
  if (!runtime_.store.persistent()) return;
  Json dedup = Json::object();
  for (const auto& [id, e] : t.dedup)
    dedup[id] = {e.expires_ms, e.message_id, e.sequence_number};
  Json j = {{"name", t.name},
            {"region", t.region},
            {"account", t.account},
            {"fifo", t.fifo},
            {"attributes", t.attributes},
            {"tags", t.tags},
            {"data_protection_policy", t.data_protection_policy},
            {"subscriptions", t.subscriptions},
            {"deleted", t.subscriptions_deleted},
            {"sequence", t.sequence},
            {"dedup", dedup}};
  runtime_.store.put("sns.topic", t.arn, j.dump());
}

void SnsEngine::persist_subscription(const detail::Subscription& s) {
  if (!runtime_.store.persistent()) return;
  Json j = {{"topic_arn", s.topic_arn}, {"protocol", s.protocol},
            {"endpoint", s.endpoint},   {"owner", s.owner},
            {"region", s.region},       {"attributes", s.attributes},
            {"pending", s.pending},     {"authenticated", s.authenticated},
            {"token", s.token}};
  runtime_.store.put("sns.subscription", s.arn, j.dump());
}

void SnsEngine::unpersist_subscription(const detail::Subscription& s) {
  runtime_.store.erase("sns.subscription", s.arn);
}

void SnsEngine::persist_delivery(const detail::PendingDelivery& d) {
  if (!runtime_.store.persistent()) return;
  Json headers = Json::array();
  for (const auto& [k, v] : d.request.headers)
    headers.push_back({k, v});
  Json j = {{"kind", d.kind},
            {"subscription_arn", d.subscription_arn},
            {"topic_arn", d.topic_arn},
            {"region", d.region},
            {"account", d.account},
            {"message_id", d.message_id},
            {"message_type", d.message_type},
            {"url", d.request.url},
            {"headers", headers},
            {"body", d.request.body},
            {"timeout_ms", d.request.timeout_ms},
            {"policy", retry_to_json(d.policy)},
            {"attempts", d.attempts},
            {"next_at_ms", d.next_at_ms},
            {"dead_letter", d.dead_letter},
            {"dlq_body", d.dlq_message.body},
            {"dlq_attributes", attributes_to_json(d.dlq_message.attributes)},
            {"dlq_group", d.dlq_message.group_id},
            {"dlq_dedup", d.dlq_message.deduplication_id},
            {"endpoint", d.endpoint},
            {"subject", d.subject}};
  runtime_.store.put("sns.delivery", d.id, j.dump());
}

void SnsEngine::persist_platform_application(const detail::PlatformApplication& a) {
  if (!runtime_.store.persistent()) return;
  Json j = {{"name", a.name},
            {"platform", a.platform},
            {"region", a.region},
            {"account", a.account},
            {"attributes", a.attributes}};
  runtime_.store.put("sns.application", a.arn, j.dump());
}

void SnsEngine::persist_platform_endpoint(const detail::PlatformEndpoint& e) {
  if (!runtime_.store.persistent()) return;
  Json j = {{"application_arn", e.application_arn},
            {"region", e.region},
            {"account", e.account},
            {"attributes", e.attributes}};
  runtime_.store.put("sns.endpoint", e.arn, j.dump());
}

void SnsEngine::persist_sms(const std::string& key, const detail::SmsSettings& s) {
  if (!runtime_.store.persistent()) return;
  Json j = {{"attributes", s.attributes}, {"opted_out", s.opted_out}, {"sandbox", s.sandbox}};
  runtime_.store.put("sns.sms", key, j.dump());
}

Status SnsEngine::restore() {
  auto load = [&](const char* kind) { return runtime_.store.load(kind); };
  auto parse = [](const store::Record& r) { return Json::parse(r.value, nullptr, false); };
  try {
    auto signing = load("sns.signing");
    if (!signing.ok()) return std::move(signing).error();
    for (const auto& r : *signing) {
      Json j = parse(r);
      if (j.is_discarded()) continue;
      auto s = MessageSigner::from_pem(j.value("key", ""), j.value("cert", ""));
      if (!s.ok()) return std::move(s).error();
      std::lock_guard lock(signer_mu_);
      signer_ = std::move(*s);
      cert_id_ = j.value("id", cert_id_);
    }
    std::lock_guard lock(mu_);
    auto topics = load("sns.topic");
    if (!topics.ok()) return std::move(topics).error();
    for (const auto& r : *topics) {
      Json j = parse(r);
      if (j.is_discarded()) continue;
      auto t = std::make_unique<detail::Topic>();
      t->arn = r.key;
      t->name = j.at("name");
      t->region = j.at("region");
      t->account = j.at("account");
      t->fifo = j.at("fifo");
      t->attributes = j.at("attributes").get<AttributeMap>();
      t->tags = j.at("tags").get<TagMap>();
      t->data_protection_policy = j.at("data_protection_policy");
      t->subscriptions = j.at("subscriptions").get<std::vector<std::string>>();
      t->subscriptions_deleted = j.at("deleted");
      t->sequence = j.at("sequence");
      for (auto it = j.at("dedup").begin(); it != j.at("dedup").end(); ++it)
        t->dedup[it.key()] = {it.value()[0], it.value()[1], it.value()[2]};
      topics_[r.key] = std::move(t);
    }
    auto subs = load("sns.subscription");
    if (!subs.ok()) return std::move(subs).error();
    for (const auto& r : *subs) {
      Json j = parse(r);
      if (j.is_discarded()) continue;
      auto s = std::make_unique<detail::Subscription>();
      s->arn = r.key;
      s->topic_arn = j.at("topic_arn");
      s->protocol = j.at("protocol");
      s->endpoint = j.at("endpoint");
      s->owner = j.at("owner");
      s->region = j.at("region");
      s->attributes = j.at("attributes").get<AttributeMap>();
      s->pending = j.at("pending");
      s->authenticated = j.at("authenticated");
      s->token = j.at("token");
      if (auto fp = s->attributes.find("FilterPolicy"); fp != s->attributes.end()) {
        auto scope = s->attributes.find("FilterPolicyScope");
        auto policy =
            parse_filter_policy(fp->second,
                                scope != s->attributes.end() && scope->second == "MessageBody"
                                    ? FilterScope::MessageBody
                                    : FilterScope::MessageAttributes,
                                false);
        if (policy.ok()) s->filter = std::move(*policy);
      }
      if (!s->token.empty()) {
        if (auto topic = topics_.find(s->topic_arn); topic != topics_.end())
          tokens_[s->token] = SubscriptionToken{s->token, s->arn, s->topic_arn,
                                                topic->second->region, topic->second->account};
      }
      subscriptions_[r.key] = std::move(s);
    }
    auto apps = load("sns.application");
    if (!apps.ok()) return std::move(apps).error();
    for (const auto& r : *apps) {
      Json j = parse(r);
      if (j.is_discarded()) continue;
      auto a = std::make_unique<detail::PlatformApplication>();
      a->arn = r.key;
      a->name = j.at("name");
      a->platform = j.at("platform");
      a->region = j.at("region");
      a->account = j.at("account");
      a->attributes = j.at("attributes").get<AttributeMap>();
      applications_[r.key] = std::move(a);
    }
    auto eps = load("sns.endpoint");
    if (!eps.ok()) return std::move(eps).error();
    for (const auto& r : *eps) {
      Json j = parse(r);
      if (j.is_discarded()) continue;
      auto e = std::make_unique<detail::PlatformEndpoint>();
      e->arn = r.key;
      e->application_arn = j.at("application_arn");
      e->region = j.at("region");
      e->account = j.at("account");
      e->attributes = j.at("attributes").get<AttributeMap>();
      endpoints_[r.key] = std::move(e);
    }
    auto sms = load("sns.sms");
    if (!sms.ok()) return std::move(sms).error();
    for (const auto& r : *sms) {
      Json j = parse(r);
      if (j.is_discarded()) continue;
      auto s = std::make_unique<detail::SmsSettings>();
      s->attributes = j.at("attributes").get<AttributeMap>();
      s->opted_out = j.at("opted_out").get<std::set<std::string>>();
      s->sandbox = j.at("sandbox").get<std::map<std::string, std::string>>();
      sms_[r.key] = std::move(s);
    }
    auto deliveries = load("sns.delivery");
    if (!deliveries.ok()) return std::move(deliveries).error();
    for (const auto& r : *deliveries) {
      Json j = parse(r);
      if (j.is_discarded()) continue;
      auto d = std::make_unique<detail::PendingDelivery>();
      d->id = r.key;
      d->kind = j.at("kind");
      d->subscription_arn = j.at("subscription_arn");
      d->topic_arn = j.at("topic_arn");
      d->region = j.at("region");
      d->account = j.at("account");
      d->message_id = j.at("message_id");
      d->message_type = j.at("message_type");
      d->request.url = j.at("url");
      for (const auto& h : j.at("headers"))
        d->request.headers.emplace_back(h[0], h[1]);
      d->request.body = j.at("body");
      d->request.timeout_ms = j.at("timeout_ms");
      d->policy = retry_from_json(j.at("policy"));
      d->attempts = j.at("attempts");
      d->next_at_ms = j.at("next_at_ms");
      d->dead_letter = j.at("dead_letter");
      d->dlq_message.body = j.at("dlq_body");
      d->dlq_message.attributes = attributes_from_json(j.at("dlq_attributes"));
      d->dlq_message.group_id = j.at("dlq_group");
      d->dlq_message.deduplication_id = j.at("dlq_dedup");
      d->dlq_message.sender_id = detail::kSnsSenderId;
      d->endpoint = j.at("endpoint");
      d->subject = j.at("subject");
      d->message = d->request.body;
      detail::PendingDelivery& ref = *d;
      deliveries_[r.key] = std::move(d);
      // A retry that was due while the server was down runs at once.
      schedule_attempt_locked(ref, ref.next_at_ms);
    }
  } catch (const std::exception& e) {
    return Error::internal(std::string("SNS state in the data directory is unreadable: ") +
                           e.what());
  }
  logger("sns")->info("restored {} topics, {} subscriptions, {} pending deliveries", topics_.size(),
                      subscriptions_.size(), deliveries_.size());
  return ok_status();
}

}  // namespace sluice::services::sns
