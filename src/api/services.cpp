#include "sluice/api/services.hpp"

namespace sluice::api {

Result<std::unique_ptr<ServiceSet>> install_services(Dispatcher& dispatcher,
                                                     services::Runtime& runtime) {
  auto set = std::make_unique<ServiceSet>();
  (void)dispatcher;
  (void)runtime;
  return set;
}

}  // namespace sluice::api
