// Queue lifecycle and metadata: create (idempotent), delete, list, attributes, purge,
// tags, permissions (the Policy document) and dead-letter source listing.
#include <algorithm>

#include <nlohmann/json.hpp>

#include "internal.hpp"
#include "sluice/common/encoding.hpp"

namespace sluice::services::sqs {

using detail::Completions;
using detail::Queue;
using Json = nlohmann::json;

namespace {

Error invalid_name(bool fifo) {
  if (fifo) {
    return Error::sender("InvalidParameterValue",
                         "The name of a FIFO queue can only include alphanumeric characters, "
                         "hyphens, or underscores, must end with .fifo suffix and be 1 to 80 in "
                         "length.");
  }
  return Error::sender("InvalidParameterValue",
                       "Can only include alphanumeric characters, hyphens, or underscores. 1 to "
                       "80 in length");
}

Status validate_tags(const TagMap& tags, std::size_t existing_count) {
  for (const auto& [k, v] : tags) {
    if (k.empty() || k.size() > 128)
      return Error::sender("InvalidParameterValue",
                           "Tag keys must be between 1 and 128 characters in length.");
    if (v.size() > 256)
      return Error::sender("InvalidParameterValue",
                           "Tag values must be between 0 and 256 characters in length.");
    if (k.rfind("aws:", 0) == 0)
      return Error::sender("InvalidParameterValue", "Tag keys must not start with 'aws:'.");
  }
  if (tags.size() + existing_count > 50)
    return Error::sender("InvalidParameterValue", "Too many tags added for queue.");
  return ok_status();
}

// Pagination tokens are opaque to clients: base64 of the last name returned.
Result<std::string> decode_token(const std::string& token) {
  if (token.empty()) return std::string();
  auto raw = base64_decode(token);
  if (!raw || raw->rfind("sqs:", 0) != 0)
    return Error::sender("InvalidParameterValue", "Invalid NextToken value.");
  return raw->substr(4);
}

Result<QueuePage> paginate(std::vector<QueueId> ids, std::optional<int> max_results,
                           const std::string& next_token) {
  if (max_results && (*max_results < 1 || *max_results > 1000)) {
    return Error::sender("InvalidParameterValue",
                         "Value " + std::to_string(*max_results) +
                             " for parameter MaxResults is invalid. Reason: MaxResults must be an "
                             "integer between 1 and 1000.");
  }
  auto after = decode_token(next_token);
  SLUICE_TRY(after);
  std::sort(ids.begin(), ids.end(),
            [](const QueueId& a, const QueueId& b) { return a.name < b.name; });
  QueuePage page;
  const std::size_t limit = static_cast<std::size_t>(max_results.value_or(1000));
  for (const auto& id : ids) {
    if (!after->empty() && id.name <= *after) continue;
    if (page.queues.size() == limit) {
      // Only paginated requests learn that there is more (AWS: NextToken needs MaxResults).
      if (max_results) page.next_token = base64_encode("sqs:" + page.queues.back().name);
      break;
    }
    page.queues.push_back(id);
  }
  return page;
}

const char* const kPermissionActions[] = {"*",
                                          "SendMessage",
                                          "ReceiveMessage",
                                          "DeleteMessage",
                                          "ChangeMessageVisibility",
                                          "GetQueueAttributes",
                                          "GetQueueUrl",
                                          "ListDeadLetterSourceQueues",
                                          "PurgeQueue",
                                          "ListQueueTags",
                                          "StartMessageMoveTask",
                                          "CancelMessageMoveTask",
                                          "ListMessageMoveTasks"};

}  // namespace

Status SqsEngine::create_queue(const QueueId& id, const AttributeMap& attributes,
                               const TagMap& tags) {
  bool fifo = false;
  if (auto it = attributes.find("FifoQueue"); it != attributes.end()) {
    const std::string v = ascii_lower(it->second);
    if (v != "true" && v != "false")
      return Error::sender("InvalidAttributeValue", "Invalid value for the parameter FifoQueue.");
    fifo = v == "true";
  }
  if (!detail::valid_queue_name(id.name, fifo)) return invalid_name(fifo);
  SLUICE_TRY(validate_tags(tags, 0));

  std::lock_guard lock(mu_);
  const TimeMs now = runtime_.clock.now_ms();
  if (Queue* existing = find_queue(id)) {
    // AWS: CreateQueue is idempotent when every given attribute equals the queue's.
    Queue probe;
    probe.id = existing->id;
    probe.arn = existing->arn;
    probe.config = existing->config;
    SLUICE_TRY(apply_attributes(probe, attributes, true));
    const AttributeMap have = all_attributes(*existing);
    const AttributeMap want = all_attributes(probe);
    for (const auto& [name, value] : attributes) {
      (void)value;
      auto h = have.find(name);
      auto w = want.find(name);
      const std::string hv = h == have.end() ? "" : h->second;
      const std::string wv = w == want.end() ? "" : w->second;
      if (hv != wv) {
        return Error::sender("QueueNameExists",
                             "A queue already exists with the same name and a different value "
                             "for attribute " +
                                 name);
      }
    }
    if (existing->config.fifo != fifo) {
      return Error::sender("QueueNameExists",
                           "A queue already exists with the same name and a different value for "
                           "attribute FifoQueue");
    }
    return ok_status();
  }
  if (auto it = deleted_at_.find(id.key()); it != deleted_at_.end()) {
    if (now - it->second < detail::kQueueRecreateDelayMs) {
      return Error::sender("QueueDeletedRecently",
                           "You must wait 60 seconds after deleting a queue before you can create "
                           "another with the same name.");
    }
    deleted_at_.erase(it);
    runtime_.store.erase("sqs.deleted", id.key());
  }
  auto q = std::make_unique<Queue>();
  q->id = id;
  q->key = id.key();
  q->arn = id.arn();
  q->generation = next_generation_++;
  q->config.fifo = fifo;
  SLUICE_TRY(apply_attributes(*q, attributes, true));
  q->created_ms = now;
  q->modified_ms = now;
  q->tags = tags;
  persist_queue(*q);
  queues_.emplace(q->key, std::move(q));
  return ok_status();
}

Status SqsEngine::delete_queue(const QueueId& id) {
  Completions out;
  {
    std::lock_guard lock(mu_);
    auto q = require_queue(id);
    SLUICE_TRY(q);
    const std::string key = (*q)->key;
    drop_queue(**q, out);
    runtime_.store.erase("sqs.queue", key);
    runtime_.store.erase_prefix("sqs.message", key + "|");
    runtime_.store.erase_prefix("sqs.msgstate", key + "|");
    runtime_.store.erase_prefix("sqs.dedup", key + "|");
    runtime_.store.erase_prefix("sqs.attempt", key + "|");
    queues_.erase(key);
    deleted_at_[key] = runtime_.clock.now_ms();
    if (runtime_.store.persistent())
      runtime_.store.put("sqs.deleted", key, std::to_string(deleted_at_[key]));
  }
  run(out);
  return ok_status();
}

Result<QueuePage> SqsEngine::list_queues(const std::string& region, const std::string& account,
                                         const std::string& prefix, std::optional<int> max_results,
                                         const std::string& next_token) {
  std::vector<QueueId> ids;
  {
    std::lock_guard lock(mu_);
    for (const auto& [key, q] : queues_) {
      if (q->id.region == region && q->id.account == account &&
          q->id.name.compare(0, prefix.size(), prefix) == 0)
        ids.push_back(q->id);
    }
  }
  return paginate(std::move(ids), max_results, next_token);
}

Result<AttributeMap> SqsEngine::get_queue_attributes(const QueueId& id,
                                                     const std::vector<std::string>& names) {
  for (const auto& n : names)
    if (!detail::is_known_attribute(n))
      return Error::sender("InvalidAttributeName", "Unknown Attribute " + n + ".");
  std::lock_guard lock(mu_);
  auto q = require_queue(id);
  SLUICE_TRY(q);
  refresh(**q, runtime_.clock.now_ms());
  AttributeMap all = all_attributes(**q);
  if (std::find(names.begin(), names.end(), "All") != names.end()) return all;
  AttributeMap out;
  for (const auto& n : names)
    if (auto it = all.find(n); it != all.end()) out[n] = it->second;
  return out;
}

Status SqsEngine::set_queue_attributes(const QueueId& id, const AttributeMap& attributes) {
  std::lock_guard lock(mu_);
  auto q = require_queue(id);
  SLUICE_TRY(q);
  const TimeMs now = runtime_.clock.now_ms();
  refresh(**q, now);
  SLUICE_TRY(apply_attributes(**q, attributes, false));
  (*q)->modified_ms = now;
  persist_queue(**q);
  refresh(**q, now);  // a shorter retention period takes effect at once
  arm(**q);
  return ok_status();
}

Status SqsEngine::purge_queue(const QueueId& id) {
  std::lock_guard lock(mu_);
  auto found = require_queue(id);
  SLUICE_TRY(found);
  Queue& q = **found;
  const TimeMs now = runtime_.clock.now_ms();
  if (q.last_purge_ms >= 0 && now - q.last_purge_ms < detail::kPurgeIntervalMs) {
    return Error::sender("PurgeQueueInProgress", "Only one PurgeQueue operation on " + q.id.name +
                                                     " is allowed every 60 seconds.");
  }
  q.last_purge_ms = now;
  q.messages.clear();
  q.visible.clear();
  q.pending.clear();
  q.by_age.clear();
  q.delayed = 0;
  q.in_flight = 0;
  q.groups.clear();
  q.group_heads.clear();
  q.attempts.clear();
  runtime_.store.erase_prefix("sqs.attempt", q.key + "|");
  // AWS: purging also clears the FIFO deduplication window.
  q.dedup.clear();
  q.dedup_expiry.clear();
  runtime_.store.erase_prefix("sqs.dedup", q.key + "|");
  runtime_.store.erase_prefix("sqs.message", q.key + "|");
  runtime_.store.erase_prefix("sqs.msgstate", q.key + "|");
  persist_queue(q);
  return ok_status();
}

Result<TagMap> SqsEngine::list_queue_tags(const QueueId& id) {
  std::lock_guard lock(mu_);
  auto q = require_queue(id);
  SLUICE_TRY(q);
  return (*q)->tags;
}

Status SqsEngine::tag_queue(const QueueId& id, const TagMap& tags) {
  std::lock_guard lock(mu_);
  auto q = require_queue(id);
  SLUICE_TRY(q);
  std::size_t existing = 0;
  for (const auto& [k, v] : (*q)->tags)
    if (!tags.count(k)) ++existing;
  SLUICE_TRY(validate_tags(tags, existing));
  for (const auto& [k, v] : tags)
    (*q)->tags[k] = v;
  persist_queue(**q);
  return ok_status();
}

Status SqsEngine::untag_queue(const QueueId& id, const std::vector<std::string>& keys) {
  std::lock_guard lock(mu_);
  auto q = require_queue(id);
  SLUICE_TRY(q);
  for (const auto& k : keys)
    (*q)->tags.erase(k);
  persist_queue(**q);
  return ok_status();
}

Status SqsEngine::add_permission(const QueueId& id, const std::string& label,
                                 const std::vector<std::string>& accounts,
                                 const std::vector<std::string>& actions) {
  std::lock_guard lock(mu_);
  auto found = require_queue(id);
  SLUICE_TRY(found);
  Queue& q = **found;
  bool label_ok = !label.empty() && label.size() <= 80;
  for (char c : label)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_')) label_ok = false;
  if (!label_ok) {
    return Error::sender(
        "InvalidParameterValue",
        "Value " + label +
            " for parameter Label is invalid. Reason: Can only include "
            "alphanumeric characters, hyphens, or underscores. 1 to 80 in length.");
  }
  if (accounts.empty())
    return Error::sender("MissingParameter",
                         "The request must contain the parameter AWSAccountId.");
  if (actions.empty())
    return Error::sender("MissingParameter", "The request must contain the parameter ActionName.");
  Json principals = Json::array();
  for (const auto& a : accounts)
    principals.push_back("arn:aws:iam::" + a + ":root");
  Json action_list = Json::array();
  for (const auto& a : actions) {
    const std::string bare = a.rfind("SQS:", 0) == 0 ? a.substr(4) : a;
    bool known = false;
    for (const char* k : kPermissionActions)
      if (bare == k) known = true;
    if (!known) {
      return Error::sender("InvalidParameterValue",
                           "Value SQS:" + bare +
                               " for parameter ActionName is invalid. Reason: Only the queue "
                               "owner is allowed to invoke this action.");
    }
    action_list.push_back("SQS:" + bare);
  }
  Json policy =
      q.config.policy.empty() ? Json::object() : Json::parse(q.config.policy, nullptr, false);
  if (policy.is_discarded() || !policy.is_object()) policy = Json::object();
  if (!policy.contains("Version")) policy["Version"] = "2012-10-17";
  if (!policy.contains("Id")) policy["Id"] = q.arn + "/SQSDefaultPolicy";
  Json& statements = policy["Statement"];
  if (!statements.is_array()) statements = Json::array();
  for (const auto& s : statements) {
    if (s.is_object() && s.value("Sid", "") == label) {
      return Error::sender(
          "InvalidParameterValue",
          "Value " + label + " for parameter Label is invalid. Reason: Already exists.");
    }
  }
  Json statement = {{"Sid", label},
                    {"Effect", "Allow"},
                    {"Principal", {{"AWS", principals.size() == 1 ? principals[0] : principals}}},
                    {"Action", action_list.size() == 1 ? action_list[0] : action_list},
                    {"Resource", q.arn}};
  statements.push_back(std::move(statement));
  q.config.policy = policy.dump();
  q.modified_ms = runtime_.clock.now_ms();
  persist_queue(q);
  return ok_status();
}

Status SqsEngine::remove_permission(const QueueId& id, const std::string& label) {
  std::lock_guard lock(mu_);
  auto found = require_queue(id);
  SLUICE_TRY(found);
  Queue& q = **found;
  Json policy = q.config.policy.empty() ? Json() : Json::parse(q.config.policy, nullptr, false);
  bool removed = false;
  if (policy.is_object() && policy.contains("Statement") && policy["Statement"].is_array()) {
    Json kept = Json::array();
    for (const auto& s : policy["Statement"]) {
      if (s.is_object() && s.value("Sid", "") == label) {
        removed = true;
      } else {
        kept.push_back(s);
      }
    }
    policy["Statement"] = kept;
  }
  if (!removed) {
    return Error::sender(
        "InvalidParameterValue",
        "Value " + label + " for parameter Label is invalid. Reason: can't find label.");
  }
  q.config.policy = policy["Statement"].empty() ? std::string() : policy.dump();
  q.modified_ms = runtime_.clock.now_ms();
  persist_queue(q);
  return ok_status();
}

Result<QueuePage> SqsEngine::list_dead_letter_source_queues(const QueueId& id,
                                                            std::optional<int> max_results,
                                                            const std::string& next_token) {
  std::vector<QueueId> ids;
  {
    std::lock_guard lock(mu_);
    auto q = require_queue(id);
    SLUICE_TRY(q);
    const std::string arn = (*q)->arn;
    for (const auto& [key, source] : queues_)
      if (source->config.redrive_target_arn == arn) ids.push_back(source->id);
  }
  return paginate(std::move(ids), max_results, next_token);
}

}  // namespace sluice::services::sqs
