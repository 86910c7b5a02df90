#pragma once
// SNS on the wire (AWS Query only): one declaration per operation, the inspection and
// certificate routes, and the wiring of the engine to SQS and the network.
#include <memory>
#include <string>

#include "sluice/api/dispatcher.hpp"
#include "sluice/api/service.hpp"
#include "sluice/services/runtime.hpp"
#include "sluice/services/sns/engine.hpp"

namespace sluice::services::sqs {
class SqsEngine;
}

namespace sluice::api::sns {

struct SnsWiring {
  // Where SQS subscriptions deliver (the SQS engine behind an adapter); may be null.
  std::shared_ptr<services::sns::QueueDelivery> queues;
  // Engine options (signing certificate URL base, Lambda endpoint).
  services::sns::SnsOptions options;
};

// Builds the engine, restores its persisted state, and registers the "sns" service,
// its admin routes and its reset control with the dispatcher.
Result<std::shared_ptr<services::sns::SnsEngine>> install_sns(Dispatcher& dispatcher,
                                                              services::Runtime& runtime,
                                                              SnsWiring wiring = {});

// The usual wiring: SQS subscriptions deliver into `sqs`.
Result<std::shared_ptr<services::sns::SnsEngine>> install_sns(
    Dispatcher& dispatcher, services::Runtime& runtime,
    std::shared_ptr<services::sqs::SqsEngine> sqs);

// The QueueDelivery sink on top of the SQS engine.
std::shared_ptr<services::sns::QueueDelivery> make_sqs_delivery(
    std::shared_ptr<services::sqs::SqsEngine> sqs);

// The wire declaration of SNS's operations, bound to `engine`.
std::shared_ptr<const ServiceDecl> make_sns_service(
    std::shared_ptr<services::sns::SnsEngine> engine, const services::Runtime& runtime);

}  // namespace sluice::api::sns
