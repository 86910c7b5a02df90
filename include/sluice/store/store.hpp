#pragma once
// Persistence seen from the engines: a durable keyed record log. Engines emit
// put/erase of their own serialized records while they mutate memory (memory stays the
// source of truth for reads), then ask to be told when everything emitted so far is
// durable before they let the response go. Without --data-dir the NullStore makes every
// barrier complete at once.
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "sluice/common/result.hpp"

namespace sluice::store {

struct Record {
  std::string key;
  std::string value;
};

class Store {
 public:
  virtual ~Store() = default;
  // Records are grouped by `kind` ("sqs.queue", "sqs.message", ...); keys are unique
  // within a kind. Calls are ordered: a later put/erase of a key wins.
  virtual void put(std::string_view kind, std::string key, std::string value) = 0;
  virtual void erase(std::string_view kind, std::string key) = 0;
  // Erases every record of `kind` whose key starts with `prefix` ("" for all).
  virtual void erase_prefix(std::string_view kind, std::string prefix) = 0;
  // `done` runs (on the store's thread, or inline) once every change emitted before this
  // call is durable, or with an error if it could not be made durable.
  virtual void after_durable(std::function<void(Status)> done) = 0;
  // Calls `fn` with every record of a kind in key order, for restoring state at startup
  // (before serving). The views are valid during the call only; a data dir may hold
  // millions of records, which need not all be in memory at once.
  using ScanFn = std::function<void(std::string_view key, std::string_view value)>;
  virtual Status scan(std::string_view kind, const ScanFn& fn) = 0;
  // All records of a kind, for kinds small enough to hold at once.
  Result<std::vector<Record>> load(std::string_view kind) {
    std::vector<Record> out;
    SLUICE_TRY(scan(kind, [&out](std::string_view key, std::string_view value) {
      out.push_back({std::string(key), std::string(value)});
    }));
    return out;
  }
  // Blocks until everything emitted so far is durable (shutdown).
  virtual void flush() = 0;
  virtual bool persistent() const = 0;
};

class NullStore final : public Store {
 public:
  void put(std::string_view, std::string, std::string) override {}
  void erase(std::string_view, std::string) override {}
  void erase_prefix(std::string_view, std::string) override {}
  void after_durable(std::function<void(Status)> done) override { done(ok_status()); }
  Status scan(std::string_view, const ScanFn&) override { return ok_status(); }
  void flush() override {}
  bool persistent() const override { return false; }
};

// Opens (creating, migrating) `<data_dir>/sluice.db`. Fails with a message that says
// what to do when the file is corrupt, locked or not writable.
Result<std::unique_ptr<Store>> open_sqlite_store(const std::string& data_dir);

}  // namespace sluice::store
