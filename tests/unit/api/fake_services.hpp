#pragma once
// Tiny fake services for dispatcher tests, declared the way real ones are:
// - alpha: AWS Query and AWS JSON, query-compatible (SQS-like), Query version 2020-01-01.
// - beta: AWS Query only (SNS-like), version 2010-03-31; shares the action `Shared`.
// - gamma: AWS JSON only (Step Functions-like), missing members are ValidationException.
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <thread>

#include "sluice/api/dispatcher.hpp"
#include "sluice/api/service.hpp"

namespace sluice::api::testing {

using namespace sluice::protocol;

// What the last handler saw.
struct Seen {
  std::mutex mu;
  std::optional<Call> call;
  Json input;
  std::string service;
};

inline Operation echo_op(const std::string& service, std::shared_ptr<Seen> seen) {
  return Operation{"Echo",
                   structure({
                       member("Name", string_shape()).req(),
                       member("Count", integer_shape()),
                       member("Labels", map_of(string_shape(), string_shape(), "Name", "Value"))
                           .as("Label")
                           .flat(),
                   }),
                   structure({
                       member("Name", string_shape()),
                       member("Count", integer_shape()),
                       member("Labels", map_of(string_shape(), string_shape(), "Name", "Value"))
                           .as("Label")
                           .flat(),
                   }),
                   [service, seen](const Call& call, Json input, Reply reply) {
                     {
                       std::lock_guard lock(seen->mu);
                       seen->call = call;
                       seen->input = input;
                       seen->service = service;
                     }
                     reply(std::move(input));
                   }};
}

inline Operation named_op(const std::string& name, const std::string& service,
                          std::shared_ptr<Seen> seen) {
  return Operation{name, structure({}), structure({member("Service", string_shape())}),
                   [service, seen](const Call& call, Json, Reply reply) {
                     {
                       std::lock_guard lock(seen->mu);
                       seen->call = call;
                       seen->service = service;
                     }
                     reply(Json{{"Service", service}});
                   }};
}

inline std::shared_ptr<ServiceDecl> alpha_service(std::shared_ptr<Seen> seen) {
  auto s = std::make_shared<ServiceDecl>();
  s->name = "alpha";
  s->signing_name = "alpha";
  s->api_version = "2020-01-01";
  s->xml_namespace = "http://alpha.example.com/doc/2020-01-01/";
  s->json_target_prefix = "Alpha";
  s->json_type_prefix = "com.amazonaws.alpha#";
  s->speaks_query = true;
  s->query_compatible = true;
  s->query_errors["ThingDoesNotExist"] = {"Alpha.NonExistentThing", 0};
  s->query_errors["Overloaded"] = {"Alpha.Overloaded", 503};
  s->add(echo_op("alpha", seen));
  s->add(named_op("Shared", "alpha", seen));
  s->add(Operation{"Fail", structure({}), nullptr, [](const Call&, Json, Reply reply) {
                     reply(Error::sender("ThingDoesNotExist", "The thing <x> does not exist."));
                   }});
  s->add(Operation{"Overload", structure({}), nullptr, [](const Call&, Json, Reply reply) {
                     reply(Error{"Overloaded", "Slow down.", 400, false});
                   }});
  s->add(Operation{"Throw", structure({}), nullptr,
                   [](const Call&, Json, Reply) -> void { throw std::runtime_error("boom"); }});
  s->add(Operation{"ThrowInt", structure({}), nullptr, [](const Call&, Json, Reply) -> void {
                     throw 42;  // not a std::exception: must not take the server down
                   }});
  s->add(Operation{"NoOutput", structure({}), nullptr,
                   [](const Call&, Json, Reply reply) { reply(Json()); }});
  s->add(Operation{"Later", structure({}), structure({member("Done", boolean_shape())}),
                   [](const Call&, Json, Reply reply) {
                     std::thread([reply] {
                       reply(Json{{"Done", true}});
                       reply(Error::internal("a second reply must be ignored"));
                     }).detach();
                   }});
  s->add(Operation{"ReplyThenThrow", structure({}), structure({member("Done", boolean_shape())}),
                   [](const Call&, Json, Reply reply) {
                     reply(Json{{"Done", true}});
                     throw std::runtime_error("after the reply");
                   }});
  return s;
}

inline std::shared_ptr<ServiceDecl> beta_service(std::shared_ptr<Seen> seen) {
  auto s = std::make_shared<ServiceDecl>();
  s->name = "beta";
  s->signing_name = "beta";
  s->api_version = "2010-03-31";
  s->xml_namespace = "http://beta.example.com/doc/2010-03-31/";
  s->speaks_query = true;
  s->add(named_op("Shared", "beta", seen));
  s->add(named_op("BetaOnly", "beta", seen));
  return s;
}

inline std::shared_ptr<ServiceDecl> gamma_service(std::shared_ptr<Seen> seen) {
  auto s = std::make_shared<ServiceDecl>();
  s->name = "gamma";
  s->signing_name = "gamma";
  s->json_target_prefix = "GammaService";
  s->json_type_prefix = "com.amazonaws.gamma#";
  s->json_missing_is_validation = true;
  s->add(Operation{
      "Describe",
      structure({member("id", string_shape()).req(),
                 member("items", list_of(structure({member("k", string_shape()).req()})))}),
      structure({member("id", string_shape())}), [seen](const Call& call, Json input, Reply reply) {
        {
          std::lock_guard lock(seen->mu);
          seen->call = call;
          seen->service = "gamma";
        }
        reply(Json{{"id", input["id"]}});
      }});
  s->add(named_op("Shared", "gamma", seen));
  return s;
}

}  // namespace sluice::api::testing
