// Subscription operations on the wire: Subscribe, ConfirmSubscription, Unsubscribe,
// the two listings and subscription attributes.
#include "handlers.hpp"

namespace sluice::api::sns::detail {

using namespace protocol;

namespace {

ShapePtr subscription_list() {
  return list_of(
      structure({member("SubscriptionArn", str()), member("Owner", str()),
                 member("Protocol", str()), member("Endpoint", str()), member("TopicArn", str())}));
}

Json page_json(const Result<services::sns::Page<services::sns::SubscriptionSummary>>& page) {
  Json subs = Json::array();
  for (const auto& s : page->items)
    subs.push_back({{"SubscriptionArn", s.arn},
                    {"Owner", s.owner},
                    {"Protocol", s.protocol},
                    {"Endpoint", s.endpoint},
                    {"TopicArn", s.topic_arn}});
  Json out = {{"Subscriptions", subs}};
  if (!page->next_token.empty()) out["NextToken"] = page->next_token;
  return out;
}

}  // namespace

void add_subscription_operations(ServiceDecl& decl, const Bound& b) {
  decl.add({"Subscribe",
            structure({member("TopicArn", str()).req(), member("Protocol", str()).req(),
                       member("Endpoint", str()), member("Attributes", attribute_map()),
                       member("ReturnSubscriptionArn", boolean_shape())}),
            structure({member("SubscriptionArn", str())}),
            [b](const Call& call, Json in, Reply reply) {
              auto arn = b.engine->subscribe(call_context(call, b), text(in, "TopicArn"),
                                             text(in, "Protocol"), text(in, "Endpoint"),
                                             to_attributes(in.value("Attributes", Json())),
                                             in.value("ReturnSubscriptionArn", false));
              if (!arn.ok()) return reply(std::move(arn).error());
              reply_durable(b, reply, Json{{"SubscriptionArn", *arn}});
            }});
  decl.add({"ConfirmSubscription",
            structure({member("TopicArn", str()).req(), member("Token", str()).req(),
                       member("AuthenticateOnUnsubscribe", str())}),
            structure({member("SubscriptionArn", str())}),
            [b](const Call& call, Json in, Reply reply) {
              auto arn = b.engine->confirm_subscription(call_context(call, b), text(in, "TopicArn"),
                                                        text(in, "Token"),
                                                        text(in, "AuthenticateOnUnsubscribe"));
              if (!arn.ok()) return reply(std::move(arn).error());
              reply_durable(b, reply, Json{{"SubscriptionArn", *arn}});
            }});
  decl.add({"Unsubscribe", structure({member("SubscriptionArn", str()).req()}), nullptr,
            [b](const Call& call, Json in, Reply reply) {
              reply_status(
                  b, reply,
                  b.engine->unsubscribe(call_context(call, b), text(in, "SubscriptionArn")));
            }});
  decl.add({"ListSubscriptions", structure({member("NextToken", str())}),
            structure({member("Subscriptions", subscription_list()), member("NextToken", str())}),
            [b](const Call& call, Json in, Reply reply) {
              auto page =
                  b.engine->list_subscriptions(call_context(call, b), text(in, "NextToken"));
              if (!page.ok()) return reply(std::move(page).error());
              reply(page_json(page));
            }});
  decl.add({"ListSubscriptionsByTopic",
            structure({member("TopicArn", str()).req(), member("NextToken", str())}),
            structure({member("Subscriptions", subscription_list()), member("NextToken", str())}),
            [b](const Call& call, Json in, Reply reply) {
              auto page = b.engine->list_subscriptions_by_topic(
                  call_context(call, b), text(in, "TopicArn"), text(in, "NextToken"));
              if (!page.ok()) return reply(std::move(page).error());
              reply(page_json(page));
            }});
  decl.add({"GetSubscriptionAttributes", structure({member("SubscriptionArn", str()).req()}),
            structure({member("Attributes", attribute_map())}),
            [b](const Call& call, Json in, Reply reply) {
              auto attrs = b.engine->get_subscription_attributes(call_context(call, b),
                                                                 text(in, "SubscriptionArn"));
              if (!attrs.ok()) return reply(std::move(attrs).error());
              reply(Json{{"Attributes", from_attributes(*attrs)}});
            }});
  decl.add({"SetSubscriptionAttributes",
            structure({member("SubscriptionArn", str()).req(), member("AttributeName", str()).req(),
                       member("AttributeValue", str())}),
            nullptr, [b](const Call& call, Json in, Reply reply) {
              reply_status(b, reply,
                           b.engine->set_subscription_attributes(
                               call_context(call, b), text(in, "SubscriptionArn"),
                               text(in, "AttributeName"), text(in, "AttributeValue")));
            }});
}

}  // namespace sluice::api::sns::detail
