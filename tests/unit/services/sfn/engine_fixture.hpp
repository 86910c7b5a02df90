#pragma once
// A Step Functions engine on a virtual clock for interpreter tests, with blocking
// helpers around the engine's asynchronous operations.
#include <chrono>
#include <future>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "sluice/common/clock.hpp"
#include "sluice/common/timer.hpp"
#include "sluice/services/runtime.hpp"
#include "sluice/services/sfn/engine.hpp"
#include "sluice/store/store.hpp"

namespace sluice::services::sfn::testing {

// 2023-11-14T22:13:20Z
constexpr TimeMs kStart = 1700000000000;

template <typename T>
Result<T> wait_for(std::function<void(Done<T>)> call) {
  auto p = std::make_shared<std::promise<Result<T>>>();
  auto f = p->get_future();
  call([p](Result<T> r) { p->set_value(std::move(r)); });
  if (f.wait_for(std::chrono::seconds(10)) != std::future_status::ready)
    return Error::internal("timed out waiting for the engine");
  return f.get();
}

inline Status wait_status(std::function<void(DoneStatus)> call) {
  auto p = std::make_shared<std::promise<Status>>();
  auto f = p->get_future();
  call([p](Status r) { p->set_value(std::move(r)); });
  if (f.wait_for(std::chrono::seconds(10)) != std::future_status::ready)
    return Error::internal("timed out waiting for the engine");
  return f.get();
}

class EngineTest : public ::testing::Test {
 public:
  EngineTest() : clock_(kStart), timers_(clock_) {}
  ~EngineTest() override {
    if (engine_) engine_->shutdown();
    timers_.stop();
  }

  void start_engine(EngineOptions options = {}, store::Store* store = nullptr) {
    runtime_ = std::make_unique<Runtime>(
        Runtime{clock_, timers_, store ? *store : null_store_, "us-east-1", "123456789012", ""});
    auto e = SfnEngine::create(*runtime_, std::move(options));
    ASSERT_TRUE(e.ok()) << e.error().message;
    engine_ = *e;
  }
  SfnEngine& engine() {
    if (!engine_) start_engine();
    return *engine_;
  }

  std::string create(const std::string& name, const std::string& definition,
                     const std::string& type = "STANDARD") {
    CreateStateMachineRequest r;
    r.name = name;
    r.definition = definition;
    r.role_arn = "arn:aws:iam::123456789012:role/sfn";
    r.type = type;
    auto out = wait_for<CreateStateMachineResult>(
        [&](auto done) { engine().create_state_machine(scope_, r, done); });
    EXPECT_TRUE(out.ok()) << (out.ok() ? "" : out.error().message);
    return out.ok() ? out->state_machine_arn : "";
  }

  std::string start(const std::string& machine, const std::string& input = "{}",
                    const std::string& name = "") {
    StartExecutionRequest r;
    r.target_arn = machine;
    r.input = input;
    r.name = name;
    auto out = wait_for<ArnAndDate>([&](auto done) { engine().start_execution(scope_, r, done); });
    EXPECT_TRUE(out.ok()) << (out.ok() ? "" : out.error().message);
    return out.ok() ? out->arn : "";
  }

  ExecutionInfo describe(const std::string& arn) {
    auto out = wait_for<ExecutionInfo>([&](auto done) { engine().describe_execution(arn, done); });
    EXPECT_TRUE(out.ok()) << (out.ok() ? "" : out.error().message);
    return out.ok() ? *out : ExecutionInfo{};
  }

  // Lets the engine and the timer thread settle (timers already due fire; virtual time
  // moves only when the test says so), then describes the execution.
  ExecutionInfo settle(const std::string& arn) {
    quiesce();
    return describe(arn);
  }

  void advance(TimeMs ms) {
    clock_.advance_ms(ms);
    quiesce();
  }

  // Waits until no timer is due and the engine has run what they posted.
  void quiesce() {
    for (int round = 0; round < 3; ++round) {
      for (int i = 0; i < 2000; ++i) {
        const TimeMs next = timers_.next_deadline();
        if (next < 0 || next > clock_.now_ms()) break;
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
      engine().sync();
    }
  }

  // Auto-advance until the execution ends (a virtual year passes in milliseconds).
  ExecutionInfo run_to_end(const std::string& arn) {
    clock_.set_auto_advance(true);
    ExecutionInfo last;
    for (int i = 0; i < 2000; ++i) {
      last = describe(arn);
      if (last.status != "RUNNING") break;
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    clock_.set_auto_advance(false);
    return last;
  }

  std::vector<HistoryEvent> history(const std::string& arn) {
    HistoryRequest r;
    r.execution_arn = arn;
    r.max_results = 1000;
    auto out =
        wait_for<Page<HistoryEvent>>([&](auto done) { engine().get_execution_history(r, done); });
    EXPECT_TRUE(out.ok()) << (out.ok() ? "" : out.error().message);
    return out.ok() ? out->items : std::vector<HistoryEvent>{};
  }

  static std::vector<std::string> types(const std::vector<HistoryEvent>& events) {
    std::vector<std::string> out;
    for (const auto& e : events)
      out.push_back(e.type);
    return out;
  }
  // "id:previous:type" for every event, to compare with AWS's numbering.
  static std::vector<std::string> lineage(const std::vector<HistoryEvent>& events) {
    std::vector<std::string> out;
    for (const auto& e : events)
      out.push_back(std::to_string(e.id) + ":" + std::to_string(e.previous_id) + ":" + e.type);
    return out;
  }

  VirtualClock clock_;
  TimerService timers_;
  store::NullStore null_store_;
  std::unique_ptr<Runtime> runtime_;
  std::shared_ptr<SfnEngine> engine_;
  Scope scope_{"us-east-1", "123456789012"};
};

}  // namespace sluice::services::sfn::testing
