// Queue lifecycle and attributes on the engine.
#include "sqs_fixture.hpp"

namespace sluice::services::sqs::testing {
namespace {

using QueueOps = SqsEngineTest;

TEST_F(QueueOps, create_queue_is_idempotent_with_equal_attributes) {
  auto q = queue("orders", {{"VisibilityTimeout", "60"}});
  EXPECT_TRUE(engine_->create_queue(q, {{"VisibilityTimeout", "60"}}, {}).ok());
  EXPECT_TRUE(engine_->create_queue(q, {}, {}).ok());
}

TEST_F(QueueOps, create_queue_with_a_different_attribute_fails_with_queue_name_exists) {
  auto q = queue("orders", {{"VisibilityTimeout", "60"}});
  auto s = engine_->create_queue(q, {{"VisibilityTimeout", "61"}}, {});
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, "QueueNameExists");
}

TEST_F(QueueOps, queue_names_are_checked_for_charset_length_and_fifo_suffix) {
  QueueId bad{"us-east-1", "000000000000", "has space"};
  EXPECT_EQ(engine_->create_queue(bad, {}, {}).error().code, "InvalidParameterValue");
  QueueId long_name{"us-east-1", "000000000000", std::string(81, 'a')};
  EXPECT_EQ(engine_->create_queue(long_name, {}, {}).error().code, "InvalidParameterValue");
  QueueId no_suffix{"us-east-1", "000000000000", "jobs"};
  auto s = engine_->create_queue(no_suffix, {{"FifoQueue", "true"}}, {});
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.error().message.find(".fifo"), std::string::npos);
  QueueId fifo{"us-east-1", "000000000000", "jobs.fifo"};
  EXPECT_TRUE(engine_->create_queue(fifo, {{"FifoQueue", "true"}}, {}).ok());
}

TEST_F(QueueOps, unknown_attribute_is_invalid_attribute_name) {
  QueueId q{"us-east-1", "000000000000", "q"};
  auto s = engine_->create_queue(q, {{"Colour", "blue"}}, {});
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, "InvalidAttributeName");
  EXPECT_EQ(s.error().message, "Unknown Attribute Colour.");
}

TEST_F(QueueOps, out_of_range_values_are_invalid_attribute_value) {
  QueueId q{"us-east-1", "000000000000", "q"};
  for (auto [name, value] :
       std::vector<std::pair<std::string, std::string>>{{"DelaySeconds", "901"},
                                                        {"MaximumMessageSize", "1023"},
                                                        {"MaximumMessageSize", "1048577"},
                                                        {"MessageRetentionPeriod", "59"},
                                                        {"ReceiveMessageWaitTimeSeconds", "21"},
                                                        {"VisibilityTimeout", "43201"},
                                                        {"VisibilityTimeout", "abc"},
                                                        {"KmsDataKeyReusePeriodSeconds", "59"}}) {
    auto s = engine_->create_queue(q, {{name, value}}, {});
    ASSERT_FALSE(s.ok()) << name << "=" << value;
    EXPECT_EQ(s.error().code, "InvalidAttributeValue");
    EXPECT_EQ(s.error().message, "Invalid value for the parameter " + name + ".");
  }
}

TEST_F(QueueOps, defaults_and_computed_attributes) {
  auto q = queue("defaults");
  auto a = engine_->get_queue_attributes(q, {"All"});
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->at("VisibilityTimeout"), "30");
  EXPECT_EQ(a->at("MaximumMessageSize"), "1048576");
  EXPECT_EQ(a->at("MessageRetentionPeriod"), "345600");
  EXPECT_EQ(a->at("DelaySeconds"), "0");
  EXPECT_EQ(a->at("ReceiveMessageWaitTimeSeconds"), "0");
  EXPECT_EQ(a->at("SqsManagedSseEnabled"), "true");
  EXPECT_EQ(a->at("QueueArn"), "arn:aws:sqs:us-east-1:000000000000:defaults");
  EXPECT_EQ(a->at("CreatedTimestamp"), std::to_string(kStart / 1000));
  EXPECT_EQ(a->count("FifoQueue"), 0u);
  EXPECT_EQ(a->count("Policy"), 0u);
}

TEST_F(QueueOps, fifo_only_attributes_are_unknown_on_standard_queues) {
  QueueId q{"us-east-1", "000000000000", "std"};
  auto s = engine_->create_queue(q, {{"ContentBasedDeduplication", "true"}}, {});
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, "InvalidAttributeName");
}

TEST_F(QueueOps, set_attributes_updates_value_and_last_modified) {
  auto q = queue("q");
  advance_s(100);
  ASSERT_TRUE(engine_->set_queue_attributes(q, {{"VisibilityTimeout", "5"}}).ok());
  EXPECT_EQ(attribute(q, "VisibilityTimeout"), "5");
  EXPECT_EQ(attribute(q, "LastModifiedTimestamp"), std::to_string(kStart / 1000 + 100));
  auto s = engine_->set_queue_attributes(q, {{"FifoQueue", "true"}});
  EXPECT_FALSE(s.ok());
}

TEST_F(QueueOps, queue_type_never_changes_after_creation) {
  auto standard = queue("std");
  EXPECT_EQ(engine_->set_queue_attributes(standard, {{"FifoQueue", "true"}}).error().code,
            "InvalidAttributeName");
  auto fifo = queue("f.fifo", {{"FifoQueue", "true"}});
  EXPECT_TRUE(engine_->set_queue_attributes(fifo, {{"FifoQueue", "true"}}).ok());
  EXPECT_EQ(engine_->set_queue_attributes(fifo, {{"FifoQueue", "false"}}).error().code,
            "InvalidAttributeValue");
}

TEST_F(QueueOps, kms_and_sqs_managed_encryption_together_are_refused) {
  auto q = queue("sse");
  auto s =
      engine_->set_queue_attributes(q, {{"KmsMasterKeyId", "k"}, {"SqsManagedSseEnabled", "true"}});
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, "InvalidAttributeName");
  ASSERT_TRUE(engine_->set_queue_attributes(q, {{"KmsMasterKeyId", "k"}}).ok());
  EXPECT_EQ(attribute(q, "SqsManagedSseEnabled"), "false");
  EXPECT_EQ(attribute(q, "KmsDataKeyReusePeriodSeconds"), "300");
}

TEST_F(QueueOps, recreating_within_60_seconds_of_delete_is_queue_deleted_recently) {
  auto q = queue("short-lived");
  ASSERT_TRUE(engine_->delete_queue(q).ok());
  auto s = engine_->create_queue(q, {}, {});
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, "QueueDeletedRecently");
  advance_s(61);
  EXPECT_TRUE(engine_->create_queue(q, {}, {}).ok());
}

TEST_F(QueueOps, operations_on_a_missing_queue_fail_with_queue_does_not_exist) {
  QueueId q{"us-east-1", "000000000000", "ghost"};
  EXPECT_EQ(engine_->delete_queue(q).error().code, "QueueDoesNotExist");
  EXPECT_EQ(engine_->get_queue_attributes(q, {"All"}).error().code, "QueueDoesNotExist");
  EXPECT_EQ(engine_->purge_queue(q).error().code, "QueueDoesNotExist");
}

TEST_F(QueueOps, list_queues_filters_by_prefix_and_paginates_with_an_opaque_token) {
  for (auto n : {"a1", "a2", "a3", "b1"})
    queue(n);
  auto all = engine_->list_queues("us-east-1", "000000000000", "a", std::nullopt, "");
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all->queues.size(), 3u);
  EXPECT_TRUE(all->next_token.empty());
  auto first = engine_->list_queues("us-east-1", "000000000000", "", 2, "");
  ASSERT_EQ(first->queues.size(), 2u);
  ASSERT_FALSE(first->next_token.empty());
  auto second = engine_->list_queues("us-east-1", "000000000000", "", 2, first->next_token);
  ASSERT_EQ(second->queues.size(), 2u);
  EXPECT_EQ(second->queues[1].name, "b1");
  EXPECT_TRUE(second->next_token.empty());
  EXPECT_FALSE(engine_->list_queues("us-east-1", "000000000000", "", 0, "").ok());
}

TEST_F(QueueOps, accounts_and_regions_are_isolated_namespaces) {
  queue("shared");
  QueueId other_region{"eu-west-1", "000000000000", "shared"};
  QueueId other_account{"us-east-1", "111111111111", "shared"};
  EXPECT_EQ(engine_->queue_exists(other_region).error().code, "QueueDoesNotExist");
  EXPECT_TRUE(engine_->create_queue(other_account, {{"DelaySeconds", "5"}}, {}).ok());
  EXPECT_EQ(engine_->list_queues("eu-west-1", "000000000000", "", std::nullopt, "")->queues.size(),
            0u);
}

TEST_F(QueueOps, purge_removes_every_message_and_is_limited_to_once_a_minute) {
  auto q = queue("p");
  send(q, "1");
  send(q, "2");
  receive(q, 1);
  ASSERT_TRUE(engine_->purge_queue(q).ok());
  EXPECT_EQ(attribute(q, "ApproximateNumberOfMessages"), "0");
  EXPECT_EQ(attribute(q, "ApproximateNumberOfMessagesNotVisible"), "0");
  auto again = engine_->purge_queue(q);
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code, "PurgeQueueInProgress");
  advance_s(60);
  EXPECT_TRUE(engine_->purge_queue(q).ok());
}

TEST_F(QueueOps, tags_are_added_listed_and_removed) {
  auto q = queue("tagged");
  ASSERT_TRUE(engine_->tag_queue(q, {{"env", "dev"}, {"team", "a"}}).ok());
  ASSERT_TRUE(engine_->untag_queue(q, {"team"}).ok());
  auto tags = engine_->list_queue_tags(q);
  ASSERT_TRUE(tags.ok());
  EXPECT_EQ(*tags, (TagMap{{"env", "dev"}}));
  TagMap many;
  for (int i = 0; i < 51; ++i)
    many["k" + std::to_string(i)] = "v";
  EXPECT_FALSE(engine_->tag_queue(q, many).ok());
}

TEST_F(QueueOps, add_and_remove_permission_edit_the_policy_document) {
  auto q = queue("shared");
  ASSERT_TRUE(engine_->add_permission(q, "l1", {"111111111111"}, {"SendMessage"}).ok());
  const std::string policy = attribute(q, "Policy");
  EXPECT_NE(policy.find("\"Sid\":\"l1\""), std::string::npos);
  EXPECT_NE(policy.find("arn:aws:iam::111111111111:root"), std::string::npos);
  EXPECT_NE(policy.find("SQS:SendMessage"), std::string::npos);
  EXPECT_EQ(engine_->add_permission(q, "l1", {"1"}, {"SendMessage"}).error().code,
            "InvalidParameterValue");
  ASSERT_TRUE(engine_->remove_permission(q, "l1").ok());
  EXPECT_EQ(attribute(q, "Policy"), "<absent>");
  EXPECT_FALSE(engine_->remove_permission(q, "l1").ok());
}

}  // namespace
}  // namespace sluice::services::sqs::testing
