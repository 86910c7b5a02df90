// Intrinsic functions (States.Format, States.JsonMerge, States.Hash, ...): parsing and
// evaluation of the input as a Parameters value, with a small JSON input to read paths
// from.
#include "fuzz_common.hpp"
#include "sluice/services/sfn/intrinsics.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace sluice::services::sfn;
  const std::string_view in = sluice::fuzz::text(data, size);
  static const Json input = {{"a", 1},
                             {"s", "text"},
                             {"list", {1, 2, 3, "x"}},
                             {"obj", {{"k", {{"n", true}}}}},
                             {"json", "{\"x\": [1, 2]}"}};
  static const Json context = {{"Execution", {{"Id", "arn:x"}}}};
  if (is_intrinsic_call(in)) {
    auto expr = parse_intrinsic(in);
    if (expr.ok()) (void)evaluate_intrinsic(*expr, in, input, context);
  }
  (void)evaluate_intrinsic_text(in, input, context);
  return 0;
}
