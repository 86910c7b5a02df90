// Executions: start (idempotent by name for STANDARD), stop, describe, list, history.
#include <algorithm>
#include <random>

#include "internal.hpp"
#include "paging.hpp"
#include "sluice/common/encoding.hpp"

namespace sluice::services::sfn {

namespace {

// AWS: execution input and output are limited to 256 KiB.
constexpr std::size_t kMaxInputBytes = 262144;

std::string arn_prefix(const std::string& region, const std::string& account) {
  return "arn:aws:states:" + region + ":" + account + ":";
}

Error machine_missing(const std::string& arn) {
  return Error::sender("StateMachineDoesNotExist", "State Machine Does Not Exist: '" + arn + "'");
}

struct Target {
  MachineRec* machine = nullptr;
  const VersionRec* version = nullptr;
  const AliasRec* alias = nullptr;
};

Result<Target> resolve_target(Engine& eng, const std::string& arn) {
  auto p = parse_arn(arn);
  if (!p.ok()) return std::move(p).error();
  if (p->resource_type != "stateMachine" || p->parts.empty() || p->parts.size() > 2)
    return invalid_arn("Resource type not valid in this context: " + arn);
  const std::string base = arn_prefix(p->region, p->account) + "stateMachine:" + p->parts[0];
  auto it = eng.machines.find(base);
  if (it == eng.machines.end()) return machine_missing(arn);
  Target t;
  t.machine = &it->second;
  if (p->parts.size() == 2) {
    const std::string& q = p->parts[1];
    const bool numeric = !q.empty() && std::all_of(q.begin(), q.end(), ::isdigit);
    if (numeric) {
      auto v = t.machine->versions.find(std::atoi(q.c_str()));
      if (v == t.machine->versions.end()) return machine_missing(arn);
      t.version = &v->second;
    } else {
      auto a = t.machine->aliases.find(q);
      if (a == t.machine->aliases.end()) return machine_missing(arn);
      t.alias = &a->second;
    }
  }
  return t;
}

// A StartExecution/StartSyncExecution target: a state machine, version or alias ARN, with
// "#TestCase" naming a test case of the Step Functions Local mock configuration.
struct StartTarget : Target {
  std::string test_case;
};

Result<StartTarget> resolve_start_target(Engine& eng, const std::string& target_arn) {
  const auto hash = target_arn.find('#');
  auto target = resolve_target(eng, target_arn.substr(0, hash));
  if (!target.ok()) return std::move(target).error();
  StartTarget out{*target, hash == std::string::npos ? "" : target_arn.substr(hash + 1)};
  if (!out.test_case.empty() && !eng.mocks.has_case(out.machine->name, out.test_case))
    return invalid_arn("The mock configuration has no test case '" + out.test_case +
                       "' for the state machine '" + out.machine->name + "'");
  return out;
}

}  // namespace

// ---- launching ----

Status Engine::check_execution_limit(const std::string& region, const std::string& account) const {
  auto it = open_executions.find(region + "/" + account);
  if (it == open_executions.end() || it->second < rt.max_running_executions) return ok_status();
  return Error::sender("ExecutionLimitExceeded",
                       "The maximum number of running executions has been reached (" +
                           std::to_string(rt.max_running_executions) +
                           ", --max-running-executions). Running executions must end or be "
                           "stopped before a new execution can be started.");
}

void Engine::count_open(ExecutionRec& e) {
  if (e.counted || e.express() || !e.map_run_arn.empty() || e.test) return;
  ++open_executions[e.region + "/" + e.account];
  e.counted = true;
}

void Engine::uncount_open(ExecutionRec& e) {
  if (!e.counted) return;
  auto it = open_executions.find(e.region + "/" + e.account);
  if (it != open_executions.end() && it->second > 0) --it->second;
  e.counted = false;
}

Result<ExecutionRec*> Engine::launch(const Scope& scope, MachineRec& machine,
                                     const VersionRec* version, const AliasRec* alias,
                                     const std::string& requested_name,
                                     const std::optional<std::string>& input_text,
                                     const std::string& trace_header, bool sync) {
  const std::string name = requested_name.empty() ? uuid_v4() : requested_name;
  if (!valid_resource_name(name))
    return Error::sender("InvalidName", "Invalid Name: '" + name + "'");
  const std::string text = input_text.value_or("{}");
  if (text.size() > kMaxInputBytes)
    return Error::sender("ValidationException",
                         "1 validation error detected: Value at 'input' failed to satisfy "
                         "constraint: Member must have size less than or equal to 262144 bytes "
                         "in UTF-8 encoding");
  Json input = Json::parse(text, nullptr, false);
  if (input.is_discarded()) {
    std::string detail;
    try {
      Json probe = Json::parse(text);
      (void)probe;
    } catch (const std::exception& ex) {
      detail = ex.what();
    }
    return Error::sender("InvalidExecutionInput",
                         "Invalid State Machine Execution Input: '" + detail + "'");
  }
  if (alias) {
    // Weighted routing between the alias's versions.
    static thread_local std::mt19937 rng{std::random_device{}()};
    int roll = std::uniform_int_distribution<int>(0, 99)(rng);
    for (const auto& r : alias->routing) {
      if (roll < r.weight) {
        auto pos = r.version_arn.rfind(':');
        auto v = machine.versions.find(std::atoi(r.version_arn.c_str() + pos + 1));
        if (v != machine.versions.end()) version = &v->second;
        break;
      }
      roll -= r.weight;
    }
    if (!version) return machine_missing(alias->arn);
  }
  const bool express = machine.type == "EXPRESS";
  const std::string prefix = arn_prefix(machine.region, machine.account);
  const std::string arn = express
                              ? prefix + "express:" + machine.name + ":" + name + ":" + uuid_v4()
                              : prefix + "execution:" + machine.name + ":" + name;
  if (!express) {
    if (auto* existing = execution(arn)) {
      // AWS: the same name and input while running answers with the running execution.
      if (existing->running() && existing->input_text == text) return existing;
      return Error::sender("ExecutionAlreadyExists", "Execution Already Exists: '" + arn + "'");
    }
    SLUICE_TRY(check_execution_limit(machine.region, machine.account));
  }
  auto rec = std::make_unique<ExecutionRec>();
  ExecutionRec& e = *rec;
  e.arn = arn;
  e.name = name;
  e.machine_arn = machine.arn;
  e.machine_name = machine.name;
  e.type = machine.type;
  e.region = machine.region;
  e.account = machine.account;
  if (version) {
    e.version_arn = version->arn;
    e.role_arn = version->role_arn;
    e.definition = version->definition;
    e.revision_id = version->revision_id;
    e.def = version->parsed;
  } else {
    e.role_arn = machine.role_arn;
    e.definition = machine.definition;
    e.revision_id = machine.revision_id;
    e.def = machine.parsed;
  }
  if (alias) e.alias_arn = alias->arn;
  e.input_text = text;
  e.input = input;
  e.start = now();
  e.trace_header = trace_header;
  (void)scope;
  (void)sync;
  executions[arn] = std::move(rec);
  count_open(e);

  if (e.keeps_history()) {
    Doc started = data_detail("input", text);
    started["roleArn"] = e.role_arn;
    if (!e.alias_arn.empty()) started["stateMachineAliasArn"] = e.alias_arn;
    if (!e.version_arn.empty()) started["stateMachineVersionArn"] = e.version_arn;
    emit_at(e, 0, "ExecutionStarted", "executionStartedEventDetails", std::move(started));
  } else {
    emit_at(e, 0, std::string(), std::string(), nullptr);
  }

  Fiber& root = spawn(e, nullptr, {}, std::move(input), 0);
  e.root = root.id;
  if (e.def->timeout_seconds) {
    const std::string earn = e.arn;
    e.timeout_timer = at(
        e.start + *e.def->timeout_seconds * 1000,
        [this, earn] {
          ExecutionRec* x = execution(earn);
          if (!x || !x->running()) return;
          x->timeout_timer = 0;
          if (Fiber* r = fiber(*x, x->root)) stop_fiber(*x, *r);
          x->error = "States.Timeout";
          Doc d = Doc::object();
          d["error"] = "States.Timeout";
          Fiber* r = fiber(*x, x->root);
          emit_at(*x, r ? r->source : 0, "ExecutionTimedOut", "executionTimedOutEventDetails", d);
          close_execution(*x, "TIMED_OUT");
          drain();
        },
        /*passive=*/true);
  }
  schedule(e, root);
  return &e;
}

void Engine::close_execution(ExecutionRec& e, const std::string& status) {
  e.status = status;
  uncount_open(e);
  e.stop = now();
  cancel(e.timeout_timer);
  if (Fiber* r = fiber(e, e.root); r && status != "SUCCEEDED") {
    e.redrive_state = r->state;
    e.redrive_input = r->input;
  }
  e.redrive_source = e.last_event;
  if (Fiber* r = fiber(e, e.root)) {
    if (r->phase != Phase::Done) stop_fiber(e, *r);
    garbage.emplace_back(e.arn, r->id);
  }
  if (!e.express()) dirty.insert(e.arn);  // EXPRESS executions are not persisted
  auto listeners = std::move(e.on_close);
  e.on_close.clear();
  for (auto& l : listeners)
    l(e);
  if (!e.parent_token.empty()) child_execution_closed(e);
  if (!e.map_run_arn.empty()) map_run_child_closed(e);
  // AWS keeps nothing of an EXPRESS execution that a caller could read back (Describe,
  // history and List refuse them, map runs' children aside), so neither do we: a long
  // StartSyncExecution load must not grow memory.
  if (e.express() && e.map_run_arn.empty()) {
    // A start on the caller's thread erases them itself when it is done.
    if (closed_express.empty() && !inline_turn) post([this] { erase_closed_express(); });
    closed_express.push_back(e.arn);
  }
}

void Engine::erase_closed_express() {
  for (const auto& arn : closed_express)
    executions.erase(arn);
  closed_express.clear();
}

void Engine::abort_execution(ExecutionRec& e, const std::string& error, const std::string& cause) {
  if (!e.running()) return;
  Fiber* r = fiber(e, e.root);
  if (r) stop_fiber(e, *r);
  Doc d = Doc::object();
  if (!error.empty()) {
    d["error"] = error;
    e.error = error;
  }
  if (!cause.empty()) {
    d["cause"] = cause;
    e.cause = cause;
  }
  emit_at(e, r ? r->source : 0, "ExecutionAborted", "executionAbortedEventDetails", std::move(d));
  close_execution(e, "ABORTED");
}

ExecutionInfo Engine::describe(const ExecutionRec& e) const {
  ExecutionInfo i;
  i.arn = e.arn;
  i.state_machine_arn = e.machine_arn;
  i.name = e.name;
  i.status = e.status;
  i.input = e.input_text;
  i.output = e.output;
  i.error = e.error;
  i.cause = e.cause;
  i.trace_header = e.trace_header;
  i.map_run_arn = e.map_run_arn;
  i.version_arn = e.version_arn;
  i.alias_arn = e.alias_arn;
  i.start_date = e.start;
  i.stop_date = e.stop;
  i.redrive_count = e.redrive_count;
  i.redrive_date = e.redrive_date;
  i.express = e.express();
  if (e.running()) {
    i.redrive_status = "NOT_REDRIVABLE";
    i.redrive_status_reason = "Execution is RUNNING and cannot be redriven";
  } else if (e.status == "SUCCEEDED") {
    i.redrive_status = "NOT_REDRIVABLE";
    i.redrive_status_reason = "Execution is SUCCEEDED and cannot be redriven";
  } else if (e.express()) {
    i.redrive_status = "NOT_REDRIVABLE";
    i.redrive_status_reason = "Execution is of type EXPRESS and cannot be redriven";
  } else {
    i.redrive_status = "REDRIVABLE";
  }
  return i;
}

// ---- operations ----

void SfnEngine::start_execution(Scope scope, StartExecutionRequest request, Done<ArnAndDate> done) {
  impl_->post([e = impl_.get(), scope = std::move(scope), request = std::move(request),
               done = std::move(done)]() mutable {
    auto target = resolve_start_target(*e, request.target_arn);
    if (!target.ok()) return done(std::move(target).error());
    e->drain_follows = true;
    auto launched = e->launch(scope, *target->machine, target->version, target->alias, request.name,
                              request.input, request.trace_header, false);
    e->drain_follows = false;
    if (!launched.ok()) return done(std::move(launched).error());
    ExecutionRec* x = *launched;
    if (!target->test_case.empty() && x->last_event == 1) x->mock_case = target->test_case;
    ArnAndDate r{x->arn, x->start};
    e->drain();
    e->reply_durable(std::move(done), Result<ArnAndDate>(r));
  });
}

namespace {

// A StartSyncExecution's answer. While the start runs on the caller's thread the answer is
// held for it, so that rendering it happens after the turn lock is released.
struct SyncStart {
  Done<ExecutionInfo> done;
  bool holding = false;
  std::optional<Result<ExecutionInfo>> held;
  void answer(Result<ExecutionInfo> r) {
    if (holding) {
      held = std::move(r);
    } else {
      done(std::move(r));
    }
  }
};

// Whether a sync execution of `def` may run on the caller's (an HTTP I/O) thread: states
// that finish at once or only arm a timer. Tasks (outside calls), Parallel and Map (any
// amount of work) run on the engine thread.
bool runs_inline(const asl::StateMachineDef* def) {
  if (!def) return false;
  for (const auto& [name, s] : def->states) {
    switch (s.type) {
      case asl::StateType::Pass:
      case asl::StateType::Choice:
      case asl::StateType::Succeed:
      case asl::StateType::Fail:
      case asl::StateType::Wait:
        break;
      default:
        return false;
    }
  }
  return true;
}

// Starts the execution and runs it as far as it goes. On the caller's thread
// (e->inline_turn), a machine that may not run there is handed to the engine thread.
void start_sync(Engine* e, const Scope& scope, const StartExecutionRequest& request,
                const std::shared_ptr<SyncStart>& call) {
  auto target = resolve_start_target(*e, request.target_arn);
  if (!target.ok()) return call->answer(std::move(target).error());
  if (target->machine->type != "EXPRESS")
    return call->answer(
        Error::sender("StateMachineTypeNotSupported",
                      "This operation is not supported by this type of state machine"));
  if (e->inline_turn) {
    const bool here =
        !target->alias && runs_inline(target->version ? target->version->parsed.get()
                                                      : target->machine->parsed.get());
    if (!here) {
      e->post([e, scope, request, call] { start_sync(e, scope, request, call); });
      return;
    }
  }
  e->drain_follows = true;
  auto launched = e->launch(scope, *target->machine, target->version, target->alias, request.name,
                            request.input, request.trace_header, true);
  e->drain_follows = false;
  if (!launched.ok()) return call->answer(std::move(launched).error());
  ExecutionRec* x = *launched;
  x->mock_case = target->test_case;
  x->on_close.push_back(
      [e, call](const ExecutionRec& closed) { call->answer(e->describe(closed)); });
  e->drain();
}

}  // namespace

void SfnEngine::start_sync_execution(Scope scope, StartExecutionRequest request,
                                     Done<ExecutionInfo> done) {
  Engine* e = impl_.get();
  auto call = std::make_shared<SyncStart>();
  call->done = std::move(done);
  if (e->executor->on_thread()) {
    e->post([e, scope = std::move(scope), request = std::move(request), call] {
      start_sync(e, scope, request, call);
    });
    return;
  }
  // On the caller's thread, holding the turn lock: no hop to the engine thread and back
  // for an execution that needs nothing but the interpreter (bench/sfn-perf-findings.md).
  {
    auto turn = e->executor->turn();
    if (!turn.owns_lock()) return;  // stopped: dropped, as posted work would be
    call->holding = true;
    e->inline_turn = true;
    struct Leave {
      Engine* e;
      SyncStart& call;
      ~Leave() {
        e->inline_turn = false;
        e->erase_closed_express();
        call.holding = false;  // an answer from a later turn goes out directly
      }
    } leave{e, *call};
    start_sync(e, scope, request, call);
  }
  if (call->held) call->done(std::move(*call->held));
}

void SfnEngine::stop_execution(std::string arn, std::optional<std::string> error,
                               std::optional<std::string> cause, Done<TimeMs> done) {
  impl_->post([e = impl_.get(), arn = std::move(arn), error = std::move(error),
               cause = std::move(cause), done = std::move(done)]() mutable {
    auto x = e->find_execution(arn);
    if (!x.ok()) return done(std::move(x).error());
    ExecutionRec& ex = **x;
    if (!ex.running()) {
      return done(Error::sender("ValidationException", "Execution Does Not Exist: '" + arn + "'"));
    }
    e->abort_execution(ex, error.value_or(""), cause.value_or(""));
    e->drain();
    e->reply_durable(std::move(done), Result<TimeMs>(ex.stop));
  });
}

void SfnEngine::describe_execution(std::string arn, Done<ExecutionInfo> done) {
  impl_->post([e = impl_.get(), arn = std::move(arn), done = std::move(done)] {
    auto x = e->find_execution(arn);
    if (!x.ok()) return done(std::move(x).error());
    if ((*x)->express() && (*x)->map_run_arn.empty())
      return done(invalid_arn("Resource type not valid in this context: express"));
    done(e->describe(**x));
  });
}

void SfnEngine::describe_state_machine_for_execution(std::string arn,
                                                     Done<StateMachineForExecution> done) {
  impl_->post([e = impl_.get(), arn = std::move(arn), done = std::move(done)] {
    auto x = e->find_execution(arn);
    if (!x.ok()) return done(std::move(x).error());
    const ExecutionRec& ex = **x;
    StateMachineForExecution out;
    out.arn = ex.version_arn.empty() ? ex.machine_arn : ex.version_arn;
    out.name = ex.machine_name;
    out.definition = ex.definition_scope.empty()
                         ? ex.definition
                         : subdefinition_text(ex.definition, ex.definition_scope);
    out.role_arn = ex.role_arn;
    out.revision_id = ex.revision_id;
    out.map_run_arn = ex.map_run_arn;
    out.label = ex.label;
    if (auto it = e->machines.find(ex.machine_arn); it != e->machines.end()) {
      out.update_date = it->second.updated;
      out.logging_configuration = it->second.logging;
      out.tracing_configuration = it->second.tracing;
      out.encryption_configuration = it->second.encryption;
    } else {
      out.update_date = ex.start;
    }
    done(out);
  });
}

void SfnEngine::list_executions(ListExecutionsRequest request, Done<Page<ExecutionInfo>> done) {
  impl_->post([e = impl_.get(), request = std::move(request), done = std::move(done)] {
    if (request.state_machine_arn.empty() == request.map_run_arn.empty())
      return done(
          Error::sender("ValidationException", "Must provide a StateMachine ARN or MapRun ARN"));
    std::vector<const ExecutionRec*> matches;
    std::string salt;
    if (!request.map_run_arn.empty()) {
      auto p = parse_arn(request.map_run_arn);
      if (!p.ok()) return done(std::move(p).error());
      auto it = e->map_runs.find(request.map_run_arn);
      if (it == e->map_runs.end())
        return done(
            Error::sender("ResourceNotFound", "Resource not found: '" + request.map_run_arn + "'"));
      for (const auto& c : it->second.children)
        if (const ExecutionRec* x = e->execution(c)) matches.push_back(x);
      salt = request.map_run_arn;
    } else {
      auto target = resolve_target(*e, request.state_machine_arn);
      if (!target.ok()) return done(std::move(target).error());
      if (target->machine->type == "EXPRESS")
        return done(Error::sender("StateMachineTypeNotSupported",
                                  "This operation is not supported by this type of state machine"));
      for (const auto& [arn, x] : e->executions) {
        if (x->test || x->machine_arn != target->machine->arn || !x->map_run_arn.empty()) continue;
        if (target->version && x->version_arn != target->version->arn) continue;
        if (target->alias && x->alias_arn != target->alias->arn) continue;
        matches.push_back(x.get());
      }
      salt = request.state_machine_arn;
    }
    std::vector<ExecutionInfo> items;
    for (const ExecutionRec* x : matches) {
      if (!request.status_filter.empty() && x->status != request.status_filter) continue;
      if (request.redrive_filter == "REDRIVEN" && x->redrive_count == 0) continue;
      if (request.redrive_filter == "NOT_REDRIVEN" && x->redrive_count > 0) continue;
      items.push_back(e->describe(*x));
    }
    // Most recent first, as AWS lists them.
    std::stable_sort(
        items.begin(), items.end(), [](const ExecutionInfo& a, const ExecutionInfo& b) {
          return a.start_date != b.start_date ? a.start_date > b.start_date : a.arn > b.arn;
        });
    done(paginate(std::move(items), request.max_results, request.next_token, salt));
  });
}

void SfnEngine::redrive_execution(std::string arn, std::string client_token, Done<TimeMs> done) {
  impl_->post([e = impl_.get(), arn = std::move(arn), client_token = std::move(client_token),
               done = std::move(done)]() mutable {
    auto x = e->find_execution(arn);
    if (!x.ok()) return done(std::move(x).error());
    ExecutionRec& ex = **x;
    // A repeated clientToken answers the earlier redrive (idempotency).
    if (!client_token.empty() && ex.redrive_tokens.count(client_token))
      return done(ex.redrive_date);
    auto not_redrivable = [&](const std::string& why) {
      return Error::sender("ExecutionNotRedrivable",
                           "Execution with arn " + arn + " cannot be redriven: " + why);
    };
    if (ex.express()) return done(not_redrivable("Execution is of type EXPRESS"));
    if (ex.running()) return done(not_redrivable("Execution is RUNNING and cannot be redriven"));
    if (ex.status == "SUCCEEDED")
      return done(not_redrivable("Execution is SUCCEEDED and cannot be redriven"));
    if (!ex.map_run_arn.empty())
      return done(not_redrivable("Child executions of a Map Run are redriven through it"));
    // AWS: redrive is possible for 14 days after the execution stopped.
    constexpr TimeMs kRedriveWindow = 14LL * 24 * 3600 * 1000;
    if (e->now() > ex.stop + kRedriveWindow)
      return done(not_redrivable("The redrive period of 14 days has passed"));
    if (ex.redrive_state.empty() || !ex.def)
      return done(not_redrivable("The execution has no state to redrive from"));
    if (auto limit = e->check_execution_limit(ex.region, ex.account); !limit.ok())
      return done(std::move(limit).error());
    ex.status = "RUNNING";
    e->count_open(ex);
    ex.stop = 0;
    ex.output.reset();
    ex.error.reset();
    ex.cause.reset();
    ++ex.redrive_count;
    ex.redrive_date = e->now();
    if (!client_token.empty()) ex.redrive_tokens.insert(client_token);
    const std::int64_t id =
        e->emit_at(ex, ex.last_event, "ExecutionRedriven", "executionRedrivenEventDetails",
                   Doc{{"redriveCount", ex.redrive_count}});
    ex.fibers.clear();
    Fiber& root = e->spawn(ex, nullptr, {}, ex.redrive_input, id);
    root.state = ex.redrive_state;
    ex.root = root.id;
    e->schedule(ex, root);
    TimeMs date = ex.redrive_date;
    e->drain();
    e->reply_durable(std::move(done), Result<TimeMs>(date));
  });
}

void SfnEngine::get_execution_history(HistoryRequest request, Done<Page<HistoryEvent>> done) {
  impl_->post([e = impl_.get(), request = std::move(request), done = std::move(done)] {
    auto x = e->find_execution(request.execution_arn);
    if (!x.ok()) return done(std::move(x).error());
    if ((*x)->express())
      return done(invalid_arn("Resource type not valid in this context: express"));
    std::vector<HistoryEvent> events = (*x)->history;
    if (request.reverse_order) std::reverse(events.begin(), events.end());
    if (!request.include_execution_data) {
      for (auto& ev : events) {
        if (!ev.detail.is_object()) continue;
        for (const char* k : {"input", "output", "inputDetails", "outputDetails"})
          ev.detail.erase(k);
      }
    }
    done(paginate(std::move(events), request.max_results, request.next_token,
                  request.execution_arn + (request.reverse_order ? ":r" : ":f")));
  });
}

}  // namespace sluice::services::sfn
