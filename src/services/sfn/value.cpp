#include "sluice/services/sfn/value.hpp"

namespace sluice::services::sfn {

bool json_equal(const Json& a, const Json& b) {
  if (a.is_number() && b.is_number()) {
    if (a.is_number_float() || b.is_number_float()) return a.get<double>() == b.get<double>();
    if (a.is_number_unsigned() && b.is_number_unsigned())
      return a.get<std::uint64_t>() == b.get<std::uint64_t>();
    return a.get<std::int64_t>() == b.get<std::int64_t>();
  }
  if (a.type() != b.type()) return false;
  if (a.is_object()) {
    if (a.size() != b.size()) return false;
    for (const auto& [k, v] : a.items()) {
      auto it = b.find(k);
      if (it == b.end() || !json_equal(v, *it)) return false;
    }
    return true;
  }
  if (a.is_array()) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i)
      if (!json_equal(a[i], b[i])) return false;
    return true;
  }
  return a == b;
}

std::string to_text(const Json& v) {
  return v.dump(-1, ' ', false, Json::error_handler_t::replace);
}

bool parse_json(std::string_view text, Json& out) {
  out = Json::parse(text.begin(), text.end(), nullptr, false);
  return !out.is_discarded();
}

}  // namespace sluice::services::sfn
