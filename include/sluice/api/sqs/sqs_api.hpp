#pragma once
// SQS on the wire: one declaration per operation (served over AWS Query and AWS JSON
// 1.0), queue URL handling, and the inspection routes.
#include <memory>
#include <string>

#include "sluice/api/dispatcher.hpp"
#include "sluice/api/service.hpp"
#include "sluice/services/runtime.hpp"
#include "sluice/services/sqs/engine.hpp"

namespace sluice::api::sqs {

// Builds the engine, restores its persisted state, and registers the "sqs" service,
// its admin routes and its reset control with the dispatcher.
Result<std::shared_ptr<services::sqs::SqsEngine>> install_sqs(Dispatcher& dispatcher,
                                                              services::Runtime& runtime);

// The wire declaration of SQS's operations, bound to `engine`.
std::shared_ptr<const ServiceDecl> make_sqs_service(
    std::shared_ptr<services::sqs::SqsEngine> engine);

// Any AWS queue URL shape -> queue identity: account and name from the path, region from
// the host when it names one (sqs.<region>.amazonaws.com, <region>.queue.amazonaws.com,
// sqs.<region>.localhost.localstack.cloud), else the caller's region.
Result<services::sqs::QueueId> queue_from_url(const std::string& url,
                                              const std::string& default_region);

// The URL handed out for a queue. host = url_host when configured, else the request's.
// `strategy` is LocalStack's SQS_ENDPOINT_STRATEGY: "off" (or empty, "dynamic")
// http://<host>/<account>/<name>; "path" http://<host>/queue/<region>/<account>/<name>;
// "standard" http://sqs.<region>.<host>/<account>/<name>; "domain"
// http://<region>.queue.<host>/<account>/<name>. Under standard and domain a loopback host
// (localhost, 127.0.0.1) becomes localhost.localstack.cloud, whose subdomains all resolve
// to 127.0.0.1, as LocalStack's URLs do.
std::string queue_url(const services::sqs::QueueId& id, const std::string& scheme,
                      const std::string& request_host, const std::string& url_host,
                      const std::string& strategy = "off");

}  // namespace sluice::api::sqs
