// Step Functions Local mock configurations (--sfn-mock-config, SFN_MOCK_CONFIG), and a
// lookup in what parsed.
#include "fuzz_common.hpp"
#include "sluice/services/sfn/mock_config.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace sluice::services::sfn;
  auto config = MockConfig::parse(std::string(sluice::fuzz::text(data, size)));
  if (config.ok() && !config->empty()) {
    (void)config->has_case("M", "T");
    (void)config->response("M", "T", "S", 0);
    (void)config->response("M", "T", "S", 3);
  }
  return 0;
}
