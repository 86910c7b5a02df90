#pragma once
// Outbound HTTP for the Step Functions engine (Lambda forwarding, http:invoke).
#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>
#include <vector>

#include "sluice/services/sfn/ports.hpp"

namespace sluice::api::sfn {

// One request, synchronously: status 0 and `error` when there is no response.
services::sfn::HttpReply perform_http(const services::sfn::HttpCall& call);

class PosixHttpPort final : public services::sfn::HttpPort {
 public:
  explicit PosixHttpPort(std::size_t threads = 4);
  ~PosixHttpPort() override;
  PosixHttpPort(const PosixHttpPort&) = delete;
  PosixHttpPort& operator=(const PosixHttpPort&) = delete;

  void send(services::sfn::HttpCall call,
            std::function<void(services::sfn::HttpReply)> done) override;
  void stop();

 private:
  void run();
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::pair<services::sfn::HttpCall, std::function<void(services::sfn::HttpReply)>>>
      queue_;
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace sluice::api::sfn
