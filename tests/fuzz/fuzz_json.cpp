// Our JSON reader and writer (json_fast) against nlohmann's: the same verdict on every
// input, the same value, and the same text written back. Then AWS JSON request decoding
// (conform to a shape, missing members).
#include <algorithm>
#include <cstdlib>
#include <vector>

#include "fuzz_common.hpp"
#include "sluice/common/json_fast.hpp"
#include "sluice/protocol/codec.hpp"

namespace {

int depth(const nlohmann::json& v) {
  int deepest = 0;
  std::vector<std::pair<const nlohmann::json*, int>> todo{{&v, 1}};
  while (!todo.empty()) {
    auto [node, d] = todo.back();
    todo.pop_back();
    if (!node->is_structured()) continue;
    deepest = std::max(deepest, d);
    for (const auto& child : *node)
      todo.emplace_back(&child, d + 1);
  }
  return deepest;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace sluice;
  const std::string input(fuzz::text(data, size));
  nlohmann::json ours = json_parse(input);
  nlohmann::json theirs = nlohmann::json::parse(input, nullptr, false);
  // Ours refuses documents nested deeper than kJsonMaxDepth; nlohmann has no limit.
  if (ours.is_discarded() && !theirs.is_discarded() && depth(theirs) > kJsonMaxDepth) return 0;
  if (ours.is_discarded() != theirs.is_discarded()) std::abort();
  if (ours.is_discarded()) return 0;
  if (ours != theirs) std::abort();
  const auto replace = nlohmann::json::error_handler_t::replace;
  if (json_dump(ours) != theirs.dump(-1, ' ', false, replace)) std::abort();
  if (ours.is_object()) {
    const auto& shape = *fuzz::request_shape();
    if (protocol::json_conform_in_place(ours, shape).ok())
      (void)protocol::first_missing_required(ours, shape, false);
  }
  return 0;
}
