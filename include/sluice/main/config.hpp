#pragma once
// Configuration: command-line flags > environment (SLUICE_*) > config file (JSON).
#include <map>
#include <string>
#include <vector>

#include "sluice/common/result.hpp"

namespace sluice {

struct ConfiguredAccessKey {
  std::string access_key_id;
  std::string secret_access_key;
  std::string account_id;  // 12 digits; empty until load_config fills in --account-id
};

struct Config {
  std::string host = "127.0.0.1";
  int port = 4566;
  std::string data_dir;  // empty: memory only
  std::string region = "us-east-1";
  std::string account_id = "000000000000";
  std::string log_level = "info";
  std::string clock = "real";   // real | virtual | auto (virtual, auto-advancing)
  int threads = 2;              // HTTP I/O threads
  std::string url_host;         // fixed host[:port] for URLs we hand out; empty: the Host header
  std::string lambda_endpoint;  // Lambda Invoke API base URL (SNS lambda subscriptions)
  std::string sfn_mock_config;  // Step Functions Local mock config file (also SFN_MOCK_CONFIG)
  std::string sns_signing_cert_base;  // scheme://host of SNS SigningCertURLs; empty: request's
  std::string config_file;
  std::vector<std::string> init_paths;        // --init: init files or directories of them
  std::string sqs_endpoint_strategy = "off";  // LocalStack's SQS_ENDPOINT_STRATEGY forms
  bool admin_enabled = true;                  // --admin on|off
  std::string admin_token;    // --admin-token: admin routes need "Authorization: Bearer TOKEN"
  std::string auth = "none";  // none | sigv4 (verify SigV4 signatures against access_keys)
  std::string access_keys_file;
  // From --access-keys FILE then --access-key-list/SLUICE_ACCESS_KEYS, in that order.
  std::vector<ConfiguredAccessKey> access_keys;
  std::vector<ConfiguredAccessKey> access_keys_from_file;  // internal: merged into access_keys
  std::vector<ConfiguredAccessKey> access_keys_from_list;  // internal: merged into access_keys
  long long max_body_bytes = 8 * 1024 * 1024;
  int max_connections = 10000;
  long long max_long_polls = 10000;
  long long max_running_executions = 1000000;
  long long idle_timeout_ms = 120'000;
  long long header_timeout_ms = 30'000;
  long long request_timeout_ms = 60'000;
  bool show_help = false;
  bool show_version = false;
};

// `env` is the process environment as name -> value: SLUICE_*, and the LocalStack names
// listed by compat_env_names() (lower precedence than SLUICE_*).
Result<Config> load_config(const std::vector<std::string>& args,
                           const std::map<std::string, std::string>& env);
std::string config_help();
// The environment variables of LocalStack (and Step Functions Local) that load_config
// understands: SFN_MOCK_CONFIG, SQS_ENDPOINT_STRATEGY, LOCALSTACK_HOST, GATEWAY_LISTEN,
// DEBUG.
const std::vector<std::string>& compat_env_names();
const char* sluice_version();

}  // namespace sluice
