// TestState: one state run alone in a hidden execution that stops after it, reporting
// the output and next state, or the error and whether a Retry or Catch would take it.
// Task states call their integration unless a mock result or error is given.
#include "internal.hpp"
#include "sluice/common/encoding.hpp"

namespace sluice::services::sfn {

void SfnEngine::test_state(Scope scope, TestStateRequest request, Done<TestStateResult> done) {
  impl_->post([e = impl_.get(), scope = std::move(scope), request = std::move(request),
               done = std::move(done)]() mutable {
    // The definition is one state, or a whole machine with stateName picking the state.
    Json def;
    if (!parse_json(request.definition, def) || !def.is_object())
      return done(Error::sender("InvalidDefinition",
                                "Invalid State Machine Definition: 'INVALID_JSON_DESCRIPTION: The "
                                "definition is not a JSON object'"));
    std::string state_name = request.state_name.empty() ? "TestState" : request.state_name;
    std::string state_json = request.definition;
    if (def.contains("States")) {
      if (request.state_name.empty() && def.contains("StartAt") && def["StartAt"].is_string())
        state_name = def["StartAt"].get<std::string>();
      if (!def["States"].is_object() || !def["States"].contains(state_name))
        return done(Error::sender("ValidationException",
                                  "The state '" + state_name + "' is not in the definition"));
      state_json = to_text(def["States"][state_name]);
    }
    auto parsed = asl::parse_single_state(state_json, state_name);
    if (!parsed.ok())
      return done(
          Error::sender("InvalidDefinition", asl::invalid_definition_message(parsed.diagnostics)));
    const std::string input_text = request.input.value_or("{}");
    Json input;
    if (!parse_json(input_text, input))
      return done(Error::sender("InvalidExecutionInput",
                                "Invalid State Machine Execution Input: '" + input_text + "'"));

    auto rec = std::make_unique<ExecutionRec>();
    ExecutionRec& x = *rec;
    x.name = uuid_v4();
    x.arn =
        "arn:aws:states:" + scope.region + ":" + scope.account + ":execution:TestState:" + x.name;
    x.machine_name = "TestState";
    x.machine_arn =
        "arn:aws:states:" + scope.region + ":" + scope.account + ":stateMachine:TestState";
    x.region = scope.region;
    x.account = scope.account;
    x.role_arn = request.role_arn;
    x.def = parsed.definition;
    x.definition = request.definition;
    x.input_text = input_text;
    x.input = input;
    x.start = e->now();
    x.test = true;
    x.inspect = Json::object();
    x.inspect["input"] = to_text(input);
    x.test_retry_count = request.retrier_retry_count.value_or(0);
    if (request.context) {
      Json c;
      if (!parse_json(*request.context, c) || !c.is_object())
        return done(Error::sender("ValidationException",
                                  "The context is not a valid JSON object: " + *request.context));
      x.test_context = std::move(c);
    }
    if (request.mock_result) {
      Json m;
      if (!parse_json(*request.mock_result, m))
        return done(Error::sender("ValidationException", "The mock result is not valid JSON"));
      x.test_mock = std::move(m);
    } else if (request.mock_error_given) {
      x.test_mock_error =
          std::make_pair(request.mock_error.value_or(""), request.mock_cause.value_or(""));
    }
    const std::string arn = x.arn;
    const std::string level = request.inspection_level;
    x.test_trace = level == "TRACE";
    x.on_close.push_back([e, arn, level, done](const ExecutionRec& closed) {
      TestStateResult r;
      r.status = closed.test_status.empty() ? "FAILED" : closed.test_status;
      if (closed.test_output) r.output = to_text(*closed.test_output);
      r.error = closed.error;
      r.cause = closed.cause;
      r.next_state = closed.test_next;
      if (level == "DEBUG" || level == "TRACE")
        r.inspection_data = Doc::parse(to_text(closed.inspect));
      done(std::move(r));
      // The hidden execution goes once nothing refers to it any more.
      e->post([e, arn] { e->executions.erase(arn); });
    });
    e->executions[arn] = std::move(rec);
    ExecutionRec& placed = *e->executions[arn];
    Fiber& root = e->spawn(placed, nullptr, {}, input, 0);
    placed.root = root.id;
    e->schedule(placed, root);
    e->drain();
  });
}

}  // namespace sluice::services::sfn
