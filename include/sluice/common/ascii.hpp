// ASCII case folding for protocol text (header names, attribute values, hex digests):
// the bytes A-Z become a-z, every other byte is kept. No locale is involved.
#pragma once

#include <string>
#include <string_view>

namespace sluice {

inline std::string ascii_lower(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

}  // namespace sluice
