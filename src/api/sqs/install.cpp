// Wiring SQS into the dispatcher: the service declaration, state restore, the reset
// control and the inspection routes (/_sluice/sqs/messages and LocalStack's
// /_aws/sqs/messages), which show every message without changing its visibility.
#include "sluice/api/sqs/sqs_api.hpp"
#include "sluice/common/encoding.hpp"
#include "sluice/protocol/codec.hpp"

namespace sluice::api::sqs {

using services::sqs::PeekedMessage;
using services::sqs::SqsEngine;

namespace {

HttpResponse json_response(int status, const Json& body) {
  HttpResponse r;
  r.status = status;
  r.content_type = "application/json";
  r.body = body.dump(-1, ' ', false, Json::error_handler_t::replace);
  return r;
}

Json message_attributes_json(const services::sqs::MessageAttributes& attributes) {
  Json out = Json::object();
  for (const auto& [name, v] : attributes) {
    Json a = {{"DataType", v.data_type}};
    if (v.is_binary()) {
      a["BinaryValue"] = base64_encode(v.binary_value);
    } else {
      a["StringValue"] = v.string_value;
    }
    out[name] = std::move(a);
  }
  return out;
}

// `localstack_shape`: ReceiveMessage-shaped ({"Messages": [...]}) as LocalStack's
// developer endpoint answers; otherwise Sluice's own view with each message's state.
AdminHandler peek_route(std::shared_ptr<SqsEngine> engine, const std::string& default_region,
                        bool localstack_shape) {
  return [engine, default_region, localstack_shape](const HttpRequest& request, Responder respond) {
    auto params = protocol::decode_form(request.query);
    if (!params.ok()) {
      respond(
          json_response(400, {{"error", "InvalidRequest"}, {"message", params.error().message}}));
      return;
    }
    // LocalStack's path form: /_aws/sqs/messages/<region>/<account>/<queue>.
    constexpr std::string_view kBase = "/_aws/sqs/messages/";
    if (request.path.size() > kBase.size() && request.path.rfind(kBase, 0) == 0 &&
        !params->count("QueueUrl")) {
      (*params)["QueueUrl"] = "http://localhost/queue/" + request.path.substr(kBase.size());
    }
    auto it = params->find("QueueUrl");
    if (it == params->end()) {
      respond(
          json_response(400, {{"error", "MissingParameter"},
                              {"message", "The request must contain the parameter QueueUrl."}}));
      return;
    }
    auto id = queue_from_url(it->second, default_region);
    Result<std::vector<PeekedMessage>> messages =
        id.ok() ? engine->peek_messages(*id) : Result<std::vector<PeekedMessage>>(id.error());
    if (!messages.ok()) {
      const Error& e = messages.error();
      respond(json_response(e.code == "QueueDoesNotExist" ? 404 : 400,
                            {{"error", e.code}, {"message", e.message}}));
      return;
    }
    Json list = Json::array();
    for (const auto& m : *messages) {
      Json j = {{"MessageId", m.message_id},
                {"MD5OfBody", m.md5_of_body},
                {"Body", m.body},
                {"Attributes", m.attributes}};
      if (!m.message_attributes.empty()) {
        j["MessageAttributes"] = message_attributes_json(m.message_attributes);
        j["MD5OfMessageAttributes"] = m.md5_of_attributes;
      }
      if (!localstack_shape) {
        j["State"] = m.state;
        if (m.state != "visible") j["VisibleAt"] = m.visible_at_ms;
      }
      list.push_back(std::move(j));
    }
    respond(json_response(200, localstack_shape
                                   ? Json{{"Messages", list}}
                                   : Json{{"QueueUrl", it->second}, {"Messages", list}}));
  };
}

}  // namespace

Result<std::shared_ptr<SqsEngine>> install_sqs(Dispatcher& dispatcher, services::Runtime& runtime) {
  auto engine = SqsEngine::create(runtime);
  SLUICE_TRY(engine->restore());
  dispatcher.add_service(make_sqs_service(engine));
  dispatcher.add_control(ServiceControl{"sqs", [engine] { engine->reset(); }});
  dispatcher.add_admin_route("GET", "/_sluice/sqs/messages",
                             peek_route(engine, runtime.default_region, false));
  dispatcher.add_admin_route("GET", "/_aws/sqs/messages",
                             peek_route(engine, runtime.default_region, true));
  dispatcher.add_admin_route("GET", "/_aws/sqs/messages/*",
                             peek_route(engine, runtime.default_region, true));
  return engine;
}

}  // namespace sluice::api::sqs
