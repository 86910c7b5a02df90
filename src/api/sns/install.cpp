// Wiring SNS into the dispatcher: engine, restore, reset control, the HTTP client for
// http/https/Lambda deliveries, the signing certificate route and the inspection
// routes (/_sluice/sns/... and LocalStack's /_aws/sns/...).
#include "sluice/api/sns/sns_api.hpp"
#include "sluice/common/encoding.hpp"
#include "sluice/protocol/codec.hpp"
#include "sluice/services/sns/posix_http_client.hpp"

namespace sluice::api::sns {

using services::sns::RecordedDelivery;
using services::sns::SnsEngine;

namespace {

HttpResponse json_response(int status, const Json& body) {
  HttpResponse r;
  r.status = status;
  r.content_type = "application/json";
  r.body = body.dump(-1, ' ', false, Json::error_handler_t::replace);
  return r;
}

Json attributes_json(const services::sns::MessageAttributes& attributes) {
  Json out = Json::object();
  for (const auto& [name, a] : attributes) {
    Json v = {{"DataType", a.data_type}};
    if (a.is_binary()) {
      v["BinaryValue"] = base64_encode(a.binary_value);
    } else {
      v["StringValue"] = a.string_value;
    }
    out[name] = v;
  }
  return out;
}

Json record_json(const RecordedDelivery& r) {
  Json j = {{"Kind", r.kind},
            {"MessageId", r.message_id},
            {"Region", r.region},
            {"AccountId", r.account},
            {"Endpoint", r.endpoint},
            {"Message", r.message},
            {"Status", r.status},
            {"Attempts", r.attempts},
            {"Timestamp", iso8601_ms(r.timestamp_ms)}};
  if (!r.topic_arn.empty()) j["TopicArn"] = r.topic_arn;
  if (!r.subscription_arn.empty()) j["SubscriptionArn"] = r.subscription_arn;
  if (!r.subject.empty()) j["Subject"] = r.subject;
  if (!r.attributes.empty()) j["MessageAttributes"] = attributes_json(r.attributes);
  return j;
}

protocol::FormParams query_of(const HttpRequest& request) {
  auto q = protocol::decode_form(request.query);
  return q.ok() ? *q : protocol::FormParams{};
}

std::string param(const protocol::FormParams& q, const char* name) {
  auto it = q.find(name);
  return it == q.end() ? std::string() : it->second;
}

// LocalStack's /_aws/sns/sms-messages and /_aws/sns/platform-endpoint-messages: records
// grouped by phone number / endpoint ARN, filtered by region and accountId.
AdminHandler localstack_messages(std::shared_ptr<SnsEngine> engine, std::string kind,
                                 std::string key, std::string filter_param,
                                 std::string default_region) {
  return [=](const HttpRequest& request, Responder respond) {
    const auto q = query_of(request);
    const std::string region = param(q, "region").empty() ? default_region : param(q, "region");
    const std::string account = param(q, "accountId");
    const std::string only = param(q, filter_param.c_str());
    if (request.method == "DELETE") {
      engine->clear_recorded(kind, region, account);
      HttpResponse none;
      none.status = 204;
      respond(none);
      return;
    }
    Json grouped = Json::object();
    for (const auto& r : engine->recorded(kind, region, account)) {
      if (!only.empty() && r.endpoint != only) continue;
      Json j = {{"MessageId", r.message_id}, {"Message", r.message}};
      if (kind == "sms") {
        j["PhoneNumber"] = r.endpoint;
      } else {
        j["TargetArn"] = r.endpoint;
      }
      if (!r.topic_arn.empty()) j["TopicArn"] = r.topic_arn;
      if (!r.subscription_arn.empty()) j["SubscriptionArn"] = r.subscription_arn;
      if (!r.subject.empty()) j["Subject"] = r.subject;
      j["MessageAttributes"] = attributes_json(r.attributes);
      if (!grouped.contains(r.endpoint)) grouped[r.endpoint] = Json::array();
      grouped[r.endpoint].push_back(j);
    }
    respond(json_response(200, {{key, grouped}, {"region", region}}));
  };
}

void add_routes(Dispatcher& dispatcher, std::shared_ptr<SnsEngine> engine,
                const services::Runtime& runtime) {
  auto serve_cert = [engine](const HttpRequest&, Responder respond) {
    HttpResponse r;
    r.content_type = "application/x-pem-file";
    r.body = engine->signer().certificate_pem();
    respond(r);
  };
  dispatcher.add_admin_route("GET", engine->signing_cert_path(), serve_cert);
  dispatcher.add_admin_route("GET", "/_sluice/sns/signing-cert.pem", serve_cert);

  // Everything SNS recorded: email, email-json, sms, application, firehose and the
  // final outcome of every http/https and lambda delivery.
  dispatcher.add_admin_route(
      "*", "/_sluice/sns/messages", [engine](const HttpRequest& request, Responder respond) {
        const auto q = query_of(request);
        const std::string kind = param(q, "kind");
        const std::string region = param(q, "region");
        const std::string account = param(q, "accountId");
        if (request.method == "DELETE") {
          engine->clear_recorded(kind, region, account);
          respond(json_response(200, {{"cleared", true}}));
          return;
        }
        Json list = Json::array();
        for (const auto& r : engine->recorded(kind, region, account))
          list.push_back(record_json(r));
        respond(json_response(
            200, {{"messages", list}, {"pending_retries", engine->pending_retries()}}));
      });
  dispatcher.add_admin_route(
      "*", "/_aws/sns/sms-messages",
      localstack_messages(engine, "sms", "sms_messages", "phoneNumber", runtime.default_region));
  dispatcher.add_admin_route(
      "*", "/_aws/sns/platform-endpoint-messages",
      localstack_messages(engine, "application", "platform_endpoint_messages", "endpointArn",
                          runtime.default_region));
  // Confirmation tokens of pending subscriptions (LocalStack takes the subscription ARN
  // in the path; here it is the subscriptionArn query parameter).
  auto tokens = [engine](const HttpRequest& request, Responder respond) {
    const auto q = query_of(request);
    const std::string arn = param(q, "subscriptionArn");
    const auto all = engine->subscription_tokens(param(q, "region"), param(q, "accountId"));
    if (!arn.empty()) {
      for (const auto& t : all) {
        if (t.subscription_arn == arn) {
          respond(json_response(
              200, {{"subscription_token", t.token}, {"subscription_arn", t.subscription_arn}}));
          return;
        }
      }
      respond(json_response(
          404, {{"error", "NotFound"}, {"message", "No pending subscription " + arn + "."}}));
      return;
    }
    Json list = Json::array();
    for (const auto& t : all)
      list.push_back({{"subscription_token", t.token},
                      {"subscription_arn", t.subscription_arn},
                      {"topic_arn", t.topic_arn}});
    respond(json_response(200, {{"subscription_tokens", list}}));
  };
  dispatcher.add_admin_route("GET", "/_aws/sns/subscription-tokens", tokens);
  dispatcher.add_admin_route("GET", "/_sluice/sns/subscription-tokens", tokens);
  // Test hook: a phone number replies STOP.
  dispatcher.add_admin_route(
      "POST", "/_sluice/sns/opt-out",
      [engine, region = runtime.default_region, account = runtime.default_account](
          const HttpRequest& request, Responder respond) {
        const auto q = query_of(request);
        services::sns::CallContext ctx{
            param(q, "region").empty() ? region : param(q, "region"),
            param(q, "accountId").empty() ? account : param(q, "accountId"), ""};
        auto s = engine->opt_out_phone_number(ctx, param(q, "phoneNumber"));
        if (!s.ok()) {
          respond(json_response(400, {{"error", s.error().code}, {"message", s.error().message}}));
          return;
        }
        respond(json_response(200, {{"opted_out", param(q, "phoneNumber")}}));
      });
}

}  // namespace

Result<std::shared_ptr<SnsEngine>> install_sns(Dispatcher& dispatcher, services::Runtime& runtime,
                                               SnsWiring wiring) {
  auto engine = SnsEngine::create(runtime, std::move(wiring.options));
  engine->set_queue_delivery(std::move(wiring.queues));
  engine->set_http_client(std::make_shared<services::sns::PosixHttpClient>(4));
  if (auto restored = engine->restore(); !restored.ok()) return std::move(restored).error();
  dispatcher.add_service(make_sns_service(engine, runtime));
  dispatcher.add_control({"sns", [engine] { engine->reset(); }});
  add_routes(dispatcher, engine, runtime);
  return engine;
}

}  // namespace sluice::api::sns
