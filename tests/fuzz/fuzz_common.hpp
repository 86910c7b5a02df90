#pragma once
// Shared by the libFuzzer targets: the input as text, and a split at the first newline
// for targets that take two inputs.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>

#include <nlohmann/json.hpp>

#include "sluice/protocol/shape.hpp"

namespace sluice::fuzz {

inline std::string_view text(const std::uint8_t* data, std::size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

inline std::pair<std::string_view, std::string_view> split_line(std::string_view s) {
  const auto nl = s.find('\n');
  if (nl == std::string_view::npos) return {s, {}};
  return {s.substr(0, nl), s.substr(nl + 1)};
}

// A request shape with every kind the declarations use, nested: what the form and JSON
// decoders are run against.
inline protocol::ShapePtr request_shape() {
  using namespace protocol;
  static const ShapePtr shape = [] {
    ShapePtr attribute =
        structure({member("StringValue", string_shape()), member("BinaryValue", blob_shape()),
                   member("DataType", string_shape()).req(),
                   member("StringListValues", list_of(string_shape()))});
    ShapePtr entry =
        structure({member("Id", string_shape()).req(), member("MessageBody", string_shape()).req(),
                   member("DelaySeconds", integer_shape()),
                   member("MessageAttributes", map_of(string_shape(), attribute, "Name", "Value"))
                       .flat()
                       .as("MessageAttribute")});
    return structure({member("QueueUrl", string_shape()).req(),
                      member("Entries", list_of(entry)).flat().as("SendMessageBatchRequestEntry"),
                      member("Attributes", map_of(string_shape(), string_shape())),
                      member("MaxNumberOfMessages", integer_shape()), member("Size", long_shape()),
                      member("Enabled", boolean_shape()), member("Ratio", double_shape()),
                      member("When", timestamp_shape()),
                      member("Names", list_of(string_shape(), "Name")),
                      member("Payload", blob_shape())});
  }();
  return shape;
}

}  // namespace sluice::fuzz
