// ASL parsing and schema validation (see asl.hpp). Diagnostics use the codes and the
// "<message> at <location>" form AWS reports in InvalidDefinition and
// ValidateStateMachineDefinition ("SCHEMA_VALIDATION_FAILED: ... at /States/X/Next").
#include <set>

#include "asl_internal.hpp"
#include "sluice/common/encoding.hpp"
#include "sluice/services/sfn/intrinsics.hpp"
#include "sluice/services/sfn/json_path.hpp"

namespace sluice::services::sfn::asl {

const char* state_type_name(StateType t) {
  switch (t) {
    case StateType::Pass:
      return "Pass";
    case StateType::Task:
      return "Task";
    case StateType::Choice:
      return "Choice";
    case StateType::Wait:
      return "Wait";
    case StateType::Succeed:
      return "Succeed";
    case StateType::Fail:
      return "Fail";
    case StateType::Parallel:
      return "Parallel";
    case StateType::Map:
      return "Map";
  }
  return "Pass";
}

namespace detail {

std::string json_kind(const Json& v) {
  switch (v.type()) {
    case Json::value_t::string:
      return "STRING";
    case Json::value_t::boolean:
      return "BOOLEAN";
    case Json::value_t::number_integer:
    case Json::value_t::number_unsigned:
      return "INTEGER";
    case Json::value_t::number_float:
      return "NUMBER";
    case Json::value_t::array:
      return "ARRAY";
    case Json::value_t::object:
      return "OBJECT";
    default:
      return "NULL";
  }
}

bool valid_path(const std::string& text) {
  std::string_view t = text;
  if (t.substr(0, 2) == "$$") t.remove_prefix(1);
  return JsonPath::parse(t).ok();
}

bool valid_reference_path(const std::string& text) {
  auto p = JsonPath::parse(text);
  return p.ok() && p->is_reference();
}

bool valid_timestamp(const std::string& text) {
  // RFC 3339: date, 'T', time and an explicit offset (Z or +hh:mm), as AWS requires
  if (text.size() < 20 || (text[10] != 'T' && text[10] != 't')) return false;
  return parse_iso8601(text).has_value();
}

}  // namespace detail

namespace {

using detail::json_kind;

std::set<std::string> allowed_fields_impl(StateType t) {
  std::set<std::string> f = {"Type", "Comment"};
  auto add = [&f](std::initializer_list<const char*> names) {
    for (const char* n : names)
      f.insert(n);
  };
  switch (t) {
    case StateType::Pass:
      add({"Next", "End", "InputPath", "OutputPath", "ResultPath", "Parameters", "Result"});
      break;
    case StateType::Task:
      add({"Next", "End", "InputPath", "OutputPath", "ResultPath", "Parameters", "ResultSelector",
           "Retry", "Catch", "Resource", "TimeoutSeconds", "TimeoutSecondsPath", "HeartbeatSeconds",
           "HeartbeatSecondsPath", "Credentials"});
      break;
    case StateType::Choice:
      add({"Choices", "Default", "InputPath", "OutputPath"});
      break;
    case StateType::Wait:
      add({"Next", "End", "InputPath", "OutputPath", "Seconds", "Timestamp", "SecondsPath",
           "TimestampPath"});
      break;
    case StateType::Succeed:
      add({"InputPath", "OutputPath"});
      break;
    case StateType::Fail:
      add({"Error", "Cause", "ErrorPath", "CausePath"});
      break;
    case StateType::Parallel:
      add({"Next", "End", "InputPath", "OutputPath", "ResultPath", "Parameters", "ResultSelector",
           "Retry", "Catch", "Branches"});
      break;
    case StateType::Map:
      add({"Next",
           "End",
           "InputPath",
           "OutputPath",
           "ResultPath",
           "Parameters",
           "ResultSelector",
           "Retry",
           "Catch",
           "ItemsPath",
           "ItemSelector",
           "Iterator",
           "ItemProcessor",
           "MaxConcurrency",
           "MaxConcurrencyPath",
           "ItemReader",
           "ItemBatcher",
           "ResultWriter",
           "ToleratedFailurePercentage",
           "ToleratedFailurePercentagePath",
           "ToleratedFailureCount",
           "ToleratedFailureCountPath",
           "Label"});
      break;
  }
  return f;
}

std::optional<StateType> parse_type_impl(const std::string& s) {
  if (s == "Pass") return StateType::Pass;
  if (s == "Task") return StateType::Task;
  if (s == "Choice") return StateType::Choice;
  if (s == "Wait") return StateType::Wait;
  if (s == "Succeed") return StateType::Succeed;
  if (s == "Fail") return StateType::Fail;
  if (s == "Parallel") return StateType::Parallel;
  if (s == "Map") return StateType::Map;
  return std::nullopt;
}

const std::set<std::string>& choice_operators() {
  static const std::set<std::string> k = {"StringEquals",
                                          "StringEqualsPath",
                                          "StringLessThan",
                                          "StringLessThanPath",
                                          "StringGreaterThan",
                                          "StringGreaterThanPath",
                                          "StringLessThanEquals",
                                          "StringLessThanEqualsPath",
                                          "StringGreaterThanEquals",
                                          "StringGreaterThanEqualsPath",
                                          "StringMatches",
                                          "NumericEquals",
                                          "NumericEqualsPath",
                                          "NumericLessThan",
                                          "NumericLessThanPath",
                                          "NumericGreaterThan",
                                          "NumericGreaterThanPath",
                                          "NumericLessThanEquals",
                                          "NumericLessThanEqualsPath",
                                          "NumericGreaterThanEquals",
                                          "NumericGreaterThanEqualsPath",
                                          "BooleanEquals",
                                          "BooleanEqualsPath",
                                          "TimestampEquals",
                                          "TimestampEqualsPath",
                                          "TimestampLessThan",
                                          "TimestampLessThanPath",
                                          "TimestampGreaterThan",
                                          "TimestampGreaterThanPath",
                                          "TimestampLessThanEquals",
                                          "TimestampLessThanEqualsPath",
                                          "TimestampGreaterThanEquals",
                                          "TimestampGreaterThanEqualsPath",
                                          "IsNull",
                                          "IsPresent",
                                          "IsNumeric",
                                          "IsString",
                                          "IsBoolean",
                                          "IsTimestamp"};
  return k;
}

bool ends_with(const std::string& s, std::string_view suffix) {
  return s.size() >= suffix.size() &&
         s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

}  // namespace

namespace detail {
std::set<std::string> allowed_fields(StateType t) {
  return allowed_fields_impl(t);
}
std::optional<StateType> parse_type(const std::string& s) {
  return parse_type_impl(s);
}
}  // namespace detail

// ---- Validator ----

void Validator::error(std::string code, std::string message, std::string location) {
  diagnostics_.push_back({"ERROR", std::move(code), std::move(message), std::move(location)});
}
void Validator::warning(std::string code, std::string message, std::string location) {
  warnings_.push_back({"WARNING", std::move(code), std::move(message), std::move(location)});
}
void Validator::schema(const std::string& message, const std::string& location) {
  error("SCHEMA_VALIDATION_FAILED", message, location);
}

std::vector<Diagnostic> Validator::take() {
  std::vector<Diagnostic> all = std::move(diagnostics_);
  for (auto& w : warnings_)
    all.push_back(std::move(w));
  return all;
}

std::optional<std::string> Validator::string_field(const Json& obj, const char* name,
                                                   const std::string& loc) {
  auto it = obj.find(name);
  if (it == obj.end()) return std::nullopt;
  if (!it->is_string()) {
    schema(std::string("The value for the field '") + name + "' must be a STRING",
           loc + "/" + name);
    return std::nullopt;
  }
  return it->get<std::string>();
}

std::optional<std::int64_t> Validator::int_field(const Json& obj, const char* name,
                                                 const std::string& loc, std::int64_t min,
                                                 std::int64_t max) {
  auto it = obj.find(name);
  if (it == obj.end()) return std::nullopt;
  std::int64_t v = 0;
  if (it->is_number_integer()) {
    v = it->get<std::int64_t>();
  } else if (it->is_number_unsigned()) {
    v = static_cast<std::int64_t>(std::min<std::uint64_t>(it->get<std::uint64_t>(), INT64_MAX));
  } else {
    schema(std::string("The value for the field '") + name + "' must be an INTEGER",
           loc + "/" + name);
    return std::nullopt;
  }
  if (v < min || v > max) {
    schema(std::string("The value for the field '") + name + "' must be between " +
               std::to_string(min) + " and " + std::to_string(max),
           loc + "/" + name);
    return std::nullopt;
  }
  return v;
}

std::optional<double> Validator::number_field(const Json& obj, const char* name,
                                              const std::string& loc, double min, double max) {
  auto it = obj.find(name);
  if (it == obj.end()) return std::nullopt;
  if (!it->is_number()) {
    schema(std::string("The value for the field '") + name + "' must be a NUMBER",
           loc + "/" + name);
    return std::nullopt;
  }
  double v = it->get<double>();
  if (v < min || v > max) {
    schema(std::string("The value for the field '") + name + "' is out of range", loc + "/" + name);
    return std::nullopt;
  }
  return v;
}

PathField Validator::path_field(const Json& obj, const char* name, const std::string& loc,
                                bool reference) {
  PathField f;
  auto it = obj.find(name);
  if (it == obj.end()) return f;
  if (it->is_null()) {
    f.is_null = true;
    return f;
  }
  if (!it->is_string()) {
    schema(std::string("The value for the field '") + name + "' must be a STRING",
           loc + "/" + name);
    return f;
  }
  f.path = it->get<std::string>();
  bool ok = reference ? detail::valid_reference_path(f.path) : detail::valid_path(f.path);
  if (!ok) {
    schema(std::string("The value for the field '") + name + "' must be a valid " +
               (reference ? "ReferencePath" : "JSONPath"),
           loc + "/" + name);
  }
  return f;
}

void Validator::payload_template(const Json& value, const std::string& field,
                                 const std::string& loc) {
  if (value.is_array()) {
    for (const auto& v : value)
      payload_template(v, field, loc);
    return;
  }
  if (!value.is_object()) return;
  for (const auto& [k, v] : value.items()) {
    if (ends_with(k, ".$")) {
      if (!v.is_string()) {
        schema("The value for the field '" + k + "' must be a STRING that contains a JSONPath",
               loc);
        continue;
      }
      const std::string text = v.get<std::string>();
      if (is_intrinsic_call(text)) {
        auto parsed = parse_intrinsic(text);
        if (!parsed.ok())
          schema("The value for the field '" + k +
                     "' must be a valid JSONPath or a valid intrinsic function call",
                 loc);
      } else if (!detail::valid_path(text)) {
        schema("The value for the field '" + k +
                   "' must be a valid JSONPath or a valid intrinsic function call",
               loc);
      }
    } else {
      if (v.is_string() && !v.get<std::string>().empty() && v.get<std::string>()[0] == '$' &&
          detail::valid_path(v.get<std::string>()))
        warning("NO_DOLLAR",
                "The value for the field '" + k +
                    "' looks like a JSONPath, but the field name does not end with '.$'",
                loc);
      payload_template(v, field, loc);
    }
  }
}

std::vector<std::string> Validator::error_equals(const Json& obj, const std::string& loc) {
  std::vector<std::string> out;
  auto it = obj.find("ErrorEquals");
  if (it == obj.end()) {
    schema("These fields are required: [ErrorEquals]", loc);
    return out;
  }
  if (!it->is_array() || it->empty()) {
    schema("The field 'ErrorEquals' should be non-empty", loc + "/ErrorEquals");
    return out;
  }
  for (const auto& e : *it) {
    if (!e.is_string()) {
      schema("The value for the field 'ErrorEquals' must be an ARRAY of STRING",
             loc + "/ErrorEquals");
      continue;
    }
    out.push_back(e.get<std::string>());
  }
  for (const auto& e : out) {
    if (e == "States.ALL" && out.size() > 1)
      schema("Error name 'States.ALL' must appear alone in the ErrorEquals list",
             loc + "/ErrorEquals");
  }
  return out;
}

void Validator::retriers(const Json& st, State& s, const std::string& loc) {
  auto it = st.find("Retry");
  if (it == st.end()) return;
  if (!it->is_array()) {
    schema("The value for the field 'Retry' must be an ARRAY", loc + "/Retry");
    return;
  }
  static const std::set<std::string> kFields = {"ErrorEquals", "IntervalSeconds", "MaxAttempts",
                                                "BackoffRate", "MaxDelaySeconds", "JitterStrategy",
                                                "Comment"};
  for (std::size_t i = 0; i < it->size(); ++i) {
    const Json& r = (*it)[i];
    const std::string rl = loc + "/Retry[" + std::to_string(i) + "]";
    if (!r.is_object()) {
      schema("The value for the field 'Retry' must be an ARRAY of OBJECT", rl);
      continue;
    }
    for (const auto& [k, v] : r.items())
      if (!kFields.count(k))
        schema("The field \"" + k + "\" is not supported by Step Functions", rl);
    Retrier rt;
    rt.error_equals = error_equals(r, rl);
    if (auto v = int_field(r, "IntervalSeconds", rl, 1, 99999999)) rt.interval_seconds = double(*v);
    if (auto v = int_field(r, "MaxAttempts", rl, 0, 99999999)) rt.max_attempts = *v;
    if (auto v = number_field(r, "BackoffRate", rl, 1.0, 1e9)) rt.backoff_rate = *v;
    if (auto v = int_field(r, "MaxDelaySeconds", rl, 1, 31622400)) rt.max_delay_seconds = *v;
    if (auto v = string_field(r, "JitterStrategy", rl)) {
      if (*v == "FULL") {
        rt.jitter_full = true;
      } else if (*v != "NONE") {
        schema("The field 'JitterStrategy' should have one of these values: [FULL, NONE]",
               rl + "/JitterStrategy");
      }
    }
    const bool has_all = std::find(rt.error_equals.begin(), rt.error_equals.end(), "States.ALL") !=
                         rt.error_equals.end();
    if (has_all && i + 1 != it->size())
      schema("Error name 'States.ALL' must appear in the last Retrier", rl + "/ErrorEquals");
    s.retry.push_back(std::move(rt));
  }
}

void Validator::catchers(const Json& st, State& s, const std::string& loc) {
  auto it = st.find("Catch");
  if (it == st.end()) return;
  if (!it->is_array()) {
    schema("The value for the field 'Catch' must be an ARRAY", loc + "/Catch");
    return;
  }
  static const std::set<std::string> kFields = {"ErrorEquals", "Next", "ResultPath", "Comment"};
  for (std::size_t i = 0; i < it->size(); ++i) {
    const Json& c = (*it)[i];
    const std::string cl = loc + "/Catch[" + std::to_string(i) + "]";
    if (!c.is_object()) {
      schema("The value for the field 'Catch' must be an ARRAY of OBJECT", cl);
      continue;
    }
    for (const auto& [k, v] : c.items())
      if (!kFields.count(k))
        schema("The field \"" + k + "\" is not supported by Step Functions", cl);
    Catcher ct;
    ct.error_equals = error_equals(c, cl);
    if (auto n = string_field(c, "Next", cl)) {
      ct.next = *n;
    } else if (!c.contains("Next")) {
      schema("These fields are required: [Next]", cl);
    }
    ct.result_path = path_field(c, "ResultPath", cl, true);
    const bool has_all = std::find(ct.error_equals.begin(), ct.error_equals.end(), "States.ALL") !=
                         ct.error_equals.end();
    if (has_all && i + 1 != it->size())
      schema("Error name 'States.ALL' must appear in the last Catcher", cl + "/ErrorEquals");
    s.catchers.push_back(std::move(ct));
  }
}

std::optional<ChoiceRule> Validator::choice_rule(const Json& r, const std::string& loc,
                                                 bool top_level) {
  if (!r.is_object()) {
    schema("A Choice Rule must be an OBJECT", loc);
    return std::nullopt;
  }
  ChoiceRule rule;
  if (top_level) {
    if (auto n = string_field(r, "Next", loc)) {
      rule.next = *n;
    } else if (!r.contains("Next")) {
      schema("These fields are required: [Next]", loc);
    }
  } else if (r.contains("Next")) {
    schema("The field \"Next\" is not supported in a nested Choice Rule", loc + "/Next");
  }
  int operators = 0;
  for (const auto& [k, v] : r.items()) {
    if (k == "Next" || k == "Comment" || k == "Variable") continue;
    if (k == "And" || k == "Or") {
      ++operators;
      rule.kind = k == "And" ? ChoiceRule::Kind::And : ChoiceRule::Kind::Or;
      if (!v.is_array() || v.empty()) {
        schema("The field '" + k + "' should be non-empty", loc + "/" + k);
        continue;
      }
      for (std::size_t i = 0; i < v.size(); ++i) {
        auto child = choice_rule(v[i], loc + "/" + k + "[" + std::to_string(i) + "]", false);
        if (child) rule.children.push_back(std::move(*child));
      }
      continue;
    }
    if (k == "Not") {
      ++operators;
      rule.kind = ChoiceRule::Kind::Not;
      auto child = choice_rule(v, loc + "/Not", false);
      if (child) rule.children.push_back(std::move(*child));
      continue;
    }
    if (!choice_operators().count(k)) {
      schema("The field \"" + k + "\" is not supported by Step Functions", loc);
      continue;
    }
    ++operators;
    rule.kind = ChoiceRule::Kind::Compare;
    rule.op = k;
    rule.operand = v;
    const std::string ol = loc + "/" + k;
    if (ends_with(k, "Path")) {
      if (!v.is_string() || !detail::valid_path(v.get<std::string>()))
        schema("The value for the field '" + k + "' must be a valid JSONPath", ol);
    } else if (k.rfind("Is", 0) == 0 || k == "BooleanEquals") {
      if (!v.is_boolean()) schema("The value for the field '" + k + "' must be a BOOLEAN", ol);
    } else if (k.rfind("Numeric", 0) == 0) {
      if (!v.is_number()) schema("The value for the field '" + k + "' must be a NUMBER", ol);
    } else if (k.rfind("Timestamp", 0) == 0) {
      if (!v.is_string() || !detail::valid_timestamp(v.get<std::string>()))
        schema("The value for the field '" + k + "' must be a valid timestamp", ol);
    } else if (!v.is_string()) {
      schema("The value for the field '" + k + "' must be a STRING", ol);
    }
  }
  if (operators != 1) {
    schema(operators == 0 ? "A Choice Rule must have exactly one comparison operator or And, "
                            "Or, Not"
                          : "A Choice Rule must have only one comparison operator",
           loc);
  }
  if (rule.kind == ChoiceRule::Kind::Compare) {
    if (auto v = string_field(r, "Variable", loc)) {
      rule.variable = *v;
      if (!detail::valid_path(*v))
        schema("The value for the field 'Variable' must be a valid JSONPath", loc + "/Variable");
    } else if (!r.contains("Variable") && operators == 1) {
      schema("These fields are required: [Variable]", loc);
    }
  } else if (r.contains("Variable")) {
    schema("The field \"Variable\" is not supported with And, Or or Not", loc + "/Variable");
  }
  return rule;
}

}  // namespace sluice::services::sfn::asl
