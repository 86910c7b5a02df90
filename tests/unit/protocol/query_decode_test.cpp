// AWS Query forms -> neutral JSON (query_to_json), golden pairs per wire convention.
#include <gtest/gtest.h>

#include "sluice/protocol/codec.hpp"
#include "test_shapes.hpp"

namespace sluice::protocol {
namespace {

using namespace testing;

Json decode(std::string_view form, const ShapePtr& shape) {
  auto params = decode_form(form);
  EXPECT_TRUE(params.ok()) << form;
  if (!params.ok()) return nullptr;
  auto json = query_to_json(*params, *shape);
  EXPECT_TRUE(json.ok()) << form << ": " << (json.ok() ? "" : json.error().message);
  return json.ok() ? *json : Json();
}

Error decode_error(std::string_view form, const ShapePtr& shape) {
  auto params = decode_form(form);
  EXPECT_TRUE(params.ok()) << form;
  auto json = query_to_json(*params, *shape);
  EXPECT_FALSE(json.ok()) << form << " decoded to " << (json.ok() ? json->dump() : "");
  return json.ok() ? Error{} : json.error();
}

TEST(QueryDecode, sqs_send_message_with_flattened_message_attributes) {
  const Json got = decode(
      "Action=SendMessage&Version=2012-11-05&QueueUrl=http%3A%2F%2Flocalhost%3A4566%2F"
      "000000000000%2Fq&MessageBody=hi&DelaySeconds=5"
      "&MessageAttribute.1.Name=color&MessageAttribute.1.Value.DataType=String"
      "&MessageAttribute.1.Value.StringValue=blue"
      "&MessageAttribute.2.Name=raw&MessageAttribute.2.Value.DataType=Binary"
      "&MessageAttribute.2.Value.BinaryValue=AAEC",
      sqs_send_input());
  EXPECT_EQ(got, Json::parse(R"({
    "QueueUrl": "http://localhost:4566/000000000000/q",
    "MessageBody": "hi",
    "DelaySeconds": 5,
    "MessageAttributes": {
      "color": {"DataType": "String", "StringValue": "blue"},
      "raw": {"DataType": "Binary", "BinaryValue": "AAEC"}
    }})"));
}

TEST(QueryDecode, sqs_create_queue_flattened_attribute_and_tag_maps) {
  const Json got = decode(
      "QueueName=q&Attribute.1.Name=DelaySeconds&Attribute.1.Value=5"
      "&Attribute.2.Name=VisibilityTimeout&Attribute.2.Value=30"
      "&Tag.1.Key=team&Tag.1.Value=core",
      sqs_create_queue_input());
  EXPECT_EQ(got, Json::parse(R"({
    "QueueName": "q",
    "Attributes": {"DelaySeconds": "5", "VisibilityTimeout": "30"},
    "tags": {"team": "core"}})"));
}

TEST(QueryDecode, flattened_list_of_scalars_in_numeric_index_order) {
  const Json got = decode(
      "QueueUrl=u&AttributeName.10=Policy&AttributeName.2=VisibilityTimeout"
      "&AttributeName.1=All",
      sqs_get_attributes_input());
  // 1, 2, 10: numeric order, not the form's text order.
  EXPECT_EQ(got["AttributeNames"], Json::parse(R"(["All", "VisibilityTimeout", "Policy"])"));
}

TEST(QueryDecode, flattened_list_of_structures_with_nested_flattened_map) {
  const Json got = decode(
      "QueueUrl=u"
      "&SendMessageBatchRequestEntry.1.Id=a&SendMessageBatchRequestEntry.1.MessageBody=one"
      "&SendMessageBatchRequestEntry.2.Id=b&SendMessageBatchRequestEntry.2.MessageBody=two"
      "&SendMessageBatchRequestEntry.2.DelaySeconds=3"
      "&SendMessageBatchRequestEntry.2.MessageAttribute.1.Name=n"
      "&SendMessageBatchRequestEntry.2.MessageAttribute.1.Value.DataType=Number"
      "&SendMessageBatchRequestEntry.2.MessageAttribute.1.Value.StringValue=42",
      sqs_send_batch_input());
  EXPECT_EQ(got, Json::parse(R"({
    "QueueUrl": "u",
    "Entries": [
      {"Id": "a", "MessageBody": "one"},
      {"Id": "b", "MessageBody": "two", "DelaySeconds": 3,
       "MessageAttributes": {"n": {"DataType": "Number", "StringValue": "42"}}}
    ]})"));
}

TEST(QueryDecode, sns_non_flattened_entry_map_and_member_list) {
  const Json got = decode(
      "Action=CreateTopic&Name=t&Attributes.entry.1.key=DisplayName"
      "&Attributes.entry.1.value=My+Topic&Attributes.entry.2.key=FifoTopic"
      "&Attributes.entry.2.value=false&Tags.member.1.Key=team&Tags.member.1.Value=core"
      "&Tags.member.2.Key=env&Tags.member.2.Value=dev",
      sns_create_topic_input());
  EXPECT_EQ(got, Json::parse(R"({
    "Name": "t",
    "Attributes": {"DisplayName": "My Topic", "FifoTopic": "false"},
    "Tags": [{"Key": "team", "Value": "core"}, {"Key": "env", "Value": "dev"}]})"));
}

TEST(QueryDecode, sns_publish_message_attributes_use_name_and_value_entries) {
  const Json got = decode(
      "Message=m&MessageAttributes.entry.1.Name=store"
      "&MessageAttributes.entry.1.Value.DataType=String"
      "&MessageAttributes.entry.1.Value.StringValue=example_corp",
      sns_publish_input());
  EXPECT_EQ(got, Json::parse(R"({
    "Message": "m",
    "MessageAttributes": {"store": {"DataType": "String", "StringValue": "example_corp"}}})"));
}

TEST(QueryDecode, wrong_nesting_style_is_not_decoded) {
  // Flattened members are not found under the non-flattened spelling and vice versa.
  EXPECT_EQ(decode("QueueName=q&Attributes.entry.1.key=a&Attributes.entry.1.value=b",
                   sqs_create_queue_input()),
            Json::parse(R"({"QueueName": "q"})"));
  EXPECT_EQ(decode("Name=t&Attributes.1.key=a&Attributes.1.value=b", sns_create_topic_input()),
            Json::parse(R"({"Name": "t"})"));
}

TEST(QueryDecode, empty_non_flattened_list_is_an_explicit_empty_list) {
  EXPECT_EQ(decode("Name=t&Tags=", sns_create_topic_input()),
            Json::parse(R"({"Name": "t", "Tags": []})"));
}

TEST(QueryDecode, map_entries_without_a_key_are_skipped_and_unknown_parameters_ignored) {
  EXPECT_EQ(decode("QueueName=q&Attribute.1.Value=orphan&Attribute.2.Name=k&Attribute.2.Value=v"
                   "&Unknown=1&Attribute.x.Name=bad-index",
                   sqs_create_queue_input()),
            Json::parse(R"({"QueueName": "q", "Attributes": {"k": "v"}})"));
}

TEST(QueryDecode, scalars_of_every_kind) {
  const Json got =
      decode("S=text&I=-42&L=9007199254740993&B=true&D=1.5&Bl=AAEC&T=2026-11-24T21%3A55%3A38.500Z",
             scalars_input());
  EXPECT_EQ(got["S"], "text");
  EXPECT_EQ(got["I"], -42);
  EXPECT_EQ(got["L"].get<long long>(), 9007199254740993LL);
  EXPECT_EQ(got["B"], true);
  EXPECT_DOUBLE_EQ(got["D"].get<double>(), 1.5);
  EXPECT_EQ(got["Bl"], "AAEC");                            // blobs stay base64 text
  EXPECT_DOUBLE_EQ(got["T"].get<double>(), 1795557338.5);  // epoch seconds
  EXPECT_EQ(decode("T=1795557338", scalars_input())["T"], 1795557338.0);
  EXPECT_EQ(decode("I=%2B7", scalars_input())["I"], 7);
  EXPECT_EQ(decode("B=False", scalars_input())["B"], false);
}

TEST(QueryDecode, type_errors_are_invalid_parameter_value_naming_the_parameter) {
  struct Case {
    const char* form;
    const char* message;
  };
  const Case cases[] = {
      {"I=abc", "Value (abc) for parameter I is invalid. Must be a Integer."},
      {"I=", "Value () for parameter I is invalid. Must be a Integer."},
      {"I=1.5", "Value (1.5) for parameter I is invalid. Must be a Integer."},
      {"I=2147483648", "Value (2147483648) for parameter I is invalid. Must be a Integer."},
      {"L=99999999999999999999",
       "Value (99999999999999999999) for parameter L is invalid. "
       "Must be a Long."},
      {"B=yes", "Value (yes) for parameter B is invalid. Must be a Boolean."},
      {"D=1.5x", "Value (1.5x) for parameter D is invalid. Must be a Double."},
      {"T=yesterday", "Value (yesterday) for parameter T is invalid. Must be a Timestamp."},
  };
  for (const auto& c : cases) {
    const Error e = decode_error(c.form, scalars_input());
    EXPECT_EQ(e.code, "InvalidParameterValue") << c.form;
    EXPECT_EQ(e.message, c.message);
    EXPECT_EQ(e.http_status, 400);
  }
  const Error nested = decode_error(
      "QueueUrl=u&SendMessageBatchRequestEntry.1.Id=a&SendMessageBatchRequestEntry.1."
      "MessageBody=b&SendMessageBatchRequestEntry.1.DelaySeconds=soon",
      sqs_send_batch_input());
  EXPECT_EQ(nested.message,
            "Value (soon) for parameter SendMessageBatchRequestEntry.1.DelaySeconds is invalid. "
            "Must be a Integer.");
}

TEST(QueryDecode, missing_required_members_are_reported_with_query_names) {
  const auto missing = [](std::string_view form, const ShapePtr& shape) {
    return first_missing_required(decode(form, shape), *shape, /*query_names=*/true);
  };
  EXPECT_EQ(missing("QueueUrl=u&MessageBody=b", sqs_send_input()), "");
  EXPECT_EQ(missing("MessageBody=b", sqs_send_input()), "QueueUrl");
  EXPECT_EQ(missing("QueueUrl=u&MessageBody=b&MessageAttribute.1.Name=a"
                    "&MessageAttribute.1.Value.StringValue=x",
                    sqs_send_input()),
            "MessageAttribute.a.DataType");
  EXPECT_EQ(missing("QueueUrl=u", sqs_send_batch_input()), "SendMessageBatchRequestEntry");
  EXPECT_EQ(missing("QueueUrl=u&SendMessageBatchRequestEntry.1.Id=a"
                    "&SendMessageBatchRequestEntry.1.MessageBody=x"
                    "&SendMessageBatchRequestEntry.2.Id=b",
                    sqs_send_batch_input()),
            "SendMessageBatchRequestEntry.2.MessageBody");
  EXPECT_EQ(missing("Name=t&Tags.member.1.Key=k", sns_create_topic_input()), "Tags.member.1.Value");
}

}  // namespace
}  // namespace sluice::protocol
