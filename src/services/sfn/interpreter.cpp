// The interpreter core: history events, the ready queue, entering and leaving states,
// and error handling (Retry, Catch, propagation). States' own work lives in
// flow_states.cpp, parallel_map.cpp and tasks.cpp.
#include <cmath>
#include <random>

#include "internal.hpp"
#include "sluice/common/encoding.hpp"

namespace sluice::services::sfn {

namespace {

// AWS: a state's input or output is limited to 256 KiB.
constexpr std::size_t kMaxPayloadBytes = 262144;

}  // namespace

std::string state_event_prefix(asl::StateType t) {
  return asl::state_type_name(t);
}

Doc data_detail(const std::string& key, const std::string& text) {
  Doc d = Doc::object();
  d[key] = text;
  d[key + "Details"] = {{"truncated", false}};
  return d;
}

std::string runtime_cause(const Fiber& f, const std::string& message) {
  return "An error occurred while executing the state '" + f.state +
         "' (entered at the event id #" + std::to_string(f.entered_event) + "). " + message;
}

bool error_matches(const std::vector<std::string>& names, const std::string& error, bool task) {
  // States.ALL matches every error but the terminal ones; States.TaskFailed matches any
  // task failure except States.Timeout (AWS error-handling rules).
  const bool terminal = error == "States.Runtime" || error == "States.DataLimitExceeded";
  for (const auto& n : names) {
    if (n == error && !terminal) return true;
    if (n == "States.ALL" && !terminal) return true;
    if (n == "States.TaskFailed" && task && !terminal && error != "States.Timeout") return true;
  }
  return false;
}

// ---- history ----

std::int64_t Engine::emit(ExecutionRec& e, Fiber* f, const std::string& type,
                          const std::string& detail_key, Doc detail, bool update_source) {
  if (!e.keeps_history()) {
    const std::int64_t id = ++e.last_event;
    if (f) {
      f->published = id;
      if (update_source) f->source = id;
    }
    return id;
  }
  HistoryEvent ev;
  ev.id = ++e.last_event;
  ev.previous_id = f ? f->source : 0;
  // Never before the event it follows (a timer's turn time may be earlier than an
  // event another request stamped with the clock's time).
  ev.timestamp = e.history.empty() ? now() : std::max(now(), e.history.back().timestamp);
  ev.type = type;
  ev.detail_key = detail_key;
  ev.detail = std::move(detail);
  if (f) {
    f->published = ev.id;
    if (update_source) f->source = ev.id;
  }
  e.history.push_back(std::move(ev));
  dirty.insert(e.arn);
  return e.history.back().id;
}

std::int64_t Engine::emit_at(ExecutionRec& e, std::int64_t previous, const std::string& type,
                             const std::string& detail_key, Doc detail) {
  if (!e.keeps_history()) return ++e.last_event;
  HistoryEvent ev;
  ev.id = ++e.last_event;
  ev.previous_id = previous;
  // Never before the event it follows (a timer's turn time may be earlier than an
  // event another request stamped with the clock's time).
  ev.timestamp = e.history.empty() ? now() : std::max(now(), e.history.back().timestamp);
  ev.type = type;
  ev.detail_key = detail_key;
  ev.detail = std::move(detail);
  e.history.push_back(std::move(ev));
  dirty.insert(e.arn);
  return e.history.back().id;
}

// ---- scheduling ----

void Engine::schedule(ExecutionRec& e, Fiber& f, bool front) {
  if (f.queued) return;
  f.queued = true;
  if (front) {
    ready.emplace_front(e.arn, f.id);
  } else {
    ready.emplace_back(e.arn, f.id);
  }
  if (!draining && !drain_follows) post([this] { drain(); });
}

void Engine::drain() {
  if (draining) return;
  draining = true;
  while (!ready.empty()) {
    auto [arn, id] = ready.front();
    ready.pop_front();
    ExecutionRec* e = execution(arn);
    if (!e) continue;
    Fiber* f = fiber(*e, id);
    if (!f) continue;
    f->queued = false;
    if (!e->running()) continue;
    step(*e, *f);
    collect_garbage();
  }
  draining = false;
  collect_garbage();
  flush_dirty();
}

void Engine::collect_garbage() {
  while (!garbage.empty()) {
    auto [arn, id] = garbage.back();
    garbage.pop_back();
    ExecutionRec* e = execution(arn);
    if (!e) continue;
    auto it = e->fibers.find(id);
    if (it == e->fibers.end()) continue;
    for (auto child : it->second.children)
      garbage.emplace_back(arn, child);
    e->fibers.erase(it);
  }
}

void Engine::step(ExecutionRec& e, Fiber& f) {
  switch (f.phase) {
    case Phase::Ready:
      enter_state(e, f);
      return;
    case Phase::Children:
      if (current_state(f).type == asl::StateType::Map) pump_map(e, f);
      return;
    default:
      return;
  }
}

void Engine::wake(const std::string& arn, std::uint64_t id, std::uint64_t gen) {
  ExecutionRec* e = execution(arn);
  if (!e || !e->running()) return;
  Fiber* f = fiber(*e, id);
  if (!f || f->gen != gen) return;
  f->timer = 0;
  if (f->phase == Phase::Waiting) {
    ++f->gen;
    auto out = jsonpath_language().output(current_state(*f).output_path, f->effective,
                                          context_object(*e, *f));
    if (!out.ok()) {
      runtime_error(*e, *f, out.error());
    } else {
      exit_state(*e, *f, std::move(*out), current_state(*f).next);
    }
  } else if (f->phase == Phase::Retrying) {
    ++f->gen;
    f->phase = Phase::Ready;  // run_state works from Ready; Entered is not emitted again
    run_state(*e, *f);
  }
  drain();
}

// ---- states ----

std::shared_ptr<const asl::StateMachineDef> subdefinition(
    const std::shared_ptr<const asl::StateMachineDef>& root, const ScopePath& scope) {
  std::shared_ptr<const asl::StateMachineDef> def = root;
  for (const auto& [name, index] : scope) {
    if (!def) return nullptr;
    auto it = def->states.find(name);
    if (it == def->states.end()) return nullptr;
    const asl::State& s = it->second;
    if (s.type == asl::StateType::Parallel) {
      if (index < 0 || static_cast<std::size_t>(index) >= s.branches.size()) return nullptr;
      def = s.branches[static_cast<std::size_t>(index)];
    } else if (s.type == asl::StateType::Map) {
      def = s.processor;
    } else {
      return nullptr;
    }
  }
  return def;
}

std::string subdefinition_text(const std::string& definition, const ScopePath& scope) {
  Json node;
  if (!parse_json(definition, node)) return definition;
  for (const auto& [name, index] : scope) {
    if (!node.is_object() || !node.contains("States") || !node["States"].contains(name))
      return definition;
    Json st = node["States"][name];
    if (st.contains("Branches")) {
      node = st["Branches"].at(static_cast<std::size_t>(index));
    } else if (st.contains("ItemProcessor")) {
      node = st["ItemProcessor"];
    } else if (st.contains("Iterator")) {
      node = st["Iterator"];
    } else {
      return definition;
    }
  }
  return to_text(node);
}

const asl::StateMachineDef* Engine::resolve_scope(const ExecutionRec& e,
                                                  const ScopePath& scope) const {
  return subdefinition(e.def, scope).get();
}

const asl::State& Engine::current_state(const Fiber& f) const {
  return f.program->states.at(f.state);
}

Json Engine::context_object(const ExecutionRec& e, const Fiber& f) const {
  if (f.program && !(e.test && e.test_context.is_object())) {
    auto it = f.program->states.find(f.state);
    // Building it costs more than a simple state's own work (ISO times, copies).
    if (it != f.program->states.end() && !it->second.mentions_context) return Json::object();
  }
  Json ctx = Json::object();
  Json exec = Json::object();
  exec["Id"] = e.arn;
  exec["Input"] = e.input;
  exec["Name"] = e.name;
  exec["RoleArn"] = e.role_arn;
  exec["StartTime"] = iso8601_ms(e.start);
  exec["RedriveCount"] = e.redrive_count;
  if (e.redrive_count > 0) exec["RedriveTime"] = iso8601_ms(e.redrive_date);
  ctx["Execution"] = std::move(exec);
  Json machine = Json::object();
  machine["Id"] = e.machine_arn;
  machine["Name"] = e.machine_name;
  ctx["StateMachine"] = std::move(machine);
  Json state = Json::object();
  state["Name"] = f.state;
  state["EnteredTime"] = iso8601_ms(f.entered_time);
  // AWS shows RetryCount only for the states that can retry.
  bool can_retry = false;
  if (f.program) {
    auto it = f.program->states.find(f.state);
    can_retry = it != f.program->states.end() && (it->second.type == asl::StateType::Task ||
                                                  it->second.type == asl::StateType::Parallel ||
                                                  it->second.type == asl::StateType::Map);
  }
  if (can_retry) state["RetryCount"] = f.retry_total;
  ctx["State"] = std::move(state);
  if (!f.token.empty()) ctx["Task"] = Json{{"Token", f.token}};
  // TestState's `context` supplies what a lone state cannot know ($$.Map.Item, ...).
  if (e.test && f.parent == 0 && e.test_context.is_object()) ctx.merge_patch(e.test_context);
  return ctx;
}

void Engine::enter_state(ExecutionRec& e, Fiber& f) {
  auto it = f.program->states.find(f.state);
  if (it == f.program->states.end()) {
    fiber_failed(e, f, "States.Runtime", "The state '" + f.state + "' does not exist.");
    return;
  }
  const asl::State& s = it->second;
  f.entered_time = now();
  f.retry_counts.assign(s.retry.size(), 0);
  f.retry_total = 0;
  f.mock_call = 0;
  if (e.keeps_history()) {
    Doc detail = data_detail("input", to_text(f.input));
    detail["name"] = f.state;
    f.entered_event = emit(e, &f, state_event_prefix(s.type) + "StateEntered",
                           "stateEnteredEventDetails", std::move(detail));
  } else {
    f.entered_event = emit(e, &f, std::string());
  }
  run_state(e, f);
}

void Engine::run_state(ExecutionRec& e, Fiber& f) {
  switch (current_state(f).type) {
    case asl::StateType::Pass:
      run_pass(e, f);
      return;
    case asl::StateType::Wait:
      run_wait(e, f);
      return;
    case asl::StateType::Choice:
      run_choice(e, f);
      return;
    case asl::StateType::Succeed:
      run_succeed(e, f);
      return;
    case asl::StateType::Fail:
      run_fail(e, f);
      return;
    case asl::StateType::Parallel:
      run_parallel(e, f);
      return;
    case asl::StateType::Map:
      run_map(e, f);
      return;
    case asl::StateType::Task:
      run_task(e, f);
      return;
  }
}

void Engine::finish_state(ExecutionRec& e, Fiber& f, const Json& result, bool apply_selector) {
  const asl::State& s = current_state(f);
  const QueryLanguage& ql = jsonpath_language();
  Json ctx = context_object(e, f);
  Json value = result;
  inspect(e, f, "result", result);
  if (apply_selector && s.result_selector) {
    auto sel = ql.payload(*s.result_selector, result, ctx);
    if (!sel.ok()) return runtime_error(e, f, sel.error());
    value = std::move(*sel);
    inspect(e, f, "afterResultSelector", value);
  }
  auto merged = ql.result(s.result_path, f.input, value);
  if (!merged.ok()) return state_failed(e, f, merged.error().code, merged.error().message);
  inspect(e, f, "afterResultPath", *merged);
  auto out = ql.output(s.output_path, *merged, ctx);
  if (!out.ok()) return runtime_error(e, f, out.error());
  exit_state(e, f, std::move(*out), s.next);
}

void Engine::exit_state(ExecutionRec& e, Fiber& f, Json output, const std::string& next) {
  const asl::State& s = current_state(f);
  if (e.test && f.parent == 0) {
    // TestState stops after the one state: report where it would go.
    if (e.test_status.empty()) e.test_status = "SUCCEEDED";
    e.test_next = next;
    e.test_output = output;
    stop_fiber(e, f);
    close_execution(e, "SUCCEEDED");
    return;
  }
  std::string text = to_text(output);
  if (text.size() > kMaxPayloadBytes) {
    fiber_failed(e, f, "States.DataLimitExceeded",
                 "The state/task '" + f.state +
                     "' returned a result with a size exceeding the maximum number of bytes "
                     "service limit.");
    return;
  }
  if (e.keeps_history()) {
    Doc detail = data_detail("output", text);
    detail["name"] = f.state;
    emit(e, &f, state_event_prefix(s.type) + "StateExited", "stateExitedEventDetails",
         std::move(detail));
  } else {
    emit(e, &f, std::string());
  }
  ++f.gen;
  f.token.clear();
  f.child_execution.clear();
  f.task_started = false;
  for (auto id : f.children)
    garbage.emplace_back(e.arn, id);
  f.children.clear();
  f.results.clear();
  f.finished.clear();
  f.items = Json();
  if (next.empty()) {
    fiber_succeeded(e, f, std::move(output));
    return;
  }
  f.state = next;
  f.input = std::move(output);
  f.effective = Json();
  f.task_params = Json();
  f.phase = Phase::Ready;
  schedule(e, f);
}

void Engine::runtime_error(ExecutionRec& e, Fiber& f, const Error& error) {
  if (error.code == "States.Runtime") {
    state_failed(e, f, "States.Runtime", runtime_cause(f, error.message));
  } else {
    state_failed(e, f, error.code, error.message);
  }
}

void Engine::state_failed(ExecutionRec& e, Fiber& f, const std::string& error,
                          const std::string& cause, const char* failed_event) {
  const asl::State& s = current_state(f);
  const bool task = s.type == asl::StateType::Task;
  for (std::size_t i = 0; i < s.retry.size(); ++i) {
    const asl::Retrier& r = s.retry[i];
    if (!error_matches(r.error_equals, error, task)) continue;
    if (i >= f.retry_counts.size()) f.retry_counts.resize(s.retry.size(), 0);
    if (e.test && f.parent == 0)
      f.retry_counts[i] = std::max(f.retry_counts[i], e.test_retry_count);
    if (f.retry_counts[i] >= r.max_attempts) break;  // exhausted: on to the catchers
    double delay = r.interval_seconds * std::pow(r.backoff_rate, double(f.retry_counts[i]));
    if (r.max_delay_seconds) delay = std::min(delay, double(*r.max_delay_seconds));
    if (r.jitter_full) {
      static thread_local std::mt19937_64 rng{std::random_device{}()};
      delay = std::uniform_real_distribution<double>(0.0, delay)(rng);
    }
    if (e.test && f.parent == 0) {
      e.test_status = "RETRIABLE";
      e.error = error;
      e.cause = cause;
      e.inspect["errorDetails"] =
          Json{{"retryIndex", static_cast<std::int64_t>(i)},
               {"retryBackoffIntervalSeconds", static_cast<std::int64_t>(std::llround(delay))}};
      stop_fiber(e, f);
      close_execution(e, "FAILED");
      return;
    }
    ++f.retry_counts[i];
    ++f.retry_total;
    ++f.gen;
    f.phase = Phase::Retrying;
    f.wake_at = now() + static_cast<TimeMs>(std::llround(delay * 1000.0));
    arm_wait(e, f);
    return;
  }
  if (failed_event) emit(e, &f, failed_event);
  for (std::size_t ci = 0; ci < s.catchers.size(); ++ci) {
    const auto& c = s.catchers[ci];
    if (!error_matches(c.error_equals, error, task)) continue;
    if (e.test && f.parent == 0) {
      e.test_status = "CAUGHT_ERROR";
      e.error = error;
      e.cause = cause;
      e.inspect["errorDetails"] = Json{{"catchIndex", static_cast<std::int64_t>(ci)}};
    }
    Json err = Json::object();
    err["Error"] = error;
    err["Cause"] = cause;
    auto out = jsonpath_language().result(c.result_path, f.input, err);
    if (!out.ok()) {
      fiber_failed(e, f, out.error().code, out.error().message);
      return;
    }
    exit_state(e, f, std::move(*out), c.next);
    return;
  }
  fiber_failed(e, f, error, cause);
}

void Engine::arm_wait(ExecutionRec& e, Fiber& f) {
  cancel(f.timer);
  const std::string arn = e.arn;
  const std::uint64_t id = f.id, gen = f.gen;
  f.timer = at(f.wake_at, [this, arn, id, gen] { wake(arn, id, gen); });
}

// ---- fibers ----

Fiber& Engine::spawn(ExecutionRec& e, Fiber* parent, ScopePath scope, Json input,
                     std::int64_t source) {
  Fiber f;
  f.id = e.next_fiber++;
  f.parent = parent ? parent->id : 0;
  f.scope = std::move(scope);
  f.program = resolve_scope(e, f.scope);
  f.state = f.program ? f.program->start_at : std::string();
  f.input = std::move(input);
  f.source = source;
  f.published = source;
  auto [it, inserted] = e.fibers.emplace(f.id, std::move(f));
  if (parent) parent->children.push_back(it->first);
  return it->second;
}

void Engine::fiber_succeeded(ExecutionRec& e, Fiber& f, Json output) {
  f.phase = Phase::Done;
  f.failed = false;
  f.output = std::move(output);
  if (f.parent == 0) {
    e.output = to_text(f.output);
    if (e.keeps_history()) {
      emit(e, &f, "ExecutionSucceeded", "executionSucceededEventDetails",
           data_detail("output", *e.output));
    } else {
      emit(e, &f, std::string());
    }
    close_execution(e, "SUCCEEDED");
    return;
  }
  Fiber* parent = fiber(e, f.parent);
  if (parent) child_finished(e, *parent, f);
}

void Engine::fiber_failed(ExecutionRec& e, Fiber& f, const std::string& error,
                          const std::string& cause) {
  cancel(f.timer);
  cancel(f.heartbeat_timer);
  if (!f.token.empty()) close_token(f.token);
  f.phase = Phase::Done;
  f.failed = true;
  f.error = error;
  f.cause = cause;
  if (f.parent == 0 && e.test) {
    e.test_status = "FAILED";
    if (!error.empty()) e.error = error;
    if (!cause.empty()) e.cause = cause;
    close_execution(e, "FAILED");
    return;
  }
  if (f.parent == 0) {
    Doc detail = Doc::object();
    if (!error.empty()) detail["error"] = error;
    if (!cause.empty()) detail["cause"] = cause;
    if (!error.empty()) e.error = error;
    if (!cause.empty()) e.cause = cause;
    emit(e, &f, "ExecutionFailed", "executionFailedEventDetails", std::move(detail));
    close_execution(e, "FAILED");
    return;
  }
  Fiber* parent = fiber(e, f.parent);
  if (parent) child_finished(e, *parent, f);
}

void Engine::stop_fiber(ExecutionRec& e, Fiber& f) {
  cancel(f.timer);
  cancel(f.heartbeat_timer);
  if (!f.token.empty()) close_token(f.token);
  ++f.gen;
  if (f.phase == Phase::Task && !f.child_execution.empty()) {
    // AWS stops a .sync child execution when its parent task is aborted.
    if (auto* child = execution(f.child_execution); child && child->running())
      abort_execution(*child, "", "");
  }
  for (auto id : f.children)
    if (Fiber* c = fiber(e, id); c && c->phase != Phase::Done) stop_fiber(e, *c);
  if (f.phase != Phase::Done) {
    f.phase = Phase::Done;
    f.failed = true;
    f.error = "States.Aborted";
  }
}

void Engine::inspect(ExecutionRec& e, const Fiber& f, const char* key, const Json& value) {
  if (!e.test || f.parent != 0) return;
  // Counts are numbers in inspectionData; the data are JSON texts.
  if (value.is_number_integer() &&
      (std::string(key) == "maxConcurrency" || std::string(key).rfind("toleratedFailure", 0) == 0))
    e.inspect[key] = value;
  else
    e.inspect[key] = to_text(value);
}

// ---- task tokens ----

std::string Engine::new_token(ExecutionRec& e, Fiber& f) {
  std::string token = random_hex(48);
  tokens[token] = TokenRef{e.arn, f.id, f.gen};
  f.token = token;
  return token;
}

void Engine::close_token(const std::string& token) {
  auto it = tokens.find(token);
  if (it == tokens.end()) return;
  tokens.erase(it);
  // Keep recently closed tokens so late callbacks get TaskTimedOut, as AWS answers.
  constexpr std::size_t kClosedTokens = 100000;
  if (closed_tokens.insert(token).second) closed_order.push_back(token);
  while (closed_order.size() > kClosedTokens) {
    closed_tokens.erase(closed_order.front());
    closed_order.pop_front();
  }
}

}  // namespace sluice::services::sfn
