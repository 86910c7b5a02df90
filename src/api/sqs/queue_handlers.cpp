// Handlers of the queue-level operations, queue URLs, and input accessors.
#include "handlers.hpp"
#include "sluice/api/sqs/sqs_api.hpp"
#include "sluice/common/region.hpp"

namespace sluice::api::sqs {

using services::sqs::QueueId;
using services::sqs::QueuePage;

// ---- input accessors ----

std::string str_member(const Json& in, const char* name) {
  auto it = in.find(name);
  return it != in.end() && it->is_string() ? it->get<std::string>() : std::string();
}

std::optional<int> int_member(const Json& in, const char* name) {
  auto it = in.find(name);
  if (it == in.end() || !it->is_number_integer()) return std::nullopt;
  return it->get<int>();
}

std::vector<std::string> string_list(const Json& in, const char* name) {
  std::vector<std::string> out;
  auto it = in.find(name);
  if (it == in.end() || !it->is_array()) return out;
  for (const auto& v : *it)
    if (v.is_string()) out.push_back(v.get<std::string>());
  return out;
}

std::map<std::string, std::string> string_map(const Json& in, const char* name) {
  std::map<std::string, std::string> out;
  auto it = in.find(name);
  if (it == in.end() || !it->is_object()) return out;
  for (auto e = it->begin(); e != it->end(); ++e)
    if (e.value().is_string()) out[e.key()] = e.value().get<std::string>();
  return out;
}

// ---- queue URLs ----

namespace {

// Views into `s`, which must outlive them.
std::vector<std::string_view> split(std::string_view s, char sep) {
  std::vector<std::string_view> out;
  out.reserve(8);
  std::size_t start = 0;
  while (true) {
    const auto pos = s.find(sep, start);
    out.push_back(
        s.substr(start, pos == std::string_view::npos ? std::string_view::npos : pos - start));
    if (pos == std::string_view::npos) break;
    start = pos + 1;
  }
  return out;
}

std::string_view region_from_host(std::string_view host_port) {
  const std::string_view host = host_port.substr(0, host_port.find(':'));
  const auto labels = split(host, '.');
  if (labels.size() >= 3 && labels[0] == "sqs" && looks_like_region(labels[1])) return labels[1];
  if (labels.size() >= 3 && labels[1] == "queue" && looks_like_region(labels[0])) return labels[0];
  if (host == "queue.amazonaws.com") return "us-east-1";
  return {};
}

}  // namespace

Result<QueueId> queue_from_url(const std::string& url, const std::string& default_region) {
  std::string_view rest = url;
  std::string_view host;
  if (auto scheme = rest.find("://"); scheme != std::string_view::npos) {
    rest = rest.substr(scheme + 3);
    const auto slash = rest.find('/');
    host = rest.substr(0, slash);
    rest = slash == std::string_view::npos ? std::string_view() : rest.substr(slash);
  }
  if (auto q = rest.find('?'); q != std::string_view::npos) rest = rest.substr(0, q);
  std::vector<std::string_view> segments;
  for (auto seg : split(rest, '/'))
    if (!seg.empty()) segments.push_back(seg);
  if (segments.size() < 2) {
    return Error::sender("InvalidAddress",
                         "The address " + url + " is not valid for this endpoint.", 404);
  }
  QueueId id;
  id.name = segments[segments.size() - 1];
  id.account = segments[segments.size() - 2];
  id.region = region_from_host(host);
  // LocalStack's path-style URLs: /queue/<region>/<account>/<name>.
  if (segments.size() >= 4 && segments[segments.size() - 4] == "queue" &&
      looks_like_region(segments[segments.size() - 3]))
    id.region = segments[segments.size() - 3];
  if (id.region.empty()) id.region = default_region;
  return id;
}

std::string queue_url(const QueueId& id, const std::string& scheme, const std::string& request_host,
                      const std::string& url_host, const std::string& strategy) {
  std::string host =
      !url_host.empty() ? url_host : (!request_host.empty() ? request_host : "localhost:4566");
  const std::string prefix = (scheme.empty() ? std::string("http") : scheme) + "://";
  if (strategy == "path")
    return prefix + host + "/queue/" + id.region + "/" + id.account + "/" + id.name;
  if (strategy == "standard" || strategy == "domain") {
    // Drop a service prefix the client already addressed us with, so that URLs do not
    // nest (sqs.us-east-1.sqs.us-east-1....).
    const std::string hostname = host.substr(0, host.find(':'));
    std::string port = host.size() > hostname.size() ? host.substr(hostname.size()) : "";
    std::string base = hostname;
    const auto labels = split(hostname, '.');
    if (labels.size() >= 3 && labels[0] == "sqs" && looks_like_region(labels[1])) {
      base = hostname.substr(labels[0].size() + labels[1].size() + 2);
    } else if (labels.size() >= 3 && labels[1] == "queue" && looks_like_region(labels[0])) {
      base = hostname.substr(labels[0].size() + labels[1].size() + 2);
    }
    if (base == "localhost" || base == "127.0.0.1") base = "localhost.localstack.cloud";
    const std::string sub =
        strategy == "standard" ? "sqs." + id.region + "." : id.region + ".queue.";
    return prefix + sub + base + port + "/" + id.account + "/" + id.name;
  }
  return prefix + host + "/" + id.account + "/" + id.name;
}

Result<QueueId> SqsHandlers::target_queue(const Call& call, const Json& in) const {
  std::string url = str_member(in, "QueueUrl");
  if (url.empty()) {
    // AWS Query: the queue URL's path may stand in for the QueueUrl parameter.
    const auto segments = split(call.path, '/');
    if (segments.size() >= 3 && !segments[segments.size() - 1].empty() &&
        !segments[segments.size() - 2].empty()) {
      url = call.path;
    } else {
      return Error::sender("MissingParameter", "The request must contain the parameter QueueUrl.");
    }
  }
  return queue_from_url(url, call.region);
}

std::string SqsHandlers::url_of(const QueueId& id, const Call& call) const {
  return queue_url(id, call.scheme, call.host, engine_->runtime().url_host,
                   engine_->runtime().sqs_endpoint_strategy);
}

void SqsHandlers::reply_durable(Reply reply, Json result) {
  engine_->when_durable([reply = std::move(reply), result = std::move(result)](Status s) mutable {
    if (!s.ok()) {
      reply(s.error());
    } else {
      reply(std::move(result));
    }
  });
}

// ---- handlers ----

namespace {

Json urls_json(const std::vector<QueueId>& ids,
               const std::function<std::string(const QueueId&)>& f) {
  Json arr = Json::array();
  for (const auto& id : ids)
    arr.push_back(f(id));
  return arr;
}

}  // namespace

void SqsHandlers::create_queue(const Call& call, Json in, Reply reply) {
  QueueId id{call.region, call.account_id, str_member(in, "QueueName")};
  auto s = engine_->create_queue(id, string_map(in, "Attributes"), string_map(in, "tags"));
  if (!s.ok()) return reply(s.error());
  reply_durable(std::move(reply), Json{{"QueueUrl", url_of(id, call)}});
}

void SqsHandlers::delete_queue(const Call& call, Json in, Reply reply) {
  auto id = target_queue(call, in);
  if (!id.ok()) return reply(id.error());
  auto s = engine_->delete_queue(*id);
  if (!s.ok()) return reply(s.error());
  reply_durable(std::move(reply), Json::object());
}

void SqsHandlers::get_queue_url(const Call& call, Json in, Reply reply) {
  std::string account = str_member(in, "QueueOwnerAWSAccountId");
  QueueId id{call.region, account.empty() ? call.account_id : account, str_member(in, "QueueName")};
  auto s = engine_->queue_exists(id);
  if (!s.ok()) return reply(s.error());
  reply(Json{{"QueueUrl", url_of(id, call)}});
}

void SqsHandlers::list_queues(const Call& call, Json in, Reply reply) {
  auto page = engine_->list_queues(call.region, call.account_id, str_member(in, "QueueNamePrefix"),
                                   int_member(in, "MaxResults"), str_member(in, "NextToken"));
  if (!page.ok()) return reply(page.error());
  Json out = Json::object();
  if (!page->queues.empty())
    out["QueueUrls"] = urls_json(page->queues, [&](const QueueId& q) { return url_of(q, call); });
  if (!page->next_token.empty()) out["NextToken"] = page->next_token;
  reply(std::move(out));
}

void SqsHandlers::get_queue_attributes(const Call& call, Json in, Reply reply) {
  auto id = target_queue(call, in);
  if (!id.ok()) return reply(id.error());
  auto attrs = engine_->get_queue_attributes(*id, string_list(in, "AttributeNames"));
  if (!attrs.ok()) return reply(attrs.error());
  Json out = Json::object();
  if (!attrs->empty()) out["Attributes"] = *attrs;
  reply(std::move(out));
}

void SqsHandlers::set_queue_attributes(const Call& call, Json in, Reply reply) {
  auto id = target_queue(call, in);
  if (!id.ok()) return reply(id.error());
  if (!in.contains("Attributes"))
    return reply(Error::sender("MissingParameter",
                               "The request must contain the parameter Attribute.1.Name."));
  auto s = engine_->set_queue_attributes(*id, string_map(in, "Attributes"));
  if (!s.ok()) return reply(s.error());
  reply_durable(std::move(reply), Json::object());
}

void SqsHandlers::purge_queue(const Call& call, Json in, Reply reply) {
  auto id = target_queue(call, in);
  if (!id.ok()) return reply(id.error());
  auto s = engine_->purge_queue(*id);
  if (!s.ok()) return reply(s.error());
  reply_durable(std::move(reply), Json::object());
}

void SqsHandlers::tag_queue(const Call& call, Json in, Reply reply) {
  auto id = target_queue(call, in);
  if (!id.ok()) return reply(id.error());
  auto s = engine_->tag_queue(*id, string_map(in, "Tags"));
  if (!s.ok()) return reply(s.error());
  reply_durable(std::move(reply), Json::object());
}

void SqsHandlers::untag_queue(const Call& call, Json in, Reply reply) {
  auto id = target_queue(call, in);
  if (!id.ok()) return reply(id.error());
  auto s = engine_->untag_queue(*id, string_list(in, "TagKeys"));
  if (!s.ok()) return reply(s.error());
  reply_durable(std::move(reply), Json::object());
}

void SqsHandlers::list_queue_tags(const Call& call, Json in, Reply reply) {
  auto id = target_queue(call, in);
  if (!id.ok()) return reply(id.error());
  auto tags = engine_->list_queue_tags(*id);
  if (!tags.ok()) return reply(tags.error());
  Json out = Json::object();
  if (!tags->empty()) out["Tags"] = *tags;
  reply(std::move(out));
}

void SqsHandlers::add_permission(const Call& call, Json in, Reply reply) {
  auto id = target_queue(call, in);
  if (!id.ok()) return reply(id.error());
  auto s = engine_->add_permission(*id, str_member(in, "Label"), string_list(in, "AWSAccountIds"),
                                   string_list(in, "Actions"));
  if (!s.ok()) return reply(s.error());
  reply_durable(std::move(reply), Json::object());
}

void SqsHandlers::remove_permission(const Call& call, Json in, Reply reply) {
  auto id = target_queue(call, in);
  if (!id.ok()) return reply(id.error());
  auto s = engine_->remove_permission(*id, str_member(in, "Label"));
  if (!s.ok()) return reply(s.error());
  reply_durable(std::move(reply), Json::object());
}

void SqsHandlers::list_dead_letter_source_queues(const Call& call, Json in, Reply reply) {
  auto id = target_queue(call, in);
  if (!id.ok()) return reply(id.error());
  auto page = engine_->list_dead_letter_source_queues(*id, int_member(in, "MaxResults"),
                                                      str_member(in, "NextToken"));
  if (!page.ok()) return reply(page.error());
  Json out = {
      {"queueUrls", urls_json(page->queues, [&](const QueueId& q) { return url_of(q, call); })}};
  if (!page->next_token.empty()) out["NextToken"] = page->next_token;
  reply(std::move(out));
}

void SqsHandlers::start_message_move_task(const Call& call, Json in, Reply reply) {
  auto handle = engine_->start_message_move_task(str_member(in, "SourceArn"),
                                                 str_member(in, "DestinationArn"),
                                                 int_member(in, "MaxNumberOfMessagesPerSecond"));
  if (!handle.ok()) return reply(handle.error());
  reply_durable(std::move(reply), Json{{"TaskHandle", *handle}});
}

void SqsHandlers::cancel_message_move_task(const Call& call, Json in, Reply reply) {
  auto moved = engine_->cancel_message_move_task(str_member(in, "TaskHandle"));
  if (!moved.ok()) return reply(moved.error());
  reply_durable(std::move(reply), Json{{"ApproximateNumberOfMessagesMoved", *moved}});
}

void SqsHandlers::list_message_move_tasks(const Call& call, Json in, Reply reply) {
  auto tasks =
      engine_->list_message_move_tasks(str_member(in, "SourceArn"), int_member(in, "MaxResults"));
  if (!tasks.ok()) return reply(tasks.error());
  Json results = Json::array();
  for (const auto& t : *tasks) {
    Json e = {{"Status", t.status},
              {"SourceArn", t.source_arn},
              {"ApproximateNumberOfMessagesMoved", t.moved},
              {"ApproximateNumberOfMessagesToMove", t.to_move},
              {"StartedTimestamp", t.started_ms}};
    if (!t.task_handle.empty()) e["TaskHandle"] = t.task_handle;
    if (!t.destination_arn.empty()) e["DestinationArn"] = t.destination_arn;
    if (t.max_per_second) e["MaxNumberOfMessagesPerSecond"] = *t.max_per_second;
    if (!t.failure_reason.empty()) e["FailureReason"] = t.failure_reason;
    results.push_back(std::move(e));
  }
  reply(Json{{"Results", std::move(results)}});
}

}  // namespace sluice::api::sqs
