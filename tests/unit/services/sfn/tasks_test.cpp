// Task states on a virtual clock: Retry (intervals, backoff, MaxDelaySeconds), Catch,
// timeouts and heartbeats, activities and callbacks, Lambda forwarding, service ports,
// nested executions and mocked responses.
#include <gtest/gtest.h>

#include <mutex>

#include "engine_fixture.hpp"

namespace sluice::services::sfn::testing {
namespace {

using V = std::vector<std::string>;

// Mocks: "Flaky" throws twice then returns; "Fails" always throws.
const char* kMocks = R"({
  "StateMachines": {
    "retry": {"TestCases": {"Flaky": {"T": "FlakyThenOk"}, "Always": {"T": "AlwaysFails"}}},
    "catch": {"TestCases": {"Fails": {"T": "AlwaysFails"}}},
    "flow":  {"TestCases": {"Ok": {"T": "Result"}}}
  },
  "MockedResponses": {
    "FlakyThenOk": {"0-1": {"Throw": {"Error": "Lambda.ServiceException", "Cause": "flaky"}},
                    "2": {"Return": {"Payload": {"n": 3}}}},
    "AlwaysFails": {"0": {"Throw": {"Error": "Custom.Error", "Cause": "always"}}},
    "Result": {"0": {"Return": {"Payload": {"v": 1, "extra": true}, "StatusCode": 200}}}
  }
})";

class Tasks : public EngineTest {
 protected:
  void SetUp() override {
    EngineOptions o;
    o.mock_config = kMocks;
    start_engine(std::move(o));
  }
  std::string lambda_task(const std::string& extra) {
    return R"({"StartAt":"T","States":{"T":{"Type":"Task",
        "Resource":"arn:aws:states:::lambda:invoke","Parameters":{"FunctionName":"f"},)" +
           extra + R"(}}})";
  }
};

TEST_F(Tasks, retry_waits_interval_times_backoff_then_succeeds) {
  auto sm = create("retry", lambda_task(R"("Retry":[{"ErrorEquals":["Lambda.ServiceException"],
      "IntervalSeconds":2,"BackoffRate":3,"MaxAttempts":3}],"End":true)"));
  auto ex = start(sm + "#Flaky");
  EXPECT_EQ(settle(ex).status, "RUNNING");
  advance(1999);
  EXPECT_EQ(types(history(ex)).size(), 5u);  // Started, Entered, Scheduled, Started, Failed
  advance(1);                                // first retry after 2 s
  advance(5999);
  EXPECT_EQ(settle(ex).status, "RUNNING");
  advance(1);  // second retry after 2 * 3 = 6 s
  auto d = settle(ex);
  ASSERT_EQ(d.status, "SUCCEEDED");
  EXPECT_EQ(*d.output, R"({"Payload":{"n":3}})");
  EXPECT_EQ(d.stop_date - d.start_date, 8000);
  auto t = types(history(ex));
  EXPECT_EQ(std::count(t.begin(), t.end(), "TaskScheduled"), 3);
  EXPECT_EQ(std::count(t.begin(), t.end(), "TaskFailed"), 2);
}

TEST_F(Tasks, max_delay_seconds_caps_the_backoff) {
  auto sm = create("retry", lambda_task(R"("Retry":[{"ErrorEquals":["States.ALL"],
      "IntervalSeconds":10,"BackoffRate":10,"MaxAttempts":5,"MaxDelaySeconds":15}],"End":true)"));
  auto ex = start(sm + "#Flaky");
  advance(10000);
  EXPECT_EQ(settle(ex).status, "RUNNING");
  advance(15000);  // 100 s capped to 15 s
  EXPECT_EQ(settle(ex).status, "SUCCEEDED");
}

TEST_F(Tasks, exhausted_retries_fall_through_to_the_catcher) {
  auto sm = create("catch", R"({"StartAt":"T","States":{"T":{"Type":"Task",
      "Resource":"arn:aws:states:::lambda:invoke","Parameters":{"FunctionName":"f"},
      "Retry":[{"ErrorEquals":["Custom.Error"],"IntervalSeconds":1,"MaxAttempts":1}],
      "Catch":[{"ErrorEquals":["Other"],"Next":"Wrong"},
               {"ErrorEquals":["States.TaskFailed"],"ResultPath":"$.error","Next":"Handled"}],
      "End":true},
      "Wrong":{"Type":"Fail"},"Handled":{"Type":"Pass","End":true}}})");
  auto ex = start(sm + "#Fails", R"({"in":1})");
  advance(1000);
  auto d = settle(ex);
  ASSERT_EQ(d.status, "SUCCEEDED");
  EXPECT_EQ(*d.output, R"({"in":1,"error":{"Error":"Custom.Error","Cause":"always"}})");
  auto h = history(ex);
  // TaskFailed -> TaskStateExited -> PassStateEntered, chained
  for (std::size_t i = 0; i + 1 < h.size(); ++i) {
    if (h[i].type == "TaskStateExited") {
      EXPECT_EQ(h[i - 1].type, "TaskFailed");
      EXPECT_EQ(h[i].previous_id, h[i - 1].id);
    }
  }
}

TEST_F(Tasks, uncaught_failure_fails_the_execution_after_task_failed) {
  auto sm = create("retry", lambda_task(R"("End":true)"));
  auto ex = start(sm + "#Always");
  auto d = settle(ex);
  EXPECT_EQ(d.status, "FAILED");
  EXPECT_EQ(d.error.value_or(""), "Custom.Error");
  auto h = history(ex);
  EXPECT_EQ(lineage(h), (V{"1:0:ExecutionStarted", "2:0:TaskStateEntered", "3:2:TaskScheduled",
                           "4:3:TaskStarted", "5:4:TaskFailed", "6:5:ExecutionFailed"}));
  EXPECT_EQ(h[2].detail["resourceType"], "lambda");
  EXPECT_EQ(h[2].detail["resource"], "invoke");
  EXPECT_EQ(h[2].detail["region"], "us-east-1");
  EXPECT_EQ(h[2].detail["parameters"], R"({"FunctionName":"f"})");
  EXPECT_EQ(h[4].detail["error"], "Custom.Error");
}

TEST_F(Tasks, result_selector_result_path_and_output_path_apply_in_order) {
  auto sm = create("flow", lambda_task(R"("ResultSelector":{"value.$":"$.Payload.v"},
      "ResultPath":"$.res","OutputPath":"$.res","End":true)"));
  auto d = settle(start(sm + "#Ok", R"({"keep":true})"));
  ASSERT_EQ(d.status, "SUCCEEDED");
  EXPECT_EQ(*d.output, R"({"value":1})");
}

TEST_F(Tasks, activity_task_times_out_without_a_worker) {
  auto act = wait_for<ArnAndDate>(
      [&](auto done) { engine().create_activity(scope_, "slow", {}, nullptr, done); });
  ASSERT_TRUE(act.ok());
  auto sm = create("act", R"({"StartAt":"T","States":{"T":{"Type":"Task","Resource":")" + act->arn +
                              R"(","TimeoutSeconds":5,"End":true}}})");
  auto ex = start(sm);
  advance(4999);
  EXPECT_EQ(settle(ex).status, "RUNNING");
  advance(1);
  auto d = settle(ex);
  EXPECT_EQ(d.status, "FAILED");
  EXPECT_EQ(d.error.value_or(""), "States.Timeout");
  auto t = types(history(ex));
  EXPECT_EQ(t, (V{"ExecutionStarted", "TaskStateEntered", "ActivityScheduled", "ActivityTimedOut",
                  "ExecutionFailed"}));
}

TEST_F(Tasks, heartbeats_keep_an_activity_alive_until_they_stop) {
  auto act = wait_for<ArnAndDate>(
      [&](auto done) { engine().create_activity(scope_, "beating", {}, nullptr, done); });
  auto sm = create("hb", R"({"StartAt":"T","States":{"T":{"Type":"Task","Resource":")" + act->arn +
                             R"(","HeartbeatSeconds":10,"End":true}}})");
  auto ex = start(sm, R"({"job":1})");
  auto task = wait_for<ActivityTask>(
      [&](auto done) { engine().get_activity_task(act->arn, "w", 60000, done); });
  ASSERT_TRUE(task.ok());
  ASSERT_FALSE(task->task_token.empty());
  EXPECT_EQ(task->input, R"({"job":1})");
  advance(8000);
  ASSERT_TRUE(
      wait_status([&](auto done) { engine().send_task_heartbeat(task->task_token, done); }).ok());
  advance(8000);  // 16 s after scheduling, 8 s after the heartbeat
  EXPECT_EQ(settle(ex).status, "RUNNING");
  advance(2000);  // 10 s after the heartbeat
  auto d = settle(ex);
  EXPECT_EQ(d.status, "FAILED");
  EXPECT_EQ(d.error.value_or(""), "States.HeartbeatTimeout");
  auto late =
      wait_status([&](auto done) { engine().send_task_success(task->task_token, "{}", done); });
  ASSERT_FALSE(late.ok());
  EXPECT_EQ(late.error().code, "TaskTimedOut");
}

TEST_F(Tasks, auto_advance_skips_waits_but_never_jumps_to_a_task_timeout) {
  auto act = wait_for<ArnAndDate>(
      [&](auto done) { engine().create_activity(scope_, "auto", {}, nullptr, done); });
  auto sm = create("auto", R"({"StartAt":"W","States":{"W":{"Type":"Wait","Seconds":3600,
      "Next":"T"},"T":{"Type":"Task","Resource":")" +
                               act->arn + R"(","HeartbeatSeconds":600,"End":true}}})");
  auto ex = start(sm);
  clock_.set_auto_advance(true);
  // The hour-long Wait is skipped; then the task waits for a worker, however long.
  for (int i = 0; i < 500 && types(history(ex)).size() < 5; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  EXPECT_EQ(settle(ex).status, "RUNNING");
  EXPECT_EQ(clock_.now_ms(), kStart + 3600 * 1000);
  auto task = wait_for<ActivityTask>(
      [&](auto done) { engine().get_activity_task(act->arn, "w", 60000, done); });
  ASSERT_TRUE(task.ok());
  ASSERT_TRUE(wait_status([&](auto done) {
                engine().send_task_success(task->task_token, R"({"done":true})", done);
              }).ok());
  auto d = settle(ex);
  EXPECT_EQ(d.status, "SUCCEEDED");
  EXPECT_EQ(*d.output, R"({"done":true})");
}

TEST_F(Tasks, a_heartbeat_on_auto_advance_does_not_bring_the_heartbeat_timeout_closer) {
  auto act = wait_for<ArnAndDate>(
      [&](auto done) { engine().create_activity(scope_, "auto-hb", {}, nullptr, done); });
  auto sm = create("auto-hb", R"({"StartAt":"T","States":{"T":{"Type":"Task","Resource":")" +
                                  act->arn + R"(","HeartbeatSeconds":600,"End":true}}})");
  auto ex = start(sm);
  clock_.set_auto_advance(true);
  auto task = wait_for<ActivityTask>(
      [&](auto done) { engine().get_activity_task(act->arn, "w", 60000, done); });
  ASSERT_TRUE(task.ok());
  ASSERT_TRUE(
      wait_status([&](auto done) { engine().send_task_heartbeat(task->task_token, done); }).ok());
  // The renewed heartbeat deadline waits on the worker: time must not jump to it.
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  EXPECT_EQ(settle(ex).status, "RUNNING");
  EXPECT_EQ(clock_.now_ms(), kStart);
}

TEST_F(Tasks, activity_poll_answers_empty_after_its_wait) {
  auto act = wait_for<ArnAndDate>(
      [&](auto done) { engine().create_activity(scope_, "idle", {}, nullptr, done); });
  auto p = std::make_shared<std::promise<Result<ActivityTask>>>();
  auto f = p->get_future();
  engine().get_activity_task(act->arn, "w", 60000,
                             [p](Result<ActivityTask> r) { p->set_value(r); });
  engine().sync();
  EXPECT_EQ(f.wait_for(std::chrono::milliseconds(20)), std::future_status::timeout);
  advance(60000);
  ASSERT_EQ(f.wait_for(std::chrono::seconds(5)), std::future_status::ready);
  EXPECT_TRUE(f.get()->task_token.empty());
}

TEST_F(Tasks, callback_tokens_validate_like_aws) {
  auto bad = wait_status([&](auto done) { engine().send_task_success("nope", "{}", done); });
  EXPECT_EQ(bad.error().code, "InvalidToken");
  auto unknown =
      wait_status([&](auto done) { engine().send_task_success(std::string(96, 'a'), "{}", done); });
  EXPECT_EQ(unknown.error().code, "TaskDoesNotExist");
  auto output = wait_status(
      [&](auto done) { engine().send_task_success(std::string(96, 'a'), "{bad", done); });
  EXPECT_EQ(output.error().code, "InvalidOutput");
}

// A Lambda endpoint stand-in: records calls and answers from a script.
class FakeHttp final : public HttpPort {
 public:
  std::function<HttpReply(const HttpCall&)> answer;
  std::vector<HttpCall> calls;
  std::mutex mu;
  void send(HttpCall call, std::function<void(HttpReply)> done) override {
    HttpReply r;
    {
      std::lock_guard lock(mu);
      calls.push_back(call);
      r = answer(call);
    }
    std::thread([done, r] { done(r); }).detach();
  }
};

class Lambda : public EngineTest {
 protected:
  void SetUp() override {
    http_ = std::make_shared<FakeHttp>();
    EngineOptions o;
    o.http = http_;
    o.lambda_endpoint = "http://127.0.0.1:9001";
    start_engine(std::move(o));
  }
  std::shared_ptr<FakeHttp> http_;
};

TEST_F(Lambda, test_state_at_trace_shows_the_http_exchange) {
  http_->answer = [](const HttpCall&) {
    HttpReply r;
    r.status = 201;
    r.headers = {{"Content-Type", "application/json"}};
    r.body = R"({"id":7})";
    return r;
  };
  TestStateRequest r;
  r.definition = R"({"Type":"Task","Resource":"arn:aws:states:::http:invoke",
      "Parameters":{"ApiEndpoint":"http://127.0.0.1:9002/items","Method":"POST",
                    "RequestBody":{"n":1}},"End":true})";
  r.inspection_level = "TRACE";
  auto out = wait_for<TestStateResult>([&](auto done) { engine().test_state(scope_, r, done); });
  ASSERT_TRUE(out.ok()) << out.error().message;
  EXPECT_EQ(out->status, "SUCCEEDED");
  const Doc& req = out->inspection_data["request"];
  EXPECT_EQ(req["protocol"], "http");
  EXPECT_EQ(req["method"], "POST");
  EXPECT_EQ(req["url"], "http://127.0.0.1:9002/items");
  EXPECT_EQ(req["headers"], "[Content-Type: application/json; charset=UTF-8]");
  EXPECT_EQ(req["body"], R"({"n":1})");
  const Doc& resp = out->inspection_data["response"];
  EXPECT_EQ(resp["statusCode"], "201");
  EXPECT_EQ(resp["statusMessage"], "OK");
  EXPECT_EQ(resp["headers"], "[Content-Type: application/json]");
  EXPECT_EQ(resp["body"], R"({"id":7})");
  // DEBUG leaves the exchange out
  r.inspection_level = "DEBUG";
  out = wait_for<TestStateResult>([&](auto done) { engine().test_state(scope_, r, done); });
  ASSERT_TRUE(out.ok());
  EXPECT_FALSE(out->inspection_data.contains("request"));
}

TEST_F(Lambda, invoke_integration_forwards_and_shapes_the_result) {
  http_->answer = [](const HttpCall&) {
    HttpReply r;
    r.status = 200;
    r.headers = {{"X-Amz-Executed-Version", "$LATEST"}};
    r.body = R"({"sum":3})";
    return r;
  };
  auto sm = create("lambda", R"({"StartAt":"T","States":{"T":{"Type":"Task",
      "Resource":"arn:aws:states:::lambda:invoke",
      "Parameters":{"FunctionName":"adder","Payload":{"a.$":"$.a","b":2}},"End":true}}})");
  auto ex = start(sm, R"({"a":1})");
  for (int i = 0; i < 50 && describe(ex).status == "RUNNING"; ++i)
    settle(ex);
  auto d = describe(ex);
  ASSERT_EQ(d.status, "SUCCEEDED");
  Json out = Json::parse(*d.output);
  EXPECT_EQ(out["Payload"], Json::parse(R"({"sum":3})"));
  EXPECT_EQ(out["StatusCode"], 200);
  EXPECT_EQ(out["ExecutedVersion"], "$LATEST");
  std::lock_guard lock(http_->mu);
  ASSERT_EQ(http_->calls.size(), 1u);
  EXPECT_EQ(http_->calls[0].url, "http://127.0.0.1:9001/2015-03-31/functions/adder/invocations");
  EXPECT_EQ(http_->calls[0].body, R"({"a":1,"b":2})");
}

TEST_F(Lambda, function_errors_use_the_error_type_and_legacy_arns_their_own_events) {
  http_->answer = [](const HttpCall&) {
    HttpReply r;
    r.status = 200;
    r.headers = {{"X-Amz-Function-Error", "Unhandled"}};
    r.body = R"({"errorType":"ValueError","errorMessage":"bad"})";
    return r;
  };
  auto sm = create("legacy", R"({"StartAt":"T","States":{"T":{"Type":"Task",
      "Resource":"arn:aws:lambda:us-east-1:123456789012:function:f","End":true}}})");
  auto ex = start(sm);
  for (int i = 0; i < 50 && describe(ex).status == "RUNNING"; ++i)
    settle(ex);
  auto d = describe(ex);
  EXPECT_EQ(d.status, "FAILED");
  EXPECT_EQ(d.error.value_or(""), "ValueError");
  EXPECT_EQ(d.cause.value_or(""), R"({"errorType":"ValueError","errorMessage":"bad"})");
  EXPECT_EQ(types(history(ex)),
            (V{"ExecutionStarted", "TaskStateEntered", "LambdaFunctionScheduled",
               "LambdaFunctionStarted", "LambdaFunctionFailed", "ExecutionFailed"}));
}

TEST_F(Lambda, service_errors_are_lambda_exceptions) {
  http_->answer = [](const HttpCall&) {
    HttpReply r;
    r.status = 404;
    r.body = R"({"Type":"User","message":"Function not found: f"})";
    r.headers = {{"x-amzn-ErrorType", "ResourceNotFoundException"}};
    return r;
  };
  auto sm = create("missing-fn", R"({"StartAt":"T","States":{"T":{"Type":"Task",
      "Resource":"arn:aws:states:::lambda:invoke","Parameters":{"FunctionName":"f"},"End":true}}})");
  auto ex = start(sm);
  for (int i = 0; i < 50 && describe(ex).status == "RUNNING"; ++i)
    settle(ex);
  auto d = describe(ex);
  EXPECT_EQ(d.error.value_or(""), "Lambda.ResourceNotFoundException");
  EXPECT_NE(
      d.cause.value_or("").find("Function not found: f (Service: AWSLambda; Status Code: 404"),
      std::string::npos);
}

// An in-process service: records calls, answers from a script.
class FakeService final : public ServicePort {
 public:
  std::function<Result<Json>(const std::string&, const Json&)> answer;
  std::vector<std::pair<std::string, Json>> calls;
  void call(const std::string& op, const Json& params, const Scope&,
            std::function<void(Result<Json>)> done) override {
    calls.emplace_back(op, params);
    done(answer(op, params));
  }
  std::string query_code(const std::string& code) const override {
    return code == "QueueDoesNotExist" ? "AWS.SimpleQueueService.NonExistentQueue" : code;
  }
};

class Services : public EngineTest {
 protected:
  void SetUp() override {
    sqs_ = std::make_shared<FakeService>();
    EngineOptions o;
    o.sqs = sqs_;
    start_engine(std::move(o));
  }
  std::shared_ptr<FakeService> sqs_;
};

TEST_F(Services, sqs_send_message_serializes_the_body_and_adds_sdk_metadata) {
  sqs_->answer = [](const std::string&, const Json&) -> Result<Json> {
    return Json{{"MessageId", "m-1"}, {"MD5OfMessageBody", "abc"}};
  };
  auto sm = create("sqs", R"({"StartAt":"T","States":{"T":{"Type":"Task",
      "Resource":"arn:aws:states:::sqs:sendMessage",
      "Parameters":{"QueueUrl":"http://q","MessageBody":{"k.$":"$.k"}},"End":true}}})");
  auto d = settle(start(sm, R"({"k":1})"));
  ASSERT_EQ(d.status, "SUCCEEDED");
  Json out = Json::parse(*d.output);
  EXPECT_EQ(out["MessageId"], "m-1");
  EXPECT_TRUE(out.contains("SdkHttpMetadata"));
  ASSERT_EQ(sqs_->calls.size(), 1u);
  EXPECT_EQ(sqs_->calls[0].first, "SendMessage");
  EXPECT_EQ(sqs_->calls[0].second["MessageBody"], R"({"k":1})");
}

TEST_F(Services, aws_sdk_errors_are_prefixed_with_the_service) {
  sqs_->answer = [](const std::string&, const Json&) -> Result<Json> {
    return Error::sender("QueueDoesNotExist", "The specified queue does not exist.");
  };
  auto sm = create("sdk", R"({"StartAt":"T","States":{"T":{"Type":"Task",
      "Resource":"arn:aws:states:::aws-sdk:sqs:getQueueUrl",
      "Parameters":{"QueueName":"nope"},"End":true}}})");
  auto d = settle(start(sm));
  EXPECT_EQ(d.status, "FAILED");
  EXPECT_EQ(d.error.value_or(""), "Sqs.QueueDoesNotExistException");
  EXPECT_EQ(sqs_->calls.at(0).first, "GetQueueUrl");
}

TEST_F(Services, nested_sync_execution_returns_the_child_description) {
  auto child = create("child", R"({"StartAt":"W","States":{"W":{"Type":"Wait","Seconds":5,
      "Next":"P"},"P":{"Type":"Pass","Result":{"c":1},"End":true}}})");
  auto parent = create("parent", R"({"StartAt":"T","States":{"T":{"Type":"Task",
      "Resource":"arn:aws:states:::states:startExecution.sync:2",
      "Parameters":{"StateMachineArn":")" +
                                     child + R"(","Input":{"x.$":"$.x"}},
      "OutputPath":"$.Output","End":true}}})");
  auto ex = start(parent, R"({"x":9})");
  EXPECT_EQ(settle(ex).status, "RUNNING");
  advance(5000);
  auto d = settle(ex);
  ASSERT_EQ(d.status, "SUCCEEDED");
  EXPECT_EQ(*d.output, R"({"c":1})");
  auto t = types(history(ex));
  EXPECT_EQ(t, (V{"ExecutionStarted", "TaskStateEntered", "TaskScheduled", "TaskStarted",
                  "TaskSubmitted", "TaskSucceeded", "TaskStateExited", "ExecutionSucceeded"}));
}

TEST_F(Services, nested_sync_failure_is_a_task_failure) {
  auto child = create("child-fail", R"({"StartAt":"F","States":{"F":{"Type":"Fail",
      "Error":"ChildError"}}})");
  auto parent = create("parent-fail", R"({"StartAt":"T","States":{"T":{"Type":"Task",
      "Resource":"arn:aws:states:::states:startExecution.sync",
      "Parameters":{"StateMachineArn":")" +
                                          child + R"("},"End":true}}})");
  auto d = settle(start(parent));
  EXPECT_EQ(d.status, "FAILED");
  EXPECT_EQ(d.error.value_or(""), "States.TaskFailed");
  EXPECT_NE(d.cause.value_or("").find("\"Error\":\"ChildError\""), std::string::npos);
}

}  // namespace
}  // namespace sluice::services::sfn::testing
