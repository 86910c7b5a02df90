// Task states: resolving parameters and timeouts, dispatching to the integration, the
// history events of each flavour (service integrations, activities, legacy Lambda
// ARNs), callbacks, timeouts and heartbeats, and nested executions.
#include "internal.hpp"

namespace sluice::services::sfn {

namespace {

// AWS's default Task timeout when TimeoutSeconds is absent.
constexpr std::int64_t kDefaultTaskTimeoutSeconds = 99999999;

enum class Flavor { Service, Activity, Lambda };

struct TaskKind {
  Flavor flavor = Flavor::Service;
  asl::TaskResource res;
  std::string resource_type;  // "lambda", "sqs", "aws-sdk:sqs", ...
  std::string resource;       // "invoke", "sendMessage.waitForTaskToken", ...
};

TaskKind task_kind(const asl::State& s) {
  TaskKind k;
  k.res = asl::classify_resource(s.resource);
  if (k.res.kind == asl::TaskResource::Kind::Activity) {
    k.flavor = Flavor::Activity;
  } else if (k.res.kind == asl::TaskResource::Kind::LambdaFunction) {
    k.flavor = Flavor::Lambda;
  } else {
    k.resource_type = k.res.service;
    k.resource = k.res.action + (k.res.pattern.empty() ? "" : "." + k.res.pattern);
  }
  return k;
}

Doc service_detail(const TaskKind& k) {
  return Doc{{"resourceType", k.resource_type}, {"resource", k.resource}};
}

Doc error_detail(Doc base, const std::string& error, const std::string& cause) {
  if (!base.is_object()) base = Doc::object();
  if (!error.empty()) base["error"] = error;
  if (!cause.empty()) base["cause"] = cause;
  return base;
}

}  // namespace

void Engine::run_task(ExecutionRec& e, Fiber& f) {
  const asl::State& s = current_state(f);
  const QueryLanguage& ql = jsonpath_language();
  const TaskKind kind = task_kind(s);
  // The token exists before Parameters are evaluated so that $$.Task.Token resolves.
  if (kind.res.pattern == "waitForTaskToken" || kind.flavor == Flavor::Activity) {
    new_token(e, f);
  } else {
    f.token.clear();
  }
  Json ctx = context_object(e, f);
  auto effective = ql.input(s.input_path, f.input, ctx);
  if (!effective.ok()) return runtime_error(e, f, effective.error());
  f.effective = std::move(*effective);
  inspect(e, f, "afterInputPath", f.effective);
  Json params = f.effective;
  if (s.parameters) {
    auto p = ql.payload(*s.parameters, f.effective, ctx);
    if (!p.ok()) return runtime_error(e, f, p.error());
    params = std::move(*p);
    inspect(e, f, "afterParameters", params);
  }
  f.task_params = std::move(params);

  auto seconds_from = [&](const std::optional<std::int64_t>& fixed, const std::string& path,
                          const char* field, std::int64_t& out) -> bool {
    out = 0;
    if (fixed) {
      out = *fixed;
      return true;
    }
    if (path.empty()) return true;
    auto v = ql.path(path, f.effective, ctx);
    if (!v.ok()) {
      runtime_error(e, f, v.error());
      return false;
    }
    if (!v->is_number_integer() || v->get<std::int64_t>() <= 0) {
      runtime_error(
          e, f,
          Error::sender("States.Runtime", std::string("The ") + field + " field refers to value " +
                                              to_text(*v) + " which is not a positive integer"));
      return false;
    }
    out = v->get<std::int64_t>();
    return true;
  };
  std::int64_t timeout = 0, heartbeat = 0;
  if (!seconds_from(s.timeout_seconds, s.timeout_seconds_path, "TimeoutSecondsPath", timeout))
    return;
  if (!seconds_from(s.heartbeat_seconds, s.heartbeat_seconds_path, "HeartbeatSecondsPath",
                    heartbeat))
    return;
  const bool timeout_given = timeout > 0;
  if (timeout == 0) timeout = kDefaultTaskTimeoutSeconds;

  f.phase = Phase::Task;
  f.task_started = false;
  f.submitted = false;
  f.child_execution.clear();
  ++f.gen;
  if (!f.token.empty()) tokens[f.token].gen = f.gen;

  // The scheduled event
  const std::string params_text = to_text(f.task_params);
  switch (kind.flavor) {
    case Flavor::Service: {
      Doc d = service_detail(kind);
      d["region"] = e.region;
      d["parameters"] = params_text;
      if (timeout_given) d["timeoutInSeconds"] = timeout;
      if (heartbeat > 0) d["heartbeatInSeconds"] = heartbeat;
      emit(e, &f, "TaskScheduled", "taskScheduledEventDetails", std::move(d));
      break;
    }
    case Flavor::Activity: {
      Doc d = data_detail("input", params_text);
      d["resource"] = s.resource;
      if (timeout_given) d["timeoutInSeconds"] = timeout;
      if (heartbeat > 0) d["heartbeatInSeconds"] = heartbeat;
      emit(e, &f, "ActivityScheduled", "activityScheduledEventDetails", std::move(d));
      break;
    }
    case Flavor::Lambda: {
      Doc d = data_detail("input", params_text);
      d["resource"] = s.resource;
      if (timeout_given) d["timeoutInSeconds"] = timeout;
      emit(e, &f, "LambdaFunctionScheduled", "lambdaFunctionScheduledEventDetails", std::move(d));
      break;
    }
  }
  arm_task_timers(e, f, timeout * 1000, heartbeat * 1000);
  dispatch_task(e, f);
}

void Engine::arm_task_timers(ExecutionRec& e, Fiber& f, TimeMs timeout_ms, TimeMs heartbeat_ms) {
  f.wake_at = now() + timeout_ms;
  f.heartbeat_period = heartbeat_ms;
  f.heartbeat_at = heartbeat_ms > 0 ? now() + heartbeat_ms : 0;
  arm_task_deadline(e, f, /*heartbeat=*/false);
  arm_task_deadline(e, f, /*heartbeat=*/true);
}

void Engine::arm_task_deadline(ExecutionRec& e, Fiber& f, bool heartbeat) {
  TimerService::TimerId& timer = heartbeat ? f.heartbeat_timer : f.timer;
  cancel(timer);
  const TimeMs deadline = heartbeat ? f.heartbeat_at : f.wake_at;
  if (deadline <= 0) return;
  const std::string arn = e.arn;
  const std::uint64_t id = f.id, gen = f.gen;
  // Passive: these wait on a caller (a worker, a callback), so virtual auto-advance never
  // jumps to them.
  timer = at(
      deadline,
      [this, arn, id, gen, heartbeat] {
        ExecutionRec* ex = execution(arn);
        if (!ex || !ex->running()) return;
        Fiber* fb = fiber(*ex, id);
        if (!fb || fb->gen != gen || fb->phase != Phase::Task) return;
        (heartbeat ? fb->heartbeat_timer : fb->timer) = 0;
        task_timed_out(*ex, *fb, heartbeat ? "States.HeartbeatTimeout" : "States.Timeout");
        drain();
      },
      /*passive=*/true);
}

void Engine::dispatch_task(ExecutionRec& e, Fiber& f) {
  const asl::State& s = current_state(f);
  const TaskKind kind = task_kind(s);
  if (call_mock(e, f)) return;
  switch (kind.flavor) {
    case Flavor::Activity:
      schedule_activity(e, f, s.resource);
      return;
    case Flavor::Lambda:
      emit(e, &f, "LambdaFunctionStarted");
      call_lambda(e, f, s.resource, f.task_params, true);
      return;
    case Flavor::Service:
      break;
  }
  const auto& res = kind.res;
  if (res.service == "lambda" && res.action == "invoke") {
    emit(e, &f, "TaskStarted", "taskStartedEventDetails", service_detail(kind));
    if (!f.task_params.is_object() || !f.task_params.contains("FunctionName") ||
        !f.task_params["FunctionName"].is_string()) {
      return task_failed(e, f, "States.Runtime",
                         "The field 'FunctionName' is required in the Parameters of a "
                         "lambda:invoke task.");
    }
    Json payload = f.task_params.value("Payload", Json::object());
    call_lambda(e, f, f.task_params["FunctionName"].get<std::string>(), payload, false);
    return;
  }
  if (res.service == "http" && res.action == "invoke") {
    emit(e, &f, "TaskStarted", "taskStartedEventDetails", service_detail(kind));
    call_http(e, f);
    return;
  }
  if (res.service == "states" || res.service == "aws-sdk:sfn") {
    emit(e, &f, "TaskStarted", "taskStartedEventDetails", service_detail(kind));
    call_sfn(e, f, res);
    return;
  }
  if (res.service == "sqs" || res.service == "sns" || res.service == "aws-sdk:sqs" ||
      res.service == "aws-sdk:sns") {
    emit(e, &f, "TaskStarted", "taskStartedEventDetails", service_detail(kind));
    call_service(e, f, res);
    return;
  }
  emit(e, &f, "TaskStarted", "taskStartedEventDetails", service_detail(kind));
  task_failed(e, f, "States.TaskFailed",
              "The service integration '" + s.resource +
                  "' is not emulated by Sluice; mock it with --sfn-mock-config.");
}

bool Engine::call_mock(ExecutionRec& e, Fiber& f) {
  std::optional<MockResponse> resp;
  if (e.test && (e.test_mock || e.test_mock_error)) {
    MockResponse m;
    if (e.test_mock_error) {
      m.is_throw = true;
      m.error = e.test_mock_error->first;
      m.cause = e.test_mock_error->second;
    } else {
      m.value = *e.test_mock;
    }
    resp = std::move(m);
  } else if (!e.mock_case.empty()) {
    resp = mocks.response(e.machine_name, e.mock_case, f.state, f.mock_call);
  }
  if (!resp) return false;
  ++f.mock_call;
  const TaskKind kind = task_kind(current_state(f));
  switch (kind.flavor) {
    case Flavor::Service:
      emit(e, &f, "TaskStarted", "taskStartedEventDetails", service_detail(kind));
      break;
    case Flavor::Lambda:
      emit(e, &f, "LambdaFunctionStarted");
      break;
    case Flavor::Activity:
      emit(e, &f, "ActivityStarted", "activityStartedEventDetails", Doc::object());
      break;
  }
  if (resp->is_throw) {
    task_failed(e, f, resp->error, resp->cause);
  } else {
    task_succeeded(e, f, resp->value);
  }
  return true;
}

std::function<void(Result<Json>)> Engine::completion(ExecutionRec& e, Fiber& f, bool submit) {
  std::weak_ptr<Executor> weak = executor;
  return [this, weak, arn = e.arn, id = f.id, gen = f.gen, submit](Result<Json> r) {
    auto ex = weak.lock();
    if (!ex) return;
    auto shared = std::make_shared<Result<Json>>(std::move(r));
    ex->post([this, arn, id, gen, submit, shared] {
      ExecutionRec* e = execution(arn);
      if (!e || !e->running()) return;
      Fiber* f = fiber(*e, id);
      if (!f || f->gen != gen || f->phase != Phase::Task) return;
      if (!shared->ok()) {
        task_failed(*e, *f, shared->error().code, shared->error().message);
      } else if (submit) {
        task_submitted(*e, *f, shared->value());
      } else {
        task_succeeded(*e, *f, std::move(shared->value()));
      }
      drain();
    });
  };
}

void Engine::task_submitted(ExecutionRec& e, Fiber& f, const Json& output) {
  const TaskKind kind = task_kind(current_state(f));
  f.submitted = true;
  Doc d = service_detail(kind);
  Doc data = data_detail("output", to_text(output));
  d.update(data);
  emit(e, &f, "TaskSubmitted", "taskSubmittedEventDetails", std::move(d));
}

void Engine::task_succeeded(ExecutionRec& e, Fiber& f, Json output) {
  const TaskKind kind = task_kind(current_state(f));
  cancel(f.timer);
  cancel(f.heartbeat_timer);
  if (!f.token.empty()) close_token(f.token);
  ++f.gen;
  const std::string text = to_text(output);
  switch (kind.flavor) {
    case Flavor::Service: {
      Doc d = service_detail(kind);
      d.update(data_detail("output", text));
      emit(e, &f, "TaskSucceeded", "taskSucceededEventDetails", std::move(d));
      break;
    }
    case Flavor::Activity:
      emit(e, &f, "ActivitySucceeded", "activitySucceededEventDetails",
           data_detail("output", text));
      break;
    case Flavor::Lambda:
      emit(e, &f, "LambdaFunctionSucceeded", "lambdaFunctionSucceededEventDetails",
           data_detail("output", text));
      break;
  }
  finish_state(e, f, output, true);
}

void Engine::task_failed(ExecutionRec& e, Fiber& f, const std::string& error,
                         const std::string& cause) {
  const TaskKind kind = task_kind(current_state(f));
  cancel(f.timer);
  cancel(f.heartbeat_timer);
  if (!f.token.empty()) close_token(f.token);
  ++f.gen;
  switch (kind.flavor) {
    case Flavor::Service:
      emit(e, &f, "TaskFailed", "taskFailedEventDetails",
           error_detail(service_detail(kind), error, cause));
      break;
    case Flavor::Activity:
      emit(e, &f, "ActivityFailed", "activityFailedEventDetails",
           error_detail(Doc::object(), error, cause));
      break;
    case Flavor::Lambda:
      emit(e, &f, "LambdaFunctionFailed", "lambdaFunctionFailedEventDetails",
           error_detail(Doc::object(), error, cause));
      break;
  }
  state_failed(e, f, error, cause);
}

void Engine::task_timed_out(ExecutionRec& e, Fiber& f, const std::string& error) {
  const TaskKind kind = task_kind(current_state(f));
  cancel(f.timer);
  cancel(f.heartbeat_timer);
  if (!f.token.empty()) close_token(f.token);
  if (!f.child_execution.empty()) {
    if (auto* child = execution(f.child_execution); child && child->running())
      abort_execution(*child, "", "");
  }
  ++f.gen;
  switch (kind.flavor) {
    case Flavor::Service:
      emit(e, &f, "TaskTimedOut", "taskTimedOutEventDetails",
           error_detail(service_detail(kind), error, ""));
      break;
    case Flavor::Activity:
      emit(e, &f, "ActivityTimedOut", "activityTimedOutEventDetails",
           error_detail(Doc::object(), error, ""));
      break;
    case Flavor::Lambda:
      emit(e, &f, "LambdaFunctionTimedOut", "lambdaFunctionTimedOutEventDetails",
           error_detail(Doc::object(), error, ""));
      break;
  }
  state_failed(e, f, error, "");
}

// ---- callbacks ----

namespace {

bool well_formed_token(const std::string& token) {
  if (token.size() != 96) return false;
  for (char c : token)
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  return true;
}

}  // namespace

Result<std::pair<ExecutionRec*, Fiber*>> Engine::live_task(const std::string& token) {
  auto it = tokens.find(token);
  if (it == tokens.end()) {
    if (closed_tokens.count(token))
      return Error::sender("TaskTimedOut", "Task Timed Out: '" + token + "'");
    return Error::sender("TaskDoesNotExist", "Task Does Not Exist: '" + token + "'");
  }
  TokenRef ref = it->second;
  ExecutionRec* ex = execution(ref.execution);
  Fiber* f = ex ? fiber(*ex, ref.fiber) : nullptr;
  if (!ex || !ex->running() || !f || f->phase != Phase::Task || f->token != token) {
    close_token(token);
    return Error::sender("TaskTimedOut", "Task Timed Out: '" + token + "'");
  }
  return std::make_pair(ex, f);
}

void SfnEngine::send_task_success(std::string token, std::string output, DoneStatus done) {
  impl_->post([e = impl_.get(), token = std::move(token), output = std::move(output),
               done = std::move(done)]() mutable {
    Json value;
    if (!parse_json(output, value))
      return done(Error::sender("InvalidOutput", "Invalid Output: '" + output + "'"));
    if (!well_formed_token(token))
      return done(Error::sender("InvalidToken", "Invalid Token: 'Invalid token'"));
    auto task = e->live_task(token);
    if (!task.ok()) return done(task.error());
    auto [ex, f] = *task;
    e->task_succeeded(*ex, *f, std::move(value));
    e->drain();
    e->reply_durable(std::move(done), ok_status());
  });
}

void SfnEngine::send_task_failure(std::string token, std::string error, std::string cause,
                                  DoneStatus done) {
  impl_->post([e = impl_.get(), token = std::move(token), error = std::move(error),
               cause = std::move(cause), done = std::move(done)]() mutable {
    if (!well_formed_token(token))
      return done(Error::sender("InvalidToken", "Invalid Token: 'Invalid token'"));
    auto task = e->live_task(token);
    if (!task.ok()) return done(task.error());
    auto [ex, f] = *task;
    e->task_failed(*ex, *f, error, cause);
    e->drain();
    e->reply_durable(std::move(done), ok_status());
  });
}

void SfnEngine::send_task_heartbeat(std::string token, DoneStatus done) {
  impl_->post([e = impl_.get(), token = std::move(token), done = std::move(done)]() mutable {
    if (!well_formed_token(token))
      return done(Error::sender("InvalidToken", "Invalid Token: 'Invalid token'"));
    auto task = e->live_task(token);
    if (!task.ok()) return done(task.error());
    auto [ex, f] = *task;
    // A heartbeat restarts the HeartbeatSeconds clock.
    if (f->heartbeat_at > 0) {
      f->heartbeat_at = e->now() + f->heartbeat_period;
      e->arm_task_deadline(*ex, *f, /*heartbeat=*/true);
    }
    done(ok_status());
  });
}

}  // namespace sluice::services::sfn
