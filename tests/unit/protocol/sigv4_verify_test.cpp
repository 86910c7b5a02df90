// SigV4 verification: canonical request pieces, the signing key, and whole requests
// signed by botocore 1.29 (SigV4Auth / SigV4QueryAuth at a fixed time) as vectors.
#include "sluice/protocol/sigv4_verify.hpp"

#include <gtest/gtest.h>

#include "sluice/common/encoding.hpp"

namespace sluice::protocol {
namespace {

using Headers = std::vector<std::pair<std::string, std::string>>;

constexpr const char* kSecret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
// 2026-11-24T21:55:38Z, the time the botocore vectors were signed at.
const TimeMs kSignedAt = *parse_iso8601("2026-11-24T21:55:38Z");

SigV4Verifier verifier() {
  return SigV4Verifier({{"AKIDEXAMPLE", kSecret, "111122223333"}});
}

struct Req {
  std::string method = "POST";
  std::string path = "/";
  std::string query;
  Headers headers;
  std::string body;
  SigV4Request view() const { return {method, path, query, &headers, body}; }
};

// botocore: POST an SQS Query SendMessage to a queue URL path, signed for eu-west-1.
Req botocore_post() {
  Req r;
  r.path = "/000000000000/my-queue";
  r.body = "Action=SendMessage&MessageBody=hello%20world&Version=2012-11-05";
  r.headers = {
      {"host", "localhost:4566"},
      {"content-type", "application/x-www-form-urlencoded; charset=utf-8"},
      {"x-amz-date", "20261124T215538Z"},
      {"authorization",
       "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261124/eu-west-1/sqs/aws4_request, "
       "SignedHeaders=content-type;host;x-amz-date, "
       "Signature=f7139b191524907556fd4c2804dd258ea8b3d0d463b284273e69871af09ae638"},
  };
  return r;
}

TEST(SigV4Canonical, uri_is_normalised_and_encoded_again) {
  EXPECT_EQ(sigv4_canonical_uri(""), "/");
  EXPECT_EQ(sigv4_canonical_uri("/"), "/");
  EXPECT_EQ(sigv4_canonical_uri("/000000000000/q.fifo"), "/000000000000/q.fifo");
  // The path arrives encoded once; AWS (non-S3) signs it encoded twice.
  EXPECT_EQ(sigv4_canonical_uri("/a%20b/./c//d/"), "/a%2520b/c/d/");
  EXPECT_EQ(sigv4_canonical_uri("/a/b/../c"), "/a/c");
  EXPECT_EQ(sigv4_canonical_uri("/~x_y-z.1"), "/~x_y-z.1");
  EXPECT_EQ(sigv4_canonical_uri("/a:b"), "/a%3Ab");
}

TEST(SigV4Canonical, query_is_decoded_reencoded_and_sorted) {
  EXPECT_EQ(*sigv4_canonical_query(""), "");
  EXPECT_EQ(
      *sigv4_canonical_query("Version=2012-11-05&Action=ListQueues&QueueNamePrefix=x%2By%20z"),
      "Action=ListQueues&QueueNamePrefix=x%2By%20z&Version=2012-11-05");
  // Same name: sorted by value; no '=': an empty value; unreserved escapes decoded.
  EXPECT_EQ(*sigv4_canonical_query("b=2&a&b=1&%7Ec=%41"), "a=&b=1&b=2&~c=A");
  EXPECT_EQ(*sigv4_canonical_query("X-Amz-Signature=abc&a=1", "X-Amz-Signature"), "a=1");
  EXPECT_FALSE(sigv4_canonical_query("a=%zz").has_value());
}

TEST(SigV4Canonical, headers_trimmed_collapsed_and_repeated_values_joined) {
  const Headers headers = {{"host", "example.com"},
                           {"x-amz-meta", "  a   b \t c  "},
                           {"x-multi", "one"},
                           {"x-multi", " two "},
                           {"x-unsigned", "ignored"}};
  EXPECT_EQ(sigv4_canonical_headers(headers, "host;x-amz-meta;x-multi"),
            "host:example.com\nx-amz-meta:a b c\nx-multi:one,two\n");
}

TEST(SigV4Canonical, signing_key_matches_aws_published_derivation) {
  // AWS's documented example: secret wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY, 20120215,
  // us-east-1, iam.
  EXPECT_EQ(hex_encode(sigv4_signing_key(kSecret, "20120215", "us-east-1", "iam")),
            "f4780e2d9f65fa895f9c67b32ce1baf0b0d8a43505a000a1a9e090d414db404d");
}

TEST(SigV4Canonical, canonical_request_and_string_to_sign_of_a_botocore_request) {
  const Req r = botocore_post();
  const std::string signed_headers = "content-type;host;x-amz-date";
  const std::string canonical = sigv4_canonical_request(
      r.method, sigv4_canonical_uri(r.path), *sigv4_canonical_query(r.query),
      sigv4_canonical_headers(r.headers, signed_headers), signed_headers, sha256_hex(r.body));
  EXPECT_EQ(canonical,
            "POST\n/000000000000/my-queue\n\n"
            "content-type:application/x-www-form-urlencoded; charset=utf-8\n"
            "host:localhost:4566\nx-amz-date:20261124T215538Z\n\n"
            "content-type;host;x-amz-date\n" +
                sha256_hex(r.body));
  const std::string to_sign =
      sigv4_string_to_sign("20261124T215538Z", "20261124/eu-west-1/sqs/aws4_request", canonical);
  EXPECT_EQ(to_sign.substr(0, to_sign.rfind('\n')),
            "AWS4-HMAC-SHA256\n20261124T215538Z\n20261124/eu-west-1/sqs/aws4_request");
  EXPECT_EQ(sigv4_signature(sigv4_signing_key(kSecret, "20261124", "eu-west-1", "sqs"), to_sign),
            "f7139b191524907556fd4c2804dd258ea8b3d0d463b284273e69871af09ae638");
}

TEST(SigV4Verify, botocore_header_signature_is_accepted) {
  const auto v = verifier();
  const Req r = botocore_post();
  auto out = v.verify(r.view(), kSignedAt + 60'000);
  ASSERT_FALSE(out.error.has_value()) << out.error->message << "\n" << out.error->detail;
  EXPECT_EQ(out.access_key, "AKIDEXAMPLE");
  EXPECT_EQ(out.account_id, "111122223333");
  EXPECT_EQ(out.region, "eu-west-1");
  EXPECT_EQ(out.service, "sqs");
}

TEST(SigV4Verify, botocore_get_with_query_and_odd_path_is_accepted) {
  const auto v = verifier();
  Req r;
  r.method = "GET";
  r.path = "/a%20b/./c//d/";
  r.query = "Version=2012-11-05&Action=ListQueues&QueueNamePrefix=x%2By%20z";
  r.headers = {{"host", "127.0.0.1:4566"},
               {"x-amz-date", "20261124T215538Z"},
               {"authorization",
                "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261124/us-east-1/sqs/aws4_request, "
                "SignedHeaders=host;x-amz-date, "
                "Signature=41470cd490491fa8539de1b3d254743efc09f7fa8b762e7e20b163f0b2c8d829"}};
  auto out = v.verify(r.view(), kSignedAt);
  EXPECT_FALSE(out.error.has_value()) << out.error->detail;
}

TEST(SigV4Verify, anything_signed_that_changes_fails_with_a_mismatch) {
  const auto v = verifier();
  auto expect_mismatch = [&](Req r) {
    auto out = v.verify(r.view(), kSignedAt);
    ASSERT_TRUE(out.error.has_value());
    EXPECT_EQ(out.error->kind, AuthFailure::kSignatureMismatch);
    EXPECT_EQ(out.error->message,
              "The request signature we calculated does not match the signature you provided. "
              "Check your AWS Secret Access Key and signing method. Consult the service "
              "documentation for details.");
  };
  Req body = botocore_post();
  body.body += "&DelaySeconds=1";
  expect_mismatch(body);
  Req path = botocore_post();
  path.path = "/000000000000/other-queue";
  expect_mismatch(path);
  Req host = botocore_post();
  host.headers[0].second = "localhost:4567";
  expect_mismatch(host);
  Req method = botocore_post();
  method.method = "PUT";
  expect_mismatch(method);
  // The same request checked against another secret.
  const SigV4Verifier other({{"AKIDEXAMPLE", "not-the-secret", "111122223333"}});
  Req r = botocore_post();
  auto out = other.verify(r.view(), kSignedAt);
  ASSERT_TRUE(out.error.has_value());
  EXPECT_EQ(out.error->kind, AuthFailure::kSignatureMismatch);
  // An unsigned header may change freely.
  Req unsigned_header = botocore_post();
  unsigned_header.headers.emplace_back("user-agent", "anything");
  EXPECT_FALSE(v.verify(unsigned_header.view(), kSignedAt).error.has_value());
}

TEST(SigV4Verify, unknown_access_key) {
  const SigV4Verifier v({{"SOMEONEELSE", kSecret, "111122223333"}});
  Req r = botocore_post();
  auto out = v.verify(r.view(), kSignedAt);
  ASSERT_TRUE(out.error.has_value());
  EXPECT_EQ(out.error->kind, AuthFailure::kUnknownKey);
  EXPECT_EQ(out.error->message, "The security token included in the request is invalid.");
}

TEST(SigV4Verify, fifteen_minutes_either_side_of_the_server_clock) {
  const auto v = verifier();
  const Req r = botocore_post();
  EXPECT_FALSE(v.verify(r.view(), kSignedAt + SigV4Verifier::kMaxSkewMs).error.has_value());
  EXPECT_FALSE(v.verify(r.view(), kSignedAt - SigV4Verifier::kMaxSkewMs).error.has_value());
  auto late = v.verify(r.view(), kSignedAt + SigV4Verifier::kMaxSkewMs + 1000);
  ASSERT_TRUE(late.error.has_value());
  EXPECT_EQ(late.error->kind, AuthFailure::kSkewed);
  EXPECT_EQ(late.error->message,
            "Signature expired: 20261124T215538Z is now earlier than 20261124T215539Z "
            "(20261124T221039Z - 15 min.)");
  auto early = v.verify(r.view(), kSignedAt - SigV4Verifier::kMaxSkewMs - 1000);
  ASSERT_TRUE(early.error.has_value());
  EXPECT_EQ(early.error->kind, AuthFailure::kSkewed);
  EXPECT_EQ(early.error->message,
            "Signature not yet current: 20261124T215538Z is still later than 20261124T215537Z "
            "(20261124T214037Z + 15 min.)");
}

TEST(SigV4Verify, missing_and_incomplete_signatures) {
  const auto v = verifier();
  Req none;
  none.headers = {{"host", "localhost"}};
  auto out = v.verify(none.view(), kSignedAt);
  ASSERT_TRUE(out.error.has_value());
  EXPECT_EQ(out.error->kind, AuthFailure::kMissing);

  Req no_date = botocore_post();
  no_date.headers.erase(no_date.headers.begin() + 2);
  out = v.verify(no_date.view(), kSignedAt);
  ASSERT_TRUE(out.error.has_value());
  EXPECT_EQ(out.error->kind, AuthFailure::kIncomplete);

  Req no_signature = botocore_post();
  no_signature.headers[3].second =
      "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261124/eu-west-1/sqs/aws4_request, "
      "SignedHeaders=content-type;host;x-amz-date";
  out = v.verify(no_signature.view(), kSignedAt);
  ASSERT_TRUE(out.error.has_value());
  EXPECT_EQ(out.error->kind, AuthFailure::kIncomplete);
  EXPECT_NE(out.error->message.find("requires 'Signature' parameter"), std::string::npos);

  Req sigv2 = botocore_post();
  sigv2.headers[3].second = "AWS AKIDEXAMPLE:c2lnbmF0dXJl";
  out = v.verify(sigv2.view(), kSignedAt);
  ASSERT_TRUE(out.error.has_value());
  EXPECT_EQ(out.error->kind, AuthFailure::kIncomplete);
}

TEST(SigV4Verify, credential_date_must_be_the_x_amz_date_day) {
  const auto v = verifier();
  Req r = botocore_post();
  r.headers[2].second = "20261125T000100Z";
  auto out = v.verify(r.view(), *parse_iso8601("2026-11-25T00:01:00Z"));
  ASSERT_TRUE(out.error.has_value());
  EXPECT_EQ(out.error->kind, AuthFailure::kSignatureMismatch);
  EXPECT_NE(out.error->message.find("Date in Credential scope does not match"), std::string::npos);
}

// Signs `r` as a client would, with x-amz-content-sha256 among the signed headers.
void sign_with_content_sha(Req& r, const std::string& content_sha) {
  const std::string signed_headers = "host;x-amz-content-sha256;x-amz-date";
  r.headers = {{"host", "localhost:4566"},
               {"x-amz-content-sha256", content_sha},
               {"x-amz-date", "20261124T215538Z"}};
  const std::string canonical = sigv4_canonical_request(
      r.method, sigv4_canonical_uri(r.path), *sigv4_canonical_query(r.query),
      sigv4_canonical_headers(r.headers, signed_headers), signed_headers, content_sha);
  const std::string sig = sigv4_signature(
      sigv4_signing_key(kSecret, "20261124", "us-east-1", "sqs"),
      sigv4_string_to_sign("20261124T215538Z", "20261124/us-east-1/sqs/aws4_request", canonical));
  r.headers.emplace_back("authorization",
                         "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261124/us-east-1/sqs/"
                         "aws4_request, SignedHeaders=" +
                             signed_headers + ", Signature=" + sig);
}

TEST(SigV4Verify, x_amz_content_sha256_forms) {
  const auto v = verifier();
  Req hashed;
  hashed.body = "Action=ListQueues";
  sign_with_content_sha(hashed, sha256_hex(hashed.body));
  EXPECT_FALSE(v.verify(hashed.view(), kSignedAt).error.has_value());
  // The declared hash no longer matches the body.
  hashed.body = "Action=ListQueuez";
  auto out = v.verify(hashed.view(), kSignedAt);
  ASSERT_TRUE(out.error.has_value());
  EXPECT_EQ(out.error->kind, AuthFailure::kSignatureMismatch);

  Req unsigned_payload;
  unsigned_payload.body = "Action=ListQueues";
  sign_with_content_sha(unsigned_payload, "UNSIGNED-PAYLOAD");
  EXPECT_FALSE(v.verify(unsigned_payload.view(), kSignedAt).error.has_value());

  Req chunked;
  sign_with_content_sha(chunked, "STREAMING-AWS4-HMAC-SHA256-PAYLOAD");
  out = v.verify(chunked.view(), kSignedAt);
  ASSERT_TRUE(out.error.has_value());
  EXPECT_EQ(out.error->kind, AuthFailure::kUnsupported);
}

// botocore SigV4QueryAuth(expires=300): a presigned ListQueues.
Req botocore_presigned() {
  Req r;
  r.method = "GET";
  r.query =
      "Action=ListQueues&Version=2012-11-05&X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential="
      "AKIDEXAMPLE%2F20261124%2Fus-east-1%2Fsqs%2Faws4_request&X-Amz-Date=20261124T215538Z&X-"
      "Amz-Expires=300&X-Amz-SignedHeaders=host&X-Amz-Signature="
      "943e02bdb6557668128fd4d2ac4d196f061c81c4686c1035e02010e15cd68a57";
  r.headers = {{"host", "127.0.0.1:4566"}};
  return r;
}

TEST(SigV4Verify, botocore_presigned_url) {
  const auto v = verifier();
  Req r = botocore_presigned();
  auto out = v.verify(r.view(), kSignedAt + 299'000);
  ASSERT_FALSE(out.error.has_value()) << out.error->message << "\n" << out.error->detail;
  EXPECT_EQ(out.account_id, "111122223333");

  out = v.verify(r.view(), kSignedAt + 301'000);
  ASSERT_TRUE(out.error.has_value());
  EXPECT_EQ(out.error->kind, AuthFailure::kPresignExpired);

  Req tampered = botocore_presigned();
  tampered.query.replace(tampered.query.find("ListQueues"), 10, "ListQueuez");
  out = v.verify(tampered.view(), kSignedAt);
  ASSERT_TRUE(out.error.has_value());
  EXPECT_EQ(out.error->kind, AuthFailure::kSignatureMismatch);

  Req partial = botocore_presigned();
  partial.query = partial.query.substr(0, partial.query.find("&X-Amz-Signature"));
  out = v.verify(partial.view(), kSignedAt);
  ASSERT_TRUE(out.error.has_value());
  EXPECT_EQ(out.error->kind, AuthFailure::kIncomplete);
}

TEST(SigV4Verify, amz_date_parsing) {
  EXPECT_EQ(parse_amz_date("20261124T215538Z"), kSignedAt);
  for (const char* bad : {"", "2026-11-24T21:55:38Z", "20261124T215538", "20261124X215538Z",
                          "2026112aT215538Z", "20261124T215538ZZ"})
    EXPECT_FALSE(parse_amz_date(bad).has_value()) << bad;
}

}  // namespace
}  // namespace sluice::protocol
