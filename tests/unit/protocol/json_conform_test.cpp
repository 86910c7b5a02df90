// AWS JSON bodies -> neutral JSON (json_conform) and required-member checks.
#include <gtest/gtest.h>

#include "sluice/protocol/codec.hpp"
#include "test_shapes.hpp"

namespace sluice::protocol {
namespace {

using namespace testing;

Json conformed(const char* body, const ShapePtr& shape) {
  auto r = json_conform(Json::parse(body), *shape);
  EXPECT_TRUE(r.ok()) << body << ": " << (r.ok() ? "" : r.error().message);
  return r.ok() ? *r : Json();
}

std::string conform_error(const char* body, const ShapePtr& shape) {
  auto r = json_conform(Json::parse(body), *shape);
  EXPECT_FALSE(r.ok()) << body;
  if (r.ok()) return {};
  EXPECT_EQ(r.error().code, "SerializationException");
  EXPECT_EQ(r.error().http_status, 400);
  return r.error().message;
}

TEST(JsonConform, sqs_json_names_are_the_member_names) {
  // The same request as the Query golden test, in AWS JSON 1.0: member names, no
  // flattening, nothing renamed.
  const char* body = R"({
    "QueueUrl": "http://localhost:4566/000000000000/q", "MessageBody": "hi", "DelaySeconds": 5,
    "MessageAttributes": {"color": {"DataType": "String", "StringValue": "blue"}}})";
  EXPECT_EQ(conformed(body, sqs_send_input()), Json::parse(body));
}

TEST(JsonConform, unknown_and_null_members_are_dropped) {
  EXPECT_EQ(conformed(R"({"QueueName": "q", "Attribute": {"a": "b"}, "Extra": [1, 2],
                          "Attributes": null})",
                      sqs_create_queue_input()),
            Json::parse(R"({"QueueName": "q"})"));
  EXPECT_EQ(conformed(R"({"QueueUrl": "u", "Entries": [{"Id": "a", "MessageBody": "b",
                          "Nope": true}]})",
                      sqs_send_batch_input()),
            Json::parse(R"({"QueueUrl": "u", "Entries": [{"Id": "a", "MessageBody": "b"}]})"));
}

TEST(JsonConform, scalars_of_every_kind) {
  const Json got = conformed(
      R"({"S": "x", "I": -2147483648, "L": 9007199254740993, "B": false, "D": 2,
          "Bl": "AAEC", "T": 1795557338.5})",
      scalars_input());
  EXPECT_EQ(got["I"], -2147483648LL);
  EXPECT_EQ(got["L"].get<long long>(), 9007199254740993LL);
  EXPECT_EQ(got["D"], 2);
  EXPECT_EQ(got["T"], 1795557338.5);
}

TEST(JsonConform, type_errors_name_the_member_path) {
  EXPECT_EQ(conform_error(R"({"I": "5"})", scalars_input()),
            "Invalid value for I: expected Integer.");
  EXPECT_EQ(conform_error(R"({"I": 1.5})", scalars_input()),
            "Invalid value for I: expected Integer.");
  EXPECT_EQ(conform_error(R"({"I": 2147483648})", scalars_input()),
            "Invalid value for I: expected Integer.");
  EXPECT_EQ(conform_error(R"({"I": -2147483649})", scalars_input()),
            "Invalid value for I: expected Integer.");
  EXPECT_EQ(conform_error(R"({"L": 1.0e3})", scalars_input()),
            "Invalid value for L: expected Long.");
  EXPECT_EQ(conform_error(R"({"B": "true"})", scalars_input()),
            "Invalid value for B: expected Boolean.");
  EXPECT_EQ(conform_error(R"({"D": "1.5"})", scalars_input()),
            "Invalid value for D: expected Double.");
  EXPECT_EQ(conform_error(R"({"S": 5})", scalars_input()), "Invalid value for S: expected String.");
  EXPECT_EQ(conform_error(R"({"Bl": ["x"]})", scalars_input()),
            "Invalid value for Bl: expected Blob.");
  EXPECT_EQ(conform_error(R"({"T": "2026-11-24T21:55:38Z"})", scalars_input()),
            "Invalid value for T: expected Timestamp.");
  EXPECT_EQ(conform_error(R"([])", scalars_input()),
            "Invalid value for request: expected Structure.");
  EXPECT_EQ(conform_error(R"({"QueueUrl": "u", "Entries": {"Id": "a"}})", sqs_send_batch_input()),
            "Invalid value for Entries: expected List.");
  EXPECT_EQ(
      conform_error(R"({"QueueUrl": "u", "Entries": [{"Id": "a"}, "b"]})", sqs_send_batch_input()),
      "Invalid value for Entries[1]: expected Structure.");
  EXPECT_EQ(conform_error(R"({"QueueUrl": "u", "Entries": [{"Id": "a", "DelaySeconds": "1"}]})",
                          sqs_send_batch_input()),
            "Invalid value for Entries[0].DelaySeconds: expected Integer.");
  EXPECT_EQ(conform_error(R"({"QueueName": "q", "Attributes": {"DelaySeconds": 5}})",
                          sqs_create_queue_input()),
            "Invalid value for Attributes.DelaySeconds: expected String.");
  EXPECT_EQ(conform_error(R"({"QueueName": "q", "Attributes": ["a"]})", sqs_create_queue_input()),
            "Invalid value for Attributes: expected Map.");
  EXPECT_EQ(conform_error(R"({"QueueUrl": "u", "MessageBody": "b",
                              "MessageAttributes": {"a": {"DataType": 1}}})",
                          sqs_send_input()),
            "Invalid value for MessageAttributes.a.DataType: expected String.");
}

TEST(JsonConform, missing_required_members_are_reported_with_json_paths) {
  const auto missing = [](const char* body, const ShapePtr& shape) {
    return first_missing_required(conformed(body, shape), *shape, /*query_names=*/false);
  };
  EXPECT_EQ(missing(R"({"QueueUrl": "u", "MessageBody": "b"})", sqs_send_input()), "");
  EXPECT_EQ(missing(R"({"MessageBody": "b"})", sqs_send_input()), "QueueUrl");
  EXPECT_EQ(missing(R"({"QueueUrl": null, "MessageBody": "b"})", sqs_send_input()), "QueueUrl");
  EXPECT_EQ(missing(R"({"QueueUrl": "u"})", sqs_send_batch_input()), "Entries");
  EXPECT_EQ(missing(R"({"QueueUrl": "u", "Entries": [{"Id": "a", "MessageBody": "x"},
                                                     {"Id": "b"}]})",
                    sqs_send_batch_input()),
            "Entries[1].MessageBody");
  EXPECT_EQ(missing(R"({"QueueUrl": "u", "MessageBody": "b",
                        "MessageAttributes": {"a": {"StringValue": "x"}}})",
                    sqs_send_input()),
            "MessageAttributes.a.DataType");
  EXPECT_EQ(missing(R"({"Name": "t", "Tags": [{"Key": "k"}]})", sns_create_topic_input()),
            "Tags[0].Value");
  // The same decoded value, reported with Query names.
  EXPECT_EQ(first_missing_required(
                conformed(R"({"QueueUrl": "u", "Entries": [{"Id": "a"}]})", sqs_send_batch_input()),
                *sqs_send_batch_input(), /*query_names=*/true),
            "SendMessageBatchRequestEntry.1.MessageBody");
}

}  // namespace
}  // namespace sluice::protocol
