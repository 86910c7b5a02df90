#include "sluice/common/encoding.hpp"
#include "sluice/protocol/codec.hpp"

namespace sluice::protocol {

Result<FormParams> decode_form(std::string_view body) {
  FormParams params;
  std::size_t pos = 0;
  while (pos <= body.size()) {
    std::size_t amp = body.find('&', pos);
    if (amp == std::string_view::npos) amp = body.size();
    const std::string_view pair = body.substr(pos, amp - pos);
    pos = amp + 1;
    if (pair.empty()) {
      if (amp == body.size()) break;
      continue;
    }
    const std::size_t eq = pair.find('=');
    const std::string_view raw_name = pair.substr(0, eq);
    const std::string_view raw_value =
        eq == std::string_view::npos ? std::string_view{} : pair.substr(eq + 1);
    auto name = url_decode(raw_name);
    auto value = url_decode(raw_value);
    if (!name || !value) {
      return Error::sender("MalformedQueryString",
                           "The query string contains a malformed percent-encoded sequence.");
    }
    if (!is_valid_utf8(*name) || !is_valid_utf8(*value)) {
      return Error::sender("MalformedQueryString",
                           "The query string contains characters that are not valid UTF-8.");
    }
    params[std::move(*name)] = std::move(*value);
  }
  return params;
}

}  // namespace sluice::protocol
