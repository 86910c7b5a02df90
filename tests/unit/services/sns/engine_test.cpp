// SNS engine scenarios on a virtual clock: fan-out to queues, raw delivery, filter
// policies, FIFO ordering and deduplication, HTTP confirmation, DeliveryPolicy retries
// and dead-letter queues, signatures, and restoring persisted state.
#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <nlohmann/json.hpp>

#include "fakes.hpp"
#include "sluice/common/encoding.hpp"
#include "sluice/services/sns/signer.hpp"

namespace sluice::services::sns {
namespace {

using namespace testing;
using Json = nlohmann::json;

const char* kQ1 = "arn:aws:sqs:us-east-1:000000000000:q1";
const char* kQ2 = "arn:aws:sqs:us-east-1:000000000000:q2";
const char* kDlq = "arn:aws:sqs:us-east-1:000000000000:dlq";

struct Fixture {
  VirtualClock clock{1'700'000'000'000};
  TimerService timers{clock};
  store::NullStore null_store;
  MemoryStore memory;
  Runtime runtime;
  std::shared_ptr<FakeQueues> queues = std::make_shared<FakeQueues>();
  std::shared_ptr<FakeHttp> http = std::make_shared<FakeHttp>();
  std::shared_ptr<SnsEngine> engine;

  explicit Fixture(bool persistent = false)
      : runtime{.clock = clock,
                .timers = timers,
                .store = persistent ? static_cast<store::Store&>(memory) : null_store,
                .url_host = ""} {
    queues->existing = {kQ1, kQ2, kDlq, "arn:aws:sqs:us-east-1:000000000000:q.fifo",
                        "arn:aws:sqs:us-east-1:000000000000:dlq.fifo"};
    engine = make();
  }
  std::shared_ptr<SnsEngine> make() {
    auto e = SnsEngine::create(runtime);
    e->set_queue_delivery(queues);
    e->set_http_client(http);
    return e;
  }
  ~Fixture() { timers.stop(); }
  std::string topic(const std::string& name, AttributeMap attrs = {}) {
    auto arn = engine->create_topic(kCtx, name, attrs, {}, std::nullopt);
    EXPECT_TRUE(arn.ok()) << (arn.ok() ? "" : arn.error().message);
    return arn.ok() ? *arn : "";
  }
  std::string subscribe(const std::string& topic, const std::string& protocol,
                        const std::string& endpoint, AttributeMap attrs = {}) {
    auto arn = engine->subscribe(kCtx, topic, protocol, endpoint, attrs, true);
    EXPECT_TRUE(arn.ok()) << (arn.ok() ? "" : arn.error().message);
    return arn.ok() ? *arn : "";
  }
  PublishResult publish(const std::string& topic, const std::string& message,
                        MessageAttributes attrs = {}, std::string group = {},
                        std::string dedup = {}) {
    PublishRequest r;
    r.topic_arn = topic;
    r.message = message;
    r.attributes = std::move(attrs);
    r.group_id = std::move(group);
    r.deduplication_id = std::move(dedup);
    auto out = engine->publish(kCtx, r);
    EXPECT_TRUE(out.ok()) << (out.ok() ? "" : out.error().message);
    return out.ok() ? *out : PublishResult{};
  }
};

TEST(SnsEngine, publish_fans_out_the_aws_envelope_to_every_queue) {
  Fixture f;
  auto t = f.topic("orders");
  f.subscribe(t, "sqs", kQ1);
  f.subscribe(t, "sqs", kQ2);
  PublishRequest r;
  r.topic_arn = t;
  r.message = "hello";
  r.subject = "greeting";
  r.attributes = {{"color", {"String", "red", ""}}, {"bin", {"Binary", "", "\x01\x02"}}};
  auto res = f.engine->publish(kCtx, r);
  ASSERT_TRUE(res.ok());
  for (const char* q : {kQ1, kQ2}) {
    auto msgs = f.queues->messages(q);
    ASSERT_EQ(msgs.size(), 1u);
    auto e = Json::parse(msgs[0].body);
    EXPECT_EQ(e["Type"], "Notification");
    EXPECT_EQ(e["MessageId"], res->message_id);
    EXPECT_EQ(e["TopicArn"], t);
    EXPECT_EQ(e["Subject"], "greeting");
    EXPECT_EQ(e["Message"], "hello");
    EXPECT_EQ(e["SignatureVersion"], "1");
    EXPECT_FALSE(e["Signature"].get<std::string>().empty());
    EXPECT_EQ(e["MessageAttributes"]["color"], (Json{{"Type", "String"}, {"Value", "red"}}));
    EXPECT_EQ(e["MessageAttributes"]["bin"]["Value"], base64_encode("\x01\x02"));
    EXPECT_TRUE(msgs[0].attributes.empty());  // only raw delivery copies attributes
    // AWS member order.
    std::vector<std::string> keys;
    const auto ordered = nlohmann::ordered_json::parse(msgs[0].body);
    for (auto it = ordered.begin(); it != ordered.end(); ++it)
      keys.push_back(it.key());
    EXPECT_EQ(keys,
              (std::vector<std::string>{"Type", "MessageId", "TopicArn", "Subject", "Message",
                                        "Timestamp", "SignatureVersion", "Signature",
                                        "SigningCertURL", "UnsubscribeURL", "MessageAttributes"}));
  }
}

TEST(SnsEngine, envelope_has_no_subject_when_none_was_given) {
  Fixture f;
  auto t = f.topic("t");
  f.subscribe(t, "sqs", kQ1);
  f.publish(t, "m");
  auto e = Json::parse(f.queues->messages(kQ1).at(0).body);
  EXPECT_FALSE(e.contains("Subject"));
  EXPECT_FALSE(e.contains("MessageAttributes"));
}

TEST(SnsEngine, raw_delivery_sends_the_body_and_attributes) {
  Fixture f;
  auto t = f.topic("t");
  f.subscribe(t, "sqs", kQ1, {{"RawMessageDelivery", "True"}});
  f.publish(t, "raw body", {{"k", {"Number", "42", ""}}});
  auto msgs = f.queues->messages(kQ1);
  ASSERT_EQ(msgs.size(), 1u);
  EXPECT_EQ(msgs[0].body, "raw body");
  EXPECT_EQ(msgs[0].attributes.at("k").string_value, "42");
  EXPECT_EQ(msgs[0].sender_id, "AIDAIT2UOQQY3AUEKVGXU");
}

TEST(SnsEngine, filter_policy_on_attributes_and_body) {
  Fixture f;
  auto t = f.topic("t");
  f.subscribe(t, "sqs", kQ1, {{"FilterPolicy", R"({"color":["red"]})"}});
  f.subscribe(t, "sqs", kQ2,
              {{"FilterPolicy", R"({"order":{"total":[{"numeric":[">",100]}]}})"},
               {"FilterPolicyScope", "MessageBody"}});
  f.publish(t, R"({"order":{"total":150}})", {{"color", {"String", "blue", ""}}});
  f.publish(t, R"({"order":{"total":50}})", {{"color", {"String", "red", ""}}});
  ASSERT_EQ(f.queues->messages(kQ1).size(), 1u);
  EXPECT_EQ(Json::parse(f.queues->messages(kQ1)[0].body)["Message"], R"({"order":{"total":50}})");
  ASSERT_EQ(f.queues->messages(kQ2).size(), 1u);
  EXPECT_EQ(Json::parse(f.queues->messages(kQ2)[0].body)["Message"], R"({"order":{"total":150}})");
}

TEST(SnsEngine, invalid_filter_policy_is_refused_at_subscribe) {
  Fixture f;
  auto t = f.topic("t");
  auto r = f.engine->subscribe(kCtx, t, "sqs", kQ1, {{"FilterPolicy", R"({"a":[]})"}}, true);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message,
            "Invalid parameter: Attributes Reason: FilterPolicy: Empty arrays are not allowed");
}

TEST(SnsEngine, message_structure_json_picks_the_protocol_entry) {
  Fixture f;
  auto t = f.topic("t");
  f.subscribe(t, "sqs", kQ1, {{"RawMessageDelivery", "true"}});
  f.subscribe(t, "email", "a@example.com");
  PublishRequest r;
  r.topic_arn = t;
  r.message = R"({"default":"d","sqs":"for queues"})";
  r.message_structure = "json";
  ASSERT_TRUE(f.engine->publish(kCtx, r).ok());
  EXPECT_EQ(f.queues->messages(kQ1).at(0).body, "for queues");
  r.message = R"({"sqs":"x"})";
  auto bad = f.engine->publish(kCtx, r);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().message,
            "Invalid parameter: Message Structure - No default entry in JSON message body");
}

TEST(SnsEngine, fifo_topic_passes_group_and_dedup_and_drops_duplicates_for_five_minutes) {
  Fixture f;
  auto t = f.topic("t.fifo", {{"FifoTopic", "true"}, {"ContentBasedDeduplication", "true"}});
  const std::string q = "arn:aws:sqs:us-east-1:000000000000:q.fifo";
  f.subscribe(t, "sqs", q);
  auto a = f.publish(t, "one", {}, "g1");
  auto b = f.publish(t, "two", {}, "g1");
  auto dup = f.publish(t, "one", {}, "g1");
  EXPECT_EQ(dup.message_id, a.message_id);
  EXPECT_EQ(dup.sequence_number, a.sequence_number);
  EXPECT_LT(a.sequence_number, b.sequence_number);
  EXPECT_EQ(a.sequence_number.size(), 20u);
  auto msgs = f.queues->messages(q);
  ASSERT_EQ(msgs.size(), 2u);
  EXPECT_EQ(Json::parse(msgs[0].body)["Message"], "one");
  EXPECT_EQ(Json::parse(msgs[1].body)["Message"], "two");
  EXPECT_EQ(msgs[0].group_id, "g1");
  EXPECT_EQ(msgs[0].deduplication_id, sha256_hex("one"));
  auto e = Json::parse(msgs[0].body);
  EXPECT_EQ(e["SequenceNumber"], a.sequence_number);
  EXPECT_FALSE(e.contains("Signature"));
  f.clock.advance_ms(5 * 60 * 1000);
  f.publish(t, "one", {}, "g1");
  EXPECT_EQ(f.queues->messages(q).size(), 3u);
}

TEST(SnsEngine, fifo_rules) {
  Fixture f;
  auto t = f.topic("t.fifo", {{"FifoTopic", "true"}});
  PublishRequest r;
  r.topic_arn = t;
  r.message = "m";
  auto e = f.engine->publish(kCtx, r);
  ASSERT_FALSE(e.ok());
  EXPECT_EQ(e.error().message,
            "Invalid parameter: The MessageGroupId parameter is required for FIFO topics");
  r.group_id = "g";
  e = f.engine->publish(kCtx, r);
  ASSERT_FALSE(e.ok());
  EXPECT_EQ(e.error().message,
            "Invalid parameter: The topic should either have ContentBasedDeduplication enabled or "
            "MessageDeduplicationId provided explicitly");
  auto std_topic = f.topic("std");
  auto s = f.engine->subscribe(kCtx, std_topic, "sqs", "arn:aws:sqs:us-east-1:000000000000:q.fifo",
                               {}, false);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, "InvalidParameterException");
  auto bad_name = f.engine->create_topic(kCtx, "x.fifo", {}, {}, std::nullopt);
  ASSERT_FALSE(bad_name.ok());
  EXPECT_EQ(bad_name.error().message, "Invalid parameter: Topic Name");
}

TEST(SnsEngine, tag_keys_starting_with_aws_are_reserved) {
  Fixture f;
  auto t = f.topic("tagged");
  for (const char* key : {"aws:owner", "AWS:owner", "Aws:x"}) {
    auto r = f.engine->tag_resource(kCtx, t, {{key, "v"}});
    ASSERT_FALSE(r.ok()) << key;
    EXPECT_EQ(r.error().code, "InvalidParameterException");
    EXPECT_EQ(r.error().message,
              std::string("Invalid parameter: Tag keys starting with 'aws:' are reserved: ") + key);
    EXPECT_FALSE(f.engine->untag_resource(kCtx, t, {key}).ok()) << key;
  }
  EXPECT_FALSE(f.engine->create_topic(kCtx, "t2", {}, {{"aws:x", "v"}}, std::nullopt).ok());
  // Only the prefix is reserved: "aws" alone, or "aws" without the colon, is a key like any.
  ASSERT_TRUE(
      f.engine->tag_resource(kCtx, t, {{"aws", "1"}, {"awsome", "2"}, {"my:aws:x", "3"}}).ok());
  EXPECT_EQ(f.engine->list_tags_for_resource(kCtx, t)->size(), 3u);
}

TEST(SnsEngine, missing_queue_goes_to_the_dead_letter_queue_at_once) {
  Fixture f;
  auto t = f.topic("t");
  f.subscribe(t, "sqs", "arn:aws:sqs:us-east-1:000000000000:gone",
              {{"RedrivePolicy", std::string(R"({"deadLetterTargetArn":")") + kDlq + "\"}"}});
  auto r = f.publish(t, "lost");
  auto dlq = f.queues->messages(kDlq);
  ASSERT_EQ(dlq.size(), 1u);
  EXPECT_EQ(Json::parse(dlq[0].body)["MessageId"], r.message_id);
}

TEST(SnsEngine, http_subscription_is_confirmed_with_the_token_it_was_sent) {
  Fixture f;
  auto t = f.topic("t");
  auto pending = f.engine->subscribe(kCtx, t, "http", "http://hook/x", {}, false);
  ASSERT_TRUE(pending.ok());
  EXPECT_EQ(*pending, "pending confirmation");
  ASSERT_TRUE(eventually([&] { return f.http->count() == 1; }));
  auto req = f.http->at(0);
  auto body = Json::parse(req.body);
  EXPECT_EQ(body["Type"], "SubscriptionConfirmation");
  const std::string token = body["Token"];
  EXPECT_NE(body["SubscribeURL"].get<std::string>().find("Action=ConfirmSubscription"),
            std::string::npos);
  bool has_type_header = false;
  for (const auto& [k, v] : req.headers)
    has_type_header |= k == "x-amz-sns-message-type" && v == "SubscriptionConfirmation";
  EXPECT_TRUE(has_type_header);
  // Not delivered while pending.
  f.publish(t, "early");
  EXPECT_EQ(f.http->count(), 1u);
  auto bad = f.engine->confirm_subscription(kCtx, t, "nope", "");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().message, "Invalid parameter: Token");
  auto arn = f.engine->confirm_subscription(kCtx, t, token, "");
  ASSERT_TRUE(arn.ok());
  auto attrs = f.engine->get_subscription_attributes(kCtx, *arn);
  EXPECT_EQ(attrs->at("PendingConfirmation"), "false");
  f.publish(t, "now");
  ASSERT_TRUE(eventually([&] { return f.http->count() == 2; }));
  auto n = Json::parse(f.http->at(1).body);
  EXPECT_EQ(n["Type"], "Notification");
  EXPECT_EQ(n["Message"], "now");
}

TEST(SnsEngine, http_retries_follow_the_delivery_policy_on_the_clock_then_dead_letter) {
  Fixture f;
  auto t = f.topic("t");
  auto sub = f.subscribe(t, "http", "http://hook/x");
  ASSERT_TRUE(eventually([&] { return f.http->count() == 1; }));
  auto token = Json::parse(f.http->at(0).body)["Token"].get<std::string>();
  ASSERT_TRUE(f.engine->confirm_subscription(kCtx, t, token, "").ok());
  ASSERT_TRUE(
      f.engine
          ->set_subscription_attributes(kCtx, sub, "RedrivePolicy",
                                        std::string(R"({"deadLetterTargetArn":")") + kDlq + "\"}")
          .ok());
  f.http->status = 503;
  f.publish(t, "retry me");
  ASSERT_TRUE(eventually([&] { return f.http->count() == 2; }));
  // Default policy: 3 retries, 20 s apart.
  f.clock.advance_ms(19'999);
  std::this_thread::sleep_for(std::chrono::milliseconds(30));
  EXPECT_EQ(f.http->count(), 2u);
  f.clock.advance_ms(1);
  ASSERT_TRUE(eventually([&] { return f.http->count() == 3; }));
  EXPECT_TRUE(f.queues->messages(kDlq).empty());
  // One jump runs the rest of the schedule.
  f.clock.advance_ms(3'600'000);
  ASSERT_TRUE(eventually([&] { return f.queues->messages(kDlq).size() == 1; }));
  EXPECT_EQ(f.http->count(), 5u);
  EXPECT_EQ(Json::parse(f.queues->messages(kDlq)[0].body)["Message"], "retry me");
  EXPECT_EQ(f.engine->pending_retries(), 0u);
  auto rec = f.engine->recorded("http", "", "");
  ASSERT_FALSE(rec.empty());
  EXPECT_EQ(rec.back().status, "dead-lettered");
  EXPECT_EQ(rec.back().attempts, 4);
}

TEST(SnsEngine, http_4xx_is_not_retried) {
  Fixture f;
  auto t = f.topic("t");
  f.subscribe(t, "http", "http://hook/x");
  ASSERT_TRUE(eventually([&] { return f.http->count() == 1; }));
  auto token = Json::parse(f.http->at(0).body)["Token"].get<std::string>();
  ASSERT_TRUE(f.engine->confirm_subscription(kCtx, t, token, "").ok());
  f.http->status = 404;
  f.publish(t, "m");
  ASSERT_TRUE(eventually([&] { return f.http->count() == 2; }));
  f.clock.advance_ms(3'600'000);
  std::this_thread::sleep_for(std::chrono::milliseconds(30));
  EXPECT_EQ(f.http->count(), 2u);
  EXPECT_EQ(f.engine->pending_retries(), 0u);
}

TEST(SnsEngine, notification_signature_verifies_with_the_served_certificate) {
  Fixture f;
  auto t = f.topic("t", {{"SignatureVersion", "2"}});
  f.subscribe(t, "sqs", kQ1);
  f.subscribe(t, "sqs", kQ2);
  f.publish(t, "signed");
  f.publish(t, "signed");
  // Subscribers of one publish share its signature; every envelope verifies.
  auto e1 = Json::parse(f.queues->messages(kQ1).at(0).body);
  auto e2 = Json::parse(f.queues->messages(kQ2).at(0).body);
  auto e3 = Json::parse(f.queues->messages(kQ1).at(1).body);
  EXPECT_EQ(e1["Signature"], e2["Signature"]);
  EXPECT_NE(e1["Signature"], e3["Signature"]);  // another MessageId
  for (const Json& e : {e1, e2, e3}) {
    EXPECT_EQ(e["SignatureVersion"], "2");
    std::map<std::string, std::string> fields;
    for (const char* k : {"Message", "MessageId", "Timestamp", "TopicArn", "Type"})
      fields[k] = e[k];
    const std::string canonical = canonical_signing_string(fields);
    const std::string pem = f.engine->signer().certificate_pem();
    BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
    X509* cert = PEM_read_bio_X509(bio, nullptr, nullptr, nullptr);
    BIO_free(bio);
    ASSERT_NE(cert, nullptr);
    EVP_PKEY* key = X509_get_pubkey(cert);
    const std::string sig = *base64_decode(e["Signature"].get<std::string>());
    EVP_MD_CTX* ctx = EVP_MD_CTX_new();
    ASSERT_EQ(EVP_DigestVerifyInit(ctx, nullptr, EVP_sha256(), nullptr, key), 1);
    EXPECT_EQ(EVP_DigestVerify(ctx, reinterpret_cast<const unsigned char*>(sig.data()), sig.size(),
                               reinterpret_cast<const unsigned char*>(canonical.data()),
                               canonical.size()),
              1);
    EVP_MD_CTX_free(ctx);
    EVP_PKEY_free(key);
    X509_free(cert);
    EXPECT_NE(e["SigningCertURL"].get<std::string>().find(f.engine->signing_cert_path()),
              std::string::npos);
  }
}

TEST(SnsEngine, topic_and_subscription_errors_use_aws_codes_and_messages) {
  Fixture f;
  auto missing = f.engine->get_topic_attributes(kCtx, "arn:aws:sns:us-east-1:000000000000:nope");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, "NotFoundException");
  EXPECT_EQ(missing.error().message, "Topic does not exist");
  auto bad = f.engine->get_topic_attributes(kCtx, "not-an-arn");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().message, "Invalid parameter: TopicArn");
  auto t = f.topic("t");
  auto proto = f.engine->subscribe(kCtx, t, "smoke", "x", {}, false);
  ASSERT_FALSE(proto.ok());
  EXPECT_EQ(proto.error().message,
            "Invalid parameter: Amazon SNS does not support this protocol string: smoke");
  auto sub =
      f.engine->get_subscription_attributes(kCtx, t + ":00000000-0000-0000-0000-000000000000");
  ASSERT_FALSE(sub.ok());
  EXPECT_EQ(sub.error().message, "Subscription does not exist");
  // CreateTopic is idempotent only for equal attributes.
  EXPECT_TRUE(f.engine->create_topic(kCtx, "t", {}, {}, std::nullopt).ok());
  auto diff = f.engine->create_topic(kCtx, "t", {{"DisplayName", "x"}}, {}, std::nullopt);
  ASSERT_FALSE(diff.ok());
  EXPECT_EQ(diff.error().message,
            "Invalid parameter: Attributes Reason: Topic already exists with different attributes");
}

TEST(SnsEngine, list_topics_pages_by_one_hundred) {
  Fixture f;
  for (int i = 0; i < 150; ++i)
    f.topic("t" + std::to_string(i));
  auto p1 = f.engine->list_topics(kCtx, "");
  ASSERT_TRUE(p1.ok());
  EXPECT_EQ(p1->items.size(), 100u);
  ASSERT_FALSE(p1->next_token.empty());
  auto p2 = f.engine->list_topics(kCtx, p1->next_token);
  EXPECT_EQ(p2->items.size(), 50u);
  EXPECT_TRUE(p2->next_token.empty());
}

TEST(SnsEngine, state_and_pending_retries_survive_a_restart) {
  Fixture f(true);
  auto t = f.topic("t");
  auto sub = f.subscribe(t, "http", "http://hook/x", {{"FilterPolicy", R"({"a":["1"]})"}});
  ASSERT_TRUE(eventually([&] { return f.http->count() == 1; }));
  auto token = Json::parse(f.http->at(0).body)["Token"].get<std::string>();
  ASSERT_TRUE(f.engine->confirm_subscription(kCtx, t, token, "").ok());
  ASSERT_TRUE(f.engine->tag_resource(kCtx, t, {{"k", "v"}}).ok());
  f.http->status = 500;
  f.publish(t, "m", {{"a", {"String", "1", ""}}});
  ASSERT_TRUE(eventually([&] { return f.http->count() == 2; }));
  const std::string cert = f.engine->signer().certificate_pem();
  f.engine.reset();

  f.http->status = 200;
  f.engine = f.make();
  ASSERT_TRUE(f.engine->restore().ok());
  EXPECT_EQ(f.engine->list_tags_for_resource(kCtx, t)->at(0).second, "v");
  auto attrs = f.engine->get_subscription_attributes(kCtx, sub);
  ASSERT_TRUE(attrs.ok());
  EXPECT_EQ(attrs->at("FilterPolicy"), R"({"a":["1"]})");
  EXPECT_EQ(f.engine->signer().certificate_pem(), cert);
  EXPECT_EQ(f.engine->pending_retries(), 1u);
  f.clock.advance_ms(20'000);
  ASSERT_TRUE(eventually([&] { return f.engine->pending_retries() == 0; }));
  EXPECT_EQ(f.http->count(), 3u);
  EXPECT_EQ(Json::parse(f.http->at(2).body)["Message"], "m");
}

}  // namespace
}  // namespace sluice::services::sns
