// Activities: workers long-poll GetActivityTask; a scheduled activity task waits in the
// activity's queue until a worker takes it (ActivityStarted), then for the worker's
// SendTaskSuccess/Failure/Heartbeat.
#include <algorithm>

#include "internal.hpp"
#include "paging.hpp"

namespace sluice::services::sfn {

namespace {

Error activity_missing(const std::string& arn) {
  return Error::sender("ActivityDoesNotExist", "Activity Does Not Exist: '" + arn + "'");
}

Result<std::string> check_activity_arn(const std::string& arn) {
  auto p = parse_arn(arn);
  if (!p.ok()) return std::move(p).error();
  if (p->resource_type != "activity" || p->parts.size() != 1)
    return invalid_arn("Resource type not valid in this context: " + arn);
  return arn;
}

}  // namespace

void Engine::schedule_activity(ExecutionRec& e, Fiber& f, const std::string& activity_arn) {
  auto it = activities.find(activity_arn);
  if (it == activities.end()) {
    // AWS records ActivityScheduleFailed when the activity is gone.
    cancel(f.timer);
    cancel(f.heartbeat_timer);
    if (!f.token.empty()) close_token(f.token);
    ++f.gen;
    const std::string cause = "Activity Does Not Exist: '" + activity_arn + "'";
    emit(e, &f, "ActivityScheduleFailed", "activityScheduleFailedEventDetails",
         Doc{{"error", "States.Runtime"}, {"cause", cause}});
    state_failed(e, f, "States.Runtime", cause);
    return;
  }
  it->second.pending.push_back(f.token);
  serve_activity(it->second);
}

void Engine::serve_activity(ActivityRec& a) {
  while (!a.pending.empty() && !a.waiters.empty()) {
    const std::string token = a.pending.front();
    a.pending.pop_front();
    auto ref = tokens.find(token);
    if (ref == tokens.end()) continue;  // closed meanwhile (timeout, stop)
    ExecutionRec* e = execution(ref->second.execution);
    Fiber* f = e ? fiber(*e, ref->second.fiber) : nullptr;
    if (!e || !e->running() || !f || f->phase != Phase::Task || f->token != token) continue;
    ActivityWaiter w = std::move(a.waiters.front());
    a.waiters.pop_front();
    cancel(w.timer);
    f->task_started = true;
    Doc d = Doc::object();
    if (!w.worker.empty()) d["workerName"] = w.worker;
    emit(*e, f, "ActivityStarted", "activityStartedEventDetails", std::move(d));
    ActivityTask task{token, to_text(f->task_params)};
    flush_dirty();
    w.done(task);
  }
}

void SfnEngine::create_activity(Scope scope, std::string name, std::vector<Tag> tags,
                                Doc encryption, Done<ArnAndDate> done) {
  impl_->post([e = impl_.get(), scope = std::move(scope), name = std::move(name),
               tags = std::move(tags), encryption = std::move(encryption),
               done = std::move(done)]() mutable {
    if (!valid_resource_name(name))
      return done(Error::sender("InvalidName", "Invalid Name: '" + name + "'"));
    if (tags.size() > 50)
      return done(
          Error::sender("TooManyTags", "Too many tags: the resource can have at most 50 tags"));
    const std::string arn =
        "arn:aws:states:" + scope.region + ":" + scope.account + ":activity:" + name;
    if (auto it = e->activities.find(arn); it != e->activities.end()) {
      // AWS: CreateActivity is idempotent; only a different encryption is refused.
      if (!encryption.is_null() && encryption != it->second.encryption)
        return done(Error::sender("ActivityAlreadyExists",
                                  "Activity already exists. EncryptionConfiguration may not be "
                                  "updated."));
      return done(ArnAndDate{arn, it->second.created});
    }
    ActivityRec a;
    a.arn = arn;
    a.name = name;
    a.created = e->now();
    a.tags = std::move(tags);
    a.encryption = encryption.is_null() ? Doc{{"type", "AWS_OWNED_KEY"}} : encryption;
    ArnAndDate out{arn, a.created};
    auto& stored = e->activities[arn] = std::move(a);
    e->persist_activity(stored);
    e->reply_durable(std::move(done), Result<ArnAndDate>(out));
  });
}

void SfnEngine::describe_activity(std::string arn, Done<ActivityInfo> done) {
  impl_->post([e = impl_.get(), arn = std::move(arn), done = std::move(done)] {
    auto checked = check_activity_arn(arn);
    if (!checked.ok()) return done(std::move(checked).error());
    auto it = e->activities.find(arn);
    if (it == e->activities.end()) return done(activity_missing(arn));
    done(ActivityInfo{it->second.arn, it->second.name, it->second.created, it->second.encryption});
  });
}

void SfnEngine::delete_activity(std::string arn, DoneStatus done) {
  impl_->post([e = impl_.get(), arn = std::move(arn), done = std::move(done)]() mutable {
    auto checked = check_activity_arn(arn);
    if (!checked.ok()) return done(std::move(checked).error());
    auto it = e->activities.find(arn);
    if (it == e->activities.end()) return done(ok_status());
    for (auto& w : it->second.waiters) {
      e->cancel(w.timer);
      w.done(ActivityTask{});
    }
    e->unpersist_activity(it->second);
    e->activities.erase(it);
    e->reply_durable(std::move(done), ok_status());
  });
}

void SfnEngine::list_activities(Scope scope, int max_results, std::string next_token,
                                Done<Page<ActivityInfo>> done) {
  impl_->post([e = impl_.get(), scope = std::move(scope), max_results,
               next_token = std::move(next_token), done = std::move(done)] {
    const std::string prefix =
        "arn:aws:states:" + scope.region + ":" + scope.account + ":activity:";
    std::vector<ActivityInfo> items;
    for (const auto& [arn, a] : e->activities)
      if (arn.rfind(prefix, 0) == 0) items.push_back({a.arn, a.name, a.created, a.encryption});
    done(paginate(std::move(items), max_results, next_token, "activities"));
  });
}

void SfnEngine::get_activity_task(std::string arn, std::string worker_name, TimeMs wait_ms,
                                  Done<ActivityTask> done) {
  impl_->post([e = impl_.get(), arn = std::move(arn), worker_name = std::move(worker_name), wait_ms,
               done = std::move(done)]() mutable {
    auto checked = check_activity_arn(arn);
    if (!checked.ok()) return done(std::move(checked).error());
    auto it = e->activities.find(arn);
    if (it == e->activities.end()) return done(activity_missing(arn));
    ActivityRec& a = it->second;
    ActivityWaiter w;
    w.id = e->next_waiter++;
    w.worker = worker_name;
    w.done = std::move(done);
    const std::uint64_t id = w.id;
    w.timer = e->at(e->now() + wait_ms, [e, arn, id] {
      auto a = e->activities.find(arn);
      if (a == e->activities.end()) return;
      auto& ws = a->second.waiters;
      auto pos =
          std::find_if(ws.begin(), ws.end(), [id](const ActivityWaiter& x) { return x.id == id; });
      if (pos == ws.end()) return;
      auto reply = std::move(pos->done);
      ws.erase(pos);
      reply(ActivityTask{});
    });
    a.waiters.push_back(std::move(w));
    e->serve_activity(a);
  });
}

}  // namespace sluice::services::sfn
