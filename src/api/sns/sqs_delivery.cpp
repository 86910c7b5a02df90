// SNS -> SQS: the engine's QueueDelivery sink implemented on the SQS engine's C++ API
// (DESIGN.md: engines talk through each other's interfaces, never through HTTP).
#include "sluice/api/sns/sns_api.hpp"
#include "sluice/services/sqs/engine.hpp"

namespace sluice::api::sns {

namespace {

class SqsQueueDelivery final : public services::sns::QueueDelivery {
 public:
  explicit SqsQueueDelivery(std::shared_ptr<services::sqs::SqsEngine> sqs) : sqs_(std::move(sqs)) {}

  Status deliver(const std::string& queue_arn,
                 const services::sns::QueueMessage& message) override {
    auto id = services::sqs::parse_queue_arn(queue_arn);
    if (!id)
      return Error::sender("InvalidParameterException", "Invalid SQS queue ARN " + queue_arn);
    services::sqs::SendRequest request;
    request.body = message.body;
    request.group_id = message.group_id;
    request.deduplication_id = message.deduplication_id;
    request.sender_id = message.sender_id;
    for (const auto& [name, a] : message.attributes)
      request.attributes[name] = {a.data_type, a.string_value, a.binary_value};
    auto sent = sqs_->send_message(*id, std::move(request));
    if (!sent.ok()) return std::move(sent).error();
    return ok_status();
  }

  bool queue_exists(const std::string& queue_arn) override {
    auto id = services::sqs::parse_queue_arn(queue_arn);
    return id && sqs_->queue_exists(*id).ok();
  }

 private:
  std::shared_ptr<services::sqs::SqsEngine> sqs_;
};

}  // namespace

std::shared_ptr<services::sns::QueueDelivery> make_sqs_delivery(
    std::shared_ptr<services::sqs::SqsEngine> sqs) {
  return std::make_shared<SqsQueueDelivery>(std::move(sqs));
}

Result<std::shared_ptr<services::sns::SnsEngine>> install_sns(
    Dispatcher& dispatcher, services::Runtime& runtime,
    std::shared_ptr<services::sqs::SqsEngine> sqs) {
  SnsWiring wiring;
  wiring.queues = make_sqs_delivery(std::move(sqs));
  wiring.options.lambda_endpoint = runtime.lambda_endpoint;
  wiring.options.signing_cert_url_base = runtime.sns_signing_cert_base;
  return install_sns(dispatcher, runtime, std::move(wiring));
}

}  // namespace sluice::api::sns
