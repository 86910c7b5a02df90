// ASL: states, machines (top level, Parallel branches, Map processors) and the
// transition graph checks AWS runs at CreateStateMachine.
#include <deque>
#include <set>

#include "asl_internal.hpp"
#include "sluice/services/sfn/json_path.hpp"

namespace sluice::services::sfn::asl {

namespace {

constexpr std::int64_t kMaxSeconds = 99999999;
// State names are at most 80 characters (AWS quota).
constexpr std::size_t kMaxStateName = 80;

bool has_pattern(const TaskResource& r, const char* p) {
  return r.pattern.rfind(p, 0) == 0;
}

std::set<std::string> machine_fields(bool top_level, bool map_processor) {
  std::set<std::string> f = {"StartAt", "States", "Comment"};
  if (top_level) {
    f.insert("Version");
    f.insert("TimeoutSeconds");
    f.insert("QueryLanguage");
  }
  if (map_processor) f.insert("ProcessorConfig");
  return f;
}

}  // namespace

TaskResource classify_resource(const std::string& arn) {
  TaskResource r;
  std::vector<std::string> parts;
  std::size_t start = 0;
  while (true) {
    auto colon = arn.find(':', start);
    parts.push_back(
        arn.substr(start, colon == std::string::npos ? std::string::npos : colon - start));
    if (colon == std::string::npos) break;
    start = colon + 1;
  }
  if (parts.size() < 6 || parts[0] != "arn") return r;
  const std::string& svc = parts[2];
  if (svc == "lambda" && parts.size() >= 7 && parts[5] == "function") {
    r.kind = TaskResource::Kind::LambdaFunction;
    r.service = "lambda";
    r.action = "invoke";
    return r;
  }
  if (svc != "states") return r;
  if (parts[5] == "activity" && parts.size() == 7 && !parts[3].empty()) {
    r.kind = TaskResource::Kind::Activity;
    return r;
  }
  if (!parts[4].empty() || parts.size() < 7) return r;
  // arn:aws:states:::<service>:<action>[.<pattern>]  (aws-sdk:<service>:<action>)
  std::size_t i = 5;
  r.service = parts[i++];
  if (r.service == "aws-sdk") {
    if (parts.size() < 8) return r;
    r.service += ":" + parts[i++];
  }
  std::string rest = parts[i++];
  for (; i < parts.size(); ++i)
    rest += ":" + parts[i];
  auto dot = rest.find('.');
  r.action = rest.substr(0, dot);
  if (dot != std::string::npos) r.pattern = rest.substr(dot + 1);
  if (r.service.empty() || r.action.empty()) return r;
  if (!r.pattern.empty() && r.pattern != "sync" && r.pattern != "sync:2" &&
      r.pattern != "waitForTaskToken")
    return r;
  r.kind = TaskResource::Kind::Service;
  return r;
}

void Validator::task_fields(const Json& st, State& s, const std::string& loc) {
  if (auto r = string_field(st, "Resource", loc)) {
    s.resource = *r;
    TaskResource res = classify_resource(*r);
    if (res.kind == TaskResource::Kind::Unknown) {
      error("INVALID_RESOURCE", "Invalid Resource: '" + *r + "'", loc + "/Resource");
    } else if (options_.express) {
      if (res.kind == TaskResource::Kind::Activity)
        schema("Express state machine does not support Activity ARN", loc + "/Resource");
      else if (has_pattern(res, "sync"))
        schema("Express state machine does not support '.sync' service integration",
               loc + "/Resource");
      else if (res.pattern == "waitForTaskToken")
        schema("Express state machine does not support '.waitForTaskToken' service integration",
               loc + "/Resource");
    }
  } else if (!st.contains("Resource")) {
    schema("These fields are required: [Resource]", loc);
  }
  if (st.contains("TimeoutSeconds") && st.contains("TimeoutSecondsPath"))
    schema("Only one of these fields can be set: [TimeoutSeconds, TimeoutSecondsPath]", loc);
  if (st.contains("HeartbeatSeconds") && st.contains("HeartbeatSecondsPath"))
    schema("Only one of these fields can be set: [HeartbeatSeconds, HeartbeatSecondsPath]", loc);
  s.timeout_seconds = int_field(st, "TimeoutSeconds", loc, 1, kMaxSeconds);
  s.heartbeat_seconds = int_field(st, "HeartbeatSeconds", loc, 1, kMaxSeconds);
  if (st.contains("TimeoutSecondsPath"))
    s.timeout_seconds_path = path_field(st, "TimeoutSecondsPath", loc, true).path;
  if (st.contains("HeartbeatSecondsPath"))
    s.heartbeat_seconds_path = path_field(st, "HeartbeatSecondsPath", loc, true).path;
  if (s.timeout_seconds && s.heartbeat_seconds && *s.heartbeat_seconds >= *s.timeout_seconds)
    schema(
        "The value for the field 'HeartbeatSeconds' must be smaller than the value for the "
        "field 'TimeoutSeconds'",
        loc + "/HeartbeatSeconds");
  if (auto it = st.find("Credentials"); it != st.end()) {
    if (!it->is_object())
      schema("The value for the field 'Credentials' must be an OBJECT", loc + "/Credentials");
    s.credentials = *it;
  }
}

void Validator::wait_fields(const Json& st, State& s, const std::string& loc) {
  int n = 0;
  for (const char* f : {"Seconds", "Timestamp", "SecondsPath", "TimestampPath"})
    n += st.contains(f) ? 1 : 0;
  if (n != 1) {
    schema(
        "Exactly one of these fields is required: [Seconds, Timestamp, SecondsPath, "
        "TimestampPath]",
        loc);
  }
  s.seconds = int_field(st, "Seconds", loc, 0, kMaxSeconds);
  if (auto t = string_field(st, "Timestamp", loc)) {
    s.timestamp = *t;
    if (!detail::valid_timestamp(*t))
      schema("The value for the field 'Timestamp' must be a valid timestamp", loc + "/Timestamp");
  }
  if (st.contains("SecondsPath")) s.seconds_path = path_field(st, "SecondsPath", loc, false).path;
  if (st.contains("TimestampPath"))
    s.timestamp_path = path_field(st, "TimestampPath", loc, false).path;
}

void Validator::fail_fields(const Json& st, State& s, const std::string& loc) {
  if (st.contains("Error") && st.contains("ErrorPath"))
    schema("Only one of these fields can be set: [Error, ErrorPath]", loc);
  if (st.contains("Cause") && st.contains("CausePath"))
    schema("Only one of these fields can be set: [Cause, CausePath]", loc);
  s.error = string_field(st, "Error", loc);
  s.cause = string_field(st, "Cause", loc);
  for (const char* f : {"ErrorPath", "CausePath"}) {
    auto v = string_field(st, f, loc);
    if (!v) continue;
    std::string text = *v;
    bool ok = text.rfind("States.", 0) == 0 ? true : detail::valid_path(text);
    if (!ok)
      schema(std::string("The value for the field '") + f +
                 "' must be a valid JSONPath or a valid intrinsic function call",
             loc + "/" + f);
    (std::string(f) == "ErrorPath" ? s.error_path : s.cause_path) = text;
  }
}

void Validator::map_fields(const Json& st, State& s, const std::string& loc) {
  const bool has_processor = st.contains("ItemProcessor");
  const bool has_iterator = st.contains("Iterator");
  if (has_processor == has_iterator) {
    schema(has_processor ? "Only one of these fields can be set: [ItemProcessor, Iterator]"
                         : "These fields are required: [ItemProcessor]",
           loc);
  }
  const char* pname = has_processor ? "ItemProcessor" : "Iterator";
  if (has_processor || has_iterator) {
    const Json& p = st[pname];
    if (!p.is_object()) {
      schema(std::string("The value for the field '") + pname + "' must be an OBJECT",
             loc + "/" + pname);
    } else {
      if (has_processor) {
        if (auto pc = p.find("ProcessorConfig"); pc != p.end()) {
          const std::string pl = loc + "/ItemProcessor/ProcessorConfig";
          if (!pc->is_object()) {
            schema("The value for the field 'ProcessorConfig' must be an OBJECT", pl);
          } else {
            for (const auto& [k, v] : pc->items())
              if (k != "Mode" && k != "ExecutionType")
                schema("The field \"" + k + "\" is not supported by Step Functions", pl);
            if (auto m = string_field(*pc, "Mode", pl)) {
              if (*m == "DISTRIBUTED") {
                s.distributed = true;
              } else if (*m != "INLINE") {
                schema("The field 'Mode' should have one of these values: [INLINE, DISTRIBUTED]",
                       pl + "/Mode");
              }
            }
            if (auto e = string_field(*pc, "ExecutionType", pl)) {
              if (*e != "STANDARD" && *e != "EXPRESS")
                schema(
                    "The field 'ExecutionType' should have one of these values: [STANDARD, "
                    "EXPRESS]",
                    pl + "/ExecutionType");
              s.child_execution_type = *e;
            } else if (s.distributed) {
              schema("These fields are required: [ExecutionType]", pl);
            }
            if (s.distributed && options_.express)
              schema(
                  "The field 'Mode' with value 'DISTRIBUTED' is not supported inside "
                  "'EXPRESS' state machines",
                  pl + "/Mode");
          }
        }
      }
      ParseOptions child = options_;
      // Distributed child workflows run as their own executions; EXPRESS children obey
      // the EXPRESS rules.
      if (s.distributed && s.child_execution_type == "EXPRESS") child.express = true;
      ParseOptions saved = options_;
      options_ = child;
      s.processor = machine(p, loc + "/" + pname, false, has_processor);
      options_ = saved;
    }
  }
  s.items_path = path_field(st, "ItemsPath", loc, false);
  if (st.contains("ItemSelector") && st.contains("Parameters"))
    schema("Only one of these fields can be set: [ItemSelector, Parameters]", loc);
  if (auto it = st.find("ItemSelector"); it != st.end()) {
    if (!it->is_object())
      schema("The value for the field 'ItemSelector' must be an OBJECT", loc + "/ItemSelector");
    payload_template(*it, "ItemSelector", loc + "/ItemSelector");
    s.item_selector = *it;
  } else if (s.parameters) {
    // Legacy Map: Parameters select each item's input.
    s.item_selector = s.parameters;
    s.parameters.reset();
  }
  if (st.contains("MaxConcurrency") && st.contains("MaxConcurrencyPath"))
    schema("Only one of these fields can be set: [MaxConcurrency, MaxConcurrencyPath]", loc);
  if (auto v = int_field(st, "MaxConcurrency", loc, 0, kMaxSeconds)) s.max_concurrency = *v;
  if (st.contains("MaxConcurrencyPath"))
    s.max_concurrency_path = path_field(st, "MaxConcurrencyPath", loc, true).path;
  for (const char* f : {"ItemReader", "ItemBatcher", "ResultWriter"}) {
    auto it = st.find(f);
    if (it == st.end()) continue;
    if (!it->is_object()) {
      schema(std::string("The value for the field '") + f + "' must be an OBJECT", loc + "/" + f);
      continue;
    }
    if (!s.distributed && std::string(f) != "ItemReader") {
      schema(std::string("The field '") + f + "' is only supported in DISTRIBUTED mode",
             loc + "/" + f);
    }
    if (std::string(f) == "ItemReader") s.item_reader = *it;
    if (std::string(f) == "ItemBatcher") {
      payload_template(it->value("BatchInput", Json::object()), "BatchInput",
                       loc + "/ItemBatcher/BatchInput");
      s.item_batcher = *it;
    }
    if (std::string(f) == "ResultWriter") s.result_writer = *it;
  }
  if (st.contains("ToleratedFailurePercentage") || st.contains("ToleratedFailureCount") ||
      st.contains("ToleratedFailurePercentagePath") || st.contains("ToleratedFailureCountPath")) {
    if (!s.distributed)
      schema(
          "The fields ToleratedFailurePercentage and ToleratedFailureCount are only "
          "supported in DISTRIBUTED mode",
          loc);
  }
  s.tolerated_failure_percentage = number_field(st, "ToleratedFailurePercentage", loc, 0, 100);
  s.tolerated_failure_count = int_field(st, "ToleratedFailureCount", loc, 0, INT64_MAX);
  if (st.contains("ToleratedFailurePercentagePath"))
    s.tolerated_failure_percentage_path =
        path_field(st, "ToleratedFailurePercentagePath", loc, true).path;
  if (st.contains("ToleratedFailureCountPath"))
    s.tolerated_failure_count_path = path_field(st, "ToleratedFailureCountPath", loc, true).path;
  if (auto l = string_field(st, "Label", loc)) {
    s.label = *l;
    if (l->size() > 40)
      schema("The value for the field 'Label' must be at most 40 characters", loc + "/Label");
  }
}

std::optional<State> Validator::state(const std::string& name, const Json& st,
                                      const std::string& loc, bool allow_dangling) {
  if (name.empty() || name.size() > kMaxStateName) {
    error("INVALID_STATE_NAME", "State names must be 1 to 80 characters long: '" + name + "'", loc);
  }
  if (!st.is_object()) {
    schema("The value for the state '" + name + "' must be an OBJECT", loc);
    return std::nullopt;
  }
  auto type_it = st.find("Type");
  if (type_it == st.end()) {
    schema("These fields are required: [Type]", loc);
    return std::nullopt;
  }
  std::optional<StateType> type =
      type_it->is_string() ? detail::parse_type(type_it->get<std::string>()) : std::nullopt;
  if (!type) {
    schema(
        "The field 'Type' should have one of these values: [Task, Wait, Pass, Succeed, Fail, "
        "Choice, Parallel, Map]",
        loc + "/Type");
    return std::nullopt;
  }
  State s;
  s.name = name;
  s.type = *type;
  s.mentions_context = st.dump().find("$$") != std::string::npos;
  const auto allowed = detail::allowed_fields(s.type);
  for (const auto& [k, v] : st.items()) {
    if (allowed.count(k)) continue;
    if (k == "QueryLanguage" && v.is_string() && v.get<std::string>() == "JSONPath") continue;
    if (k == "QueryLanguage" && !(v.is_string() && v.get<std::string>() == "JSONata")) {
      schema("The field 'QueryLanguage' should have one of these values: [JSONPath, JSONata]",
             loc + "/QueryLanguage");
    } else if (k == "Assign" || k == "Arguments" || k == "Output" || k == "QueryLanguage" ||
               k == "Items") {
      schema("The field \"" + k +
                 "\" (JSONata and workflow variables) is not supported by this emulator yet",
             loc + "/" + k);
    } else {
      schema("The field \"" + k + "\" is not supported by Step Functions", loc);
    }
  }

  // Next / End
  const bool terminal_type =
      s.type == StateType::Succeed || s.type == StateType::Fail || s.type == StateType::Choice;
  if (!terminal_type) {
    auto next = string_field(st, "Next", loc);
    bool end = false;
    if (auto it = st.find("End"); it != st.end()) {
      if (!it->is_boolean()) {
        schema("The value for the field 'End' must be a BOOLEAN", loc + "/End");
      } else {
        end = it->get<bool>();
      }
    }
    if (next && end) {
      schema("Only one of these fields can be set: [Next, End]", loc);
    } else if (!next && !end && !st.contains("Next")) {
      schema("These fields are required: [Next | End]", loc);
    }
    if (next) s.next = *next;
    s.end = end;
  }

  if (st.contains("InputPath")) s.input_path = path_field(st, "InputPath", loc, false);
  if (st.contains("OutputPath")) s.output_path = path_field(st, "OutputPath", loc, false);
  if (st.contains("ResultPath")) s.result_path = path_field(st, "ResultPath", loc, true);
  if (auto it = st.find("Parameters"); it != st.end()) {
    if (!it->is_object() && s.type != StateType::Pass)
      schema("The value for the field 'Parameters' must be an OBJECT", loc + "/Parameters");
    payload_template(*it, "Parameters", loc + "/Parameters");
    s.parameters = *it;
  }
  if (auto it = st.find("ResultSelector"); it != st.end()) {
    if (!it->is_object())
      schema("The value for the field 'ResultSelector' must be an OBJECT", loc + "/ResultSelector");
    payload_template(*it, "ResultSelector", loc + "/ResultSelector");
    s.result_selector = *it;
  }
  if (auto it = st.find("Result"); it != st.end()) {
    s.result = *it;
    if (it->is_object())
      for (const auto& [k, v] : it->items())
        if (k.size() > 2 && k.compare(k.size() - 2, 2, ".$") == 0)
          warning("PASS_RESULT_IS_STATIC",
                  "The field '" + k +
                      "' of a Pass state's Result is static; paths are not "
                      "evaluated there",
                  loc + "/Result");
  }
  if (s.type == StateType::Task || s.type == StateType::Parallel || s.type == StateType::Map) {
    retriers(st, s, loc);
    catchers(st, s, loc);
  }

  switch (s.type) {
    case StateType::Task:
      task_fields(st, s, loc);
      break;
    case StateType::Wait:
      wait_fields(st, s, loc);
      break;
    case StateType::Fail:
      fail_fields(st, s, loc);
      break;
    case StateType::Choice: {
      auto it = st.find("Choices");
      if (it == st.end()) {
        schema("These fields are required: [Choices]", loc);
      } else if (!it->is_array() || it->empty()) {
        schema("The field 'Choices' should be non-empty", loc + "/Choices");
      } else {
        for (std::size_t i = 0; i < it->size(); ++i) {
          auto rule = choice_rule((*it)[i], loc + "/Choices[" + std::to_string(i) + "]", true);
          if (rule) s.choices.push_back(std::move(*rule));
        }
      }
      if (auto d = string_field(st, "Default", loc)) s.default_next = *d;
      break;
    }
    case StateType::Parallel: {
      auto it = st.find("Branches");
      if (it == st.end()) {
        schema("These fields are required: [Branches]", loc);
      } else if (!it->is_array() || it->empty()) {
        schema("The field 'Branches' should be non-empty", loc + "/Branches");
      } else {
        for (std::size_t i = 0; i < it->size(); ++i) {
          auto b = machine((*it)[i], loc + "/Branches[" + std::to_string(i) + "]", false, false);
          if (b) s.branches.push_back(std::move(b));
        }
      }
      break;
    }
    case StateType::Map:
      map_fields(st, s, loc);
      break;
    default:
      break;
  }
  (void)allow_dangling;
  return s;
}

std::shared_ptr<StateMachineDef> Validator::machine(const Json& m, const std::string& loc,
                                                    bool top_level, bool map_processor,
                                                    bool allow_dangling) {
  const std::string base = loc == "/" ? "" : loc;
  if (!m.is_object()) {
    schema("The state machine must be a JSON OBJECT", loc);
    return nullptr;
  }
  auto def = std::make_shared<StateMachineDef>();
  const auto fields = machine_fields(top_level, map_processor);
  std::vector<std::string> missing;
  if (!m.contains("StartAt")) missing.push_back("StartAt");
  if (!m.contains("States")) missing.push_back("States");
  if (!missing.empty()) {
    std::string list;
    for (const auto& f : missing)
      list += (list.empty() ? "" : ", ") + f;
    schema("These fields are required: [" + list + "]", loc);
  }
  for (const auto& [k, v] : m.items()) {
    if (fields.count(k)) continue;
    schema("The field \"" + k + "\" is not supported by Step Functions", loc);
  }
  if (auto s = string_field(m, "StartAt", base)) def->start_at = *s;
  if (auto c = string_field(m, "Comment", base)) def->comment = *c;
  if (top_level) {
    def->timeout_seconds = int_field(m, "TimeoutSeconds", base, 1, kMaxSeconds);
    if (auto v = string_field(m, "Version", base); v && *v != "1.0")
      schema("The value for the field 'Version' must be '1.0'", base + "/Version");
    if (auto q = string_field(m, "QueryLanguage", base)) {
      if (*q == "JSONata") {
        schema(
            "The query language 'JSONata' is not supported by this emulator yet; use "
            "JSONPath",
            base + "/QueryLanguage");
      } else if (*q != "JSONPath") {
        schema(
            "The field 'QueryLanguage' should have one of these values: [JSONPath, "
            "JSONata]",
            base + "/QueryLanguage");
      }
    }
  }
  auto states_it = m.find("States");
  if (states_it != m.end()) {
    if (!states_it->is_object() || states_it->empty()) {
      schema("The field 'States' should be non-empty", base + "/States");
    } else {
      for (const auto& [name, st] : states_it->items()) {
        const std::string sl = base + "/States/" + name;
        if (!all_state_names_.insert(name).second)
          error("DUPLICATE_STATE_NAME", "Duplicate State name: " + name, sl);
        auto s = state(name, st, sl, allow_dangling);
        if (s) def->states.emplace(name, std::move(*s));
      }
    }
  }
  if (!allow_dangling) transitions(*def, base);
  return def;
}

void Validator::transitions(const StateMachineDef& def, const std::string& base) {
  if (def.states.empty()) return;
  if (!def.start_at.empty() && !def.states.count(def.start_at)) {
    error("MISSING_TRANSITION_TARGET", "Missing 'StartAt' target: " + def.start_at,
          base + "/StartAt");
    return;
  }
  auto check = [&](const std::string& target, const std::string& where) {
    if (!target.empty() && !def.states.count(target))
      error("MISSING_TRANSITION_TARGET", "Missing 'Next' target: " + target, where);
  };
  bool has_terminal = false;
  for (const auto& [name, s] : def.states) {
    const std::string sl = base + "/States/" + name;
    check(s.next, sl + "/Next");
    check(s.default_next, sl + "/Default");
    for (std::size_t i = 0; i < s.choices.size(); ++i)
      check(s.choices[i].next, sl + "/Choices[" + std::to_string(i) + "]/Next");
    for (std::size_t i = 0; i < s.catchers.size(); ++i)
      check(s.catchers[i].next, sl + "/Catch[" + std::to_string(i) + "]/Next");
    if (s.end || s.type == StateType::Succeed || s.type == StateType::Fail) has_terminal = true;
  }
  if (has_errors()) return;
  // every state must be reachable from StartAt
  std::set<std::string> seen{def.start_at};
  std::deque<std::string> todo{def.start_at};
  while (!todo.empty()) {
    const State& s = def.states.at(todo.front());
    todo.pop_front();
    std::vector<std::string> outs{s.next, s.default_next};
    for (const auto& c : s.choices)
      outs.push_back(c.next);
    for (const auto& c : s.catchers)
      outs.push_back(c.next);
    for (const auto& o : outs)
      if (!o.empty() && def.states.count(o) && seen.insert(o).second) todo.push_back(o);
  }
  for (const auto& [name, s] : def.states)
    if (!seen.count(name))
      error("MISSING_TRANSITION_TARGET", "State \"" + name + "\" is not reachable.",
            base + "/States/" + name);
  if (!has_terminal)
    error("MISSING_END_STATE", "Workflow has no terminal state.", base.empty() ? "/" : base);
}

Parsed parse_definition(std::string_view text, const ParseOptions& options) {
  Parsed out;
  Json root;
  if (text.empty()) {
    out.diagnostics.push_back(
        {"ERROR", "MISSING_DESCRIPTION", "The state machine definition is empty.", "/"});
    return out;
  }
  if (!parse_json(text, root)) {
    out.diagnostics.push_back({"ERROR", "INVALID_JSON_DESCRIPTION",
                               "The state machine definition is not valid JSON.", "/"});
    return out;
  }
  Validator v(options);
  auto def = v.machine(root, "/", true, false);
  const bool failed = v.has_errors();
  out.diagnostics = v.take();
  if (!failed) out.definition = std::move(def);
  return out;
}

Parsed parse_single_state(std::string_view state_json, std::string_view state_name,
                          const ParseOptions& options) {
  Parsed out;
  Json st;
  if (!parse_json(state_json, st)) {
    out.diagnostics.push_back(
        {"ERROR", "INVALID_JSON_DESCRIPTION", "The state definition is not valid JSON.", "/"});
    return out;
  }
  Validator v(options);
  const std::string name = state_name.empty() ? "TestState" : std::string(state_name);
  Json machine = Json::object();
  machine["StartAt"] = name;
  machine["States"] = Json::object();
  machine["States"][name] = st;
  auto def = v.machine(machine, "/", true, false, /*allow_dangling=*/true);
  const bool failed = v.has_errors();
  out.diagnostics = v.take();
  if (!failed) out.definition = std::move(def);
  return out;
}

std::string invalid_definition_message(const std::vector<Diagnostic>& diagnostics) {
  std::string msg = "Invalid State Machine Definition: '";
  bool first = true;
  for (const auto& d : diagnostics) {
    if (d.severity != "ERROR") continue;
    if (!first) msg += ", ";
    first = false;
    msg += d.code + ": " + d.message;
    if (!d.location.empty()) msg += " at " + d.location;
  }
  return msg + "'";
}

}  // namespace sluice::services::sfn::asl
