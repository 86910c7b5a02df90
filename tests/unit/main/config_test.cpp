#include "sluice/main/config.hpp"

#include <unistd.h>

#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

namespace sluice {
namespace {

namespace fs = std::filesystem;
using Env = std::map<std::string, std::string>;

class ConfigTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("sluice-config-test-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string write_file(const std::string& name, const std::string& text) {
    const auto path = dir_ / name;
    std::ofstream(path) << text;
    return path.string();
  }

  static Config ok(const std::vector<std::string>& args, const Env& env = {}) {
    auto r = load_config(args, env);
    EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
    return r.ok() ? *r : Config{};
  }
  static std::string fails(const std::vector<std::string>& args, const Env& env = {}) {
    auto r = load_config(args, env);
    EXPECT_FALSE(r.ok());
    return r.ok() ? "" : r.error().message;
  }

  fs::path dir_;
};

TEST_F(ConfigTest, the_example_config_file_loads_and_means_the_defaults) {
  const Config example = ok({"--config", SLUICE_SOURCE_DIR "/config/sluice.example.json"});
  const Config defaults = ok({});
  EXPECT_EQ(example.host, defaults.host);
  EXPECT_EQ(example.port, defaults.port);
  EXPECT_EQ(example.data_dir, defaults.data_dir);
  EXPECT_EQ(example.region, defaults.region);
  EXPECT_EQ(example.account_id, defaults.account_id);
  EXPECT_EQ(example.lambda_endpoint, "");
  EXPECT_EQ(example.sfn_mock_config, "");
  EXPECT_TRUE(example.access_keys_from_file.empty());
  EXPECT_TRUE(example.access_keys_from_list.empty());
}

TEST_F(ConfigTest, defaults) {
  const Config c = ok({});
  EXPECT_EQ(c.host, "127.0.0.1");
  EXPECT_EQ(c.port, 4566);
  EXPECT_EQ(c.data_dir, "");
  EXPECT_EQ(c.region, "us-east-1");
  EXPECT_EQ(c.account_id, "000000000000");
  EXPECT_EQ(c.log_level, "info");
  EXPECT_EQ(c.clock, "real");
  EXPECT_EQ(c.threads, 2);
  EXPECT_EQ(c.max_body_bytes, 8 * 1024 * 1024);
  EXPECT_FALSE(c.show_help);
  EXPECT_FALSE(c.show_version);
}

TEST_F(ConfigTest, flags_in_both_spellings) {
  const Config c =
      ok({"--port", "0", "--host=0.0.0.0", "--data-dir", "/tmp/x", "--region=eu-west-1",
          "--account-id", "123456789012", "--log-level=debug", "--clock", "virtual", "--threads=4",
          "--url-host", "sluice:4566", "--max-body-bytes=2048"});
  EXPECT_EQ(c.port, 0);
  EXPECT_EQ(c.host, "0.0.0.0");
  EXPECT_EQ(c.data_dir, "/tmp/x");
  EXPECT_EQ(c.region, "eu-west-1");
  EXPECT_EQ(c.account_id, "123456789012");
  EXPECT_EQ(c.log_level, "debug");
  EXPECT_EQ(c.clock, "virtual");
  EXPECT_EQ(c.threads, 4);
  EXPECT_EQ(c.url_host, "sluice:4566");
  EXPECT_EQ(c.max_body_bytes, 2048);
}

TEST_F(ConfigTest, connection_limit_and_timeouts) {
  const Config d = ok({});
  EXPECT_EQ(d.max_connections, 10000);
  EXPECT_EQ(d.idle_timeout_ms, 120'000);
  EXPECT_EQ(d.header_timeout_ms, 30'000);
  EXPECT_EQ(d.request_timeout_ms, 60'000);
  const Config c = ok({"--max-connections", "8", "--idle-timeout", "500ms", "--header-timeout=2",
                       "--request-timeout", "1m"});
  EXPECT_EQ(c.max_connections, 8);
  EXPECT_EQ(c.idle_timeout_ms, 500);
  EXPECT_EQ(c.header_timeout_ms, 2000);  // a bare number is seconds
  EXPECT_EQ(c.request_timeout_ms, 60'000);
  EXPECT_EQ(ok({}, {{"SLUICE_IDLE_TIMEOUT", "5s"}}).idle_timeout_ms, 5000);
  EXPECT_NE(fails({"--max-connections", "0"}).find("max_connections"), std::string::npos);
  EXPECT_NE(fails({"--idle-timeout", "0"}).find("idle_timeout must be a duration"),
            std::string::npos);
  EXPECT_NE(fails({"--header-timeout", "soon"}).find("header_timeout"), std::string::npos);
  EXPECT_NE(fails({"--request-timeout", "2d"}).find("at most 1d"), std::string::npos);
}

TEST_F(ConfigTest, precedence_flags_then_environment_then_file) {
  const std::string file = write_file("c.json", R"({"port": 1111, "region": "file-region",
      "log_level": "warn", "clock": "auto"})");
  const Env env = {{"SLUICE_PORT", "2222"},
                   {"SLUICE_REGION", "env-region"},
                   {"SLUICE_CONFIG", file},
                   {"OTHER", "ignored"}};
  const Config c = ok({"--port", "3333"}, env);
  EXPECT_EQ(c.port, 3333);            // flag beats env and file
  EXPECT_EQ(c.region, "env-region");  // env beats file
  EXPECT_EQ(c.log_level, "warn");     // file beats default
  EXPECT_EQ(c.clock, "auto");
  EXPECT_EQ(c.config_file, file);
  // A --config flag names the file instead of SLUICE_CONFIG.
  const std::string other = write_file("other.json", R"({"region": "other-file"})");
  EXPECT_EQ(ok({"--config", other}, {{"SLUICE_CONFIG", file}}).region, "other-file");
  EXPECT_EQ(ok({"--config=" + other}).region, "other-file");
}

TEST_F(ConfigTest, later_flags_win) {
  EXPECT_EQ(ok({"--port", "1", "--port", "2"}).port, 2);
}

TEST_F(ConfigTest, config_file_allows_comments_and_string_numbers) {
  const std::string file = write_file("c.json",
                                      "{\n  // a comment\n  \"port\": \"4567\",\n"
                                      "  \"data_dir\": \"/var/lib/sluice\"\n}");
  const Config c = ok({"--config", file});
  EXPECT_EQ(c.port, 4567);
  EXPECT_EQ(c.data_dir, "/var/lib/sluice");
}

TEST_F(ConfigTest, bad_values_name_their_source) {
  EXPECT_NE(fails({"--port", "70000"}).find("--port"), std::string::npos);
  EXPECT_NE(fails({"--port", "12ab"}).find("port must be an integer from 0 to 65535"),
            std::string::npos);
  EXPECT_NE(fails({"--port", ""}).find("port"), std::string::npos);
  EXPECT_NE(fails({"--threads", "0"}).find("threads"), std::string::npos);
  EXPECT_NE(fails({"--clock", "fast"}).find("clock must be real, virtual or auto"),
            std::string::npos);
  EXPECT_NE(fails({"--log-level", "loud"}).find("unknown log level 'loud'"), std::string::npos);
  EXPECT_NE(fails({"--account-id", "12345"}).find("12 digits"), std::string::npos);
  EXPECT_NE(fails({"--region", ""}).find("region must not be empty"), std::string::npos);
  EXPECT_NE(fails({"--max-body-bytes", "10"}).find("max_body_bytes"), std::string::npos);
  EXPECT_NE(fails({}, {{"SLUICE_PORT", "-1"}}).find("SLUICE_PORT"), std::string::npos);
  const std::string file = write_file("c.json", R"({"threads": 999})");
  const std::string msg = fails({"--config", file});
  EXPECT_NE(msg.find(file), std::string::npos) << msg;
  EXPECT_NE(msg.find("threads"), std::string::npos) << msg;
}

TEST_F(ConfigTest, unknown_flags_and_missing_values) {
  EXPECT_EQ(fails({"--bogus"}), "unknown option '--bogus'.");
  EXPECT_EQ(fails({"--bogus=1"}), "unknown option '--bogus=1'.");
  EXPECT_EQ(fails({"serve"}), "unknown option 'serve'.");
  EXPECT_EQ(fails({"--port"}), "--port needs a value.");
  EXPECT_EQ(fails({"--config"}), "--config needs a value.");
}

TEST_F(ConfigTest, config_file_problems) {
  EXPECT_NE(fails({"--config", (dir_ / "missing.json").string()}).find("cannot read config file"),
            std::string::npos);
  EXPECT_NE(fails({"--config", write_file("a.json", "[1, 2]")}).find("is not a JSON object"),
            std::string::npos);
  EXPECT_NE(fails({"--config", write_file("b.json", "{ nope")}).find("is not a JSON object"),
            std::string::npos);
  EXPECT_NE(
      fails({"--config", write_file("c.json", R"({"prot": 1})")}).find("unknown setting 'prot'"),
      std::string::npos);
  EXPECT_NE(fails({"--config", write_file("d.json", R"({"port": true})")})
                .find("must be a string or an integer"),
            std::string::npos);
  // Environment keys are not config file keys.
  EXPECT_NE(
      fails({"--config", write_file("e.json", R"({"SLUICE_PORT": 1})")}).find("unknown setting"),
      std::string::npos);
}

TEST_F(ConfigTest, help_and_version) {
  EXPECT_TRUE(ok({"--help"}).show_help);
  EXPECT_TRUE(ok({"-h"}).show_help);
  EXPECT_TRUE(ok({"--version"}).show_version);
  // Nothing else is validated when only help is wanted.
  EXPECT_TRUE(ok({"--help"}, {{"SLUICE_PORT", "not-a-port"}}).show_help);
  const std::string help = config_help();
  for (const char* flag : {"--host", "--port", "--data-dir", "--region", "--account-id",
                           "--log-level", "--clock", "--threads", "--url-host", "--max-body-bytes",
                           "--max-connections", "--idle-timeout", "--header-timeout",
                           "--request-timeout", "--config", "--version", "--help", "SLUICE_PORT"}) {
    EXPECT_NE(help.find(flag), std::string::npos) << flag;
  }
  const std::string version = sluice_version();
  EXPECT_FALSE(version.empty());
  EXPECT_EQ(version.find_first_not_of("0123456789."), std::string::npos) << version;
}

TEST_F(ConfigTest, localstack_environment_names_under_sluice_ones) {
  const Config c = ok({}, {{"SQS_ENDPOINT_STRATEGY", "standard"},
                           {"LOCALSTACK_HOST", "localstack:4566"},
                           {"GATEWAY_LISTEN", "0.0.0.0:4599,:4600"},
                           {"SFN_MOCK_CONFIG", "/mocks.json"},
                           {"DEBUG", "1"}});
  EXPECT_EQ(c.sqs_endpoint_strategy, "standard");
  EXPECT_EQ(c.url_host, "localstack:4566");
  EXPECT_EQ(c.host, "0.0.0.0");
  EXPECT_EQ(c.port, 4599);
  EXPECT_EQ(c.sfn_mock_config, "/mocks.json");
  EXPECT_EQ(c.log_level, "debug");
  // SLUICE_* and flags win over LocalStack's names.
  const Config d = ok({"--port", "1"}, {{"GATEWAY_LISTEN", ":4599"},
                                        {"SLUICE_URL_HOST", "sluice:1"},
                                        {"LOCALSTACK_HOST", "localstack:4566"},
                                        {"SQS_ENDPOINT_STRATEGY", "dynamic"}});
  EXPECT_EQ(d.port, 1);
  EXPECT_EQ(d.host, "127.0.0.1");
  EXPECT_EQ(d.url_host, "sluice:1");
  EXPECT_EQ(d.sqs_endpoint_strategy, "off");
  EXPECT_FALSE(load_config({}, {{"SQS_ENDPOINT_STRATEGY", "weird"}}).ok());
  EXPECT_FALSE(load_config({}, {{"GATEWAY_LISTEN", "4566"}}).ok());
}

TEST_F(ConfigTest, init_paths_are_a_comma_separated_list) {
  EXPECT_EQ(ok({"--init", "a.json,dir/"}).init_paths, (std::vector<std::string>{"a.json", "dir/"}));
  EXPECT_EQ(ok({}, {{"SLUICE_INIT", "x.json"}}).init_paths, std::vector<std::string>{"x.json"});
  EXPECT_TRUE(ok({"--init", ""}).init_paths.empty());
}

}  // namespace
}  // namespace sluice
