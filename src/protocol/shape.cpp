#include "sluice/protocol/shape.hpp"

namespace sluice::protocol {

namespace {
ShapePtr scalar(ShapeKind kind) {
  auto s = std::make_shared<Shape>();
  s->kind = kind;
  return s;
}
}  // namespace

ShapePtr string_shape() {
  static const ShapePtr s = scalar(ShapeKind::String);
  return s;
}
ShapePtr integer_shape() {
  static const ShapePtr s = scalar(ShapeKind::Integer);
  return s;
}
ShapePtr long_shape() {
  static const ShapePtr s = scalar(ShapeKind::Long);
  return s;
}
ShapePtr boolean_shape() {
  static const ShapePtr s = scalar(ShapeKind::Boolean);
  return s;
}
ShapePtr double_shape() {
  static const ShapePtr s = scalar(ShapeKind::Double);
  return s;
}
ShapePtr blob_shape() {
  static const ShapePtr s = scalar(ShapeKind::Blob);
  return s;
}
ShapePtr timestamp_shape() {
  static const ShapePtr s = scalar(ShapeKind::Timestamp);
  return s;
}

ShapePtr structure(std::vector<Member> members) {
  auto s = std::make_shared<Shape>();
  s->kind = ShapeKind::Structure;
  s->members = std::move(members);
  return s;
}

ShapePtr list_of(ShapePtr element, std::string element_name) {
  auto s = std::make_shared<Shape>();
  s->kind = ShapeKind::List;
  s->element = std::move(element);
  s->element_name = std::move(element_name);
  return s;
}

ShapePtr map_of(ShapePtr key, ShapePtr value, std::string key_name, std::string value_name) {
  auto s = std::make_shared<Shape>();
  s->kind = ShapeKind::Map;
  s->key = std::move(key);
  s->element = std::move(value);
  s->key_name = std::move(key_name);
  s->value_name = std::move(value_name);
  return s;
}

}  // namespace sluice::protocol
