// StartSyncExecution: a machine of Pass/Choice/Succeed/Fail/Wait states starts on the
// caller's thread (holding the engine's turn lock), others on the engine thread; either
// way the answer, the numbering of events in causes and the dropping of the closed
// execution are the same.
#include <atomic>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "engine_fixture.hpp"

namespace sluice::services::sfn::testing {
namespace {

class SyncExecution : public EngineTest {
 public:
  Result<ExecutionInfo> run_sync(const std::string& machine, const std::string& input = "{}") {
    StartExecutionRequest r;
    r.target_arn = machine;
    r.input = input;
    return wait_for<ExecutionInfo>(
        [&](auto done) { engine().start_sync_execution(scope_, r, done); });
  }
};

constexpr const char* kFiveStates = R"({"StartAt":"Prepare","States":{
  "Prepare":{"Type":"Pass","Result":{"ok":true},"ResultPath":"$.prepared","Next":"Route"},
  "Route":{"Type":"Choice","Choices":[{"Variable":"$.seq","NumericGreaterThanEquals":0,
           "Next":"Enrich"}],"Default":"Finish"},
  "Enrich":{"Type":"Pass","Parameters":{"seq.$":"$.seq","route":"ge0"},"Next":"Finish"},
  "Finish":{"Type":"Pass","Next":"Done"},
  "Done":{"Type":"Succeed"}}})";

TEST_F(SyncExecution, runs_the_machine_and_answers_with_its_output) {
  auto sm = create("sync5", kFiveStates, "EXPRESS");
  auto r = run_sync(sm, R"({"seq":3})");
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->status, "SUCCEEDED");
  EXPECT_TRUE(r->express);
  EXPECT_EQ(r->input, R"({"seq":3})");
  EXPECT_EQ(r->output.value_or(""), R"({"seq":3,"route":"ge0"})");
  EXPECT_NE(r->arn.find(":express:sync5:"), std::string::npos);
  // Closed EXPRESS executions are not kept: AWS refuses their ARNs.
  auto d = wait_for<ExecutionInfo>([&](auto done) { engine().describe_execution(r->arn, done); });
  ASSERT_FALSE(d.ok());
  EXPECT_EQ(d.error().code, "InvalidArn");
}

TEST_F(SyncExecution, refuses_a_standard_machine_and_a_missing_one) {
  auto sm = create("std", kFiveStates);
  auto r = run_sync(sm);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "StateMachineTypeNotSupported");
  auto missing = run_sync(sm + "x");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, "StateMachineDoesNotExist");
}

TEST_F(SyncExecution, a_runtime_error_names_the_event_the_state_entered_at) {
  // No history is kept for EXPRESS executions, but events are still numbered.
  auto sm = create("badpath", R"({"StartAt":"A","States":{"A":{"Type":"Pass","Next":"P"},
      "P":{"Type":"Pass","InputPath":"$.missing","End":true}}})",
                   "EXPRESS");
  auto r = run_sync(sm, R"({"a":1})");
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->status, "FAILED");
  EXPECT_EQ(r->error.value_or(""), "States.Runtime");
  EXPECT_EQ(r->cause.value_or(""),
            "An error occurred while executing the state 'P' (entered at the event id #4). "
            "Invalid path '$.missing' : No results for path: $['missing']");
}

TEST_F(SyncExecution, a_wait_answers_when_its_timer_fires) {
  auto sm = create("wait", R"({"StartAt":"W","States":{"W":{"Type":"Wait","Seconds":5,
      "Next":"P"},"P":{"Type":"Pass","Result":"done","End":true}}})",
                   "EXPRESS");
  StartExecutionRequest req;
  req.target_arn = sm;
  auto p = std::make_shared<std::promise<Result<ExecutionInfo>>>();
  auto f = p->get_future();
  engine().start_sync_execution(scope_, req,
                                [p](Result<ExecutionInfo> r) { p->set_value(std::move(r)); });
  quiesce();
  EXPECT_EQ(f.wait_for(std::chrono::milliseconds(0)), std::future_status::timeout);
  advance(5000);
  ASSERT_EQ(f.wait_for(std::chrono::seconds(10)), std::future_status::ready);
  auto r = f.get();
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->status, "SUCCEEDED");
  EXPECT_EQ(r->output.value_or(""), R"("done")");
  EXPECT_EQ(r->stop_date - r->start_date, 5000);
}

TEST_F(SyncExecution, parallel_branches_run_on_the_engine_thread) {
  auto sm = create("par", R"({"StartAt":"Par","States":{"Par":{"Type":"Parallel","End":true,
      "Branches":[{"StartAt":"A","States":{"A":{"Type":"Pass","Result":1,"End":true}}},
                  {"StartAt":"B","States":{"B":{"Type":"Pass","Result":2,"End":true}}}]}}})",
                   "EXPRESS");
  auto r = run_sync(sm);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->status, "SUCCEEDED");
  EXPECT_EQ(r->output.value_or(""), "[1,2]");
}

TEST_F(SyncExecution, concurrent_callers_and_standard_executions_do_not_race) {
  auto express = create("many", kFiveStates, "EXPRESS");
  auto standard = create("std5", kFiveStates);
  constexpr int kThreads = 4, kEach = 100;
  std::atomic<int> ok{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) {
        if (t == 0) {
          start(standard, R"({"seq":1})");
          continue;
        }
        auto r = run_sync(express, "{\"seq\":" + std::to_string(i) + "}");
        if (r.ok() && r->status == "SUCCEEDED" &&
            r->output.value_or("") == "{\"seq\":" + std::to_string(i) + ",\"route\":\"ge0\"}")
          ++ok;
      }
    });
  }
  for (auto& th : threads)
    th.join();
  EXPECT_EQ(ok.load(), (kThreads - 1) * kEach);
}

}  // namespace
}  // namespace sluice::services::sfn::testing
