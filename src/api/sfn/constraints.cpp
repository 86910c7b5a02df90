#include "constraints.hpp"

namespace sluice::api::sfn {

namespace {

// Characters, not bytes: code points of the UTF-8 text.
long long length(const std::string& s) {
  long long n = 0;
  for (unsigned char c : s)
    if ((c & 0xC0) != 0x80) ++n;
  return n;
}

std::string join(const std::vector<std::string>& values) {
  std::string out;
  for (const auto& v : values)
    out += (out.empty() ? "" : ", ") + v;
  return out;
}

}  // namespace

Error validation_error(const std::vector<std::string>& violations) {
  std::string msg =
      std::to_string(violations.size()) +
      (violations.size() == 1 ? " validation error detected: " : " validation errors detected: ");
  for (std::size_t i = 0; i < violations.size(); ++i)
    msg += (i ? "; " : "") + violations[i];
  return Error::sender("ValidationException", msg);
}

std::optional<Error> check_rules(const Json& input, const std::vector<Rule>& rules) {
  std::vector<std::string> violations;
  for (const auto& r : rules) {
    auto it = input.find(r.field);
    if (it == input.end() || it->is_null()) continue;
    const std::string field = r.field;
    switch (r.kind) {
      case Rule::Kind::String:
      case Rule::Kind::Sensitive:
      case Rule::Kind::SensitiveData: {
        if (!it->is_string()) break;
        const std::string& v = it->get_ref<const std::string&>();
        const std::string shown =
            r.kind == Rule::Kind::String ? "Value '" + v + "' at '" : "Value at '";
        if (r.kind == Rule::Kind::SensitiveData && static_cast<long long>(v.size()) > r.max) {
          violations.push_back(shown + field +
                               "' failed to satisfy constraint: Member must have size less than "
                               "or equal to " +
                               std::to_string(r.max) + " bytes in UTF-8 encoding");
        } else if (r.kind != Rule::Kind::SensitiveData && r.max > 0 && length(v) > r.max) {
          violations.push_back(shown + field +
                               "' failed to satisfy constraint: Member must have length less "
                               "than or equal to " +
                               std::to_string(r.max));
        } else if (length(v) < r.min) {
          violations.push_back(shown + field +
                               "' failed to satisfy constraint: Member must have length greater "
                               "than or equal to " +
                               std::to_string(r.min));
        }
        break;
      }
      case Rule::Kind::Integer:
      case Rule::Kind::Number: {
        if (!it->is_number()) break;
        const double v = it->get<double>();
        const std::string text = it->dump();
        if (r.max > 0 && v > double(r.max)) {
          violations.push_back("Value '" + text + "' at '" + field +
                               "' failed to satisfy constraint: Member must have value less than "
                               "or equal to " +
                               std::to_string(r.max));
        } else if (v < double(r.min)) {
          violations.push_back("Value '" + text + "' at '" + field +
                               "' failed to satisfy constraint: Member must have value greater "
                               "than or equal to " +
                               std::to_string(r.min));
        }
        break;
      }
      case Rule::Kind::Enum: {
        if (!it->is_string()) break;
        const std::string& v = it->get_ref<const std::string&>();
        bool ok = false;
        for (const auto& allowed : r.values)
          ok = ok || v == allowed;
        if (!ok)
          violations.push_back("Value '" + v + "' at '" + field +
                               "' failed to satisfy constraint: Member must satisfy enum value "
                               "set: [" +
                               join(r.values) + "]");
        break;
      }
    }
  }
  if (auto t = input.find("tags"); t != input.end()) check_tags(*t, violations);
  if (violations.empty()) return std::nullopt;
  return validation_error(violations);
}

void check_tags(const Json& tags, std::vector<std::string>& violations) {
  if (!tags.is_array()) return;
  for (std::size_t i = 0; i < tags.size(); ++i) {
    const Json& t = tags[i];
    const std::string at = "tags." + std::to_string(i + 1) + ".member.";
    if (t.contains("key") && t["key"].is_string()) {
      const auto& k = t["key"].get_ref<const std::string&>();
      if (length(k) < 1 || length(k) > 128)
        violations.push_back(
            "Value '" + k + "' at '" + at +
            "key' failed to satisfy constraint: Member must have length " +
            (length(k) < 1 ? "greater than or equal to 1" : "less than or equal to 128"));
    }
    if (t.contains("value") && t["value"].is_string()) {
      const auto& v = t["value"].get_ref<const std::string&>();
      if (length(v) > 256)
        violations.push_back("Value '" + v + "' at '" + at +
                             "value' failed to satisfy constraint: Member must have length less "
                             "than or equal to 256");
    }
  }
}

}  // namespace sluice::api::sfn
