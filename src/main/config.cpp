#include "sluice/main/config.hpp"

#include <charconv>
#include <fstream>
#include <functional>
#include <sstream>
#include <string_view>

#include <nlohmann/json.hpp>

#include "sluice/common/clock.hpp"

namespace sluice {

namespace {

struct OptionSpec {
  const char* flag;  // "--port"
  const char* env;   // "SLUICE_PORT"
  const char* key;   // config file key: "port"
  const char* help;
  std::function<Status(Config&, const std::string&)> apply;
};

Status parse_int(const std::string& name, const std::string& text, long long lo, long long hi,
                 long long& out) {
  long long v = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || ptr != text.data() + text.size() || v < lo || v > hi) {
    return Error::sender("InvalidConfig", name + " must be an integer from " + std::to_string(lo) +
                                              " to " + std::to_string(hi) + ", not '" + text +
                                              "'.");
  }
  out = v;
  return ok_status();
}

// A duration such as "30", "30s", "500ms" or "2m", from 1 ms to one day.
Status parse_timeout(const std::string& name, const std::string& text, long long& out_ms) {
  const TimeMs ms = parse_duration_ms(text);
  if (ms < 1 || ms > 86'400'000) {
    return Error::sender("InvalidConfig", name +
                                              " must be a duration such as 30s, 500ms or 2m "
                                              "(at most 1d), not '" +
                                              text + "'.");
  }
  out_ms = ms;
  return ok_status();
}

bool is_account_id(std::string_view v) {
  bool digits = v.size() == 12;
  for (char ch : v)
    digits = digits && ch >= '0' && ch <= '9';
  return digits;
}

// "AKID:SECRET[:ACCOUNT],..." (SLUICE_ACCESS_KEYS). A secret may itself hold ':' when an
// account follows, so the account is the last part only when it is 12 digits.
Result<std::vector<ConfiguredAccessKey>> parse_access_key_list(const std::string& text) {
  std::vector<ConfiguredAccessKey> keys;
  std::size_t pos = 0;
  while (pos <= text.size()) {
    const std::size_t comma = text.find(',', pos);
    std::string item =
        text.substr(pos, comma == std::string::npos ? std::string::npos : comma - pos);
    pos = comma == std::string::npos ? text.size() + 1 : comma + 1;
    while (!item.empty() && item.front() == ' ')
      item.erase(item.begin());
    while (!item.empty() && item.back() == ' ')
      item.pop_back();
    if (item.empty()) continue;
    const std::size_t first = item.find(':');
    if (first == std::string::npos || first == 0 || first + 1 == item.size()) {
      return Error::sender("InvalidConfig",
                           "access keys are AKID:SECRET[:ACCOUNT] separated by commas.");
    }
    ConfiguredAccessKey key;
    key.access_key_id = item.substr(0, first);
    key.secret_access_key = item.substr(first + 1);
    if (const std::size_t last = item.rfind(':'); last != first) {
      const std::string account = item.substr(last + 1);
      if (is_account_id(account)) {
        key.account_id = account;
        key.secret_access_key = item.substr(first + 1, last - first - 1);
      }
    }
    if (key.secret_access_key.empty()) {
      return Error::sender("InvalidConfig", "access key " + key.access_key_id + " has no secret.");
    }
    keys.push_back(std::move(key));
  }
  return keys;
}

// [{"access_key_id": ..., "secret_access_key": ..., "account_id": "123456789012"}, ...]
Result<std::vector<ConfiguredAccessKey>> read_access_key_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) return Error::sender("InvalidConfig", "cannot read access key file " + path + ".");
  std::stringstream ss;
  ss << in.rdbuf();
  auto doc = nlohmann::json::parse(ss.str(), nullptr, false, /*ignore_comments=*/true);
  const std::string shape =
      "access key file " + path +
      " must be a JSON array of {\"access_key_id\", \"secret_access_key\", \"account_id\"}";
  if (doc.is_discarded() || !doc.is_array()) return Error::sender("InvalidConfig", shape + ".");
  std::vector<ConfiguredAccessKey> keys;
  for (const auto& item : doc) {
    if (!item.is_object()) return Error::sender("InvalidConfig", shape + ".");
    auto text = [&](const char* name) -> std::string {
      auto it = item.find(name);
      return it != item.end() && it->is_string() ? it->get<std::string>() : std::string();
    };
    ConfiguredAccessKey key{text("access_key_id"), text("secret_access_key"), text("account_id")};
    if (key.access_key_id.empty() || key.secret_access_key.empty()) {
      return Error::sender("InvalidConfig",
                           shape + "; an entry lacks access_key_id or secret_access_key.");
    }
    if (item.contains("account_id") && !is_account_id(key.account_id)) {
      return Error::sender("InvalidConfig", "access key file " + path + ": account_id of " +
                                                key.access_key_id + " must be 12 digits.");
    }
    keys.push_back(std::move(key));
  }
  return keys;
}

const std::vector<OptionSpec>& options() {
  static const std::vector<OptionSpec> specs = {
      {"--host", "SLUICE_HOST", "host", "Address to bind (default 127.0.0.1).",
       [](Config& c, const std::string& v) -> Status {
         c.host = v;
         return ok_status();
       }},
      {"--port", "SLUICE_PORT", "port", "Port to serve on; 0 picks a free one (default 4566).",
       [](Config& c, const std::string& v) -> Status {
         long long p;
         SLUICE_TRY(parse_int("port", v, 0, 65535, p));
         c.port = static_cast<int>(p);
         return ok_status();
       }},
      {"--data-dir", "SLUICE_DATA_DIR", "data_dir",
       "Directory for the SQLite store; persistence is on when given.",
       [](Config& c, const std::string& v) -> Status {
         c.data_dir = v;
         return ok_status();
       }},
      {"--region", "SLUICE_REGION", "region",
       "Region for requests that do not name one (default us-east-1).",
       [](Config& c, const std::string& v) -> Status {
         if (v.empty()) return Error::sender("InvalidConfig", "region must not be empty.");
         c.region = v;
         return ok_status();
       }},
      {"--account-id", "SLUICE_ACCOUNT_ID", "account_id",
       "Account for requests whose access key is not a 12-digit account id (default "
       "000000000000).",
       [](Config& c, const std::string& v) -> Status {
         bool digits = v.size() == 12;
         for (char ch : v)
           digits = digits && ch >= '0' && ch <= '9';
         if (!digits) return Error::sender("InvalidConfig", "account id must be 12 digits.");
         c.account_id = v;
         return ok_status();
       }},
      {"--log-level", "SLUICE_LOG_LEVEL", "log_level",
       "trace, debug, info, warn, error or off (default info).",
       [](Config& c, const std::string& v) -> Status {
         static const char* kLevels[] = {"trace", "debug",    "info", "warn",
                                         "error", "critical", "off"};
         for (const char* l : kLevels) {
           if (v == l) {
             c.log_level = v;
             return ok_status();
           }
         }
         return Error::sender("InvalidConfig", "unknown log level '" + v + "'.");
       }},
      {"--clock", "SLUICE_CLOCK", "clock",
       "real, virtual (time moves only via POST /_sluice/clock) or auto (virtual, skipping "
       "idle waits).",
       [](Config& c, const std::string& v) -> Status {
         if (v != "real" && v != "virtual" && v != "auto")
           return Error::sender("InvalidConfig", "clock must be real, virtual or auto.");
         c.clock = v;
         return ok_status();
       }},
      {"--threads", "SLUICE_THREADS", "threads", "HTTP I/O threads (default 2).",
       [](Config& c, const std::string& v) -> Status {
         long long t;
         SLUICE_TRY(parse_int("threads", v, 1, 256, t));
         c.threads = static_cast<int>(t);
         return ok_status();
       }},
      {"--url-host", "SLUICE_URL_HOST", "url_host",
       "Fixed host[:port] for the URLs Sluice hands out (queue URLs); default: the request's "
       "Host header.",
       [](Config& c, const std::string& v) -> Status {
         c.url_host = v;
         return ok_status();
       }},
      {"--lambda-endpoint", "SLUICE_LAMBDA_ENDPOINT", "lambda_endpoint",
       "Base URL of a service speaking the Lambda Invoke API (such as `sam local "
       "start-lambda`), where SNS lambda subscriptions and Step Functions Lambda tasks go "
       "(e.g. http://localhost:3001); default: none.",
       [](Config& c, const std::string& v) -> Status {
         c.lambda_endpoint = v;
         return ok_status();
       }},
      {"--sfn-mock-config", "SLUICE_SFN_MOCK_CONFIG", "sfn_mock_config",
       "Step Functions Local mock configuration file (StateMachines/MockedResponses); "
       "executions started as ARN#TestCase use its answers. SFN_MOCK_CONFIG works too.",
       [](Config& c, const std::string& v) -> Status {
         c.sfn_mock_config = v;
         return ok_status();
       }},
      {"--init", "SLUICE_INIT", "init",
       "Init file (JSON: queues, topics and subscriptions, activities, state machines; see "
       "docs/init.md) or a directory of *.json init files, applied before the port opens; "
       "several separated by commas.",
       [](Config& c, const std::string& v) -> Status {
         c.init_paths.clear();
         std::size_t pos = 0;
         while (pos <= v.size()) {
           const std::size_t comma = v.find(',', pos);
           std::string item =
               v.substr(pos, comma == std::string::npos ? std::string::npos : comma - pos);
           pos = comma == std::string::npos ? v.size() + 1 : comma + 1;
           if (!item.empty()) c.init_paths.push_back(std::move(item));
         }
         return ok_status();
       }},
      {"--sqs-endpoint-strategy", "SLUICE_SQS_ENDPOINT_STRATEGY", "sqs_endpoint_strategy",
       "Form of the queue URLs handed out, as LocalStack's SQS_ENDPOINT_STRATEGY: off "
       "(default: http://HOST/ACCOUNT/NAME), path (http://HOST/queue/REGION/ACCOUNT/NAME), "
       "standard (http://sqs.REGION.HOST/...), domain (http://REGION.queue.HOST/...); HOST is "
       "--url-host or the request's Host, with localhost as localhost.localstack.cloud for "
       "standard and domain.",
       [](Config& c, const std::string& v) -> Status {
         std::string s = v == "dynamic" || v.empty() ? "off" : v;
         if (s != "off" && s != "path" && s != "standard" && s != "domain")
           return Error::sender("InvalidConfig",
                                "sqs_endpoint_strategy must be off, path, standard or domain.");
         c.sqs_endpoint_strategy = s;
         return ok_status();
       }},
      {"--sns-signing-cert-base", "SLUICE_SNS_SIGNING_CERT_BASE", "sns_signing_cert_base",
       "Scheme and host of the SNS SigningCertURL (e.g. https://sns.us-east-1.amazonaws.com, "
       "for validators that pin AWS's host); default: the request's host.",
       [](Config& c, const std::string& v) -> Status {
         c.sns_signing_cert_base = v;
         return ok_status();
       }},
      {"--admin", "SLUICE_ADMIN", "admin",
       "on (default) or off: off answers 404 on every admin route (/_sluice, /_localstack, "
       "/_aws, /moto-api) but health and the SNS signing certificate.",
       [](Config& c, const std::string& v) -> Status {
         if (v != "on" && v != "off")
           return Error::sender("InvalidConfig", "admin must be on or off.");
         c.admin_enabled = v == "on";
         return ok_status();
       }},
      {"--admin-token", "SLUICE_ADMIN_TOKEN", "admin_token",
       "Admin routes (but health and the SNS signing certificate) need 'Authorization: "
       "Bearer TOKEN'; the sluice client commands send SLUICE_ADMIN_TOKEN. Default: none.",
       [](Config& c, const std::string& v) -> Status {
         c.admin_token = v;
         return ok_status();
       }},
      {"--auth", "SLUICE_AUTH", "auth",
       "none (default: signatures are parsed, not checked) or sigv4 (every request must carry "
       "a valid SigV4 signature by a configured access key; admin routes are not checked).",
       [](Config& c, const std::string& v) -> Status {
         if (v != "none" && v != "sigv4")
           return Error::sender("InvalidConfig", "auth must be none or sigv4.");
         c.auth = v;
         return ok_status();
       }},
      {"--access-keys", "SLUICE_ACCESS_KEYS_FILE", "access_keys_file",
       "JSON file of access keys: [{\"access_key_id\": ..., \"secret_access_key\": ..., "
       "\"account_id\": \"123456789012\"}]. A key's account is the account its requests act "
       "in.",
       [](Config& c, const std::string& v) -> Status {
         c.access_keys_file.clear();
         c.access_keys_from_file.clear();
         if (v.empty()) return ok_status();  // none, as data_dir "" means memory only
         auto keys = read_access_key_file(v);
         if (!keys.ok()) return std::move(keys).error();
         c.access_keys_file = v;
         c.access_keys_from_file = std::move(*keys);
         return ok_status();
       }},
      {"--access-key-list", "SLUICE_ACCESS_KEYS", "access_keys",
       "Access keys inline: AKID:SECRET[:ACCOUNT],... (account default: --account-id).",
       [](Config& c, const std::string& v) -> Status {
         c.access_keys_from_list.clear();
         if (v.empty()) return ok_status();
         auto keys = parse_access_key_list(v);
         if (!keys.ok()) return std::move(keys).error();
         c.access_keys_from_list = std::move(*keys);
         return ok_status();
       }},
      {"--max-body-bytes", "SLUICE_MAX_BODY_BYTES", "max_body_bytes",
       "Largest request body accepted (default 8388608).",
       [](Config& c, const std::string& v) -> Status {
         long long b;
         SLUICE_TRY(parse_int("max_body_bytes", v, 1024, 1LL << 32, b));
         c.max_body_bytes = b;
         return ok_status();
       }},
      {"--max-connections", "SLUICE_MAX_CONNECTIONS", "max_connections",
       "Connections served at once; more get 503 ServiceUnavailable (default 10000, kept below "
       "the file descriptor limit).",
       [](Config& c, const std::string& v) -> Status {
         long long n;
         SLUICE_TRY(parse_int("max_connections", v, 1, 1'000'000, n));
         c.max_connections = static_cast<int>(n);
         return ok_status();
       }},
      {"--max-long-polls", "SLUICE_MAX_LONG_POLLS", "max_long_polls",
       "SQS receives waiting in long polls at once; more get OverLimit (default 10000).",
       [](Config& c, const std::string& v) -> Status {
         return parse_int("max_long_polls", v, 1, 10'000'000, c.max_long_polls);
       }},
      {"--max-running-executions", "SLUICE_MAX_RUNNING_EXECUTIONS", "max_running_executions",
       "Step Functions Standard executions running at once per account and region; more get "
       "ExecutionLimitExceeded (default 1000000, AWS's quota).",
       [](Config& c, const std::string& v) -> Status {
         return parse_int("max_running_executions", v, 1, 100'000'000, c.max_running_executions);
       }},
      {"--idle-timeout", "SLUICE_IDLE_TIMEOUT", "idle_timeout",
       "How long a keep-alive connection may wait for its next request (default 120s).",
       [](Config& c, const std::string& v) -> Status {
         return parse_timeout("idle_timeout", v, c.idle_timeout_ms);
       }},
      {"--header-timeout", "SLUICE_HEADER_TIMEOUT", "header_timeout",
       "How long a started request may take to send its headers (default 30s).",
       [](Config& c, const std::string& v) -> Status {
         return parse_timeout("header_timeout", v, c.header_timeout_ms);
       }},
      {"--request-timeout", "SLUICE_REQUEST_TIMEOUT", "request_timeout",
       "How long a request body may take to arrive, and a response to be sent (default 60s).",
       [](Config& c, const std::string& v) -> Status {
         return parse_timeout("request_timeout", v, c.request_timeout_ms);
       }},
  };
  return specs;
}

const OptionSpec* find_flag(const std::string& flag) {
  for (const auto& o : options())
    if (flag == o.flag) return &o;
  return nullptr;
}

Status apply_file(Config& config, const std::string& path) {
  std::ifstream in(path);
  if (!in) return Error::sender("InvalidConfig", "cannot read config file " + path + ".");
  std::stringstream ss;
  ss << in.rdbuf();
  auto doc = nlohmann::json::parse(ss.str(), nullptr, false, /*ignore_comments=*/true);
  if (doc.is_discarded() || !doc.is_object())
    return Error::sender("InvalidConfig", "config file " + path + " is not a JSON object.");
  for (auto it = doc.begin(); it != doc.end(); ++it) {
    const OptionSpec* spec = nullptr;
    for (const auto& o : options())
      if (it.key() == o.key) spec = &o;
    if (!spec)
      return Error::sender("InvalidConfig",
                           "config file " + path + ": unknown setting '" + it.key() + "'.");
    std::string value;
    if (it->is_string()) {
      value = it->get<std::string>();
    } else if (it->is_number_integer()) {
      value = std::to_string(it->get<long long>());
    } else {
      return Error::sender("InvalidConfig", "config file " + path + ": '" + it.key() +
                                                "' must be a string or an integer.");
    }
    auto st = spec->apply(config, value);
    if (!st.ok())
      return Error::sender("InvalidConfig", "config file " + path + ": " + st.error().message);
  }
  return ok_status();
}

// LocalStack's names for the settings that matter to these three services, so that an
// existing docker-compose file or CI job keeps working. SLUICE_* variables win.
Status apply_compat_env(Config& config, const std::map<std::string, std::string>& env) {
  auto value = [&](const char* name) -> const std::string* {
    auto it = env.find(name);
    return it == env.end() ? nullptr : &it->second;
  };
  auto apply = [&](const char* name, const char* flag) -> Status {
    const std::string* v = value(name);
    if (!v) return ok_status();
    auto st = find_flag(flag)->apply(config, *v);
    if (!st.ok())
      return Error::sender("InvalidConfig", std::string(name) + ": " + st.error().message);
    return ok_status();
  };
  SLUICE_TRY(apply("SFN_MOCK_CONFIG", "--sfn-mock-config"));
  SLUICE_TRY(apply("SQS_ENDPOINT_STRATEGY", "--sqs-endpoint-strategy"));
  SLUICE_TRY(apply("LOCALSTACK_HOST", "--url-host"));
  if (const std::string* v = value("GATEWAY_LISTEN")) {
    // "0.0.0.0:4566", ":4566" or several, comma-separated: the first is used.
    std::string first = v->substr(0, v->find(','));
    const auto colon = first.rfind(':');
    if (colon == std::string::npos) {
      return Error::sender("InvalidConfig", "GATEWAY_LISTEN must be HOST:PORT, not '" + *v + "'.");
    }
    std::string host = first.substr(0, colon);
    if (host.size() >= 2 && host.front() == '[' && host.back() == ']')
      host = host.substr(1, host.size() - 2);
    if (!host.empty()) SLUICE_TRY(find_flag("--host")->apply(config, host));
    auto st = find_flag("--port")->apply(config, first.substr(colon + 1));
    if (!st.ok()) return Error::sender("InvalidConfig", "GATEWAY_LISTEN: " + st.error().message);
  }
  if (const std::string* v = value("DEBUG"); v && (*v == "1" || *v == "true"))
    config.log_level = "debug";
  return ok_status();
}

}  // namespace

const std::vector<std::string>& compat_env_names() {
  static const std::vector<std::string> names = {"SFN_MOCK_CONFIG", "SQS_ENDPOINT_STRATEGY",
                                                 "LOCALSTACK_HOST", "GATEWAY_LISTEN", "DEBUG"};
  return names;
}

const char* sluice_version() {
  return SLUICE_VERSION;
}

Result<Config> load_config(const std::vector<std::string>& args,
                           const std::map<std::string, std::string>& env) {
  Config config;
  // Pass 1: flags into a list (validated later, in precedence order).
  std::vector<std::pair<const OptionSpec*, std::string>> flags;
  std::string config_file;
  if (auto it = env.find("SLUICE_CONFIG"); it != env.end()) config_file = it->second;
  for (std::size_t i = 0; i < args.size(); ++i) {
    std::string arg = args[i];
    if (arg == "--help" || arg == "-h") {
      config.show_help = true;
      continue;
    }
    if (arg == "--version") {
      config.show_version = true;
      continue;
    }
    std::string value;
    bool has_value = false;
    if (auto eq = arg.find('='); eq != std::string::npos && arg.rfind("--", 0) == 0) {
      value = arg.substr(eq + 1);
      arg = arg.substr(0, eq);
      has_value = true;
    }
    if (arg == "--config") {
      if (!has_value) {
        if (i + 1 >= args.size()) return Error::sender("InvalidConfig", "--config needs a value.");
        value = args[++i];
      }
      config_file = value;
      continue;
    }
    const OptionSpec* spec = find_flag(arg);
    if (!spec) return Error::sender("InvalidConfig", "unknown option '" + args[i] + "'.");
    if (!has_value) {
      if (i + 1 >= args.size())
        return Error::sender("InvalidConfig", std::string(spec->flag) + " needs a value.");
      value = args[++i];
    }
    flags.emplace_back(spec, value);
  }
  if (config.show_help || config.show_version) return config;
  // Lowest precedence first: file, then environment, then flags.
  if (!config_file.empty()) {
    SLUICE_TRY(apply_file(config, config_file));
    config.config_file = config_file;
  }
  SLUICE_TRY(apply_compat_env(config, env));
  for (const auto& o : options()) {
    if (auto it = env.find(o.env); it != env.end()) {
      auto st = o.apply(config, it->second);
      if (!st.ok())
        return Error::sender("InvalidConfig", std::string(o.env) + ": " + st.error().message);
    }
  }
  for (const auto& [spec, value] : flags) {
    auto st = spec->apply(config, value);
    if (!st.ok())
      return Error::sender("InvalidConfig", std::string(spec->flag) + ": " + st.error().message);
  }
  // Access keys: the file's, then the list's; a key without an account acts in
  // --account-id. One id with two different secrets is a configuration mistake.
  config.access_keys.clear();
  for (auto* source : {&config.access_keys_from_file, &config.access_keys_from_list}) {
    for (auto key : *source) {
      if (key.account_id.empty()) key.account_id = config.account_id;
      bool duplicate = false;
      for (const auto& known : config.access_keys) {
        if (known.access_key_id != key.access_key_id) continue;
        if (known.secret_access_key != key.secret_access_key ||
            known.account_id != key.account_id) {
          return Error::sender("InvalidConfig", "access key " + key.access_key_id +
                                                    " is configured twice, differently.");
        }
        duplicate = true;
      }
      if (!duplicate) config.access_keys.push_back(std::move(key));
    }
  }
  if (config.auth == "sigv4" && config.access_keys.empty()) {
    return Error::sender("InvalidConfig",
                         "--auth sigv4 needs access keys: --access-keys FILE or "
                         "SLUICE_ACCESS_KEYS=AKID:SECRET[:ACCOUNT],...");
  }
  return config;
}

std::string config_help() {
  std::string out =
      "Usage: sluice [options]\n\nA local emulator of Amazon SQS, SNS and Step Functions.\n\n"
      "Options (each also as an environment variable, and as a key of the --config file):\n";
  for (const auto& o : options()) {
    out += "  ";
    out += o.flag;
    out += " VALUE  (";
    out += o.env;
    out += ")\n      ";
    out += o.help;
    out += "\n";
  }
  out +=
      "  --config FILE  (SLUICE_CONFIG)\n      JSON file of settings (keys as above, e.g. "
      "\"port\", \"data_dir\").\n"
      "  --version\n      Print the version and exit.\n  --help\n      Print this help.\n\n"
      "Precedence: flags, then environment, then the config file.\n\n"
      "Client commands (talk to a running sluice at --host/--port):\n"
      "  sluice health | wait [TIMEOUT] | reset [SERVICE] | clock | clock advance DUR [--step "
      "STEP] | clock mode auto|manual | peek QUEUE_URL\n";
  return out;
}

}  // namespace sluice
