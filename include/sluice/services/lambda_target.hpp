#pragma once
// Where a Lambda function is invoked on a Lambda Invoke API endpoint. Shared by SNS
// (lambda subscriptions) and Step Functions (Lambda tasks).
#include <string>

namespace sluice::services {

// `base` is the configured endpoint (e.g. http://127.0.0.1:3001). `function` is a name, a
// partial ARN or a function ARN (arn:aws:lambda:REGION:ACCOUNT:function:NAME[:QUALIFIER]);
// an ARN is sent as its name and qualifier, since local runtimes such as `sam local
// start-lambda` know functions only by name (Lambda itself takes either).
// `qualifier`, when not empty, overrides the ARN's.
std::string lambda_invoke_url(const std::string& base, const std::string& function,
                              std::string qualifier = "");

}  // namespace sluice::services
