#include "sluice/api/init.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <future>
#include <set>
#include <sstream>

#include "sluice/common/encoding.hpp"
#include "sluice/common/region.hpp"

namespace sluice::api {

namespace {

namespace fs = std::filesystem;

Error bad(const std::string& source, const std::string& where, const std::string& what) {
  return Error::sender("InvalidInit",
                       "init file " + source + ": " + (where.empty() ? "" : where + ": ") + what);
}

// Checks an object's keys against the ones its kind allows.
Status known_keys(const Json& obj, std::initializer_list<const char*> allowed,
                  const std::string& source, const std::string& where) {
  for (auto it = obj.begin(); it != obj.end(); ++it) {
    bool ok = false;
    for (const char* a : allowed)
      ok = ok || it.key() == a;
    if (!ok) {
      std::string list;
      for (const char* a : allowed)
        list += (list.empty() ? "" : ", ") + std::string(a);
      return bad(source, where, "unknown key '" + it.key() + "' (allowed: " + list + ")");
    }
  }
  return ok_status();
}

Result<std::string> string_member(const Json& obj, const char* key, bool required,
                                  const std::string& source, const std::string& where) {
  auto it = obj.find(key);
  if (it == obj.end()) {
    if (required) return bad(source, where, std::string("'") + key + "' is required");
    return std::string();
  }
  if (!it->is_string() || it->get_ref<const std::string&>().empty())
    return bad(source, where, std::string("'") + key + "' must be a non-empty string");
  return it->get<std::string>();
}

// Attribute values may be written as JSON: strings as they are, numbers and booleans as
// their text, objects and arrays (policies) as compact JSON text.
Result<std::map<std::string, std::string>> attribute_map(const Json& obj, const char* key,
                                                         const std::string& source,
                                                         const std::string& where) {
  std::map<std::string, std::string> out;
  auto it = obj.find(key);
  if (it == obj.end()) return out;
  if (!it->is_object()) return bad(source, where, std::string("'") + key + "' must be an object");
  for (auto a = it->begin(); a != it->end(); ++a) {
    const Json& v = a.value();
    if (v.is_string()) {
      out[a.key()] = v.get<std::string>();
    } else if (v.is_boolean()) {
      out[a.key()] = v.get<bool>() ? "true" : "false";
    } else if (v.is_number() || v.is_object() || v.is_array()) {
      out[a.key()] = v.dump();
    } else {
      return bad(source, where + "." + key,
                 "'" + a.key() + "' must be a string, number, boolean, object or array");
    }
  }
  return out;
}

Result<std::map<std::string, std::string>> tag_map(const Json& obj, const std::string& source,
                                                   const std::string& where) {
  std::map<std::string, std::string> out;
  auto it = obj.find("tags");
  if (it == obj.end()) return out;
  if (!it->is_object()) return bad(source, where, "'tags' must be an object of strings");
  for (auto t = it->begin(); t != it->end(); ++t) {
    if (!t->is_string())
      return bad(source, where + ".tags", "the value of '" + t.key() + "' must be a string");
    out[t.key()] = t->get<std::string>();
  }
  return out;
}

Result<const Json*> entries(const Json& doc, const char* key, const std::string& source) {
  static const Json kEmpty = Json::array();
  auto it = doc.find(key);
  if (it == doc.end()) return &kEmpty;
  if (!it->is_array()) return bad(source, key, "must be an array");
  for (std::size_t i = 0; i < it->size(); ++i) {
    if (!(*it)[i].is_object())
      return bad(source, std::string(key) + "[" + std::to_string(i) + "]", "must be an object");
  }
  return &*it;
}

std::string place(const char* kind, std::size_t i, const Json& entry) {
  std::string p = std::string(kind) + "[" + std::to_string(i) + "]";
  if (auto n = entry.find("name"); n != entry.end() && n->is_string())
    p += " (" + n->get<std::string>() + ")";
  return p;
}

bool is_arn(const std::string& s) {
  return s.rfind("arn:", 0) == 0;
}

// The queue a name or ARN denotes, as an ARN in the plan's region and account.
std::string queue_arn(const InitPlan& plan, const std::string& name_or_arn) {
  if (is_arn(name_or_arn)) return name_or_arn;
  return "arn:aws:sqs:" + plan.region + ":" + plan.account_id + ":" + name_or_arn;
}

// The local queue name an ARN denotes, if it is in the plan's region and account.
std::string local_queue_name(const InitPlan& plan, const std::string& arn) {
  const std::string prefix = "arn:aws:sqs:" + plan.region + ":" + plan.account_id + ":";
  return arn.rfind(prefix, 0) == 0 ? arn.substr(prefix.size()) : std::string();
}

// Dead-letter queues before the queues that name them; a cycle is an error.
Status order_queues(InitPlan& plan) {
  std::map<std::string, std::size_t> index;
  for (std::size_t i = 0; i < plan.queues.size(); ++i) {
    if (!index.emplace(plan.queues[i].name, i).second)
      return bad(plan.source, plan.queues[i].where, "the queue is declared twice");
  }
  auto dlq_of = [&](const InitQueue& q) -> std::string {
    std::string arn;
    if (!q.dead_letter_queue.empty()) {
      arn = queue_arn(plan, q.dead_letter_queue);
    } else if (auto rp = q.attributes.find("RedrivePolicy"); rp != q.attributes.end()) {
      Json p = Json::parse(rp->second, nullptr, false);
      if (p.is_object() && p.contains("deadLetterTargetArn") &&
          p["deadLetterTargetArn"].is_string())
        arn = p["deadLetterTargetArn"].get<std::string>();
    }
    return arn.empty() ? std::string() : local_queue_name(plan, arn);
  };
  std::vector<InitQueue> ordered;
  std::vector<int> state(plan.queues.size(), 0);  // 0 new, 1 visiting, 2 done
  std::function<Status(std::size_t)> visit = [&](std::size_t i) -> Status {
    if (state[i] == 2) return ok_status();
    if (state[i] == 1)
      return bad(plan.source, plan.queues[i].where, "dead-letter queues form a cycle");
    state[i] = 1;
    const std::string dlq = dlq_of(plan.queues[i]);
    if (auto it = index.find(dlq); !dlq.empty() && it != index.end()) {
      if (it->second == i)
        return bad(plan.source, plan.queues[i].where,
                   "a queue cannot be its own dead-letter queue");
      SLUICE_TRY(visit(it->second));
    }
    state[i] = 2;
    ordered.push_back(plan.queues[i]);
    return ok_status();
  };
  for (std::size_t i = 0; i < plan.queues.size(); ++i)
    SLUICE_TRY(visit(i));
  plan.queues = std::move(ordered);
  return ok_status();
}

Status parse_queues(const Json& doc, InitPlan& plan) {
  auto list = entries(doc, "queues", plan.source);
  if (!list.ok()) return list.error();
  for (std::size_t i = 0; i < (*list)->size(); ++i) {
    const Json& e = (**list)[i];
    InitQueue q;
    q.where = place("queues", i, e);
    SLUICE_TRY(known_keys(e,
                          {"name", "attributes", "tags", "dead_letter_queue", "max_receive_count"},
                          plan.source, q.where));
    auto name = string_member(e, "name", true, plan.source, q.where);
    if (!name.ok()) return name.error();
    q.name = *name;
    auto attrs = attribute_map(e, "attributes", plan.source, q.where);
    if (!attrs.ok()) return attrs.error();
    q.attributes = std::move(*attrs);
    auto tags = tag_map(e, plan.source, q.where);
    if (!tags.ok()) return tags.error();
    q.tags = std::move(*tags);
    auto dlq = string_member(e, "dead_letter_queue", false, plan.source, q.where);
    if (!dlq.ok()) return dlq.error();
    q.dead_letter_queue = *dlq;
    if (auto m = e.find("max_receive_count"); m != e.end()) {
      if (!m->is_number_integer() || m->get<long long>() < 1 || m->get<long long>() > 1000)
        return bad(plan.source, q.where, "'max_receive_count' must be an integer from 1 to 1000");
      if (q.dead_letter_queue.empty())
        return bad(plan.source, q.where, "'max_receive_count' needs 'dead_letter_queue'");
      q.max_receive_count = m->get<int>();
    }
    if (!q.dead_letter_queue.empty()) {
      if (q.attributes.count("RedrivePolicy"))
        return bad(plan.source, q.where,
                   "give either 'dead_letter_queue' or attributes.RedrivePolicy, not both");
      Json policy = {{"deadLetterTargetArn", queue_arn(plan, q.dead_letter_queue)},
                     {"maxReceiveCount", q.max_receive_count}};
      q.attributes["RedrivePolicy"] = policy.dump();
    }
    plan.queues.push_back(std::move(q));
  }
  return order_queues(plan);
}

Result<InitSubscription> parse_subscription(const Json& e, const InitPlan& plan,
                                            const std::string& where) {
  InitSubscription s;
  s.where = where;
  SLUICE_TRY(known_keys(e,
                        {"protocol", "endpoint", "queue", "attributes", "filter_policy",
                         "filter_policy_scope", "raw_message_delivery", "dead_letter_queue"},
                        plan.source, where));
  auto protocol = string_member(e, "protocol", true, plan.source, where);
  if (!protocol.ok()) return protocol.error();
  s.protocol = *protocol;
  auto endpoint = string_member(e, "endpoint", false, plan.source, where);
  if (!endpoint.ok()) return endpoint.error();
  auto queue = string_member(e, "queue", false, plan.source, where);
  if (!queue.ok()) return queue.error();
  if (!queue->empty()) {
    if (s.protocol != "sqs") return bad(plan.source, where, "'queue' is for protocol sqs");
    if (!endpoint->empty()) return bad(plan.source, where, "give 'queue' or 'endpoint', not both");
    s.endpoint = queue_arn(plan, *queue);
  } else {
    s.endpoint = *endpoint;
  }
  if (s.endpoint.empty() && s.protocol != "application")
    return bad(plan.source, where, "'endpoint' is required ('queue' for sqs)");
  auto attrs = attribute_map(e, "attributes", plan.source, where);
  if (!attrs.ok()) return attrs.error();
  s.attributes = std::move(*attrs);
  auto set_attr = [&](const char* key, const char* attribute, Json value) -> Status {
    if (value.is_null()) return ok_status();
    if (s.attributes.count(attribute))
      return bad(
          plan.source, where,
          std::string("give either '") + key + "' or attributes." + attribute + ", not both");
    s.attributes[attribute] = value.is_string() ? value.get<std::string>() : value.dump();
    return ok_status();
  };
  if (auto f = e.find("filter_policy"); f != e.end()) {
    if (!f->is_object() && !f->is_string())
      return bad(plan.source, where, "'filter_policy' must be an object (or its JSON text)");
    SLUICE_TRY(set_attr("filter_policy", "FilterPolicy", *f));
  }
  if (auto f = e.find("filter_policy_scope"); f != e.end()) {
    if (!f->is_string())
      return bad(plan.source, where,
                 "'filter_policy_scope' must be MessageAttributes or "
                 "MessageBody");
    SLUICE_TRY(set_attr("filter_policy_scope", "FilterPolicyScope", *f));
  }
  if (auto r = e.find("raw_message_delivery"); r != e.end()) {
    if (!r->is_boolean())
      return bad(plan.source, where, "'raw_message_delivery' must be true or false");
    SLUICE_TRY(set_attr("raw_message_delivery", "RawMessageDelivery",
                        Json(r->get<bool>() ? "true" : "false")));
  }
  if (auto d = e.find("dead_letter_queue"); d != e.end()) {
    if (!d->is_string() || d->get_ref<const std::string&>().empty())
      return bad(plan.source, where, "'dead_letter_queue' must be a queue name or ARN");
    SLUICE_TRY(set_attr(
        "dead_letter_queue", "RedrivePolicy",
        Json(Json{{"deadLetterTargetArn", queue_arn(plan, d->get<std::string>())}}.dump())));
  }
  return s;
}

Status parse_topics(const Json& doc, InitPlan& plan) {
  auto list = entries(doc, "topics", plan.source);
  if (!list.ok()) return list.error();
  std::set<std::string> names;
  for (std::size_t i = 0; i < (*list)->size(); ++i) {
    const Json& e = (**list)[i];
    InitTopic t;
    t.where = place("topics", i, e);
    SLUICE_TRY(
        known_keys(e, {"name", "attributes", "tags", "subscriptions"}, plan.source, t.where));
    auto name = string_member(e, "name", true, plan.source, t.where);
    if (!name.ok()) return name.error();
    t.name = *name;
    if (!names.insert(t.name).second)
      return bad(plan.source, t.where, "the topic is declared twice");
    auto attrs = attribute_map(e, "attributes", plan.source, t.where);
    if (!attrs.ok()) return attrs.error();
    t.attributes = std::move(*attrs);
    auto tags = tag_map(e, plan.source, t.where);
    if (!tags.ok()) return tags.error();
    t.tags = std::move(*tags);
    if (auto subs = e.find("subscriptions"); subs != e.end()) {
      if (!subs->is_array()) return bad(plan.source, t.where, "'subscriptions' must be an array");
      for (std::size_t j = 0; j < subs->size(); ++j) {
        const std::string where = t.where + ".subscriptions[" + std::to_string(j) + "]";
        if (!(*subs)[j].is_object()) return bad(plan.source, where, "must be an object");
        auto s = parse_subscription((*subs)[j], plan, where);
        if (!s.ok()) return s.error();
        t.subscriptions.push_back(std::move(*s));
      }
    }
    plan.topics.push_back(std::move(t));
  }
  return ok_status();
}

Status parse_activities(const Json& doc, InitPlan& plan) {
  auto list = entries(doc, "activities", plan.source);
  if (!list.ok()) return list.error();
  std::set<std::string> names;
  for (std::size_t i = 0; i < (*list)->size(); ++i) {
    const Json& e = (**list)[i];
    InitActivity a;
    a.where = place("activities", i, e);
    SLUICE_TRY(known_keys(e, {"name", "tags"}, plan.source, a.where));
    auto name = string_member(e, "name", true, plan.source, a.where);
    if (!name.ok()) return name.error();
    a.name = *name;
    if (!names.insert(a.name).second)
      return bad(plan.source, a.where, "the activity is declared twice");
    auto tags = tag_map(e, plan.source, a.where);
    if (!tags.ok()) return tags.error();
    a.tags = std::move(*tags);
    plan.activities.push_back(std::move(a));
  }
  return ok_status();
}

Status parse_state_machines(const Json& doc, InitPlan& plan, const std::string& base_dir) {
  auto list = entries(doc, "state_machines", plan.source);
  if (!list.ok()) return list.error();
  std::set<std::string> names;
  for (std::size_t i = 0; i < (*list)->size(); ++i) {
    const Json& e = (**list)[i];
    InitStateMachine m;
    m.where = place("state_machines", i, e);
    SLUICE_TRY(known_keys(e, {"name", "definition", "definition_file", "type", "role_arn", "tags"},
                          plan.source, m.where));
    auto name = string_member(e, "name", true, plan.source, m.where);
    if (!name.ok()) return name.error();
    m.name = *name;
    if (!names.insert(m.name).second)
      return bad(plan.source, m.where, "the state machine is declared twice");
    const auto def = e.find("definition");
    auto file = string_member(e, "definition_file", false, plan.source, m.where);
    if (!file.ok()) return file.error();
    if ((def != e.end()) == !file->empty())
      return bad(plan.source, m.where, "give exactly one of 'definition' and 'definition_file'");
    if (def != e.end()) {
      if (def->is_object()) {
        m.definition = def->dump(2);
      } else if (def->is_string() && !def->get_ref<const std::string&>().empty()) {
        m.definition = def->get<std::string>();
      } else {
        return bad(plan.source, m.where,
                   "'definition' must be an object (the ASL) or its JSON text");
      }
    } else {
      fs::path path(*file);
      if (path.is_relative()) path = fs::path(base_dir) / path;
      std::ifstream in(path);
      if (!in) return bad(plan.source, m.where, "cannot read definition_file " + path.string());
      std::stringstream ss;
      ss << in.rdbuf();
      m.definition = ss.str();
    }
    auto type = string_member(e, "type", false, plan.source, m.where);
    if (!type.ok()) return type.error();
    if (!type->empty()) {
      if (*type != "STANDARD" && *type != "EXPRESS")
        return bad(plan.source, m.where, "'type' must be STANDARD or EXPRESS");
      m.type = *type;
    }
    auto role = string_member(e, "role_arn", false, plan.source, m.where);
    if (!role.ok()) return role.error();
    m.role_arn = *role;
    auto tags = tag_map(e, plan.source, m.where);
    if (!tags.ok()) return tags.error();
    m.tags = std::move(*tags);
    plan.state_machines.push_back(std::move(m));
  }
  return ok_status();
}

// One blocking call of an operation, as the server itself.
Result<Json> call(const Dispatcher& d, const InitPlan& plan, const char* service,
                  const char* operation, Json input) {
  std::promise<Result<Json>> promise;
  auto answer = promise.get_future();
  Call c;
  c.request_id = uuid_v4();
  c.operation = operation;
  c.region = plan.region;
  c.account_id = plan.account_id;
  d.invoke(service, operation, std::move(input), c,
           [&promise](Result<Json> r) { promise.set_value(std::move(r)); });
  return answer.get();
}

Error failed(const InitPlan& plan, const std::string& where, const char* operation,
             const Error& e) {
  return bad(plan.source, where, std::string(operation) + " failed: " + e.code + ": " + e.message);
}

Json object_of(const std::map<std::string, std::string>& m) {
  Json o = Json::object();
  for (const auto& [k, v] : m)
    o[k] = v;
  return o;
}

// SNS and Step Functions take tags as a list of pairs; Step Functions spells the keys
// in lower case.
Json tag_list(const std::map<std::string, std::string>& m, const char* key, const char* value) {
  Json a = Json::array();
  for (const auto& [k, v] : m)
    a.push_back({{key, k}, {value, v}});
  return a;
}

bool already_exists(const Error& e) {
  return e.message.find("already exists") != std::string::npos;
}

Status apply_queue(const Dispatcher& d, const InitPlan& plan, const InitQueue& q) {
  auto found = call(d, plan, "sqs", "GetQueueUrl", {{"QueueName", q.name}});
  if (!found.ok()) {
    Json in = {{"QueueName", q.name}};
    if (!q.attributes.empty()) in["Attributes"] = object_of(q.attributes);
    if (!q.tags.empty()) in["tags"] = object_of(q.tags);
    auto created = call(d, plan, "sqs", "CreateQueue", std::move(in));
    if (!created.ok()) return failed(plan, q.where, "CreateQueue", created.error());
    return ok_status();
  }
  // It exists (restored from the data dir, or declared earlier): the file decides its
  // attributes. FifoQueue cannot change and is implied by the name.
  const std::string url = (*found)["QueueUrl"].get<std::string>();
  auto attrs = q.attributes;
  attrs.erase("FifoQueue");
  if (!attrs.empty()) {
    auto set = call(d, plan, "sqs", "SetQueueAttributes",
                    {{"QueueUrl", url}, {"Attributes", object_of(attrs)}});
    if (!set.ok()) return failed(plan, q.where, "SetQueueAttributes", set.error());
  }
  if (!q.tags.empty()) {
    auto tagged =
        call(d, plan, "sqs", "TagQueue", {{"QueueUrl", url}, {"Tags", object_of(q.tags)}});
    if (!tagged.ok()) return failed(plan, q.where, "TagQueue", tagged.error());
  }
  return ok_status();
}

Status apply_subscription(const Dispatcher& d, const InitPlan& plan, const std::string& topic_arn,
                          const InitSubscription& s) {
  Json in = {{"TopicArn", topic_arn}, {"Protocol", s.protocol}, {"ReturnSubscriptionArn", true}};
  if (!s.endpoint.empty()) in["Endpoint"] = s.endpoint;
  Json with_attributes = in;
  if (!s.attributes.empty()) with_attributes["Attributes"] = object_of(s.attributes);
  auto made = call(d, plan, "sns", "Subscribe", std::move(with_attributes));
  if (made.ok()) return ok_status();
  if (!already_exists(made.error())) return failed(plan, s.where, "Subscribe", made.error());
  // It exists with other attributes: set the file's.
  auto existing = call(d, plan, "sns", "Subscribe", std::move(in));
  if (!existing.ok()) return failed(plan, s.where, "Subscribe", existing.error());
  const std::string arn = (*existing)["SubscriptionArn"].get<std::string>();
  for (const auto& [k, v] : s.attributes) {
    auto set = call(d, plan, "sns", "SetSubscriptionAttributes",
                    {{"SubscriptionArn", arn}, {"AttributeName", k}, {"AttributeValue", v}});
    if (!set.ok()) return failed(plan, s.where, "SetSubscriptionAttributes", set.error());
  }
  return ok_status();
}

Status apply_topic(const Dispatcher& d, const InitPlan& plan, const InitTopic& t) {
  Json in = {{"Name", t.name}};
  if (!t.attributes.empty()) in["Attributes"] = object_of(t.attributes);
  if (!t.tags.empty()) in["Tags"] = tag_list(t.tags, "Key", "Value");
  auto made = call(d, plan, "sns", "CreateTopic", std::move(in));
  std::string arn;
  if (made.ok()) {
    arn = (*made)["TopicArn"].get<std::string>();
  } else {
    if (!already_exists(made.error())) return failed(plan, t.where, "CreateTopic", made.error());
    // It exists with other attributes or tags: set the file's.
    arn = "arn:aws:sns:" + plan.region + ":" + plan.account_id + ":" + t.name;
    for (const auto& [k, v] : t.attributes) {
      if (k == "FifoTopic") continue;
      auto set = call(d, plan, "sns", "SetTopicAttributes",
                      {{"TopicArn", arn}, {"AttributeName", k}, {"AttributeValue", v}});
      if (!set.ok()) return failed(plan, t.where, "SetTopicAttributes", set.error());
    }
    if (!t.tags.empty()) {
      auto tagged = call(d, plan, "sns", "TagResource",
                         {{"ResourceArn", arn}, {"Tags", tag_list(t.tags, "Key", "Value")}});
      if (!tagged.ok()) return failed(plan, t.where, "TagResource", tagged.error());
    }
  }
  for (const auto& s : t.subscriptions)
    SLUICE_TRY(apply_subscription(d, plan, arn, s));
  return ok_status();
}

Status apply_activity(const Dispatcher& d, const InitPlan& plan, const InitActivity& a) {
  Json in = {{"name", a.name}};
  if (!a.tags.empty()) in["tags"] = tag_list(a.tags, "key", "value");
  auto made = call(d, plan, "states", "CreateActivity", std::move(in));
  if (!made.ok()) return failed(plan, a.where, "CreateActivity", made.error());
  return ok_status();
}

Status apply_state_machine(const Dispatcher& d, const InitPlan& plan, const InitStateMachine& m) {
  const std::string role =
      !m.role_arn.empty() ? m.role_arn : "arn:aws:iam::" + plan.account_id + ":role/sluice-init";
  Json in = {{"name", m.name}, {"definition", m.definition}, {"roleArn", role}, {"type", m.type}};
  if (!m.tags.empty()) in["tags"] = tag_list(m.tags, "key", "value");
  auto made = call(d, plan, "states", "CreateStateMachine", std::move(in));
  if (made.ok()) return ok_status();
  if (made.error().code != "StateMachineAlreadyExists")
    return failed(plan, m.where, "CreateStateMachine", made.error());
  // It exists with another definition: the file's replaces it.
  const std::string arn =
      "arn:aws:states:" + plan.region + ":" + plan.account_id + ":stateMachine:" + m.name;
  auto updated = call(d, plan, "states", "UpdateStateMachine",
                      {{"stateMachineArn", arn}, {"definition", m.definition}, {"roleArn", role}});
  if (!updated.ok()) return failed(plan, m.where, "UpdateStateMachine", updated.error());
  if (!m.tags.empty()) {
    auto tagged = call(d, plan, "states", "TagResource",
                       {{"resourceArn", arn}, {"tags", tag_list(m.tags, "key", "value")}});
    if (!tagged.ok()) return failed(plan, m.where, "TagResource", tagged.error());
  }
  return ok_status();
}

}  // namespace

Result<InitPlan> parse_init(const std::string& text, const std::string& source,
                            const std::string& base_dir, const std::string& default_region,
                            const std::string& default_account) {
  Json doc = Json::parse(text, nullptr, false, /*ignore_comments=*/true);
  if (doc.is_discarded()) return bad(source, "", "not valid JSON (comments are allowed)");
  if (!doc.is_object()) return bad(source, "", "must be a JSON object");
  SLUICE_TRY(known_keys(
      doc, {"$schema", "region", "account_id", "queues", "topics", "activities", "state_machines"},
      source, ""));
  InitPlan plan;
  plan.source = source;
  auto region = string_member(doc, "region", false, source, "");
  if (!region.ok()) return region.error();
  plan.region = region->empty() ? default_region : *region;
  if (!looks_like_region(plan.region))
    return bad(source, "region", "'" + plan.region + "' is not a region name such as us-east-1");
  auto account = string_member(doc, "account_id", false, source, "");
  if (!account.ok()) return account.error();
  plan.account_id = account->empty() ? default_account : *account;
  if (plan.account_id.size() != 12 || !std::all_of(plan.account_id.begin(), plan.account_id.end(),
                                                   [](char c) { return c >= '0' && c <= '9'; }))
    return bad(source, "account_id", "must be 12 digits");
  SLUICE_TRY(parse_queues(doc, plan));
  SLUICE_TRY(parse_topics(doc, plan));
  SLUICE_TRY(parse_activities(doc, plan));
  SLUICE_TRY(parse_state_machines(doc, plan, base_dir));
  return plan;
}

Result<std::vector<std::string>> init_files(const std::string& path) {
  std::error_code ec;
  const fs::file_status st = fs::status(path, ec);
  if (ec || !fs::exists(st))
    return Error::sender("InvalidInit", "init path " + path + " does not exist.");
  if (!fs::is_directory(st)) return std::vector<std::string>{path};
  std::vector<std::string> files;
  for (const auto& entry : fs::directory_iterator(path, ec)) {
    if (entry.is_regular_file() && entry.path().extension() == ".json")
      files.push_back(entry.path().string());
  }
  if (ec) return Error::sender("InvalidInit", "cannot list init directory " + path + ".");
  std::sort(files.begin(), files.end());
  return files;
}

Status apply_init(const Dispatcher& dispatcher, const InitPlan& plan, InitSummary& summary) {
  for (const auto& q : plan.queues)
    SLUICE_TRY(apply_queue(dispatcher, plan, q));
  for (const auto& t : plan.topics) {
    SLUICE_TRY(apply_topic(dispatcher, plan, t));
    summary.subscriptions += t.subscriptions.size();
  }
  for (const auto& a : plan.activities)
    SLUICE_TRY(apply_activity(dispatcher, plan, a));
  for (const auto& m : plan.state_machines)
    SLUICE_TRY(apply_state_machine(dispatcher, plan, m));
  summary.files += 1;
  summary.queues += plan.queues.size();
  summary.topics += plan.topics.size();
  summary.activities += plan.activities.size();
  summary.state_machines += plan.state_machines.size();
  return ok_status();
}

}  // namespace sluice::api
