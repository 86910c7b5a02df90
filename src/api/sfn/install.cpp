// Wiring Step Functions into the dispatcher: the service declaration, the engine with
// its ports (SQS and SNS reached in-process through their own operation declarations,
// an HTTP client for Lambda and http:invoke), state restore and the reset control.
#include <atomic>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "handlers.hpp"
#include "http_client.hpp"
#include "sluice/api/sfn/sfn_api.hpp"
#include "sluice/api/sns/sns_api.hpp"
#include "sluice/api/sqs/sqs_api.hpp"
#include "sluice/common/encoding.hpp"
#include "sluice/common/log.hpp"
#include "sluice/protocol/codec.hpp"

namespace sluice::api::sfn {

namespace {

using services::sfn::ServicePort;

// An AWS API served by another engine, called through its wire declaration: the same
// validation and results an SDK gets, without HTTP.
class DeclPort final : public ServicePort {
 public:
  DeclPort(std::shared_ptr<const ServiceDecl> decl, std::string url_host)
      : decl_(std::move(decl)), url_host_(std::move(url_host)) {}

  void call(const std::string& operation, const services::sfn::Json& params,
            const services::sfn::Scope& scope,
            std::function<void(Result<services::sfn::Json>)> done) override {
    auto op = decl_->operations.find(operation);
    if (op == decl_->operations.end()) {
      return done(Error::sender("InvalidAction",
                                "The action " + operation + " is not valid for this web service."));
    }
    Json body = Json::parse(
        services::sfn::to_text(params.is_null() ? services::sfn::Json::object() : params), nullptr,
        false);
    if (body.is_discarded() || !body.is_object())
      return done(Error::sender("SerializationException", "The parameters must be an object."));
    auto input = protocol::json_conform(body, *op->second.input);
    if (!input.ok()) return done(std::move(input).error());
    if (auto missing = protocol::first_missing_required(*input, *op->second.input, true);
        !missing.empty())
      return done(Error::sender("MissingParameter",
                                "The request must contain the parameter " + missing + "."));
    Call call;
    call.request_id = uuid_v4();
    call.operation = operation;
    call.region = scope.region;
    call.account_id = scope.account;
    call.host = url_host_.empty() ? "localhost" : url_host_;
    call.path = "/";
    auto once = std::make_shared<std::atomic<bool>>(false);
    Reply reply = [done, once](Result<Json> r) {
      if (once->exchange(true)) return;
      if (!r.ok()) return done(std::move(r).error());
      services::sfn::Json out;
      services::sfn::parse_json(r->is_null() ? "{}" : r->dump(), out);
      done(std::move(out));
    };
    try {
      op->second.handler(call, std::move(*input), reply);
    } catch (const std::exception& ex) {
      reply(Error::internal(std::string("internal error: ") + ex.what()));
    }
  }

  std::string query_code(const std::string& code) const override { return decl_->query_code(code); }

 private:
  std::shared_ptr<const ServiceDecl> decl_;
  std::string url_host_;
};

Result<std::string> read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    return Error::sender("InvalidConfig", "cannot read the Step Functions mock config " + path);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace

std::shared_ptr<const ServiceDecl> make_sfn_service(std::shared_ptr<SfnEngine> engine) {
  auto decl = std::make_shared<ServiceDecl>();
  decl->name = "states";
  decl->signing_name = "states";
  decl->api_version = "2016-11-23";
  decl->json_target_prefix = "AWSStepFunctions";
  // The namespace Step Functions puts in __type (ValidationException keeps coral's).
  decl->json_type_prefix = "com.amazonaws.swf.service.v2.model#";
  decl->speaks_query = false;
  decl->query_compatible = false;
  decl->json_missing_is_validation = true;
  add_machine_ops(*decl, engine);
  add_execution_ops(*decl, engine);
  return decl;
}

Result<std::shared_ptr<SfnEngine>> install_sfn(Dispatcher& dispatcher, services::Runtime& runtime,
                                               SfnWiring wiring) {
  services::sfn::EngineOptions options;
  if (wiring.sqs)
    options.sqs = std::make_shared<DeclPort>(sqs::make_sqs_service(wiring.sqs), runtime.url_host);
  if (wiring.sns)
    options.sns =
        std::make_shared<DeclPort>(sns::make_sns_service(wiring.sns, runtime), runtime.url_host);
  options.http = std::make_shared<PosixHttpPort>();
  options.lambda_endpoint = wiring.lambda_endpoint;
  // --sfn-mock-config; load_config maps Step Functions Local's SFN_MOCK_CONFIG to it.
  const std::string& mock_file = wiring.mock_config_file;
  if (!mock_file.empty()) {
    auto text = read_file(mock_file);
    if (!text.ok()) return std::move(text).error();
    options.mock_config = std::move(*text);
  }
  auto engine = SfnEngine::create(runtime, std::move(options));
  if (!engine.ok()) return std::move(engine).error();
  SLUICE_TRY((*engine)->restore());
  dispatcher.add_service(make_sfn_service(*engine));
  std::weak_ptr<SfnEngine> weak = *engine;
  dispatcher.add_control(ServiceControl{"stepfunctions", [weak] {
                                          if (auto e = weak.lock()) e->reset();
                                        }});
  return *engine;
}

}  // namespace sluice::api::sfn
