#pragma once
// What every engine is built with: time, timers and the store. Plain C++, no HTTP.
#include <cstddef>
#include <string>

#include "sluice/common/clock.hpp"
#include "sluice/common/timer.hpp"
#include "sluice/store/store.hpp"

namespace sluice::services {

struct Runtime {
  Clock& clock;
  TimerService& timers;
  store::Store& store;
  std::string default_region = "us-east-1";
  std::string default_account = "000000000000";
  std::string url_host;  // fixed host[:port] for URLs handed out; empty: the request's Host
  std::string lambda_endpoint = "";        // Lambda Invoke API base URL; empty: none configured
  std::string sns_signing_cert_base = "";  // scheme://host of SNS SigningCertURLs; empty: request's
  std::string sfn_mock_config = "";        // Step Functions Local mock config file; empty: none
  std::string sqs_endpoint_strategy = "off";  // queue URL form: off, path, standard, domain
  // Process protection: receives parked in long polls at once (more get OverLimit).
  std::size_t max_long_polls = 10000;
  // Standard executions running at once per account and region (more get
  // ExecutionLimitExceeded); AWS's quota for open executions is 1,000,000.
  std::size_t max_running_executions = 1000000;
};

}  // namespace sluice::services
