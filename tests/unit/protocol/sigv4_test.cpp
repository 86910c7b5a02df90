#include "sluice/protocol/sigv4.hpp"

#include <gtest/gtest.h>

namespace sluice::protocol {
namespace {

TEST(SigV4, authorization_header_as_sdks_send_it) {
  auto s = parse_sigv4_authorization(
      "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261124/eu-west-1/sqs/aws4_request, "
      "SignedHeaders=content-type;host;x-amz-date, "
      "Signature=5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7");
  ASSERT_TRUE(s.has_value());
  EXPECT_EQ(s->access_key, "AKIDEXAMPLE");
  EXPECT_EQ(s->date, "20261124");
  EXPECT_EQ(s->region, "eu-west-1");
  EXPECT_EQ(s->service, "sqs");
  EXPECT_EQ(s->signed_headers, "content-type;host;x-amz-date");
  EXPECT_EQ(s->signature, "5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7");
}

TEST(SigV4, authorization_header_spacing_and_order_vary) {
  auto s = parse_sigv4_authorization(
      "  AWS4-HMAC-SHA256   Signature=abc,SignedHeaders=host,"
      "Credential=test/20260101/us-east-1/states/aws4_request  ");
  ASSERT_TRUE(s.has_value());
  EXPECT_EQ(s->service, "states");
  EXPECT_EQ(s->signature, "abc");
  EXPECT_EQ(s->signed_headers, "host");
}

TEST(SigV4, malformed_authorization_headers) {
  for (const char* bad : {
           "",
           "Basic dXNlcjpwYXNz",
           "AWS4-HMAC-SHA256",
           "AWS4-HMAC-SHA256 ",
           "AWS4-HMAC-SHA256Credential=a/b/c/d/aws4_request",
           "AWS4-HMAC-SHA512 Credential=a/20260101/us-east-1/sqs/aws4_request",
           "AWS4-HMAC-SHA256 SignedHeaders=host, Signature=abc",  // no credential
           "AWS4-HMAC-SHA256 Credential, SignedHeaders=host",     // no '='
           "AWS4-HMAC-SHA256 Credential=a/20260101/us-east-1/sqs",
           "AWS4-HMAC-SHA256 Credential=a/20260101/us-east-1/sqs/aws5_request",
       }) {
    EXPECT_FALSE(parse_sigv4_authorization(bad).has_value()) << bad;
  }
}

TEST(SigV4, credential_query_parameter_form) {
  auto s = parse_sigv4_credential("123456789012/20261124/ap-south-1/sns/aws4_request");
  ASSERT_TRUE(s.has_value());
  EXPECT_EQ(s->access_key, "123456789012");
  EXPECT_EQ(s->date, "20261124");
  EXPECT_EQ(s->region, "ap-south-1");
  EXPECT_EQ(s->service, "sns");
  EXPECT_TRUE(s->signature.empty());
}

TEST(SigV4, malformed_credentials) {
  for (const char* bad : {
           "",
           "AKID",
           "AKID/20260101/us-east-1/sqs",
           "/20260101/us-east-1/sqs/aws4_request",  // no access key
           "AKID/20260101/us-east-1/sqs/aws4_request/",
           "AKID/20260101/us-east-1/sqs/aws4_request/extra",
           "AKID/20260101/us-east-1/sqs/extra/aws4_request",
           "AKID/20260101/us-east-1/sqs/AWS4_REQUEST",
       }) {
    EXPECT_FALSE(parse_sigv4_credential(bad).has_value()) << bad;
  }
}

TEST(SigV4, twelve_digit_access_key_is_the_account) {
  EXPECT_EQ(account_for_access_key("123456789012", "000000000000"), "123456789012");
  EXPECT_EQ(account_for_access_key("test", "000000000000"), "000000000000");
  EXPECT_EQ(account_for_access_key("AKIAIOSFODNN7EXAMPLE", "111111111111"), "111111111111");
  EXPECT_EQ(account_for_access_key("12345678901", "000000000000"), "000000000000");
  EXPECT_EQ(account_for_access_key("1234567890123", "000000000000"), "000000000000");
  EXPECT_EQ(account_for_access_key("12345678901a", "000000000000"), "000000000000");
  EXPECT_EQ(account_for_access_key("", "000000000000"), "000000000000");
}

}  // namespace
}  // namespace sluice::protocol
