// decode_form: application/x-www-form-urlencoded bodies and query strings (AWS Query).
#include <gtest/gtest.h>

#include "sluice/protocol/codec.hpp"

namespace sluice::protocol {
namespace {

FormParams decoded(std::string_view body) {
  auto r = decode_form(body);
  EXPECT_TRUE(r.ok()) << body << ": " << (r.ok() ? "" : r.error().message);
  return r.ok() ? *r : FormParams{};
}

TEST(DecodeForm, names_and_values_with_escapes_and_plus) {
  const auto p = decoded(
      "Action=SendMessage&MessageBody=hello+world%21&QueueUrl=http%3A%2F%2Flocalhost%3A4566%2F"
      "000000000000%2Fq&Literal%2B=a%2Bb");
  EXPECT_EQ(p.size(), 4u);
  EXPECT_EQ(p.at("Action"), "SendMessage");
  EXPECT_EQ(p.at("MessageBody"), "hello world!");
  EXPECT_EQ(p.at("QueueUrl"), "http://localhost:4566/000000000000/q");
  EXPECT_EQ(p.at("Literal+"), "a+b");
}

TEST(DecodeForm, utf8_values_survive) {
  const auto p = decoded("MessageBody=caf%C3%A9%20%F0%9F%98%80&Raw=\xC3\xA9");
  EXPECT_EQ(p.at("MessageBody"), "caf\xC3\xA9 \xF0\x9F\x98\x80");
  EXPECT_EQ(p.at("Raw"), "\xC3\xA9");
}

TEST(DecodeForm, empty_pairs_and_missing_values) {
  EXPECT_TRUE(decoded("").empty());
  EXPECT_TRUE(decoded("&").empty());
  EXPECT_TRUE(decoded("&&&").empty());
  const auto p = decoded("&a=1&&b=&c&=orphan&");
  EXPECT_EQ(p.at("a"), "1");
  EXPECT_EQ(p.at("b"), "");
  EXPECT_EQ(p.at("c"), "");
  EXPECT_EQ(p.at(""), "orphan");
  EXPECT_EQ(p.size(), 4u);
}

TEST(DecodeForm, only_the_first_equals_sign_splits) {
  const auto p = decoded("Policy=a=b=c");
  EXPECT_EQ(p.at("Policy"), "a=b=c");
}

TEST(DecodeForm, duplicate_names_last_one_wins) {
  const auto p = decoded("Action=A&Action=B");
  EXPECT_EQ(p.at("Action"), "B");
}

TEST(DecodeForm, malformed_escapes_are_malformed_query_strings) {
  for (std::string_view bad : {"a=%", "a=%4", "a=%zz", "a%=1", "a=1&b=%G1", "%=x"}) {
    auto r = decode_form(bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.error().code, "MalformedQueryString") << bad;
    EXPECT_EQ(r.error().http_status, 400);
    EXPECT_TRUE(r.error().sender_fault);
  }
}

TEST(DecodeForm, invalid_utf8_is_rejected_escaped_or_raw) {
  for (std::string_view bad : {"MessageBody=%FF", "MessageBody=%C3", "MessageBody=%ED%A0%80",
                               "Na%FFme=x", "MessageBody=\xFF"}) {
    auto r = decode_form(bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.error().code, "MalformedQueryString");
    EXPECT_NE(r.error().message.find("UTF-8"), std::string::npos);
  }
}

TEST(DecodeForm, nul_bytes_are_data_not_terminators) {
  const auto p = decoded("MessageBody=a%00b");
  EXPECT_EQ(p.at("MessageBody"), std::string("a\0b", 3));
}

}  // namespace
}  // namespace sluice::protocol
