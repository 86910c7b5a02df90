#pragma once
// Step Functions on the wire (AWS JSON 1.0, X-Amz-Target AWSStepFunctions.*): one
// declaration per operation, the model's member constraints, and the wiring of the
// engine to SQS, SNS and an HTTP client.
#include <memory>
#include <string>

#include "sluice/api/dispatcher.hpp"
#include "sluice/api/service.hpp"
#include "sluice/services/runtime.hpp"
#include "sluice/services/sfn/engine.hpp"

namespace sluice::services::sqs {
class SqsEngine;
}
namespace sluice::services::sns {
class SnsEngine;
}

namespace sluice::api::sfn {

struct SfnWiring {
  std::shared_ptr<services::sqs::SqsEngine> sqs;  // may be null
  std::shared_ptr<services::sns::SnsEngine> sns;  // may be null
  std::string lambda_endpoint;                    // Lambda Invoke API base URL; empty: none
  std::string mock_config_file;                   // Step Functions Local mock config; empty: none
};

// Builds the engine, restores its persisted state (resuming running executions), and
// registers the "states" service and the "stepfunctions" reset control.
Result<std::shared_ptr<services::sfn::SfnEngine>> install_sfn(Dispatcher& dispatcher,
                                                              services::Runtime& runtime,
                                                              SfnWiring wiring = {});

// The wire declaration of Step Functions' operations, bound to `engine`.
std::shared_ptr<const ServiceDecl> make_sfn_service(
    std::shared_ptr<services::sfn::SfnEngine> engine);

}  // namespace sluice::api::sfn
