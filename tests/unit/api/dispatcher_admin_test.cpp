// Dispatcher: the admin surface (/_sluice/..., LocalStack aliases).
#include <gtest/gtest.h>

#include "dispatch_test_util.hpp"
#include "sluice/api/dispatcher.hpp"
#include "sluice/common/encoding.hpp"

namespace sluice::api {
namespace {

using namespace testing;

constexpr TimeMs kStart = 1795557338123;  // 2026-11-24T21:55:38.123Z

class DispatcherAdmin : public ::testing::Test {
 protected:
  DispatcherAdmin() {
    for (auto* d : {&real_, &virt_}) {
      d->add_control({"alpha", [this] { resets_.push_back("alpha"); }});
      d->add_control({"beta", [this] { resets_.push_back("beta"); }});
    }
  }

  static Json body_of(const HttpResponse& r) {
    EXPECT_EQ(r.content_type, "application/json");
    auto j = Json::parse(r.body, nullptr, false);
    EXPECT_FALSE(j.is_discarded()) << r.body;
    return j;
  }
  HttpResponse clock_post(const std::string& body, const std::string& query = "") {
    return dispatch(virt_, make_request("POST", "/_sluice/clock" + query, body));
  }

  RealClock real_clock_;
  VirtualClock virtual_clock_{kStart};
  Dispatcher real_{DispatcherOptions{"us-east-1", "000000000000", "1.2.3", false}, real_clock_};
  Dispatcher virt_{DispatcherOptions{"us-east-1", "000000000000", "1.2.3", true}, virtual_clock_};
  std::vector<std::string> resets_;
};

TEST_F(DispatcherAdmin, sluice_health) {
  const auto r = dispatch(real_, make_request("GET", "/_sluice/health"));
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(body_of(r), Json::parse(R"({"status": "ok", "version": "1.2.3",
      "services": {"alpha": "running", "beta": "running"}, "persistence": false,
      "clock": "real"})"));
  const auto v = dispatch(virt_, make_request("GET", "/_sluice/health"));
  EXPECT_EQ(body_of(v)["clock"], "virtual");
  EXPECT_EQ(body_of(v)["persistence"], true);
  EXPECT_EQ(dispatch(real_, make_request("HEAD", "/_sluice/health")).status, 200);
}

TEST_F(DispatcherAdmin, localstack_health_has_localstacks_shape) {
  const auto r = dispatch(real_, make_request("GET", "/_localstack/health"));
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(body_of(r), Json::parse(R"({"services": {"alpha": "running", "beta": "running"},
      "edition": "community", "version": "1.2.3"})"));
}

TEST_F(DispatcherAdmin, reset_all_or_one_service) {
  auto r = dispatch(real_, make_request("POST", "/_sluice/reset"));
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(body_of(r), Json::parse(R"({"reset": ["alpha", "beta"]})"));
  EXPECT_EQ(resets_, (std::vector<std::string>{"alpha", "beta"}));
  resets_.clear();
  r = dispatch(real_, make_request("POST", "/_sluice/reset?service=beta"));
  EXPECT_EQ(body_of(r), Json::parse(R"({"reset": ["beta"]})"));
  EXPECT_EQ(resets_, std::vector<std::string>{"beta"});
  resets_.clear();
  for (const char* alias : {"/moto-api/reset", "/_localstack/state/reset"}) {
    EXPECT_EQ(dispatch(real_, make_request("POST", alias)).status, 200);
  }
  EXPECT_EQ(resets_.size(), 4u);
}

TEST_F(DispatcherAdmin, reset_of_an_unknown_service_is_404_and_resets_nothing) {
  const auto r = dispatch(real_, make_request("POST", "/_sluice/reset?service=gamma"));
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(body_of(r)["error"], "UnknownService");
  EXPECT_TRUE(resets_.empty());
}

TEST_F(DispatcherAdmin, unknown_admin_paths_are_404) {
  for (const char* path : {"/_sluice/nope", "/_localstack/nope", "/_aws/sqs/nothing"}) {
    const auto r = dispatch(real_, make_request("GET", path));
    EXPECT_EQ(r.status, 404) << path;
    EXPECT_EQ(body_of(r)["error"], "NotFound");
  }
  EXPECT_EQ(dispatch(real_, make_request("GET", "/_sluice/reset")).status, 404);
  const auto bad_query = dispatch(real_, make_request("POST", "/_sluice/reset?service=%zz"));
  EXPECT_EQ(bad_query.status, 400);
  EXPECT_EQ(body_of(bad_query)["error"], "MalformedQueryString");
}

TEST_F(DispatcherAdmin, routes_added_by_services_come_first_and_match_methods) {
  real_.add_admin_route("GET", "/_aws/sqs/messages", [](const HttpRequest& req, Responder r) {
    r(HttpResponse{200, "application/json", {}, R"({"method":")" + req.method + "\"}", false});
  });
  real_.add_admin_route("*", "/_sluice/health", [](const HttpRequest&, Responder r) {
    r(HttpResponse{200, "text/plain", {}, "overridden", false});
  });
  real_.add_admin_route("POST", "/_sluice/explode",
                        [](const HttpRequest&, Responder) { throw std::runtime_error("kaboom"); });
  EXPECT_EQ(dispatch(real_, make_request("GET", "/_aws/sqs/messages")).body, R"({"method":"GET"})");
  EXPECT_EQ(dispatch(real_, make_request("DELETE", "/_aws/sqs/messages")).status, 404);
  EXPECT_EQ(dispatch(real_, make_request("PUT", "/_sluice/health")).body, "overridden");
  const auto boom = dispatch(real_, make_request("POST", "/_sluice/explode"));
  EXPECT_EQ(boom.status, 500);
  EXPECT_EQ(body_of(boom)["error"], "internal error");
}

TEST_F(DispatcherAdmin, a_route_that_answers_and_then_throws_answers_once) {
  real_.add_admin_route("POST", "/_sluice/half", [](const HttpRequest&, Responder r) {
    r(HttpResponse{202, "text/plain", {}, "first", false});
    throw 7;
  });
  std::vector<HttpResponse> responses;
  real_.handle(make_request("POST", "/_sluice/half"),
               [&](HttpResponse r) { responses.push_back(std::move(r)); });
  ASSERT_EQ(responses.size(), 1u);
  EXPECT_EQ(responses[0].status, 202);
}

TEST_F(DispatcherAdmin, clock_reads_on_a_real_clock_and_refuses_to_move) {
  const auto r = dispatch(real_, make_request("GET", "/_sluice/clock"));
  EXPECT_EQ(r.status, 200);
  const Json b = body_of(r);
  EXPECT_EQ(b["mode"], "real");
  EXPECT_NEAR(static_cast<double>(b["now_ms"].get<TimeMs>()),
              static_cast<double>(real_clock_.now_ms()), 2000.0);
  EXPECT_EQ(parse_iso8601(b["now"].get<std::string>()), b["now_ms"].get<TimeMs>());
  for (const char* body : {R"({"advance": "1h"})", R"({"mode": "auto"})", "{}"}) {
    const auto moved = dispatch(real_, make_request("POST", "/_sluice/clock", body));
    EXPECT_EQ(moved.status, 409) << body;
    EXPECT_EQ(body_of(moved)["error"], "ClockNotVirtual");
  }
}

TEST_F(DispatcherAdmin, clock_get_on_a_virtual_clock) {
  const auto r = dispatch(virt_, make_request("GET", "/_sluice/clock"));
  EXPECT_EQ(body_of(r), Json::parse(R"({"now_ms": 1795557338123,
      "now": "2026-11-24T21:55:38.123Z", "mode": "manual"})"));
}

TEST_F(DispatcherAdmin, clock_advance_in_every_spelling) {
  EXPECT_EQ(body_of(clock_post(R"({"advance": "1h"})"))["now_ms"], kStart + 3'600'000);
  EXPECT_EQ(body_of(clock_post(R"({"advance": 90})"))["now_ms"], kStart + 3'690'000);
  EXPECT_EQ(body_of(clock_post(R"({"advance_ms": 10})"))["now_ms"], kStart + 3'690'010);
  EXPECT_EQ(body_of(clock_post("", "?advance=2d"))["now_ms"], kStart + 3'690'010 + 172'800'000);
  EXPECT_EQ(virtual_clock_.now_ms(), kStart + 3'690'010 + 172'800'000);
}

TEST_F(DispatcherAdmin, clock_set_and_mode) {
  auto r = clock_post(R"({"set": "2027-01-01T00:00:00Z"})");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(body_of(r)["now"], "2027-01-01T00:00:00.000Z");
  r = clock_post(R"({"set": 1798761600001})");
  EXPECT_EQ(body_of(r)["now_ms"], 1798761600001);
  r = clock_post(R"({"mode": "auto"})");
  EXPECT_EQ(body_of(r)["mode"], "auto");
  EXPECT_TRUE(virtual_clock_.auto_advance());
  r = clock_post(R"({"mode": "manual"})");
  EXPECT_EQ(body_of(r)["mode"], "manual");
  EXPECT_FALSE(virtual_clock_.auto_advance());
}

TEST_F(DispatcherAdmin, clock_errors_change_nothing) {
  const char* bad_bodies[] = {
      R"({"advance": "soon"})",
      R"({"advance": -5})",
      R"({"advance": true})",
      R"({"advance_ms": -1})",
      R"({"advance_ms": "10"})",
      R"({"set": "yesterday"})",
      R"({"set": 1000})",  // backwards
      R"({"set": "2020-01-01T00:00:00Z"})",
      R"({"mode": "fast"})",
      R"({"advance": "1h", "mode": "fast"})",  // validated before anything moves
      R"({"advance": "9000000000000y"})",      // overflows 64-bit milliseconds
      R"({"advance": 9223372036854775})",      // seconds that overflow when made ms
      R"({"advance_ms": 9223372036854775807})",
      "not json",
      "[1]",
  };
  for (const char* body : bad_bodies) {
    const auto r = clock_post(body);
    EXPECT_EQ(r.status, 400) << body;
    EXPECT_EQ(body_of(r)["error"], "InvalidRequest") << body;
    EXPECT_EQ(virtual_clock_.now_ms(), kStart) << body;
    EXPECT_FALSE(virtual_clock_.auto_advance()) << body;
  }
  EXPECT_EQ(dispatch(virt_, make_request("PUT", "/_sluice/clock", "{}")).status, 405);
}

TEST_F(DispatcherAdmin, clock_cannot_be_pushed_past_year_9999) {
  // Formatting and SDK date parsing break beyond four-digit years; refuse instead.
  const auto r = clock_post(R"({"set": "9999-12-31T23:59:59Z"})");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(clock_post(R"({"advance": "1d"})").status, 400);
  EXPECT_EQ(body_of(dispatch(virt_, make_request("GET", "/_sluice/clock")))["now"],
            "9999-12-31T23:59:59.000Z");
}

TEST(DispatcherAdminGate, a_token_guards_every_admin_route_but_health_and_certificates) {
  RealClock clock;
  DispatcherOptions o{"us-east-1", "000000000000", "1.2.3", false};
  o.admin_token = "s3cret";
  Dispatcher d(o, clock);
  int resets = 0;
  d.add_control({"alpha", [&] { ++resets; }});
  d.add_admin_route("GET", "/_sluice/sns/SimpleNotificationService-x.pem",
                    [](const HttpRequest&, Responder respond) { respond(HttpResponse{}); });
  EXPECT_EQ(dispatch(d, make_request("GET", "/_sluice/health")).status, 200);
  EXPECT_EQ(dispatch(d, make_request("GET", "/_localstack/health")).status, 200);
  EXPECT_EQ(dispatch(d, make_request("GET", "/_sluice/sns/SimpleNotificationService-x.pem")).status,
            200);
  for (const char* path : {"/_sluice/reset", "/moto-api/reset"}) {
    auto r = dispatch(d, make_request("POST", path));
    EXPECT_EQ(r.status, 401) << path;
    EXPECT_NE(r.body.find("--admin-token"), std::string::npos) << r.body;
    auto wrong = make_request("POST", path);
    wrong.headers.emplace_back("authorization", "Bearer s3cre");
    EXPECT_EQ(dispatch(d, wrong).status, 401) << path;
  }
  EXPECT_EQ(resets, 0);
  auto bearer = make_request("POST", "/_sluice/reset");
  bearer.headers.emplace_back("authorization", "Bearer s3cret");
  EXPECT_EQ(dispatch(d, bearer).status, 200);
  auto direct = make_request("GET", "/_sluice/clock");
  direct.headers.emplace_back("x-sluice-admin-token", "s3cret");
  EXPECT_EQ(dispatch(d, direct).status, 200);
  EXPECT_EQ(resets, 1);
}

TEST(DispatcherAdminGate, admin_off_leaves_only_health) {
  RealClock clock;
  DispatcherOptions o{"us-east-1", "000000000000", "1.2.3", false};
  o.admin_enabled = false;
  Dispatcher d(o, clock);
  int resets = 0;
  d.add_control({"alpha", [&] { ++resets; }});
  EXPECT_EQ(dispatch(d, make_request("GET", "/_sluice/health")).status, 200);
  for (const char* path :
       {"/_sluice/reset", "/moto-api/reset", "/_sluice/clock", "/_aws/sqs/messages"}) {
    auto r = dispatch(d, make_request("POST", path));
    EXPECT_EQ(r.status, 404) << path;
    EXPECT_NE(r.body.find("AdminDisabled"), std::string::npos) << r.body;
  }
  EXPECT_EQ(resets, 0);
}

}  // namespace
}  // namespace sluice::api
