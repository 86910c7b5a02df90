// The JSONPath query language: InputPath, Parameters, ResultSelector, ResultPath,
// OutputPath and Choice rules, with the error causes AWS reports for each.
#include "sluice/services/sfn/data_flow.hpp"

#include "sluice/common/encoding.hpp"
#include "sluice/services/sfn/intrinsics.hpp"
#include "sluice/services/sfn/json_path.hpp"

namespace sluice::services::sfn {

namespace {

Error runtime(std::string cause) {
  return Error::sender("States.Runtime", std::move(cause));
}

bool ends_with(const std::string& s, std::string_view suffix) {
  return s.size() >= suffix.size() &&
         s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// "Invalid path '$.x' : No results for path: $['x']"
Result<Json> path_or_fail(const std::string& path, const Json& input, const Json& context) {
  auto v = evaluate_path(path, input, context);
  if (!v.ok()) return runtime("Invalid path '" + path + "' : " + v.error().message);
  return v;
}

std::optional<TimeMs> timestamp_of(const Json& v) {
  if (!v.is_string()) return std::nullopt;
  const auto& s = v.get_ref<const std::string&>();
  if (s.size() < 20 || (s[10] != 'T' && s[10] != 't')) return std::nullopt;
  return parse_iso8601(s);
}

class JsonPathLanguage final : public QueryLanguage {
 public:
  Result<Json> input(const asl::PathField& f, const Json& raw, const Json& context) const override {
    if (f.is_null) return Json::object();
    if (f.path == "$") return raw;
    return path_or_fail(f.path, raw, context);
  }

  Result<Json> payload(const Json& tmpl, const Json& input, const Json& context) const override {
    if (tmpl.is_array()) {
      Json out = Json::array();
      for (const auto& v : tmpl) {
        auto r = payload(v, input, context);
        if (!r.ok()) return r;
        out.push_back(std::move(*r));
      }
      return out;
    }
    if (!tmpl.is_object()) return tmpl;
    Json out = Json::object();
    for (const auto& [k, v] : tmpl.items()) {
      if (ends_with(k, ".$") && v.is_string()) {
        const std::string key = k.substr(0, k.size() - 2);
        const std::string text = v.get<std::string>();
        if (is_intrinsic_call(text)) {
          auto r = evaluate_intrinsic_text(text, input, context);
          if (!r.ok()) return r;
          out[key] = std::move(*r);
          continue;
        }
        auto r = evaluate_path(text, input, context);
        if (!r.ok())
          return runtime("The JSONPath '" + text + "' specified for the field '" + k +
                         "' could not be found in the input '" + to_text(input) + "'");
        out[key] = std::move(*r);
        continue;
      }
      auto r = payload(v, input, context);
      if (!r.ok()) return r;
      out[k] = std::move(*r);
    }
    return out;
  }

  Result<Json> result(const asl::PathField& f, const Json& raw, const Json& value) const override {
    if (f.is_null) return raw;
    if (f.path == "$") return value;
    auto p = JsonPath::parse(f.path);
    if (!p.ok()) return runtime("Invalid ResultPath '" + f.path + "'");
    auto r = p->assign(raw, value);
    if (!r.ok())
      return Error::sender(
          "States.ResultPathMatchFailure",
          "Unable to apply ResultPath \"" + f.path + "\" to input \"" + to_text(raw) + "\"");
    return r;
  }

  Result<Json> output(const asl::PathField& f, const Json& value,
                      const Json& context) const override {
    if (f.is_null) return Json::object();
    if (f.path == "$") return value;
    return path_or_fail(f.path, value, context);
  }

  Result<Json> path(const std::string& p, const Json& input, const Json& context) const override {
    return path_or_fail(p, input, context);
  }

  Result<std::string> choose(const asl::State& choice, const Json& input,
                             const Json& context) const override {
    for (const auto& rule : choice.choices) {
      auto m = matches(rule, input, context);
      if (!m.ok()) return std::move(m).error();
      if (*m) return rule.next;
    }
    return choice.default_next;
  }

  Result<bool> matches(const asl::ChoiceRule& rule, const Json& input,
                       const Json& context) const override {
    using Kind = asl::ChoiceRule::Kind;
    switch (rule.kind) {
      case Kind::And:
        for (const auto& c : rule.children) {
          auto m = matches(c, input, context);
          if (!m.ok() || !*m) return m;
        }
        return true;
      case Kind::Or:
        for (const auto& c : rule.children) {
          auto m = matches(c, input, context);
          if (!m.ok() || *m) return m;
        }
        return false;
      case Kind::Not: {
        auto m = matches(rule.children.at(0), input, context);
        if (!m.ok()) return m;
        return !*m;
      }
      case Kind::Compare:
        break;
    }
    const std::string& op = rule.op;
    auto value = evaluate_path(rule.variable, input, context);
    if (op == "IsPresent") return value.ok() == rule.operand.get<bool>();
    if (!value.ok())
      return runtime("Invalid path '" + rule.variable +
                     "': The choice state's condition path references an invalid value.");
    const Json& v = *value;
    if (op == "IsNull") return v.is_null() == rule.operand.get<bool>();
    if (op == "IsNumeric") return v.is_number() == rule.operand.get<bool>();
    if (op == "IsString") return v.is_string() == rule.operand.get<bool>();
    if (op == "IsBoolean") return v.is_boolean() == rule.operand.get<bool>();
    if (op == "IsTimestamp") return timestamp_of(v).has_value() == rule.operand.get<bool>();

    std::string base = op;
    Json operand = rule.operand;
    if (ends_with(op, "Path")) {
      base = op.substr(0, op.size() - 4);
      auto o = evaluate_path(operand.get<std::string>(), input, context);
      if (!o.ok())
        return runtime("Invalid path '" + operand.get<std::string>() +
                       "': The choice state's condition path references an invalid value.");
      operand = std::move(*o);
    }
    if (base == "StringMatches")
      return v.is_string() && operand.is_string() &&
             string_matches(v.get<std::string>(), operand.get<std::string>());
    if (base == "BooleanEquals")
      return v.is_boolean() && operand.is_boolean() && v.get<bool>() == operand.get<bool>();

    int cmp = 0;
    std::string rel;
    if (base.rfind("String", 0) == 0) {
      if (!v.is_string() || !operand.is_string()) return false;
      cmp = v.get_ref<const std::string&>().compare(operand.get_ref<const std::string&>());
      rel = base.substr(6);
    } else if (base.rfind("Numeric", 0) == 0) {
      if (!v.is_number() || !operand.is_number()) return false;
      const double a = v.get<double>(), b = operand.get<double>();
      cmp = a < b ? -1 : (a > b ? 1 : 0);
      rel = base.substr(7);
    } else if (base.rfind("Timestamp", 0) == 0) {
      auto a = timestamp_of(v), b = timestamp_of(operand);
      if (!a || !b) return false;
      cmp = *a < *b ? -1 : (*a > *b ? 1 : 0);
      rel = base.substr(9);
    } else {
      return runtime("Unsupported choice operator " + op);
    }
    if (rel == "Equals") return cmp == 0;
    if (rel == "LessThan") return cmp < 0;
    if (rel == "GreaterThan") return cmp > 0;
    if (rel == "LessThanEquals") return cmp <= 0;
    if (rel == "GreaterThanEquals") return cmp >= 0;
    return runtime("Unsupported choice operator " + op);
  }
};

}  // namespace

const QueryLanguage& jsonpath_language() {
  static const JsonPathLanguage kLanguage;
  return kLanguage;
}

bool string_matches(const std::string& value, const std::string& pattern) {
  // Tokenize the pattern into literal runs and stars, then match greedily with
  // backtracking over the last star (classic wildcard matching).
  std::vector<std::pair<bool, char>> p;  // (is_star, literal)
  for (std::size_t i = 0; i < pattern.size(); ++i) {
    if (pattern[i] == '\\' && i + 1 < pattern.size() &&
        (pattern[i + 1] == '*' || pattern[i + 1] == '\\')) {
      p.emplace_back(false, pattern[++i]);
    } else if (pattern[i] == '*') {
      p.emplace_back(true, '*');
    } else {
      p.emplace_back(false, pattern[i]);
    }
  }
  std::size_t vi = 0, pi = 0, star = std::string::npos, mark = 0;
  while (vi < value.size()) {
    if (pi < p.size() && !p[pi].first && p[pi].second == value[vi]) {
      ++vi;
      ++pi;
    } else if (pi < p.size() && p[pi].first) {
      star = pi++;
      mark = vi;
    } else if (star != std::string::npos) {
      pi = star + 1;
      vi = ++mark;
    } else {
      return false;
    }
  }
  while (pi < p.size() && p[pi].first)
    ++pi;
  return pi == p.size();
}

}  // namespace sluice::services::sfn
