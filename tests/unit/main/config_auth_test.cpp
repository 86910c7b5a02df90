// --auth and access keys: flags, SLUICE_ACCESS_KEYS, the key file, and their mistakes.
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

#include "sluice/main/config.hpp"

namespace sluice {
namespace {

namespace fs = std::filesystem;
using Env = std::map<std::string, std::string>;

class ConfigAuthTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("sluice-config-auth-test-" + std::to_string(::getpid()) + "-" +
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

TEST_F(ConfigAuthTest, off_by_default) {
  const Config c = ok({});
  EXPECT_EQ(c.auth, "none");
  EXPECT_TRUE(c.access_keys.empty());
}

TEST_F(ConfigAuthTest, keys_from_the_environment_list) {
  const Config c = ok({"--auth", "sigv4", "--account-id", "999999999999"},
                      {{"SLUICE_ACCESS_KEYS", "AKID1:secret1:111111111111, AKID2:se:cr:et2"}});
  EXPECT_EQ(c.auth, "sigv4");
  ASSERT_EQ(c.access_keys.size(), 2u);
  EXPECT_EQ(c.access_keys[0].access_key_id, "AKID1");
  EXPECT_EQ(c.access_keys[0].secret_access_key, "secret1");
  EXPECT_EQ(c.access_keys[0].account_id, "111111111111");
  // No 12-digit account at the end: the rest is the secret, the account is --account-id.
  EXPECT_EQ(c.access_keys[1].secret_access_key, "se:cr:et2");
  EXPECT_EQ(c.access_keys[1].account_id, "999999999999");
}

TEST_F(ConfigAuthTest, keys_from_a_file_and_the_list_together) {
  const std::string file = write_file("keys.json", R"([
    {"access_key_id": "AKIDF", "secret_access_key": "s/f+", "account_id": "123456789012"},
    {"access_key_id": "AKIDG", "secret_access_key": "g"}
  ])");
  const Config c =
      ok({"--access-keys", file, "--access-key-list", "AKIDL:l"}, {{"SLUICE_AUTH", "sigv4"}});
  ASSERT_EQ(c.access_keys.size(), 3u);
  EXPECT_EQ(c.access_keys[0].secret_access_key, "s/f+");
  EXPECT_EQ(c.access_keys[0].account_id, "123456789012");
  EXPECT_EQ(c.access_keys[1].account_id, "000000000000");
  EXPECT_EQ(c.access_keys[2].access_key_id, "AKIDL");
  EXPECT_EQ(c.access_keys_file, file);
  // The config file spells them access_keys_file / access_keys / auth.
  const std::string conf = write_file("sluice.json", R"({"auth": "sigv4", "access_keys_file": ")" +
                                                         file + R"(", "access_keys": "X:y"})");
  EXPECT_EQ(ok({"--config", conf}).access_keys.size(), 3u);
}

TEST_F(ConfigAuthTest, mistakes) {
  EXPECT_NE(fails({"--auth", "sigv2"}).find("auth must be none or sigv4"), std::string::npos);
  EXPECT_NE(fails({"--auth", "sigv4"}).find("needs access keys"), std::string::npos);
  EXPECT_NE(fails({"--access-key-list", "AKIDONLY"}).find("AKID:SECRET"), std::string::npos);
  EXPECT_NE(fails({"--access-key-list", "AKID:"}).find("AKID:SECRET"), std::string::npos);
  EXPECT_NE(fails({"--access-keys", (dir_ / "missing.json").string()}).find("cannot read"),
            std::string::npos);
  EXPECT_NE(fails({"--access-keys", write_file("a.json", R"({"access_key_id": "x"})")})
                .find("JSON array"),
            std::string::npos);
  EXPECT_NE(fails({"--access-keys", write_file("b.json", R"([{"access_key_id": "x"}])")})
                .find("lacks access_key_id or secret_access_key"),
            std::string::npos);
  EXPECT_NE(fails({"--access-keys",
                   write_file("c.json", R"([{"access_key_id": "x", "secret_access_key": "y",
                                             "account_id": "12"}])")})
                .find("must be 12 digits"),
            std::string::npos);
  EXPECT_NE(fails({"--access-keys",
                   write_file("d.json", R"([{"access_key_id": "x", "secret_access_key": "y"}])"),
                   "--access-key-list", "x:z"})
                .find("configured twice"),
            std::string::npos);
}

TEST_F(ConfigAuthTest, help_names_the_flags) {
  const std::string help = config_help();
  for (const char* s : {"--auth", "--access-keys", "--access-key-list", "SLUICE_ACCESS_KEYS"})
    EXPECT_NE(help.find(s), std::string::npos) << s;
}

}  // namespace
}  // namespace sluice
