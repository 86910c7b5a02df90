#include "sluice/api/services.hpp"

#include "sluice/api/sqs/sqs_api.hpp"

namespace sluice::api {

Result<std::unique_ptr<ServiceSet>> install_services(Dispatcher& dispatcher,
                                                     services::Runtime& runtime) {
  auto set = std::make_unique<ServiceSet>();
  auto sqs = sqs::install_sqs(dispatcher, runtime);
  if (!sqs.ok()) return sqs.error();
  set->engines.push_back(*sqs);
  return set;
}

}  // namespace sluice::api
