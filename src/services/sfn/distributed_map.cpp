// Distributed Map: every item (or batch of items) runs as a child execution of a map
// run, with MaxConcurrency children at a time and the tolerated failure thresholds
// deciding whether the run fails. Items come from the state's input (ItemsPath);
// ItemReader sources in S3 are not emulated.
#include <algorithm>
#include <cmath>

#include "internal.hpp"
#include "paging.hpp"
#include "sluice/common/encoding.hpp"

namespace sluice::services::sfn {

namespace {

Error run_missing(const std::string& arn) {
  return Error::sender("ResourceNotFound", "Resource not found: '" + arn + "'");
}

MapRunInfo run_info(const MapRunRec& r) {
  MapRunInfo i;
  i.arn = r.arn;
  i.execution_arn = r.execution_arn;
  i.state_machine_arn = r.state_machine_arn;
  i.status = r.status;
  i.start_date = r.start;
  i.stop_date = r.stop;
  i.max_concurrency = r.max_concurrency;
  i.tolerated_failure_percentage = r.tolerated_failure_percentage;
  i.tolerated_failure_count = r.tolerated_failure_count;
  MapRunCounts c;
  c.total = r.total;
  c.succeeded = r.succeeded;
  c.failed = r.failed;
  c.timed_out = r.timed_out;
  c.aborted = r.aborted;
  c.running = r.running;
  c.pending = r.total - r.succeeded - r.failed - r.timed_out - r.aborted - r.running;
  c.results_written = r.succeeded;
  i.item_counts = c;
  i.execution_counts = c;
  return i;
}

}  // namespace

Result<Engine::ToleratedFailures> Engine::tolerated_failures(const asl::State& s, const Json& input,
                                                             const Json& ctx) {
  const QueryLanguage& ql = jsonpath_language();
  ToleratedFailures out{s.tolerated_failure_count, s.tolerated_failure_percentage};
  if (!s.tolerated_failure_percentage_path.empty()) {
    auto v = ql.path(s.tolerated_failure_percentage_path, input, ctx);
    if (!v.ok() || !v->is_number() || v->get<double>() < 0 || v->get<double>() > 100)
      return Error::sender("States.Runtime",
                           "The ToleratedFailurePercentagePath field does not reference a number "
                           "from 0 to 100");
    out.percentage = v->get<double>();
  }
  if (!s.tolerated_failure_count_path.empty()) {
    auto v = ql.path(s.tolerated_failure_count_path, input, ctx);
    if (!v.ok() || !v->is_number_integer() || v->get<std::int64_t>() < 0)
      return Error::sender("States.Runtime",
                           "The ToleratedFailureCountPath field does not reference a "
                           "non-negative integer");
    out.count = v->get<std::int64_t>();
  }
  return out;
}

void Engine::run_distributed_map(ExecutionRec& e, Fiber& f, Json items) {
  const asl::State& s = current_state(f);
  const QueryLanguage& ql = jsonpath_language();
  Json ctx = context_object(e, f);
  auto tolerated = tolerated_failures(s, f.effective, ctx);
  if (!tolerated.ok()) return runtime_error(e, f, tolerated.error());
  // Each child's input: ItemSelector per item, then ItemBatcher groups.
  std::vector<Json> selected;
  for (std::size_t i = 0; i < items.size(); ++i) {
    Json input = items[i];
    if (s.item_selector) {
      Json c = ctx;
      c["Map"] = Json{{"Item", Json{{"Index", static_cast<std::int64_t>(i)}, {"Value", input}}}};
      auto sel = ql.payload(*s.item_selector, f.effective, c);
      if (!sel.ok()) return runtime_error(e, f, sel.error());
      input = std::move(*sel);
    }
    selected.push_back(std::move(input));
  }
  std::vector<Json> inputs;
  if (s.item_batcher) {
    const Json& b = *s.item_batcher;
    std::int64_t max_items = b.value("MaxItemsPerBatch", std::int64_t{0});
    if (b.contains("MaxItemsPerBatchPath")) {
      auto v = ql.path(b["MaxItemsPerBatchPath"].get<std::string>(), f.effective, ctx);
      if (v.ok() && v->is_number_integer()) max_items = v->get<std::int64_t>();
    }
    std::int64_t max_bytes = b.value("MaxInputBytesPerBatch", std::int64_t{262144});
    Json batch_input;
    if (b.contains("BatchInput")) {
      auto bi = ql.payload(b["BatchInput"], f.effective, ctx);
      if (!bi.ok()) return runtime_error(e, f, bi.error());
      batch_input = std::move(*bi);
    }
    Json current = Json::array();
    std::size_t bytes = 0;
    auto flush = [&] {
      if (current.empty()) return;
      Json input = Json::object();
      if (!batch_input.is_null()) input["BatchInput"] = batch_input;
      input["Items"] = std::move(current);
      inputs.push_back(std::move(input));
      current = Json::array();
      bytes = 0;
    };
    for (auto& item : selected) {
      const std::size_t size = to_text(item).size();
      if (!current.empty() && ((max_items > 0 && std::int64_t(current.size()) >= max_items) ||
                               std::int64_t(bytes + size) > max_bytes))
        flush();
      bytes += size;
      current.push_back(std::move(item));
    }
    flush();
  } else {
    inputs = std::move(selected);
  }

  emit(e, &f, "MapStateStarted", "mapStateStartedEventDetails",
       Doc{{"length", static_cast<std::int64_t>(items.size())}});
  const std::string label = s.label.empty() ? f.state : s.label;
  MapRunRec run;
  run.arn = "arn:aws:states:" + e.region + ":" + e.account + ":mapRun:" + e.machine_name + "/" +
            label + ":" + uuid_v4();
  run.execution_arn = e.arn;
  run.state_machine_arn = e.machine_arn + "/" + label;
  run.start = now();
  run.max_concurrency = f.max_concurrency;
  run.tolerated_failure_percentage = tolerated->percentage.value_or(0);
  run.tolerated_failure_count = tolerated->count.value_or(0);
  run.total = static_cast<std::int64_t>(inputs.size());
  run.parent_fiber = f.id;
  run.inputs = std::move(inputs);
  run.children.assign(run.inputs.size(), "");
  f.map_run_arn = run.arn;
  f.results.assign(run.inputs.size(), Json());
  f.finished.assign(run.inputs.size(), 0);
  f.completed = 0;
  f.phase = Phase::Children;
  ++f.gen;
  emit(e, &f, "MapRunStarted", "mapRunStartedEventDetails", Doc{{"mapRunArn", run.arn}});
  auto [it, inserted] = map_runs.emplace(run.arn, std::move(run));
  if (it->second.total == 0) return finish_map_run(it->second, e, f, false, "", "");
  start_map_run_children(it->second, e, f);
  persist_map_run(it->second);
}

void Engine::start_map_run_children(MapRunRec& run, ExecutionRec& e, Fiber& f) {
  const asl::State& s = current_state(f);
  const std::string label = s.label.empty() ? f.state : s.label;
  const bool express_children = s.child_execution_type == "EXPRESS";
  while (run.next < run.inputs.size() &&
         (run.max_concurrency == 0 || run.running < run.max_concurrency)) {
    const std::size_t idx = run.next++;
    auto child = std::make_unique<ExecutionRec>();
    ExecutionRec& c = *child;
    const std::string id = uuid_v4();
    c.arn = "arn:aws:states:" + e.region + ":" + e.account +
            (express_children ? ":express:" : ":execution:") + e.machine_name + "/" + label + ":" +
            id + (express_children ? ":" + uuid_v4() : "");
    c.name = id;
    c.machine_arn = run.state_machine_arn;
    c.machine_name = e.machine_name + "/" + label;
    c.type = express_children ? "EXPRESS" : "STANDARD";
    c.role_arn = e.role_arn;
    c.region = e.region;
    c.account = e.account;
    c.definition = e.definition;
    c.revision_id = e.revision_id;
    c.def = s.processor;
    c.definition_scope = f.scope;
    c.definition_scope.emplace_back(f.state, 0);
    c.input = run.inputs[idx];
    c.input_text = to_text(c.input);
    c.start = now();
    c.map_run_arn = run.arn;
    c.label = label;
    c.mock_case = e.mock_case;
    run.children[idx] = c.arn;
    ++run.running;
    const std::string carn = c.arn;
    executions[carn] = std::move(child);
    ExecutionRec& placed = *executions[carn];
    Doc started = data_detail("input", placed.input_text);
    started["roleArn"] = placed.role_arn;
    emit_at(placed, 0, "ExecutionStarted", "executionStartedEventDetails", std::move(started));
    Fiber& root = spawn(placed, nullptr, {}, placed.input, 0);
    placed.root = root.id;
    schedule(placed, root, false);
  }
}

void Engine::map_run_child_closed(const ExecutionRec& child) {
  auto it = map_runs.find(child.map_run_arn);
  if (it == map_runs.end()) return;
  MapRunRec& run = it->second;
  if (run.status != "RUNNING") return;
  --run.running;
  if (child.status == "SUCCEEDED") {
    ++run.succeeded;
  } else if (child.status == "TIMED_OUT") {
    ++run.timed_out;
  } else if (child.status == "ABORTED") {
    ++run.aborted;
  } else {
    ++run.failed;
  }
  ExecutionRec* parent = execution(run.execution_arn);
  Fiber* f = parent ? fiber(*parent, run.parent_fiber) : nullptr;
  if (!parent || !parent->running() || !f || f->map_run_arn != run.arn) {
    persist_map_run(run);
    return;
  }
  const auto idx = static_cast<std::size_t>(
      std::find(run.children.begin(), run.children.end(), child.arn) - run.children.begin());
  if (idx < f->results.size() && child.output) {
    Json out;
    parse_json(*child.output, out);
    f->results[idx] = std::move(out);
  }
  const std::int64_t failures = run.failed + run.timed_out + run.aborted;
  const bool over_count = failures > run.tolerated_failure_count;
  const bool over_pct = run.total > 0 && 100.0 * double(failures) / double(run.total) >
                                             run.tolerated_failure_percentage;
  // A threshold is exceeded only when both allowances are used up (AWS: either one set
  // alone decides; both default to 0).
  const bool count_set = run.tolerated_failure_count > 0;
  const bool pct_set = run.tolerated_failure_percentage > 0;
  bool exceeded = false;
  if (failures > 0) {
    if (count_set && pct_set) {
      exceeded = over_count && over_pct;
    } else if (count_set) {
      exceeded = over_count;
    } else if (pct_set) {
      exceeded = over_pct;
    } else {
      exceeded = true;
    }
  }
  if (exceeded) {
    finish_map_run(run, *parent, *f, true, "States.ExceedToleratedFailureThreshold",
                   "The specified tolerated failure threshold was exceeded");
    return;
  }
  if (run.succeeded + failures == run.total) {
    finish_map_run(run, *parent, *f, false, "", "");
    return;
  }
  start_map_run_children(run, *parent, *f);
  persist_map_run(run);
}

void Engine::finish_map_run(MapRunRec& run, ExecutionRec& e, Fiber& f, bool failed,
                            const std::string& error, const std::string& cause) {
  run.stop = now();
  run.status = failed ? "FAILED" : "SUCCEEDED";
  if (failed) {
    // Abort the children still running.
    for (const auto& carn : run.children) {
      if (carn.empty()) continue;
      ExecutionRec* c = execution(carn);
      if (c && c->running()) {
        ++run.aborted;
        --run.running;
        std::string keep = c->map_run_arn;
        c->map_run_arn.clear();  // do not count it twice through map_run_child_closed
        abort_execution(*c, "", "");
        c->map_run_arn = keep;
      }
    }
  }
  persist_map_run(run);
  f.map_run_arn.clear();
  if (failed) {
    emit(e, &f, "MapRunFailed", "mapRunFailedEventDetails",
         Doc{{"error", error}, {"cause", cause}});
    state_failed(e, f, error, cause, "MapStateFailed");
    return;
  }
  emit(e, &f, "MapRunSucceeded");
  emit(e, &f, "MapStateSucceeded", "", nullptr, false);
  Json results = Json::array();
  for (auto& r : f.results)
    results.push_back(std::move(r));
  finish_state(e, f, results, true);
}

// ---- operations ----

void SfnEngine::list_map_runs(std::string execution_arn, int max_results, std::string next_token,
                              Done<Page<MapRunInfo>> done) {
  impl_->post([e = impl_.get(), execution_arn = std::move(execution_arn), max_results,
               next_token = std::move(next_token), done = std::move(done)] {
    auto x = e->find_execution(execution_arn);
    if (!x.ok()) return done(std::move(x).error());
    std::vector<MapRunInfo> items;
    for (const auto& [arn, r] : e->map_runs)
      if (r.execution_arn == execution_arn) items.push_back(run_info(r));
    std::sort(items.begin(), items.end(),
              [](const MapRunInfo& a, const MapRunInfo& b) { return a.start_date > b.start_date; });
    done(paginate(std::move(items), max_results, next_token, execution_arn + ":runs"));
  });
}

void SfnEngine::describe_map_run(std::string arn, Done<MapRunInfo> done) {
  impl_->post([e = impl_.get(), arn = std::move(arn), done = std::move(done)] {
    auto p = parse_arn(arn);
    if (!p.ok()) return done(std::move(p).error());
    if (p->resource_type != "mapRun")
      return done(invalid_arn("Resource type not valid in this context: " + arn));
    auto it = e->map_runs.find(arn);
    if (it == e->map_runs.end()) return done(run_missing(arn));
    done(run_info(it->second));
  });
}

void SfnEngine::update_map_run(UpdateMapRunRequest request, DoneStatus done) {
  impl_->post([e = impl_.get(), request = std::move(request), done = std::move(done)]() mutable {
    auto p = parse_arn(request.arn);
    if (!p.ok()) return done(std::move(p).error());
    if (p->resource_type != "mapRun")
      return done(invalid_arn("Resource type not valid in this context: " + request.arn));
    auto it = e->map_runs.find(request.arn);
    if (it == e->map_runs.end()) return done(run_missing(request.arn));
    if (!request.max_concurrency && !request.tolerated_failure_count &&
        !request.tolerated_failure_percentage)
      return done(Error::sender("ValidationException",
                                "At least one of the parameters maxConcurrency, "
                                "toleratedFailurePercentage or toleratedFailureCount must be "
                                "specified"));
    MapRunRec& run = it->second;
    if (request.max_concurrency) run.max_concurrency = *request.max_concurrency;
    if (request.tolerated_failure_count)
      run.tolerated_failure_count = *request.tolerated_failure_count;
    if (request.tolerated_failure_percentage)
      run.tolerated_failure_percentage = *request.tolerated_failure_percentage;
    if (run.status == "RUNNING") {
      ExecutionRec* parent = e->execution(run.execution_arn);
      Fiber* f = parent ? e->fiber(*parent, run.parent_fiber) : nullptr;
      if (parent && f && f->map_run_arn == run.arn) e->start_map_run_children(run, *parent, *f);
      e->drain();
    }
    e->persist_map_run(run);
    e->reply_durable(std::move(done), ok_status());
  });
}

}  // namespace sluice::services::sfn
