#pragma once
// Detects service and protocol once per request, decodes the input from the
// operation's declaration, calls the handler and renders its result or error.
#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "sluice/api/http_types.hpp"
#include "sluice/api/service.hpp"
#include "sluice/common/clock.hpp"
#include "sluice/protocol/sigv4_verify.hpp"

namespace sluice::api {

struct DispatcherOptions {
  std::string default_region = "us-east-1";
  std::string default_account = "000000000000";
  std::string version;
  bool persistence = false;
  // --auth sigv4: every request but the admin routes must be signed by one of access_keys.
  bool verify_signatures = false;
  // Configured keys; a request by one of them acts in its account (with or without
  // verification), others fall back to the 12-digit-key rule.
  std::vector<protocol::AccessKey> access_keys{};
  // The admin surface (/_sluice, /_localstack, /_aws, /moto-api). Health and the SNS
  // signing certificate stay open whatever these say: health checks and message
  // validators need them.
  bool admin_enabled = true;  // --admin off: every other admin route answers 404
  std::string admin_token{};  // --admin-token: required as "Authorization: Bearer TOKEN"
};

// What the admin surface can reach without knowing the services' internals.
struct ServiceControl {
  std::string name;
  std::function<void()> reset;  // drop all state
};

class Dispatcher {
 public:
  Dispatcher(DispatcherOptions options, Clock& clock);

  void add_service(std::shared_ptr<const ServiceDecl> decl);
  void add_control(ServiceControl control);
  // `path` is exact (no query string), or ends in "/*" to serve the paths below it too;
  // method "*" matches any.
  void add_admin_route(std::string method, std::string path, AdminHandler handler);

  // Entry point from the HTTP layer. `respond` may be called on any thread.
  void handle(HttpRequest request, Responder respond) const;

  // One operation called in-process by the server itself (init files): no HTTP and no
  // signature, but the input is checked against the operation's declaration as a JSON
  // request's is. `service` is a ServiceDecl name ("sqs", "sns", "states"); `reply` may be
  // called on any thread.
  void invoke(const std::string& service, const std::string& operation, Json input,
              const Call& call, Reply reply) const;

  const DispatcherOptions& options() const { return options_; }
  std::uint64_t requests_served() const { return served_.load(std::memory_order_relaxed); }

 private:
  struct AdminRoute {
    std::string method;
    std::string path;
    AdminHandler handler;
  };
  void handle_admin(const HttpRequest& request, Responder respond) const;
  void handle_json(const HttpRequest& request, const std::string& target, Responder respond) const;
  void handle_query(const HttpRequest& request, Responder respond) const;
  const ServiceDecl* service_for_query(const HttpRequest& request, const std::string& action,
                                       const std::string& version,
                                       const std::string& scope_service) const;
  void builtin_admin(const HttpRequest& request, Responder respond) const;
  // The signature check of --auth sigv4; an outcome without error when it is off.
  protocol::AuthOutcome authenticate(const HttpRequest& request) const;

  DispatcherOptions options_;
  Clock& clock_;
  std::vector<std::shared_ptr<const ServiceDecl>> services_;
  std::vector<ServiceControl> controls_;
  std::vector<AdminRoute> admin_routes_;
  std::shared_ptr<const protocol::SigV4Verifier> verifier_;  // null without access keys
  mutable std::atomic<std::uint64_t> served_{0};
};

// Rendering, exposed for the codec golden tests.
HttpResponse render_query_result(const ServiceDecl& service, const Operation& op,
                                 const Json& result, const std::string& request_id);
HttpResponse render_query_error(const ServiceDecl* service, const Error& error,
                                const std::string& request_id);
HttpResponse render_json_result(const ServiceDecl& service, const Json& result,
                                const std::string& request_id);
HttpResponse render_json_error(const ServiceDecl* service, const Error& error,
                               const std::string& request_id);

}  // namespace sluice::api
