// Platform applications and endpoints, SMS settings and the SMS sandbox on the wire.
#include "handlers.hpp"

namespace sluice::api::sns::detail {

using namespace protocol;

namespace {

std::optional<int> opt_int(const Json& in, const char* name) {
  auto it = in.find(name);
  if (it == in.end() || !it->is_number_integer()) return std::nullopt;
  return it->get<int>();
}

}  // namespace

void add_platform_operations(ServiceDecl& decl, const Bound& b) {
  decl.add({"CreatePlatformApplication",
            structure({member("Name", str()).req(), member("Platform", str()).req(),
                       member("Attributes", attribute_map()).req()}),
            structure({member("PlatformApplicationArn", str())}),
            [b](const Call& call, Json in, Reply reply) {
              auto arn = b.engine->create_platform_application(
                  call_context(call, b), text(in, "Name"), text(in, "Platform"),
                  to_attributes(in.value("Attributes", Json())));
              if (!arn.ok()) return reply(std::move(arn).error());
              reply_durable(b, reply, Json{{"PlatformApplicationArn", *arn}});
            }});
  decl.add({"DeletePlatformApplication", structure({member("PlatformApplicationArn", str()).req()}),
            nullptr, [b](const Call& call, Json in, Reply reply) {
              reply_status(b, reply,
                           b.engine->delete_platform_application(
                               call_context(call, b), text(in, "PlatformApplicationArn")));
            }});
  decl.add({"ListPlatformApplications", structure({member("NextToken", str())}),
            structure({member("PlatformApplications",
                              list_of(structure({member("PlatformApplicationArn", str()),
                                                 member("Attributes", attribute_map())}))),
                       member("NextToken", str())}),
            [b](const Call& call, Json in, Reply reply) {
              auto page = b.engine->list_platform_applications(call_context(call, b),
                                                               text(in, "NextToken"));
              if (!page.ok()) return reply(std::move(page).error());
              Json apps = Json::array();
              for (const auto& a : page->items)
                apps.push_back({{"PlatformApplicationArn", a.arn},
                                {"Attributes", from_attributes(a.attributes)}});
              Json out = {{"PlatformApplications", apps}};
              if (!page->next_token.empty()) out["NextToken"] = page->next_token;
              reply(out);
            }});
  decl.add({"GetPlatformApplicationAttributes",
            structure({member("PlatformApplicationArn", str()).req()}),
            structure({member("Attributes", attribute_map())}),
            [b](const Call& call, Json in, Reply reply) {
              auto attrs = b.engine->get_platform_application_attributes(
                  call_context(call, b), text(in, "PlatformApplicationArn"));
              if (!attrs.ok()) return reply(std::move(attrs).error());
              reply(Json{{"Attributes", from_attributes(*attrs)}});
            }});
  decl.add({"SetPlatformApplicationAttributes",
            structure({member("PlatformApplicationArn", str()).req(),
                       member("Attributes", attribute_map()).req()}),
            nullptr, [b](const Call& call, Json in, Reply reply) {
              reply_status(b, reply,
                           b.engine->set_platform_application_attributes(
                               call_context(call, b), text(in, "PlatformApplicationArn"),
                               to_attributes(in.value("Attributes", Json()))));
            }});
  decl.add({"CreatePlatformEndpoint",
            structure({member("PlatformApplicationArn", str()).req(), member("Token", str()).req(),
                       member("CustomUserData", str()), member("Attributes", attribute_map())}),
            structure({member("EndpointArn", str())}), [b](const Call& call, Json in, Reply reply) {
              std::optional<std::string> custom;
              if (in.contains("CustomUserData")) custom = text(in, "CustomUserData");
              auto arn = b.engine->create_platform_endpoint(
                  call_context(call, b), text(in, "PlatformApplicationArn"), text(in, "Token"),
                  custom, to_attributes(in.value("Attributes", Json())));
              if (!arn.ok()) return reply(std::move(arn).error());
              reply_durable(b, reply, Json{{"EndpointArn", *arn}});
            }});
  decl.add({"DeleteEndpoint", structure({member("EndpointArn", str()).req()}), nullptr,
            [b](const Call& call, Json in, Reply reply) {
              reply_status(
                  b, reply,
                  b.engine->delete_endpoint(call_context(call, b), text(in, "EndpointArn")));
            }});
  decl.add(
      {"ListEndpointsByPlatformApplication",
       structure({member("PlatformApplicationArn", str()).req(), member("NextToken", str())}),
       structure({member("Endpoints", list_of(structure({member("EndpointArn", str()),
                                                         member("Attributes", attribute_map())}))),
                  member("NextToken", str())}),
       [b](const Call& call, Json in, Reply reply) {
         auto page = b.engine->list_endpoints_by_platform_application(
             call_context(call, b), text(in, "PlatformApplicationArn"), text(in, "NextToken"));
         if (!page.ok()) return reply(std::move(page).error());
         Json eps = Json::array();
         for (const auto& e : page->items)
           eps.push_back({{"EndpointArn", e.arn}, {"Attributes", from_attributes(e.attributes)}});
         Json out = {{"Endpoints", eps}};
         if (!page->next_token.empty()) out["NextToken"] = page->next_token;
         reply(out);
       }});
  decl.add({"GetEndpointAttributes", structure({member("EndpointArn", str()).req()}),
            structure({member("Attributes", attribute_map())}),
            [b](const Call& call, Json in, Reply reply) {
              auto attrs =
                  b.engine->get_endpoint_attributes(call_context(call, b), text(in, "EndpointArn"));
              if (!attrs.ok()) return reply(std::move(attrs).error());
              reply(Json{{"Attributes", from_attributes(*attrs)}});
            }});
  decl.add(
      {"SetEndpointAttributes",
       structure({member("EndpointArn", str()).req(), member("Attributes", attribute_map()).req()}),
       nullptr, [b](const Call& call, Json in, Reply reply) {
         reply_status(
             b, reply,
             b.engine->set_endpoint_attributes(call_context(call, b), text(in, "EndpointArn"),
                                               to_attributes(in.value("Attributes", Json()))));
       }});
}

void add_sms_operations(ServiceDecl& decl, const Bound& b) {
  // These operations use lower-case member names on the wire (the model's own).
  decl.add({"GetSMSAttributes", structure({member("attributes", string_list())}),
            structure({member("attributes", attribute_map())}),
            [b](const Call& call, Json in, Reply reply) {
              std::vector<std::string> names;
              for (const auto& n : in.value("attributes", Json::array()))
                if (n.is_string()) names.push_back(n);
              auto attrs = b.engine->get_sms_attributes(call_context(call, b), names);
              if (!attrs.ok()) return reply(std::move(attrs).error());
              reply(Json{{"attributes", from_attributes(*attrs)}});
            }});
  decl.add({"SetSMSAttributes", structure({member("attributes", attribute_map()).req()}),
            structure({}), [b](const Call& call, Json in, Reply reply) {
              reply_status(
                  b, reply,
                  b.engine->set_sms_attributes(call_context(call, b),
                                               to_attributes(in.value("attributes", Json()))),
                  Json::object());
            }});
  decl.add({"CheckIfPhoneNumberIsOptedOut", structure({member("phoneNumber", str()).req()}),
            structure({member("isOptedOut", boolean_shape())}),
            [b](const Call& call, Json in, Reply reply) {
              auto r = b.engine->check_if_phone_number_is_opted_out(call_context(call, b),
                                                                    text(in, "phoneNumber"));
              if (!r.ok()) return reply(std::move(r).error());
              reply(Json{{"isOptedOut", *r}});
            }});
  decl.add({"ListPhoneNumbersOptedOut", structure({member("nextToken", str())}),
            structure({member("phoneNumbers", string_list()), member("nextToken", str())}),
            [b](const Call& call, Json in, Reply reply) {
              auto page = b.engine->list_phone_numbers_opted_out(call_context(call, b),
                                                                 text(in, "nextToken"));
              if (!page.ok()) return reply(std::move(page).error());
              Json out = {{"phoneNumbers", page->items}};
              if (!page->next_token.empty()) out["nextToken"] = page->next_token;
              reply(out);
            }});
  decl.add({"OptInPhoneNumber", structure({member("phoneNumber", str()).req()}), structure({}),
            [b](const Call& call, Json in, Reply reply) {
              reply_status(
                  b, reply,
                  b.engine->opt_in_phone_number(call_context(call, b), text(in, "phoneNumber")),
                  Json::object());
            }});
  decl.add({"GetSMSSandboxAccountStatus", structure({}),
            structure({member("IsInSandbox", boolean_shape())}),
            [b](const Call& call, Json, Reply reply) {
              auto r = b.engine->get_sms_sandbox_account_status(call_context(call, b));
              if (!r.ok()) return reply(std::move(r).error());
              reply(Json{{"IsInSandbox", *r}});
            }});
  decl.add({"CreateSMSSandboxPhoneNumber",
            structure({member("PhoneNumber", str()).req(), member("LanguageCode", str())}),
            structure({}), [b](const Call& call, Json in, Reply reply) {
              reply_status(
                  b, reply,
                  b.engine->create_sms_sandbox_phone_number(
                      call_context(call, b), text(in, "PhoneNumber"), text(in, "LanguageCode")),
                  Json::object());
            }});
  decl.add({"DeleteSMSSandboxPhoneNumber", structure({member("PhoneNumber", str()).req()}),
            structure({}), [b](const Call& call, Json in, Reply reply) {
              reply_status(b, reply,
                           b.engine->delete_sms_sandbox_phone_number(call_context(call, b),
                                                                     text(in, "PhoneNumber")),
                           Json::object());
            }});
  decl.add({"VerifySMSSandboxPhoneNumber",
            structure({member("PhoneNumber", str()).req(), member("OneTimePassword", str()).req()}),
            structure({}), [b](const Call& call, Json in, Reply reply) {
              reply_status(
                  b, reply,
                  b.engine->verify_sms_sandbox_phone_number(
                      call_context(call, b), text(in, "PhoneNumber"), text(in, "OneTimePassword")),
                  Json::object());
            }});
  decl.add({"ListSMSSandboxPhoneNumbers",
            structure({member("NextToken", str()), member("MaxResults", integer_shape())}),
            structure({member("PhoneNumbers", list_of(structure({member("PhoneNumber", str()),
                                                                 member("Status", str())}))),
                       member("NextToken", str())}),
            [b](const Call& call, Json in, Reply reply) {
              auto page = b.engine->list_sms_sandbox_phone_numbers(
                  call_context(call, b), text(in, "NextToken"), opt_int(in, "MaxResults"));
              if (!page.ok()) return reply(std::move(page).error());
              Json numbers = Json::array();
              for (const auto& n : page->items)
                numbers.push_back({{"PhoneNumber", n.phone_number}, {"Status", n.status}});
              Json out = {{"PhoneNumbers", numbers}};
              if (!page->next_token.empty()) out["NextToken"] = page->next_token;
              reply(out);
            }});
  decl.add(
      {"ListOriginationNumbers",
       structure({member("NextToken", str()), member("MaxResults", integer_shape())}),
       structure(
           {member("NextToken", str()),
            member("PhoneNumbers",
                   list_of(structure({member("CreatedAt", timestamp_shape()),
                                      member("PhoneNumber", str()), member("Status", str()),
                                      member("Iso2CountryCode", str()), member("RouteType", str()),
                                      member("NumberCapabilities", string_list())})))}),
       [b](const Call& call, Json in, Reply reply) {
         auto page = b.engine->list_origination_numbers(
             call_context(call, b), text(in, "NextToken"), opt_int(in, "MaxResults"));
         if (!page.ok()) return reply(std::move(page).error());
         reply(Json{{"PhoneNumbers", Json::array()}});
       }});
}

}  // namespace sluice::api::sns::detail
