#include "sluice/api/dispatcher.hpp"

#include <limits>
#include <memory>

#include "sluice/common/encoding.hpp"
#include "sluice/common/json_fast.hpp"
#include "sluice/common/log.hpp"
#include "sluice/protocol/codec.hpp"
#include "sluice/protocol/sigv4.hpp"

namespace sluice::api {

namespace {

bool starts_with(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

struct Caller {
  std::string region;
  std::string account;
  std::string access_key;
  std::string scope_service;
};

Caller identify(const HttpRequest& req, const protocol::FormParams* params,
                const DispatcherOptions& options, const protocol::SigV4Verifier* verifier,
                const protocol::AuthOutcome& verified) {
  Caller c{options.default_region, options.default_account, {}, {}};
  if (!verified.access_key.empty()) {
    // A verified signature: the key's account, the scope's region and service.
    if (!verified.region.empty()) c.region = verified.region;
    c.access_key = verified.access_key;
    c.account = verified.account_id;
    c.scope_service = verified.service;
    return c;
  }
  std::optional<protocol::SigV4Scope> scope;
  if (const std::string* auth = req.header("authorization")) {
    scope = protocol::parse_sigv4_authorization(*auth);
  } else if (params) {
    if (auto it = params->find("X-Amz-Credential"); it != params->end())
      scope = protocol::parse_sigv4_credential(it->second);
  }
  if (scope) {
    if (!scope->region.empty()) c.region = scope->region;
    c.access_key = scope->access_key;
    const protocol::AccessKey* known = verifier ? verifier->find(scope->access_key) : nullptr;
    c.account = known
                    ? known->account_id
                    : protocol::account_for_access_key(scope->access_key, options.default_account);
    c.scope_service = scope->service;
  }
  return c;
}

// How each wire names an authentication failure. AWS Query services (SQS, SNS) and SQS's
// JSON protocol (awsQueryCompatible: the same codes in x-amzn-query-error) answer 403
// InvalidClientTokenId / SignatureDoesNotMatch / MissingAuthenticationToken; AWS JSON
// services on Coral (Step Functions) answer 400 UnrecognizedClientException /
// InvalidSignatureException / MissingAuthenticationTokenException. A clock skew is a
// signature mismatch ("Signature expired: ..."); an expired presigned URL is
// RequestExpired (400).
Error auth_error(const protocol::AuthError& e, bool coral_json) {
  using protocol::AuthFailure;
  switch (e.kind) {
    case AuthFailure::kMissing:
      return coral_json ? Error::sender("MissingAuthenticationTokenException", e.message, 400)
                        : Error::sender("MissingAuthenticationToken", e.message, 403);
    case AuthFailure::kIncomplete:
    case AuthFailure::kUnsupported:
      return Error::sender(coral_json ? "IncompleteSignatureException" : "IncompleteSignature",
                           e.message, 400);
    case AuthFailure::kUnknownKey:
      return coral_json ? Error::sender("UnrecognizedClientException", e.message, 400)
                        : Error::sender("InvalidClientTokenId", e.message, 403);
    case AuthFailure::kSignatureMismatch:
    case AuthFailure::kSkewed:
      return coral_json ? Error::sender("InvalidSignatureException", e.message, 400)
                        : Error::sender("SignatureDoesNotMatch", e.message, 403);
    case AuthFailure::kPresignExpired:
      return coral_json ? Error::sender("InvalidSignatureException", e.message, 400)
                        : Error::sender("RequestExpired", e.message, 400);
  }
  return Error::sender("IncompleteSignature", e.message, 400);
}

const char* auth_failure_name(protocol::AuthFailure kind) {
  using protocol::AuthFailure;
  switch (kind) {
    case AuthFailure::kMissing:
      return "missing";
    case AuthFailure::kIncomplete:
      return "incomplete";
    case AuthFailure::kUnknownKey:
      return "unknown access key";
    case AuthFailure::kSignatureMismatch:
      return "signature mismatch";
    case AuthFailure::kSkewed:
      return "clock skew";
    case AuthFailure::kPresignExpired:
      return "presigned URL expired";
    case AuthFailure::kUnsupported:
      return "unsupported";
  }
  return "?";
}

// Guards a handler's reply: exactly one response per request, whatever the handler does.
// The function lives in one shared state, so that copies of the Reply (handlers take
// it by value) copy a pointer rather than the function and everything it captured.
Reply once(std::function<void(Result<Json>)> fn) {
  struct State {
    std::function<void(Result<Json>)> fn;
    std::atomic<bool> done{false};
  };
  auto state = std::make_shared<State>();
  state->fn = std::move(fn);
  return [state](Result<Json> r) {
    if (state->done.exchange(true)) return;
    state->fn(std::move(r));
  };
}

// The same guarantee for admin handlers, which answer with a raw response.
Responder respond_once(Responder fn) {
  auto done = std::make_shared<std::atomic<bool>>(false);
  return [fn = std::move(fn), done](HttpResponse r) {
    if (done->exchange(true)) return;
    fn(std::move(r));
  };
}

HttpResponse json_response(int status, const Json& body) {
  HttpResponse r;
  r.status = status;
  r.content_type = "application/json";
  r.body = body.dump(-1, ' ', false, Json::error_handler_t::replace);
  return r;
}

// SigV4 service names of AWS services whose requests reach emulators (ours, and the
// neighbours clients commonly point at the same endpoint).
bool is_known_signing_name(std::string_view name) {
  return name == "sqs" || name == "sns" || name == "states" || name == "sts" || name == "iam" ||
         name == "lambda";
}

}  // namespace

Dispatcher::Dispatcher(DispatcherOptions options, Clock& clock)
    : options_(std::move(options)), clock_(clock) {
  if (!options_.access_keys.empty() || options_.verify_signatures)
    verifier_ = std::make_shared<const protocol::SigV4Verifier>(options_.access_keys);
}

protocol::AuthOutcome Dispatcher::authenticate(const HttpRequest& request) const {
  if (!options_.verify_signatures || !verifier_) return {};
  protocol::SigV4Request r;
  r.method = request.method;
  r.path = request.path;
  r.query = request.query;
  r.headers = &request.headers;
  r.body = request.body;
  // The real wall clock, also under --clock virtual: clients sign with their host's time.
  auto outcome = verifier_->verify(r, RealClock().now_ms());
  if (outcome.error) {
    auto log = logger("api");
    log->info("{} {} {}: request refused, {}: {}", request.method, request.target,
              request.remote_address, auth_failure_name(outcome.error->kind),
              outcome.error->message);
    if (!outcome.error->detail.empty()) log->debug("signature check: {}", outcome.error->detail);
  }
  return outcome;
}

void Dispatcher::add_service(std::shared_ptr<const ServiceDecl> decl) {
  services_.push_back(std::move(decl));
}

void Dispatcher::add_control(ServiceControl control) {
  controls_.push_back(std::move(control));
}

void Dispatcher::add_admin_route(std::string method, std::string path, AdminHandler handler) {
  admin_routes_.push_back({std::move(method), std::move(path), std::move(handler)});
}

void Dispatcher::handle(HttpRequest request, Responder respond) const {
  served_.fetch_add(1, std::memory_order_relaxed);
  const std::string& path = request.path;
  if (starts_with(path, "/_sluice/") || starts_with(path, "/_localstack/") ||
      starts_with(path, "/_aws/") || starts_with(path, "/moto-api/")) {
    // Every response carries a request id, admin ones too, so a log line can be matched
    // to whatever a client saw.
    handle_admin(request, [respond = std::move(respond)](HttpResponse r) {
      bool has_id = false;
      for (const auto& [k, v] : r.headers)
        has_id = has_id || k == "x-amzn-RequestId";
      if (!has_id) r.headers.emplace_back("x-amzn-RequestId", uuid_v4());
      respond(std::move(r));
    });
    return;
  }
  if (const std::string* target = request.header("x-amz-target")) {
    handle_json(request, *target, std::move(respond));
    return;
  }
  // An AWS JSON body without X-Amz-Target is still a JSON request: answer in JSON
  // (UnknownOperationException), which the client can parse, not in Query XML.
  if (const std::string* type = request.header("content-type");
      type && starts_with(*type, "application/x-amz-json-")) {
    handle_json(request, std::string(), std::move(respond));
    return;
  }
  handle_query(request, std::move(respond));
}

void Dispatcher::handle_json(const HttpRequest& request, const std::string& target,
                             Responder respond) const {
  const std::string request_id = uuid_v4();
  const std::size_t dot = target.rfind('.');
  const std::string prefix = dot == std::string::npos ? std::string() : target.substr(0, dot);
  const std::string op_name = dot == std::string::npos ? target : target.substr(dot + 1);
  const ServiceDecl* service = nullptr;
  for (const auto& s : services_)
    if (!s->json_target_prefix.empty() && s->json_target_prefix == prefix) service = s.get();
  auto fail = [&](const ServiceDecl* s, Error e) { respond(render_json_error(s, e, request_id)); };
  // Authentication comes before everything else about the request, as on AWS.
  const protocol::AuthOutcome auth = authenticate(request);
  const bool coral = !service || !service->query_compatible;
  if (auth.error) return fail(service, auth_error(*auth.error, coral));
  if (service && !auth.service.empty() && auth.service != service->signing_name) {
    return fail(service, auth_error({protocol::AuthFailure::kSignatureMismatch,
                                     "Credential should be scoped to correct service: '" +
                                         service->signing_name + "'. ",
                                     {}},
                                    coral));
  }
  if (!service) {
    fail(nullptr,
         Error::sender("UnknownOperationException",
                       target.empty()
                           ? std::string("The request has no X-Amz-Target header.")
                           : "The operation " + target + " is not known to this endpoint."));
    return;
  }
  auto op_it = service->operations.find(op_name);
  if (op_it == service->operations.end()) {
    fail(service, Error::sender("UnknownOperationException",
                                "The operation " + op_name + " is not known to this endpoint."));
    return;
  }
  const Operation& op = op_it->second;
  // json_parse: nlohmann's value and failures, at a fraction of its lexer's cost per byte.
  Json body = request.body.empty() ? Json::object() : json_parse(request.body);
  if (body.is_discarded() || !body.is_object()) {
    fail(service, Error::sender("SerializationException",
                                body.is_discarded() ? "The request body is not valid JSON."
                                                    : "The request body must be a JSON object."));
    return;
  }
  if (Status conformed = protocol::json_conform_in_place(body, *op.input); !conformed.ok()) {
    fail(service, conformed.error());
    return;
  }
  if (auto missing = protocol::first_missing_required(body, *op.input, false); !missing.empty()) {
    if (service->json_missing_is_validation) {
      fail(service, Error::sender("ValidationException",
                                  "1 validation error detected: Value null at '" + missing +
                                      "' failed to satisfy constraint: Member must not be null"));
    } else {
      fail(service, Error::sender("MissingParameter",
                                  "The request must contain the parameter " + missing + "."));
    }
    return;
  }
  const Caller caller = identify(request, nullptr, options_, verifier_.get(), auth);
  Call call;
  call.request_id = request_id;
  call.operation = op.name;
  call.region = caller.region;
  call.account_id = caller.account;
  call.access_key = caller.access_key;
  if (const std::string* host = request.header("host")) call.host = *host;
  call.path = request.path;
  auto reply = once([service, request_id, respond = std::move(respond)](Result<Json> result) {
    respond(result.ok() ? render_json_result(*service, *result, request_id)
                        : render_json_error(service, result.error(), request_id));
  });
  try {
    op.handler(call, std::move(body), reply);
  } catch (const std::exception& e) {
    logger("api")->error("{} {} failed: {}", request_id, op.name, e.what());
    reply(Error::internal("We encountered an internal error. Please try again."));
  } catch (...) {
    // Anything else thrown (not a std::exception) would otherwise end the process.
    logger("api")->error("{} {} failed with a non-standard exception", request_id, op.name);
    reply(Error::internal("We encountered an internal error. Please try again."));
  }
}

void Dispatcher::invoke(const std::string& service_name, const std::string& operation, Json input,
                        const Call& call, Reply reply) const {
  const ServiceDecl* service = nullptr;
  for (const auto& s : services_)
    if (s->name == service_name) service = s.get();
  if (!service) {
    reply(Error::sender("UnknownOperationException", "No service " + service_name + "."));
    return;
  }
  auto op_it = service->operations.find(operation);
  if (op_it == service->operations.end()) {
    reply(Error::sender("UnknownOperationException",
                        "The operation " + operation + " is not known to this endpoint."));
    return;
  }
  const Operation& op = op_it->second;
  if (!input.is_object()) input = Json::object();
  if (Status conformed = protocol::json_conform_in_place(input, *op.input); !conformed.ok()) {
    reply(conformed.error());
    return;
  }
  if (auto missing = protocol::first_missing_required(input, *op.input, false); !missing.empty()) {
    reply(Error::sender("MissingParameter",
                        "The request must contain the parameter " + missing + "."));
    return;
  }
  Reply guarded = once(std::move(reply));
  try {
    op.handler(call, std::move(input), guarded);
  } catch (const std::exception& e) {
    guarded(Error::internal(std::string("internal error: ") + e.what()));
  }
}

const ServiceDecl* Dispatcher::service_for_query(const HttpRequest& request,
                                                 const std::string& action,
                                                 const std::string& version,
                                                 const std::string& scope_service) const {
  std::vector<const ServiceDecl*> query_services;
  for (const auto& s : services_)
    if (s->speaks_query) query_services.push_back(s.get());
  if (!scope_service.empty()) {
    for (const auto* s : query_services)
      if (s->signing_name == scope_service) return s;
    // Signed for a service we do not run (SNS before it is installed, say): do not hand
    // it to another service that happens to share the action name (SNS and SQS both
    // have AddPermission and RemovePermission).
    for (const auto& s : services_)
      if (s->signing_name == scope_service) return nullptr;
    if (is_known_signing_name(scope_service)) return nullptr;
  }
  if (!version.empty()) {
    const ServiceDecl* match = nullptr;
    int count = 0;
    for (const auto* s : query_services) {
      if (s->api_version == version) {
        match = s;
        ++count;
      }
    }
    if (count == 1) return match;
  }
  // The action names one service only.
  const ServiceDecl* match = nullptr;
  int count = 0;
  for (const auto* s : query_services) {
    if (s->operations.count(action)) {
      match = s;
      ++count;
    }
  }
  if (count == 1) return match;
  // A queue URL path (/<account>/<queue>) means SQS.
  if (request.path.size() > 14 && request.path[0] == '/') {
    for (const auto* s : query_services)
      if (s->name == "sqs") return s;
  }
  return count > 0 ? match : nullptr;
}

void Dispatcher::handle_query(const HttpRequest& request, Responder respond) const {
  const std::string request_id = uuid_v4();
  auto fail = [&](const ServiceDecl* s, Error e) { respond(render_query_error(s, e, request_id)); };
  protocol::FormParams params;
  if (!request.query.empty()) {
    auto q = protocol::decode_form(request.query);
    if (!q.ok()) return fail(nullptr, q.error());
    params = std::move(*q);
  }
  if (!request.body.empty()) {
    auto b = protocol::decode_form(request.body);
    if (!b.ok()) return fail(nullptr, b.error());
    for (auto& [k, v] : *b)
      params[k] = std::move(v);
  }
  auto action_it = params.find("Action");
  const protocol::AuthOutcome auth = authenticate(request);
  if (auth.error) {
    // The error speaks the namespace of the service the request was meant for, if known.
    const ServiceDecl* service = nullptr;
    if (action_it != params.end() && !action_it->second.empty()) {
      const Caller guess = identify(request, &params, options_, verifier_.get(), auth);
      auto version_it = params.find("Version");
      service = service_for_query(request, action_it->second,
                                  version_it == params.end() ? "" : version_it->second,
                                  guess.scope_service);
    }
    return fail(service, auth_error(*auth.error, false));
  }
  if (action_it == params.end() || action_it->second.empty()) {
    return fail(nullptr,
                Error::sender("MissingAction", "The request must contain the parameter Action."));
  }
  const std::string& action = action_it->second;
  const Caller caller = identify(request, &params, options_, verifier_.get(), auth);
  auto version_it = params.find("Version");
  const ServiceDecl* service = service_for_query(
      request, action, version_it == params.end() ? "" : version_it->second, caller.scope_service);
  if (!service) {
    return fail(nullptr, Error::sender("InvalidAction", "The action " + action +
                                                            " is not valid for this web service."));
  }
  auto op_it = service->operations.find(action);
  if (op_it == service->operations.end()) {
    return fail(service,
                Error::sender("InvalidAction", "The action " + action + " is not valid for this " +
                                                   service->invalid_action_place + "."));
  }
  const Operation& op = op_it->second;
  auto input = protocol::query_to_json(params, *op.input);
  if (!input.ok()) return fail(service, input.error());
  if (auto missing = protocol::first_missing_required(*input, *op.input, true); !missing.empty()) {
    return fail(service, Error::sender("MissingParameter",
                                       "The request must contain the parameter " + missing + "."));
  }
  Call call;
  call.request_id = request_id;
  call.operation = op.name;
  call.region = caller.region;
  call.account_id = caller.account;
  call.access_key = caller.access_key;
  if (const std::string* host = request.header("host")) call.host = *host;
  call.path = request.path;
  auto reply = once([service, &op, request_id, respond = std::move(respond)](Result<Json> result) {
    respond(result.ok() ? render_query_result(*service, op, *result, request_id)
                        : render_query_error(service, result.error(), request_id));
  });
  try {
    op.handler(call, std::move(*input), reply);
  } catch (const std::exception& e) {
    logger("api")->error("{} {} failed: {}", request_id, op.name, e.what());
    reply(Error::internal("We encountered an internal error. Please try again."));
  } catch (...) {
    // Anything else thrown (not a std::exception) would otherwise end the process.
    logger("api")->error("{} {} failed with a non-standard exception", request_id, op.name);
    reply(Error::internal("We encountered an internal error. Please try again."));
  }
}

void Dispatcher::handle_admin(const HttpRequest& request, Responder respond) const {
  const std::string& p = request.path;
  const bool open_route =
      p == "/_sluice/health" || p == "/_localstack/health" ||
      (starts_with(p, "/_sluice/sns/") && p.size() > 4 && p.compare(p.size() - 4, 4, ".pem") == 0);
  if (!open_route && !options_.admin_enabled) {
    respond(json_response(404, {{"error", "AdminDisabled"},
                                {"message", "The admin routes are switched off (--admin off)."}}));
    return;
  }
  if (!open_route && !options_.admin_token.empty()) {
    const std::string* auth = request.header("authorization");
    const std::string* direct = request.header("x-sluice-admin-token");
    const bool ok =
        (auth && starts_with(*auth, "Bearer ") &&
         constant_time_equal(std::string_view(*auth).substr(7), options_.admin_token)) ||
        (direct && constant_time_equal(*direct, options_.admin_token));
    if (!ok) {
      HttpResponse r =
          json_response(401, {{"error", "Unauthorized"},
                              {"message",
                               "This admin route needs the admin token (--admin-token): send "
                               "'Authorization: Bearer TOKEN'; the sluice client reads "
                               "SLUICE_ADMIN_TOKEN."}});
      r.headers.emplace_back("WWW-Authenticate", "Bearer realm=\"sluice admin\"");
      respond(std::move(r));
      return;
    }
  }
  for (const auto& route : admin_routes_) {
    // A route ending in "/*" also serves the paths below it.
    const bool matches =
        route.path == request.path ||
        (route.path.size() > 2 && route.path.compare(route.path.size() - 2, 2, "/*") == 0 &&
         starts_with(request.path, std::string_view(route.path).substr(0, route.path.size() - 1)));
    if (matches && (route.method == "*" || route.method == request.method)) {
      // A handler that answered and then threw must not get a second response out.
      respond = respond_once(std::move(respond));
      try {
        route.handler(request, respond);
      } catch (const std::exception& e) {
        logger("api")->error("admin {} failed: {}", request.path, e.what());
        respond(json_response(500, {{"error", "internal error"}, {"message", e.what()}}));
      } catch (...) {
        logger("api")->error("admin {} failed with a non-standard exception", request.path);
        respond(json_response(500, {{"error", "internal error"}}));
      }
      return;
    }
  }
  builtin_admin(request, std::move(respond));
}

void Dispatcher::builtin_admin(const HttpRequest& request, Responder respond) const {
  const std::string& path = request.path;
  const std::string& method = request.method;
  protocol::FormParams query;
  if (!request.query.empty()) {
    auto q = protocol::decode_form(request.query);
    if (!q.ok()) {
      respond(
          json_response(400, {{"error", "MalformedQueryString"}, {"message", q.error().message}}));
      return;
    }
    query = std::move(*q);
  }
  auto is_get = method == "GET" || method == "HEAD";

  if ((path == "/_sluice/health" || path == "/_localstack/health") && is_get) {
    Json services = Json::object();
    for (const auto& c : controls_)
      services[c.name] = "running";
    Json body;
    if (path == "/_sluice/health") {
      body = {{"status", "ok"},
              {"version", options_.version},
              {"services", services},
              {"persistence", options_.persistence},
              {"clock", clock_.is_virtual() ? "virtual" : "real"}};
    } else {
      // LocalStack's shape, so wait-for-ready scripts keep working.
      body = {{"services", services}, {"edition", "community"}, {"version", options_.version}};
    }
    respond(json_response(200, body));
    return;
  }

  if ((path == "/_sluice/reset" || path == "/moto-api/reset" ||
       path == "/_localstack/state/reset") &&
      method == "POST") {
    auto it = query.find("service");
    std::vector<std::string> reset;
    for (const auto& c : controls_) {
      if (it == query.end() || it->second == c.name) {
        c.reset();
        reset.push_back(c.name);
      }
    }
    if (it != query.end() && reset.empty()) {
      respond(json_response(
          404, {{"error", "UnknownService"}, {"message", "No service named " + it->second + "."}}));
      return;
    }
    respond(json_response(200, {{"reset", reset}}));
    return;
  }

  if (path == "/_sluice/clock") {
    auto describe = [&] {
      Json body = {
          {"now_ms", clock_.now_ms()}, {"now", iso8601_ms(clock_.now_ms())}, {"mode", "real"}};
      if (clock_.is_virtual())
        body["mode"] = static_cast<VirtualClock&>(clock_).auto_advance() ? "auto" : "manual";
      return body;
    };
    if (is_get) {
      respond(json_response(200, describe()));
      return;
    }
    if (method != "POST") {
      respond(json_response(405, {{"error", "MethodNotAllowed"}}));
      return;
    }
    if (!clock_.is_virtual()) {
      respond(json_response(409, {{"error", "ClockNotVirtual"},
                                  {"message", "Start sluice with --clock virtual to move time."}}));
      return;
    }
    auto& vclock = static_cast<VirtualClock&>(clock_);
    Json req = Json::object();
    if (!request.body.empty()) {
      req = Json::parse(request.body, nullptr, false);
      if (req.is_discarded() || !req.is_object()) {
        respond(json_response(
            400, {{"error", "InvalidRequest"}, {"message", "The body must be a JSON object."}}));
        return;
      }
    }
    for (const auto& [k, v] : query)
      req[k] = v;
    auto bad = [&](const std::string& msg) {
      respond(json_response(400, {{"error", "InvalidRequest"}, {"message", msg}}));
    };
    // Validate everything before changing anything.
    TimeMs advance = 0;
    std::optional<TimeMs> set_to;
    std::optional<bool> auto_mode;
    // Integer "advance" is seconds; anything that would overflow 64-bit milliseconds is
    // refused here rather than wrapping the clock to some arbitrary (even past) time.
    constexpr TimeMs kMaxAdvanceSeconds = std::numeric_limits<TimeMs>::max() / 1000;
    if (auto it = req.find("advance"); it != req.end()) {
      if (it->is_number_unsigned()) {
        advance = it->get<std::uint64_t>() <= static_cast<std::uint64_t>(kMaxAdvanceSeconds)
                      ? it->get<TimeMs>() * 1000
                      : -1;
      } else if (it->is_number_integer()) {
        advance = it->get<TimeMs>() >= 0 ? it->get<TimeMs>() * 1000 : -1;
      } else {
        advance = it->is_string() ? parse_duration_ms(*it) : -1;
      }
      if (advance < 0) return bad("advance must be a duration such as 90s, 15m, 2h, 3d or 1y.");
    }
    if (auto it = req.find("advance_ms"); it != req.end()) {
      if (!it->is_number_integer() || it->get<TimeMs>() < 0 ||
          __builtin_add_overflow(advance, it->get<TimeMs>(), &advance))
        return bad("advance_ms must be a non-negative integer.");
    }
    if (auto it = req.find("set"); it != req.end()) {
      if (it->is_number_integer()) {
        set_to = it->get<TimeMs>();
      } else if (it->is_string()) {
        set_to = parse_iso8601(it->get<std::string>());
      }
      if (!set_to) return bad("set must be epoch milliseconds or an ISO-8601 time.");
      if (*set_to < clock_.now_ms()) return bad("Time cannot move backwards.");
    }
    // ISO-8601 as AWS and the SDKs write it has four-digit years.
    constexpr TimeMs kLatestTime = 253402300799999;  // 9999-12-31T23:59:59.999Z
    TimeMs target = 0;
    if (__builtin_add_overflow(set_to.value_or(clock_.now_ms()), advance, &target) ||
        target > kLatestTime)
      return bad("The clock cannot move past 9999-12-31T23:59:59.999Z.");
    if (auto it = req.find("mode"); it != req.end()) {
      if (*it == "auto") {
        auto_mode = true;
      } else if (*it == "manual") {
        auto_mode = false;
      } else {
        return bad("mode must be manual or auto.");
      }
    }
    if (set_to) vclock.set_ms(*set_to);
    if (advance > 0) vclock.advance_ms(advance);
    if (auto_mode) vclock.set_auto_advance(*auto_mode);
    respond(json_response(200, describe()));
    return;
  }

  respond(json_response(404, {{"error", "NotFound"}, {"message", "No admin route " + path + "."}}));
}

}  // namespace sluice::api
