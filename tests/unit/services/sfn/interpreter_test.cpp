// Interpreter tests on a virtual clock: each state type, data flow and the history AWS
// records (event types, ids and previousEventId as recorded from AWS).
#include <gtest/gtest.h>

#include "engine_fixture.hpp"
#include "sluice/common/encoding.hpp"

namespace sluice::services::sfn::testing {
namespace {

using V = std::vector<std::string>;

class Interpreter : public EngineTest {};

TEST_F(Interpreter, pass_state_history_matches_aws) {
  auto sm = create("pass", R"({"StartAt":"State_1","States":{"State_1":{"Type":"Pass",
      "Result":{"Arg1":"argument1"},"End":true}}})");
  auto ex = start(sm);
  auto d = settle(ex);
  EXPECT_EQ(d.status, "SUCCEEDED");
  ASSERT_TRUE(d.output);
  EXPECT_EQ(*d.output, R"({"Arg1":"argument1"})");
  auto h = history(ex);
  EXPECT_EQ(lineage(h), (V{"1:0:ExecutionStarted", "2:0:PassStateEntered", "3:2:PassStateExited",
                           "4:3:ExecutionSucceeded"}));
  EXPECT_EQ(h[0].detail["roleArn"], "arn:aws:iam::123456789012:role/sfn");
  EXPECT_EQ(h[1].detail_key, "stateEnteredEventDetails");
  EXPECT_EQ(h[1].detail["name"], "State_1");
  EXPECT_EQ(h[1].detail["input"], "{}");
  EXPECT_EQ(h[1].detail["inputDetails"]["truncated"], false);
  EXPECT_EQ(h[3].detail["output"], R"({"Arg1":"argument1"})");
}

TEST_F(Interpreter, fail_state_with_and_without_error) {
  auto sm = create("fail", R"({"StartAt":"F","States":{"F":{"Type":"Fail","Error":"SomeFailure",
      "Cause":"because"}}})");
  auto ex = start(sm);
  auto d = settle(ex);
  EXPECT_EQ(d.status, "FAILED");
  EXPECT_EQ(d.error.value_or(""), "SomeFailure");
  EXPECT_EQ(d.cause.value_or(""), "because");
  EXPECT_EQ(lineage(history(ex)),
            (V{"1:0:ExecutionStarted", "2:0:FailStateEntered", "3:2:ExecutionFailed"}));

  auto empty = create("fail-empty", R"({"StartAt":"F","States":{"F":{"Type":"Fail"}}})");
  auto ex2 = start(empty);
  EXPECT_EQ(settle(ex2).status, "FAILED");
  auto h = history(ex2);
  EXPECT_TRUE(h.back().detail.is_object() && h.back().detail.empty());
}

TEST_F(Interpreter, fail_paths_and_intrinsics) {
  auto sm = create("failpath", R"J({"StartAt":"F","States":{"F":{"Type":"Fail",
      "ErrorPath":"$.Error","CausePath":"States.Format('custom {} {}', $.Error, $.Cause)"}}})J");
  auto ex = start(sm, R"({"Error":"E1","Cause":"C1"})");
  auto d = settle(ex);
  EXPECT_EQ(d.error.value_or(""), "E1");
  EXPECT_EQ(d.cause.value_or(""), "custom E1 C1");
}

TEST_F(Interpreter, data_flow_through_paths_parameters_and_result_path) {
  auto sm = create("flow", R"({"StartAt":"P","States":{"P":{"Type":"Pass",
      "InputPath":"$.in","Parameters":{"v.$":"$.x","name.$":"$$.Execution.Name","fixed":1},
      "ResultPath":"$.in.res","OutputPath":"$.in","End":true}}})");
  auto ex = start(sm, R"({"in":{"x":42},"other":true})", "run-1");
  auto d = settle(ex);
  ASSERT_EQ(d.status, "SUCCEEDED");
  EXPECT_EQ(*d.output, R"({"x":42,"res":{"v":42,"name":"run-1","fixed":1}})");
}

TEST_F(Interpreter, result_path_null_keeps_the_input) {
  auto sm = create("rp-null", R"({"StartAt":"P","States":{"P":{"Type":"Pass",
      "Result":"x","ResultPath":null,"End":true}}})");
  auto ex = start(sm, R"({"a":1})");
  EXPECT_EQ(*settle(ex).output, R"({"a":1})");
}

TEST_F(Interpreter, a_bad_input_path_fails_with_states_runtime) {
  auto sm = create("badpath", R"({"StartAt":"P","States":{"P":{"Type":"Pass",
      "InputPath":"$.missing","End":true}}})");
  auto ex = start(sm, R"({"a":1})");
  auto d = settle(ex);
  EXPECT_EQ(d.status, "FAILED");
  EXPECT_EQ(d.error.value_or(""), "States.Runtime");
  EXPECT_EQ(d.cause.value_or(""),
            "An error occurred while executing the state 'P' (entered at the event id #2). "
            "Invalid path '$.missing' : No results for path: $['missing']");
  EXPECT_EQ(lineage(history(ex)),
            (V{"1:0:ExecutionStarted", "2:0:PassStateEntered", "3:2:ExecutionFailed"}));
}

TEST_F(Interpreter, choice_routes_and_no_match_fails) {
  auto sm = create("choice", R"({"StartAt":"C","States":{
      "C":{"Type":"Choice","Choices":[{"Variable":"$.n","NumericGreaterThan":5,"Next":"Big"}],
           "Default":"Small"},
      "Big":{"Type":"Pass","Result":"big","End":true},
      "Small":{"Type":"Pass","Result":"small","End":true}}})");
  EXPECT_EQ(*settle(start(sm, R"({"n":9})")).output, R"("big")");
  EXPECT_EQ(*settle(start(sm, R"({"n":1})")).output, R"("small")");
  auto ex = start(sm, R"({"n":7})");
  EXPECT_EQ(types(history(ex)), (V{"ExecutionStarted", "ChoiceStateEntered", "ChoiceStateExited",
                                   "PassStateEntered", "PassStateExited", "ExecutionSucceeded"}));

  auto nomatch = create("nomatch", R"({"StartAt":"C","States":{
      "C":{"Type":"Choice","Choices":[{"Variable":"$.n","NumericEquals":1,"Next":"D"}]},
      "D":{"Type":"Succeed"}}})");
  auto d = settle(start(nomatch, R"({"n":2})"));
  EXPECT_EQ(d.status, "FAILED");
  EXPECT_EQ(d.error.value_or(""), "States.NoChoiceMatched");
}

TEST_F(Interpreter, succeed_state_applies_input_and_output_paths) {
  auto sm = create("succeed", R"({"StartAt":"S","States":{"S":{"Type":"Succeed",
      "InputPath":"$.a","OutputPath":"$.b"}}})");
  auto ex = start(sm, R"({"a":{"b":[1,2]}})");
  EXPECT_EQ(*settle(ex).output, "[1,2]");
  EXPECT_EQ(types(history(ex)), (V{"ExecutionStarted", "SucceedStateEntered", "SucceedStateExited",
                                   "ExecutionSucceeded"}));
}

TEST_F(Interpreter, a_one_year_wait_completes_at_once_in_auto_mode_with_aws_timestamps) {
  auto sm = create("wait", R"({"StartAt":"W","States":{"W":{"Type":"Wait","Seconds":31536000,
      "End":true}}})");
  auto ex = start(sm);
  auto d = run_to_end(ex);
  EXPECT_EQ(d.status, "SUCCEEDED");
  auto h = history(ex);
  ASSERT_EQ(types(h),
            (V{"ExecutionStarted", "WaitStateEntered", "WaitStateExited", "ExecutionSucceeded"}));
  EXPECT_EQ(h[2].timestamp - h[1].timestamp, 31536000LL * 1000);
  EXPECT_EQ(d.stop_date - d.start_date, 31536000LL * 1000);
}

TEST_F(Interpreter, wait_stays_until_time_is_advanced) {
  auto sm = create("wait2", R"({"StartAt":"W","States":{"W":{"Type":"Wait","SecondsPath":"$.s",
      "Next":"T"},"T":{"Type":"Wait","TimestampPath":"$.until","End":true}}})");
  const std::string until = iso8601_s(kStart + 3600 * 1000);
  auto ex = start(sm, R"({"s":10,"until":")" + until + R"("})");
  EXPECT_EQ(settle(ex).status, "RUNNING");
  advance(9000);
  EXPECT_EQ(settle(ex).status, "RUNNING");
  advance(1000);
  auto h = history(ex);
  EXPECT_EQ(h.back().type, "WaitStateEntered");  // the second Wait
  advance(3600 * 1000);
  auto d = settle(ex);
  EXPECT_EQ(d.status, "SUCCEEDED");
  EXPECT_EQ(history(ex).back().timestamp, kStart + 3600 * 1000);
}

TEST_F(Interpreter, wait_seconds_path_must_be_an_integer) {
  auto sm = create("wait3", R"({"StartAt":"W","States":{"W":{"Type":"Wait","SecondsPath":"$.s",
      "End":true}}})");
  auto d = settle(start(sm, R"({"s":"ten"})"));
  EXPECT_EQ(d.status, "FAILED");
  EXPECT_EQ(d.error.value_or(""), "States.Runtime");
}

TEST_F(Interpreter, parallel_collects_branch_outputs_and_numbers_events_like_aws) {
  auto sm = create("parallel", R"({"StartAt":"LoadInput","States":{
      "LoadInput":{"Type":"Pass","Result":[1,2,3,4],"Next":"ParallelState"},
      "ParallelState":{"Type":"Parallel","End":true,"Branches":[
        {"StartAt":"Branch1","States":{"Branch1":{"Type":"Pass","End":true}}},
        {"StartAt":"Branch21","States":{"Branch21":{"Type":"Pass","Next":"Branch22"},
                                        "Branch22":{"Type":"Pass","End":true}}},
        {"StartAt":"Branch31","States":{"Branch31":{"Type":"Pass","Next":"Branch32"},
                                        "Branch32":{"Type":"Pass","Next":"Branch33"},
                                        "Branch33":{"Type":"Pass","End":true}}}]}}})");
  auto ex = start(sm);
  auto d = settle(ex);
  ASSERT_EQ(d.status, "SUCCEEDED");
  EXPECT_EQ(*d.output, "[[1,2,3,4],[1,2,3,4],[1,2,3,4]]");
  auto h = history(ex);
  ASSERT_EQ(h.size(), 20u);
  EXPECT_EQ(lineage({h[3], h[4]}), (V{"4:3:ParallelStateEntered", "5:4:ParallelStateStarted"}));
  // AWS: ParallelStateSucceeded and ParallelStateExited both follow the last branch event.
  EXPECT_EQ(h[17].type, "ParallelStateSucceeded");
  EXPECT_EQ(h[18].type, "ParallelStateExited");
  EXPECT_EQ(h[17].previous_id, 17);
  EXPECT_EQ(h[18].previous_id, 17);
  EXPECT_EQ(lineage({h[19]}), (V{"20:19:ExecutionSucceeded"}));
  // every branch starts from ParallelStateStarted
  int from_started = 0;
  for (const auto& ev : h)
    if (ev.type == "PassStateEntered" && ev.previous_id == 5) ++from_started;
  EXPECT_EQ(from_started, 3);
}

TEST_F(Interpreter, parallel_branch_failure_is_caught_at_the_parallel_state) {
  auto sm = create("parallel-fail", R"({"StartAt":"P","States":{
      "P":{"Type":"Parallel","Next":"Done","Catch":[{"ErrorEquals":["States.ALL"],
           "ResultPath":"$.err","Next":"Caught"}],"Branches":[
        {"StartAt":"W","States":{"W":{"Type":"Wait","Seconds":100,"End":true}}},
        {"StartAt":"F","States":{"F":{"Type":"Fail","Error":"Boom","Cause":"bad"}}}]},
      "Done":{"Type":"Succeed"},
      "Caught":{"Type":"Pass","End":true}}})");
  auto ex = start(sm, R"({"x":1})");
  auto d = settle(ex);
  ASSERT_EQ(d.status, "SUCCEEDED");
  EXPECT_EQ(*d.output, R"({"x":1,"err":{"Error":"Boom","Cause":"bad"}})");
  auto t = types(history(ex));
  EXPECT_NE(std::find(t.begin(), t.end(), "ParallelStateFailed"), t.end());
  // the aborted Wait branch never exits
  EXPECT_EQ(std::find(t.begin(), t.end(), "WaitStateExited"), t.end());
}

TEST_F(Interpreter, inline_map_with_max_concurrency_1_chains_iterations_like_aws) {
  // The machine AWS recorded (localstack's map_state snapshot): ids and previousEventIds.
  auto sm = create("map", R"({"StartAt":"StartState","States":{
      "StartState":{"Type":"Pass","Result":[1,"Hello",{},null,3.3,3,4,5],"ResultPath":"$.arr",
                    "Next":"MapState"},
      "MapState":{"Type":"Map","ResultPath":null,"InputPath":"$.arr","MaxConcurrency":1,
        "ItemProcessor":{"ProcessorConfig":{"Mode":"INLINE"},"StartAt":"HandleItem",
          "States":{"HandleItem":{"Type":"Pass","End":true}}},"Next":"Final"},
      "Final":{"Type":"Pass","End":true}}})");
  auto ex = start(sm);
  auto d = settle(ex);
  ASSERT_EQ(d.status, "SUCCEEDED");
  EXPECT_EQ(*d.output, R"({"arr":[1,"Hello",{},null,3.3,3,4,5]})");
  auto h = history(ex);
  ASSERT_EQ(h.size(), 42u);
  EXPECT_EQ(lineage({h[4], h[5], h[6], h[7], h[8], h[9], h[10]}),
            (V{"5:4:MapStateStarted", "6:5:MapIterationStarted", "7:6:PassStateEntered",
               "8:7:PassStateExited", "9:8:MapIterationSucceeded", "10:8:MapIterationStarted",
               "11:10:PassStateEntered"}));
  EXPECT_EQ(h[4].detail["length"], 8);
  EXPECT_EQ(h[5].detail["name"], "MapState");
  EXPECT_EQ(h[9].detail["index"], 1);
  EXPECT_EQ(lineage({h[36], h[37], h[38], h[39]}),
            (V{"37:36:MapIterationSucceeded", "38:37:MapStateSucceeded", "39:37:MapStateExited",
               "40:39:PassStateEntered"}));
  // iteration 4 (the item 3.3): MapIterationStarted is event 22, its state entered 23
  EXPECT_EQ(h[21].type, "MapIterationStarted");
  EXPECT_EQ(h[21].detail["index"], 4);
  EXPECT_EQ(h[22].type, "PassStateEntered");
  EXPECT_EQ(h[22].detail["input"], "3.3");
}

TEST_F(Interpreter, map_iteration_failure_is_caught_like_aws) {
  auto sm = create("map-catch", R"({"StartAt":"StartState","States":{
      "StartState":{"Type":"Pass","Result":[1],"ResultPath":"$.arr","Next":"MapState"},
      "MapState":{"Type":"Map","InputPath":"$.arr","Next":"Final",
        "Catch":[{"ErrorEquals":["States.ALL"],"Next":"FinalCaught"}],
        "ItemProcessor":{"StartAt":"HandleItemFail","States":{"HandleItemFail":{"Type":"Fail",
          "Error":"HandleItemFailError","Cause":"HandleItemFailCause"}}}},
      "Final":{"Type":"Pass","End":true},
      "FinalCaught":{"Type":"Pass","End":true}}})");
  auto ex = start(sm);
  auto d = settle(ex);
  ASSERT_EQ(d.status, "SUCCEEDED");
  EXPECT_EQ(*d.output, R"({"Error":"HandleItemFailError","Cause":"HandleItemFailCause"})");
  EXPECT_EQ(lineage(history(ex)),
            (V{"1:0:ExecutionStarted", "2:0:PassStateEntered", "3:2:PassStateExited",
               "4:3:MapStateEntered", "5:4:MapStateStarted", "6:5:MapIterationStarted",
               "7:6:FailStateEntered", "8:7:MapIterationFailed", "9:7:MapStateFailed",
               "10:9:MapStateExited", "11:10:PassStateEntered", "12:11:PassStateExited",
               "13:12:ExecutionSucceeded"}));
}

TEST_F(Interpreter, map_retry_restarts_the_map_like_aws) {
  auto sm = create("map-retry", R"({"StartAt":"StartState","States":{
      "StartState":{"Type":"Pass","Result":[1],"ResultPath":"$.arr","Next":"MapState"},
      "MapState":{"Type":"Map","InputPath":"$.arr","End":true,
        "Retry":[{"ErrorEquals":["States.ALL"],"IntervalSeconds":1,"MaxAttempts":2,
                  "BackoffRate":1}],
        "ItemProcessor":{"StartAt":"HandleItemFail","States":{"HandleItemFail":{"Type":"Fail",
          "Error":"HandleItemFailError","Cause":"HandleItemFailCause"}}}}}})");
  auto ex = start(sm);
  auto d = run_to_end(ex);
  EXPECT_EQ(d.status, "FAILED");
  EXPECT_EQ(d.error.value_or(""), "HandleItemFailError");
  EXPECT_EQ(lineage(history(ex)),
            (V{"1:0:ExecutionStarted", "2:0:PassStateEntered", "3:2:PassStateExited",
               "4:3:MapStateEntered", "5:4:MapStateStarted", "6:5:MapIterationStarted",
               "7:6:FailStateEntered", "8:7:MapIterationFailed", "9:7:MapStateStarted",
               "10:9:MapIterationStarted", "11:10:FailStateEntered", "12:11:MapIterationFailed",
               "13:11:MapStateStarted", "14:13:MapIterationStarted", "15:14:FailStateEntered",
               "16:15:MapIterationFailed", "17:15:MapStateFailed", "18:17:ExecutionFailed"}));
}

TEST_F(Interpreter, map_item_selector_sees_the_item_and_its_index) {
  auto sm = create("map-selector", R"({"StartAt":"M","States":{"M":{"Type":"Map",
      "ItemsPath":"$.items","ItemSelector":{"i.$":"$$.Map.Item.Index","v.$":"$$.Map.Item.Value",
      "k.$":"$.k"},
      "ItemProcessor":{"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}},"End":true}}})");
  auto d = settle(start(sm, R"({"items":["a","b"],"k":7})"));
  ASSERT_EQ(d.status, "SUCCEEDED");
  EXPECT_EQ(*d.output, R"([{"i":0,"v":"a","k":7},{"i":1,"v":"b","k":7}])");
}

TEST_F(Interpreter, map_legacy_iterator_and_parameters_still_work) {
  auto sm = create("map-legacy", R"({"StartAt":"M","States":{"M":{"Type":"Map",
      "Parameters":{"v.$":"$$.Map.Item.Value"},
      "Iterator":{"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}},"End":true}}})");
  EXPECT_EQ(*settle(start(sm, "[1,2]")).output, R"([{"v":1},{"v":2}])");
}

TEST_F(Interpreter, map_over_an_empty_array_yields_an_empty_array) {
  auto sm = create("map-empty", R"({"StartAt":"M","States":{"M":{"Type":"Map",
      "ItemProcessor":{"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}},"End":true}}})");
  auto ex = start(sm, "[]");
  EXPECT_EQ(*settle(ex).output, "[]");
  EXPECT_EQ(types(history(ex)), (V{"ExecutionStarted", "MapStateEntered", "MapStateStarted",
                                   "MapStateSucceeded", "MapStateExited", "ExecutionSucceeded"}));
}

TEST_F(Interpreter, map_with_waits_runs_iterations_concurrently) {
  auto sm = create("map-wait", R"({"StartAt":"M","States":{"M":{"Type":"Map",
      "ItemProcessor":{"StartAt":"W","States":{"W":{"Type":"Wait","SecondsPath":"$",
      "End":true}}},"End":true}}})");
  auto ex = start(sm, "[30,10,20]");
  EXPECT_EQ(settle(ex).status, "RUNNING");
  advance(29000);
  EXPECT_EQ(settle(ex).status, "RUNNING");
  advance(1000);
  auto d = settle(ex);
  ASSERT_EQ(d.status, "SUCCEEDED");
  EXPECT_EQ(*d.output, "[30,10,20]");
  EXPECT_EQ(d.stop_date - d.start_date, 30000);
}

TEST_F(Interpreter, map_items_path_must_be_an_array) {
  auto sm = create("map-bad", R"({"StartAt":"M","States":{"M":{"Type":"Map","ItemsPath":"$.x",
      "ItemProcessor":{"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}},"End":true}}})");
  auto d = settle(start(sm, R"({"x":{"not":"array"}})"));
  EXPECT_EQ(d.status, "FAILED");
  EXPECT_EQ(d.error.value_or(""), "States.Runtime");
}

TEST_F(Interpreter, context_object_fields) {
  auto sm = create("ctx", R"({"StartAt":"P","States":{"P":{"Type":"Pass","Parameters":{
      "ctx.$":"$$"},"End":true}}})");
  auto ex = start(sm, R"({"a":1})", "ctx-run");
  auto d = settle(ex);
  ASSERT_EQ(d.status, "SUCCEEDED");
  Json out = Json::parse(*d.output);
  EXPECT_EQ(out["ctx"]["Execution"]["Id"], ex);
  EXPECT_EQ(out["ctx"]["Execution"]["Name"], "ctx-run");
  EXPECT_EQ(out["ctx"]["Execution"]["Input"]["a"], 1);
  EXPECT_EQ(out["ctx"]["Execution"]["StartTime"], iso8601_ms(kStart));
  EXPECT_EQ(out["ctx"]["StateMachine"]["Id"], sm);
  EXPECT_EQ(out["ctx"]["StateMachine"]["Name"], "ctx");
  EXPECT_EQ(out["ctx"]["State"]["Name"], "P");
  EXPECT_FALSE(out["ctx"]["State"].contains("RetryCount"));
}

TEST_F(Interpreter, execution_timeout_times_out) {
  auto sm = create("timeout", R"({"TimeoutSeconds":5,"StartAt":"W","States":{"W":{"Type":"Wait",
      "Seconds":60,"End":true}}})");
  auto ex = start(sm);
  advance(5000);
  auto d = settle(ex);
  EXPECT_EQ(d.status, "TIMED_OUT");
  auto h = history(ex);
  EXPECT_EQ(h.back().type, "ExecutionTimedOut");
  EXPECT_EQ(h.back().detail["error"], "States.Timeout");
}

TEST_F(Interpreter, stop_execution_aborts_with_error_and_cause) {
  auto sm = create("stop", R"({"StartAt":"W","States":{"W":{"Type":"Wait","Seconds":60,
      "End":true}}})");
  auto ex = start(sm);
  auto stopped = wait_for<TimeMs>([&](auto done) { engine().stop_execution(ex, "E", "C", done); });
  ASSERT_TRUE(stopped.ok());
  auto d = describe(ex);
  EXPECT_EQ(d.status, "ABORTED");
  EXPECT_EQ(d.error.value_or(""), "E");
  auto h = history(ex);
  EXPECT_EQ(h.back().type, "ExecutionAborted");
  EXPECT_EQ(h.back().detail["cause"], "C");
  // the Wait's timer no longer fires
  advance(60000);
  EXPECT_EQ(history(ex).size(), h.size());
}

}  // namespace
}  // namespace sluice::services::sfn::testing
