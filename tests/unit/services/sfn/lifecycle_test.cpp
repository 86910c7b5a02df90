// Versions and aliases, TestState, redrive, distributed Map runs, and persistence:
// a running execution resumes after a restart.
#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>

#include "engine_fixture.hpp"

namespace sluice::services::sfn::testing {
namespace {

using V = std::vector<std::string>;

class Lifecycle : public EngineTest {};

TEST_F(Lifecycle, test_state_reports_output_next_state_and_inspection_data) {
  TestStateRequest r;
  r.definition = R"({"Type":"Pass","InputPath":"$.a","Parameters":{"v.$":"$.b"},
                     "ResultPath":"$.r","Next":"After"})";
  r.input = R"({"a":{"b":5}})";
  r.inspection_level = "DEBUG";
  auto out = wait_for<TestStateResult>([&](auto done) { engine().test_state(scope_, r, done); });
  ASSERT_TRUE(out.ok()) << out.error().message;
  EXPECT_EQ(out->status, "SUCCEEDED");
  EXPECT_EQ(out->next_state, "After");
  // ResultPath places the result into the state's raw input, not the InputPath selection.
  EXPECT_EQ(out->output.value_or(""), R"({"a":{"b":5},"r":{"v":5}})");
  EXPECT_EQ(out->inspection_data["afterInputPath"], R"({"b":5})");
  EXPECT_EQ(out->inspection_data["afterParameters"], R"({"v":5})");
  EXPECT_EQ(out->inspection_data["afterResultPath"], R"({"a":{"b":5},"r":{"v":5}})");
}

TEST_F(Lifecycle, test_state_context_supplies_the_context_object) {
  TestStateRequest r;
  r.definition = R"({"Type":"Pass","Parameters":{"item.$":"$$.Map.Item.Value",
                     "exec.$":"$$.Execution.Name"},"End":true})";
  r.context = R"({"Map":{"Item":{"Index":0,"Value":7}},"Execution":{"Name":"given"}})";
  auto out = wait_for<TestStateResult>([&](auto done) { engine().test_state(scope_, r, done); });
  ASSERT_TRUE(out.ok()) << out.error().message;
  EXPECT_EQ(out->status, "SUCCEEDED");
  EXPECT_EQ(out->output.value_or(""), R"({"item":7,"exec":"given"})");
  r.context = "[1]";
  out = wait_for<TestStateResult>([&](auto done) { engine().test_state(scope_, r, done); });
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.error().code, "ValidationException");
}

TEST_F(Lifecycle, test_state_of_a_map_inspects_the_map_not_its_iterations) {
  TestStateRequest r;
  r.definition = R"({"Type":"Map","InputPath":"$.in","ItemsPath":"$.items","MaxConcurrency":2,
      "ItemSelector":{"v.$":"$$.Map.Item.Value","k.$":"$.k"},
      "ItemProcessor":{"StartAt":"P","States":{"P":{"Type":"Pass","InputPath":"$.v","End":true}}},
      "End":true})";
  r.input = R"({"in":{"k":"x","items":[1,2]}})";
  r.inspection_level = "DEBUG";
  auto out = wait_for<TestStateResult>([&](auto done) { engine().test_state(scope_, r, done); });
  ASSERT_TRUE(out.ok()) << out.error().message;
  EXPECT_EQ(out->status, "SUCCEEDED");
  EXPECT_EQ(out->output.value_or(""), "[1,2]");
  EXPECT_EQ(out->inspection_data["afterInputPath"], R"({"k":"x","items":[1,2]})");
  EXPECT_EQ(out->inspection_data["afterItemsPath"], "[1,2]");
  EXPECT_EQ(out->inspection_data["afterItemSelector"], R"([{"v":1,"k":"x"},{"v":2,"k":"x"}])");
  EXPECT_EQ(out->inspection_data["maxConcurrency"], 2);
}

TEST_F(Lifecycle, test_state_with_a_mocked_error_is_retriable_or_caught) {
  TestStateRequest r;
  r.definition = R"({"Type":"Task","Resource":"arn:aws:states:::lambda:invoke",
      "Parameters":{"FunctionName":"f"},
      "Retry":[{"ErrorEquals":["Boom"],"MaxAttempts":2}],
      "Catch":[{"ErrorEquals":["States.ALL"],"Next":"Handler"}],"End":true})";
  r.mock_error_given = true;
  r.mock_error = "Boom";
  r.mock_cause = "why";
  auto retriable =
      wait_for<TestStateResult>([&](auto done) { engine().test_state(scope_, r, done); });
  ASSERT_TRUE(retriable.ok());
  EXPECT_EQ(retriable->status, "RETRIABLE");
  EXPECT_EQ(retriable->error.value_or(""), "Boom");
  r.retrier_retry_count = 2;  // retries used up: the catcher takes it
  auto caught = wait_for<TestStateResult>([&](auto done) { engine().test_state(scope_, r, done); });
  ASSERT_TRUE(caught.ok());
  EXPECT_EQ(caught->status, "CAUGHT_ERROR");
  EXPECT_EQ(caught->next_state, "Handler");
  EXPECT_EQ(caught->output.value_or(""), R"({"Error":"Boom","Cause":"why"})");
}

TEST_F(Lifecycle, test_state_choice_and_fail) {
  TestStateRequest r;
  r.definition = R"({"Type":"Choice","Choices":[{"Variable":"$.n","NumericEquals":1,
                     "Next":"One"}],"Default":"Other"})";
  r.input = R"({"n":1})";
  auto out = wait_for<TestStateResult>([&](auto done) { engine().test_state(scope_, r, done); });
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(out->next_state, "One");
  r.definition = R"({"Type":"Fail","Error":"E","Cause":"C"})";
  auto failed = wait_for<TestStateResult>([&](auto done) { engine().test_state(scope_, r, done); });
  ASSERT_TRUE(failed.ok());
  EXPECT_EQ(failed->status, "FAILED");
  EXPECT_EQ(failed->error.value_or(""), "E");
  r.definition = R"({"Type":"Nope"})";
  auto invalid =
      wait_for<TestStateResult>([&](auto done) { engine().test_state(scope_, r, done); });
  ASSERT_FALSE(invalid.ok());
  EXPECT_EQ(invalid.error().code, "InvalidDefinition");
}

TEST_F(Lifecycle, redrive_restarts_from_the_failed_state) {
  auto sm = create("redrive", R"({"StartAt":"First","States":{
      "First":{"Type":"Pass","Result":{"step":1},"Next":"Check"},
      "Check":{"Type":"Choice","Choices":[{"Variable":"$.step","NumericEquals":1,"Next":"Boom"}]},
      "Boom":{"Type":"Wait","Seconds":10,"Next":"End"},
      "End":{"Type":"Succeed"}}})");
  auto ex = start(sm);
  auto stopped = wait_for<TimeMs>([&](auto done) { engine().stop_execution(ex, "", "", done); });
  ASSERT_TRUE(stopped.ok());
  EXPECT_EQ(describe(ex).status, "ABORTED");
  auto again = wait_for<TimeMs>([&](auto done) { engine().redrive_execution(ex, "tok", done); });
  ASSERT_TRUE(again.ok()) << again.error().message;
  auto d = describe(ex);
  EXPECT_EQ(d.status, "RUNNING");
  EXPECT_EQ(d.redrive_count, 1);
  advance(10000);
  d = settle(ex);
  EXPECT_EQ(d.status, "SUCCEEDED");
  auto t = types(history(ex));
  EXPECT_EQ(std::count(t.begin(), t.end(), "PassStateEntered"), 1);  // First ran once
  EXPECT_NE(std::find(t.begin(), t.end(), "ExecutionRedriven"), t.end());
  auto not_again = wait_for<TimeMs>([&](auto done) { engine().redrive_execution(ex, "", done); });
  ASSERT_FALSE(not_again.ok());
  EXPECT_EQ(not_again.error().code, "ExecutionNotRedrivable");
}

TEST_F(Lifecycle, running_standard_executions_are_limited_per_account_and_region) {
  start_engine();
  runtime_->max_running_executions = 2;
  auto sm = create("limited",
                   R"({"StartAt":"W","States":{"W":{"Type":"Wait","Seconds":10,"End":true}}})");
  auto a = start(sm);
  auto b = start(sm);
  auto start_more = [&](const Scope& scope, const std::string& machine) {
    StartExecutionRequest r;
    r.target_arn = machine;
    return wait_for<ArnAndDate>([&](auto done) { engine().start_execution(scope, r, done); });
  };
  auto third = start_more(scope_, sm);
  ASSERT_FALSE(third.ok());
  EXPECT_EQ(third.error().code, "ExecutionLimitExceeded");
  EXPECT_NE(third.error().message.find("--max-running-executions"), std::string::npos);
  // Starting a running execution again (same name and input) is not a new one.
  StartExecutionRequest same;
  same.target_arn = sm;
  same.name = describe(a).name;
  same.input = "{}";
  auto again =
      wait_for<ArnAndDate>([&](auto done) { engine().start_execution(scope_, same, done); });
  ASSERT_TRUE(again.ok()) << again.error().message;
  EXPECT_EQ(again->arn, a);
  // Express executions do not count.
  auto express = create("limited-express",
                        R"({"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}})", "EXPRESS");
  EXPECT_TRUE(start_more(scope_, express).ok());
  // Another account is a namespace of its own.
  Scope other{"us-east-1", "210987654321"};
  CreateStateMachineRequest cr;
  cr.name = "limited";
  cr.definition = R"({"StartAt":"W","States":{"W":{"Type":"Wait","Seconds":10,"End":true}}})";
  cr.role_arn = "arn:aws:iam::210987654321:role/sfn";
  auto other_sm = wait_for<CreateStateMachineResult>(
      [&](auto done) { engine().create_state_machine(other, cr, done); });
  ASSERT_TRUE(other_sm.ok()) << other_sm.error().message;
  EXPECT_TRUE(start_more(other, other_sm->state_machine_arn).ok());
  // Stopping one frees its place; a redrive needs a place too.
  ASSERT_TRUE(wait_for<TimeMs>([&](auto done) { engine().stop_execution(a, "", "", done); }).ok());
  auto c = start_more(scope_, sm);
  ASSERT_TRUE(c.ok()) << c.error().message;
  auto redrive = wait_for<TimeMs>([&](auto done) { engine().redrive_execution(a, "", done); });
  ASSERT_FALSE(redrive.ok());
  EXPECT_EQ(redrive.error().code, "ExecutionLimitExceeded");
  // Ending by itself frees a place as well.
  advance(10000);
  EXPECT_EQ(settle(b).status, "SUCCEEDED");
  EXPECT_TRUE(wait_for<TimeMs>([&](auto done) { engine().redrive_execution(a, "", done); }).ok());
  EXPECT_EQ(describe(a).status, "RUNNING");
  // A reset drops the running executions and their places with them.
  engine().reset();
  auto fresh = create("limited",
                      R"({"StartAt":"W","States":{"W":{"Type":"Wait","Seconds":10,"End":true}}})");
  start(fresh);
  start(fresh);
  EXPECT_FALSE(start_more(scope_, fresh).ok());
}

TEST_F(Lifecycle, distributed_map_runs_children_and_counts_them) {
  auto sm = create("dmap", R"({"StartAt":"M","States":{"M":{"Type":"Map","Label":"Items",
      "MaxConcurrency":2,
      "ItemProcessor":{"ProcessorConfig":{"Mode":"DISTRIBUTED","ExecutionType":"STANDARD"},
        "StartAt":"Double","States":{"Double":{"Type":"Pass","Parameters":{"v.$":"$"},
        "End":true}}},"End":true}}})");
  auto ex = start(sm, "[1,2,3]");
  auto d = settle(ex);
  ASSERT_EQ(d.status, "SUCCEEDED");
  EXPECT_EQ(*d.output, R"([{"v":1},{"v":2},{"v":3}])");
  auto runs =
      wait_for<Page<MapRunInfo>>([&](auto done) { engine().list_map_runs(ex, 0, "", done); });
  ASSERT_TRUE(runs.ok());
  ASSERT_EQ(runs->items.size(), 1u);
  const auto& run = runs->items[0];
  EXPECT_EQ(run.status, "SUCCEEDED");
  EXPECT_EQ(run.item_counts.total, 3);
  EXPECT_EQ(run.item_counts.succeeded, 3);
  EXPECT_NE(run.arn.find(":mapRun:dmap/Items:"), std::string::npos);
  ListExecutionsRequest lr;
  lr.map_run_arn = run.arn;
  auto children =
      wait_for<Page<ExecutionInfo>>([&](auto done) { engine().list_executions(lr, done); });
  ASSERT_TRUE(children.ok());
  EXPECT_EQ(children->items.size(), 3u);
  auto t = types(history(ex));
  EXPECT_NE(std::find(t.begin(), t.end(), "MapRunStarted"), t.end());
  EXPECT_NE(std::find(t.begin(), t.end(), "MapRunSucceeded"), t.end());
}

TEST_F(Lifecycle, distributed_map_tolerates_failures_up_to_the_threshold) {
  auto def = [](int tolerated) {
    return R"({"StartAt":"M","States":{"M":{"Type":"Map","ToleratedFailureCount":)" +
           std::to_string(tolerated) + R"(,
      "ItemProcessor":{"ProcessorConfig":{"Mode":"DISTRIBUTED","ExecutionType":"EXPRESS"},
        "StartAt":"C","States":{"C":{"Type":"Choice","Choices":[{"Variable":"$","NumericEquals":0,
        "Next":"F"}],"Default":"S"},"F":{"Type":"Fail","Error":"Zero"},"S":{"Type":"Succeed"}}},
      "End":true}}})";
  };
  auto lenient = create("dmap-lenient", def(1));
  EXPECT_EQ(settle(start(lenient, "[0,1,2]")).status, "SUCCEEDED");
  auto strict = create("dmap-strict", def(0));
  auto d = settle(start(strict, "[0,1,2]"));
  EXPECT_EQ(d.status, "FAILED");
  EXPECT_EQ(d.error.value_or(""), "States.ExceedToleratedFailureThreshold");
}

TEST_F(Lifecycle, alias_routes_executions_to_its_version) {
  CreateStateMachineRequest r;
  r.name = "aliased";
  r.definition = R"({"StartAt":"P","States":{"P":{"Type":"Pass","Result":"v1","End":true}}})";
  r.role_arn = "arn:aws:iam::123456789012:role/sfn";
  r.publish = true;
  auto created = wait_for<CreateStateMachineResult>(
      [&](auto done) { engine().create_state_machine(scope_, r, done); });
  ASSERT_TRUE(created.ok());
  EXPECT_EQ(created->version_arn, created->state_machine_arn + ":1");
  UpdateStateMachineRequest u;
  u.arn = created->state_machine_arn;
  u.definition = R"({"StartAt":"P","States":{"P":{"Type":"Pass","Result":"v2","End":true}}})";
  ASSERT_TRUE(wait_for<UpdateStateMachineResult>([&](auto done) {
                engine().update_state_machine(u, done);
              }).ok());
  auto alias = wait_for<ArnAndDate>([&](auto done) {
    engine().create_state_machine_alias("prod", "", {{created->version_arn, 100}}, done);
  });
  ASSERT_TRUE(alias.ok()) << alias.error().message;
  EXPECT_EQ(*settle(start(alias->arn)).output, R"("v1")");
  EXPECT_EQ(*settle(start(created->state_machine_arn)).output, R"("v2")");
  auto bad = wait_for<ArnAndDate>([&](auto done) {
    engine().create_state_machine_alias("half", "", {{created->version_arn, 50}}, done);
  });
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code, "ValidationException");
}

class SfnPersistence : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("sluice-sfn-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::filesystem::path dir_;
};

// A helper engine bound to a store, as a server run: stops when it goes out of scope.
struct ServerRun : EngineTest {
  std::unique_ptr<store::Store> store;
  explicit ServerRun(const std::filesystem::path& dir, TimeMs at) {
    clock_.set_ms(at);
    auto s = store::open_sqlite_store(dir.string());
    EXPECT_TRUE(s.ok());
    store = std::move(*s);
    start_engine({}, store.get());
    EXPECT_TRUE(engine().restore().ok());
  }
  ~ServerRun() override {
    engine_->shutdown();
    store->flush();
  }
  void TestBody() override {}
};

TEST_F(SfnPersistence, machines_executions_and_history_survive_and_a_wait_resumes) {
  std::string sm, ex, act;
  {
    ServerRun run(dir_, kStart);
    sm = run.create("durable", R"({"StartAt":"W","States":{"W":{"Type":"Wait","Seconds":60,
        "Next":"P"},"P":{"Type":"Pass","Result":"after","End":true}}})");
    ex = run.start(sm, R"({"k":1})", "survivor");
    auto a = wait_for<ArnAndDate>(
        [&](auto done) { run.engine().create_activity(run.scope_, "kept", {}, nullptr, done); });
    ASSERT_TRUE(a.ok());
    act = a->arn;
    run.settle(ex);
    run.store->flush();
  }
  {
    ServerRun run(dir_, kStart + 10000);
    auto d = run.describe(ex);
    EXPECT_EQ(d.status, "RUNNING");
    EXPECT_EQ(d.input, R"({"k":1})");
    EXPECT_EQ(run.types(run.history(ex)), (V{"ExecutionStarted", "WaitStateEntered"}));
    auto a = wait_for<ActivityInfo>([&](auto done) { run.engine().describe_activity(act, done); });
    EXPECT_TRUE(a.ok());
    run.advance(50000);  // the Wait ends 60 s after it began
    d = run.settle(ex);
    EXPECT_EQ(d.status, "SUCCEEDED");
    EXPECT_EQ(*d.output, R"("after")");
    run.store->flush();
  }
  {
    ServerRun run(dir_, kStart + 100000);
    auto d = run.describe(ex);
    EXPECT_EQ(d.status, "SUCCEEDED");
    EXPECT_EQ(run.history(ex).size(), 6u);
  }
}

TEST_F(SfnPersistence, a_callback_token_stays_valid_across_a_restart) {
  std::string ex, token;
  {
    ServerRun run(dir_, kStart);
    auto act = wait_for<ArnAndDate>(
        [&](auto done) { run.engine().create_activity(run.scope_, "cb", {}, nullptr, done); });
    auto sm = run.create("cb", R"({"StartAt":"T","States":{"T":{"Type":"Task","Resource":")" +
                                   act->arn + R"(","End":true}}})");
    ex = run.start(sm);
    auto task = wait_for<ActivityTask>(
        [&](auto done) { run.engine().get_activity_task(act->arn, "w", 1000, done); });
    ASSERT_TRUE(task.ok());
    token = task->task_token;
    ASSERT_FALSE(token.empty());
    run.settle(ex);
    run.store->flush();
  }
  {
    ServerRun run(dir_, kStart + 1000);
    ASSERT_TRUE(wait_status([&](auto done) {
                  run.engine().send_task_success(token, R"({"ok":1})", done);
                }).ok());
    auto d = run.settle(ex);
    EXPECT_EQ(d.status, "SUCCEEDED");
    EXPECT_EQ(*d.output, R"({"ok":1})");
  }
}

}  // namespace
}  // namespace sluice::services::sfn::testing
