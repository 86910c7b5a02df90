#pragma once
// A small description language for request/response shapes. Each operation declares
// its input and output once (api/<service>/); the generic codecs use the declaration
// to decode AWS Query forms and JSON bodies into one neutral JSON value and to encode
// results as Query XML or JSON. Wire names that differ per protocol are carried here.
#include <memory>
#include <string>
#include <vector>

namespace sluice::protocol {

enum class ShapeKind {
  String,
  Integer,
  Long,
  Boolean,
  Double,
  Blob,
  Timestamp,
  Structure,
  List,
  Map
};

struct Shape;
using ShapePtr = std::shared_ptr<const Shape>;

struct Member {
  std::string name;  // JSON member name, and the Query/XML name unless `wire` is set
  ShapePtr shape;
  std::string wire;  // Query/XML locationName, when it differs from `name`
  bool required = false;
  bool flattened = false;  // Query/XML: list items / map entries repeat the member name

  const std::string& query_name() const { return wire.empty() ? name : wire; }
  Member&& req() && {
    required = true;
    return std::move(*this);
  }
  Member&& flat() && {
    flattened = true;
    return std::move(*this);
  }
  Member&& as(std::string wire_name) && {
    wire = std::move(wire_name);
    return std::move(*this);
  }
};

struct Shape {
  ShapeKind kind = ShapeKind::String;
  std::vector<Member> members;          // Structure
  ShapePtr element;                     // List element / Map value
  ShapePtr key;                         // Map key
  std::string element_name = "member";  // List: name of each item when not flattened
  std::string key_name = "key";         // Map
  std::string value_name = "value";     // Map

  const Member* find_member(const std::string& member_name) const {
    for (const auto& m : members)
      if (m.name == member_name) return &m;
    return nullptr;
  }
};

// Builders, so declarations read like the model.
ShapePtr string_shape();
ShapePtr integer_shape();
ShapePtr long_shape();
ShapePtr boolean_shape();
ShapePtr double_shape();
ShapePtr blob_shape();
ShapePtr timestamp_shape();
ShapePtr structure(std::vector<Member> members);
ShapePtr list_of(ShapePtr element, std::string element_name = "member");
ShapePtr map_of(ShapePtr key, ShapePtr value, std::string key_name = "key",
                std::string value_name = "value");
inline Member member(std::string name, ShapePtr shape) {
  return Member{std::move(name), std::move(shape), {}, false, false};
}

}  // namespace sluice::protocol
