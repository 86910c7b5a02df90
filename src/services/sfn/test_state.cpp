// TestState: one state run alone in a hidden execution that stops after it, reporting
// the output and next state, or the error and whether a Retry or Catch would take it.
// Task states call their integration unless a mock result or error is given.
#include "internal.hpp"
#include "sluice/common/encoding.hpp"

namespace sluice::services::sfn {

namespace {

Error invalid(std::string message) {
  return Error::sender("ValidationException", message);
}

// The model's constraints on the stateConfiguration members, in AWS's words.
Error constraint(const std::string& value, const char* member, const char* rule) {
  return invalid("1 validation error detected: Value '" + value + "' at 'stateConfiguration." +
                 member + "' failed to satisfy constraint: " + rule);
}

// Whether `name` is a state of `def`, at any depth (inside nested Map and Parallel too).
bool has_state(const asl::StateMachineDef* def, const std::string& name) {
  if (!def) return false;
  for (const auto& [n, st] : def->states) {
    if (n == name) return true;
    if (has_state(st.processor.get(), name)) return true;
    for (const auto& b : st.branches)
      if (has_state(b.get(), name)) return true;
  }
  return false;
}

const char* type_name(asl::StateType t) {
  switch (t) {
    case asl::StateType::Pass:
      return "Pass";
    case asl::StateType::Wait:
      return "Wait";
    case asl::StateType::Choice:
      return "Choice";
    case asl::StateType::Succeed:
      return "Succeed";
    case asl::StateType::Fail:
      return "Fail";
    case asl::StateType::Parallel:
      return "Parallel";
    case asl::StateType::Map:
      return "Map";
    case asl::StateType::Task:
      return "Task";
  }
  return "";
}

// An ItemReader TestState can feed from mapItemReaderData: an S3 object read with
// s3:getObject, as JSON, JSONL or CSV. Other sources are refused up front.
std::optional<Error> check_reader(const Json& reader) {
  const std::string resource = reader.value("Resource", std::string());
  const std::string get_object = ":::s3:getObject";
  if (resource.size() < get_object.size() ||
      resource.compare(resource.size() - get_object.size(), get_object.size(), get_object) != 0)
    return invalid(
        "mapItemReaderData is supported only for an ItemReader reading an object "
        "with s3:getObject; this ItemReader uses '" +
        resource + "'");
  const Json cfg = reader.value("ReaderConfig", Json::object());
  const std::string type = cfg.value("InputType", std::string("JSON"));
  if (type != "JSON" && type != "JSONL" && type != "CSV")
    return invalid(
        "mapItemReaderData is supported for the ItemReader InputType JSON, JSONL and "
        "CSV, not '" +
        type + "'");
  return std::nullopt;
}

// What AWS documents for the stateConfiguration members, checked before anything runs:
// retrierRetryCount and mapIterationFailureCount are at least 0, errorCausedByState is 1
// to 80 characters and names a state where an error mocked for a Map or Parallel state
// came from, mapIterationFailureCount counts failed iterations of a Map, and
// mapItemReaderData is what a (Distributed) Map's ItemReader reads from its source.
std::optional<Error> check_state_configuration(const TestStateRequest& r, const asl::State& st) {
  const bool mocked = r.mock_result.has_value() || r.mock_error_given;
  const std::string type = type_name(st.type);
  if (r.retrier_retry_count && *r.retrier_retry_count < 0)
    return constraint(std::to_string(*r.retrier_retry_count), "retrierRetryCount",
                      "Member must have value greater than or equal to 0");
  if (r.map_iteration_failure_count && *r.map_iteration_failure_count < 0)
    return constraint(std::to_string(*r.map_iteration_failure_count), "mapIterationFailureCount",
                      "Member must have value greater than or equal to 0");
  if (r.error_caused_by_state &&
      (r.error_caused_by_state->empty() || r.error_caused_by_state->size() > 80))
    return constraint(*r.error_caused_by_state, "errorCausedByState",
                      "Member must have length between 1 and 80");
  if (r.map_item_reader_data && r.map_item_reader_data->size() > 262144)
    return invalid(
        "1 validation error detected: Value at 'stateConfiguration.mapItemReaderData' failed to "
        "satisfy constraint: Member must have length less than or equal to 262144");

  if (r.error_caused_by_state) {
    if (st.type != asl::StateType::Map && st.type != asl::StateType::Parallel)
      return invalid(
          "errorCausedByState can only be specified for a Map or Parallel state, "
          "not for a " +
          type + " state");
    if (!r.mock_error_given)
      return invalid(
          "errorCausedByState can only be specified with a mocked error "
          "(mock.errorOutput)");
    bool found = has_state(st.processor.get(), *r.error_caused_by_state);
    for (const auto& b : st.branches)
      found = found || has_state(b.get(), *r.error_caused_by_state);
    if (!found)
      return invalid("errorCausedByState '" + *r.error_caused_by_state +
                     "' is not a state of the " + type + " state's " +
                     (st.type == asl::StateType::Map ? "ItemProcessor" : "Branches"));
  }
  if (r.map_iteration_failure_count) {
    if (st.type != asl::StateType::Map)
      return invalid(
          "mapIterationFailureCount can only be specified for a Map state, not for "
          "a " +
          type + " state");
    // Sluice runs an unmocked Map's iterations for real: their own failures count then.
    if (!mocked) return invalid("mapIterationFailureCount can only be specified with a mock");
  }
  if (r.map_item_reader_data) {
    if (st.type != asl::StateType::Map || !st.item_reader)
      return invalid(
          "mapItemReaderData can only be specified for a Map state with an "
          "ItemReader");
    if (auto bad = check_reader(*st.item_reader)) return bad;
  }
  return std::nullopt;
}

}  // namespace

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
    const asl::State& st = parsed.definition->states.begin()->second;
    if (auto bad = check_state_configuration(request, st)) return done(std::move(*bad));
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
    x.test_map_failures = request.map_iteration_failure_count;
    x.test_reader_data = request.map_item_reader_data;
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
      // A Map's result is the array of its iterations' results, or with a ResultWriter
      // the object describing what it wrote.
      if (st.type == asl::StateType::Map && st.result_writer && !m.is_object())
        return done(Error::sender("ValidationException", "Mocked result must be a JSON object."));
      if (st.type == asl::StateType::Map && !st.result_writer && !m.is_array())
        return done(Error::sender("ValidationException", "Mocked result must be an array."));
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

namespace {

Error reader_failed(const std::string& message) {
  return Error::sender("States.ItemReaderFailed", message);
}

// RFC 4180 records: fields split on `delim`, double quotes around a field, "" inside one.
std::optional<std::vector<std::vector<std::string>>> parse_csv(const std::string& text,
                                                               char delim) {
  std::vector<std::vector<std::string>> rows;
  std::vector<std::string> row;
  std::string field;
  bool quoted = false, any = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (quoted) {
      if (c == '"' && i + 1 < text.size() && text[i + 1] == '"') {
        field += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        field += c;
      }
      continue;
    }
    if (c == '"' && field.empty()) {
      quoted = any = true;
    } else if (c == delim) {
      row.push_back(std::move(field));
      field.clear();
      any = true;
    } else if (c == '\n' || c == '\r') {
      if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') ++i;
      if (any || !field.empty()) {
        row.push_back(std::move(field));
        rows.push_back(std::move(row));
      }
      row.clear();
      field.clear();
      any = false;
    } else {
      field += c;
      any = true;
    }
  }
  if (quoted) return std::nullopt;
  if (any || !field.empty()) {
    row.push_back(std::move(field));
    rows.push_back(std::move(row));
  }
  return rows;
}

}  // namespace

Result<Json> Engine::read_test_items(ExecutionRec& e, Fiber& f, const Json& reader,
                                     const Json& ctx) {
  const std::string& data = *e.test_reader_data;
  const Json cfg = reader.value("ReaderConfig", Json::object());
  const std::string type = cfg.value("InputType", std::string("JSON"));
  Json items = Json::array();
  if (type == "JSON") {
    Json doc;
    if (!parse_json(data, doc))
      return reader_failed("The ItemReader's data is not valid JSON (InputType JSON)");
    // ItemsPointer (a JSON Pointer) picks the array out of a JSON object.
    if (cfg.contains("ItemsPointer") && cfg["ItemsPointer"].is_string()) {
      try {
        doc = doc.at(Json::json_pointer(cfg["ItemsPointer"].get<std::string>()));
      } catch (const std::exception&) {
        return reader_failed("The ItemsPointer '" + cfg["ItemsPointer"].get<std::string>() +
                             "' does not point to a value of the ItemReader's data");
      }
      inspect(e, f, "afterItemsPointer", doc);
    }
    if (!doc.is_array())
      return reader_failed("The ItemReader's data must be a JSON array (InputType JSON)");
    items = std::move(doc);
  } else if (type == "JSONL") {
    std::size_t start = 0, line_no = 0;
    while (start <= data.size()) {
      std::size_t end = data.find('\n', start);
      if (end == std::string::npos) end = data.size();
      std::string line = data.substr(start, end - start);
      ++line_no;
      start = end + 1;
      while (!line.empty() && (line.back() == '\r' || line.back() == ' ' || line.back() == '\t'))
        line.pop_back();
      if (line.find_first_not_of(" \t") == std::string::npos) continue;
      Json v;
      if (!parse_json(line, v))
        return reader_failed("Line " + std::to_string(line_no) +
                             " of the ItemReader's data is not valid JSON (InputType JSONL)");
      items.push_back(std::move(v));
    }
  } else {  // CSV
    static const std::map<std::string, char> delimiters = {
        {"COMMA", ','}, {"PIPE", '|'}, {"SEMICOLON", ';'}, {"SPACE", ' '}, {"TAB", '\t'}};
    const std::string d = cfg.value("CSVDelimiter", std::string("COMMA"));
    auto di = delimiters.find(d);
    if (di == delimiters.end()) return reader_failed("Unknown CSVDelimiter '" + d + "'");
    auto rows = parse_csv(data, di->second);
    if (!rows) return reader_failed("The ItemReader's data is not valid CSV: unclosed quote");
    std::vector<std::string> headers;
    std::size_t first = 0;
    if (cfg.value("CSVHeaderLocation", std::string("FIRST_ROW")) == "GIVEN") {
      for (const auto& h : cfg.value("CSVHeaders", Json::array()))
        if (h.is_string()) headers.push_back(h.get<std::string>());
    } else {
      if (rows->empty()) return items;
      headers = (*rows)[0];
      first = 1;
    }
    for (std::size_t i = first; i < rows->size(); ++i) {
      const auto& row = (*rows)[i];
      // AWS reads each row into an object keyed by the headers, values as strings.
      if (row.size() != headers.size())
        return reader_failed("Row " + std::to_string(i + 1) + " of the ItemReader's data has " +
                             std::to_string(row.size()) + " fields but there are " +
                             std::to_string(headers.size()) + " headers (InputType CSV)");
      Json item = Json::object();
      for (std::size_t c = 0; c < row.size(); ++c)
        item[headers[c]] = row[c];
      items.push_back(std::move(item));
    }
  }
  // MaxItems (or MaxItemsPath) limits how many items are read; 0 means no limit.
  std::int64_t max_items = 0;
  if (cfg.contains("MaxItems") && cfg["MaxItems"].is_number_integer())
    max_items = cfg["MaxItems"].get<std::int64_t>();
  if (cfg.contains("MaxItemsPath") && cfg["MaxItemsPath"].is_string()) {
    auto v = jsonpath_language().path(cfg["MaxItemsPath"].get<std::string>(), f.effective, ctx);
    if (!v.ok()) return std::move(v).error();
    if (!v->is_number_integer() || v->get<std::int64_t>() < 0)
      return Error::sender("States.Runtime",
                           "The MaxItemsPath field does not reference a non-negative integer");
    max_items = v->get<std::int64_t>();
  }
  if (max_items > 0 && items.size() > std::size_t(max_items))
    items.erase(items.begin() + max_items, items.end());
  return items;
}

void Engine::finish_mocked_map(ExecutionRec& e, Fiber& f, std::size_t total, const Json& ctx) {
  const asl::State& s = current_state(f);
  auto tolerated = tolerated_failures(s, f.effective, ctx);
  if (!tolerated.ok()) return runtime_error(e, f, tolerated.error());
  const std::optional<std::int64_t> count = tolerated->count;
  const std::optional<double> pct = tolerated->percentage;
  if (count) inspect(e, f, "toleratedFailureCount", Json(*count));
  if (pct) e.inspect["toleratedFailurePercentage"] = *pct;
  // A mocked error is what the Map state fails with (errorCausedByState only says which
  // inner state raised it); Retry and Catch apply to it as to any error.
  if (e.test_mock_error)
    return state_failed(e, f, e.test_mock_error->first, e.test_mock_error->second);
  // mapIterationFailureCount failed iterations against the thresholds the state sets.
  // AWS's TestState only applies a threshold the state defines: without
  // ToleratedFailureCount/Percentage the mocked result stands, whatever the count. With
  // both set, the same rule as a real map run here (map_run_child_closed): both must be
  // exceeded. The percentage is of the Map's items (all failed when it has none).
  const std::int64_t failures = e.test_map_failures.value_or(0);
  const double failed_pct = total ? 100.0 * double(failures) / double(total) : 100.0;
  const bool over_count = count && failures > *count;
  const bool over_pct = pct && failed_pct > *pct;
  bool exceeded = false;
  if (failures > 0) {
    if (count && pct)
      exceeded = over_count && over_pct;
    else
      exceeded = over_count || over_pct;
  }
  if (exceeded)
    return state_failed(e, f, "States.ExceedToleratedFailureThreshold",
                        "The specified tolerated failure threshold was exceeded");
  finish_state(e, f, *e.test_mock, true);
}

void Engine::finish_mocked_parallel(ExecutionRec& e, Fiber& f) {
  if (e.test_mock_error)
    return state_failed(e, f, e.test_mock_error->first, e.test_mock_error->second);
  finish_state(e, f, *e.test_mock, true);
}

}  // namespace sluice::services::sfn
