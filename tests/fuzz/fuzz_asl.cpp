// The Amazon States Language parser and validator (CreateStateMachine,
// ValidateStateMachineDefinition), and the single-state form TestState uses.
#include "fuzz_common.hpp"
#include "sluice/services/sfn/asl.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace sluice::services::sfn::asl;
  const std::string_view in = sluice::fuzz::text(data, size);
  auto parsed = parse_definition(in);
  if (!parsed.diagnostics.empty()) (void)invalid_definition_message(parsed.diagnostics);
  auto single = parse_single_state(in, "State");
  if (!single.diagnostics.empty()) (void)invalid_definition_message(single.diagnostics);
  return 0;
}
