// Whether a string has the shape of an AWS region name (us-east-1, eu-central-2,
// us-gov-west-1, cn-north-1, ...): lowercase letters, digits and hyphens, ending in a digit.
#pragma once

#include <string_view>

namespace sluice {

inline bool looks_like_region(std::string_view s) {
  if (s.size() < 9 || s.size() > 25) return false;
  for (char c : s)
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) return false;
  return s.find('-') != std::string_view::npos && s.back() >= '0' && s.back() <= '9';
}

}  // namespace sluice
