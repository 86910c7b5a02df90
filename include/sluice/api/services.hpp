#pragma once
// Builds every service's engine and wire declaration and plugs them into a Dispatcher.
#include <memory>
#include <vector>

#include "sluice/api/dispatcher.hpp"
#include "sluice/services/runtime.hpp"

namespace sluice::api {

// Owns the engines for as long as the server runs.
struct ServiceSet {
  std::vector<std::shared_ptr<void>> engines;
};

// Restores persisted state (from runtime.store) before returning.
Result<std::unique_ptr<ServiceSet>> install_services(Dispatcher& dispatcher,
                                                     services::Runtime& runtime);

}  // namespace sluice::api
