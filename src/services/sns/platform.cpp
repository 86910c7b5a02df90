// Platform applications and endpoints (mobile push). Nothing is pushed to a real
// platform: publishes to endpoints are recorded for the inspection routes.
#include "internal.hpp"
#include "sluice/common/encoding.hpp"

namespace sluice::services::sns {

using detail::invalid_parameter;

namespace {

const std::set<std::string> kPlatforms = {"ADM",   "APNS", "APNS_SANDBOX", "GCM",
                                          "BAIDU", "WNS",  "MPNS"};

Status check_application_name(const std::string& name) {
  std::string reason;
  if (name.empty()) {
    reason = "cannot be empty";
  } else if (name.size() > 256) {
    reason = "must be at most 256 characters long";
  } else {
    for (unsigned char c : name)
      if (!std::isalnum(c) && c != '_' && c != '-' && c != '.') {
        reason = "must contain only characters 'a'-'z', 'A'-'Z', '0'-'9', '_', '-', and '.'";
        break;
      }
  }
  if (!reason.empty())
    return invalid_parameter("Invalid parameter: " + name + " Reason: " + reason);
  return ok_status();
}

Status check_application_attributes(const AttributeMap& attributes) {
  static const std::set<std::string> kNames = {"PlatformCredential",
                                               "PlatformPrincipal",
                                               "EventEndpointCreated",
                                               "EventEndpointDeleted",
                                               "EventEndpointUpdated",
                                               "EventDeliveryFailure",
                                               "SuccessFeedbackRoleArn",
                                               "FailureFeedbackRoleArn",
                                               "SuccessFeedbackSampleRate",
                                               "ApplePlatformTeamID",
                                               "ApplePlatformBundleID",
                                               "AuthenticationMethod",
                                               "Enabled"};
  if (attributes.empty())
    return invalid_parameter("Invalid parameter: Attributes Reason: Attributes cannot be empty");
  for (const auto& [k, v] : attributes) {
    if (!kNames.count(k))
      return invalid_parameter("Invalid parameter: Attributes Reason: Invalid attribute name: " +
                               k);
    if (v.empty() && k != "EventEndpointCreated" && k != "EventEndpointDeleted" &&
        k != "EventEndpointUpdated" && k != "EventDeliveryFailure")
      return invalid_parameter("Invalid parameter: Attributes Reason: " + k +
                               " attribute value cannot be empty");
  }
  return ok_status();
}

Status check_endpoint_attributes(const AttributeMap& attributes) {
  for (const auto& [k, v] : attributes) {
    if (k != "CustomUserData" && k != "Enabled" && k != "Token")
      return invalid_parameter("Invalid parameter: Attributes Reason: Invalid attribute name: " +
                               k);
    if (k == "Enabled" && v != "true" && v != "false")
      return invalid_parameter(
          "Invalid parameter: Attributes Reason: Enabled must be true or false");
    if (k == "Token" && v.empty())
      return invalid_parameter("Invalid parameter: Attributes Reason: Token cannot be empty");
  }
  return ok_status();
}

template <typename Map, typename Fn>
auto paginate(const Map& map, const std::string& prefix, const std::string& next_token, Fn fn,
              std::size_t page_size = detail::kPageSize)
    -> Result<Page<decltype(fn(*map.begin()->second))>> {
  using Item = decltype(fn(*map.begin()->second));
  std::optional<std::string> after;
  if (!next_token.empty()) {
    after = detail::decode_page_token(next_token);
    if (!after) return invalid_parameter("Invalid parameter: NextToken");
  }
  Page<Item> page;
  std::string last;
  auto it = after ? map.upper_bound(*after) : map.lower_bound(prefix);
  for (; it != map.end() && it->first.compare(0, prefix.size(), prefix) == 0; ++it) {
    if (page.items.size() == page_size) {
      page.next_token = detail::page_token(last);
      break;
    }
    page.items.push_back(fn(*it->second));
    last = it->first;
  }
  return page;
}

}  // namespace

Result<std::string> SnsEngine::create_platform_application(const CallContext& ctx,
                                                           const std::string& name,
                                                           const std::string& platform,
                                                           const AttributeMap& attributes) {
  SLUICE_TRY(check_application_name(name));
  if (!kPlatforms.count(platform))
    return invalid_parameter("Invalid parameter: Platform Reason: " + platform +
                             " is not supported");
  SLUICE_TRY(check_application_attributes(attributes));
  const bool credential = attributes.count("PlatformCredential");
  const bool principal = attributes.count("PlatformPrincipal");
  if (credential && !principal && platform != "GCM")
    return invalid_parameter(
        "Invalid parameter: Attributes Reason: PlatformCredential attribute provided without "
        "PlatformPrincipal");
  if (principal && !credential)
    return invalid_parameter(
        "Invalid parameter: Attributes Reason: PlatformPrincipal attribute provided without "
        "PlatformCredential");
  const std::string arn =
      "arn:aws:sns:" + ctx.region + ":" + ctx.account + ":app/" + platform + "/" + name;
  std::lock_guard lock(mu_);
  auto app = std::make_unique<detail::PlatformApplication>();
  app->arn = arn;
  app->name = name;
  app->platform = platform;
  app->region = ctx.region;
  app->account = ctx.account;
  app->attributes["Enabled"] = "true";
  // AWS never returns the platform credentials.
  for (const auto& [k, v] : attributes)
    if (k != "PlatformCredential" && k != "PlatformPrincipal") app->attributes[k] = v;
  persist_platform_application(*app);
  applications_[arn] = std::move(app);
  return arn;
}

Status SnsEngine::delete_platform_application(const CallContext& ctx, const std::string& arn) {
  (void)ctx;
  std::lock_guard lock(mu_);
  if (!applications_.erase(arn)) return ok_status();
  runtime_.store.erase("sns.application", arn);
  for (auto it = endpoints_.begin(); it != endpoints_.end();) {
    if (it->second->application_arn == arn) {
      runtime_.store.erase("sns.endpoint", it->first);
      it = endpoints_.erase(it);
    } else {
      ++it;
    }
  }
  return ok_status();
}

Result<Page<PlatformApplicationInfo>> SnsEngine::list_platform_applications(
    const CallContext& ctx, const std::string& next_token) {
  std::lock_guard lock(mu_);
  return paginate(
      applications_, "arn:aws:sns:" + ctx.region + ":" + ctx.account + ":app/", next_token,
      [](const detail::PlatformApplication& a) {
        return PlatformApplicationInfo{a.arn, a.attributes};
      },
      /*page_size=*/15);  // AWS: "up to 15" applications per page
}

Result<AttributeMap> SnsEngine::get_platform_application_attributes(const CallContext& ctx,
                                                                    const std::string& arn) {
  (void)ctx;
  std::lock_guard lock(mu_);
  auto it = applications_.find(arn);
  if (it == applications_.end()) return detail::not_found("PlatformApplication does not exist");
  return it->second->attributes;
}

Status SnsEngine::set_platform_application_attributes(const CallContext& ctx,
                                                      const std::string& arn,
                                                      const AttributeMap& attributes) {
  (void)ctx;
  auto parsed = parse_arn(arn);
  if (!parsed || parsed->resource.rfind("app/", 0) != 0)
    return invalid_parameter("Invalid parameter: PlatformApplicationArn");
  SLUICE_TRY(check_application_attributes(attributes));
  std::lock_guard lock(mu_);
  auto it = applications_.find(arn);
  if (it == applications_.end()) return detail::not_found("PlatformApplication does not exist");
  for (const auto& [k, v] : attributes)
    if (k != "PlatformCredential" && k != "PlatformPrincipal") it->second->attributes[k] = v;
  persist_platform_application(*it->second);
  return ok_status();
}

Result<std::string> SnsEngine::create_platform_endpoint(
    const CallContext& ctx, const std::string& application_arn, const std::string& token,
    const std::optional<std::string>& custom_user_data, const AttributeMap& attributes) {
  SLUICE_TRY(check_endpoint_attributes(attributes));
  if (token.empty()) return invalid_parameter("Invalid parameter: Token");
  std::lock_guard lock(mu_);
  auto app = applications_.find(application_arn);
  if (app == applications_.end()) return detail::not_found("PlatformApplication does not exist");
  AttributeMap attrs = {{"Enabled", "true"}, {"Token", token}};
  if (custom_user_data) attrs["CustomUserData"] = *custom_user_data;
  for (const auto& [k, v] : attributes)
    attrs[k] = v;
  for (const auto& [arn, ep] : endpoints_) {
    if (ep->application_arn != application_arn) continue;
    auto t = ep->attributes.find("Token");
    if (t == ep->attributes.end() || t->second != token) continue;
    // AWS: the same token again is idempotent when the attributes are equal.
    if (ep->attributes == attrs) return arn;
    return invalid_parameter("Invalid parameter: Token Reason: Endpoint " + arn +
                             " already exists with the same Token, but different attributes.");
  }
  auto ep = std::make_unique<detail::PlatformEndpoint>();
  ep->arn = "arn:aws:sns:" + ctx.region + ":" + ctx.account + ":endpoint/" + app->second->platform +
            "/" + app->second->name + "/" + uuid_v4();
  ep->application_arn = application_arn;
  ep->region = ctx.region;
  ep->account = ctx.account;
  ep->attributes = std::move(attrs);
  const std::string arn = ep->arn;
  persist_platform_endpoint(*ep);
  endpoints_[arn] = std::move(ep);
  return arn;
}

Status SnsEngine::delete_endpoint(const CallContext& ctx, const std::string& arn) {
  (void)ctx;
  std::lock_guard lock(mu_);
  if (endpoints_.erase(arn)) runtime_.store.erase("sns.endpoint", arn);
  return ok_status();
}

Result<Page<PlatformEndpointInfo>> SnsEngine::list_endpoints_by_platform_application(
    const CallContext& ctx, const std::string& application_arn, const std::string& next_token) {
  (void)ctx;
  std::lock_guard lock(mu_);
  auto app = applications_.find(application_arn);
  if (app == applications_.end()) return detail::not_found("PlatformApplication does not exist");
  const auto parsed = parse_arn(application_arn);
  // Endpoint ARNs of an application share "...:endpoint/<platform>/<name>/".
  const std::string prefix = "arn:aws:sns:" + parsed->region + ":" + parsed->account +
                             ":endpoint/" + app->second->platform + "/" + app->second->name + "/";
  return paginate(endpoints_, prefix, next_token, [](const detail::PlatformEndpoint& e) {
    return PlatformEndpointInfo{e.arn, e.attributes};
  });
}

Result<AttributeMap> SnsEngine::get_endpoint_attributes(const CallContext& ctx,
                                                        const std::string& arn) {
  (void)ctx;
  std::lock_guard lock(mu_);
  auto it = endpoints_.find(arn);
  if (it == endpoints_.end()) return detail::not_found("Endpoint does not exist");
  return it->second->attributes;
}

Status SnsEngine::set_endpoint_attributes(const CallContext& ctx, const std::string& arn,
                                          const AttributeMap& attributes) {
  (void)ctx;
  SLUICE_TRY(check_endpoint_attributes(attributes));
  std::lock_guard lock(mu_);
  auto it = endpoints_.find(arn);
  if (it == endpoints_.end()) return detail::not_found("Endpoint does not exist");
  for (const auto& [k, v] : attributes)
    it->second->attributes[k] = v;
  persist_platform_endpoint(*it->second);
  return ok_status();
}

}  // namespace sluice::services::sns
