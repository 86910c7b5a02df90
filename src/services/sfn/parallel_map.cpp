// Parallel and (inline) Map states. Branches and iterations are fibers of the same
// execution; their history lineages follow AWS: each branch starts from the
// ParallelStateStarted event, Map iterations run on MaxConcurrency "workers" whose
// lineages chain from one iteration to the next, and the *Succeeded events of the
// state and of iterations do not move the lineage on.
#include <algorithm>

#include "internal.hpp"

namespace sluice::services::sfn {

namespace {

Doc iteration_detail(const std::string& name, std::int64_t index) {
  return Doc{{"name", name}, {"index", index}};
}

}  // namespace

void Engine::run_parallel(ExecutionRec& e, Fiber& f) {
  const asl::State& s = current_state(f);
  const QueryLanguage& ql = jsonpath_language();
  Json ctx = context_object(e, f);
  auto effective = ql.input(s.input_path, f.input, ctx);
  if (!effective.ok()) return runtime_error(e, f, effective.error());
  Json input = std::move(*effective);
  if (s.parameters) {
    auto p = ql.payload(*s.parameters, input, ctx);
    if (!p.ok()) return runtime_error(e, f, p.error());
    input = std::move(*p);
  }
  // TestState of a mocked Parallel: the mock stands for the branches' results (or error).
  if (e.test && f.parent == 0 && (e.test_mock || e.test_mock_error))
    return finish_mocked_parallel(e, f);
  emit(e, &f, "ParallelStateStarted");
  const std::size_t n = s.branches.size();
  for (auto id : f.children)
    garbage.emplace_back(e.arn, id);
  f.children.clear();
  f.results.assign(n, Json());
  f.finished.assign(n, 0);
  f.completed = 0;
  f.aborting = false;
  f.children_source = f.source;
  f.phase = Phase::Children;
  ++f.gen;
  std::vector<Fiber*> spawned;
  for (std::size_t i = 0; i < n; ++i) {
    ScopePath scope = f.scope;
    scope.emplace_back(f.state, static_cast<int>(i));
    Fiber& child = spawn(e, &f, std::move(scope), input, f.source);
    child.slot = static_cast<std::int64_t>(i);
    spawned.push_back(&child);
  }
  // Depth-first, branch 0 first: push in reverse onto the front of the ready queue.
  for (auto it = spawned.rbegin(); it != spawned.rend(); ++it)
    schedule(e, **it);
}

void Engine::run_map(ExecutionRec& e, Fiber& f) {
  const asl::State& s = current_state(f);
  const QueryLanguage& ql = jsonpath_language();
  Json ctx = context_object(e, f);
  auto effective = ql.input(s.input_path, f.input, ctx);
  if (!effective.ok()) return runtime_error(e, f, effective.error());
  f.effective = std::move(*effective);
  inspect(e, f, "afterInputPath", f.effective);
  Json items = f.effective;
  if (s.item_reader) {
    // Items come from S3 (getObject / listObjectsV2), which Sluice does not emulate;
    // TestState takes what the reader would read from stateConfiguration.mapItemReaderData.
    if (!(e.test && f.parent == 0 && e.test_reader_data))
      return state_failed(e, f, "States.ItemReaderFailed",
                          "The ItemReader of the Map state '" + f.state +
                              "' reads from Amazon S3, which this emulator does not provide.");
    auto read = read_test_items(e, f, *s.item_reader, ctx);
    if (!read.ok()) return runtime_error(e, f, read.error());
    items = std::move(*read);
  } else if (s.items_path.path != "$") {
    auto v = ql.path(s.items_path.path, f.effective, ctx);
    if (!v.ok()) return runtime_error(e, f, v.error());
    items = std::move(*v);
  }
  if (!items.is_array()) {
    return runtime_error(
        e, f,
        Error::sender("States.Runtime", "Map state input must be an array, but the ItemsPath '" +
                                            s.items_path.path + "' resolved to " + to_text(items)));
  }
  std::int64_t max_concurrency = s.max_concurrency;
  if (!s.max_concurrency_path.empty()) {
    auto v = ql.path(s.max_concurrency_path, f.effective, ctx);
    if (!v.ok()) return runtime_error(e, f, v.error());
    if (!v->is_number_integer() || v->get<std::int64_t>() < 0)
      return runtime_error(
          e, f,
          Error::sender("States.Runtime", "The MaxConcurrencyPath field refers to value " +
                                              to_text(*v) + " which is not a valid integer"));
    max_concurrency = v->get<std::int64_t>();
  }
  inspect(e, f, "afterItemsPath", items);
  if (e.test && f.parent == 0 && s.item_selector) {
    // The iterations select their items one by one; TestState shows them all at once.
    Json selected = Json::array();
    for (std::size_t i = 0; i < items.size(); ++i) {
      Json c = ctx;
      c["Map"] = Json{{"Item", Json{{"Index", static_cast<std::int64_t>(i)}, {"Value", items[i]}}}};
      auto sel = ql.payload(*s.item_selector, f.effective, c);
      if (!sel.ok()) break;
      selected.push_back(std::move(*sel));
    }
    if (selected.size() == items.size()) inspect(e, f, "afterItemSelector", selected);
  }
  inspect(e, f, "maxConcurrency", Json(max_concurrency));
  // TestState of a mocked Map: the mock stands for the iterations' results (or error).
  if (e.test && f.parent == 0 && (e.test_mock || e.test_mock_error))
    return finish_mocked_map(e, f, items.size(), ctx);
  if (s.distributed) {
    f.max_concurrency = max_concurrency;
    return run_distributed_map(e, f, std::move(items));
  }
  const std::size_t n = items.size();
  emit(e, &f, "MapStateStarted", "mapStateStartedEventDetails",
       Doc{{"length", static_cast<std::int64_t>(n)}});
  f.items = std::move(items);
  for (auto id : f.children)
    garbage.emplace_back(e.arn, id);
  f.children.clear();
  f.results.assign(n, Json());
  f.finished.assign(n, 0);
  f.next_item = 0;
  f.completed = 0;
  f.running = 0;
  f.aborting = false;
  f.max_concurrency = max_concurrency;
  const std::size_t workers = std::max<std::size_t>(
      1, max_concurrency == 0 ? n : std::min<std::size_t>(n, std::size_t(max_concurrency)));
  f.worker_source.assign(workers, f.source);
  f.free_workers.clear();
  for (std::size_t w = 0; w < workers; ++w)
    f.free_workers.push_back(static_cast<int>(w));
  f.phase = Phase::Children;
  ++f.gen;
  if (n == 0) {
    emit(e, &f, "MapStateSucceeded", "", nullptr, false);
    finish_state(e, f, Json::array(), true);
    return;
  }
  schedule(e, f);
}

void Engine::pump_map(ExecutionRec& e, Fiber& f) {
  const asl::State& s = current_state(f);
  if (f.aborting || s.distributed) return;
  if (f.next_item >= f.items.size() || f.free_workers.empty()) return;
  const std::size_t idx = f.next_item++;
  const int w = f.free_workers.front();
  f.free_workers.erase(f.free_workers.begin());
  Json input = f.items[idx];
  if (s.item_selector) {
    Json ctx = context_object(e, f);
    ctx["Map"] = Json{{"Item", Json{{"Index", static_cast<std::int64_t>(idx)}, {"Value", input}}}};
    auto sel = jsonpath_language().payload(*s.item_selector, f.effective, ctx);
    if (!sel.ok()) {
      f.aborting = true;
      for (auto id : f.children)
        if (Fiber* c = fiber(e, id); c && c->phase != Phase::Done) stop_fiber(e, *c);
      return runtime_error(e, f, sel.error());
    }
    input = std::move(*sel);
  }
  ScopePath scope = f.scope;
  scope.emplace_back(f.state, 0);
  Fiber& child = spawn(e, &f, std::move(scope), std::move(input),
                       f.worker_source[static_cast<std::size_t>(w)]);
  child.slot = static_cast<std::int64_t>(idx);
  child.worker = w;
  emit(e, &child, "MapIterationStarted", "mapIterationStartedEventDetails",
       iteration_detail(f.state, child.slot));
  ++f.running;
  // The iteration runs first; the Map comes back to start the next one.
  schedule(e, f);
  schedule(e, child);
}

void Engine::child_finished(ExecutionRec& e, Fiber& parent, Fiber& child) {
  if (parent.phase != Phase::Children || parent.aborting) return;
  const asl::State& s = current_state(parent);
  parent.children_source = std::max(parent.children_source, child.source);
  const auto slot = static_cast<std::size_t>(child.slot);

  if (s.type == asl::StateType::Parallel) {
    if (child.failed) {
      parent.aborting = true;
      for (auto id : parent.children)
        if (Fiber* c = fiber(e, id); c && c->phase != Phase::Done) stop_fiber(e, *c);
      parent.source = child.source;
      state_failed(e, parent, child.error, child.cause, "ParallelStateFailed");
      return;
    }
    parent.results[slot] = child.output;
    parent.finished[slot] = 1;
    if (++parent.completed < parent.results.size()) return;
    parent.source = parent.children_source;
    emit(e, &parent, "ParallelStateSucceeded", "", nullptr, false);
    Json results = Json::array();
    for (auto& r : parent.results)
      results.push_back(std::move(r));
    finish_state(e, parent, results, true);
    return;
  }

  // Map (inline)
  const auto w = static_cast<std::size_t>(child.worker);
  --parent.running;
  if (child.failed) {
    emit(e, &child, "MapIterationFailed", "mapIterationFailedEventDetails",
         iteration_detail(parent.state, child.slot), false);
    parent.aborting = true;
    for (auto id : parent.children) {
      Fiber* c = fiber(e, id);
      if (!c || c->phase == Phase::Done) continue;
      emit(e, c, "MapIterationAborted", "mapIterationAbortedEventDetails",
           iteration_detail(parent.state, c->slot), false);
      stop_fiber(e, *c);
    }
    parent.source = child.source;
    state_failed(e, parent, child.error, child.cause, "MapStateFailed");
    return;
  }
  const std::int64_t ev =
      emit(e, &child, "MapIterationSucceeded", "mapIterationSucceededEventDetails",
           iteration_detail(parent.state, child.slot), false);
  parent.results[slot] = child.output;
  parent.finished[slot] = 1;
  ++parent.completed;
  // A worker's next iteration chains from the last state event of this one; a worker
  // with nothing left hands on its final MapIterationSucceeded.
  parent.worker_source[w] = parent.next_item < parent.items.size() ? child.source : ev;
  parent.free_workers.insert(parent.free_workers.begin(), static_cast<int>(w));
  if (parent.completed < parent.results.size()) {
    schedule(e, parent);
    return;
  }
  parent.source = *std::max_element(parent.worker_source.begin(), parent.worker_source.end());
  emit(e, &parent, "MapStateSucceeded", "", nullptr, false);
  Json results = Json::array();
  for (auto& r : parent.results)
    results.push_back(std::move(r));
  finish_state(e, parent, results, true);
}

}  // namespace sluice::services::sfn
