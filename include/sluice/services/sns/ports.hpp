#pragma once
// What the SNS engine needs from the world, as abstract interfaces so that the engine
// stays plain C++ (no Asio, no HTTP server types, no SQS internals): a queue sink for
// SQS subscriptions and an HTTP client for http/https and Lambda deliveries.
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "sluice/common/result.hpp"
#include "sluice/services/sns/types.hpp"

namespace sluice::services::sns {

// One message for an SQS queue, as SNS hands it over.
struct QueueMessage {
  std::string body;
  MessageAttributes attributes;  // raw delivery only
  std::string group_id;          // FIFO queues
  std::string deduplication_id;  // FIFO queues
  std::string sender_id;         // SenderId the queue records
};

// Why a delivery to a queue failed. `client_error` is AWS's "client-side error" (the
// queue is gone, or cannot take this message): SNS does not retry those, it sends them
// to the subscription's dead-letter queue at once.
struct QueueDeliveryError {
  bool client_error = true;
  std::string message;
};

class QueueDelivery {
 public:
  virtual ~QueueDelivery() = default;
  // Synchronous: returns once the queue holds the message (or failed).
  virtual Result<Unit> deliver(const std::string& queue_arn, const QueueMessage& message) = 0;
  // True when `queue_arn` names an existing queue (used to validate redrive targets).
  virtual bool queue_exists(const std::string& queue_arn) = 0;
  virtual bool queue_is_fifo(const std::string& queue_arn) {
    return queue_arn.size() > 5 && queue_arn.compare(queue_arn.size() - 5, 5, ".fifo") == 0;
  }
};

struct HttpOutRequest {
  std::string method = "POST";
  std::string url;  // http://host[:port]/path?query
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  int timeout_ms = 15000;  // AWS gives up on an HTTP endpoint after about 15 s
};

struct HttpOutResponse {
  int status = 0;  // 0: no response (connection refused, timeout, bad URL)
  std::string body;
  std::string error;  // why there was no response
};

// Asynchronous HTTP client. `done` runs on a client thread, never inline in post().
class HttpClient {
 public:
  virtual ~HttpClient() = default;
  virtual void post(HttpOutRequest request, std::function<void(HttpOutResponse)> done) = 0;
};

}  // namespace sluice::services::sns
