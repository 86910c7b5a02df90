#pragma once
// Test doubles for the SNS engine's ports: a recording queue sink, a scripted HTTP
// client and an in-memory persistent store; plus a runtime on a virtual clock.
#include <gtest/gtest.h>

#include <chrono>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "sluice/common/timer.hpp"
#include "sluice/services/runtime.hpp"
#include "sluice/services/sns/engine.hpp"

namespace sluice::services::sns::testing {

class FakeQueues : public QueueDelivery {
 public:
  Status deliver(const std::string& arn, const QueueMessage& m) override {
    std::lock_guard lock(mu);
    if (!existing.count(arn)) return Error::sender("QueueDoesNotExist", "no queue " + arn);
    delivered[arn].push_back(m);
    return ok_status();
  }
  bool queue_exists(const std::string& arn) override {
    std::lock_guard lock(mu);
    return existing.count(arn) > 0;
  }
  std::vector<QueueMessage> messages(const std::string& arn) {
    std::lock_guard lock(mu);
    return delivered[arn];
  }
  std::mutex mu;
  std::set<std::string> existing;
  std::map<std::string, std::vector<QueueMessage>> delivered;
};

// Answers every request with `status` (inline: the engine allows it).
class FakeHttp : public HttpClient {
 public:
  void post(HttpOutRequest request, std::function<void(HttpOutResponse)> done) override {
    HttpOutResponse r;
    {
      std::lock_guard lock(mu);
      requests.push_back(request);
      r.status = status;
    }
    done(r);
  }
  std::size_t count() {
    std::lock_guard lock(mu);
    return requests.size();
  }
  HttpOutRequest at(std::size_t i) {
    std::lock_guard lock(mu);
    return requests.at(i);
  }
  std::mutex mu;
  std::vector<HttpOutRequest> requests;
  int status = 200;
};

class MemoryStore : public store::Store {
 public:
  void put(std::string_view kind, std::string key, std::string value) override {
    std::lock_guard lock(mu);
    data[std::string(kind)][key] = value;
  }
  void erase(std::string_view kind, std::string key) override {
    std::lock_guard lock(mu);
    data[std::string(kind)].erase(key);
  }
  void erase_prefix(std::string_view kind, std::string prefix) override {
    std::lock_guard lock(mu);
    auto& m = data[std::string(kind)];
    for (auto it = m.begin(); it != m.end();)
      it = it->first.rfind(prefix, 0) == 0 ? m.erase(it) : std::next(it);
  }
  void after_durable(std::function<void(Status)> done) override { done(ok_status()); }
  Status scan(std::string_view kind, const ScanFn& fn) override {
    std::lock_guard lock(mu);
    for (const auto& [k, v] : data[std::string(kind)])
      fn(k, v);
    return ok_status();
  }
  void flush() override {}
  bool persistent() const override { return true; }
  std::mutex mu;
  std::map<std::string, std::map<std::string, std::string>> data;
};

// Waits (real time, bounded) until `pred` holds.
template <typename Pred>
bool eventually(Pred pred, int timeout_ms = 3000) {
  const auto end = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (std::chrono::steady_clock::now() < end) {
    if (pred()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  return pred();
}

inline const CallContext kCtx{"us-east-1", "000000000000", "http://localhost:4566"};

}  // namespace sluice::services::sns::testing
