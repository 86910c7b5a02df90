// Engine lifecycle, the engine thread, ARNs and lookups.
#include <future>

#include "internal.hpp"
#include "sluice/common/encoding.hpp"

namespace sluice::services::sfn {

// ---- Executor ----

Executor::Executor() : thread_([this] { run(); }) {}

Executor::~Executor() {
  stop();
}

void Executor::post(std::function<void()> fn) {
  std::lock_guard lock(mu_);
  if (stopping_) return;
  queue_.push_back(std::move(fn));
  cv_.notify_one();
}

void Executor::stop() {
  {
    std::lock_guard lock(mu_);
    if (stopping_ && !thread_.joinable()) return;
    stopping_ = true;
    cv_.notify_all();
  }
  if (thread_.joinable() && !on_thread()) thread_.join();
}

void Executor::run() {
  std::unique_lock lock(mu_);
  while (true) {
    cv_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
    if (stopping_) return;
    auto fn = std::move(queue_.front());
    queue_.pop_front();
    lock.unlock();
    {
      std::lock_guard turn(turn_mu_);
      try {
        fn();
      } catch (const std::exception& ex) {
        logger("sfn")->error("engine task failed: {}", ex.what());
      }
    }
    lock.lock();
  }
}

std::unique_lock<std::mutex> Executor::turn() {
  std::unique_lock turn(turn_mu_);
  std::lock_guard lock(mu_);
  if (stopping_) turn.unlock();
  return turn;
}

// ---- ARNs and names ----

Error invalid_arn(const std::string& why) {
  return Error::sender("InvalidArn", "Invalid Arn: '" + why + "'");
}

Result<ParsedArn> parse_arn(const std::string& arn) {
  if (arn.rfind("arn:", 0) != 0) return invalid_arn("Invalid ARN prefix: " + arn);
  std::vector<std::string> parts;
  std::size_t start = 0;
  while (true) {
    auto colon = arn.find(':', start);
    parts.push_back(
        arn.substr(start, colon == std::string::npos ? std::string::npos : colon - start));
    if (colon == std::string::npos) break;
    start = colon + 1;
  }
  if (parts.size() < 7 || parts[2] != "states")
    return invalid_arn("Resource type not valid in this context: " + arn);
  ParsedArn p;
  p.partition = parts[1];
  p.service = parts[2];
  p.region = parts[3];
  p.account = parts[4];
  p.resource_type = parts[5];
  p.parts.assign(parts.begin() + 6, parts.end());
  return p;
}

bool valid_resource_name(const std::string& name) {
  // AWS: no whitespace, brackets, wildcards, special characters or control characters.
  if (name.empty() || name.size() > 80) return false;
  static const std::string kForbidden = " <>{}[]?*\"#%\\^|~`$&,;:/";
  for (unsigned char c : name) {
    if (c < 0x20 || c == 0x7f) return false;
    if (kForbidden.find(static_cast<char>(c)) != std::string::npos) return false;
  }
  // C1 control characters U+0080..U+009F arrive as 0xC2 0x80..0x9F in UTF-8.
  for (std::size_t i = 0; i + 1 < name.size(); ++i)
    if (static_cast<unsigned char>(name[i]) == 0xC2 &&
        static_cast<unsigned char>(name[i + 1]) >= 0x80 &&
        static_cast<unsigned char>(name[i + 1]) <= 0x9F)
      return false;
  if (!is_valid_utf8(name)) return false;
  return true;
}

// ---- Engine ----

Engine::Engine(Runtime& runtime, EngineOptions opts)
    : rt(runtime),
      options(std::move(opts)),
      executor(std::make_shared<Executor>()),
      log(logger("sfn")) {}

Engine::~Engine() {
  executor->stop();
  // Timers may still be pending; their callbacks hold only a weak reference to the
  // executor, which no longer runs anything.
}

void Engine::post(std::function<void()> fn) {
  executor->post(std::move(fn));
}

TimerService::TimerId Engine::at(TimeMs deadline, std::function<void()> fn, bool passive) {
  std::weak_ptr<Executor> weak = executor;
  if (rt.clock.is_virtual()) {
    fn = [this, deadline, fn = std::move(fn)] {
      turn_time = std::min(deadline, rt.clock.now_ms());
      // Reset even if the work throws (the executor logs and goes on).
      struct Reset {
        TimeMs& t;
        ~Reset() { t = 0; }
      } reset{turn_time};
      fn();
    };
  }
  return rt.timers.schedule_at(
      deadline,
      [weak, fn = std::move(fn)]() mutable {
        if (auto ex = weak.lock()) ex->post(std::move(fn));
      },
      passive);
}

void Engine::cancel(TimerService::TimerId& id) {
  if (id != 0) rt.timers.cancel(id);
  id = 0;
}

void Engine::reply_durable(DoneStatus done, Status result) {
  flush_dirty();
  auto shared = std::make_shared<Status>(std::move(result));
  rt.store.after_durable([done = std::move(done), shared](Status s) mutable {
    if (!s.ok()) {
      done(Error::unavailable("The change could not be made durable: " + s.error().message));
      return;
    }
    done(std::move(*shared));
  });
}

void Engine::flush_dirty() {
  if (dirty.empty()) return;
  auto names = std::move(dirty);
  dirty.clear();
  for (const auto& arn : names)
    if (auto* e = execution(arn)) persist_execution(*e);
}

Result<MachineRec*> Engine::find_machine(const std::string& arn) {
  auto p = parse_arn(arn);
  if (!p.ok()) return std::move(p).error();
  if (p->resource_type != "stateMachine" || p->parts.size() != 1)
    return invalid_arn("Resource type not valid in this context: " + arn);
  auto it = machines.find(arn);
  if (it == machines.end())
    return Error::sender("StateMachineDoesNotExist", "State Machine Does Not Exist: '" + arn + "'");
  return &it->second;
}

Result<ExecutionRec*> Engine::find_execution(const std::string& arn) {
  auto p = parse_arn(arn);
  if (!p.ok()) return std::move(p).error();
  if (p->resource_type != "execution" && p->resource_type != "express")
    return invalid_arn("Resource type not valid in this context: " + arn);
  auto it = executions.find(arn);
  // EXPRESS executions are not kept once closed (map runs' children aside); AWS refuses
  // their ARNs in Describe/History/Stop whatever their state.
  if (it == executions.end() && p->resource_type == "express")
    return invalid_arn("Resource type not valid in this context: express");
  if (it == executions.end())
    return Error::sender("ExecutionDoesNotExist", "Execution Does Not Exist: '" + arn + "'");
  return it->second.get();
}

ExecutionRec* Engine::execution(const std::string& arn) {
  auto it = executions.find(arn);
  return it == executions.end() ? nullptr : it->second.get();
}

Fiber* Engine::fiber(ExecutionRec& e, std::uint64_t id) {
  auto it = e.fibers.find(id);
  return it == e.fibers.end() ? nullptr : &it->second;
}

// ---- SfnEngine ----

SfnEngine::SfnEngine(Runtime& runtime, EngineOptions options)
    : impl_(std::make_unique<Engine>(runtime, std::move(options))) {}

SfnEngine::~SfnEngine() {
  shutdown();
}

Result<std::shared_ptr<SfnEngine>> SfnEngine::create(Runtime& runtime, EngineOptions options) {
  MockConfig mocks;
  if (!options.mock_config.empty()) {
    auto parsed = MockConfig::parse(options.mock_config);
    if (!parsed.ok()) return std::move(parsed).error();
    mocks = std::move(*parsed);
  }
  std::shared_ptr<SfnEngine> engine(new SfnEngine(runtime, std::move(options)));
  engine->impl_->mocks = std::move(mocks);
  return engine;
}

void SfnEngine::shutdown() {
  impl_->executor->stop();
}

void SfnEngine::sync() {
  std::promise<void> p;
  auto f = p.get_future();
  impl_->post([&p] { p.set_value(); });
  f.wait_for(std::chrono::seconds(30));
}

Status SfnEngine::restore() {
  std::promise<Status> p;
  auto f = p.get_future();
  impl_->post([this, &p] { p.set_value(impl_->restore()); });
  return f.get();
}

void SfnEngine::reset() {
  std::promise<void> p;
  auto f = p.get_future();
  impl_->post([this, &p] {
    Engine& e = *impl_;
    for (auto& [arn, ex] : e.executions) {
      e.cancel(ex->timeout_timer);
      for (auto& [id, fb] : ex->fibers) {
        e.cancel(fb.timer);
        e.cancel(fb.heartbeat_timer);
      }
    }
    for (auto& [arn, a] : e.activities) {
      for (auto& w : a.waiters) {
        e.cancel(w.timer);
        w.done(ActivityTask{});
      }
    }
    e.machines.clear();
    e.executions.clear();
    e.open_executions.clear();
    e.activities.clear();
    e.map_runs.clear();
    e.tokens.clear();
    e.closed_tokens.clear();
    e.closed_order.clear();
    e.ready.clear();
    e.dirty.clear();
    e.closed_express.clear();
    for (const char* kind :
         {"sfn.machine", "sfn.activity", "sfn.execution", "sfn.event", "sfn.maprun"})
      e.rt.store.erase_prefix(kind, "");
    p.set_value();
  });
  f.wait();
}

}  // namespace sluice::services::sfn
