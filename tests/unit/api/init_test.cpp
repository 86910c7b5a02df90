#include "sluice/api/init.hpp"

#include <gtest/gtest.h>

namespace sluice::api {
namespace {

Result<InitPlan> parse(const std::string& text) {
  return parse_init(text, "t.json", "/nonexistent", "us-east-1", "000000000000");
}

std::string error_of(const std::string& text) {
  auto r = parse(text);
  EXPECT_FALSE(r.ok()) << text;
  return r.ok() ? std::string() : r.error().message;
}

TEST(InitParse, dead_letter_queues_come_first_whatever_the_order) {
  auto plan = parse(R"({"queues": [
      {"name": "a", "dead_letter_queue": "b"},
      {"name": "b", "attributes": {"RedrivePolicy":
          {"deadLetterTargetArn": "arn:aws:sqs:us-east-1:000000000000:c", "maxReceiveCount": 2}}},
      {"name": "c"},
      {"name": "d", "dead_letter_queue": "arn:aws:sqs:eu-west-1:000000000000:elsewhere"}]})");
  ASSERT_TRUE(plan.ok()) << plan.error().message;
  std::vector<std::string> order;
  for (const auto& q : plan->queues)
    order.push_back(q.name);
  EXPECT_EQ(order, (std::vector<std::string>{"c", "b", "a", "d"}));
  EXPECT_EQ(
      plan->queues[2].attributes.at("RedrivePolicy"),
      R"({"deadLetterTargetArn":"arn:aws:sqs:us-east-1:000000000000:b","maxReceiveCount":10})");
}

TEST(InitParse, attribute_values_become_aws_strings) {
  auto plan = parse(R"({"region": "eu-west-1", "account_id": "123456789012", "queues": [
      {"name": "q.fifo", "attributes": {"FifoQueue": true, "DelaySeconds": 5,
                                         "Policy": {"Version": "2012-10-17"}}}],
      "topics": [{"name": "t", "subscriptions": [
          {"protocol": "sqs", "queue": "q.fifo", "raw_message_delivery": true,
           "filter_policy": {"a": ["b"]}, "dead_letter_queue": "dlq"}]}]})");
  ASSERT_TRUE(plan.ok()) << plan.error().message;
  const auto& a = plan->queues[0].attributes;
  EXPECT_EQ(a.at("FifoQueue"), "true");
  EXPECT_EQ(a.at("DelaySeconds"), "5");
  EXPECT_EQ(a.at("Policy"), R"({"Version":"2012-10-17"})");
  const auto& s = plan->topics[0].subscriptions[0];
  EXPECT_EQ(s.endpoint, "arn:aws:sqs:eu-west-1:123456789012:q.fifo");
  EXPECT_EQ(s.attributes.at("RawMessageDelivery"), "true");
  EXPECT_EQ(s.attributes.at("FilterPolicy"), R"({"a":["b"]})");
  EXPECT_EQ(s.attributes.at("RedrivePolicy"),
            R"({"deadLetterTargetArn":"arn:aws:sqs:eu-west-1:123456789012:dlq"})");
}

TEST(InitParse, mistakes_name_the_file_and_the_place) {
  struct Case {
    const char* text;
    const char* message;
  } cases[] = {
      {"[]", "init file t.json: must be a JSON object"},
      {R"({"queue": []})", "init file t.json: unknown key 'queue' (allowed: $schema, region"},
      {R"({"queues": {}})", "init file t.json: queues: must be an array"},
      {R"({"queues": [1]})", "queues[0]: must be an object"},
      {R"({"queues": [{"name": ""}]})", "queues[0] (): 'name' must be a non-empty string"},
      {R"({"queues": [{"name": "a"}, {"name": "a"}]})",
       "queues[1] (a): the queue is declared twice"},
      {R"({"queues": [{"name": "a", "dead_letter_queue": "a"}]})", "its own dead-letter queue"},
      {R"({"queues": [{"name": "a", "max_receive_count": 3}]})", "needs 'dead_letter_queue'"},
      {R"({"queues": [{"name": "a", "dead_letter_queue": "b", "max_receive_count": 0}]})",
       "from 1 to 1000"},
      {R"({"queues": [{"name": "a", "attributes": {"X": null}}]})",
       "queues[0] (a).attributes: 'X' must be a string"},
      {R"({"queues": [{"name": "a", "tags": {"k": 1}}]})", "the value of 'k' must be a string"},
      {R"({"topics": [{"name": "t", "subscriptions": [{"protocol": "https", "queue": "q"}]}]})",
       "topics[0] (t).subscriptions[0]: 'queue' is for protocol sqs"},
      {R"({"topics": [{"name": "t", "subscriptions": [{"protocol": "https"}]}]})",
       "'endpoint' is required"},
      {R"({"topics": [{"name": "t", "subscriptions": [{"protocol": "sqs", "queue": "q",
           "raw_message_delivery": true, "attributes": {"RawMessageDelivery": "true"}}]}]})",
       "give either 'raw_message_delivery' or attributes.RawMessageDelivery"},
      {R"({"state_machines": [{"name": "m"}]})",
       "give exactly one of 'definition' and 'definition_file'"},
      {R"({"state_machines": [{"name": "m", "definition": {}, "type": "FAST"}]})",
       "'type' must be STANDARD or EXPRESS"},
      {R"({"state_machines": [{"name": "m", "definition_file": "x.json"}]})",
       "cannot read definition_file /nonexistent/x.json"},
      {R"({"account_id": "12"})", "account_id: must be 12 digits"},
      {R"({"activities": [{"name": "a"}, {"name": "a"}]})", "the activity is declared twice"},
  };
  for (const auto& c : cases) {
    const std::string message = error_of(c.text);
    EXPECT_NE(message.find(c.message), std::string::npos) << c.text << "\n-> " << message;
  }
}

}  // namespace
}  // namespace sluice::api
