// The SQLite store: WAL journal, numbered migrations (PRAGMA user_version), and one
// writer thread that commits everything emitted since its last commit in one
// transaction (group commit), then releases the barriers waiting on it.
#include <fcntl.h>
#include <sqlite3.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <condition_variable>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <utility>
#include <vector>

#include "sluice/common/log.hpp"
#include "sluice/store/store.hpp"

namespace sluice::store {

namespace {

// Each migration moves the schema from version i to i+1. Never edit a released one.
const char* const kMigrations[] = {
    // 1: keyed records grouped by kind.
    "CREATE TABLE records (kind TEXT NOT NULL, key TEXT NOT NULL, value BLOB NOT NULL,"
    " PRIMARY KEY (kind, key)) WITHOUT ROWID;",
};

struct Op {
  enum Kind { kPut, kErase, kErasePrefix, kBarrier } kind;
  std::string record_kind;
  std::string key;
  std::string value;
  std::function<void(Status)> done;
  std::uint64_t seq = 0;   // enqueue order
  std::uint64_t from = 0;  // barrier: first write its thread enqueued since its last barrier
};

// A write that failed to commit, for the barriers enqueued after it.
struct FailedRange {
  std::uint64_t first, last;
  std::string message;
};

// Per thread and store: the first write enqueued since the thread's last barrier. A
// handler enqueues its writes and then its barrier on one thread, so a barrier answers
// for the writes in [from, seq): if any of them failed in an earlier group commit, the
// barrier fails too, even though its own batch (perhaps only the barrier) committed.
std::uint64_t& first_unbarriered_write(const void* store) {
  thread_local std::vector<std::pair<const void*, std::uint64_t>> firsts;
  for (auto& [s, first] : firsts)
    if (s == store) return first;
  firsts.emplace_back(store, 0);
  return firsts.back().second;
}

// SQLite's mmap for as long as the object lives.
class MmapWhile {
 public:
  explicit MmapWhile(sqlite3* db) : db_(db) {
    sqlite3_exec(db_, "PRAGMA mmap_size=2147418112", nullptr, nullptr, nullptr);
  }
  ~MmapWhile() { sqlite3_exec(db_, "PRAGMA mmap_size=0", nullptr, nullptr, nullptr); }
  MmapWhile(const MmapWhile&) = delete;
  MmapWhile& operator=(const MmapWhile&) = delete;

 private:
  sqlite3* db_;
};

class SqliteStore final : public Store {
 public:
  SqliteStore(sqlite3* db, std::string path, int lock_fd)
      : db_(db), path_(std::move(path)), lock_fd_(lock_fd) {
    writer_ = std::thread([this] { run(); });
  }

  ~SqliteStore() override {
    {
      std::lock_guard lock(mu_);
      stopping_ = true;
      cv_.notify_all();
    }
    writer_.join();
    for (auto* s : {put_, erase_, erase_prefix_, begin_, commit_, rollback_})
      if (s) sqlite3_finalize(s);
    sqlite3_close(db_);
    ::close(lock_fd_);  // releases the data dir for the next sluice
  }

  Status prepare() {
    auto prep = [this](const char* sql, sqlite3_stmt** out) {
      return sqlite3_prepare_v3(db_, sql, -1, SQLITE_PREPARE_PERSISTENT, out, nullptr) == SQLITE_OK;
    };
    if (!prep("INSERT INTO records(kind, key, value) VALUES(?1, ?2, ?3) ON CONFLICT(kind, key)"
              " DO UPDATE SET value = excluded.value",
              &put_) ||
        !prep("DELETE FROM records WHERE kind = ?1 AND key = ?2", &erase_) ||
        !prep("DELETE FROM records WHERE kind = ?1 AND substr(key, 1, length(?2)) = ?2",
              &erase_prefix_) ||
        !prep("BEGIN IMMEDIATE", &begin_) || !prep("COMMIT", &commit_) ||
        !prep("ROLLBACK", &rollback_)) {
      return Error::internal(std::string("cannot prepare statements: ") + sqlite3_errmsg(db_));
    }
    return ok_status();
  }

  void put(std::string_view kind, std::string key, std::string value) override {
    enqueue(Op{Op::kPut, std::string(kind), std::move(key), std::move(value), {}});
  }
  void erase(std::string_view kind, std::string key) override {
    enqueue(Op{Op::kErase, std::string(kind), std::move(key), {}, {}});
  }
  void erase_prefix(std::string_view kind, std::string prefix) override {
    enqueue(Op{Op::kErasePrefix, std::string(kind), std::move(prefix), {}, {}});
  }
  void after_durable(std::function<void(Status)> done) override {
    enqueue(Op{Op::kBarrier, {}, {}, {}, std::move(done)});
  }

  Status scan(std::string_view kind, const ScanFn& fn) override {
    std::lock_guard db_lock(db_mu_);
    sqlite3_stmt* stmt = nullptr;
    if (sqlite3_prepare_v2(db_, "SELECT key, value FROM records WHERE kind = ?1 ORDER BY key", -1,
                           &stmt, nullptr) != SQLITE_OK) {
      return Error::internal(std::string("cannot read the store: ") + sqlite3_errmsg(db_));
    }
    // Read through a memory map while scanning: no copy of every page into SQLite's
    // cache (a data dir of a million messages is over a gigabyte). Only for the scan,
    // which runs at startup: an I/O error under a map is a signal, not an error code.
    // Declared before the statement's guard so that the statement is finalized first:
    // SQLite keeps a map that pages are still taken from.
    MmapWhile mmap(db_);
    // `fn` may throw (a record it cannot read); the statement is finalized either way.
    std::unique_ptr<sqlite3_stmt, int (*)(sqlite3_stmt*)> guard(stmt, sqlite3_finalize);
    sqlite3_bind_text(stmt, 1, kind.data(), static_cast<int>(kind.size()), SQLITE_TRANSIENT);
    int rc;
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
      std::string_view key(reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0)),
                           static_cast<std::size_t>(sqlite3_column_bytes(stmt, 0)));
      const void* blob = sqlite3_column_blob(stmt, 1);
      std::string_view value(static_cast<const char*>(blob),
                             static_cast<std::size_t>(sqlite3_column_bytes(stmt, 1)));
      fn(key, value);
    }
    if (rc != SQLITE_DONE)
      return Error::internal(std::string("cannot read the store: ") + sqlite3_errmsg(db_));
    return ok_status();
  }

  void flush() override {
    std::mutex m;
    std::condition_variable cv;
    bool done = false;
    after_durable([&](Status) {
      std::lock_guard lock(m);
      done = true;
      cv.notify_all();
    });
    std::unique_lock lock(m);
    cv.wait(lock, [&] { return done; });
  }

  bool persistent() const override { return true; }

 private:
  void enqueue(Op op) {
    std::uint64_t& first = first_unbarriered_write(this);
    std::lock_guard lock(mu_);
    op.seq = ++seq_;
    if (op.kind == Op::kBarrier) {
      op.from = first != 0 ? first : op.seq;
      first = 0;
    } else if (first == 0) {
      first = op.seq;
    }
    pending_.push_back(std::move(op));
    cv_.notify_one();
  }

  // The failure of an earlier commit that covered one of [from, seq), if any.
  const FailedRange* failed_write_in(std::uint64_t from, std::uint64_t seq) const {
    for (auto it = failed_.rbegin(); it != failed_.rend(); ++it) {
      if (it->last < from) break;  // ranges are in commit (= seq) order
      if (it->first < seq) return &*it;
    }
    return nullptr;
  }

  bool step_op(const Op& op) {
    sqlite3_stmt* s = nullptr;
    switch (op.kind) {
      case Op::kPut:
        s = put_;
        break;
      case Op::kErase:
        s = erase_;
        break;
      case Op::kErasePrefix:
        s = erase_prefix_;
        break;
      case Op::kBarrier:
        return true;
    }
    sqlite3_reset(s);
    sqlite3_bind_text(s, 1, op.record_kind.data(), static_cast<int>(op.record_kind.size()),
                      SQLITE_STATIC);
    sqlite3_bind_text(s, 2, op.key.data(), static_cast<int>(op.key.size()), SQLITE_STATIC);
    if (op.kind == Op::kPut)
      sqlite3_bind_blob(s, 3, op.value.data(), static_cast<int>(op.value.size()), SQLITE_STATIC);
    const int rc = sqlite3_step(s);
    sqlite3_reset(s);
    return rc == SQLITE_DONE;
  }

  bool exec(sqlite3_stmt* s) {
    sqlite3_reset(s);
    const int rc = sqlite3_step(s);
    sqlite3_reset(s);
    return rc == SQLITE_DONE;
  }

  void run() {
    std::deque<Op> batch;
    for (;;) {
      {
        std::unique_lock lock(mu_);
        cv_.wait(lock, [this] { return stopping_ || !pending_.empty(); });
        if (pending_.empty() && stopping_) return;
        batch.swap(pending_);
      }
      Status status = ok_status();
      bool has_writes = false;
      for (const auto& op : batch)
        has_writes = has_writes || op.kind != Op::kBarrier;
      if (has_writes) {
        std::lock_guard db_lock(db_mu_);
        bool ok = exec(begin_);
        for (const auto& op : batch) {
          if (!ok) break;
          ok = step_op(op);
        }
        if (ok) ok = exec(commit_);
        if (!ok) {
          const std::string msg = sqlite3_errmsg(db_);
          exec(rollback_);
          logger("store")->error("commit to {} failed: {}", path_, msg);
          status = Error::unavailable("The change could not be made durable: " + msg);
          std::uint64_t first = 0, last = 0;
          for (const auto& op : batch) {
            if (op.kind == Op::kBarrier) continue;
            if (first == 0) first = op.seq;
            last = op.seq;
          }
          failed_.push_back({first, last, msg});
          if (failed_.size() > 4096) failed_.pop_front();
        }
      }
      for (auto& op : batch) {
        if (op.kind != Op::kBarrier || !op.done) continue;
        if (!status.ok()) {
          op.done(status);
        } else if (const FailedRange* f = failed_write_in(op.from, op.seq)) {
          op.done(Error::unavailable("The change could not be made durable: " + f->message));
        } else {
          op.done(status);
        }
      }
      batch.clear();
    }
  }

  sqlite3* db_;
  std::string path_;
  int lock_fd_;
  std::mutex db_mu_;
  sqlite3_stmt* put_ = nullptr;
  sqlite3_stmt* erase_ = nullptr;
  sqlite3_stmt* erase_prefix_ = nullptr;
  sqlite3_stmt* begin_ = nullptr;
  sqlite3_stmt* commit_ = nullptr;
  sqlite3_stmt* rollback_ = nullptr;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Op> pending_;
  std::uint64_t seq_ = 0;           // under mu_
  std::deque<FailedRange> failed_;  // writer thread only
  bool stopping_ = false;
  std::thread writer_;
};

Status exec_sql(sqlite3* db, const std::string& sql) {
  char* err = nullptr;
  if (sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
    std::string msg = err ? err : sqlite3_errmsg(db);
    sqlite3_free(err);
    return Error::internal(msg);
  }
  return ok_status();
}

// The first column of a statement's first row (a pragma's answer); nullopt when the
// statement fails or has no row.
std::optional<std::string> pragma_text(sqlite3* db, const std::string& sql) {
  sqlite3_stmt* stmt = nullptr;
  std::optional<std::string> answer;
  if (sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr) == SQLITE_OK &&
      sqlite3_step(stmt) == SQLITE_ROW) {
    const auto* text = sqlite3_column_text(stmt, 0);
    answer = text ? reinterpret_cast<const char*>(text) : "";
  }
  sqlite3_finalize(stmt);
  return answer;
}

// -1 when the pragma cannot be read.
int pragma_int(sqlite3* db, const char* sql) {
  auto answer = pragma_text(db, sql);
  return answer ? std::atoi(answer->c_str()) : -1;
}

Status migrate(sqlite3* db) {
  const int version = pragma_int(db, "PRAGMA user_version");
  if (version < 0) return Error::internal(sqlite3_errmsg(db));
  const int latest = static_cast<int>(std::size(kMigrations));
  if (version > latest) {
    return Error::internal("the database schema (version " + std::to_string(version) +
                           ") is newer than this sluice understands (" + std::to_string(latest) +
                           "); use a newer sluice or another data dir");
  }
  for (int v = version; v < latest; ++v) {
    SLUICE_TRY(exec_sql(db, std::string("BEGIN IMMEDIATE; ") + kMigrations[v] +
                                " PRAGMA user_version = " + std::to_string(v + 1) + "; COMMIT;"));
  }
  return ok_status();
}

// Records are rows of a WITHOUT ROWID table, which keeps a row whole on its page only up
// to about a quarter of the page: with 4 KiB pages a 1 KiB message (1.3 KiB as a record)
// spilled into an overflow page of its own, tripling the file and the time to read it
// back. 8 KiB pages keep records up to about 2 KiB inline. New databases get them before
// anything is written; an older one is rebuilt once (VACUUM, in rollback-journal mode,
// which is the only mode that can change the page size).
constexpr int kPageSize = 8192;

// PRAGMA journal_mode answers with the mode in force, which is the old one when the
// change was refused (another connection has the file open).
std::string set_journal_mode(sqlite3* db, const char* mode) {
  return pragma_text(db, std::string("PRAGMA journal_mode=") + mode).value_or("");
}

Status convert_page_size(sqlite3* db, const std::string& path) {
  if (pragma_int(db, "PRAGMA page_size") >= kPageSize) return ok_status();
  auto log = logger("store");
  if (set_journal_mode(db, "DELETE") != "delete") {
    log->warn("{} keeps its {}-byte pages: it is open elsewhere, so it cannot be rebuilt", path,
              pragma_int(db, "PRAGMA page_size"));
  } else {
    log->info("rebuilding {} with {}-byte pages (once; this can take a minute)", path, kPageSize);
    Status st = exec_sql(db, "PRAGMA page_size=" + std::to_string(kPageSize) + "; VACUUM;");
    if (!st.ok() || pragma_int(db, "PRAGMA page_size") < kPageSize)
      log->warn("could not rebuild {} ({}); it keeps its page size and works as before", path,
                st.ok() ? "the page size did not change" : st.error().message);
  }
  if (set_journal_mode(db, "WAL") != "wal")
    return Error::internal("cannot switch " + path + " back to WAL mode");
  return ok_status();
}

// PRAGMA quick_check answers with rows ("ok", or one row per problem found), not with an
// error code, so its answer has to be read.
Status check_integrity(sqlite3* db) {
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_prepare_v2(db, "PRAGMA quick_check(1)", -1, &stmt, nullptr) != SQLITE_OK)
    return Error::internal(sqlite3_errmsg(db));
  std::string answer;
  const int rc = sqlite3_step(stmt);
  if (rc == SQLITE_ROW) {
    const auto* text = sqlite3_column_text(stmt, 0);
    answer = text ? reinterpret_cast<const char*>(text) : "";
  } else {
    answer = sqlite3_errmsg(db);
  }
  sqlite3_finalize(stmt);
  if (rc != SQLITE_ROW || answer != "ok")
    return Error::internal("the database failed its integrity check (" + answer + ")");
  return ok_status();
}

}  // namespace

Result<std::unique_ptr<Store>> open_sqlite_store(const std::string& data_dir) {
  namespace fs = std::filesystem;
  std::error_code ec;
  const bool existed = fs::exists(data_dir, ec);
  fs::create_directories(data_dir, ec);
  if (ec) return Error::internal("cannot create " + data_dir + ": " + ec.message());
  // Owner-only: the data dir holds every message. Only a directory we created: an
  // existing one (`--data-dir .`, `--data-dir /tmp`) may be shared and keeps its mode.
  if (!existed) ::chmod(data_dir.c_str(), 0700);

  // One sluice per data dir: two would each keep their own state in memory and overwrite
  // each other's records. The lock goes away with the process, however it ends.
  const std::string lock_path = (fs::path(data_dir) / "sluice.lock").string();
  const int lock_fd = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (lock_fd < 0) return Error::internal("cannot open " + lock_path + ": " + std::strerror(errno));
  if (::flock(lock_fd, LOCK_EX | LOCK_NB) != 0) {
    ::close(lock_fd);
    return Error::internal(data_dir + " is in use by another sluice (it holds " + lock_path +
                           "); stop it or choose another data dir.");
  }

  const std::string path = (fs::path(data_dir) / "sluice.db").string();
  // Create the database owner-only; SQLite would follow the umask (often 0644), and
  // its -wal and -shm files copy the database file's mode.
  if (const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600); fd >= 0) ::close(fd);
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr) !=
      SQLITE_OK) {
    std::string msg = db ? sqlite3_errmsg(db) : "out of memory";
    sqlite3_close(db);
    ::close(lock_fd);
    return Error::internal("cannot open " + path + ": " + msg);
  }
  sqlite3_busy_timeout(db, 5000);
  auto fail = [&](const std::string& what) -> Error {
    sqlite3_close(db);
    ::close(lock_fd);
    return Error::internal(path + ": " + what +
                           ". If the file is damaged, move it aside (keep a copy) and restart; "
                           "if another sluice uses this data dir, stop it or choose another.");
  };
  // page_size applies to a new, empty database only; see convert_page_size.
  if (auto st = exec_sql(db, "PRAGMA page_size=" + std::to_string(kPageSize) +
                                 "; PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;");
      !st.ok())
    return fail(st.error().message);
  auto integrity = [db] {
    MmapWhile mmap(db);
    return check_integrity(db);
  }();
  if (!integrity.ok()) return fail(integrity.error().message);
  if (auto st = migrate(db); !st.ok()) return fail(st.error().message);
  if (auto st = convert_page_size(db, path); !st.ok()) return fail(st.error().message);
  auto store = std::make_unique<SqliteStore>(db, path, lock_fd);
  if (auto st = store->prepare(); !st.ok()) return st.error();
  return std::unique_ptr<Store>(std::move(store));
}

}  // namespace sluice::store
