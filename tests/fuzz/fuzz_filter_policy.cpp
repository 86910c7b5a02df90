// SNS filter policies: parsing and validation (both scopes), then matching a message body
// (line 2 on) and message attributes made from the body's top-level members.
#include "fuzz_common.hpp"
#include "sluice/services/sns/filter_policy.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace sluice::services::sns;
  auto [policy_text, body] = sluice::fuzz::split_line(sluice::fuzz::text(data, size));
  const std::string policy_str(policy_text);
  const std::string body_str(body);
  MessageAttributes attributes;
  const auto doc = nlohmann::json::parse(body_str, nullptr, false);
  if (doc.is_object()) {
    for (auto it = doc.begin(); it != doc.end(); ++it) {
      MessageAttribute a;
      if (it->is_number()) {
        a.data_type = "Number";
        a.string_value = it->dump();
      } else if (it->is_array()) {
        a.data_type = "String.Array";
        a.string_value = it->dump();
      } else if (it->is_string()) {
        a.data_type = "String";
        a.string_value = it->get<std::string>();
      } else {
        a.data_type = "Binary";
        a.binary_value = it->dump();
      }
      attributes[it.key()] = a;
    }
  }
  for (auto scope : {FilterScope::MessageAttributes, FilterScope::MessageBody}) {
    auto policy = parse_filter_policy(policy_str, scope, true);
    if (policy.ok()) (void)filter_matches(*policy, body_str, attributes);
  }
  return 0;
}
