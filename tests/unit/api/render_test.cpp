// Golden renderings of results and errors, per protocol.
#include <gtest/gtest.h>

#include "dispatch_test_util.hpp"
#include "fake_services.hpp"
#include "sluice/api/dispatcher.hpp"

namespace sluice::api {
namespace {

using namespace testing;

class Render : public ::testing::Test {
 protected:
  std::shared_ptr<Seen> seen_ = std::make_shared<Seen>();
  std::shared_ptr<ServiceDecl> alpha_ = alpha_service(seen_);
  std::shared_ptr<ServiceDecl> beta_ = beta_service(seen_);
  std::shared_ptr<ServiceDecl> gamma_ = gamma_service(seen_);
};

TEST_F(Render, query_result) {
  const auto r =
      render_query_result(*alpha_, alpha_->operations.at("Echo"),
                          Json::parse(R"({"Name": "x", "Labels": {"k": "v"}})"), "rid-1");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.content_type, "text/xml");
  EXPECT_EQ(header_or(r, "x-amzn-RequestId"), "rid-1");
  EXPECT_EQ(
      r.body,
      R"(<?xml version="1.0"?><EchoResponse xmlns="http://alpha.example.com/doc/2020-01-01/">)"
      "<EchoResult><Name>x</Name><Label><Name>k</Name><Value>v</Value></Label></EchoResult>"
      "<ResponseMetadata><RequestId>rid-1</RequestId></ResponseMetadata></EchoResponse>");
}

TEST_F(Render, query_error_with_mapped_code) {
  const auto r = render_query_error(
      alpha_.get(), Error::sender("ThingDoesNotExist", "No \"thing\" & no <luck>."), "rid-2");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.content_type, "text/xml");
  EXPECT_EQ(header_or(r, "x-amzn-RequestId"), "rid-2");
  EXPECT_EQ(
      r.body,
      R"(<?xml version="1.0"?><ErrorResponse xmlns="http://alpha.example.com/doc/2020-01-01/">)"
      "<Error><Type>Sender</Type><Code>Alpha.NonExistentThing</Code>"
      "<Message>No &quot;thing&quot; &amp; no &lt;luck&gt;.</Message><Detail/></Error>"
      "<RequestId>rid-2</RequestId></ErrorResponse>");
}

TEST_F(Render, query_error_without_a_service) {
  const auto r = render_query_error(nullptr, Error::internal("oops"), "rid-3");
  EXPECT_EQ(r.status, 500);
  EXPECT_EQ(r.body, R"(<?xml version="1.0"?><ErrorResponse><Error><Type>Receiver</Type>)"
                    "<Code>InternalFailure</Code><Message>oops</Message><Detail/></Error>"
                    "<RequestId>rid-3</RequestId></ErrorResponse>");
}

TEST_F(Render, query_error_mapping_may_change_the_status) {
  const auto r = render_query_error(alpha_.get(), Error::sender("Overloaded", "slow"), "rid");
  EXPECT_EQ(r.status, 503);
  EXPECT_EQ(xml_text(r.body, "Code"), "Alpha.Overloaded");
}

TEST_F(Render, json_result) {
  const auto r = render_json_result(*gamma_, Json::parse(R"({"b": 1, "a": "\u00e9"})"), "rid-4");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.content_type, "application/x-amz-json-1.0");
  EXPECT_EQ(header_or(r, "x-amzn-RequestId"), "rid-4");
  EXPECT_EQ(r.body, "{\"a\":\"\xC3\xA9\",\"b\":1}");
  EXPECT_EQ(render_json_result(*gamma_, Json(), "rid").body, "{}");
}

TEST_F(Render, json_service_error_of_a_query_compatible_service) {
  const auto r = render_json_error(alpha_.get(), Error::sender("ThingDoesNotExist", "gone"), "r5");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.content_type, "application/x-amz-json-1.0");
  EXPECT_EQ(r.body, R"({"__type":"com.amazonaws.alpha#ThingDoesNotExist","message":"gone"})");
  EXPECT_EQ(header_or(r, "x-amzn-query-error"), "Alpha.NonExistentThing;Sender");
  EXPECT_EQ(header_or(r, "x-amzn-RequestId"), "r5");
  // Unmapped codes are their own Query code.
  const auto unmapped = render_json_error(alpha_.get(), Error::sender("Other", "m"), "r");
  EXPECT_EQ(header_or(unmapped, "x-amzn-query-error"), "Other;Sender");
}

TEST_F(Render, json_errors_of_a_plain_json_service) {
  const auto r =
      render_json_error(gamma_.get(), Error::sender("StateMachineDoesNotExist", "m"), "r");
  EXPECT_EQ(r.body, R"({"__type":"com.amazonaws.gamma#StateMachineDoesNotExist","message":"m"})");
  EXPECT_EQ(header_or(r, "x-amzn-query-error"), "<absent>");
  const auto v = render_json_error(gamma_.get(), Error::sender("ValidationException", "v"), "r");
  EXPECT_EQ(v.body, R"({"__type":"com.amazon.coral.validate#ValidationException","message":"v"})");
}

TEST_F(Render, json_coral_errors_and_errors_without_a_service) {
  for (const char* code : {"SerializationException", "UnknownOperationException", "InternalFailure",
                           "ServiceUnavailable", "AccessDeniedException", "ThrottlingException"}) {
    const auto r = render_json_error(gamma_.get(), Error::sender(code, "m"), "r");
    EXPECT_EQ(Json::parse(r.body)["__type"], std::string("com.amazon.coral.service#") + code);
  }
  const auto none =
      render_json_error(nullptr, Error::sender("UnknownOperationException", "m"), "r");
  EXPECT_EQ(none.content_type, "application/x-amz-json-1.0");
  EXPECT_EQ(none.body, R"({"__type":"com.amazon.coral.service#UnknownOperationException",)"
                       R"("message":"m"})");
  EXPECT_EQ(header_or(none, "x-amzn-query-error"), "<absent>");
}

TEST_F(Render, json_error_messages_with_invalid_utf8_stay_valid_json) {
  const auto r = render_json_error(gamma_.get(), Error::sender("X", "bad \xFF byte"), "r");
  auto parsed = Json::parse(r.body, nullptr, false);
  ASSERT_FALSE(parsed.is_discarded()) << r.body;
  EXPECT_EQ(parsed["message"], "bad \xEF\xBF\xBD byte");
}

}  // namespace
}  // namespace sluice::api
