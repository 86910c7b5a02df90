// JSONPath as Step Functions evaluates it: line 1 is the path, the rest a JSON input (or
// an empty object); the context object is fixed.
#include "fuzz_common.hpp"
#include "sluice/services/sfn/json_path.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace sluice::services::sfn;
  auto [path, rest] = sluice::fuzz::split_line(sluice::fuzz::text(data, size));
  Json input = Json::parse(rest, nullptr, false);
  if (input.is_discarded()) input = Json::object();
  static const Json context = {{"Execution", {{"Id", "arn:x"}, {"Input", {{"a", 1}}}}},
                               {"State", {{"Name", "S"}, {"RetryCount", 0}}},
                               {"Map", {{"Item", {{"Index", 0}, {"Value", "v"}}}}}};
  (void)evaluate_path(path, input, context);
  return 0;
}
