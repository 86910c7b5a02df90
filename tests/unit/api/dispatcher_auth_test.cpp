// Dispatcher with --auth sigv4: requests signed as an SDK would (at the real time), and
// each authentication failure rendered in the request's protocol.
#include <algorithm>

#include <gtest/gtest.h>

#include "dispatch_test_util.hpp"
#include "fake_services.hpp"
#include "sluice/api/dispatcher.hpp"
#include "sluice/common/encoding.hpp"
#include "sluice/protocol/sigv4_verify.hpp"

namespace sluice::api {
namespace {

using namespace testing;

constexpr const char* kKey = "AKIDTEST";
constexpr const char* kSecret = "s3cret/key+";
constexpr const char* kAccount = "444455556666";

// "2026-11-24T21:55:38Z" -> "20261124T215538Z"
std::string amz_date(TimeMs t) {
  std::string out;
  for (char c : iso8601_s(t))
    if (c != '-' && c != ':') out.push_back(c);
  return out;
}

// Adds x-amz-date and an Authorization header the way botocore does.
void sign(HttpRequest& r, const std::string& service, const std::string& key = kKey,
          const std::string& secret = kSecret, TimeMs at = RealClock().now_ms()) {
  const std::string date = amz_date(at);
  r.headers.emplace_back("x-amz-date", date);
  std::string signed_headers;
  std::vector<std::string> names;
  for (const auto& [k, v] : r.headers)
    names.push_back(k);
  std::sort(names.begin(), names.end());
  names.erase(std::unique(names.begin(), names.end()), names.end());
  for (const auto& n : names)
    signed_headers += (signed_headers.empty() ? "" : ";") + n;
  const std::string canonical = protocol::sigv4_canonical_request(
      r.method, protocol::sigv4_canonical_uri(r.path), *protocol::sigv4_canonical_query(r.query),
      protocol::sigv4_canonical_headers(r.headers, signed_headers), signed_headers,
      sha256_hex(r.body));
  const std::string scope = date.substr(0, 8) + "/us-east-1/" + service + "/aws4_request";
  const std::string signature = protocol::sigv4_signature(
      protocol::sigv4_signing_key(secret, date.substr(0, 8), "us-east-1", service),
      protocol::sigv4_string_to_sign(date, scope, canonical));
  r.headers.emplace_back("authorization", "AWS4-HMAC-SHA256 Credential=" + key + "/" + scope +
                                              ", SignedHeaders=" + signed_headers +
                                              ", Signature=" + signature);
}

DispatcherOptions options(bool verify) {
  DispatcherOptions o{"us-east-1", "000000000000", "9.9.9", false};
  o.verify_signatures = verify;
  o.access_keys = {{kKey, kSecret, kAccount}};
  return o;
}

class DispatcherAuth : public ::testing::Test {
 protected:
  DispatcherAuth() : dispatcher_(options(true), clock_) {
    dispatcher_.add_service(alpha_service(seen_));
    dispatcher_.add_service(beta_service(seen_));
    dispatcher_.add_service(gamma_service(seen_));
  }
  HttpResponse send(HttpRequest r) { return dispatch(dispatcher_, std::move(r)); }
  Call seen_call() {
    std::lock_guard lock(seen_->mu);
    return seen_->call.value_or(Call{});
  }

  RealClock clock_;
  std::shared_ptr<Seen> seen_ = std::make_shared<Seen>();
  Dispatcher dispatcher_;
};

TEST_F(DispatcherAuth, signed_requests_pass_and_act_in_the_keys_account) {
  auto q = query_request("Action=BetaOnly&Version=2010-03-31");
  sign(q, "beta");
  auto r = send(q);
  EXPECT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(seen_call().account_id, kAccount);
  EXPECT_EQ(seen_call().access_key, kKey);

  auto j = json_request("GammaService.Describe", R"({"id": "x"})");
  sign(j, "gamma");
  r = send(j);
  EXPECT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(seen_call().account_id, kAccount);
}

TEST_F(DispatcherAuth, query_errors_are_403_xml_in_the_services_namespace) {
  auto unsigned_request = query_request("Action=BetaOnly&Version=2010-03-31");
  auto r = send(unsigned_request);
  EXPECT_EQ(r.status, 403);
  EXPECT_EQ(xml_text(r.body, "Code"), "MissingAuthenticationToken");
  EXPECT_NE(r.body.find("xmlns=\"http://beta.example.com/doc/2010-03-31/\""), std::string::npos);

  auto wrong = query_request("Action=BetaOnly&Version=2010-03-31");
  sign(wrong, "beta", kKey, "not-the-secret");
  r = send(wrong);
  EXPECT_EQ(r.status, 403);
  EXPECT_EQ(xml_text(r.body, "Code"), "SignatureDoesNotMatch");
  EXPECT_EQ(xml_text(r.body, "Type"), "Sender");

  auto unknown = query_request("Action=BetaOnly&Version=2010-03-31");
  sign(unknown, "beta", "AKIDNOBODY");
  r = send(unknown);
  EXPECT_EQ(r.status, 403);
  EXPECT_EQ(xml_text(r.body, "Code"), "InvalidClientTokenId");
  EXPECT_EQ(xml_text(r.body, "Message"), "The security token included in the request is invalid.");

  auto old = query_request("Action=BetaOnly&Version=2010-03-31");
  sign(old, "beta", kKey, kSecret, RealClock().now_ms() - 16 * 60 * 1000);
  r = send(old);
  EXPECT_EQ(r.status, 403);
  EXPECT_EQ(xml_text(r.body, "Code"), "SignatureDoesNotMatch");
  EXPECT_EQ(xml_text(r.body, "Message").rfind("Signature expired: ", 0), 0u) << r.body;
}

TEST_F(DispatcherAuth, query_compatible_json_errors_carry_the_query_code) {
  auto wrong = json_request("Alpha.Echo", R"({"Name": "x"})");
  sign(wrong, "alpha", kKey, "not-the-secret");
  auto r = send(wrong);
  EXPECT_EQ(r.status, 403);
  EXPECT_EQ(Json::parse(r.body)["__type"], "com.amazon.coral.service#SignatureDoesNotMatch");
  EXPECT_EQ(header_or(r, "x-amzn-query-error"), "SignatureDoesNotMatch;Sender");

  auto unknown = json_request("Alpha.Echo", R"({"Name": "x"})");
  sign(unknown, "alpha", "AKIDNOBODY");
  r = send(unknown);
  EXPECT_EQ(r.status, 403);
  EXPECT_EQ(header_or(r, "x-amzn-query-error"), "InvalidClientTokenId;Sender");
}

TEST_F(DispatcherAuth, coral_json_errors_are_400_with_coral_names) {
  auto none = json_request("GammaService.Describe", R"({"id": "x"})");
  auto r = send(none);
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(Json::parse(r.body)["__type"],
            "com.amazon.coral.service#MissingAuthenticationTokenException");

  auto wrong = json_request("GammaService.Describe", R"({"id": "x"})");
  sign(wrong, "gamma", kKey, "not-the-secret");
  r = send(wrong);
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(Json::parse(r.body)["__type"], "com.amazon.coral.service#InvalidSignatureException");
  EXPECT_EQ(header_or(r, "x-amzn-query-error"), "<absent>");

  auto unknown = json_request("GammaService.Describe", R"({"id": "x"})");
  sign(unknown, "gamma", "AKIDNOBODY");
  r = send(unknown);
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(Json::parse(r.body)["__type"], "com.amazon.coral.service#UnrecognizedClientException");

  // Signed correctly, but for another service than the one addressed.
  auto scoped = json_request("GammaService.Describe", R"({"id": "x"})");
  sign(scoped, "alpha");
  r = send(scoped);
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(Json::parse(r.body)["message"],
            "Credential should be scoped to correct service: 'gamma'. ");
}

TEST_F(DispatcherAuth, authentication_comes_before_operation_checks) {
  auto r = send(json_request("GammaService.NoSuchOperation", "{}"));
  EXPECT_EQ(Json::parse(r.body)["__type"],
            "com.amazon.coral.service#MissingAuthenticationTokenException");
  r = send(query_request("Version=2010-03-31"));
  EXPECT_EQ(xml_text(r.body, "Code"), "MissingAuthenticationToken");
}

TEST_F(DispatcherAuth, admin_routes_are_not_checked) {
  EXPECT_EQ(send(make_request("GET", "/_sluice/health")).status, 200);
  EXPECT_EQ(send(make_request("GET", "/_localstack/health")).status, 200);
}

TEST(DispatcherAuthOff, known_keys_still_choose_the_account_without_verification) {
  RealClock clock;
  auto seen = std::make_shared<Seen>();
  Dispatcher d(options(false), clock);
  d.add_service(beta_service(seen));
  auto q = query_request("Action=BetaOnly&Version=2010-03-31");
  q.headers.emplace_back("authorization", sigv4(kKey, "us-east-1", "beta"));
  EXPECT_EQ(dispatch(d, q).status, 200);
  EXPECT_EQ(seen->call->account_id, kAccount);
  // Anyone else: the 12-digit rule, signatures unchecked.
  auto other = query_request("Action=BetaOnly&Version=2010-03-31");
  other.headers.emplace_back("authorization", sigv4("123456789012", "us-east-1", "beta"));
  EXPECT_EQ(dispatch(d, other).status, 200);
  EXPECT_EQ(seen->call->account_id, "123456789012");
}

}  // namespace
}  // namespace sluice::api
