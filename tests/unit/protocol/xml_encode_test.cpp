// Neutral JSON -> AWS Query XML (json_to_xml) and XML text escaping.
#include <gtest/gtest.h>

#include "sluice/protocol/codec.hpp"
#include "test_shapes.hpp"

namespace sluice::protocol {
namespace {

using namespace testing;

std::string xml(const char* json, const ShapePtr& shape) {
  std::string out;
  json_to_xml(Json::parse(json), *shape, out);
  return out;
}

std::string escaped(std::string_view in) {
  std::string out;
  xml_escape(in, out);
  return out;
}

TEST(XmlEncode, sqs_flattened_attribute_map) {
  EXPECT_EQ(xml(R"({"Attributes": {"VisibilityTimeout": "30", "DelaySeconds": "0"}})",
                sqs_get_attributes_output()),
            "<Attribute><Name>DelaySeconds</Name><Value>0</Value></Attribute>"
            "<Attribute><Name>VisibilityTimeout</Name><Value>30</Value></Attribute>");
}

TEST(XmlEncode, sqs_flattened_list_of_scalars_and_absent_members) {
  EXPECT_EQ(xml(R"({"QueueUrls": ["http://h/1/a", "http://h/1/b"]})", sqs_list_queues_output()),
            "<QueueUrl>http://h/1/a</QueueUrl><QueueUrl>http://h/1/b</QueueUrl>");
  EXPECT_EQ(xml(R"({"QueueUrls": [], "NextToken": null})", sqs_list_queues_output()), "");
  EXPECT_EQ(xml(R"({})", sqs_list_queues_output()), "");
}

TEST(XmlEncode, sqs_receive_message_nested_flattened_members) {
  EXPECT_EQ(xml(R"({"Messages": [{
              "MessageId": "m1", "Body": "<b>&amp;</b>",
              "Attributes": {"ApproximateReceiveCount": "1"},
              "MessageAttributes": {"color": {"DataType": "String", "StringValue": "blue"},
                                    "raw": {"DataType": "Binary", "BinaryValue": "AAEC"}}}]})",
                sqs_receive_output()),
            "<Message><MessageId>m1</MessageId><Body>&lt;b&gt;&amp;amp;&lt;/b&gt;</Body>"
            "<Attribute><Name>ApproximateReceiveCount</Name><Value>1</Value></Attribute>"
            "<MessageAttribute><Name>color</Name><Value><StringValue>blue</StringValue>"
            "<DataType>String</DataType></Value></MessageAttribute>"
            "<MessageAttribute><Name>raw</Name><Value><BinaryValue>AAEC</BinaryValue>"
            "<DataType>Binary</DataType></Value></MessageAttribute></Message>");
}

TEST(XmlEncode, sns_member_lists_and_entry_maps) {
  EXPECT_EQ(xml(R"({"Topics": [{"TopicArn": "arn:aws:sns:us-east-1:000000000000:a"},
                               {"TopicArn": "arn:aws:sns:us-east-1:000000000000:b"}],
                    "NextToken": "n"})",
                sns_topics_output()),
            "<Topics><member><TopicArn>arn:aws:sns:us-east-1:000000000000:a</TopicArn></member>"
            "<member><TopicArn>arn:aws:sns:us-east-1:000000000000:b</TopicArn></member></Topics>"
            "<NextToken>n</NextToken>");
  EXPECT_EQ(
      xml(R"({"Attributes": {"DisplayName": "x", "Policy": "{\"a\":1}"}})", sns_topics_output()),
      "<Attributes><entry><key>DisplayName</key><value>x</value></entry>"
      "<entry><key>Policy</key><value>{&quot;a&quot;:1}</value></entry></Attributes>");
  EXPECT_EQ(xml(R"({"Tags": [{"Key": "team", "Value": "core"}]})", sns_topics_output()),
            "<Tags><member><Key>team</Key><Value>core</Value></member></Tags>");
  // An empty non-flattened list is still an element, as AWS sends it.
  EXPECT_EQ(xml(R"({"Topics": []})", sns_topics_output()), "<Topics></Topics>");
}

TEST(XmlEncode, scalars_render_as_aws_text) {
  const auto shape = structure({
      member("I", integer_shape()),
      member("B", boolean_shape()),
      member("D", double_shape()),
      member("T", timestamp_shape()),
      member("S", string_shape()),
  });
  EXPECT_EQ(xml(R"({"I": -7, "B": true, "D": 1.5, "T": 1795557338.123, "S": "a b"})", shape),
            "<I>-7</I><B>true</B><D>1.5</D><T>2026-11-24T21:55:38.123Z</T><S>a b</S>");
}

TEST(XmlEncode, a_non_object_value_renders_nothing) {
  EXPECT_EQ(xml("[1, 2]", sqs_list_queues_output()), "");
  EXPECT_EQ(xml("\"text\"", sqs_list_queues_output()), "");
}

TEST(XmlEscape, markup_characters) {
  EXPECT_EQ(escaped(R"(<a href="x">Tom & 'Jerry'</a>)"),
            "&lt;a href=&quot;x&quot;&gt;Tom &amp; &apos;Jerry&apos;&lt;/a&gt;");
  EXPECT_EQ(escaped(""), "");
  EXPECT_EQ(escaped("plain"), "plain");
}

TEST(XmlEscape, whitespace_is_kept_and_carriage_return_survives_parsing) {
  // Parsers normalise a raw CR to LF; a character reference keeps it (SQS bodies may
  // carry \r\n and must come back byte for byte).
  EXPECT_EQ(escaped("a\tb\nc\r\nd"), "a\tb\nc&#xD;\nd");
}

TEST(XmlEscape, utf8_passes_through) {
  EXPECT_EQ(escaped("caf\xC3\xA9 \xF0\x9F\x98\x80 \xEF\xBF\xBD"),
            "caf\xC3\xA9 \xF0\x9F\x98\x80 \xEF\xBF\xBD");
}

TEST(XmlEscape, characters_xml_1_0_cannot_carry_become_replacement_characters) {
  // XML 1.0 forbids C0 controls other than tab, LF and CR even as character references
  // (`&#x1;` makes the whole document unparseable for expat, which botocore uses), and
  // U+FFFE/U+FFFF; invalid UTF-8 would break the document too. Each becomes U+FFFD.
  const std::string fffd = "\xEF\xBF\xBD";
  EXPECT_EQ(escaped(std::string("a\0b", 3)), "a" + fffd + "b");
  EXPECT_EQ(escaped("a\x01\x1F\x7F"), "a" + fffd + fffd + "\x7F");
  EXPECT_EQ(escaped("x\xEF\xBF\xBEy\xEF\xBF\xBFz"), "x" + fffd + "y" + fffd + "z");
  EXPECT_EQ(escaped("bad \xFF\xC3 end"), "bad " + fffd + fffd + " end");
  EXPECT_EQ(escaped("\xED\xA0\x80"), fffd + fffd + fffd);  // a surrogate, byte by byte
  EXPECT_EQ(escaped("trunc\xE2\x82"), "trunc" + fffd + fffd);
}

TEST(XmlEncode, timestamps_beyond_year_9999_are_written_as_numbers_not_converted) {
  // Found by tests/fuzz/fuzz_form: converting 2e17 s to milliseconds overflowed.
  const auto shape = structure({member("When", timestamp_shape())});
  EXPECT_EQ(xml(R"({"When": 202677777777721111})", shape), "<When>202677777777721111</When>");
  EXPECT_EQ(xml(R"({"When": -1e300})", shape), "<When>-1e+300</When>");
  EXPECT_EQ(xml(R"({"When": 1700000000.5})", shape), "<When>2023-11-14T22:13:20.500Z</When>");
}

}  // namespace
}  // namespace sluice::protocol
