// Delivery of one notification to one subscription, per protocol: SQS (JSON envelope
// or raw), HTTP/S (signed envelope, x-amz-sns-* headers, DeliveryPolicy retries on the
// injected clock), Lambda (the SNS event through the Lambda Invoke API), and recorded
// email/email-json/SMS/mobile/firehose deliveries. Exhausted or client-failed
// deliveries go to the subscription's dead-letter queue (RedrivePolicy).
#include "internal.hpp"
#include "sluice/common/encoding.hpp"
#include "sluice/common/log.hpp"
#include "sluice/services/lambda_target.hpp"

namespace sluice::services::sns {

using detail::Json;
using detail::OrderedJson;

namespace {

OrderedJson attributes_json(const MessageAttributes& attributes) {
  OrderedJson out = OrderedJson::object();
  for (const auto& [name, a] : attributes) {
    out[name] = {{"Type", a.data_type},
                 {"Value", a.is_binary() ? base64_encode(a.binary_value) : a.string_value}};
  }
  return out;
}

bool is_raw(const detail::Subscription& sub) {
  auto it = sub.attributes.find("RawMessageDelivery");
  return it != sub.attributes.end() && it->second == "true";
}

std::string redrive_target(const detail::Subscription* sub) {
  if (!sub) return {};
  auto it = sub->attributes.find("RedrivePolicy");
  if (it == sub->attributes.end()) return {};
  auto p = Json::parse(it->second, nullptr, false);
  if (p.is_discarded() || !p.is_object()) return {};
  return p.value("deadLetterTargetArn", "");
}

}  // namespace

void SnsEngine::sign_notification(detail::Notification& n, const std::string& message) const {
  const auto& cache = n.signature_cache;
  if (cache && !cache->signature.empty() && cache->message == message) {
    n.signature = cache->signature;
    n.signing_cert_url = cache->cert_url;
    return;
  }
  std::map<std::string, std::string> fields = {{"Message", message},
                                               {"MessageId", n.message_id},
                                               {"Timestamp", n.timestamp},
                                               {"TopicArn", n.topic_arn},
                                               {"Type", n.type}};
  if (n.subject) fields["Subject"] = *n.subject;
  if (!n.subscribe_url.empty()) fields["SubscribeURL"] = n.subscribe_url;
  if (!n.token.empty()) fields["Token"] = n.token;
  n.signature = signer().sign(canonical_signing_string(fields), n.signature_version);
  n.signing_cert_url = signing_cert_url(n.base_url);
  if (cache) *cache = {message, n.signature, n.signing_cert_url};
}

namespace {

// The JSON document SNS delivers to SQS (non-raw), HTTP/S and email-json endpoints, in
// AWS's member order. FIFO topics' envelopes carry a SequenceNumber and no signature.
std::string envelope_json(const detail::Notification& n, const std::string& message) {
  OrderedJson e;
  e["Type"] = n.type;
  e["MessageId"] = n.message_id;
  if (n.type != "Notification") {
    e["Token"] = n.token;
    e["TopicArn"] = n.topic_arn;
    e["Message"] = message;
    e["SubscribeURL"] = n.subscribe_url;
    e["Timestamp"] = n.timestamp;
    e["SignatureVersion"] = n.signature_version;
    e["Signature"] = n.signature;
    e["SigningCertURL"] = n.signing_cert_url;
    return e.dump();
  }
  if (n.fifo) e["SequenceNumber"] = n.sequence_number;
  e["TopicArn"] = n.topic_arn;
  if (n.subject) e["Subject"] = *n.subject;
  e["Message"] = message;
  e["Timestamp"] = n.timestamp;
  if (!n.fifo) {
    e["SignatureVersion"] = n.signature_version;
    e["Signature"] = n.signature;
    e["SigningCertURL"] = n.signing_cert_url;
  }
  e["UnsubscribeURL"] = n.unsubscribe_url;
  if (!n.attributes.empty()) e["MessageAttributes"] = attributes_json(n.attributes);
  return e.dump();
}

// The event a Lambda function subscribed to a topic receives.
std::string lambda_event(const detail::Notification& n, const std::string& message,
                         const std::string& subscription_arn) {
  OrderedJson sns;
  sns["Type"] = n.type;
  sns["MessageId"] = n.message_id;
  sns["TopicArn"] = n.topic_arn;
  sns["Subject"] = n.subject ? OrderedJson(*n.subject) : OrderedJson(nullptr);
  sns["Message"] = message;
  sns["Timestamp"] = n.timestamp;
  sns["SignatureVersion"] = n.signature_version;
  sns["Signature"] = n.signature;
  sns["SigningCertUrl"] = n.signing_cert_url;
  sns["UnsubscribeUrl"] = n.unsubscribe_url;
  sns["MessageAttributes"] = attributes_json(n.attributes);
  OrderedJson record;
  record["EventSource"] = "aws:sns";
  record["EventVersion"] = "1.0";
  record["EventSubscriptionArn"] = subscription_arn;
  record["Sns"] = sns;
  OrderedJson event;
  event["Records"] = OrderedJson::array({record});
  return event.dump();
}

}  // namespace

void SnsEngine::deliver_locked(const CallContext& ctx, detail::Topic& topic,
                               detail::Subscription& sub, const detail::Notification& base) {
  if (!base.signature_cache)
    base.signature_cache = std::make_shared<detail::Notification::SignatureCache>();
  detail::Notification n = base;
  n.unsubscribe_url = n.base_url + "/?Action=Unsubscribe&SubscriptionArn=" + url_encode(sub.arn);
  const std::string& message = n.message_for(sub.protocol);
  if (!n.fifo) sign_notification(n, message);
  const std::string& protocol = sub.protocol;
  if (protocol == "sqs") {
    deliver_to_queue_locked(sub, n, message);
    return;
  }
  RecordedDelivery rec;
  rec.kind = protocol;
  rec.region = topic.region;
  rec.account = topic.account;
  rec.message_id = n.message_id;
  rec.subscription_arn = sub.arn;
  rec.topic_arn = topic.arn;
  rec.endpoint = sub.endpoint;
  rec.subject = n.subject.value_or("");
  rec.attributes = n.attributes;
  rec.timestamp_ms = runtime_.clock.now_ms();
  rec.attempts = 1;
  rec.status = "delivered";
  if (protocol == "http" || protocol == "https" || protocol == "lambda") {
    auto d = std::make_unique<detail::PendingDelivery>();
    d->kind = protocol == "lambda" ? "lambda" : "http";
    d->subscription_arn = sub.arn;
    d->topic_arn = topic.arn;
    d->region = topic.region;
    d->account = topic.account;
    d->message_id = n.message_id;
    d->message_type = n.type;
    d->endpoint = sub.endpoint;
    d->subject = rec.subject;
    const bool raw = is_raw(sub);
    const std::string envelope = envelope_json(n, message);
    d->dlq_message.body = raw ? message : envelope;
    if (raw) d->dlq_message.attributes = n.attributes;
    d->dlq_message.sender_id = detail::kSnsSenderId;
    if (d->kind == "http") {
      std::string topic_policy;
      if (auto dp = topic.attributes.find("DeliveryPolicy"); dp != topic.attributes.end())
        topic_policy = dp->second;
      auto sp = sub.attributes.find("DeliveryPolicy");
      const EffectiveDeliveryPolicy policy = effective_delivery_policy(
          topic_policy, sp == sub.attributes.end() ? std::string() : sp->second);
      d->policy = policy.retry;
      d->request.url = sub.endpoint;
      d->request.body = raw ? message : envelope;
      d->request.headers = {{"Content-Type", policy.header_content_type},
                            {"User-Agent", "Amazon Simple Notification Service Agent"},
                            {"x-amz-sns-message-type", n.type},
                            {"x-amz-sns-message-id", n.message_id},
                            {"x-amz-sns-topic-arn", topic.arn},
                            {"x-amz-sns-subscription-arn", sub.arn}};
      if (raw) d->request.headers.emplace_back("x-amz-sns-rawdelivery", "true");
      // throttlePolicy.maxReceivesPerSecond: space the first attempts of this
      // subscription's deliveries.
      if (policy.max_receives_per_second) {
        const TimeMs now = runtime_.clock.now_ms();
        const TimeMs slot = std::max(now, sub.throttle_next_ms);
        sub.throttle_next_ms = slot + 1000 / *policy.max_receives_per_second;
        d->next_at_ms = slot;
      }
    } else {
      d->policy = managed_endpoint_retry_policy();
      const std::string function = sub.endpoint;
      d->request.url = options_.lambda_endpoint.empty()
                           ? std::string()
                           : lambda_invoke_url(options_.lambda_endpoint, function);
      d->request.headers = {{"Content-Type", "application/json"},
                            {"X-Amz-Invocation-Type", "Event"}};
      d->request.body = lambda_event(n, message, sub.arn);
    }
    d->message = d->request.body;
    start_http_delivery_locked(std::move(d));
    return;
  }
  if (protocol == "email") {
    rec.message = message;
  } else if (protocol == "email-json") {
    rec.message = envelope_json(n, message);
  } else if (protocol == "application") {
    auto ep = endpoints_.find(sub.endpoint);
    if (ep == endpoints_.end()) {
      rec.status = "failed";
    } else {
      auto enabled = ep->second->attributes.find("Enabled");
      if (enabled != ep->second->attributes.end() && enabled->second != "true")
        rec.status = "failed";
      std::string platform;
      if (auto app = applications_.find(ep->second->application_arn); app != applications_.end())
        platform = app->second->platform;
      rec.message = n.message_for(platform);
    }
    if (rec.message.empty()) rec.message = message;
  } else {
    // sms, firehose: recorded as delivered.
    rec.message = message;
  }
  (void)ctx;
  if (rec.status == "failed") {
    // An endpoint that cannot take it (a missing or disabled platform endpoint): the
    // subscription's dead-letter queue gets what the endpoint would have received.
    if (const std::string dlq = redrive_target(&sub); !dlq.empty()) {
      QueueMessage m;
      const bool raw = is_raw(sub);
      m.body = raw ? message : envelope_json(n, message);
      if (raw) m.attributes = n.attributes;
      m.sender_id = detail::kSnsSenderId;
      dead_letter_locked(dlq, m, sub.arn);
      rec.status = "dead-lettered";
    }
  }
  record_locked(std::move(rec));
}

void SnsEngine::deliver_to_queue_locked(detail::Subscription& sub, const detail::Notification& n,
                                        const std::string& message) {
  QueueMessage qm;
  const bool raw = is_raw(sub);
  qm.body = raw ? message : envelope_json(n, message);
  if (raw) qm.attributes = n.attributes;
  // A group id goes to any queue (standard queues take it for fair queueing); a
  // deduplication id only to a FIFO queue (a FIFO topic may feed standard queues).
  qm.group_id = n.group_id;
  if (sub.endpoint.ends_with(".fifo")) qm.deduplication_id = n.deduplication_id;
  qm.sender_id = detail::kSnsSenderId;
  Status status = queues_ ? queues_->deliver(sub.endpoint, qm)
                          : Status(Error::sender("QueueDoesNotExist", "No queue service"));
  if (status.ok()) return;
  // AWS: a queue that is gone is a client-side error; SNS does not retry it and moves
  // the message to the subscription's dead-letter queue at once.
  logger("sns")->info("delivery of {} to {} failed: {}", n.message_id, sub.endpoint,
                      status.error().message);
  dead_letter_locked(redrive_target(&sub), qm, sub.arn);
}

void SnsEngine::dead_letter_locked(const std::string& dlq_arn, const QueueMessage& message,
                                   const std::string& subscription_arn) {
  if (dlq_arn.empty() || !queues_) return;
  QueueMessage m = message;
  // Messages SNS dead-letters carry the subscription and the failure as attributes
  // only in raw mode; the body is what the endpoint would have received.
  if (dlq_arn.ends_with(".fifo") && m.group_id.empty()) m.group_id = "sns-dlq";
  if (dlq_arn.ends_with(".fifo") && m.deduplication_id.empty())
    m.deduplication_id = sha256_hex(m.body + subscription_arn);
  if (!dlq_arn.ends_with(".fifo")) m.deduplication_id.clear();
  auto r = queues_->deliver(dlq_arn, m);
  if (!r.ok())
    logger("sns")->warn("dead-letter queue {} of {} refused the message: {}", dlq_arn,
                        subscription_arn, r.error().message);
}

void SnsEngine::send_confirmation_locked(const CallContext& ctx, detail::Topic& topic,
                                         detail::Subscription& sub, const std::string& type) {
  detail::Notification n;
  n.type = type;
  n.message_id = uuid_v4();
  n.topic_arn = topic.arn;
  n.timestamp = iso8601_ms(runtime_.clock.now_ms());
  n.base_url = ctx.base_url;
  if (auto sv = topic.attributes.find("SignatureVersion"); sv != topic.attributes.end())
    n.signature_version = sv->second;
  n.token = type == "SubscriptionConfirmation" ? sub.token : random_hex(144);
  n.subscribe_url = ctx.base_url +
                    "/?Action=ConfirmSubscription&TopicArn=" + url_encode(topic.arn) +
                    "&Token=" + n.token;
  n.message = type == "SubscriptionConfirmation"
                  ? "You have chosen to subscribe to the topic " + topic.arn +
                        ".\nTo confirm the subscription, visit the SubscribeURL included in this "
                        "message."
                  : "You have chosen to deactivate subscription " + sub.arn +
                        ".\nTo cancel this operation and restore the subscription, visit the "
                        "SubscribeURL included in this message.";
  sign_notification(n, n.message);
  const std::string body = envelope_json(n, n.message);
  if (sub.protocol == "email" || sub.protocol == "email-json") {
    RecordedDelivery rec;
    rec.kind = sub.protocol;
    rec.region = topic.region;
    rec.account = topic.account;
    rec.message_id = n.message_id;
    rec.subscription_arn = sub.arn;
    rec.topic_arn = topic.arn;
    rec.endpoint = sub.endpoint;
    rec.subject = "AWS Notification - Subscription Confirmation";
    rec.message = sub.protocol == "email" ? n.message + "\n" + n.subscribe_url : body;
    rec.status = "delivered";
    rec.attempts = 1;
    rec.timestamp_ms = runtime_.clock.now_ms();
    record_locked(std::move(rec));
    return;
  }
  auto d = std::make_unique<detail::PendingDelivery>();
  d->kind = "http";
  d->subscription_arn = sub.arn;
  d->topic_arn = topic.arn;
  d->region = topic.region;
  d->account = topic.account;
  d->message_id = n.message_id;
  d->message_type = type;
  d->endpoint = sub.endpoint;
  d->dead_letter = false;
  std::string topic_policy;
  if (auto dp = topic.attributes.find("DeliveryPolicy"); dp != topic.attributes.end())
    topic_policy = dp->second;
  auto sp = sub.attributes.find("DeliveryPolicy");
  const EffectiveDeliveryPolicy policy = effective_delivery_policy(
      topic_policy, sp == sub.attributes.end() ? std::string() : sp->second);
  d->policy = policy.retry;
  d->request.url = sub.endpoint;
  d->request.body = body;
  d->request.headers = {{"Content-Type", policy.header_content_type},
                        {"User-Agent", "Amazon Simple Notification Service Agent"},
                        {"x-amz-sns-message-type", type},
                        {"x-amz-sns-message-id", n.message_id},
                        {"x-amz-sns-topic-arn", topic.arn}};
  if (type == "UnsubscribeConfirmation")
    d->request.headers.emplace_back("x-amz-sns-subscription-arn", sub.arn);
  d->message = body;
  start_http_delivery_locked(std::move(d));
}

// ---- HTTP/Lambda attempts and retries ----

void SnsEngine::start_http_delivery_locked(std::unique_ptr<detail::PendingDelivery> d) {
  d->id = std::to_string(runtime_.clock.now_ms()) + "-" + std::to_string(next_delivery_++);
  const TimeMs at = std::max(d->next_at_ms, runtime_.clock.now_ms());
  detail::PendingDelivery& ref = *d;
  deliveries_[d->id] = std::move(d);
  schedule_attempt_locked(ref, at);
}

void SnsEngine::schedule_attempt_locked(detail::PendingDelivery& d, TimeMs at) {
  d.next_at_ms = at;
  persist_delivery(d);
  std::weak_ptr<SnsEngine> weak = weak_from_this();
  const std::string id = d.id;
  d.timer = runtime_.timers.schedule_at(at, [weak, id] {
    if (auto self = weak.lock()) self->attempt_delivery(id);
  });
}

void SnsEngine::attempt_delivery(const std::string& id) {
  HttpOutRequest request;
  std::shared_ptr<HttpClient> http;
  {
    std::lock_guard lock(mu_);
    auto it = deliveries_.find(id);
    if (it == deliveries_.end() || it->second->in_flight) return;
    detail::PendingDelivery& d = *it->second;
    d.timer = 0;
    d.attempts++;
    d.in_flight = true;
    request = d.request;
    http = http_;
  }
  std::weak_ptr<SnsEngine> weak = weak_from_this();
  auto done = [weak, id](HttpOutResponse response) {
    if (auto self = weak.lock()) self->on_http_done(id, response);
  };
  if (!http || request.url.empty()) {
    HttpOutResponse none;
    none.error = request.url.empty() ? "no Lambda endpoint is configured (--lambda-endpoint)"
                                     : "no HTTP client";
    done(none);
    return;
  }
  http->post(std::move(request), std::move(done));
}

void SnsEngine::on_http_done(const std::string& id, const HttpOutResponse& response) {
  std::lock_guard lock(mu_);
  auto it = deliveries_.find(id);
  if (it == deliveries_.end()) return;
  detail::PendingDelivery& d = *it->second;
  d.in_flight = false;
  bool delivered = false;
  bool client_error = false;
  if (d.kind == "http") {
    // AWS: any status from 200 to 499 ends the delivery; 5xx and no answer (connection
    // refused, ~15 s timeout) are retried under the delivery policy.
    delivered = response.status >= 200 && response.status < 500;
  } else {
    delivered = response.status >= 200 && response.status < 300;
    // A missing function or a rejected request will not get better: no retries.
    client_error = response.status == 0 ? options_.lambda_endpoint.empty()
                                        : (response.status >= 400 && response.status < 500 &&
                                           response.status != 429);
  }
  if (delivered) {
    finish_delivery_locked(d, "delivered");
    return;
  }
  logger("sns")->debug(
      "delivery {} of {} to {} failed (attempt {}): {}", d.id, d.message_id, d.endpoint, d.attempts,
      response.status ? "HTTP " + std::to_string(response.status) : response.error);
  if (!client_error) {
    if (auto delay = retry_delay_ms(d.policy, d.attempts)) {
      // Retries follow the policy's timeline from the failed attempt's scheduled time,
      // so that a virtual clock moved by hours runs the whole schedule at once.
      schedule_attempt_locked(d, d.next_at_ms + *delay);
      return;
    }
  }
  finish_delivery_locked(d, "failed");
}

void SnsEngine::finish_delivery_locked(detail::PendingDelivery& d, const std::string& status) {
  RecordedDelivery rec;
  rec.kind = d.kind;
  rec.region = d.region;
  rec.account = d.account;
  rec.message_id = d.message_id;
  rec.subscription_arn = d.subscription_arn;
  rec.topic_arn = d.topic_arn;
  rec.endpoint = d.endpoint;
  rec.subject = d.subject;
  rec.message = d.message;
  rec.status = status;
  rec.attempts = d.attempts;
  rec.timestamp_ms = runtime_.clock.now_ms();
  if (status == "failed" && d.dead_letter) {
    const std::string dlq = redrive_target(find_subscription(d.subscription_arn));
    if (!dlq.empty()) {
      dead_letter_locked(dlq, d.dlq_message, d.subscription_arn);
      rec.status = "dead-lettered";
    }
  }
  if (d.message_type != "Notification") rec.kind = d.kind + "-" + d.message_type;
  record_locked(std::move(rec));
  runtime_.store.erase("sns.delivery", d.id);
  deliveries_.erase(d.id);
}

}  // namespace sluice::services::sns
