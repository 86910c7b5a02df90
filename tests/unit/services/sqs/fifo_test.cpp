// FIFO queues: groups, ordering, deduplication, sequence numbers and receive attempts.
#include "sqs_fixture.hpp"

namespace sluice::services::sqs::testing {
namespace {

using Fifo = SqsEngineTest;

AttributeMap fifo_attrs(AttributeMap extra = {}) {
  extra["FifoQueue"] = "true";
  return extra;
}

TEST_F(Fifo, message_group_id_is_required) {
  auto q = queue("g.fifo", fifo_attrs({{"ContentBasedDeduplication", "true"}}));
  SendRequest r;
  r.body = "x";
  auto res = engine_->send_message(q, r);
  ASSERT_FALSE(res.ok());
  EXPECT_EQ(res.error().code, "MissingParameter");
}

TEST_F(Fifo, deduplication_id_or_content_based_deduplication_is_required) {
  auto q = queue("d.fifo", fifo_attrs());
  SendRequest r;
  r.body = "x";
  r.group_id = "g";
  auto res = engine_->send_message(q, r);
  ASSERT_FALSE(res.ok());
  EXPECT_EQ(res.error().code, "InvalidParameterValue");
}

TEST_F(Fifo, duplicate_within_five_minutes_returns_the_original_message_id) {
  auto q = queue("dup.fifo", fifo_attrs());
  auto first = send(q, "a", "g", "d1");
  auto second = send(q, "b", "g", "d1");
  EXPECT_EQ(first.message_id, second.message_id);
  EXPECT_EQ(first.sequence_number, second.sequence_number);
  EXPECT_EQ(attribute(q, "ApproximateNumberOfMessages"), "1");
  advance_s(300);
  auto third = send(q, "c", "g", "d1");
  EXPECT_NE(third.message_id, first.message_id);
  EXPECT_EQ(attribute(q, "ApproximateNumberOfMessages"), "2");
}

TEST_F(Fifo, content_based_deduplication_uses_the_body_hash) {
  auto q = queue("cbd.fifo", fifo_attrs({{"ContentBasedDeduplication", "true"}}));
  auto a = send(q, "same", "g1");
  auto b = send(q, "same", "g2");
  auto c = send(q, "other", "g1");
  EXPECT_EQ(a.message_id, b.message_id);
  EXPECT_NE(a.message_id, c.message_id);
}

TEST_F(Fifo, message_group_scope_deduplicates_per_group) {
  auto q = queue("scope.fifo", fifo_attrs({{"DeduplicationScope", "messageGroup"},
                                           {"FifoThroughputLimit", "perMessageGroupId"}}));
  auto a = send(q, "x", "g1", "d");
  auto b = send(q, "x", "g2", "d");
  EXPECT_NE(a.message_id, b.message_id);
}

TEST_F(Fifo, per_message_group_throughput_needs_message_group_scope) {
  QueueId q{"us-east-1", "000000000000", "t.fifo"};
  auto s = engine_->create_queue(q, fifo_attrs({{"FifoThroughputLimit", "perMessageGroupId"}}), {});
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, "InvalidAttributeValue");
}

TEST_F(Fifo, sequence_numbers_increase_and_have_twenty_digits) {
  auto q = queue("seq.fifo", fifo_attrs());
  auto a = send(q, "a", "g", "1");
  auto b = send(q, "b", "g", "2");
  EXPECT_EQ(a.sequence_number.size(), 20u);
  EXPECT_LT(a.sequence_number, b.sequence_number);
}

TEST_F(Fifo, per_message_delay_is_rejected) {
  auto q = queue("delay.fifo", fifo_attrs());
  SendRequest r;
  r.body = "x";
  r.group_id = "g";
  r.deduplication_id = "d";
  r.delay_seconds = 5;
  auto res = engine_->send_message(q, r);
  ASSERT_FALSE(res.ok());
  EXPECT_EQ(res.error().code, "InvalidParameterValue");
}

TEST_F(Fifo, one_receive_returns_several_messages_of_a_group_in_order) {
  auto q = queue("order.fifo", fifo_attrs());
  for (int i = 0; i < 5; ++i)
    send(q, "m" + std::to_string(i), "g", std::to_string(i));
  auto got = receive(q, 10);
  ASSERT_EQ(got.size(), 5u);
  for (int i = 0; i < 5; ++i)
    EXPECT_EQ(got[i].body, "m" + std::to_string(i));
}

TEST_F(Fifo, group_stays_locked_while_a_message_is_in_flight) {
  auto q = queue("lock.fifo", fifo_attrs());
  send(q, "g1-a", "g1", "1");
  send(q, "g1-b", "g1", "2");
  send(q, "g2-a", "g2", "3");
  auto first = receive(q, 1);
  ASSERT_EQ(first.size(), 1u);
  EXPECT_EQ(first[0].body, "g1-a");
  auto second = receive(q, 10);
  ASSERT_EQ(second.size(), 1u);
  EXPECT_EQ(second[0].body, "g2-a");
  EXPECT_TRUE(receive(q, 10).empty());
  ASSERT_TRUE(engine_->delete_message(q, first[0].receipt_handle).ok());
  auto third = receive(q, 10);
  ASSERT_EQ(third.size(), 1u);
  EXPECT_EQ(third[0].body, "g1-b");
}

TEST_F(Fifo, expired_visibility_returns_the_group_head_first) {
  auto q = queue("retry.fifo", fifo_attrs({{"VisibilityTimeout", "5"}}));
  send(q, "first", "g", "1");
  send(q, "second", "g", "2");
  auto got = receive(q, 1);
  EXPECT_EQ(got[0].body, "first");
  advance_s(5);
  auto again = receive(q, 10);
  ASSERT_EQ(again.size(), 2u);
  EXPECT_EQ(again[0].body, "first");
  EXPECT_EQ(again[0].attributes.at("ApproximateReceiveCount"), "2");
}

TEST_F(Fifo, receive_request_attempt_id_retry_returns_the_same_messages) {
  auto q = queue("attempt.fifo", fifo_attrs());
  send(q, "a", "g", "1");
  ReceiveRequest r;
  r.max_messages = 10;
  r.receive_request_attempt_id = "try-1";
  auto first = receive_async(q, r).get();
  auto retry = receive_async(q, r).get();
  ASSERT_TRUE(first.ok());
  ASSERT_TRUE(retry.ok());
  ASSERT_EQ(first->size(), 1u);
  ASSERT_EQ(retry->size(), 1u);
  EXPECT_EQ((*first)[0].receipt_handle, (*retry)[0].receipt_handle);
}

TEST_F(Fifo, delete_with_an_expired_receipt_handle_fails_and_keeps_the_message) {
  auto q = queue("expired.fifo", fifo_attrs({{"VisibilityTimeout", "30"}}));
  send(q, "a", "g", "d");
  auto got = receive(q);
  advance_s(31);
  auto s = engine_->delete_message(q, got[0].receipt_handle);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, "InvalidParameterValue");
  EXPECT_NE(s.error().message.find("The receipt handle has expired."), std::string::npos);
  EXPECT_EQ(attribute(q, "ApproximateNumberOfMessages"), "1");
}

TEST_F(Fifo, batch_entry_without_group_or_deduplication_id_fails_the_whole_batch) {
  auto q = queue("batch.fifo", fifo_attrs());
  std::vector<SendRequest> entries(2);
  entries[0].entry_id = "ok";
  entries[0].body = "x";
  entries[0].group_id = "g";
  entries[0].deduplication_id = "d0";
  entries[1].entry_id = "1";
  entries[1].body = "y";
  entries[1].deduplication_id = "d1";
  std::vector<SendResult> ok;
  std::vector<BatchFailure> failed;
  auto s = engine_->send_message_batch(q, entries, ok, failed);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, "InvalidParameterValue");
  EXPECT_EQ(attribute(q, "ApproximateNumberOfMessages"), "0");
}

TEST_F(Fifo, head_made_visible_again_is_served_while_later_messages_are_in_flight) {
  auto q = queue("head.fifo", fifo_attrs({{"ContentBasedDeduplication", "true"}}));
  send(q, "g1-m1", "g1");
  send(q, "g1-m2", "g1");
  send(q, "g2-m1", "g2");
  auto first = receive(q, 2);
  ASSERT_EQ(first.size(), 2u);
  ASSERT_TRUE(engine_->change_message_visibility(q, first[0].receipt_handle, 0).ok());
  auto second = receive(q, 3);
  ASSERT_EQ(second.size(), 2u);
}

TEST_F(Fifo, purge_clears_the_deduplication_window) {
  auto q = queue("purge.fifo", fifo_attrs());
  send(q, "one", "g", "same");
  ASSERT_TRUE(engine_->purge_queue(q).ok());
  send(q, "two", "g", "same");
  auto got = receive(q);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].body, "two");
}

TEST_F(Fifo, message_group_id_is_accepted_on_standard_queues) {
  auto q = queue("fair");
  send(q, "x", "tenant-1");
  auto got = receive(q);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].attributes.at("MessageGroupId"), "tenant-1");
}

}  // namespace
}  // namespace sluice::services::sqs::testing
