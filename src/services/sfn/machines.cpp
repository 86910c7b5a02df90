// State machines, versions, aliases, tags and definition validation.
#include <algorithm>

#include "internal.hpp"
#include "paging.hpp"
#include "sluice/common/encoding.hpp"

namespace sluice::services::sfn {

namespace {

// AWS quotas.
constexpr std::size_t kMaxTags = 50;
constexpr int kMaxVersions = 1000;

Error machine_missing(const std::string& arn) {
  return Error::sender("StateMachineDoesNotExist", "State Machine Does Not Exist: '" + arn + "'");
}

Error resource_missing(const std::string& arn) {
  return Error::sender("ResourceNotFound", "Resource not found: '" + arn + "'");
}

Error validation(const std::string& message) {
  return Error::sender("ValidationException", message);
}

std::string machine_arn(const Scope& s, const std::string& name) {
  return "arn:aws:states:" + s.region + ":" + s.account + ":stateMachine:" + name;
}

bool numeric(const std::string& s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), ::isdigit);
}

// The machine an ARN names, and the version or alias qualifier when there is one.
struct Named {
  MachineRec* machine = nullptr;
  std::string qualifier;
};

Result<Named> named(Engine& e, const std::string& arn) {
  auto p = parse_arn(arn);
  if (!p.ok()) return std::move(p).error();
  if (p->resource_type != "stateMachine" || p->parts.empty() || p->parts.size() > 2)
    return invalid_arn("Resource type not valid in this context: " + arn);
  const std::string base =
      "arn:aws:states:" + p->region + ":" + p->account + ":stateMachine:" + p->parts[0];
  auto it = e.machines.find(base);
  if (it == e.machines.end()) return machine_missing(arn);
  Named n{&it->second, p->parts.size() == 2 ? p->parts[1] : ""};
  return n;
}

Result<std::vector<Tag>> merge_tags(std::vector<Tag> current, const std::vector<Tag>& add) {
  for (const auto& t : add) {
    auto it =
        std::find_if(current.begin(), current.end(), [&](const Tag& c) { return c.key == t.key; });
    if (it != current.end()) {
      it->value = t.value;
    } else {
      current.push_back(t);
    }
  }
  if (current.size() > kMaxTags)
    return Error::sender("TooManyTags", "Too many tags: the resource can have at most 50 tags");
  return current;
}

VersionRec make_version(MachineRec& m, const std::string& description, TimeMs now) {
  VersionRec v;
  v.number = m.next_version++;
  v.arn = m.arn + ":" + std::to_string(v.number);
  v.definition = m.definition;
  v.role_arn = m.role_arn;
  v.description = description;
  v.revision_id = m.revision_id;
  v.created = now;
  v.logging = m.logging;
  v.tracing = m.tracing;
  v.encryption = m.encryption;
  v.parsed = m.parsed;
  return v;
}

Status check_routing(const MachineRec& m, const std::vector<RoutingEntry>& routing) {
  if (routing.empty() || routing.size() > 2)
    return validation(
        "1 validation error detected: Value at 'routingConfiguration' failed to "
        "satisfy constraint: Member must have length between 1 and 2");
  int total = 0;
  for (std::size_t i = 0; i < routing.size(); ++i) {
    const auto& r = routing[i];
    auto p = parse_arn(r.version_arn);
    if (!p.ok()) return std::move(p).error();
    if (p->resource_type != "stateMachine" || p->parts.size() != 2 || !numeric(p->parts[1]))
      return invalid_arn("Resource type not valid in this context: " + r.version_arn);
    if (r.version_arn.rfind(m.arn + ":", 0) != 0)
      return validation(
          "Routing configuration must contain state machine version ARNs of the "
          "same state machine");
    if (!m.versions.count(std::atoi(p->parts[1].c_str()))) return resource_missing(r.version_arn);
    for (std::size_t j = 0; j < i; ++j)
      if (routing[j].version_arn == r.version_arn)
        return validation("Routing configuration must contain distinct state machine versions");
    total += r.weight;
  }
  if (total != 100) return validation("Sum of routing configuration weights must be equal to 100");
  return ok_status();
}

bool same_routing(const std::vector<RoutingEntry>& a, const std::vector<RoutingEntry>& b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (a[i].version_arn != b[i].version_arn || a[i].weight != b[i].weight) return false;
  return true;
}

}  // namespace

// ---- state machines ----

void SfnEngine::create_state_machine(Scope scope, CreateStateMachineRequest r,
                                     Done<CreateStateMachineResult> done) {
  impl_->post([e = impl_.get(), scope = std::move(scope), r = std::move(r),
               done = std::move(done)]() mutable {
    if (!valid_resource_name(r.name))
      return done(Error::sender("InvalidName", "Invalid Name: '" + r.name + "'"));
    if (r.role_arn.rfind("arn:", 0) != 0)
      return done(invalid_arn("Invalid ARN prefix: " + r.role_arn));
    auto parsed = asl::parse_definition(r.definition, asl::ParseOptions{r.type == "EXPRESS"});
    if (!parsed.ok())
      return done(
          Error::sender("InvalidDefinition", asl::invalid_definition_message(parsed.diagnostics)));
    if (r.tags.size() > kMaxTags)
      return done(
          Error::sender("TooManyTags", "Too many tags: the resource can have at most 50 tags"));
    const std::string arn = machine_arn(scope, r.name);
    if (auto it = e->machines.find(arn); it != e->machines.end()) {
      // AWS: creating an identical state machine again is idempotent.
      MachineRec& m = it->second;
      if (m.definition == r.definition && m.role_arn == r.role_arn && m.type == r.type &&
          (r.logging_configuration.is_null() || r.logging_configuration == m.logging) &&
          !r.publish) {
        CreateStateMachineResult out{m.arn, m.created, ""};
        return done(out);
      }
      return done(Error::sender("StateMachineAlreadyExists",
                                "State Machine Already Exists: '" + arn + "'"));
    }
    MachineRec m;
    m.arn = arn;
    m.name = r.name;
    m.type = r.type;
    m.role_arn = r.role_arn;
    m.definition = r.definition;
    m.revision_id = uuid_v4();
    m.region = scope.region;
    m.account = scope.account;
    m.created = m.updated = e->now();
    m.logging = r.logging_configuration.is_null()
                    ? Doc{{"level", "OFF"}, {"includeExecutionData", false}}
                    : r.logging_configuration;
    m.tracing =
        r.tracing_configuration.is_null() ? Doc{{"enabled", false}} : r.tracing_configuration;
    m.encryption = r.encryption_configuration.is_null() ? Doc{{"type", "AWS_OWNED_KEY"}}
                                                        : r.encryption_configuration;
    m.parsed = parsed.definition;
    m.tags = r.tags;
    CreateStateMachineResult out{arn, m.created, ""};
    if (r.publish) {
      VersionRec v = make_version(m, r.version_description, m.created);
      out.version_arn = v.arn;
      m.versions.emplace(v.number, std::move(v));
    }
    auto& stored = e->machines[arn] = std::move(m);
    e->persist_machine(stored);
    e->reply_durable(std::move(done), Result<CreateStateMachineResult>(out));
  });
}

void SfnEngine::describe_state_machine(std::string arn, Done<StateMachineInfo> done) {
  impl_->post([e = impl_.get(), arn = std::move(arn), done = std::move(done)] {
    auto n = named(*e, arn);
    if (!n.ok()) return done(std::move(n).error());
    const MachineRec& m = *n->machine;
    StateMachineInfo i;
    i.arn = m.arn;
    i.name = m.name;
    i.type = m.type;
    i.definition = m.definition;
    i.role_arn = m.role_arn;
    i.revision_id = m.revision_id;
    i.creation_date = m.created;
    i.logging_configuration = m.logging;
    i.tracing_configuration = m.tracing;
    i.encryption_configuration = m.encryption;
    if (!n->qualifier.empty()) {
      if (!numeric(n->qualifier))
        return done(invalid_arn("Resource type not valid in this context: " + arn));
      auto v = m.versions.find(std::atoi(n->qualifier.c_str()));
      if (v == m.versions.end()) return done(machine_missing(arn));
      i.arn = v->second.arn;
      i.definition = v->second.definition;
      i.role_arn = v->second.role_arn;
      i.revision_id = v->second.revision_id;
      i.description = v->second.description;
      i.creation_date = v->second.created;
      i.logging_configuration = v->second.logging;
      i.tracing_configuration = v->second.tracing;
      i.encryption_configuration = v->second.encryption;
    }
    done(i);
  });
}

void SfnEngine::update_state_machine(UpdateStateMachineRequest r,
                                     Done<UpdateStateMachineResult> done) {
  impl_->post([e = impl_.get(), r = std::move(r), done = std::move(done)]() mutable {
    auto n = named(*e, r.arn);
    if (!n.ok()) return done(std::move(n).error());
    if (!n->qualifier.empty())
      return done(invalid_arn("Resource type not valid in this context: " + r.arn));
    if (!r.definition && !r.role_arn && r.logging_configuration.is_null() &&
        r.tracing_configuration.is_null() && r.encryption_configuration.is_null())
      return done(Error::sender("MissingRequiredParameter",
                                "Either the definition, the role ARN, the LoggingConfiguration, "
                                "the EncryptionConfiguration or the TracingConfiguration must be "
                                "specified"));
    MachineRec& m = *n->machine;
    std::shared_ptr<const asl::StateMachineDef> parsed = m.parsed;
    if (r.definition) {
      auto p = asl::parse_definition(*r.definition, asl::ParseOptions{m.type == "EXPRESS"});
      if (!p.ok())
        return done(
            Error::sender("InvalidDefinition", asl::invalid_definition_message(p.diagnostics)));
      parsed = p.definition;
    }
    if (r.role_arn && r.role_arn->rfind("arn:", 0) != 0)
      return done(invalid_arn("Invalid ARN prefix: " + *r.role_arn));
    const bool changed = (r.definition && *r.definition != m.definition) ||
                         (r.role_arn && *r.role_arn != m.role_arn) ||
                         !r.logging_configuration.is_null() || !r.tracing_configuration.is_null() ||
                         !r.encryption_configuration.is_null();
    if (r.definition) {
      m.definition = *r.definition;
      m.parsed = parsed;
    }
    if (r.role_arn) m.role_arn = *r.role_arn;
    if (!r.logging_configuration.is_null()) m.logging = r.logging_configuration;
    if (!r.tracing_configuration.is_null()) m.tracing = r.tracing_configuration;
    if (!r.encryption_configuration.is_null()) m.encryption = r.encryption_configuration;
    if (changed) m.revision_id = uuid_v4();
    m.updated = e->now();
    UpdateStateMachineResult out{m.updated, m.revision_id, ""};
    if (r.publish) {
      if (static_cast<int>(m.versions.size()) >= kMaxVersions)
        return done(Error::sender("ServiceQuotaExceededException",
                                  "The state machine has reached the maximum number of versions"));
      VersionRec v = make_version(m, r.version_description, m.updated);
      out.version_arn = v.arn;
      m.versions.emplace(v.number, std::move(v));
    }
    e->persist_machine(m);
    e->reply_durable(std::move(done), Result<UpdateStateMachineResult>(out));
  });
}

void SfnEngine::delete_state_machine(std::string arn, DoneStatus done) {
  impl_->post([e = impl_.get(), arn = std::move(arn), done = std::move(done)]() mutable {
    auto p = parse_arn(arn);
    if (!p.ok()) return done(std::move(p).error());
    if (p->resource_type != "stateMachine" || p->parts.size() != 1)
      return done(
          validation("Qualified state machine ARNs are not supported by "
                     "DeleteStateMachine: '" +
                     arn + "'"));
    auto it = e->machines.find(arn);
    // AWS: deleting a state machine that does not exist succeeds.
    if (it == e->machines.end()) return done(ok_status());
    e->unpersist_machine(it->second);
    e->machines.erase(it);
    e->reply_durable(std::move(done), ok_status());
  });
}

void SfnEngine::list_state_machines(Scope scope, int max_results, std::string next_token,
                                    Done<Page<StateMachineListItem>> done) {
  impl_->post([e = impl_.get(), scope = std::move(scope), max_results,
               next_token = std::move(next_token), done = std::move(done)] {
    std::vector<StateMachineListItem> items;
    for (const auto& [arn, m] : e->machines) {
      if (m.region != scope.region || m.account != scope.account) continue;
      items.push_back({m.arn, m.name, m.type, m.created});
    }
    done(paginate(std::move(items), max_results, next_token, "machines"));
  });
}

// ---- versions ----

void SfnEngine::publish_state_machine_version(std::string arn,
                                              std::optional<std::string> revision_id,
                                              std::string description, Done<ArnAndDate> done) {
  impl_->post([e = impl_.get(), arn = std::move(arn), revision_id = std::move(revision_id),
               description = std::move(description), done = std::move(done)]() mutable {
    auto n = named(*e, arn);
    if (!n.ok()) return done(std::move(n).error());
    if (!n->qualifier.empty())
      return done(invalid_arn("Resource type not valid in this context: " + arn));
    MachineRec& m = *n->machine;
    if (revision_id && *revision_id != m.revision_id)
      return done(Error::sender("ConflictException",
                                "Failed to publish the State Machine version for revision " +
                                    *revision_id + ". The current State Machine revision is " +
                                    m.revision_id + "."));
    // Publishing an unchanged revision again answers with the version it produced.
    if (!m.versions.empty() && m.versions.rbegin()->second.revision_id == m.revision_id) {
      const auto& v = m.versions.rbegin()->second;
      return done(ArnAndDate{v.arn, v.created});
    }
    if (static_cast<int>(m.versions.size()) >= kMaxVersions)
      return done(Error::sender("ServiceQuotaExceededException",
                                "The state machine has reached the maximum number of versions"));
    VersionRec v = make_version(m, description, e->now());
    ArnAndDate out{v.arn, v.created};
    m.versions.emplace(v.number, std::move(v));
    e->persist_machine(m);
    e->reply_durable(std::move(done), Result<ArnAndDate>(out));
  });
}

void SfnEngine::list_state_machine_versions(std::string arn, int max_results,
                                            std::string next_token, Done<Page<ArnAndDate>> done) {
  impl_->post([e = impl_.get(), arn = std::move(arn), max_results,
               next_token = std::move(next_token), done = std::move(done)] {
    auto n = named(*e, arn);
    if (!n.ok()) return done(std::move(n).error());
    if (!n->qualifier.empty())
      return done(invalid_arn("Resource type not valid in this context: " + arn));
    std::vector<ArnAndDate> items;
    for (auto it = n->machine->versions.rbegin(); it != n->machine->versions.rend(); ++it)
      items.push_back({it->second.arn, it->second.created});
    done(paginate(std::move(items), max_results, next_token, arn + ":versions"));
  });
}

void SfnEngine::delete_state_machine_version(std::string version_arn, DoneStatus done) {
  impl_->post(
      [e = impl_.get(), version_arn = std::move(version_arn), done = std::move(done)]() mutable {
        auto p = parse_arn(version_arn);
        if (!p.ok()) return done(std::move(p).error());
        if (p->resource_type != "stateMachine" || p->parts.size() != 2 || !numeric(p->parts[1]))
          return done(invalid_arn("Resource type not valid in this context: " + version_arn));
        const std::string base = version_arn.substr(0, version_arn.rfind(':'));
        auto it = e->machines.find(base);
        if (it == e->machines.end()) return done(ok_status());
        MachineRec& m = it->second;
        const int number = std::atoi(p->parts[1].c_str());
        std::vector<std::string> referencing;
        for (const auto& [name, a] : m.aliases)
          for (const auto& r : a.routing)
            if (r.version_arn == version_arn) referencing.push_back(a.arn);
        if (!referencing.empty()) {
          std::string list;
          for (const auto& a : referencing)
            list += (list.empty() ? "" : ", ") + a;
          return done(Error::sender("ConflictException",
                                    "Version to be deleted must not be referenced by an alias. "
                                    "Current list of aliases referencing this version: [" +
                                        list + "]"));
        }
        m.versions.erase(number);
        e->persist_machine(m);
        e->reply_durable(std::move(done), ok_status());
      });
}

// ---- aliases ----

void SfnEngine::create_state_machine_alias(std::string name, std::string description,
                                           std::vector<RoutingEntry> routing,
                                           Done<ArnAndDate> done) {
  impl_->post([e = impl_.get(), name = std::move(name), description = std::move(description),
               routing = std::move(routing), done = std::move(done)]() mutable {
    if (!valid_resource_name(name) || numeric(name))
      return done(Error::sender("InvalidName", "Invalid Name: '" + name + "'"));
    if (routing.empty())
      return done(
          validation("1 validation error detected: Value at 'routingConfiguration' "
                     "failed to satisfy constraint: Member must have length between 1 "
                     "and 2"));
    const std::string& first = routing.front().version_arn;
    auto p = parse_arn(first);
    if (!p.ok()) return done(std::move(p).error());
    if (p->resource_type != "stateMachine" || p->parts.size() != 2)
      return done(invalid_arn("Resource type not valid in this context: " + first));
    const std::string base = first.substr(0, first.rfind(':'));
    auto it = e->machines.find(base);
    if (it == e->machines.end()) return done(resource_missing(first));
    MachineRec& m = it->second;
    if (auto st = check_routing(m, routing); !st.ok()) return done(std::move(st).error());
    const std::string arn = m.arn + ":" + name;
    if (auto a = m.aliases.find(name); a != m.aliases.end()) {
      if (a->second.description == description && same_routing(a->second.routing, routing))
        return done(ArnAndDate{a->second.arn, a->second.created});
      return done(Error::sender("ConflictException",
                                "Failed to create alias because an alias with the same name and "
                                "a different routing configuration already exists."));
    }
    AliasRec a;
    a.arn = arn;
    a.name = name;
    a.description = description;
    a.routing = std::move(routing);
    a.created = a.updated = e->now();
    ArnAndDate out{a.arn, a.created};
    m.aliases.emplace(name, std::move(a));
    e->persist_machine(m);
    e->reply_durable(std::move(done), Result<ArnAndDate>(out));
  });
}

namespace {

Result<std::pair<MachineRec*, AliasRec*>> find_alias(Engine& e, const std::string& arn) {
  auto p = parse_arn(arn);
  if (!p.ok()) return std::move(p).error();
  if (p->resource_type != "stateMachine" || p->parts.size() != 2 || numeric(p->parts[1]))
    return invalid_arn("Resource type not valid in this context: " + arn);
  const std::string base = arn.substr(0, arn.rfind(':'));
  auto it = e.machines.find(base);
  if (it == e.machines.end()) return resource_missing(arn);
  auto a = it->second.aliases.find(p->parts[1]);
  if (a == it->second.aliases.end()) return resource_missing(arn);
  return std::make_pair(&it->second, &a->second);
}

}  // namespace

void SfnEngine::describe_state_machine_alias(std::string alias_arn, Done<AliasInfo> done) {
  impl_->post([e = impl_.get(), alias_arn = std::move(alias_arn), done = std::move(done)] {
    auto found = find_alias(*e, alias_arn);
    if (!found.ok()) return done(std::move(found).error());
    const AliasRec& a = *found->second;
    done(AliasInfo{a.arn, a.name, a.description, a.routing, a.created, a.updated});
  });
}

void SfnEngine::update_state_machine_alias(std::string alias_arn,
                                           std::optional<std::string> description,
                                           std::optional<std::vector<RoutingEntry>> routing,
                                           Done<TimeMs> done) {
  impl_->post([e = impl_.get(), alias_arn = std::move(alias_arn),
               description = std::move(description), routing = std::move(routing),
               done = std::move(done)]() mutable {
    if (!description && !routing)
      return done(
          validation("Either the description or the RoutingConfiguration must be "
                     "specified"));
    auto found = find_alias(*e, alias_arn);
    if (!found.ok()) return done(std::move(found).error());
    auto [m, a] = *found;
    if (routing) {
      if (auto st = check_routing(*m, *routing); !st.ok()) return done(std::move(st).error());
      a->routing = std::move(*routing);
    }
    if (description) a->description = *description;
    a->updated = e->now();
    e->persist_machine(*m);
    e->reply_durable(std::move(done), Result<TimeMs>(a->updated));
  });
}

void SfnEngine::delete_state_machine_alias(std::string alias_arn, DoneStatus done) {
  impl_->post(
      [e = impl_.get(), alias_arn = std::move(alias_arn), done = std::move(done)]() mutable {
        auto found = find_alias(*e, alias_arn);
        if (!found.ok()) return done(std::move(found).error());
        auto [m, a] = *found;
        m->aliases.erase(a->name);
        e->persist_machine(*m);
        e->reply_durable(std::move(done), ok_status());
      });
}

void SfnEngine::list_state_machine_aliases(std::string arn, int max_results, std::string next_token,
                                           Done<Page<ArnAndDate>> done) {
  impl_->post([e = impl_.get(), arn = std::move(arn), max_results,
               next_token = std::move(next_token), done = std::move(done)] {
    auto n = named(*e, arn);
    if (!n.ok()) return done(std::move(n).error());
    std::vector<ArnAndDate> items;
    for (const auto& [name, a] : n->machine->aliases) {
      if (!n->qualifier.empty()) {
        // A version ARN lists the aliases that route to it.
        bool routes = false;
        for (const auto& r : a.routing)
          routes = routes || r.version_arn == arn;
        if (!routes) continue;
      }
      items.push_back({a.arn, a.created});
    }
    std::sort(items.begin(), items.end(),
              [](const ArnAndDate& x, const ArnAndDate& y) { return x.date > y.date; });
    done(paginate(std::move(items), max_results, next_token, arn + ":aliases"));
  });
}

// ---- tags ----

void SfnEngine::tag_resource(std::string arn, std::vector<Tag> tags, DoneStatus done) {
  impl_->post([e = impl_.get(), arn = std::move(arn), tags = std::move(tags),
               done = std::move(done)]() mutable {
    auto p = parse_arn(arn);
    if (!p.ok()) return done(std::move(p).error());
    if (auto m = e->machines.find(arn); m != e->machines.end()) {
      auto merged = merge_tags(m->second.tags, tags);
      if (!merged.ok()) return done(std::move(merged).error());
      m->second.tags = std::move(*merged);
      e->persist_machine(m->second);
    } else if (auto a = e->activities.find(arn); a != e->activities.end()) {
      auto merged = merge_tags(a->second.tags, tags);
      if (!merged.ok()) return done(std::move(merged).error());
      a->second.tags = std::move(*merged);
      e->persist_activity(a->second);
    } else {
      return done(resource_missing(arn));
    }
    e->reply_durable(std::move(done), ok_status());
  });
}

void SfnEngine::untag_resource(std::string arn, std::vector<std::string> keys, DoneStatus done) {
  impl_->post([e = impl_.get(), arn = std::move(arn), keys = std::move(keys),
               done = std::move(done)]() mutable {
    auto p = parse_arn(arn);
    if (!p.ok()) return done(std::move(p).error());
    auto drop = [&keys](std::vector<Tag>& tags) {
      tags.erase(std::remove_if(tags.begin(), tags.end(),
                                [&](const Tag& t) {
                                  return std::find(keys.begin(), keys.end(), t.key) != keys.end();
                                }),
                 tags.end());
    };
    if (auto m = e->machines.find(arn); m != e->machines.end()) {
      drop(m->second.tags);
      e->persist_machine(m->second);
    } else if (auto a = e->activities.find(arn); a != e->activities.end()) {
      drop(a->second.tags);
      e->persist_activity(a->second);
    } else {
      return done(resource_missing(arn));
    }
    e->reply_durable(std::move(done), ok_status());
  });
}

void SfnEngine::list_tags_for_resource(std::string arn, Done<std::vector<Tag>> done) {
  impl_->post([e = impl_.get(), arn = std::move(arn), done = std::move(done)] {
    auto p = parse_arn(arn);
    if (!p.ok()) return done(std::move(p).error());
    if (auto m = e->machines.find(arn); m != e->machines.end()) return done(m->second.tags);
    if (auto a = e->activities.find(arn); a != e->activities.end()) return done(a->second.tags);
    done(resource_missing(arn));
  });
}

// ---- validation ----

ValidationResult SfnEngine::validate_definition(const std::string& definition,
                                                const std::string& type,
                                                const std::string& severity, int max_results) {
  auto parsed = asl::parse_definition(definition, asl::ParseOptions{type == "EXPRESS"});
  ValidationResult out;
  out.result = parsed.ok() ? "OK" : "FAIL";
  const bool warnings = severity == "WARNING";
  const std::size_t limit = max_results <= 0 ? 100 : static_cast<std::size_t>(max_results);
  for (const auto& d : parsed.diagnostics) {
    if (d.severity == "WARNING" && !warnings) continue;
    if (out.diagnostics.size() >= limit) {
      out.truncated = true;
      break;
    }
    out.diagnostics.push_back({d.severity, d.code, d.message, d.location});
  }
  return out;
}

}  // namespace sluice::services::sfn
