// Messages on standard queues: validation, digests, visibility, delays, retention and
// long polling.
#include "sqs_fixture.hpp"

namespace sluice::services::sqs::testing {
namespace {

using Messages = SqsEngineTest;

Result<SendResult> try_send(SqsEngine& e, const QueueId& q, SendRequest r) {
  return e.send_message(q, std::move(r));
}

TEST_F(Messages, md5_of_message_attributes_follows_the_aws_algorithm) {
  auto q = queue("md5");
  SendRequest r;
  r.body = "hello";
  r.attributes["k"] = AttributeValue{"String", "v", ""};
  r.attributes["b"] = AttributeValue{"Binary", "", std::string("\x00\x01", 2)};
  auto res = try_send(*engine_, q, r);
  ASSERT_TRUE(res.ok());
  // Checked against botocore's own digest of these attributes.
  EXPECT_EQ(res->md5_of_attributes, "eb275886858fc7bc63216742c9bebbb1");
  EXPECT_EQ(res->md5_of_body, "5d41402abc4b2a76b9719d911017c592");
}

TEST_F(Messages, md5_of_attributes_is_omitted_without_attributes) {
  auto q = queue("plain");
  auto res = send(q, "x");
  EXPECT_TRUE(res.md5_of_attributes.empty());
  EXPECT_TRUE(res.md5_of_system_attributes.empty());
}

TEST_F(Messages, invalid_body_characters_are_invalid_message_contents) {
  auto q = queue("chars");
  SendRequest r;
  r.body = std::string("a\x01", 2);
  auto res = try_send(*engine_, q, r);
  ASSERT_FALSE(res.ok());
  EXPECT_EQ(res.error().code, "InvalidMessageContents");
  r.body = "tab\tand newline\n and \xF0\x9F\x98\x80";
  EXPECT_TRUE(try_send(*engine_, q, r).ok());
}

// The check reads plain ASCII eight bytes at a time: a bad or non-ASCII character is
// found wherever it falls in or across those words.
TEST_F(Messages, body_characters_are_checked_at_every_position) {
  auto q = queue("positions");
  const std::string plain(21, 'a');
  for (std::size_t at = 0; at < plain.size(); ++at) {
    for (const std::string& bad :
         {std::string("\x1f"), std::string(1, '\0'), std::string("\x7f\xff"), std::string("\xc3"),
          std::string("\xef\xbf\xbe")}) {
      SendRequest r;
      r.body = plain.substr(0, at) + bad + plain.substr(at);
      auto res = try_send(*engine_, q, r);
      ASSERT_FALSE(res.ok()) << "at " << at;
      EXPECT_EQ(res.error().code, "InvalidMessageContents") << "at " << at;
    }
    for (const std::string& good : {std::string("\t"), std::string("\x7f"), std::string("\xc3\xa9"),
                                    std::string("\xf0\x9f\x98\x80")}) {
      SendRequest r;
      r.body = plain.substr(0, at) + good + plain.substr(at);
      EXPECT_TRUE(try_send(*engine_, q, r).ok()) << "at " << at;
    }
  }
}

TEST_F(Messages, body_and_attributes_count_towards_maximum_message_size) {
  auto q = queue("size", {{"MaximumMessageSize", "1024"}});
  SendRequest r;
  r.body = std::string(1000, 'x');
  r.attributes["name"] = AttributeValue{"String", std::string(30, 'v'), ""};
  auto res = try_send(*engine_, q, r);
  ASSERT_FALSE(res.ok());
  EXPECT_EQ(res.error().code, "InvalidParameterValue");
  r.attributes.clear();
  EXPECT_TRUE(try_send(*engine_, q, r).ok());
}

TEST_F(Messages, attribute_types_names_and_values_are_validated) {
  auto q = queue("attrs");
  SendRequest r;
  r.body = "x";
  r.attributes["n"] = AttributeValue{"Number.int", "12.5e3", ""};
  r.attributes["s"] = AttributeValue{"String.custom", "ok", ""};
  EXPECT_TRUE(try_send(*engine_, q, r).ok());
  for (auto bad : std::vector<std::pair<std::string, AttributeValue>>{
           {"n", AttributeValue{"Number", "twelve", ""}},
           {"t", AttributeValue{"Text", "x", ""}},
           {"e", AttributeValue{"String", "", ""}},
           {"AWS.reserved", AttributeValue{"String", "x", ""}},
           {"a..b", AttributeValue{"String", "x", ""}}}) {
    SendRequest b;
    b.body = "x";
    b.attributes[bad.first] = bad.second;
    auto res = try_send(*engine_, q, b);
    ASSERT_FALSE(res.ok()) << bad.first;
    EXPECT_EQ(res.error().code, "InvalidParameterValue");
  }
}

TEST_F(Messages, received_message_is_invisible_until_its_visibility_timeout_ends) {
  auto q = queue("vis", {{"VisibilityTimeout", "30"}});
  send(q, "a");
  ASSERT_EQ(receive(q).size(), 1u);
  EXPECT_TRUE(receive(q).empty());
  EXPECT_EQ(attribute(q, "ApproximateNumberOfMessagesNotVisible"), "1");
  advance_s(30);
  auto again = receive(q);
  ASSERT_EQ(again.size(), 1u);
  EXPECT_EQ(again[0].attributes.at("ApproximateReceiveCount"), "2");
}

TEST_F(Messages, receive_visibility_timeout_overrides_the_queue_default) {
  auto q = queue("vis2");
  send(q, "a");
  ASSERT_EQ(receive(q, 1, 2).size(), 1u);
  advance_s(2);
  EXPECT_EQ(receive(q).size(), 1u);
}

TEST_F(Messages, change_visibility_to_zero_makes_the_message_visible_at_once) {
  auto q = queue("cv");
  send(q, "a");
  auto got = receive(q);
  ASSERT_TRUE(engine_->change_message_visibility(q, got[0].receipt_handle, 0).ok());
  auto again = receive(q);
  ASSERT_EQ(again.size(), 1u);
  EXPECT_NE(again[0].receipt_handle, got[0].receipt_handle);
}

TEST_F(Messages, change_visibility_of_a_visible_message_is_message_not_inflight) {
  auto q = queue("cv2", {{"VisibilityTimeout", "5"}});
  send(q, "a");
  auto got = receive(q);
  advance_s(5);
  auto s = engine_->change_message_visibility(q, got[0].receipt_handle, 10);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, "MessageNotInflight");
}

TEST_F(Messages, visibility_cannot_extend_beyond_12_hours_from_the_receive) {
  auto q = queue("cap");
  send(q, "a");
  auto got = receive(q, 1, 7200);
  advance_s(3600);
  auto s = engine_->change_message_visibility(q, got[0].receipt_handle, 43200);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, "InvalidParameterValue");
  EXPECT_TRUE(engine_->change_message_visibility(q, got[0].receipt_handle, 39600).ok());
}

TEST_F(Messages, malformed_receipt_handle_is_receipt_handle_is_invalid) {
  auto q = queue("rh");
  auto s = engine_->delete_message(q, "not-a-handle");
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, "ReceiptHandleIsInvalid");
  EXPECT_EQ(s.error().message,
            "The input receipt handle \"not-a-handle\" is not a valid receipt handle.");
  EXPECT_EQ(engine_->change_message_visibility(q, "garbage", 1).error().code,
            "ReceiptHandleIsInvalid");
}

TEST_F(Messages, receipt_handle_of_another_queue_is_invalid) {
  auto a = queue("a");
  auto b = queue("b");
  send(a, "x");
  auto got = receive(a);
  EXPECT_EQ(engine_->delete_message(b, got[0].receipt_handle).error().code,
            "ReceiptHandleIsInvalid");
}

TEST_F(Messages, delete_with_the_latest_handle_removes_the_message_and_repeats_succeed) {
  auto q = queue("del");
  send(q, "x");
  auto got = receive(q);
  ASSERT_TRUE(engine_->delete_message(q, got[0].receipt_handle).ok());
  EXPECT_TRUE(engine_->delete_message(q, got[0].receipt_handle).ok());
  EXPECT_EQ(attribute(q, "ApproximateNumberOfMessagesNotVisible"), "0");
}

TEST_F(Messages, queue_delay_and_message_delay_hold_messages_back) {
  auto q = queue("delay", {{"DelaySeconds", "10"}});
  send(q, "queue-delayed");
  SendRequest r;
  r.body = "message-delayed";
  r.delay_seconds = 0;
  ASSERT_TRUE(try_send(*engine_, q, r).ok());
  EXPECT_EQ(attribute(q, "ApproximateNumberOfMessagesDelayed"), "1");
  auto now = receive(q);
  ASSERT_EQ(now.size(), 1u);
  EXPECT_EQ(now[0].body, "message-delayed");
  advance_s(10);
  EXPECT_EQ(receive(q).size(), 1u);
  r.delay_seconds = 901;
  EXPECT_EQ(try_send(*engine_, q, r).error().code, "InvalidParameterValue");
}

TEST_F(Messages, retention_removes_expired_messages_without_any_receive) {
  auto q = queue("ret", {{"MessageRetentionPeriod", "60"}});
  send(q, "old");
  advance_s(30);
  send(q, "young");
  advance_s(30);
  // The timer expires the first message; the count reflects it without a receive.
  EXPECT_TRUE(eventually([&] { return timers_.next_deadline() > clock_.now_ms(); }));
  EXPECT_EQ(attribute(q, "ApproximateNumberOfMessages"), "1");
  auto got = receive(q);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].body, "young");
}

TEST_F(Messages, receive_validates_its_parameters) {
  auto q = queue("params");
  ReceiveRequest r;
  r.max_messages = 11;
  auto f = receive_async(q, r);
  EXPECT_EQ(f.get().error().code, "InvalidParameterValue");
  ReceiveRequest w;
  w.wait_seconds = 21;
  EXPECT_EQ(receive_async(q, w).get().error().code, "InvalidParameterValue");
}

TEST_F(Messages, long_poll_is_answered_as_soon_as_a_message_is_sent) {
  auto q = queue("lp");
  ReceiveRequest r;
  r.wait_seconds = 20;
  auto f = receive_async(q, r);
  EXPECT_EQ(f.wait_for(std::chrono::milliseconds(20)), std::future_status::timeout);
  send(q, "wake");
  ASSERT_EQ(f.wait_for(std::chrono::seconds(2)), std::future_status::ready);
  auto got = f.get();
  ASSERT_TRUE(got.ok());
  ASSERT_EQ(got->size(), 1u);
  EXPECT_EQ((*got)[0].body, "wake");
}

TEST_F(Messages, long_poll_ends_empty_when_the_wait_time_passes) {
  auto q = queue("lp-empty", {{"ReceiveMessageWaitTimeSeconds", "5"}});
  auto f = receive_async(q, ReceiveRequest{});
  EXPECT_EQ(f.wait_for(std::chrono::milliseconds(20)), std::future_status::timeout);
  advance_s(5);
  ASSERT_EQ(f.wait_for(std::chrono::seconds(2)), std::future_status::ready);
  auto got = f.get();
  ASSERT_TRUE(got.ok());
  EXPECT_TRUE(got->empty());
}

TEST_F(Messages, long_poll_is_answered_when_a_visibility_timeout_expires) {
  auto q = queue("lp-vis", {{"VisibilityTimeout", "10"}});
  send(q, "again");
  ASSERT_EQ(receive(q).size(), 1u);
  ReceiveRequest r;
  r.wait_seconds = 20;
  auto f = receive_async(q, r);
  advance_s(10);
  ASSERT_EQ(f.wait_for(std::chrono::seconds(2)), std::future_status::ready);
  EXPECT_EQ(f.get()->size(), 1u);
}

TEST_F(Messages, receive_filters_system_and_message_attributes) {
  auto q = queue("filter");
  SendRequest r;
  r.body = "x";
  r.attributes["user.id"] = AttributeValue{"String", "1", ""};
  r.attributes["user.name"] = AttributeValue{"String", "n", ""};
  r.attributes["other"] = AttributeValue{"Number", "2", ""};
  r.system_attributes["AWSTraceHeader"] = AttributeValue{"String", "Root=1-abc", ""};
  auto sent = try_send(*engine_, q, r);
  ASSERT_TRUE(sent.ok());
  EXPECT_FALSE(sent->md5_of_system_attributes.empty());
  ReceiveRequest req;
  req.attribute_names = {"SentTimestamp", "AWSTraceHeader"};
  req.message_attribute_names = {"user.*"};
  auto got = receive_async(q, req).get();
  ASSERT_TRUE(got.ok());
  ASSERT_EQ(got->size(), 1u);
  const auto& m = (*got)[0];
  EXPECT_EQ(m.attributes.size(), 2u);
  EXPECT_EQ(m.attributes.at("AWSTraceHeader"), "Root=1-abc");
  EXPECT_EQ(m.attributes.at("SentTimestamp"), std::to_string(kStart));
  EXPECT_EQ(m.message_attributes.size(), 2u);
  EXPECT_EQ(m.message_attributes.count("other"), 0u);
}

TEST_F(Messages, attribute_digest_covers_only_returned_attributes_and_is_absent_without_them) {
  auto q = queue("digest");
  SendRequest r;
  r.body = "x";
  r.attributes["General"] = AttributeValue{"String", "g", ""};
  r.attributes["Hello"] = AttributeValue{"String", "h", ""};
  r.attributes["Help.Me"] = AttributeValue{"String", "m", ""};
  ASSERT_TRUE(try_send(*engine_, q, r).ok());
  ReceiveRequest none;
  none.visibility_timeout = 0;
  auto plain = receive_async(q, none).get();
  ASSERT_EQ(plain->size(), 1u);
  EXPECT_TRUE((*plain)[0].message_attributes.empty());
  EXPECT_TRUE((*plain)[0].md5_of_attributes.empty());
  ReceiveRequest prefix;
  prefix.message_attribute_names = {"Hel.*"};
  auto got = receive_async(q, prefix).get();
  ASSERT_EQ(got->size(), 1u);
  const auto& m = (*got)[0];
  EXPECT_EQ(m.message_attributes.size(), 2u);
  MessageAttributes subset{{"Hello", AttributeValue{"String", "h", ""}},
                           {"Help.Me", AttributeValue{"String", "m", ""}}};
  SendRequest probe;
  probe.body = "y";
  probe.attributes = subset;
  auto probe_sent = try_send(*engine_, queue("probe"), probe);
  EXPECT_EQ(m.md5_of_attributes, probe_sent->md5_of_attributes);
}

TEST_F(Messages, unicode_letters_are_allowed_in_attribute_names_but_symbols_are_not) {
  auto q = queue("unicode");
  SendRequest r;
  r.body = "x";
  r.attributes["attr.1\u00f8\u00df\u00e4"] = AttributeValue{"String", "Valida", ""};
  EXPECT_TRUE(try_send(*engine_, q, r).ok());
  SendRequest bad;
  bad.body = "x";
  bad.attributes["attr\u00a7"] = AttributeValue{"String", "x", ""};
  EXPECT_FALSE(try_send(*engine_, q, bad).ok());
}

TEST_F(Messages, an_earlier_receipt_handle_still_changes_visibility_on_standard_queues) {
  auto q = queue("stale");
  send(q, "x");
  auto first = receive(q, 1, 0);
  auto second = receive(q, 1, 300);
  ASSERT_EQ(second.size(), 1u);
  ASSERT_TRUE(engine_->change_message_visibility(q, first[0].receipt_handle, 0).ok());
  EXPECT_EQ(receive(q).size(), 1u);
}

TEST_F(Messages, batch_ids_must_be_present_distinct_valid_and_at_most_ten) {
  EXPECT_EQ(SqsEngine::check_batch_ids({}, "E").error().code, "EmptyBatchRequest");
  std::vector<std::string> eleven;
  for (int i = 0; i < 11; ++i)
    eleven.push_back("id" + std::to_string(i));
  EXPECT_EQ(SqsEngine::check_batch_ids(eleven, "E").error().code, "TooManyEntriesInBatchRequest");
  EXPECT_EQ(SqsEngine::check_batch_ids({"a", "a"}, "E").error().code, "BatchEntryIdsNotDistinct");
  EXPECT_EQ(SqsEngine::check_batch_ids({"a b"}, "E").error().code, "InvalidBatchEntryId");
}

TEST_F(Messages, send_batch_reports_each_failing_entry_and_sends_the_rest) {
  auto q = queue("batch");
  std::vector<SendRequest> entries(2);
  entries[0].entry_id = "ok";
  entries[0].body = "fine";
  entries[1].entry_id = "bad";
  entries[1].body = "late";
  entries[1].delay_seconds = 1000;
  std::vector<SendResult> ok;
  std::vector<BatchFailure> failed;
  ASSERT_TRUE(engine_->send_message_batch(q, entries, ok, failed).ok());
  ASSERT_EQ(ok.size(), 1u);
  EXPECT_EQ(ok[0].entry_id, "ok");
  ASSERT_EQ(failed.size(), 1u);
  EXPECT_EQ(failed[0].entry_id, "bad");
  EXPECT_EQ(failed[0].code, "InvalidParameterValue");
  EXPECT_TRUE(failed[0].sender_fault);
}

TEST_F(Messages, send_batch_larger_than_the_limit_is_batch_request_too_long) {
  auto q = queue("big");
  std::vector<SendRequest> entries(5);
  for (int i = 0; i < 5; ++i) {
    entries[i].entry_id = "e" + std::to_string(i);
    entries[i].body = std::string(250000, 'x');
  }
  std::vector<SendResult> ok;
  std::vector<BatchFailure> failed;
  EXPECT_EQ(engine_->send_message_batch(q, entries, ok, failed).error().code,
            "BatchRequestTooLong");
}

TEST_F(Messages, peek_shows_every_message_without_changing_visibility) {
  auto q = queue("peek", {{"DelaySeconds", "0"}});
  send(q, "a");
  send(q, "b");
  receive(q, 1);
  auto peeked = engine_->peek_messages(q);
  ASSERT_TRUE(peeked.ok());
  ASSERT_EQ(peeked->size(), 2u);
  EXPECT_EQ((*peeked)[0].state, "inflight");
  EXPECT_EQ((*peeked)[1].state, "visible");
  EXPECT_EQ(receive(q).size(), 1u);
}

}  // namespace
}  // namespace sluice::services::sqs::testing
