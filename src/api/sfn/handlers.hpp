#pragma once
// Shared by the files declaring Step Functions' operations.
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "constraints.hpp"
#include "render.hpp"
#include "sluice/api/service.hpp"
#include "sluice/protocol/shape.hpp"
#include "sluice/services/sfn/engine.hpp"

namespace sluice::api::sfn {

using services::sfn::SfnEngine;
using EnginePtr = std::shared_ptr<SfnEngine>;

inline services::sfn::Scope scope_of(const Call& c) {
  return {c.region, c.account_id};
}

inline std::string str(const Json& in, const char* key) {
  auto it = in.find(key);
  return it != in.end() && it->is_string() ? it->get<std::string>() : std::string();
}

inline std::optional<std::string> opt_str(const Json& in, const char* key) {
  auto it = in.find(key);
  if (it == in.end() || !it->is_string()) return std::nullopt;
  return it->get<std::string>();
}

inline int integer(const Json& in, const char* key, int fallback = 0) {
  auto it = in.find(key);
  return it != in.end() && it->is_number_integer() ? it->get<int>() : fallback;
}

inline bool boolean(const Json& in, const char* key, bool fallback = false) {
  auto it = in.find(key);
  return it != in.end() && it->is_boolean() ? it->get<bool>() : fallback;
}

inline Json doc(const Json& in, const char* key) {
  auto it = in.find(key);
  return it == in.end() ? Json() : *it;
}

// Answers `reply` with render(value) or the error.
template <typename T, typename F>
services::sfn::Done<T> answer(Reply reply, F render) {
  return [reply = std::move(reply), render = std::move(render)](Result<T> r) {
    if (!r.ok()) return reply(std::move(r).error());
    reply(Json(render(*r)));
  };
}

inline services::sfn::DoneStatus answer_empty(Reply reply) {
  return [reply = std::move(reply)](Status s) {
    if (!s.ok()) return reply(std::move(s).error());
    reply(Json::object());
  };
}

// Declares an operation whose input is checked against the model's constraints first.
void add_op(ServiceDecl& decl, const std::string& name, protocol::ShapePtr input,
            std::vector<Rule> rules, Handler handler);

void add_machine_ops(ServiceDecl& decl, EnginePtr engine);
void add_execution_ops(ServiceDecl& decl, EnginePtr engine);

}  // namespace sluice::api::sfn
