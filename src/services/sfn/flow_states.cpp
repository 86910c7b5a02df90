// Pass, Wait, Choice, Succeed and Fail.
#include <cmath>

#include "internal.hpp"
#include "sluice/common/encoding.hpp"
#include "sluice/services/sfn/intrinsics.hpp"

namespace sluice::services::sfn {

void Engine::run_pass(ExecutionRec& e, Fiber& f) {
  const asl::State& s = current_state(f);
  const QueryLanguage& ql = jsonpath_language();
  Json ctx = context_object(e, f);
  auto effective = ql.input(s.input_path, f.input, ctx);
  if (!effective.ok()) return runtime_error(e, f, effective.error());
  inspect(e, f, "afterInputPath", *effective);
  Json result;
  if (s.result) {
    result = *s.result;
  } else if (s.parameters) {
    auto p = ql.payload(*s.parameters, *effective, ctx);
    if (!p.ok()) return runtime_error(e, f, p.error());
    result = std::move(*p);
    inspect(e, f, "afterParameters", result);
  } else {
    result = std::move(*effective);
  }
  inspect(e, f, "result", result);
  auto merged = ql.result(s.result_path, f.input, result);
  if (!merged.ok()) return fiber_failed(e, f, merged.error().code, merged.error().message);
  inspect(e, f, "afterResultPath", *merged);
  auto out = ql.output(s.output_path, *merged, ctx);
  if (!out.ok()) return runtime_error(e, f, out.error());
  exit_state(e, f, std::move(*out), s.next);
}

void Engine::run_wait(ExecutionRec& e, Fiber& f) {
  const asl::State& s = current_state(f);
  const QueryLanguage& ql = jsonpath_language();
  Json ctx = context_object(e, f);
  auto effective = ql.input(s.input_path, f.input, ctx);
  if (!effective.ok()) return runtime_error(e, f, effective.error());
  f.effective = std::move(*effective);
  TimeMs deadline = now();
  if (s.seconds) {
    deadline = now() + *s.seconds * 1000;
  } else if (!s.timestamp.empty()) {
    deadline = parse_iso8601(s.timestamp).value_or(now());
  } else if (!s.seconds_path.empty()) {
    auto v = ql.path(s.seconds_path, f.effective, ctx);
    if (!v.ok()) return runtime_error(e, f, v.error());
    const bool integral =
        v->is_number_integer() || v->is_number_unsigned() ||
        (v->is_number_float() && std::floor(v->get<double>()) == v->get<double>());
    if (!integral || v->get<double>() < 0 || v->get<double>() > 99999999) {
      return runtime_error(e, f,
                           Error::sender("States.Runtime",
                                         "The SecondsPath parameter does not reference a "
                                         "valid positive integer value: " +
                                             to_text(*v)));
    }
    deadline = now() + static_cast<TimeMs>(v->get<double>()) * 1000;
  } else if (!s.timestamp_path.empty()) {
    auto v = ql.path(s.timestamp_path, f.effective, ctx);
    if (!v.ok()) return runtime_error(e, f, v.error());
    std::optional<TimeMs> t;
    if (v->is_string()) t = parse_iso8601(v->get<std::string>());
    if (!t) {
      return runtime_error(e, f,
                           Error::sender("States.Runtime",
                                         "The TimestampPath parameter does not reference a valid "
                                         "ISO-8601 extended offset date-time format string: " +
                                             to_text(*v)));
    }
    deadline = *t;
  }
  if (e.test) {
    // TestState does not wait.
    auto out = ql.output(s.output_path, f.effective, ctx);
    if (!out.ok()) return runtime_error(e, f, out.error());
    return exit_state(e, f, std::move(*out), s.next);
  }
  f.phase = Phase::Waiting;
  f.wake_at = std::max(deadline, now());
  ++f.gen;
  arm_wait(e, f);
}

void Engine::run_choice(ExecutionRec& e, Fiber& f) {
  const asl::State& s = current_state(f);
  const QueryLanguage& ql = jsonpath_language();
  Json ctx = context_object(e, f);
  auto effective = ql.input(s.input_path, f.input, ctx);
  if (!effective.ok()) return runtime_error(e, f, effective.error());
  auto next = ql.choose(s, *effective, ctx);
  if (!next.ok()) return runtime_error(e, f, next.error());
  if (next->empty()) {
    // No rule matched and there is no Default.
    return fiber_failed(e, f, "States.NoChoiceMatched", "No Matches!");
  }
  auto out = ql.output(s.output_path, *effective, ctx);
  if (!out.ok()) return runtime_error(e, f, out.error());
  exit_state(e, f, std::move(*out), *next);
}

void Engine::run_succeed(ExecutionRec& e, Fiber& f) {
  const asl::State& s = current_state(f);
  const QueryLanguage& ql = jsonpath_language();
  Json ctx = context_object(e, f);
  auto effective = ql.input(s.input_path, f.input, ctx);
  if (!effective.ok()) return runtime_error(e, f, effective.error());
  auto out = ql.output(s.output_path, *effective, ctx);
  if (!out.ok()) return runtime_error(e, f, out.error());
  exit_state(e, f, std::move(*out), "");
}

void Engine::run_fail(ExecutionRec& e, Fiber& f) {
  const asl::State& s = current_state(f);
  Json ctx = context_object(e, f);
  auto field = [&](const std::optional<std::string>& fixed, const std::optional<std::string>& path,
                   const char* name, std::string& out) -> bool {
    if (fixed) {
      out = *fixed;
      return true;
    }
    if (!path) return true;
    auto v = is_intrinsic_call(*path) ? evaluate_intrinsic_text(*path, f.input, ctx)
                                      : jsonpath_language().path(*path, f.input, ctx);
    if (!v.ok()) {
      runtime_error(e, f, v.error());
      return false;
    }
    if (!v->is_string()) {
      runtime_error(e, f,
                    Error::sender("States.Runtime", std::string("The ") + name +
                                                        " field must resolve to a string, but "
                                                        "it resolved to " +
                                                        to_text(*v)));
      return false;
    }
    out = v->get<std::string>();
    return true;
  };
  std::string error, cause;
  if (!field(s.error, s.error_path, "ErrorPath", error)) return;
  if (!field(s.cause, s.cause_path, "CausePath", cause)) return;
  fiber_failed(e, f, error, cause);
}

}  // namespace sluice::services::sfn
