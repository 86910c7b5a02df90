// Filter policy validation (AWS: subscription-filter-policy-constraints and the
// operators of sns-message-filtering), run when FilterPolicy or FilterPolicyScope is set.
// Also flattens the policy into branches ($or alternatives) for the matcher.
#include <arpa/inet.h>

#include "sluice/services/sns/filter_policy.hpp"

namespace sluice::services::sns {

namespace {

using Json = nlohmann::json;

class Validator {
 public:
  Validator(FilterScope scope, bool subscribe_call)
      : scope_(scope),
        prefix_(subscribe_call ? "Invalid parameter: Attributes Reason: " : "Invalid parameter: ") {
  }

  Error fail(const std::string& what) const {
    return Error::sender("InvalidParameterException", prefix_ + "FilterPolicy: " + what);
  }
  Error fail_plain(const std::string& what) const {
    return Error::sender("InvalidParameterException", prefix_ + what);
  }

  // Walks the policy: checks its structure and counts value combinations the way AWS
  // documents it (values of each key multiplied, times the key's nesting depth; $or
  // alternatives added).
  Result<long long> walk(const Json& obj, int depth, long long combinations) const {
    for (auto it = obj.begin(); it != obj.end(); ++it) {
      const Json& value = it.value();
      if (it.key() == "$or") {
        if (!value.is_array() || value.size() < 2)
          return fail("\"$or\" must be an array of at least two objects");
        long long sum = 0;
        for (const auto& alternative : value) {
          if (!alternative.is_object() || alternative.empty())
            return fail("\"$or\" must be an array of at least two objects");
          auto c = walk(alternative, depth, combinations);
          if (!c.ok()) return c;
          sum += *c;
        }
        combinations = sum;
      } else if (value.is_object()) {
        if (scope_ == FilterScope::MessageAttributes)
          return fail_plain(
              "Filter policy scope MessageAttributes does not support nested "
              "filter policy");
        auto c = walk(value, depth + 1, combinations);
        if (!c.ok()) return c;
        combinations = *c;
      } else if (value.is_array()) {
        if (value.empty()) return fail("Empty arrays are not allowed");
        for (const auto& rule : value)
          SLUICE_TRY(check_rule(rule));
        combinations = combinations * static_cast<long long>(value.size()) * depth;
        if (combinations > 1000000) combinations = 1000000;  // only compared to 150
      } else {
        return fail("\"" + it.key() + "\" must be an object or an array");
      }
    }
    return combinations;
  }

  Status check_rule(const Json& rule) const {
    if (rule.is_string() || rule.is_number() || rule.is_boolean() || rule.is_null())
      return ok_status();
    if (!rule.is_object()) return fail("Match value must be String, number, true, false, or null");
    if (rule.size() != 1) return fail("Only one key allowed in match expression");
    const std::string op = rule.begin().key();
    const Json& v = rule.begin().value();
    if (op == "prefix" || op == "suffix" || op == "equals-ignore-case") {
      if (!v.is_string()) return fail(op + " match pattern must be a string");
      return ok_status();
    }
    if (op == "anything-but") return check_anything_but(v);
    if (op == "exists") {
      if (!v.is_boolean()) return fail("exists match pattern must be either true or false.");
      return ok_status();
    }
    if (op == "numeric") return check_numeric(v);
    if (op == "cidr") return check_cidr(v);
    return fail("Unrecognized match type " + op);
  }

  Status check_anything_but(const Json& v) const {
    if (v.is_string() || v.is_number()) return ok_status();
    if (v.is_array()) {
      if (v.empty()) return fail("Empty arrays are not allowed");
      for (const auto& item : v)
        if (!item.is_string() && !item.is_number())
          return fail("Inside anything but list, start|null|boolean is not supported.");
      return ok_status();
    }
    if (v.is_object()) {
      if (v.size() != 1) return fail("Only one key allowed in match expression");
      const std::string op = v.begin().key();
      if (op != "prefix" && op != "suffix") return fail("Unsupported anything-but pattern: " + op);
      if (!v.begin().value().is_string()) return fail(op + " match pattern must be a string");
      return ok_status();
    }
    return fail("anything-but: Value must be a string, number, or an array of strings or numbers");
  }

  Status check_numeric(const Json& v) const {
    if (!v.is_array() || v.empty()) return fail("Invalid member in numeric match: ]");
    auto is_op = [](const std::string& s) {
      return s == "<" || s == "<=" || s == "=" || s == ">" || s == ">=";
    };
    if (!v[0].is_string()) return fail("Invalid member in numeric match: " + v[0].dump());
    const std::string op = v[0];
    if (!is_op(op)) return fail("Unrecognized numeric range operator: " + op);
    if (v.size() < 2 || !v[1].is_number())
      return fail("Value of " + std::string(op == "=" ? "equals" : op) + " must be numeric");
    if (v.size() == 2) return ok_status();
    if (op != ">" && op != ">=") return fail("Too many elements in numeric expression");
    if (!v[2].is_string()) return fail("Bad value in numeric range: " + v[2].dump());
    const std::string op2 = v[2];
    if (op2 != "<" && op2 != "<=") return fail("Bad numeric range operator: " + op2);
    if (v.size() < 4 || !v[3].is_number()) return fail("Value of " + op2 + " must be numeric");
    if (v[3].get<double>() <= v[1].get<double>()) return fail("Bottom must be less than top");
    if (v.size() > 4) return fail("Too many terms in numeric range expression");
    return ok_status();
  }

  Status check_cidr(const Json& v) const {
    if (!v.is_string()) return fail("prefix match pattern must be a string");
    const std::string s = v;
    const auto slash = s.find('/');
    if (slash == std::string::npos || s.find('/', slash + 1) != std::string::npos)
      return fail("Malformed CIDR, one '/' required");
    const std::string ip = s.substr(0, slash);
    const std::string bits = s.substr(slash + 1);
    if (bits.empty() || bits.find_first_not_of("0123456789") != std::string::npos)
      return fail("Malformed CIDR, mask bits must be an integer");
    unsigned char buf[16];
    const bool v4 = inet_pton(AF_INET, ip.c_str(), buf) == 1;
    const bool v6 = !v4 && inet_pton(AF_INET6, ip.c_str(), buf) == 1;
    if (!v4 && !v6) return fail("Nonstandard IP address: " + ip);
    if (std::stoi(bits.substr(0, 4)) > (v4 ? 32 : 128))
      return fail("Malformed CIDR, mask bits must be an integer");
    return ok_status();
  }

 private:
  FilterScope scope_;
  std::string prefix_;
};

// Expands $or into branches; nested keys become paths.
void expand(const Json& obj, const std::vector<std::string>& path,
            std::vector<FilterBranch>& branches) {
  for (auto it = obj.begin(); it != obj.end(); ++it) {
    if (it.key() == "$or" && it.value().is_array()) {
      std::vector<FilterBranch> out;
      for (const auto& alternative : it.value()) {
        std::vector<FilterBranch> copy = branches;
        expand(alternative, path, copy);
        out.insert(out.end(), copy.begin(), copy.end());
      }
      branches = std::move(out);
      continue;
    }
    std::vector<std::string> p = path;
    p.push_back(it.key());
    if (it.value().is_object()) {
      expand(it.value(), p, branches);
    } else {
      for (auto& b : branches)
        b.conditions.emplace_back(p, it.value());
    }
  }
}

}  // namespace

Result<FilterPolicy> parse_filter_policy(const std::string& text, FilterScope scope,
                                         bool subscribe_call) {
  Validator v(scope, subscribe_call);
  Json policy = Json::parse(text, nullptr, false);
  if (policy.is_discarded()) return v.fail("failed to parse JSON.");
  if (!policy.is_object()) return v.fail("Filter policy must be a JSON object");
  // AWS: at most five keys (for nested policies, the top-level keys count).
  if (policy.size() > 5) return v.fail("Filter policy can not have more than 5 keys");
  auto combinations = v.walk(policy, 1, 1);
  if (!combinations.ok()) return std::move(combinations).error();
  // AWS: the total combination of values must not exceed 150.
  if (*combinations > 150) return v.fail("Filter policy is too complex");
  FilterPolicy out;
  out.scope = scope;
  out.policy = policy;
  out.branches.emplace_back();
  expand(policy, {}, out.branches);
  return out;
}

}  // namespace sluice::services::sns
