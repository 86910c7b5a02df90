#pragma once
// The SNS engine: topics, subscriptions, publishing and delivery (SQS, HTTP/S with
// delivery policies and retries, Lambda, recorded email/SMS/mobile endpoints),
// dead-letter queues, message signatures and persistence. Plain C++ on an injected
// clock, timer service and store (DESIGN.md: services layer); it reaches SQS and the
// network only through the interfaces in ports.hpp.
//
// Concurrency: one mutex guards all state. Deliveries to queues run under it (so FIFO
// group order holds across concurrent publishes); HTTP deliveries are posted to the
// HTTP client and complete on its threads.
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "sluice/common/result.hpp"
#include "sluice/services/runtime.hpp"
#include "sluice/services/sns/ports.hpp"
#include "sluice/services/sns/signer.hpp"
#include "sluice/services/sns/types.hpp"

namespace sluice::services::sns {

namespace detail {
struct Topic;
struct Subscription;
struct PlatformApplication;
struct PlatformEndpoint;
struct SmsSettings;
struct PendingDelivery;
struct Notification;
}  // namespace detail

struct SnsOptions {
  // Scheme and host the SigningCertURL uses ("https://sns.us-east-1.amazonaws.com"), so
  // stock validators that pin AWS's host pattern can be satisfied with a network alias.
  // Empty: the base URL of the request that published.
  std::string signing_cert_url_base;
  // Base URL of a service speaking the Lambda Invoke API; empty: lambda deliveries fail.
  std::string lambda_endpoint;
  // How many recorded deliveries the inspection routes keep (oldest dropped first).
  std::size_t recorded_limit = 10000;
};

using TagList = std::vector<std::pair<std::string, std::string>>;

class SnsEngine : public std::enable_shared_from_this<SnsEngine> {
 public:
  static std::shared_ptr<SnsEngine> create(Runtime& runtime, SnsOptions options = {});
  ~SnsEngine();
  SnsEngine(const SnsEngine&) = delete;
  SnsEngine& operator=(const SnsEngine&) = delete;

  // Wiring (before serving). Without a queue sink SQS deliveries fail as client errors.
  void set_queue_delivery(std::shared_ptr<QueueDelivery> queues);
  void set_http_client(std::shared_ptr<HttpClient> http);

  // Loads persisted state and re-arms pending retries (startup only).
  Status restore();
  // Drops all state (admin reset), persisted records included. The signing key stays.
  void reset();
  void when_durable(std::function<void(Status)> done);

  // ---- topics (topics.cpp) ----
  Result<std::string> create_topic(const CallContext& ctx, const std::string& name,
                                   const AttributeMap& attributes, const TagList& tags,
                                   const std::optional<std::string>& data_protection_policy);
  Status delete_topic(const CallContext& ctx, const std::string& topic_arn);
  Result<Page<TopicSummary>> list_topics(const CallContext& ctx, const std::string& next_token);
  Result<AttributeMap> get_topic_attributes(const CallContext& ctx, const std::string& topic_arn);
  Status set_topic_attributes(const CallContext& ctx, const std::string& topic_arn,
                              const std::string& name, const std::string& value);
  Status add_permission(const CallContext& ctx, const std::string& topic_arn,
                        const std::string& label, const std::vector<std::string>& accounts,
                        const std::vector<std::string>& actions);
  Status remove_permission(const CallContext& ctx, const std::string& topic_arn,
                           const std::string& label);
  Result<std::string> get_data_protection_policy(const CallContext& ctx,
                                                 const std::string& resource_arn);
  Status put_data_protection_policy(const CallContext& ctx, const std::string& resource_arn,
                                    const std::string& policy);
  Result<TagList> list_tags_for_resource(const CallContext& ctx, const std::string& arn);
  Status tag_resource(const CallContext& ctx, const std::string& arn, const TagList& tags);
  Status untag_resource(const CallContext& ctx, const std::string& arn,
                        const std::vector<std::string>& keys);

  // ---- subscriptions (subscriptions.cpp) ----
  // Returns the subscription ARN, or "pending confirmation" for an http/https/email
  // subscription that awaits confirmation (unless `return_arn`).
  Result<std::string> subscribe(const CallContext& ctx, const std::string& topic_arn,
                                const std::string& protocol, const std::string& endpoint,
                                const AttributeMap& attributes, bool return_arn);
  Result<std::string> confirm_subscription(const CallContext& ctx, const std::string& topic_arn,
                                           const std::string& token,
                                           const std::string& authenticate_on_unsubscribe);
  Status unsubscribe(const CallContext& ctx, const std::string& subscription_arn);
  Result<Page<SubscriptionSummary>> list_subscriptions(const CallContext& ctx,
                                                       const std::string& next_token);
  Result<Page<SubscriptionSummary>> list_subscriptions_by_topic(const CallContext& ctx,
                                                                const std::string& topic_arn,
                                                                const std::string& next_token);
  Result<AttributeMap> get_subscription_attributes(const CallContext& ctx,
                                                   const std::string& subscription_arn);
  Status set_subscription_attributes(const CallContext& ctx, const std::string& subscription_arn,
                                     const std::string& name, const std::string& value);

  // ---- publishing (publish.cpp) ----
  Result<PublishResult> publish(const CallContext& ctx, PublishRequest request);
  // The batch is validated as a whole first (EmptyBatchRequest, ...); then every entry
  // is published (or lands in `failed`).
  Status publish_batch(const CallContext& ctx, const std::string& topic_arn,
                       std::vector<PublishRequest> entries, std::vector<PublishResult>& successful,
                       std::vector<BatchFailure>& failed);

  // ---- platform applications and endpoints (platform.cpp) ----
  Result<std::string> create_platform_application(const CallContext& ctx, const std::string& name,
                                                  const std::string& platform,
                                                  const AttributeMap& attributes);
  Status delete_platform_application(const CallContext& ctx, const std::string& arn);
  Result<Page<PlatformApplicationInfo>> list_platform_applications(const CallContext& ctx,
                                                                   const std::string& next_token);
  Result<AttributeMap> get_platform_application_attributes(const CallContext& ctx,
                                                           const std::string& arn);
  Status set_platform_application_attributes(const CallContext& ctx, const std::string& arn,
                                             const AttributeMap& attributes);
  Result<std::string> create_platform_endpoint(const CallContext& ctx,
                                               const std::string& application_arn,
                                               const std::string& token,
                                               const std::optional<std::string>& custom_user_data,
                                               const AttributeMap& attributes);
  Status delete_endpoint(const CallContext& ctx, const std::string& arn);
  Result<Page<PlatformEndpointInfo>> list_endpoints_by_platform_application(
      const CallContext& ctx, const std::string& application_arn, const std::string& next_token);
  Result<AttributeMap> get_endpoint_attributes(const CallContext& ctx, const std::string& arn);
  Status set_endpoint_attributes(const CallContext& ctx, const std::string& arn,
                                 const AttributeMap& attributes);

  // ---- SMS and the SMS sandbox (sms.cpp) ----
  Result<AttributeMap> get_sms_attributes(const CallContext& ctx,
                                          const std::vector<std::string>& names);
  Status set_sms_attributes(const CallContext& ctx, const AttributeMap& attributes);
  Result<bool> check_if_phone_number_is_opted_out(const CallContext& ctx,
                                                  const std::string& phone_number);
  Result<Page<std::string>> list_phone_numbers_opted_out(const CallContext& ctx,
                                                         const std::string& next_token);
  Status opt_in_phone_number(const CallContext& ctx, const std::string& phone_number);
  // Test hook (and inspection route): marks a number opted out, as a STOP reply would.
  Status opt_out_phone_number(const CallContext& ctx, const std::string& phone_number);
  Result<bool> get_sms_sandbox_account_status(const CallContext& ctx);
  Status create_sms_sandbox_phone_number(const CallContext& ctx, const std::string& phone_number,
                                         const std::string& language_code);
  Status delete_sms_sandbox_phone_number(const CallContext& ctx, const std::string& phone_number);
  Status verify_sms_sandbox_phone_number(const CallContext& ctx, const std::string& phone_number,
                                         const std::string& one_time_password);
  Result<Page<SandboxPhoneNumber>> list_sms_sandbox_phone_numbers(const CallContext& ctx,
                                                                  const std::string& next_token,
                                                                  std::optional<int> max_results);
  Result<Page<std::string>> list_origination_numbers(const CallContext& ctx,
                                                     const std::string& next_token,
                                                     std::optional<int> max_results);

  // ---- inspection (inspection routes) ----
  // Recorded deliveries of `kind` ("" for every kind); region/account empty for all.
  std::vector<RecordedDelivery> recorded(const std::string& kind, const std::string& region,
                                         const std::string& account) const;
  void clear_recorded(const std::string& kind, const std::string& region,
                      const std::string& account);
  std::vector<SubscriptionToken> subscription_tokens(const std::string& region,
                                                     const std::string& account) const;
  // The one-time password an SMS sandbox number was sent (for tests to verify with).
  std::optional<std::string> sandbox_one_time_password(const std::string& phone_number) const;
  // The signing key and certificate (generated on first use unless restored).
  const MessageSigner& signer() const;
  // Path under which the signing certificate is served.
  std::string signing_cert_path() const;
  std::size_t pending_retries() const;

 private:
  explicit SnsEngine(Runtime& runtime, SnsOptions options);

  // Lookups (engine.cpp).
  Result<detail::Topic*> require_topic(const CallContext& ctx, const std::string& arn,
                                       const char* param = "TopicArn");
  detail::Subscription* find_subscription(const std::string& arn);

  // Publishing (publish.cpp, delivery.cpp).
  Status validate_publish(const PublishRequest& request, bool fifo_topic, bool in_batch) const;
  // `presigned`: the notification's id, time and signature, made before the lock.
  Result<PublishResult> publish_to_topic_locked(const CallContext& ctx, detail::Topic& topic,
                                                PublishRequest request, TimeMs now,
                                                const detail::Notification* presigned = nullptr);
  void deliver_locked(const CallContext& ctx, detail::Topic& topic, detail::Subscription& sub,
                      const detail::Notification& n);
  void deliver_to_queue_locked(detail::Subscription& sub, const detail::Notification& n,
                               const std::string& message);
  void send_confirmation_locked(const CallContext& ctx, detail::Topic& topic,
                                detail::Subscription& sub, const std::string& type);
  void record_locked(RecordedDelivery record);
  void start_http_delivery_locked(std::unique_ptr<detail::PendingDelivery> delivery);
  void attempt_delivery(const std::string& id);
  void on_http_done(const std::string& id, const HttpOutResponse& response);
  void finish_delivery_locked(detail::PendingDelivery& d, const std::string& status);
  void dead_letter_locked(const std::string& dlq_arn, const QueueMessage& message,
                          const std::string& subscription_arn);
  void schedule_attempt_locked(detail::PendingDelivery& d, TimeMs at);
  std::string signing_cert_url(const std::string& base_url) const;
  // Signs `n` with `message` (one RSA operation); needs no lock.
  void sign_notification(detail::Notification& n, const std::string& message) const;

  // Persistence (persistence.cpp): records are emitted under the lock.
  void persist_topic(const detail::Topic& t);
  void persist_subscription(const detail::Subscription& s);
  void unpersist_subscription(const detail::Subscription& s);
  void persist_delivery(const detail::PendingDelivery& d);
  void persist_platform_application(const detail::PlatformApplication& a);
  void persist_platform_endpoint(const detail::PlatformEndpoint& e);
  void persist_sms(const std::string& scope_key, const detail::SmsSettings& s);

  Runtime& runtime_;
  SnsOptions options_;
  std::shared_ptr<QueueDelivery> queues_;
  std::shared_ptr<HttpClient> http_;
  mutable std::mutex signer_mu_;
  mutable std::unique_ptr<MessageSigner> signer_;
  std::string cert_id_;  // names the certificate file; kept with the key

  mutable std::mutex mu_;
  std::map<std::string, std::unique_ptr<detail::Topic>> topics_;
  std::map<std::string, std::unique_ptr<detail::Subscription>> subscriptions_;
  std::map<std::string, SubscriptionToken> tokens_;
  std::map<std::string, std::unique_ptr<detail::PlatformApplication>> applications_;
  std::map<std::string, std::unique_ptr<detail::PlatformEndpoint>> endpoints_;
  std::map<std::string, std::unique_ptr<detail::SmsSettings>> sms_;  // "region/account"
  std::map<std::string, std::string> sandbox_otps_;                  // phone -> password
  std::map<std::string, std::unique_ptr<detail::PendingDelivery>> deliveries_;
  std::deque<RecordedDelivery> recorded_;
  std::uint64_t next_delivery_ = 1;
};

// ARN helpers shared by the engine and the wire layer.
struct ParsedArn {
  std::string partition;
  std::string service;
  std::string region;
  std::string account;
  std::string resource;
};
std::optional<ParsedArn> parse_arn(const std::string& arn);

}  // namespace sluice::services::sns
