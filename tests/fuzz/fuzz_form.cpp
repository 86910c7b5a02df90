// AWS Query: the form decoder, then the shape-driven Query-to-JSON decoding, the missing
// member check and the XML renderer over what it produced.
#include "fuzz_common.hpp"
#include "sluice/protocol/codec.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace sluice;
  auto params = protocol::decode_form(fuzz::text(data, size));
  if (!params.ok()) return 0;
  const auto& shape = *fuzz::request_shape();
  auto json = protocol::query_to_json(*params, shape);
  if (!json.ok()) return 0;
  (void)protocol::first_missing_required(*json, shape, true);
  std::string xml;
  protocol::json_to_xml(*json, shape, xml);
  return 0;
}
