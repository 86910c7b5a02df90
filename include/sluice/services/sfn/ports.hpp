#pragma once
// What the Step Functions engine needs from the world, as abstract interfaces so that
// the engine stays plain C++: the AWS services its Task states call in-process (SQS,
// SNS) and an outbound HTTP client (Lambda Invoke API forwarding, http:invoke). The API
// layer adapts them to the other engines and to a real client.
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "sluice/common/result.hpp"
#include "sluice/services/sfn/types.hpp"
#include "sluice/services/sfn/value.hpp"

namespace sluice::services::sfn {

// An AWS API reachable in-process. `params` and the result use the API's JSON member
// names (as the AWS JSON protocol spells them, e.g. {"QueueUrl": ..., "MessageBody":
// ...}); failures carry the API's error code and message. `done` may run on any thread,
// before call() returns or later.
class ServicePort {
 public:
  virtual ~ServicePort() = default;
  virtual void call(const std::string& operation, const Json& params, const Scope& scope,
                    std::function<void(Result<Json>)> done) = 0;
  // The AWS Query code of an error code (SQS's "QueueDoesNotExist" is
  // "AWS.SimpleQueueService.NonExistentQueue"); optimized integrations report it.
  virtual std::string query_code(const std::string& code) const { return code; }
};

struct HttpCall {
  std::string method = "POST";
  std::string url;  // http://host[:port]/path?query
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  int timeout_ms = 60000;
};

struct HttpReply {
  int status = 0;  // 0: no response (connection refused, timeout, bad URL)
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  std::string error;  // why there was no response
};

// Asynchronous HTTP client; `done` runs on a client thread.
class HttpPort {
 public:
  virtual ~HttpPort() = default;
  virtual void send(HttpCall call, std::function<void(HttpReply)> done) = 0;
};

}  // namespace sluice::services::sfn
