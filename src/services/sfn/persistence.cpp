// Persistence: machines (with versions and aliases), activities, STANDARD executions
// with their history and interpreter state, and map runs, as records of the store.
// A running execution is saved after every engine turn that changed it, so that a
// restart resumes it where it was: timers are re-armed from their deadlines, callback
// tokens stay valid, activity tasks go back to their queue, and work that was out
// (a Lambda call) is issued again.
#include <charconv>
#include <cstdio>

#include "internal.hpp"
#include "sluice/common/json_fast.hpp"

namespace sluice::services::sfn {

namespace {

constexpr const char* kMachine = "sfn.machine";
constexpr const char* kActivity = "sfn.activity";
constexpr const char* kExecution = "sfn.execution";
constexpr const char* kEvent = "sfn.event";
constexpr const char* kMapRun = "sfn.maprun";

std::string event_key(const std::string& arn, std::int64_t id) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "%012lld", static_cast<long long>(id));
  return arn + "#" + buf;
}

Doc tags_doc(const std::vector<Tag>& tags) {
  Doc out = Doc::array();
  for (const auto& t : tags)
    out.push_back({{"key", t.key}, {"value", t.value}});
  return out;
}

std::vector<Tag> tags_of(const Doc& d) {
  std::vector<Tag> out;
  if (!d.is_array()) return out;
  for (const auto& t : d)
    out.push_back({t.value("key", ""), t.value("value", "")});
  return out;
}

// Definitions are stored as text; the ordered JSON values of executions as text too.
std::string text_of(const Json& v) {
  return to_text(v);
}
Json json_of(const Doc& d, const char* key) {
  Json v;
  if (d.contains(key) && d[key].is_string() && parse_json(d[key].get<std::string>(), v)) return v;
  return Json();
}

Doc fiber_doc(const Fiber& f) {
  Doc d = Doc::object();
  d["id"] = f.id;
  d["parent"] = f.parent;
  d["slot"] = f.slot;
  d["worker"] = f.worker;
  Doc scope = Doc::array();
  for (const auto& [name, index] : f.scope)
    scope.push_back({name, index});
  d["scope"] = scope;
  d["state"] = f.state;
  d["input"] = text_of(f.input);
  d["source"] = f.source;
  d["published"] = f.published;
  d["entered_event"] = f.entered_event;
  d["entered_time"] = f.entered_time;
  d["retry_counts"] = f.retry_counts;
  d["retry_total"] = f.retry_total;
  d["phase"] = static_cast<int>(f.phase);
  d["gen"] = f.gen;
  d["wake_at"] = f.wake_at;
  d["heartbeat_at"] = f.heartbeat_at;
  d["heartbeat_period"] = f.heartbeat_period;
  d["effective"] = text_of(f.effective);
  d["task_params"] = text_of(f.task_params);
  d["token"] = f.token;
  d["child_execution"] = f.child_execution;
  d["task_started"] = f.task_started;
  d["submitted"] = f.submitted;
  d["mock_call"] = f.mock_call;
  d["children"] = f.children;
  Doc results = Doc::array();
  for (const auto& r : f.results)
    results.push_back(text_of(r));
  d["results"] = results;
  d["finished"] = std::vector<int>(f.finished.begin(), f.finished.end());
  d["items"] = text_of(f.items);
  d["next_item"] = f.next_item;
  d["running"] = f.running;
  d["completed"] = f.completed;
  d["max_concurrency"] = f.max_concurrency;
  d["worker_source"] = f.worker_source;
  d["free_workers"] = f.free_workers;
  d["children_source"] = f.children_source;
  d["map_run_arn"] = f.map_run_arn;
  d["failures"] = f.failures;
  d["aborting"] = f.aborting;
  d["failed"] = f.failed;
  d["error"] = f.error;
  d["cause"] = f.cause;
  d["output"] = text_of(f.output);
  return d;
}

Fiber fiber_of(const Doc& d) {
  Fiber f;
  f.id = d.value("id", std::uint64_t{0});
  f.parent = d.value("parent", std::uint64_t{0});
  f.slot = d.value("slot", std::int64_t{-1});
  f.worker = d.value("worker", 0);
  for (const auto& s : d.value("scope", Doc::array()))
    f.scope.emplace_back(s[0].get<std::string>(), s[1].get<int>());
  f.state = d.value("state", "");
  f.input = json_of(d, "input");
  f.source = d.value("source", std::int64_t{0});
  f.published = d.value("published", std::int64_t{0});
  f.entered_event = d.value("entered_event", std::int64_t{0});
  f.entered_time = d.value("entered_time", TimeMs{0});
  f.retry_counts = d.value("retry_counts", std::vector<std::int64_t>{});
  f.retry_total = d.value("retry_total", std::int64_t{0});
  f.phase = static_cast<Phase>(d.value("phase", 0));
  f.gen = d.value("gen", std::uint64_t{1});
  f.wake_at = d.value("wake_at", TimeMs{0});
  f.heartbeat_at = d.value("heartbeat_at", TimeMs{0});
  f.heartbeat_period = d.value("heartbeat_period", TimeMs{0});
  f.effective = json_of(d, "effective");
  f.task_params = json_of(d, "task_params");
  f.token = d.value("token", "");
  f.child_execution = d.value("child_execution", "");
  f.task_started = d.value("task_started", false);
  f.submitted = d.value("submitted", false);
  f.mock_call = d.value("mock_call", 0);
  f.children = d.value("children", std::vector<std::uint64_t>{});
  for (const auto& r : d.value("results", Doc::array())) {
    Json v;
    if (r.is_string()) parse_json(r.get<std::string>(), v);
    f.results.push_back(v);
  }
  for (int x : d.value("finished", std::vector<int>{}))
    f.finished.push_back(static_cast<char>(x));
  f.items = json_of(d, "items");
  f.next_item = d.value("next_item", std::size_t{0});
  f.running = d.value("running", std::size_t{0});
  f.completed = d.value("completed", std::size_t{0});
  f.max_concurrency = d.value("max_concurrency", std::int64_t{0});
  f.worker_source = d.value("worker_source", std::vector<std::int64_t>{});
  f.free_workers = d.value("free_workers", std::vector<int>{});
  f.children_source = d.value("children_source", std::int64_t{0});
  f.map_run_arn = d.value("map_run_arn", "");
  f.failures = d.value("failures", std::int64_t{0});
  f.aborting = d.value("aborting", false);
  f.failed = d.value("failed", false);
  f.error = d.value("error", "");
  f.cause = d.value("cause", "");
  f.output = json_of(d, "output");
  return f;
}

Doc event_doc(const HistoryEvent& ev) {
  return Doc{{"id", ev.id},     {"previous_id", ev.previous_id}, {"timestamp", ev.timestamp},
             {"type", ev.type}, {"detail_key", ev.detail_key},   {"detail", ev.detail}};
}

HistoryEvent event_of(const Doc& d) {
  HistoryEvent ev;
  ev.id = d.value("id", std::int64_t{0});
  ev.previous_id = d.value("previous_id", std::int64_t{0});
  ev.timestamp = d.value("timestamp", TimeMs{0});
  ev.type = d.value("type", "");
  ev.detail_key = d.value("detail_key", "");
  ev.detail = d.value("detail", Doc());
  return ev;
}

}  // namespace

// ---- writing ----

void Engine::persist_machine(const MachineRec& m) {
  Doc d = {{"arn", m.arn},
           {"name", m.name},
           {"type", m.type},
           {"role_arn", m.role_arn},
           {"definition", m.definition},
           {"revision_id", m.revision_id},
           {"region", m.region},
           {"account", m.account},
           {"created", m.created},
           {"updated", m.updated},
           {"logging", m.logging},
           {"tracing", m.tracing},
           {"encryption", m.encryption},
           {"tags", tags_doc(m.tags)},
           {"next_version", m.next_version}};
  Doc versions = Doc::array();
  for (const auto& [n, v] : m.versions)
    versions.push_back({{"number", v.number},
                        {"arn", v.arn},
                        {"definition", v.definition},
                        {"role_arn", v.role_arn},
                        {"description", v.description},
                        {"revision_id", v.revision_id},
                        {"created", v.created},
                        {"logging", v.logging},
                        {"tracing", v.tracing},
                        {"encryption", v.encryption}});
  d["versions"] = versions;
  Doc aliases = Doc::array();
  for (const auto& [name, a] : m.aliases) {
    Doc routing = Doc::array();
    for (const auto& r : a.routing)
      routing.push_back({{"version_arn", r.version_arn}, {"weight", r.weight}});
    aliases.push_back({{"arn", a.arn},
                       {"name", a.name},
                       {"description", a.description},
                       {"routing", routing},
                       {"created", a.created},
                       {"updated", a.updated}});
  }
  d["aliases"] = aliases;
  rt.store.put(kMachine, m.arn, d.dump());
}

void Engine::unpersist_machine(const MachineRec& m) {
  rt.store.erase(kMachine, m.arn);
}

void Engine::persist_activity(const ActivityRec& a) {
  Doc d = {{"arn", a.arn},
           {"name", a.name},
           {"created", a.created},
           {"tags", tags_doc(a.tags)},
           {"encryption", a.encryption}};
  rt.store.put(kActivity, a.arn, d.dump());
}

void Engine::unpersist_activity(const ActivityRec& a) {
  rt.store.erase(kActivity, a.arn);
}

void Engine::persist_execution(ExecutionRec& e) {
  // EXPRESS executions are not durable in AWS either.
  if (e.express() || e.test || !rt.store.persistent()) {
    e.persisted_events = e.history.size();
    return;
  }
  for (; e.persisted_events < e.history.size(); ++e.persisted_events) {
    const HistoryEvent& ev = e.history[e.persisted_events];
    rt.store.put(kEvent, event_key(e.arn, ev.id), event_doc(ev).dump());
  }
  Doc d = {{"arn", e.arn},
           {"name", e.name},
           {"machine_arn", e.machine_arn},
           {"machine_name", e.machine_name},
           {"version_arn", e.version_arn},
           {"alias_arn", e.alias_arn},
           {"type", e.type},
           {"role_arn", e.role_arn},
           {"region", e.region},
           {"account", e.account},
           {"definition", e.definition},
           {"revision_id", e.revision_id},
           {"input_text", e.input_text},
           {"status", e.status},
           {"start", e.start},
           {"stop", e.stop},
           {"trace_header", e.trace_header},
           {"redrive_count", e.redrive_count},
           {"redrive_date", e.redrive_date},
           {"map_run_arn", e.map_run_arn},
           {"label", e.label},
           {"mock_case", e.mock_case},
           {"parent_token", e.parent_token},
           {"next_fiber", e.next_fiber},
           {"root", e.root},
           {"redrive_state", e.redrive_state},
           {"redrive_input", to_text(e.redrive_input)},
           {"redrive_source", e.redrive_source}};
  Doc scope = Doc::array();
  for (const auto& [name, index] : e.definition_scope)
    scope.push_back({name, index});
  d["definition_scope"] = scope;
  if (e.output) d["output"] = *e.output;
  if (e.error) d["error"] = *e.error;
  if (e.cause) d["cause"] = *e.cause;
  Doc fibers = Doc::array();
  if (e.running())
    for (const auto& [id, f] : e.fibers)
      fibers.push_back(fiber_doc(f));
  d["fibers"] = fibers;
  rt.store.put(kExecution, e.arn, d.dump());
}

void Engine::persist_map_run(const MapRunRec& r) {
  Doc d = {{"arn", r.arn},
           {"execution_arn", r.execution_arn},
           {"state_machine_arn", r.state_machine_arn},
           {"status", r.status},
           {"start", r.start},
           {"stop", r.stop},
           {"max_concurrency", r.max_concurrency},
           {"tolerated_failure_percentage", r.tolerated_failure_percentage},
           {"tolerated_failure_count", r.tolerated_failure_count},
           {"total", r.total},
           {"succeeded", r.succeeded},
           {"failed", r.failed},
           {"timed_out", r.timed_out},
           {"aborted", r.aborted},
           {"running", r.running},
           {"children", r.children},
           {"parent_fiber", r.parent_fiber},
           {"next", r.next}};
  Doc inputs = Doc::array();
  for (const auto& in : r.inputs)
    inputs.push_back(to_text(in));
  d["inputs"] = inputs;
  rt.store.put(kMapRun, r.arn, d.dump());
}

// ---- restoring ----

Status Engine::restore() {
  auto machines_loaded = rt.store.load(kMachine);
  if (!machines_loaded.ok()) return std::move(machines_loaded).error();
  for (const auto& rec : *machines_loaded) {
    Doc d = Doc::parse(rec.value, nullptr, false);
    if (d.is_discarded()) continue;
    MachineRec m;
    m.arn = d.value("arn", "");
    m.name = d.value("name", "");
    m.type = d.value("type", "STANDARD");
    m.role_arn = d.value("role_arn", "");
    m.definition = d.value("definition", "");
    m.revision_id = d.value("revision_id", "");
    m.region = d.value("region", "");
    m.account = d.value("account", "");
    m.created = d.value("created", TimeMs{0});
    m.updated = d.value("updated", TimeMs{0});
    m.logging = d.value("logging", Doc());
    m.tracing = d.value("tracing", Doc());
    m.encryption = d.value("encryption", Doc());
    m.tags = tags_of(d.value("tags", Doc()));
    m.next_version = d.value("next_version", 1);
    const asl::ParseOptions opts{m.type == "EXPRESS"};
    auto parsed = asl::parse_definition(m.definition, opts);
    if (!parsed.ok()) {
      log->warn("skipping stored state machine {}: its definition no longer parses", m.arn);
      continue;
    }
    m.parsed = parsed.definition;
    for (const auto& v : d.value("versions", Doc::array())) {
      VersionRec vr;
      vr.number = v.value("number", 0);
      vr.arn = v.value("arn", "");
      vr.definition = v.value("definition", "");
      vr.role_arn = v.value("role_arn", "");
      vr.description = v.value("description", "");
      vr.revision_id = v.value("revision_id", "");
      vr.created = v.value("created", TimeMs{0});
      vr.logging = v.value("logging", Doc());
      vr.tracing = v.value("tracing", Doc());
      vr.encryption = v.value("encryption", Doc());
      auto pv = asl::parse_definition(vr.definition, opts);
      if (!pv.ok()) continue;
      vr.parsed = pv.definition;
      m.versions.emplace(vr.number, std::move(vr));
    }
    for (const auto& a : d.value("aliases", Doc::array())) {
      AliasRec ar;
      ar.arn = a.value("arn", "");
      ar.name = a.value("name", "");
      ar.description = a.value("description", "");
      ar.created = a.value("created", TimeMs{0});
      ar.updated = a.value("updated", TimeMs{0});
      for (const auto& r : a.value("routing", Doc::array()))
        ar.routing.push_back({r.value("version_arn", ""), r.value("weight", 0)});
      m.aliases.emplace(ar.name, std::move(ar));
    }
    machines.emplace(m.arn, std::move(m));
  }

  auto activities_loaded = rt.store.load(kActivity);
  if (!activities_loaded.ok()) return std::move(activities_loaded).error();
  for (const auto& rec : *activities_loaded) {
    Doc d = Doc::parse(rec.value, nullptr, false);
    if (d.is_discarded()) continue;
    ActivityRec a;
    a.arn = d.value("arn", "");
    a.name = d.value("name", "");
    a.created = d.value("created", TimeMs{0});
    a.tags = tags_of(d.value("tags", Doc()));
    a.encryption = d.value("encryption", Doc());
    activities.emplace(a.arn, std::move(a));
  }

  // Events and executions are the bulk of a long-lived data dir (a hundred thousand
  // executions is a few hundred thousand events): they are streamed and read with the
  // fast JSON reader.
  std::map<std::string, std::vector<HistoryEvent>> events;
  SLUICE_TRY(rt.store.scan(kEvent, [&](std::string_view key, std::string_view value) {
    auto hash = key.rfind('#');
    if (hash == std::string_view::npos) return;
    Doc d = json_parse(value);
    if (d.is_discarded()) return;
    events[std::string(key.substr(0, hash))].push_back(event_of(d));
  }));

  // Executions of one machine share its definition: parse each text once.
  // Definitions parsed once for all the executions that share them, by express_top (see
  // below) then text: looked up without copying the text.
  std::map<std::string, std::shared_ptr<const asl::StateMachineDef>> parsed_defs[2];
  SLUICE_TRY(rt.store.scan(kExecution, [&](std::string_view, std::string_view value) {
    Doc d = json_parse(value);
    if (d.is_discarded()) return;
    auto e = std::make_unique<ExecutionRec>();
    e->arn = d.value("arn", "");
    e->name = d.value("name", "");
    e->machine_arn = d.value("machine_arn", "");
    e->machine_name = d.value("machine_name", "");
    e->version_arn = d.value("version_arn", "");
    e->alias_arn = d.value("alias_arn", "");
    e->type = d.value("type", "STANDARD");
    e->role_arn = d.value("role_arn", "");
    e->region = d.value("region", "");
    e->account = d.value("account", "");
    e->definition = d.value("definition", "");
    e->revision_id = d.value("revision_id", "");
    e->input_text = d.value("input_text", "{}");
    parse_json(e->input_text, e->input);
    e->status = d.value("status", "RUNNING");
    e->start = d.value("start", TimeMs{0});
    e->stop = d.value("stop", TimeMs{0});
    e->trace_header = d.value("trace_header", "");
    e->redrive_count = d.value("redrive_count", 0);
    e->redrive_date = d.value("redrive_date", TimeMs{0});
    e->map_run_arn = d.value("map_run_arn", "");
    e->label = d.value("label", "");
    e->mock_case = d.value("mock_case", "");
    e->parent_token = d.value("parent_token", "");
    e->next_fiber = d.value("next_fiber", std::uint64_t{1});
    e->root = d.value("root", std::uint64_t{0});
    e->redrive_state = d.value("redrive_state", "");
    e->redrive_input = json_of(d, "redrive_input");
    e->redrive_source = d.value("redrive_source", std::int64_t{0});
    if (d.contains("output")) e->output = d["output"].get<std::string>();
    if (d.contains("error")) e->error = d["error"].get<std::string>();
    if (d.contains("cause")) e->cause = d["cause"].get<std::string>();
    for (const auto& sc : d.value("definition_scope", Doc::array()))
      e->definition_scope.emplace_back(sc[0].get<std::string>(), sc[1].get<int>());
    // A map run's child parses as part of its parent's definition (an ItemProcessor is
    // not a valid top-level machine), so parse the whole and pick the processor.
    const bool express_top = e->definition_scope.empty() && e->express();
    auto& defs = parsed_defs[express_top ? 1 : 0];
    auto cached = defs.find(e->definition);
    if (cached == defs.end()) {
      auto parsed = asl::parse_definition(e->definition, asl::ParseOptions{express_top});
      cached = defs.emplace(e->definition, parsed.definition).first;
    }
    if (cached->second) e->def = subdefinition(cached->second, e->definition_scope);
    auto ev = events.find(e->arn);
    if (ev != events.end()) {
      std::sort(ev->second.begin(), ev->second.end(),
                [](const HistoryEvent& a, const HistoryEvent& b) { return a.id < b.id; });
      e->history = std::move(ev->second);
    }
    e->persisted_events = e->history.size();
    e->last_event = static_cast<std::int64_t>(e->history.size());
    for (const auto& fd : d.value("fibers", Doc::array())) {
      Fiber f = fiber_of(fd);
      e->fibers.emplace(f.id, std::move(f));
    }
    if (e->running() && !e->def) {
      log->warn("execution {} cannot resume: its definition no longer parses", e->arn);
      e->status = "FAILED";
      e->error = "States.Runtime";
      e->stop = now();
      e->fibers.clear();
    }
    const std::string arn = e->arn;
    executions.emplace(arn, std::move(e));
  }));

  auto runs_loaded = rt.store.load(kMapRun);
  if (!runs_loaded.ok()) return std::move(runs_loaded).error();
  for (const auto& rec : *runs_loaded) {
    Doc d = Doc::parse(rec.value, nullptr, false);
    if (d.is_discarded()) continue;
    MapRunRec r;
    r.arn = d.value("arn", "");
    r.execution_arn = d.value("execution_arn", "");
    r.state_machine_arn = d.value("state_machine_arn", "");
    r.status = d.value("status", "RUNNING");
    r.start = d.value("start", TimeMs{0});
    r.stop = d.value("stop", TimeMs{0});
    r.max_concurrency = d.value("max_concurrency", std::int64_t{0});
    r.tolerated_failure_percentage = d.value("tolerated_failure_percentage", 0.0);
    r.tolerated_failure_count = d.value("tolerated_failure_count", std::int64_t{0});
    r.total = d.value("total", std::int64_t{0});
    r.succeeded = d.value("succeeded", std::int64_t{0});
    r.failed = d.value("failed", std::int64_t{0});
    r.timed_out = d.value("timed_out", std::int64_t{0});
    r.aborted = d.value("aborted", std::int64_t{0});
    r.running = d.value("running", std::int64_t{0});
    r.children = d.value("children", std::vector<std::string>{});
    r.parent_fiber = d.value("parent_fiber", std::uint64_t{0});
    r.next = d.value("next", std::size_t{0});
    for (const auto& in : d.value("inputs", Doc::array())) {
      Json v;
      if (in.is_string()) parse_json(in.get<std::string>(), v);
      r.inputs.push_back(std::move(v));
    }
    map_runs.emplace(r.arn, std::move(r));
  }

  for (auto& [arn, e] : executions)
    if (e->running()) {
      count_open(*e);
      resume(*e);
    }
  drain();
  return ok_status();
}

void Engine::resume(ExecutionRec& e) {
  for (auto& [id, f] : e.fibers) {
    f.program = resolve_scope(e, f.scope);
    if (!f.program) {
      log->warn("execution {}: fiber {} no longer matches its definition", e.arn, id);
      continue;
    }
  }
  if (e.def && e.def->timeout_seconds) {
    const std::string arn = e.arn;
    e.timeout_timer = at(
        e.start + *e.def->timeout_seconds * 1000,
        [this, arn] {
          ExecutionRec* x = execution(arn);
          if (!x || !x->running()) return;
          x->timeout_timer = 0;
          Fiber* r = fiber(*x, x->root);
          if (r) stop_fiber(*x, *r);
          x->error = "States.Timeout";
          emit_at(*x, r ? r->source : 0, "ExecutionTimedOut", "executionTimedOutEventDetails",
                  Doc{{"error", "States.Timeout"}});
          close_execution(*x, "TIMED_OUT");
          drain();
        },
        /*passive=*/true);
  }
  for (auto& [id, f] : e.fibers) {
    if (!f.program) continue;
    switch (f.phase) {
      case Phase::Ready:
        schedule(e, f, false);
        break;
      case Phase::Waiting:
      case Phase::Retrying:
        arm_wait(e, f);
        break;
      case Phase::Children:
        if (current_state(f).type == asl::StateType::Map) schedule(e, f, false);
        break;
      case Phase::Task: {
        if (!f.token.empty()) tokens[f.token] = TokenRef{e.arn, f.id, f.gen};
        arm_task_deadline(e, f, /*heartbeat=*/false);
        arm_task_deadline(e, f, /*heartbeat=*/true);
        const asl::TaskResource res = asl::classify_resource(current_state(f).resource);
        if (res.kind == asl::TaskResource::Kind::Activity) {
          if (!f.task_started) {
            auto a = activities.find(current_state(f).resource);
            if (a != activities.end()) a->second.pending.push_back(f.token);
          }
        } else if (!f.submitted && f.child_execution.empty()) {
          // The call was out when the server stopped: issue it again (at least once).
          if (res.kind == asl::TaskResource::Kind::LambdaFunction) {
            call_lambda(e, f, current_state(f).resource, f.task_params, true);
          } else if (res.service == "lambda") {
            call_lambda(e, f, f.task_params.value("FunctionName", ""),
                        f.task_params.value("Payload", Json::object()), false);
          } else if (res.service == "http") {
            call_http(e, f);
          } else if (res.service == "sqs" || res.service == "sns" || res.service == "aws-sdk:sqs" ||
                     res.service == "aws-sdk:sns") {
            call_service(e, f, res);
          }
        }
        break;
      }
      default:
        break;
    }
  }
}

}  // namespace sluice::services::sfn
