#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <fstream>
#include <future>
#include <mutex>
#include <random>
#include <thread>

#include <gtest/gtest.h>
#include <sqlite3.h>

#include "sluice/store/store.hpp"

namespace sluice::store {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

class SqliteStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() /
            ("sluice-store-test-" + std::to_string(::getpid()) + "-" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(root_);
    fs::create_directories(root_);
    dir_ = (root_ / "data").string();
  }
  void TearDown() override { fs::remove_all(root_); }

  std::unique_ptr<Store> open() {
    auto r = open_sqlite_store(dir_);
    EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
    return r.ok() ? std::move(*r) : nullptr;
  }
  std::string open_error() {
    auto r = open_sqlite_store(dir_);
    EXPECT_FALSE(r.ok());
    return r.ok() ? "" : r.error().message;
  }
  static std::vector<std::pair<std::string, std::string>> records(Store& s, std::string_view kind) {
    auto r = s.load(kind);
    EXPECT_TRUE(r.ok());
    std::vector<std::pair<std::string, std::string>> out;
    if (r.ok())
      for (auto& rec : *r)
        out.emplace_back(rec.key, rec.value);
    return out;
  }
  std::string db_path() const { return (fs::path(dir_) / "sluice.db").string(); }

  fs::path root_;
  std::string dir_;
};

using Records = std::vector<std::pair<std::string, std::string>>;

TEST_F(SqliteStoreTest, put_erase_and_load_by_kind) {
  auto s = open();
  ASSERT_TRUE(s);
  EXPECT_TRUE(s->persistent());
  s->put("sqs.queue", "b", "queue b");
  s->put("sqs.queue", "a", "queue a");
  s->put("sqs.message", "a/1", std::string("bin\0ary", 7));
  s->put("sqs.queue", "b", "queue b v2");  // a later put of a key wins
  s->put("sqs.queue", "c", "queue c");
  s->erase("sqs.queue", "c");
  s->erase("sqs.queue", "never-existed");
  s->flush();
  EXPECT_EQ(records(*s, "sqs.queue"), (Records{{"a", "queue a"}, {"b", "queue b v2"}}));
  EXPECT_EQ(records(*s, "sqs.message"), (Records{{"a/1", std::string("bin\0ary", 7)}}));
  EXPECT_EQ(records(*s, "sns.topic"), Records{});
}

TEST_F(SqliteStoreTest, erase_prefix_is_a_literal_prefix_within_one_kind) {
  auto s = open();
  ASSERT_TRUE(s);
  for (const char* k : {"q1/a", "q1/b", "q10/a", "q%/x", "q_/y", "r/z"})
    s->put("m", k, k);
  s->put("other", "q1/a", "kept");
  s->erase_prefix("m", "q1/");
  s->erase_prefix("m", "q%");  // not a LIKE pattern
  s->flush();
  EXPECT_EQ(records(*s, "m"), (Records{{"q10/a", "q10/a"}, {"q_/y", "q_/y"}, {"r/z", "r/z"}}));
  EXPECT_EQ(records(*s, "other"), (Records{{"q1/a", "kept"}}));
  s->erase_prefix("m", "");
  s->flush();
  EXPECT_EQ(records(*s, "m"), Records{});
}

TEST_F(SqliteStoreTest, operations_apply_in_the_order_they_were_emitted) {
  auto s = open();
  ASSERT_TRUE(s);
  s->put("k", "x", "1");
  s->erase("k", "x");
  s->put("k", "x", "2");
  s->erase_prefix("k", "x");
  s->put("k", "x", "3");
  s->flush();
  EXPECT_EQ(records(*s, "k"), (Records{{"x", "3"}}));
}

TEST_F(SqliteStoreTest, after_durable_runs_in_order_once_changes_are_committed) {
  auto s = open();
  ASSERT_TRUE(s);
  std::mutex mu;
  std::vector<int> order;
  std::promise<void> all_done;
  constexpr int kBarriers = 50;
  for (int i = 0; i < kBarriers; ++i) {
    s->put("k", "key" + std::to_string(i), "v");
    s->after_durable([&, i](Status st) {
      EXPECT_TRUE(st.ok());
      std::lock_guard lock(mu);
      order.push_back(i);
      if (order.size() == kBarriers) all_done.set_value();
    });
  }
  ASSERT_EQ(all_done.get_future().wait_for(10s), std::future_status::ready);
  std::vector<int> expected(kBarriers);
  for (int i = 0; i < kBarriers; ++i)
    expected[i] = i;
  EXPECT_EQ(order, expected);
  // What a barrier covered is on disk: another connection sees it after a reopen.
  s.reset();
  auto again = open();
  ASSERT_TRUE(again);
  EXPECT_EQ(records(*again, "k").size(), static_cast<std::size_t>(kBarriers));
}

// A write whose commit failed must fail the barrier enqueued after it even when that
// barrier lands alone in the next group commit, which succeeds: otherwise a request
// would be acknowledged for a change that is not on disk.
TEST_F(SqliteStoreTest, a_barrier_fails_for_an_earlier_failed_write_committed_in_another_batch) {
  auto s = open();
  ASSERT_TRUE(s);
  sqlite3* other = nullptr;
  ASSERT_EQ(sqlite3_open(db_path().c_str(), &other), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(other, "BEGIN EXCLUSIVE", nullptr, nullptr, nullptr), SQLITE_OK);
  s->put("k", "lost", "v");
  // The writer has taken the put and waits (5 s) for the lock; the barrier comes later.
  std::this_thread::sleep_for(200ms);
  std::promise<Status> first;
  s->after_durable([&](Status st) { first.set_value(st); });
  auto st = first.get_future();
  ASSERT_EQ(st.wait_for(20s), std::future_status::ready);
  const Status got = st.get();
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.error().code, "ServiceUnavailable");
  EXPECT_NE(got.error().message.find("locked"), std::string::npos) << got.error().message;
  ASSERT_EQ(sqlite3_exec(other, "ROLLBACK", nullptr, nullptr, nullptr), SQLITE_OK);
  sqlite3_close(other);
  // A later write of this thread, committed, is not blamed for the old failure.
  s->put("k", "kept", "v");
  std::promise<Status> second;
  s->after_durable([&](Status st2) { second.set_value(st2); });
  auto st2 = second.get_future();
  ASSERT_EQ(st2.wait_for(10s), std::future_status::ready);
  EXPECT_TRUE(st2.get().ok());
  EXPECT_EQ(records(*s, "k"), (Records{{"kept", "v"}}));
}

TEST_F(SqliteStoreTest, records_survive_reopen) {
  {
    auto s = open();
    ASSERT_TRUE(s);
    s->put("sqs.queue", "q", "{\"name\":\"q\"}");
    s->put("sqs.message", "q/1", "m1");
    s->flush();
  }
  auto s = open();
  ASSERT_TRUE(s);
  EXPECT_EQ(records(*s, "sqs.queue"), (Records{{"q", "{\"name\":\"q\"}"}}));
  EXPECT_EQ(records(*s, "sqs.message"), (Records{{"q/1", "m1"}}));
}

TEST_F(SqliteStoreTest, scan_streams_records_in_key_order_and_survives_a_throwing_reader) {
  auto s = open();
  ASSERT_TRUE(s);
  for (const char* key : {"b", "a", "c"})
    s->put("k", key, std::string("v") + key);
  s->flush();
  std::string seen;
  ASSERT_TRUE(s->scan("k", [&](std::string_view key, std::string_view value) {
                 seen += std::string(key) + "=" + std::string(value) + ";";
               }).ok());
  EXPECT_EQ(seen, "a=va;b=vb;c=vc;");
  // A reader that throws (a record it cannot parse) leaves the store usable.
  EXPECT_THROW((void)s->scan("k", [](std::string_view, std::string_view) { throw 1; }), int);
  s->put("k", "d", "vd");
  s->flush();
  EXPECT_EQ(records(*s, "k").size(), 4u);
}

TEST_F(SqliteStoreTest, an_older_database_with_4k_pages_is_rebuilt_with_8k_pages_once) {
  {
    auto s = open();
    ASSERT_TRUE(s);
    for (int i = 0; i < 200; ++i)
      s->put("sqs.message", "q|" + std::to_string(1000 + i), std::string(1300, 'x'));
    s->flush();
  }
  // A pragma's answer, read through a connection of its own.
  auto pragma = [&](const char* sql) {
    sqlite3* db = nullptr;
    EXPECT_EQ(sqlite3_open(db_path().c_str(), &db), SQLITE_OK);
    sqlite3_stmt* stmt = nullptr;
    sqlite3_prepare_v2(db, sql, -1, &stmt, nullptr);
    sqlite3_step(stmt);
    const auto* text = sqlite3_column_text(stmt, 0);
    std::string answer = text ? reinterpret_cast<const char*>(text) : "";
    sqlite3_finalize(stmt);
    sqlite3_close(db);
    return answer;
  };
  auto page_size = [&] { return std::stoi(pragma("PRAGMA page_size")); };
  EXPECT_EQ(page_size(), 8192);
  {
    // What older versions created: 4 KiB pages.
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(db_path().c_str(), &db), SQLITE_OK);
    ASSERT_EQ(sqlite3_exec(db,
                           "PRAGMA journal_mode=DELETE; PRAGMA page_size=4096; VACUUM; "
                           "PRAGMA journal_mode=WAL;",
                           nullptr, nullptr, nullptr),
              SQLITE_OK);
    sqlite3_close(db);
  }
  ASSERT_EQ(page_size(), 4096);
  auto s = open();
  ASSERT_TRUE(s);
  EXPECT_EQ(page_size(), 8192);
  EXPECT_EQ(pragma("PRAGMA journal_mode"), "wal");
  auto all = records(*s, "sqs.message");
  ASSERT_EQ(all.size(), 200u);
  EXPECT_EQ(all.front(), (std::pair<std::string, std::string>{"q|1000", std::string(1300, 'x')}));
  s->put("sqs.message", "q|2000", "after");  // and it is writable in WAL mode again
  s->flush();
  EXPECT_EQ(records(*s, "sqs.message").size(), 201u);
}

TEST_F(SqliteStoreTest, unflushed_records_are_committed_on_close) {
  {
    auto s = open();
    ASSERT_TRUE(s);
    for (int i = 0; i < 100; ++i)
      s->put("k", std::to_string(i), "v");
  }
  auto s = open();
  ASSERT_TRUE(s);
  EXPECT_EQ(records(*s, "k").size(), 100u);
}

TEST_F(SqliteStoreTest, many_puts_from_many_threads_are_group_committed) {
  // With synchronous=FULL one fsync per put would take minutes on a slow disk; group
  // commit makes 20,000 puts from 4 threads, each followed by a barrier, a few batches.
  auto s = open();
  ASSERT_TRUE(s);
  constexpr int kThreads = 4;
  constexpr int kPerThread = 5000;
  std::atomic<int> durable{0};
  const auto started = std::chrono::steady_clock::now();
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        s->put("m", std::to_string(t) + "/" + std::to_string(i), std::string(100, 'x'));
        s->after_durable([&](Status st) {
          if (st.ok()) durable.fetch_add(1);
        });
      }
    });
  }
  for (auto& th : threads)
    th.join();
  s->flush();
  EXPECT_EQ(durable.load(), kThreads * kPerThread);
  EXPECT_LT(std::chrono::steady_clock::now() - started, 20s);
  EXPECT_EQ(records(*s, "m").size(), static_cast<std::size_t>(kThreads * kPerThread));
}

TEST_F(SqliteStoreTest, data_dir_is_created_owner_only) {
  auto s = open();
  ASSERT_TRUE(s);
  struct stat st {};
  ASSERT_EQ(::stat(dir_.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700u);
  ASSERT_EQ(::stat(db_path().c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0077, 0u) << "the database holds every message; others may not read it";
}

TEST_F(SqliteStoreTest, an_existing_data_dir_keeps_its_permissions) {
  // `--data-dir /tmp` or `--data-dir .` must not chmod a directory other people use.
  fs::create_directories(dir_);
  ASSERT_EQ(::chmod(dir_.c_str(), 0755), 0);
  auto s = open();
  ASSERT_TRUE(s);
  struct stat st {};
  ASSERT_EQ(::stat(dir_.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0755u);
}

TEST_F(SqliteStoreTest, a_data_dir_that_cannot_be_created_is_reported) {
  std::ofstream(root_ / "a-file") << "x";
  dir_ = (root_ / "a-file" / "data").string();
  const std::string msg = open_error();
  EXPECT_NE(msg.find("cannot create"), std::string::npos) << msg;
}

TEST_F(SqliteStoreTest, a_file_that_is_not_a_database_is_refused_with_advice) {
  fs::create_directories(dir_);
  {
    std::ofstream out(db_path(), std::ios::binary);
    for (int i = 0; i < 2000; ++i)
      out << "this is not an sqlite database ";
  }
  const std::string msg = open_error();
  EXPECT_NE(msg.find(db_path()), std::string::npos) << msg;
  EXPECT_NE(msg.find("move it aside"), std::string::npos) << msg;
}

TEST_F(SqliteStoreTest, a_damaged_database_is_refused_at_open) {
  {
    auto s = open();
    ASSERT_TRUE(s);
    for (int i = 0; i < 3000; ++i)
      s->put("m", "key-" + std::to_string(i), std::string(200, 'v'));
    s->flush();
  }
  // Scribble over the b-tree pages after the first two (the header and schema stay
  // intact, so the file still opens as a database).
  const auto size = fs::file_size(db_path());
  ASSERT_GT(size, 16u * 4096u);
  {
    std::fstream f(db_path(), std::ios::in | std::ios::out | std::ios::binary);
    std::mt19937 rng(7);
    for (std::uintmax_t page = 3; page * 4096 < size; page += 2) {
      f.seekp(static_cast<std::streamoff>(page * 4096 + 8));
      for (int i = 0; i < 256; ++i)
        f.put(static_cast<char>(rng()));
    }
  }
  const std::string msg = open_error();
  EXPECT_NE(msg.find("move it aside"), std::string::npos) << msg;
}

TEST_F(SqliteStoreTest, a_schema_newer_than_this_build_is_refused) {
  {
    auto s = open();
    ASSERT_TRUE(s);
    s->put("k", "a", "b");
  }
  {
    // PRAGMA user_version lives at byte 60 of the database header (big-endian).
    std::fstream f(db_path(), std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(60);
    const char v[4] = {0, 0, 0, 99};
    f.write(v, 4);
  }
  const std::string msg = open_error();
  EXPECT_NE(msg.find("version 99"), std::string::npos) << msg;
  EXPECT_NE(msg.find("newer"), std::string::npos) << msg;
}

TEST_F(SqliteStoreTest, a_data_dir_in_use_by_another_store_is_refused) {
  auto first = open();
  ASSERT_TRUE(first);
  const std::string msg = open_error();
  EXPECT_NE(msg.find("another sluice"), std::string::npos) << msg;
  first.reset();
  EXPECT_TRUE(open());
}

TEST(NullStore, barriers_complete_at_once_and_nothing_is_kept) {
  NullStore s;
  EXPECT_FALSE(s.persistent());
  s.put("k", "a", "b");
  bool done = false;
  s.after_durable([&](Status st) { done = st.ok(); });
  EXPECT_TRUE(done);
  auto r = s.load("k");
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->empty());
  s.flush();
}

}  // namespace
}  // namespace sluice::store
