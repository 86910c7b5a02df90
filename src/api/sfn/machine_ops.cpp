// State machines, versions, aliases, activities, tags and definition validation.
#include "handlers.hpp"

namespace sluice::api::sfn {

using namespace protocol;
using services::sfn::ActivityInfo;
using services::sfn::AliasInfo;
using services::sfn::ArnAndDate;
using services::sfn::CreateStateMachineResult;
using services::sfn::Page;
using services::sfn::RoutingEntry;
using services::sfn::StateMachineInfo;
using services::sfn::StateMachineListItem;
using services::sfn::UpdateStateMachineResult;
using K = Rule::Kind;

namespace {

ShapePtr tags_shape() {
  return list_of(structure({member("key", string_shape()), member("value", string_shape())}));
}
ShapePtr encryption_shape() {
  return structure({member("kmsKeyId", string_shape()),
                    member("kmsDataKeyReusePeriodSeconds", integer_shape()),
                    member("type", string_shape()).req()});
}
ShapePtr logging_shape() {
  auto group = structure({member("logGroupArn", string_shape())});
  return structure(
      {member("level", string_shape()), member("includeExecutionData", boolean_shape()),
       member("destinations", list_of(structure({member("cloudWatchLogsLogGroup", group)})))});
}
ShapePtr tracing_shape() {
  return structure({member("enabled", boolean_shape())});
}
ShapePtr routing_shape() {
  return list_of(structure({member("stateMachineVersionArn", string_shape()).req(),
                            member("weight", integer_shape()).req()}));
}

std::vector<RoutingEntry> parse_routing(const Json& in) {
  std::vector<RoutingEntry> out;
  if (!in.is_array()) return out;
  for (const auto& r : in)
    out.push_back({r.value("stateMachineVersionArn", ""), r.value("weight", 0)});
  return out;
}

std::optional<Error> check_routing_weights(const Json& routing) {
  std::vector<std::string> violations;
  if (!routing.is_array()) return std::nullopt;
  if (routing.empty() || routing.size() > 2)
    violations.push_back(
        "Value at 'routingConfiguration' failed to satisfy constraint: Member "
        "must have length between 1 and 2");
  for (std::size_t i = 0; i < routing.size(); ++i) {
    const Json& r = routing[i];
    if (r.contains("weight") && r["weight"].is_number_integer()) {
      const int w = r["weight"].get<int>();
      if (w < 0 || w > 100)
        violations.push_back("Value '" + std::to_string(w) + "' at 'routingConfiguration." +
                             std::to_string(i + 1) +
                             ".member.weight' failed to satisfy constraint: Member must have "
                             "value " +
                             (w < 0 ? "greater than or equal to 0" : "less than or equal to 100"));
    }
  }
  if (violations.empty()) return std::nullopt;
  return validation_error(violations);
}

const std::vector<std::string> kTypes = {"STANDARD", "EXPRESS"};
const std::vector<std::string> kIncluded = {"ALL_DATA", "METADATA_ONLY"};

}  // namespace

void add_op(ServiceDecl& decl, const std::string& name, ShapePtr input, std::vector<Rule> rules,
            Handler handler) {
  Operation op;
  op.name = name;
  op.input = std::move(input);
  op.handler = [rules = std::move(rules), handler = std::move(handler)](const Call& call, Json in,
                                                                        Reply reply) {
    if (auto bad = check_rules(in, rules)) return reply(std::move(*bad));
    handler(call, std::move(in), std::move(reply));
  };
  decl.add(std::move(op));
}

void add_machine_ops(ServiceDecl& decl, EnginePtr engine) {
  // ---- state machines ----
  add_op(
      decl, "CreateStateMachine",
      structure({member("name", string_shape()).req(), member("definition", string_shape()).req(),
                 member("roleArn", string_shape()).req(), member("type", string_shape()),
                 member("loggingConfiguration", logging_shape()), member("tags", tags_shape()),
                 member("tracingConfiguration", tracing_shape()),
                 member("publish", boolean_shape()), member("versionDescription", string_shape()),
                 member("encryptionConfiguration", encryption_shape())}),
      {{"name", K::String, 1, 80},
       {"definition", K::Sensitive, 1, 1048576},
       {"roleArn", K::String, 1, 256},
       {"type", K::Enum, 0, 0, kTypes},
       {"versionDescription", K::Sensitive, 0, 256}},
      [engine](const Call& c, Json in, Reply reply) {
        services::sfn::CreateStateMachineRequest r;
        r.name = str(in, "name");
        r.definition = str(in, "definition");
        r.role_arn = str(in, "roleArn");
        if (auto t = opt_str(in, "type")) r.type = *t;
        r.logging_configuration = doc(in, "loggingConfiguration");
        r.tracing_configuration = doc(in, "tracingConfiguration");
        r.encryption_configuration = doc(in, "encryptionConfiguration");
        r.tags = parse_tags(doc(in, "tags"));
        r.publish = boolean(in, "publish");
        r.version_description = str(in, "versionDescription");
        engine->create_state_machine(
            scope_of(c), std::move(r),
            answer<CreateStateMachineResult>(reply, [](const CreateStateMachineResult& o) {
              Json out = {{"stateMachineArn", o.state_machine_arn},
                          {"creationDate", seconds(o.creation_date)}};
              if (!o.version_arn.empty()) out["stateMachineVersionArn"] = o.version_arn;
              return out;
            }));
      });

  add_op(decl, "DescribeStateMachine",
         structure({member("stateMachineArn", string_shape()).req(),
                    member("includedData", string_shape())}),
         {{"stateMachineArn", K::String, 1, 256}, {"includedData", K::Enum, 0, 0, kIncluded}},
         [engine](const Call&, Json in, Reply reply) {
           const bool meta = str(in, "includedData") == "METADATA_ONLY";
           engine->describe_state_machine(
               str(in, "stateMachineArn"),
               answer<StateMachineInfo>(reply, [meta](const StateMachineInfo& i) {
                 return render_state_machine(i, meta);
               }));
         });

  add_op(decl, "UpdateStateMachine",
         structure(
             {member("stateMachineArn", string_shape()).req(), member("definition", string_shape()),
              member("roleArn", string_shape()), member("loggingConfiguration", logging_shape()),
              member("tracingConfiguration", tracing_shape()), member("publish", boolean_shape()),
              member("versionDescription", string_shape()),
              member("encryptionConfiguration", encryption_shape())}),
         {{"stateMachineArn", K::String, 1, 256},
          {"definition", K::Sensitive, 1, 1048576},
          {"roleArn", K::String, 1, 256},
          {"versionDescription", K::Sensitive, 0, 256}},
         [engine](const Call&, Json in, Reply reply) {
           services::sfn::UpdateStateMachineRequest r;
           r.arn = str(in, "stateMachineArn");
           r.definition = opt_str(in, "definition");
           r.role_arn = opt_str(in, "roleArn");
           r.logging_configuration = doc(in, "loggingConfiguration");
           r.tracing_configuration = doc(in, "tracingConfiguration");
           r.encryption_configuration = doc(in, "encryptionConfiguration");
           r.publish = boolean(in, "publish");
           r.version_description = str(in, "versionDescription");
           if (!r.publish && !r.version_description.empty())
             return reply(Error::sender("ValidationException",
                                        "Version description can only be set when publish is "
                                        "true"));
           engine->update_state_machine(
               std::move(r),
               answer<UpdateStateMachineResult>(reply, [](const UpdateStateMachineResult& o) {
                 Json out = {{"updateDate", seconds(o.update_date)}, {"revisionId", o.revision_id}};
                 if (!o.version_arn.empty()) out["stateMachineVersionArn"] = o.version_arn;
                 return out;
               }));
         });

  add_op(decl, "DeleteStateMachine", structure({member("stateMachineArn", string_shape()).req()}),
         {{"stateMachineArn", K::String, 1, 256}}, [engine](const Call&, Json in, Reply reply) {
           engine->delete_state_machine(str(in, "stateMachineArn"), answer_empty(reply));
         });

  add_op(decl, "ListStateMachines",
         structure({member("maxResults", integer_shape()), member("nextToken", string_shape())}),
         {{"maxResults", K::Integer, 0, 1000}, {"nextToken", K::String, 1, 1024}},
         [engine](const Call& c, Json in, Reply reply) {
           engine->list_state_machines(
               scope_of(c), integer(in, "maxResults"), str(in, "nextToken"),
               answer<Page<StateMachineListItem>>(reply, [](const Page<StateMachineListItem>& p) {
                 Json items = Json::array();
                 for (const auto& m : p.items)
                   items.push_back({{"stateMachineArn", m.arn},
                                    {"name", m.name},
                                    {"type", m.type},
                                    {"creationDate", seconds(m.creation_date)}});
                 Json out = {{"stateMachines", items}};
                 if (!p.next_token.empty()) out["nextToken"] = p.next_token;
                 return out;
               }));
         });

  // ---- versions ----
  auto arn_dates = [](const char* list_key) {
    return [list_key](const Page<ArnAndDate>& p) {
      Json items = Json::array();
      const std::string arn_key = std::string(list_key) == "stateMachineVersions"
                                      ? "stateMachineVersionArn"
                                      : "stateMachineAliasArn";
      for (const auto& v : p.items)
        items.push_back({{arn_key, v.arn}, {"creationDate", seconds(v.date)}});
      Json out = {{list_key, items}};
      if (!p.next_token.empty()) out["nextToken"] = p.next_token;
      return out;
    };
  };

  add_op(decl, "PublishStateMachineVersion",
         structure({member("stateMachineArn", string_shape()).req(),
                    member("revisionId", string_shape()), member("description", string_shape())}),
         {{"stateMachineArn", K::String, 1, 256}, {"description", K::Sensitive, 0, 256}},
         [engine](const Call&, Json in, Reply reply) {
           engine->publish_state_machine_version(
               str(in, "stateMachineArn"), opt_str(in, "revisionId"), str(in, "description"),
               answer<ArnAndDate>(reply, [](const ArnAndDate& o) {
                 return Json{{"creationDate", seconds(o.date)}, {"stateMachineVersionArn", o.arn}};
               }));
         });

  add_op(decl, "ListStateMachineVersions",
         structure({member("stateMachineArn", string_shape()).req(),
                    member("nextToken", string_shape()), member("maxResults", integer_shape())}),
         {{"stateMachineArn", K::String, 1, 256},
          {"nextToken", K::String, 1, 1024},
          {"maxResults", K::Integer, 0, 1000}},
         [engine, arn_dates](const Call&, Json in, Reply reply) {
           engine->list_state_machine_versions(
               str(in, "stateMachineArn"), integer(in, "maxResults"), str(in, "nextToken"),
               answer<Page<ArnAndDate>>(reply, arn_dates("stateMachineVersions")));
         });

  add_op(decl, "DeleteStateMachineVersion",
         structure({member("stateMachineVersionArn", string_shape()).req()}),
         {{"stateMachineVersionArn", K::String, 1, 2000}},
         [engine](const Call&, Json in, Reply reply) {
           engine->delete_state_machine_version(str(in, "stateMachineVersionArn"),
                                                answer_empty(reply));
         });

  // ---- aliases ----
  add_op(decl, "CreateStateMachineAlias",
         structure({member("description", string_shape()), member("name", string_shape()).req(),
                    member("routingConfiguration", routing_shape()).req()}),
         {{"description", K::Sensitive, 0, 256}, {"name", K::String, 1, 80}},
         [engine](const Call&, Json in, Reply reply) {
           if (auto bad = check_routing_weights(doc(in, "routingConfiguration")))
             return reply(std::move(*bad));
           engine->create_state_machine_alias(
               str(in, "name"), str(in, "description"),
               parse_routing(doc(in, "routingConfiguration")),
               answer<ArnAndDate>(reply, [](const ArnAndDate& o) {
                 return Json{{"stateMachineAliasArn", o.arn}, {"creationDate", seconds(o.date)}};
               }));
         });

  add_op(decl, "DescribeStateMachineAlias",
         structure({member("stateMachineAliasArn", string_shape()).req()}),
         {{"stateMachineAliasArn", K::String, 1, 256}},
         [engine](const Call&, Json in, Reply reply) {
           engine->describe_state_machine_alias(
               str(in, "stateMachineAliasArn"), answer<AliasInfo>(reply, [](const AliasInfo& a) {
                 Json routing = Json::array();
                 for (const auto& r : a.routing)
                   routing.push_back(
                       {{"stateMachineVersionArn", r.version_arn}, {"weight", r.weight}});
                 Json out = {{"stateMachineAliasArn", a.arn},
                             {"name", a.name},
                             {"routingConfiguration", routing},
                             {"creationDate", seconds(a.creation_date)},
                             {"updateDate", seconds(a.update_date)}};
                 if (!a.description.empty()) out["description"] = a.description;
                 return out;
               }));
         });

  add_op(decl, "UpdateStateMachineAlias",
         structure({member("stateMachineAliasArn", string_shape()).req(),
                    member("description", string_shape()),
                    member("routingConfiguration", routing_shape())}),
         {{"stateMachineAliasArn", K::String, 1, 256}, {"description", K::Sensitive, 0, 256}},
         [engine](const Call&, Json in, Reply reply) {
           std::optional<std::vector<RoutingEntry>> routing;
           if (in.contains("routingConfiguration")) {
             if (auto bad = check_routing_weights(in["routingConfiguration"]))
               return reply(std::move(*bad));
             routing = parse_routing(in["routingConfiguration"]);
           }
           engine->update_state_machine_alias(str(in, "stateMachineAliasArn"),
                                              opt_str(in, "description"), std::move(routing),
                                              answer<TimeMs>(reply, [](TimeMs t) {
                                                return Json{{"updateDate", seconds(t)}};
                                              }));
         });

  add_op(decl, "DeleteStateMachineAlias",
         structure({member("stateMachineAliasArn", string_shape()).req()}),
         {{"stateMachineAliasArn", K::String, 1, 256}},
         [engine](const Call&, Json in, Reply reply) {
           engine->delete_state_machine_alias(str(in, "stateMachineAliasArn"), answer_empty(reply));
         });

  add_op(decl, "ListStateMachineAliases",
         structure({member("stateMachineArn", string_shape()).req(),
                    member("nextToken", string_shape()), member("maxResults", integer_shape())}),
         {{"stateMachineArn", K::String, 1, 256},
          {"nextToken", K::String, 1, 1024},
          {"maxResults", K::Integer, 0, 1000}},
         [engine, arn_dates](const Call&, Json in, Reply reply) {
           engine->list_state_machine_aliases(
               str(in, "stateMachineArn"), integer(in, "maxResults"), str(in, "nextToken"),
               answer<Page<ArnAndDate>>(reply, arn_dates("stateMachineAliases")));
         });

  // ---- activities ----
  add_op(decl, "CreateActivity",
         structure({member("name", string_shape()).req(), member("tags", tags_shape()),
                    member("encryptionConfiguration", encryption_shape())}),
         {{"name", K::String, 1, 80}}, [engine](const Call& c, Json in, Reply reply) {
           engine->create_activity(
               scope_of(c), str(in, "name"), parse_tags(doc(in, "tags")),
               doc(in, "encryptionConfiguration"),
               answer<ArnAndDate>(reply, [](const ArnAndDate& o) {
                 return Json{{"activityArn", o.arn}, {"creationDate", seconds(o.date)}};
               }));
         });

  add_op(decl, "DescribeActivity", structure({member("activityArn", string_shape()).req()}),
         {{"activityArn", K::String, 1, 256}}, [engine](const Call&, Json in, Reply reply) {
           engine->describe_activity(
               str(in, "activityArn"), answer<ActivityInfo>(reply, [](const ActivityInfo& a) {
                 Json out = {{"activityArn", a.arn},
                             {"name", a.name},
                             {"creationDate", seconds(a.creation_date)}};
                 if (!a.encryption_configuration.is_null())
                   out["encryptionConfiguration"] = a.encryption_configuration;
                 return out;
               }));
         });

  add_op(decl, "DeleteActivity", structure({member("activityArn", string_shape()).req()}),
         {{"activityArn", K::String, 1, 256}}, [engine](const Call&, Json in, Reply reply) {
           engine->delete_activity(str(in, "activityArn"), answer_empty(reply));
         });

  add_op(decl, "ListActivities",
         structure({member("maxResults", integer_shape()), member("nextToken", string_shape())}),
         {{"maxResults", K::Integer, 0, 1000}, {"nextToken", K::String, 1, 1024}},
         [engine](const Call& c, Json in, Reply reply) {
           engine->list_activities(
               scope_of(c), integer(in, "maxResults"), str(in, "nextToken"),
               answer<Page<ActivityInfo>>(reply, [](const Page<ActivityInfo>& p) {
                 Json items = Json::array();
                 for (const auto& a : p.items)
                   items.push_back({{"activityArn", a.arn},
                                    {"name", a.name},
                                    {"creationDate", seconds(a.creation_date)}});
                 Json out = {{"activities", items}};
                 if (!p.next_token.empty()) out["nextToken"] = p.next_token;
                 return out;
               }));
         });

  // ---- tags ----
  add_op(
      decl, "TagResource",
      structure({member("resourceArn", string_shape()).req(), member("tags", tags_shape()).req()}),
      {{"resourceArn", K::String, 1, 256}}, [engine](const Call&, Json in, Reply reply) {
        engine->tag_resource(str(in, "resourceArn"), parse_tags(doc(in, "tags")),
                             answer_empty(reply));
      });

  add_op(decl, "UntagResource",
         structure({member("resourceArn", string_shape()).req(),
                    member("tagKeys", list_of(string_shape())).req()}),
         {{"resourceArn", K::String, 1, 256}}, [engine](const Call&, Json in, Reply reply) {
           std::vector<std::string> keys;
           for (const auto& k : doc(in, "tagKeys"))
             if (k.is_string()) keys.push_back(k.get<std::string>());
           engine->untag_resource(str(in, "resourceArn"), std::move(keys), answer_empty(reply));
         });

  add_op(decl, "ListTagsForResource", structure({member("resourceArn", string_shape()).req()}),
         {{"resourceArn", K::String, 1, 256}}, [engine](const Call&, Json in, Reply reply) {
           engine->list_tags_for_resource(str(in, "resourceArn"),
                                          answer<std::vector<services::sfn::Tag>>(
                                              reply, [](const std::vector<services::sfn::Tag>& t) {
                                                return Json{{"tags", render_tags(t)}};
                                              }));
         });

  // ---- validation ----
  add_op(decl, "ValidateStateMachineDefinition",
         structure({member("definition", string_shape()).req(), member("type", string_shape()),
                    member("severity", string_shape()), member("maxResults", integer_shape())}),
         {{"definition", K::Sensitive, 1, 1048576},
          {"type", K::Enum, 0, 0, kTypes},
          {"severity", K::Enum, 0, 0, {"ERROR", "WARNING"}},
          {"maxResults", K::Integer, 0, 100}},
         [](const Call&, Json in, Reply reply) {
           auto r = SfnEngine::validate_definition(str(in, "definition"), str(in, "type"),
                                                   str(in, "severity"), integer(in, "maxResults"));
           Json diags = Json::array();
           for (const auto& d : r.diagnostics) {
             Json j = {{"severity", d.severity}, {"code", d.code}, {"message", d.message}};
             if (!d.location.empty()) j["location"] = d.location;
             diags.push_back(std::move(j));
           }
           Json out = {{"result", r.result}, {"diagnostics", diags}};
           if (r.truncated) out["truncated"] = true;
           reply(out);
         });
}

}  // namespace sluice::api::sfn
