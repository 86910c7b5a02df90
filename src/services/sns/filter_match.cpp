// Filter policy matching at Publish (AWS: sns-message-filtering). A policy matches
// when one of its branches ($or alternatives) matches; a branch matches when every key
// has a value that satisfies one of the key's rules.
#include <arpa/inet.h>

#include <cctype>
#include <cmath>
#include <cstring>
#include <map>

#include "sluice/services/sns/filter_policy.hpp"

namespace sluice::services::sns {

namespace {

using Json = nlohmann::json;

// The values a key has in the message: leaves only (an object is not a value).
struct Values {
  bool present = false;
  std::vector<Json> items;
};

bool starts_with(const std::string& s, const std::string& p) {
  return s.size() >= p.size() && s.compare(0, p.size(), p) == 0;
}
bool ends_with(const std::string& s, const std::string& p) {
  return s.size() >= p.size() && s.compare(s.size() - p.size(), p.size(), p) == 0;
}
bool iequals(const std::string& a, const std::string& b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i])))
      return false;
  return true;
}

// AWS compares numbers "with five digits of accuracy after the decimal point"
// (sns subscription-filter-policy-constraints): 301.500001 equals 301.5. Rounded as a
// double, so a value far outside AWS's documented -1e9..1e9 still compares sanely.
double five_digits(double v) {
  return std::round(v * 1e5);
}

bool equal_values(const Json& rule, const Json& value) {
  if (rule.is_string())
    return value.is_string() && rule.get<std::string>() == value.get<std::string>();
  if (rule.is_number())
    return value.is_number() && five_digits(rule.get<double>()) == five_digits(value.get<double>());
  if (rule.is_boolean()) return value.is_boolean() && rule.get<bool>() == value.get<bool>();
  if (rule.is_null()) return value.is_null();
  return false;
}

bool numeric_matches(const Json& terms, double value) {
  const double v = five_digits(value);
  for (std::size_t i = 0; i + 1 < terms.size(); i += 2) {
    const std::string op = terms[i];
    const double operand = five_digits(terms[i + 1].get<double>());
    if (op == "=" && !(v == operand)) return false;
    if (op == ">" && !(v > operand)) return false;
    if (op == ">=" && !(v >= operand)) return false;
    if (op == "<" && !(v < operand)) return false;
    if (op == "<=" && !(v <= operand)) return false;
  }
  return true;
}

bool cidr_matches(const std::string& cidr, const std::string& ip) {
  const auto slash = cidr.find('/');
  if (slash == std::string::npos) return false;
  const std::string net = cidr.substr(0, slash);
  const int bits = std::atoi(cidr.c_str() + slash + 1);
  unsigned char a[16];
  unsigned char b[16];
  int len = 0;
  if (inet_pton(AF_INET, net.c_str(), a) == 1) {
    if (inet_pton(AF_INET, ip.c_str(), b) != 1) return false;
    len = 4;
  } else if (inet_pton(AF_INET6, net.c_str(), a) == 1) {
    if (inet_pton(AF_INET6, ip.c_str(), b) != 1) return false;
    len = 16;
  } else {
    return false;
  }
  int remaining = std::min(bits, len * 8);
  for (int i = 0; i < len && remaining > 0; ++i, remaining -= 8) {
    const unsigned char mask =
        remaining >= 8 ? 0xFF : static_cast<unsigned char>(0xFF << (8 - remaining));
    if ((a[i] & mask) != (b[i] & mask)) return false;
  }
  return true;
}

bool anything_but_matches(const Json& arg, const Json& value) {
  if (arg.is_array()) {
    for (const auto& excluded : arg)
      if (equal_values(excluded, value)) return false;
    return true;
  }
  if (arg.is_object()) {
    const std::string op = arg.begin().key();
    const std::string pattern = arg.begin().value();
    if (!value.is_string()) return true;
    const std::string& s = value.get_ref<const std::string&>();
    return op == "prefix" ? !starts_with(s, pattern) : !ends_with(s, pattern);
  }
  return !equal_values(arg, value);
}

// One rule against one value.
bool rule_matches_value(const Json& rule, const Json& value) {
  if (!rule.is_object()) return equal_values(rule, value);
  const std::string& op = rule.begin().key();
  const Json& arg = rule.begin().value();
  if (op == "prefix")
    return value.is_string() && starts_with(value.get_ref<const std::string&>(), arg);
  if (op == "suffix")
    return value.is_string() && ends_with(value.get_ref<const std::string&>(), arg);
  if (op == "equals-ignore-case")
    return value.is_string() && iequals(value.get_ref<const std::string&>(), arg);
  if (op == "anything-but") return anything_but_matches(arg, value);
  if (op == "numeric") return value.is_number() && numeric_matches(arg, value.get<double>());
  if (op == "cidr") return value.is_string() && cidr_matches(arg, value);
  return false;
}

bool key_matches(const Json& rules, const Values& values) {
  const Json list = rules.is_array() ? rules : Json::array({rules});
  for (const auto& rule : list) {
    if (rule.is_object() && rule.size() == 1 && rule.begin().key() == "exists") {
      if (rule.begin().value().get<bool>() == values.present) return true;
      continue;
    }
    for (const auto& v : values.items)
      if (rule_matches_value(rule, v)) return true;
  }
  return false;
}

Values attribute_values(const MessageAttributes& attributes, const std::string& name) {
  Values out;
  auto it = attributes.find(name);
  if (it == attributes.end()) return out;
  out.present = true;
  const MessageAttribute& a = it->second;
  const std::string base = a.data_type.substr(0, a.data_type.find('.'));
  if (base == "Number") {
    char* end = nullptr;
    const double d = std::strtod(a.string_value.c_str(), &end);
    if (end == a.string_value.c_str() + a.string_value.size() && std::isfinite(d))
      out.items.emplace_back(d);
  } else if (a.data_type == "String.Array") {
    // AWS: each element of a String.Array attribute is matched on its own.
    auto arr = Json::parse(a.string_value, nullptr, false);
    if (arr.is_array())
      for (const auto& e : arr)
        if (!e.is_object() && !e.is_array()) out.items.push_back(e);
  } else if (base == "String") {
    out.items.emplace_back(a.string_value);
  }
  // Binary attributes are present but have no value filters can match.
  return out;
}

// Leaves of a JSON body by dotted path. Arrays are transparent (each element counts);
// AWS also matches a dotted policy key against nested properties, which joining the
// path with '.' reproduces.
void flatten(const Json& node, const std::string& path, std::multimap<std::string, Json>& out) {
  if (node.is_object()) {
    for (auto it = node.begin(); it != node.end(); ++it)
      flatten(it.value(), path.empty() ? it.key() : path + "." + it.key(), out);
  } else if (node.is_array()) {
    for (const auto& e : node)
      flatten(e, path, out);
  } else if (!path.empty()) {
    out.emplace(path, node);
  }
}

std::string join(const std::vector<std::string>& path) {
  std::string out;
  for (const auto& p : path) {
    if (!out.empty()) out += '.';
    out += p;
  }
  return out;
}

}  // namespace

bool filter_matches_attributes(const FilterPolicy& policy, const MessageAttributes& attributes) {
  for (const auto& branch : policy.branches) {
    bool all = true;
    for (const auto& [path, rules] : branch.conditions) {
      if (!key_matches(rules, attribute_values(attributes, join(path)))) {
        all = false;
        break;
      }
    }
    if (all) return true;
  }
  return false;
}

bool filter_matches_body(const FilterPolicy& policy, const std::string& body) {
  // AWS: payload-based filtering assumes a well-formed JSON object; anything else is
  // filtered out.
  auto doc = Json::parse(body, nullptr, false);
  if (doc.is_discarded() || !doc.is_object()) return false;
  std::multimap<std::string, Json> leaves;
  flatten(doc, "", leaves);
  for (const auto& branch : policy.branches) {
    bool all = true;
    for (const auto& [path, rules] : branch.conditions) {
      Values values;
      auto [lo, hi] = leaves.equal_range(join(path));
      for (auto it = lo; it != hi; ++it)
        values.items.push_back(it->second);
      values.present = lo != hi;
      if (!key_matches(rules, values)) {
        all = false;
        break;
      }
    }
    if (all) return true;
  }
  return false;
}

bool filter_matches(const FilterPolicy& policy, const std::string& body,
                    const MessageAttributes& attributes) {
  return policy.scope == FilterScope::MessageBody ? filter_matches_body(policy, body)
                                                  : filter_matches_attributes(policy, attributes);
}

}  // namespace sluice::services::sns
