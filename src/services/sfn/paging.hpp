#pragma once
// Pagination for the List* and GetExecutionHistory operations: an opaque next token
// carrying the offset into a stable ordering.
#include <string>
#include <vector>

#include "sluice/common/encoding.hpp"
#include "sluice/common/result.hpp"
#include "sluice/services/sfn/types.hpp"

namespace sluice::services::sfn {

// AWS's default and largest page sizes.
constexpr int kDefaultPageSize = 100;
constexpr int kMaxPageSize = 1000;

inline Error invalid_token(const std::string& token) {
  return Error::sender("InvalidToken", "Invalid Token: '" + token + "'");
}

template <typename T>
Result<Page<T>> paginate(std::vector<T> all, int max_results, const std::string& token,
                         const std::string& salt) {
  std::size_t start = 0;
  if (!token.empty()) {
    auto raw = base64_decode(token);
    const std::string prefix = salt + ":";
    if (!raw || raw->rfind(prefix, 0) != 0) return invalid_token(token);
    try {
      start = std::stoul(raw->substr(prefix.size()));
    } catch (...) {
      return invalid_token(token);
    }
    if (start > all.size()) return invalid_token(token);
  }
  const std::size_t size = static_cast<std::size_t>(
      max_results <= 0 ? kDefaultPageSize : std::min(max_results, kMaxPageSize));
  Page<T> page;
  const std::size_t end = std::min(all.size(), start + size);
  for (std::size_t i = start; i < end; ++i)
    page.items.push_back(std::move(all[i]));
  if (end < all.size()) page.next_token = base64_encode(salt + ":" + std::to_string(end));
  return page;
}

}  // namespace sluice::services::sfn
