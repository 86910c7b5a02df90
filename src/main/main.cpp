// sluice: wiring. Configuration, logging, the clock, the store, the services, the HTTP
// server, and a graceful shutdown on SIGTERM/SIGINT.
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <sstream>

#include "sluice/api/dispatcher.hpp"
#include "sluice/api/init.hpp"
#include "sluice/api/services.hpp"
#include "sluice/common/log.hpp"
#include "sluice/common/timer.hpp"
#include "sluice/http/server.hpp"
#include "sluice/main/admin_client.hpp"
#include "sluice/main/config.hpp"
#include "sluice/store/store.hpp"

extern char** environ;

int main(int argc, char** argv) {
  using namespace sluice;
  const auto started = std::chrono::steady_clock::now();
  std::vector<std::string> args(argv + 1, argv + argc);
  std::map<std::string, std::string> env;
  for (char** e = environ; e && *e; ++e) {
    std::string kv(*e);
    const auto eq = kv.find('=');
    if (eq == std::string::npos) continue;
    std::string name = kv.substr(0, eq);
    const auto& compat = compat_env_names();
    if (name.rfind("SLUICE_", 0) == 0 ||
        std::find(compat.begin(), compat.end(), name) != compat.end())
      env[std::move(name)] = kv.substr(eq + 1);
  }
  if (is_admin_command(args)) {
    // Client mode: defaults from the environment/config, so that `sluice health` in the
    // container finds the server it runs beside.
    auto defaults = load_config({}, env);
    const Config base = defaults.ok() ? *defaults : Config{};
    return run_admin_command(args, base.host, base.port, base.admin_token);
  }
  auto loaded = load_config(args, env);
  if (!loaded.ok()) {
    std::cerr << "sluice: " << loaded.error().message << "\nTry 'sluice --help'.\n";
    return 2;
  }
  Config config = std::move(*loaded);
  if (config.show_help) {
    std::cout << config_help();
    return 0;
  }
  if (config.show_version) {
    std::cout << "sluice " << sluice_version() << "\n";
    return 0;
  }
  set_log_level(config.log_level);
  auto log = logger("main");
  log->debug(
      "settings: host {}, port {}, data dir '{}', clock {}, url host '{}', SQS endpoint "
      "strategy {}, auth {}, init '{}'",
      config.host, config.port, config.data_dir, config.clock, config.url_host,
      config.sqs_endpoint_strategy, config.auth,
      config.init_paths.empty() ? std::string() : config.init_paths.front());

  std::unique_ptr<Clock> clock;
  if (config.clock == "real") {
    clock = std::make_unique<RealClock>();
  } else {
    auto vclock = std::make_unique<VirtualClock>(RealClock().now_ms());
    vclock->set_auto_advance(config.clock == "auto");
    clock = std::move(vclock);
  }
  // Declared before everything that may hold a Responder (timers, engines parking long
  // polls): a Responder holds its connection, which must die before the server does.
  std::unique_ptr<http::Server> server;
  TimerService timers(*clock);

  std::unique_ptr<store::Store> store;
  if (config.data_dir.empty()) {
    store = std::make_unique<store::NullStore>();
  } else {
    auto opened = store::open_sqlite_store(config.data_dir);
    if (!opened.ok()) {
      log->error("cannot open the data directory: {}", opened.error().message);
      return 1;
    }
    store = std::move(*opened);
  }

  api::DispatcherOptions dopts;
  dopts.default_region = config.region;
  dopts.default_account = config.account_id;
  dopts.version = sluice_version();
  dopts.persistence = store->persistent();
  dopts.verify_signatures = config.auth == "sigv4";
  dopts.admin_enabled = config.admin_enabled;
  dopts.admin_token = config.admin_token;
  for (const auto& k : config.access_keys)
    dopts.access_keys.push_back({k.access_key_id, k.secret_access_key, k.account_id});
  api::Dispatcher dispatcher(dopts, *clock);
  services::Runtime runtime{*clock,         timers, *store, config.region, config.account_id,
                            config.url_host};
  runtime.lambda_endpoint = config.lambda_endpoint;
  runtime.sns_signing_cert_base = config.sns_signing_cert_base;
  runtime.sfn_mock_config = config.sfn_mock_config;
  runtime.sqs_endpoint_strategy = config.sqs_endpoint_strategy;
  runtime.max_long_polls = static_cast<std::size_t>(config.max_long_polls);
  runtime.max_running_executions = static_cast<std::size_t>(config.max_running_executions);
  auto installed = api::install_services(dispatcher, runtime);
  if (!installed.ok()) {
    log->error("cannot restore state: {}", installed.error().message);
    return 1;
  }

  if (!config.init_paths.empty()) {
    const auto init_started = std::chrono::steady_clock::now();
    api::InitSummary summary;
    for (const auto& path : config.init_paths) {
      auto files = api::init_files(path);
      if (!files.ok()) {
        log->error("{}", files.error().message);
        return 2;
      }
      for (const auto& file : *files) {
        std::ifstream in(file);
        std::stringstream text;
        text << in.rdbuf();
        if (!in) {
          log->error("cannot read init file {}", file);
          return 2;
        }
        auto plan =
            api::parse_init(text.str(), file, std::filesystem::path(file).parent_path().string(),
                            config.region, config.account_id);
        Status applied =
            plan.ok() ? api::apply_init(dispatcher, *plan, summary) : Status(plan.error());
        if (!applied.ok()) {
          log->error("{}", applied.error().message);
          return 2;
        }
      }
    }
    store->flush();
    log->info(
        "init: {} file(s): {} queue(s), {} topic(s), {} subscription(s), {} activit{}, {} state "
        "machine(s) in {} ms",
        summary.files, summary.queues, summary.topics, summary.subscriptions, summary.activities,
        summary.activities == 1 ? "y" : "ies", summary.state_machines,
        std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() -
                                                              init_started)
            .count());
  }

  http::ServerOptions sopts;
  sopts.host = config.host;
  sopts.port = static_cast<std::uint16_t>(config.port);
  sopts.threads = static_cast<std::size_t>(config.threads);
  sopts.body_limit = static_cast<std::size_t>(config.max_body_bytes);
  sopts.max_connections = static_cast<std::size_t>(config.max_connections);
  sopts.idle_timeout = std::chrono::milliseconds(config.idle_timeout_ms);
  sopts.header_timeout = std::chrono::milliseconds(config.header_timeout_ms);
  sopts.request_timeout = std::chrono::milliseconds(config.request_timeout_ms);
  server = std::make_unique<http::Server>(
      sopts, [&dispatcher](api::HttpRequest req, api::Responder respond) {
        dispatcher.handle(std::move(req), std::move(respond));
      });
  std::string error;
  const std::uint16_t port = server->listen(error);
  if (port == 0) {
    log->error("{}", error);
    return 1;
  }
  server->on_signal([&server, log](int sig) {
    log->info("received signal {}, shutting down", sig);
    server->stop();
  });
  const auto startup_us = std::chrono::duration_cast<std::chrono::microseconds>(
                              std::chrono::steady_clock::now() - started)
                              .count();
  const bool ipv6 = config.host.find(':') != std::string::npos;
  if (dopts.verify_signatures)
    log->info("SigV4 signatures are verified ({} access keys)", dopts.access_keys.size());
  log->info("Sluice {} listening on http://{}{}{}:{} ({}, clock {}, started in {} us)",
            sluice_version(), ipv6 ? "[" : "", config.host, ipv6 ? "]" : "", port,
            store->persistent() ? "data dir " + config.data_dir : std::string("memory only"),
            config.clock, startup_us);
  server->run();
  store->flush();
  timers.stop();
  log->info("stopped");
  return 0;
}
