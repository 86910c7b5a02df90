#pragma once
// An SQS engine on a virtual clock with a null store, and helpers that turn the
// engine's asynchronous receive into a value.
#include <gtest/gtest.h>

#include <chrono>
#include <future>
#include <memory>

#include "sluice/common/clock.hpp"
#include "sluice/common/timer.hpp"
#include "sluice/services/runtime.hpp"
#include "sluice/services/sqs/engine.hpp"
#include "sluice/store/store.hpp"

namespace sluice::services::sqs::testing {

constexpr TimeMs kStart = 1'700'000'000'000;

class SqsEngineTest : public ::testing::Test {
 protected:
  explicit SqsEngineTest(store::Store* store = nullptr)
      : clock_(kStart),
        timers_(clock_),
        store_(store ? store : &null_store_),
        runtime_{clock_, timers_, *store_, "us-east-1", "000000000000", ""},
        engine_(SqsEngine::create(runtime_)) {}

  ~SqsEngineTest() override { timers_.stop(); }

  QueueId queue(const std::string& name, AttributeMap attrs = {}) {
    QueueId id{"us-east-1", "000000000000", name};
    auto s = engine_->create_queue(id, attrs, {});
    EXPECT_TRUE(s.ok()) << (s.ok() ? "" : s.error().message);
    return id;
  }

  SendResult send(const QueueId& q, const std::string& body, const std::string& group = "",
                  const std::string& dedup = "") {
    SendRequest r;
    r.body = body;
    r.group_id = group;
    r.deduplication_id = dedup;
    r.sender_id = "AKIDTEST";
    auto res = engine_->send_message(q, std::move(r));
    EXPECT_TRUE(res.ok()) << (res.ok() ? "" : res.error().message);
    return res.ok() ? *res : SendResult{};
  }

  // Starts a receive and returns its future (long polls complete later).
  std::future<Result<std::vector<ReceivedMessage>>> receive_async(const QueueId& q,
                                                                  ReceiveRequest req) {
    auto promise = std::make_shared<std::promise<Result<std::vector<ReceivedMessage>>>>();
    auto future = promise->get_future();
    engine_->receive_message(q, std::move(req), [promise](Result<std::vector<ReceivedMessage>> r) {
      promise->set_value(std::move(r));
    });
    return future;
  }

  // A receive that must answer at once (WaitTimeSeconds 0 unless given).
  std::vector<ReceivedMessage> receive(const QueueId& q, int max = 10,
                                       std::optional<int> visibility = std::nullopt) {
    ReceiveRequest req;
    req.max_messages = max;
    req.visibility_timeout = visibility;
    req.wait_seconds = 0;
    req.attribute_names = {"All"};
    req.message_attribute_names = {"All"};
    auto f = receive_async(q, std::move(req));
    EXPECT_EQ(f.wait_for(std::chrono::seconds(2)), std::future_status::ready);
    auto r = f.get();
    EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
    return r.ok() ? *r : std::vector<ReceivedMessage>{};
  }

  std::string attribute(const QueueId& q, const std::string& name) {
    auto a = engine_->get_queue_attributes(q, {name});
    EXPECT_TRUE(a.ok());
    return a.ok() && a->count(name) ? a->at(name) : std::string("<absent>");
  }

  void advance_s(TimeMs seconds) { clock_.advance_ms(seconds * 1000); }

  VirtualClock clock_;
  TimerService timers_;
  store::NullStore null_store_;
  store::Store* store_;
  Runtime runtime_;
  std::shared_ptr<SqsEngine> engine_;
};

template <typename F>
bool eventually(F&& condition, std::chrono::milliseconds limit = std::chrono::milliseconds(2000)) {
  const auto until = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < until) {
    if (condition()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  return condition();
}

}  // namespace sluice::services::sqs::testing
