// Dispatcher: service and protocol detection, input decoding, errors per protocol.
#include <gtest/gtest.h>

#include "dispatch_test_util.hpp"
#include "fake_services.hpp"
#include "sluice/api/dispatcher.hpp"

namespace sluice::api {
namespace {

using namespace testing;

class DispatcherRouting : public ::testing::Test {
 protected:
  DispatcherRouting()
      : dispatcher_(DispatcherOptions{"us-east-1", "000000000000", "9.9.9", false}, clock_) {
    dispatcher_.add_service(alpha_service(seen_));
    dispatcher_.add_service(beta_service(seen_));
    dispatcher_.add_service(gamma_service(seen_));
  }

  HttpResponse send(HttpRequest r) { return dispatch(dispatcher_, std::move(r)); }
  std::string seen_service() {
    std::lock_guard lock(seen_->mu);
    return seen_->service;
  }
  Call seen_call() {
    std::lock_guard lock(seen_->mu);
    return seen_->call.value_or(Call{});
  }
  Json seen_input() {
    std::lock_guard lock(seen_->mu);
    return seen_->input;
  }

  // Checks the AWS Query error shape and returns the code.
  static std::string query_error_code(const HttpResponse& r) {
    EXPECT_EQ(r.content_type, "text/xml");
    EXPECT_NE(r.body.find("<ErrorResponse"), std::string::npos) << r.body;
    EXPECT_EQ(xml_text(r.body, "RequestId"), header_or(r, "x-amzn-RequestId")) << r.body;
    return xml_text(r.body, "Code");
  }
  // Checks the AWS JSON error shape and returns __type.
  static std::string json_error_type(const HttpResponse& r) {
    auto body = Json::parse(r.body, nullptr, false);
    EXPECT_TRUE(body.is_object()) << r.body;
    if (!body.is_object()) return {};
    EXPECT_TRUE(body.contains("message")) << r.body;
    EXPECT_NE(header_or(r, "x-amzn-RequestId"), "<absent>");
    return body.value("__type", "<absent>");
  }

  RealClock clock_;
  std::shared_ptr<Seen> seen_ = std::make_shared<Seen>();
  Dispatcher dispatcher_;
};

TEST_F(DispatcherRouting, json_target_selects_service_and_operation) {
  auto req = json_request("Alpha.Echo", R"({"Name": "n", "Count": 3, "Labels": {"a": "b"}})");
  req.headers.emplace_back("authorization", sigv4("123456789012", "eu-west-1", "alpha"));
  const auto r = send(req);
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.content_type, "application/x-amz-json-1.0");
  EXPECT_EQ(Json::parse(r.body), Json::parse(R"({"Name": "n", "Count": 3, "Labels": {"a": "b"}})"));
  EXPECT_EQ(seen_service(), "alpha");
  const Call call = seen_call();
  EXPECT_EQ(call.operation, "Echo");
  EXPECT_EQ(call.region, "eu-west-1");
  EXPECT_EQ(call.account_id, "123456789012");
  EXPECT_EQ(call.access_key, "123456789012");
  EXPECT_EQ(call.host, "localhost:4566");
  EXPECT_EQ(call.request_id, header_or(r, "x-amzn-RequestId"));
}

TEST_F(DispatcherRouting, unsigned_requests_use_the_default_region_and_account) {
  const auto r = send(json_request("Alpha.Echo", R"({"Name": "n"})"));
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(seen_call().region, "us-east-1");
  EXPECT_EQ(seen_call().account_id, "000000000000");
  auto signed_req = json_request("Alpha.Echo", R"({"Name": "n"})");
  signed_req.headers.emplace_back("authorization", sigv4("test", "ap-south-1", "alpha"));
  send(signed_req);
  EXPECT_EQ(seen_call().region, "ap-south-1");
  EXPECT_EQ(seen_call().account_id, "000000000000");
  EXPECT_EQ(seen_call().access_key, "test");
}

TEST_F(DispatcherRouting, query_form_body_action_with_golden_xml) {
  const auto r = send(query_request(
      "Action=Echo&Version=2020-01-01&Name=n%26m&Count=3&Label.1.Name=a&Label.1.Value=%3Cb%3E"));
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.content_type, "text/xml");
  const std::string id = header_or(r, "x-amzn-RequestId");
  EXPECT_EQ(
      r.body,
      "<?xml version=\"1.0\"?><EchoResponse xmlns=\"http://alpha.example.com/doc/2020-01-01/\">"
      "<EchoResult><Name>n&amp;m</Name><Count>3</Count>"
      "<Label><Name>a</Name><Value>&lt;b&gt;</Value></Label></EchoResult>"
      "<ResponseMetadata><RequestId>" +
          id + "</RequestId></ResponseMetadata></EchoResponse>");
  EXPECT_EQ(seen_input(), Json::parse(R"({"Name": "n&m", "Count": 3, "Labels": {"a": "<b>"}})"));
}

TEST_F(DispatcherRouting, query_get_query_string) {
  const auto r = send(make_request("GET", "/?Action=Echo&Version=2020-01-01&Name=from-get"));
  EXPECT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(seen_input()["Name"], "from-get");
}

TEST_F(DispatcherRouting, query_body_overrides_the_query_string) {
  const auto r = send(query_request("Action=Echo&Name=body", "/?Name=query&Count=2"));
  EXPECT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(seen_input(), Json::parse(R"({"Name": "body", "Count": 2})"));
}

TEST_F(DispatcherRouting, sigv4_scope_service_picks_among_services_sharing_an_action) {
  auto to_beta = query_request("Action=Shared");
  to_beta.headers.emplace_back("authorization", sigv4("test", "us-east-1", "beta"));
  EXPECT_EQ(send(to_beta).status, 200);
  EXPECT_EQ(seen_service(), "beta");
  auto to_alpha = query_request("Action=Shared");
  to_alpha.headers.emplace_back("authorization", sigv4("test", "us-east-1", "alpha"));
  send(to_alpha);
  EXPECT_EQ(seen_service(), "alpha");
  // Presigned form: X-Amz-Credential in the query string.
  send(make_request("GET",
                    "/?Action=Shared&X-Amz-Credential=test%2F20261124%2Fus-east-1%2Fbeta"
                    "%2Faws4_request&X-Amz-Signature=abc"));
  EXPECT_EQ(seen_service(), "beta");
}

TEST_F(DispatcherRouting, query_version_picks_the_service) {
  send(query_request("Action=Shared&Version=2010-03-31"));
  EXPECT_EQ(seen_service(), "beta");
  send(query_request("Action=Shared&Version=2020-01-01"));
  EXPECT_EQ(seen_service(), "alpha");
}

TEST_F(DispatcherRouting, an_action_only_one_service_has_picks_it) {
  EXPECT_EQ(send(query_request("Action=BetaOnly")).status, 200);
  EXPECT_EQ(seen_service(), "beta");
  // No Version, no signature: the action alone decides.
  EXPECT_EQ(send(query_request("Action=Echo&Name=x")).status, 200);
  EXPECT_EQ(seen_service(), "alpha");
}

TEST_F(DispatcherRouting, a_request_signed_for_a_service_we_do_not_run_is_not_misrouted) {
  // `Shared` exists in alpha and beta; a request signed for "sns" (not running here)
  // must not land on either just because the action name matches.
  for (const char* scope : {"sns", "states", "gamma"}) {
    auto req = query_request("Action=Shared");
    req.headers.emplace_back("authorization", sigv4("test", "us-east-1", scope));
    const auto r = send(req);
    EXPECT_EQ(r.status, 400) << scope;
    EXPECT_EQ(query_error_code(r), "InvalidAction") << scope;
  }
  // A scope naming no AWS service at all is ignored; the action still routes.
  auto odd = query_request("Action=BetaOnly");
  odd.headers.emplace_back("authorization", sigv4("test", "us-east-1", "custom"));
  EXPECT_EQ(send(odd).status, 200);
}

TEST_F(DispatcherRouting, unknown_query_action_is_invalid_action) {
  const auto r = send(query_request("Action=ListTopics&Version=2010-03-31"));
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(query_error_code(r), "InvalidAction");
  EXPECT_EQ(xml_text(r.body, "Message"),
            "The action ListTopics is not valid for this web service.");
  EXPECT_EQ(xml_text(r.body, "Type"), "Sender");
  // Known service (by Version), unknown action: the service's namespace is on the error.
  const auto in_alpha = send(query_request("Action=Nope&Version=2020-01-01"));
  EXPECT_EQ(query_error_code(in_alpha), "InvalidAction");
  EXPECT_NE(in_alpha.body.find("xmlns=\"http://alpha.example.com/doc/2020-01-01/\""),
            std::string::npos);
}

TEST_F(DispatcherRouting, missing_action) {
  for (auto req : {query_request(""), query_request("Action="), query_request("Name=x"),
                   make_request("GET", "/")}) {
    const auto r = send(req);
    EXPECT_EQ(r.status, 400);
    EXPECT_EQ(query_error_code(r), "MissingAction");
  }
}

TEST_F(DispatcherRouting, malformed_form_encoding_is_malformed_query_string) {
  for (auto req : {query_request("Action=Echo&Name=%zz"), query_request("Action=Echo&Name=%FF"),
                   make_request("GET", "/?Action=%")}) {
    const auto r = send(req);
    EXPECT_EQ(r.status, 400);
    EXPECT_EQ(query_error_code(r), "MalformedQueryString");
  }
}

TEST_F(DispatcherRouting, query_missing_required_member_is_missing_parameter) {
  const auto r = send(query_request("Action=Echo&Version=2020-01-01&Count=1"));
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(query_error_code(r), "MissingParameter");
  EXPECT_EQ(xml_text(r.body, "Message"), "The request must contain the parameter Name.");
}

TEST_F(DispatcherRouting, query_type_error_is_invalid_parameter_value) {
  const auto r = send(query_request("Action=Echo&Version=2020-01-01&Name=n&Count=many"));
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(query_error_code(r), "InvalidParameterValue");
}

TEST_F(DispatcherRouting, unknown_json_target_is_unknown_operation) {
  for (const char* target : {"Alpha.Nope", "Nowhere.ListThings", "NoDotAtAll", ""}) {
    const auto r = send(json_request(target, "{}"));
    EXPECT_EQ(r.status, 400) << target;
    EXPECT_EQ(json_error_type(r), "com.amazon.coral.service#UnknownOperationException") << target;
  }
}

TEST_F(DispatcherRouting, json_content_type_without_a_target_is_an_unknown_json_operation) {
  // AWS JSON clients always send X-Amz-Target; without it the request is still JSON and
  // gets a JSON error, not a Query MissingAction XML document the SDK cannot parse.
  auto req = make_request("POST", "/", "{}");
  req.headers.emplace_back("content-type", "application/x-amz-json-1.0");
  const auto r = send(req);
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(json_error_type(r), "com.amazon.coral.service#UnknownOperationException");
}

TEST_F(DispatcherRouting, json_missing_member_is_missing_parameter_for_query_compatible_services) {
  const auto r = send(json_request("Alpha.Echo", R"({"Count": 1})"));
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(json_error_type(r), "com.amazonaws.alpha#MissingParameter");
  EXPECT_EQ(Json::parse(r.body)["message"], "The request must contain the parameter Name.");
  EXPECT_EQ(header_or(r, "x-amzn-query-error"), "MissingParameter;Sender");
}

TEST_F(DispatcherRouting, json_missing_member_is_validation_exception_for_coral_services) {
  const auto r = send(json_request("GammaService.Describe", R"({"items": [{"k": "a"}, {}]})"));
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(json_error_type(r), "com.amazon.coral.validate#ValidationException");
  EXPECT_EQ(Json::parse(r.body)["message"],
            "1 validation error detected: Value null at 'id' failed to satisfy constraint: "
            "Member must not be null");
  EXPECT_EQ(header_or(r, "x-amzn-query-error"), "<absent>");
  const auto nested = send(json_request("GammaService.Describe", R"({"id": "x", "items": [{}]})"));
  EXPECT_EQ(Json::parse(nested.body)["message"],
            "1 validation error detected: Value null at 'items[0].k' failed to satisfy "
            "constraint: Member must not be null");
}

TEST_F(DispatcherRouting, bad_json_bodies_are_serialization_exceptions) {
  for (const char* body :
       {"{", "not json", "[1, 2]", "\"text\"", "null", "{\"Name\": \"\xFF\"}", R"({"Name": 5})",
        R"({"Name": "n", "Count": "3"})", R"({"Name": "n", "Labels": ["a"]})"}) {
    const auto r = send(json_request("Alpha.Echo", body));
    EXPECT_EQ(r.status, 400) << body;
    EXPECT_EQ(json_error_type(r), "com.amazon.coral.service#SerializationException") << body;
    EXPECT_EQ(header_or(r, "x-amzn-query-error"), "SerializationException;Sender") << body;
  }
}

TEST_F(DispatcherRouting, empty_json_body_is_an_empty_object) {
  const auto r = send(json_request("GammaService.Shared", ""));
  EXPECT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(seen_service(), "gamma");
}

TEST_F(DispatcherRouting, service_errors_use_each_protocols_code) {
  const auto q = send(query_request("Action=Fail&Version=2020-01-01"));
  EXPECT_EQ(q.status, 400);
  EXPECT_EQ(query_error_code(q), "Alpha.NonExistentThing");
  EXPECT_EQ(xml_text(q.body, "Message"), "The thing &lt;x&gt; does not exist.");
  const auto j = send(json_request("Alpha.Fail", "{}"));
  EXPECT_EQ(j.status, 400);
  EXPECT_EQ(json_error_type(j), "com.amazonaws.alpha#ThingDoesNotExist");
  EXPECT_EQ(header_or(j, "x-amzn-query-error"), "Alpha.NonExistentThing;Sender");
  // A mapping may also change the status; receiver faults say so.
  const auto o = send(query_request("Action=Overload&Version=2020-01-01"));
  EXPECT_EQ(o.status, 503);
  EXPECT_EQ(xml_text(o.body, "Type"), "Receiver");
  const auto oj = send(json_request("Alpha.Overload", "{}"));
  EXPECT_EQ(oj.status, 503);
  EXPECT_EQ(header_or(oj, "x-amzn-query-error"), "Alpha.Overloaded;Receiver");
}

TEST_F(DispatcherRouting, a_throwing_handler_is_internal_failure) {
  for (const char* op : {"Throw", "ThrowInt"}) {
    const auto q = send(query_request(std::string("Action=") + op + "&Version=2020-01-01"));
    EXPECT_EQ(q.status, 500) << op;
    EXPECT_EQ(query_error_code(q), "InternalFailure");
    EXPECT_EQ(xml_text(q.body, "Type"), "Receiver");
    const auto j = send(json_request(std::string("Alpha.") + op, "{}"));
    EXPECT_EQ(j.status, 500) << op;
    EXPECT_EQ(json_error_type(j), "com.amazon.coral.service#InternalFailure");
  }
}

TEST_F(DispatcherRouting, only_the_first_reply_counts) {
  const auto r = send(json_request("Alpha.ReplyThenThrow", "{}"));
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, R"({"Done":true})");
  const auto later = send(json_request("Alpha.Later", "{}"));
  EXPECT_EQ(later.status, 200);
  EXPECT_EQ(later.body, R"({"Done":true})");
}

TEST_F(DispatcherRouting, no_output_renders_empty_result) {
  const auto j = send(json_request("Alpha.NoOutput", "{}"));
  EXPECT_EQ(j.status, 200);
  EXPECT_EQ(j.body, "{}");
  const auto q = send(query_request("Action=NoOutput&Version=2020-01-01"));
  EXPECT_EQ(q.status, 200);
  EXPECT_EQ(q.body,
            "<?xml version=\"1.0\"?><NoOutputResponse "
            "xmlns=\"http://alpha.example.com/doc/2020-01-01/\"><ResponseMetadata>"
            "<RequestId>" +
                header_or(q, "x-amzn-RequestId") +
                "</RequestId></ResponseMetadata></NoOutputResponse>");
}

TEST_F(DispatcherRouting, every_response_carries_a_fresh_request_id) {
  std::set<std::string> ids;
  const HttpRequest requests[] = {
      json_request("Alpha.Echo", R"({"Name": "n"})"),
      json_request("Alpha.Nope", "{}"),
      json_request("Alpha.Echo", "{"),
      query_request("Action=Echo&Name=n"),
      query_request("Action=Nope"),
      query_request(""),
      query_request("Action=Throw&Version=2020-01-01"),
      make_request("GET", "/_sluice/health"),
      make_request("GET", "/_sluice/nope"),
  };
  for (const auto& req : requests) {
    const auto r = send(req);
    const std::string id = header_or(r, "x-amzn-RequestId");
    EXPECT_NE(id, "<absent>") << req.target << " " << req.body;
    ids.insert(id);
  }
  EXPECT_EQ(ids.size(), std::size(requests));
}

TEST_F(DispatcherRouting, counts_requests) {
  const auto before = dispatcher_.requests_served();
  send(query_request("Action=BetaOnly"));
  send(make_request("GET", "/_sluice/health"));
  EXPECT_EQ(dispatcher_.requests_served(), before + 2);
}

}  // namespace
}  // namespace sluice::api
