#pragma once
// Engine internals shared by the files of src/services/sfn. Everything here is owned by
// the engine thread (see README.md): no member is touched from any other thread.
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "sluice/common/log.hpp"
#include "sluice/common/timer.hpp"
#include "sluice/services/runtime.hpp"
#include "sluice/services/sfn/asl.hpp"
#include "sluice/services/sfn/data_flow.hpp"
#include "sluice/services/sfn/engine.hpp"
#include "sluice/services/sfn/mock_config.hpp"

namespace sluice::services::sfn {

// One thread that runs posted work in order. Work posted after stop() is dropped.
// Each piece of work runs holding the turn lock; another thread that holds it (turn())
// may work on the engine's state directly, as if it were the engine thread.
class Executor {
 public:
  Executor();
  ~Executor();
  void post(std::function<void()> fn);
  void stop();
  bool on_thread() const { return std::this_thread::get_id() == thread_.get_id(); }
  // The turn lock, for a thread other than the engine thread (never from it: the lock
  // is not recursive). Owns nothing once the executor has stopped: the caller drops its
  // work, as post() would.
  std::unique_lock<std::mutex> turn();

 private:
  void run();
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> queue_;
  bool stopping_ = false;
  std::mutex turn_mu_;
  std::thread thread_;
};

// ---- ARNs ----

struct ParsedArn {
  std::string partition, service, region, account, resource_type;
  std::vector<std::string> parts;  // resource parts after the type, split on ':'
};
// Fails with InvalidArn ("Invalid Arn: 'Invalid ARN prefix: x'").
Result<ParsedArn> parse_arn(const std::string& arn);
Error invalid_arn(const std::string& why);
// AWS name rules for state machines, executions, activities and aliases.
bool valid_resource_name(const std::string& name);

// ---- state machines ----

struct VersionRec {
  int number = 0;
  std::string arn;
  std::string definition;
  std::string role_arn;
  std::string description;
  std::string revision_id;
  TimeMs created = 0;
  Doc logging, tracing, encryption;
  std::shared_ptr<const asl::StateMachineDef> parsed;
};

struct AliasRec {
  std::string arn;
  std::string name;
  std::string description;
  std::vector<RoutingEntry> routing;
  TimeMs created = 0;
  TimeMs updated = 0;
};

struct MachineRec {
  std::string arn;
  std::string name;
  std::string type = "STANDARD";
  std::string role_arn;
  std::string definition;
  std::string revision_id;
  std::string region, account;
  TimeMs created = 0;
  TimeMs updated = 0;
  Doc logging, tracing, encryption;
  std::shared_ptr<const asl::StateMachineDef> parsed;
  std::vector<Tag> tags;
  int next_version = 1;
  std::map<int, VersionRec> versions;
  std::map<std::string, AliasRec> aliases;  // by name
};

// ---- activities ----

struct ActivityWaiter {
  std::uint64_t id = 0;
  std::string worker;
  Done<ActivityTask> done;
  TimerService::TimerId timer = 0;
};

struct ActivityRec {
  std::string arn;
  std::string name;
  TimeMs created = 0;
  std::vector<Tag> tags;
  Doc encryption;
  std::deque<std::string> pending;  // task tokens not yet handed to a worker
  std::deque<ActivityWaiter> waiters;
};

// ---- the interpreter's state ----

enum class Phase : int {
  Ready = 0,  // about to enter `state`
  Waiting,    // Wait state until wake_at
  Retrying,   // retry delay until wake_at, then run the state's work again
  Task,       // a Task's work is out (callback, activity, Lambda, child execution)
  Children,   // Parallel branches / Map iterations running
  Done,       // finished: output or error
};

// Where a fiber's program sits inside the definition: (state name, branch index) steps
// from the top level down (Map processors use index 0).
using ScopePath = std::vector<std::pair<std::string, int>>;

struct Fiber {
  std::uint64_t id = 0;
  std::uint64_t parent = 0;  // 0: the execution's top level
  std::int64_t slot = -1;    // branch index / item index within the parent
  int worker = 0;            // Map: the worker lineage this iteration runs on
  ScopePath scope;
  const asl::StateMachineDef* program = nullptr;  // resolved from scope

  std::string state;
  Json input;                  // raw input of the current state
  std::int64_t source = 0;     // previousEventId of the next event in this lineage
  std::int64_t published = 0;  // id of the last event this lineage emitted
  std::int64_t entered_event = 0;
  TimeMs entered_time = 0;
  std::vector<std::int64_t> retry_counts;  // per retrier of the current state
  std::int64_t retry_total = 0;
  Phase phase = Phase::Ready;
  std::uint64_t gen = 1;  // bumps whenever the fiber stops waiting; stale callbacks lose
  bool queued = false;    // in the ready queue (runtime only)

  // Waiting / Retrying / Task timers
  TimeMs wake_at = 0;
  TimerService::TimerId timer = 0;
  TimeMs heartbeat_at = 0;
  TimeMs heartbeat_period = 0;
  TimerService::TimerId heartbeat_timer = 0;

  // Task
  Json effective;    // the state's input after InputPath (ResultSelector etc. need it)
  Json task_params;  // the resolved Parameters sent out
  std::string token;
  std::string child_execution;  // .sync: the child's ARN
  bool task_started = false;    // activities: a worker took it
  bool submitted = false;       // .waitForTaskToken / .sync: the hand-over succeeded
  int mock_call = 0;            // mocked responses: which call this is

  // Parallel / Map
  std::vector<std::uint64_t> children;
  std::vector<Json> results;
  std::vector<char> finished;  // per slot
  Json items;
  std::size_t next_item = 0;
  std::size_t running = 0;
  std::size_t completed = 0;
  std::int64_t max_concurrency = 0;
  std::vector<std::int64_t> worker_source;  // Map: each worker's lineage
  std::vector<int> free_workers;
  std::int64_t children_source = 0;  // max source over finished children
  std::string map_run_arn;           // distributed Map
  std::int64_t failures = 0;
  bool aborting = false;

  // Done
  bool failed = false;
  std::string error;
  std::string cause;
  Json output;
};

struct TokenRef {
  std::string execution;
  std::uint64_t fiber = 0;
  std::uint64_t gen = 0;
};

struct ExecutionRec {
  std::string arn;
  std::string name;
  std::string machine_arn;
  std::string machine_name;
  std::string version_arn;
  std::string alias_arn;
  std::string type = "STANDARD";
  std::string role_arn;
  std::string region, account;
  std::string definition;  // the text this execution runs
  // A distributed Map's child runs the processor at this place of `definition`.
  std::vector<std::pair<std::string, int>> definition_scope;
  std::string revision_id;
  std::shared_ptr<const asl::StateMachineDef> def;
  std::string input_text;
  Json input;
  std::string status = "RUNNING";
  std::optional<std::string> output, error, cause;
  TimeMs start = 0;
  TimeMs stop = 0;
  std::string trace_header;
  int redrive_count = 0;
  TimeMs redrive_date = 0;
  std::string map_run_arn;   // a distributed Map's child
  std::string label;         // idem: the Map's label
  std::string mock_case;     // "stateMachineArn#TestCase" selected a mock test case
  std::string parent_token;  // started by a parent's .sync / .waitForTaskToken task

  // EXPRESS executions keep no history (AWS has none to read back for them): events are
  // only numbered, `last_event` is the id of the latest one either way.
  std::vector<HistoryEvent> history;
  std::int64_t last_event = 0;
  std::size_t persisted_events = 0;

  // Where a redrive restarts: the top-level state that was running when the execution
  // failed, was aborted or timed out, and its input.
  std::string redrive_state;
  Json redrive_input;
  std::int64_t redrive_source = 0;
  std::set<std::string> redrive_tokens;  // clientTokens already used

  // TestState runs one state in a hidden execution and stops after it.
  bool test = false;
  Json inspect;                   // inspectionData being collected (DEBUG/TRACE)
  std::optional<Json> test_mock;  // mock.result
  Json test_context;              // TestState's context: merged over the context object
  bool test_trace = false;        // inspectionLevel TRACE: http:invoke's request/response
  std::optional<std::pair<std::string, std::string>> test_mock_error;
  std::string test_status;  // SUCCEEDED, FAILED, RETRIABLE, CAUGHT_ERROR
  std::string test_next;
  std::optional<Json> test_output;
  std::int64_t test_retry_count = 0;
  std::optional<std::int64_t> test_map_failures;  // stateConfiguration.mapIterationFailureCount
  std::optional<std::string> test_reader_data;    // stateConfiguration.mapItemReaderData

  std::map<std::uint64_t, Fiber> fibers;
  std::uint64_t next_fiber = 1;
  std::uint64_t root = 0;
  TimerService::TimerId timeout_timer = 0;
  std::vector<std::function<void(const ExecutionRec&)>> on_close;
  bool counted = false;  // holds a place in Engine::open_executions

  bool express() const { return type == "EXPRESS"; }
  bool keeps_history() const { return !express() || test; }
  bool running() const { return status == "RUNNING"; }
};

struct MapRunRec {
  std::string arn;
  std::string execution_arn;
  std::string state_machine_arn;
  std::string status = "RUNNING";
  TimeMs start = 0, stop = 0;
  std::int64_t max_concurrency = 0;
  double tolerated_failure_percentage = 0;
  std::int64_t tolerated_failure_count = 0;
  std::int64_t total = 0, succeeded = 0, failed = 0, timed_out = 0, aborted = 0, running = 0;
  std::vector<std::string> children;  // child execution ARNs, by item index
  std::uint64_t parent_fiber = 0;
  std::vector<Json> inputs;  // each child's input (runtime)
  std::size_t next = 0;      // next child to start
};

// The engine proper, behind SfnEngine. Files: engine.cpp (lifecycle, executor, ARNs,
// persistence hooks), machines.cpp, executions.cpp, interpreter.cpp, flow_states.cpp,
// parallel_map.cpp, tasks.cpp, integrations.cpp, activities.cpp, persistence.cpp,
// test_state.cpp.
class Engine {
 public:
  Engine(Runtime& runtime, EngineOptions options);
  ~Engine();

  Runtime& rt;
  EngineOptions options;
  std::shared_ptr<Executor> executor;
  std::shared_ptr<spdlog::logger> log;
  MockConfig mocks;

  std::map<std::string, MachineRec> machines;  // by ARN
  std::map<std::string, std::unique_ptr<ExecutionRec>> executions;
  std::map<std::string, ActivityRec> activities;
  std::map<std::string, MapRunRec> map_runs;
  std::unordered_map<std::string, TokenRef> tokens;
  std::set<std::string> closed_tokens;
  std::deque<std::string> closed_order;
  std::uint64_t next_waiter = 1;

  // Ready fibers, run depth-first: (execution ARN, fiber id).
  std::deque<std::pair<std::string, std::uint64_t>> ready;
  bool draining = false;
  // The caller drains right after what it is doing (starting an execution): scheduling a
  // fiber posts no drain of its own.
  bool drain_follows = false;
  // A StartSyncExecution running on its caller's thread (holding the turn lock).
  bool inline_turn = false;
  // Closed EXPRESS executions, erased once no call frame refers to them.
  std::vector<std::string> closed_express;
  void erase_closed_express();
  std::set<std::string> dirty;  // executions to persist after this turn
  // Running Standard executions per "region/account" (--max-running-executions): started,
  // redriven and nested ones count; Express ones and map runs' children do not.
  std::unordered_map<std::string, std::size_t> open_executions;
  Status check_execution_limit(const std::string& region, const std::string& account) const;
  void count_open(ExecutionRec& e);
  void uncount_open(ExecutionRec& e);
  // Fibers to erase once no call frame refers to them (end of each drain step).
  std::vector<std::pair<std::string, std::uint64_t>> garbage;
  void collect_garbage();

  // ---- threading ----
  void post(std::function<void()> fn);
  // Schedules `fn` on the engine thread when `deadline` passes.
  // `passive`: a timeout (task, heartbeat, execution) that virtual auto-advance never
  // jumps to; it fires only when time passes it (see TimerService::schedule_at).
  TimerService::TimerId at(TimeMs deadline, std::function<void()> fn, bool passive = false);
  void cancel(TimerService::TimerId& id);
  // Replies once everything emitted so far is durable.
  template <typename T>
  void reply_durable(Done<T> done, Result<T> result);
  void reply_durable(DoneStatus done, Status result);
  void flush_dirty();

  // On the virtual clock, work woken by a timer runs at the timer's deadline: advancing
  // time by an hour past a Wait's end shows the Wait ending when AWS would end it, and
  // what follows (a second Wait, a Retry delay) counts from there.
  TimeMs now() const { return turn_time ? turn_time : rt.clock.now_ms(); }
  TimeMs turn_time = 0;

  // ---- lookups (engine.cpp) ----
  Result<MachineRec*> find_machine(const std::string& arn);
  Result<ExecutionRec*> find_execution(const std::string& arn);
  ExecutionRec* execution(const std::string& arn);
  Fiber* fiber(ExecutionRec& e, std::uint64_t id);

  // ---- executions (executions.cpp) ----
  Result<ExecutionRec*> launch(const Scope& scope, MachineRec& machine, const VersionRec* version,
                               const AliasRec* alias, const std::string& name,
                               const std::optional<std::string>& input,
                               const std::string& trace_header, bool sync);
  ExecutionInfo describe(const ExecutionRec& e) const;
  void close_execution(ExecutionRec& e, const std::string& status);
  void abort_execution(ExecutionRec& e, const std::string& error, const std::string& cause);

  // ---- history (interpreter.cpp) ----
  std::int64_t emit(ExecutionRec& e, Fiber* f, const std::string& type,
                    const std::string& detail_key = "", Doc detail = nullptr,
                    bool update_source = true);
  std::int64_t emit_at(ExecutionRec& e, std::int64_t previous, const std::string& type,
                       const std::string& detail_key, Doc detail);

  // ---- interpreter (interpreter.cpp, flow_states.cpp, parallel_map.cpp, tasks.cpp) ----
  void schedule(ExecutionRec& e, Fiber& f, bool front = true);
  void drain();
  void step(ExecutionRec& e, Fiber& f);
  Json context_object(const ExecutionRec& e, const Fiber& f) const;
  const asl::StateMachineDef* resolve_scope(const ExecutionRec& e, const ScopePath& scope) const;
  const asl::State& current_state(const Fiber& f) const;
  void enter_state(ExecutionRec& e, Fiber& f);
  void run_state(ExecutionRec& e, Fiber& f);
  // The state's work produced `result`: ResultSelector, ResultPath, OutputPath, exit.
  void finish_state(ExecutionRec& e, Fiber& f, const Json& result, bool apply_selector);
  void exit_state(ExecutionRec& e, Fiber& f, Json output, const std::string& next);
  // The state failed with error/cause: retry, catch or propagate.
  void state_failed(ExecutionRec& e, Fiber& f, const std::string& error, const std::string& cause,
                    const char* failed_event = nullptr);
  void runtime_error(ExecutionRec& e, Fiber& f, const Error& error);
  void fiber_succeeded(ExecutionRec& e, Fiber& f, Json output);
  void fiber_failed(ExecutionRec& e, Fiber& f, const std::string& error, const std::string& cause);
  void stop_fiber(ExecutionRec& e, Fiber& f);  // cancels timers, tokens and children
  Fiber& spawn(ExecutionRec& e, Fiber* parent, ScopePath scope, Json input, std::int64_t source);
  std::string new_token(ExecutionRec& e, Fiber& f);
  void close_token(const std::string& token);

  // TestState: records one step of the data flow for inspectionData.
  // TestState's inspectionData: only the state under test (not its iterations) reports.
  void inspect(ExecutionRec& e, const Fiber& f, const char* key, const Json& value);
  void run_pass(ExecutionRec& e, Fiber& f);
  void run_wait(ExecutionRec& e, Fiber& f);
  void run_choice(ExecutionRec& e, Fiber& f);
  void run_succeed(ExecutionRec& e, Fiber& f);
  void run_fail(ExecutionRec& e, Fiber& f);
  void run_parallel(ExecutionRec& e, Fiber& f);
  void run_map(ExecutionRec& e, Fiber& f);
  void pump_map(ExecutionRec& e, Fiber& f);
  void child_finished(ExecutionRec& e, Fiber& parent, Fiber& child);
  void run_task(ExecutionRec& e, Fiber& f);
  void wake(const std::string& execution, std::uint64_t fiber, std::uint64_t gen);
  void arm_wait(ExecutionRec& e, Fiber& f);

  // ---- tasks (tasks.cpp) ----
  void task_succeeded(ExecutionRec& e, Fiber& f, Json output);
  void task_failed(ExecutionRec& e, Fiber& f, const std::string& error, const std::string& cause);
  void task_timed_out(ExecutionRec& e, Fiber& f, const std::string& error);
  void task_submitted(ExecutionRec& e, Fiber& f, const Json& output);
  // A completion that may arrive from any thread.
  // `submit`: the call only hands the work over (.waitForTaskToken, .sync); success
  // records TaskSubmitted and the task keeps waiting.
  std::function<void(Result<Json>)> completion(ExecutionRec& e, Fiber& f, bool submit = false);
  void dispatch_task(ExecutionRec& e, Fiber& f);
  void arm_task_timers(ExecutionRec& e, Fiber& f, TimeMs timeout_ms, TimeMs heartbeat_ms);
  // (Re)arms the task's timeout (f.wake_at) or heartbeat (f.heartbeat_at) deadline.
  void arm_task_deadline(ExecutionRec& e, Fiber& f, bool heartbeat);
  // The execution and fiber waiting on a task token, or the error AWS gives for it.
  Result<std::pair<ExecutionRec*, Fiber*>> live_task(const std::string& token);
  void child_execution_closed(const ExecutionRec& child);

  // ---- integrations (integrations.cpp) ----
  void call_service(ExecutionRec& e, Fiber& f, const asl::TaskResource& res);
  void call_lambda(ExecutionRec& e, Fiber& f, const std::string& function, const Json& payload,
                   bool legacy);
  void call_http(ExecutionRec& e, Fiber& f);
  void call_sfn(ExecutionRec& e, Fiber& f, const asl::TaskResource& res);
  bool call_mock(ExecutionRec& e, Fiber& f);

  // ---- activities (activities.cpp) ----
  void schedule_activity(ExecutionRec& e, Fiber& f, const std::string& activity_arn);
  void serve_activity(ActivityRec& a);

  // ---- distributed Map (distributed_map.cpp) ----
  void run_distributed_map(ExecutionRec& e, Fiber& f, Json items);
  // A Map state's ToleratedFailureCount/Percentage, fixed or read from the input through
  // their ...Path forms (States.Runtime when a path gives no valid value); unset if absent.
  struct ToleratedFailures {
    std::optional<std::int64_t> count;
    std::optional<double> percentage;
  };
  static Result<ToleratedFailures> tolerated_failures(const asl::State& s, const Json& input,
                                                      const Json& ctx);
  // TestState (test_state.cpp): the items an ItemReader reads from mapItemReaderData, and
  // a mocked Map or Parallel state's outcome.
  Result<Json> read_test_items(ExecutionRec& e, Fiber& f, const Json& reader, const Json& ctx);
  void finish_mocked_map(ExecutionRec& e, Fiber& f, std::size_t total, const Json& ctx);
  void finish_mocked_parallel(ExecutionRec& e, Fiber& f);
  void start_map_run_children(MapRunRec& run, ExecutionRec& e, Fiber& f);
  void map_run_child_closed(const ExecutionRec& child);
  void finish_map_run(MapRunRec& run, ExecutionRec& e, Fiber& f, bool failed,
                      const std::string& error, const std::string& cause);

  // ---- persistence (persistence.cpp) ----
  void persist_machine(const MachineRec& m);
  void persist_activity(const ActivityRec& a);
  void persist_execution(ExecutionRec& e);
  void persist_map_run(const MapRunRec& r);
  void unpersist_machine(const MachineRec& m);
  void unpersist_activity(const ActivityRec& a);
  Status restore();
  void resume(ExecutionRec& e);
};

// The machine at `scope` inside `root` (a Parallel branch or a Map processor).
std::shared_ptr<const asl::StateMachineDef> subdefinition(
    const std::shared_ptr<const asl::StateMachineDef>& root, const ScopePath& scope);
// The JSON text of that machine inside the definition text.
std::string subdefinition_text(const std::string& definition, const ScopePath& scope);

// Helpers shared across files.
std::string state_event_prefix(asl::StateType t);  // "Pass", "Task", ...
Doc data_detail(const std::string& key,
                const std::string& text);  // {"input": .., "inputDetails": ..}
std::string runtime_cause(const Fiber& f, const std::string& message);
bool error_matches(const std::vector<std::string>& names, const std::string& error, bool task);

template <typename T>
void Engine::reply_durable(Done<T> done, Result<T> result) {
  flush_dirty();
  auto shared = std::make_shared<Result<T>>(std::move(result));
  rt.store.after_durable([done = std::move(done), shared](Status s) mutable {
    if (!s.ok()) {
      done(Error::unavailable("The change could not be made durable: " + s.error().message));
      return;
    }
    done(std::move(*shared));
  });
}

}  // namespace sluice::services::sfn
