#pragma once
// A small blocking HTTP/1.1 client on POSIX sockets, run by a few worker threads, for
// SNS deliveries to http:// endpoints and the Lambda endpoint. No Asio (the services
// layer stays free of it). https:// goes through OpenSSL without certificate checks.
#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>
#include <vector>

#include "sluice/services/sns/ports.hpp"

namespace sluice::services::sns {

class PosixHttpClient final : public HttpClient {
 public:
  explicit PosixHttpClient(std::size_t threads = 4);
  ~PosixHttpClient() override;
  PosixHttpClient(const PosixHttpClient&) = delete;
  PosixHttpClient& operator=(const PosixHttpClient&) = delete;

  void post(HttpOutRequest request, std::function<void(HttpOutResponse)> done) override;
  void stop();

  // One request, synchronously (exposed for tests).
  static HttpOutResponse perform(const HttpOutRequest& request);

 private:
  void run();
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::pair<HttpOutRequest, std::function<void(HttpOutResponse)>>> queue_;
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace sluice::services::sns
