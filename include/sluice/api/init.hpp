#pragma once
// Declarative init files (--init FILE|DIR): queues, topics with their subscriptions,
// activities and state machines created before the port opens. Parsing and validation
// (parse_init) are separate from creation (apply_init), which goes through the
// operations' own handlers, so an init file gets exactly the checks and errors an API
// call would. The schema is documented in docs/init.md.
#include <map>
#include <string>
#include <vector>

#include "sluice/api/dispatcher.hpp"
#include "sluice/common/result.hpp"

namespace sluice::api {

struct InitQueue {
  std::string name;
  std::map<std::string, std::string> attributes;  // AWS attribute names, string values
  std::map<std::string, std::string> tags;
  std::string dead_letter_queue;  // queue name or ARN; empty: none
  int max_receive_count = 10;
  std::string where;  // "queues[2] (jobs)", for errors
};

struct InitSubscription {
  std::string protocol;
  std::string endpoint;  // for sqs: a queue ARN (a queue name is resolved while parsing)
  std::map<std::string, std::string> attributes;  // incl. FilterPolicy, RawMessageDelivery...
  std::string where;
};

struct InitTopic {
  std::string name;
  std::map<std::string, std::string> attributes;
  std::map<std::string, std::string> tags;
  std::vector<InitSubscription> subscriptions;
  std::string where;
};

struct InitActivity {
  std::string name;
  std::map<std::string, std::string> tags;
  std::string where;
};

struct InitStateMachine {
  std::string name;
  std::string definition;  // ASL text
  std::string type = "STANDARD";
  std::string role_arn;  // empty: arn:aws:iam::<account>:role/sluice-init
  std::map<std::string, std::string> tags;
  std::string where;
};

// One init file, validated. Queues are in creation order (dead-letter queues first).
struct InitPlan {
  std::string source;  // file name, for messages
  std::string region;
  std::string account_id;
  std::vector<InitQueue> queues;
  std::vector<InitTopic> topics;
  std::vector<InitActivity> activities;
  std::vector<InitStateMachine> state_machines;
};

// Parses and validates one init file's text. `base_dir` resolves definition_file paths;
// region/account are the defaults when the file names none. Errors name the file and
// the place in it ("init file x.json: queues[1].attributes: ...").
Result<InitPlan> parse_init(const std::string& text, const std::string& source,
                            const std::string& base_dir, const std::string& default_region,
                            const std::string& default_account);

// The files behind one --init value: the file itself, or a directory's *.json files in
// name order.
Result<std::vector<std::string>> init_files(const std::string& path);

struct InitSummary {
  std::size_t files = 0, queues = 0, topics = 0, subscriptions = 0, activities = 0,
              state_machines = 0;
};

// Creates what the plan declares, or brings what already exists (restored from a data
// dir, or declared twice) to the declared attributes. Stops at the first failure.
Status apply_init(const Dispatcher& dispatcher, const InitPlan& plan, InitSummary& summary);

}  // namespace sluice::api
