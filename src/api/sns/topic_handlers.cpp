// Topic operations on the wire: CreateTopic, DeleteTopic, ListTopics, topic attributes,
// permissions, data protection policies and tags.
#include "handlers.hpp"

namespace sluice::api::sns::detail {

using namespace protocol;

namespace {

services::sns::TagList to_tags(const Json& value) {
  services::sns::TagList out;
  if (!value.is_array()) return out;
  for (const auto& t : value)
    out.emplace_back(t.value("Key", ""), t.value("Value", ""));
  return out;
}

Json tags_json(const services::sns::TagList& tags) {
  Json out = Json::array();
  for (const auto& [k, v] : tags)
    out.push_back({{"Key", k}, {"Value", v}});
  return out;
}

std::vector<std::string> to_strings(const Json& value) {
  std::vector<std::string> out;
  if (value.is_array())
    for (const auto& v : value)
      if (v.is_string()) out.push_back(v);
  return out;
}

}  // namespace

void add_topic_operations(ServiceDecl& decl, const Bound& b) {
  decl.add({"CreateTopic",
            structure({member("Name", str()).req(), member("Attributes", attribute_map()),
                       member("Tags", tag_list()), member("DataProtectionPolicy", str())}),
            structure({member("TopicArn", str())}), [b](const Call& call, Json in, Reply reply) {
              std::optional<std::string> dpp;
              if (in.contains("DataProtectionPolicy")) dpp = text(in, "DataProtectionPolicy");
              auto arn = b.engine->create_topic(call_context(call, b), text(in, "Name"),
                                                to_attributes(in.value("Attributes", Json())),
                                                to_tags(in.value("Tags", Json())), dpp);
              if (!arn.ok()) return reply(std::move(arn).error());
              reply_durable(b, reply, Json{{"TopicArn", *arn}});
            }});
  decl.add({"DeleteTopic", structure({member("TopicArn", str()).req()}), nullptr,
            [b](const Call& call, Json in, Reply reply) {
              reply_status(b, reply,
                           b.engine->delete_topic(call_context(call, b), text(in, "TopicArn")));
            }});
  decl.add({"ListTopics", structure({member("NextToken", str())}),
            structure({member("Topics", list_of(structure({member("TopicArn", str())}))),
                       member("NextToken", str())}),
            [b](const Call& call, Json in, Reply reply) {
              auto page = b.engine->list_topics(call_context(call, b), text(in, "NextToken"));
              if (!page.ok()) return reply(std::move(page).error());
              Json topics = Json::array();
              for (const auto& t : page->items)
                topics.push_back({{"TopicArn", t.arn}});
              Json out = {{"Topics", topics}};
              if (!page->next_token.empty()) out["NextToken"] = page->next_token;
              reply(out);
            }});
  decl.add({"GetTopicAttributes", structure({member("TopicArn", str()).req()}),
            structure({member("Attributes", attribute_map())}),
            [b](const Call& call, Json in, Reply reply) {
              auto attrs =
                  b.engine->get_topic_attributes(call_context(call, b), text(in, "TopicArn"));
              if (!attrs.ok()) return reply(std::move(attrs).error());
              reply(Json{{"Attributes", from_attributes(*attrs)}});
            }});
  decl.add({"SetTopicAttributes",
            structure({member("TopicArn", str()).req(), member("AttributeName", str()).req(),
                       member("AttributeValue", str())}),
            nullptr, [b](const Call& call, Json in, Reply reply) {
              reply_status(b, reply,
                           b.engine->set_topic_attributes(
                               call_context(call, b), text(in, "TopicArn"),
                               text(in, "AttributeName"), text(in, "AttributeValue")));
            }});
  decl.add({"AddPermission",
            structure({member("TopicArn", str()).req(), member("Label", str()).req(),
                       member("AWSAccountId", string_list()).req(),
                       member("ActionName", string_list()).req()}),
            nullptr, [b](const Call& call, Json in, Reply reply) {
              reply_status(b, reply,
                           b.engine->add_permission(
                               call_context(call, b), text(in, "TopicArn"), text(in, "Label"),
                               to_strings(in.value("AWSAccountId", Json::array())),
                               to_strings(in.value("ActionName", Json::array()))));
            }});
  decl.add({"RemovePermission",
            structure({member("TopicArn", str()).req(), member("Label", str()).req()}), nullptr,
            [b](const Call& call, Json in, Reply reply) {
              reply_status(b, reply,
                           b.engine->remove_permission(call_context(call, b), text(in, "TopicArn"),
                                                       text(in, "Label")));
            }});
  decl.add({"GetDataProtectionPolicy", structure({member("ResourceArn", str()).req()}),
            structure({member("DataProtectionPolicy", str())}),
            [b](const Call& call, Json in, Reply reply) {
              auto p = b.engine->get_data_protection_policy(call_context(call, b),
                                                            text(in, "ResourceArn"));
              if (!p.ok()) return reply(std::move(p).error());
              reply(Json{{"DataProtectionPolicy", *p}});
            }});
  decl.add(
      {"PutDataProtectionPolicy",
       structure({member("ResourceArn", str()).req(), member("DataProtectionPolicy", str()).req()}),
       nullptr, [b](const Call& call, Json in, Reply reply) {
         reply_status(
             b, reply,
             b.engine->put_data_protection_policy(call_context(call, b), text(in, "ResourceArn"),
                                                  text(in, "DataProtectionPolicy")));
       }});
  decl.add({"ListTagsForResource", structure({member("ResourceArn", str()).req()}),
            structure({member("Tags", tag_list())}), [b](const Call& call, Json in, Reply reply) {
              auto tags =
                  b.engine->list_tags_for_resource(call_context(call, b), text(in, "ResourceArn"));
              if (!tags.ok()) return reply(std::move(tags).error());
              reply(Json{{"Tags", tags_json(*tags)}});
            }});
  decl.add({"TagResource",
            structure({member("ResourceArn", str()).req(), member("Tags", tag_list()).req()}),
            structure({}), [b](const Call& call, Json in, Reply reply) {
              reply_status(b, reply,
                           b.engine->tag_resource(call_context(call, b), text(in, "ResourceArn"),
                                                  to_tags(in.value("Tags", Json()))),
                           Json::object());
            }});
  decl.add({"UntagResource",
            structure({member("ResourceArn", str()).req(), member("TagKeys", string_list()).req()}),
            structure({}), [b](const Call& call, Json in, Reply reply) {
              reply_status(b, reply,
                           b.engine->untag_resource(call_context(call, b), text(in, "ResourceArn"),
                                                    to_strings(in.value("TagKeys", Json()))),
                           Json::object());
            }});
}

}  // namespace sluice::api::sns::detail
