// SMS settings, opt-outs and the SMS sandbox. Messages are never sent to phones: they
// are recorded (kind "sms") for the inspection routes.
#include <random>

#include "internal.hpp"
#include "sluice/common/encoding.hpp"

namespace sluice::services::sns {

using detail::invalid_parameter;

namespace {

const std::set<std::string> kSmsAttributes = {
    "MonthlySpendLimit", "DeliveryStatusIAMRole", "DeliveryStatusSuccessSamplingRate",
    "DefaultSenderID",   "DefaultSMSType",        "UsageReportS3Bucket"};

Status check_phone(const std::string& phone, const char* param) {
  if (!detail::is_e164(phone))
    return invalid_parameter(std::string("Invalid parameter: ") + param +
                             " Reason: input incorrectly formatted");
  return ok_status();
}

}  // namespace

Result<AttributeMap> SnsEngine::get_sms_attributes(const CallContext& ctx,
                                                   const std::vector<std::string>& names) {
  std::lock_guard lock(mu_);
  AttributeMap out;
  auto it = sms_.find(detail::scope_key(ctx.region, ctx.account));
  if (it == sms_.end()) return out;
  for (const auto& [k, v] : it->second->attributes)
    if (names.empty() || std::find(names.begin(), names.end(), k) != names.end()) out[k] = v;
  return out;
}

Status SnsEngine::set_sms_attributes(const CallContext& ctx, const AttributeMap& attributes) {
  for (const auto& [k, v] : attributes) {
    if (!kSmsAttributes.count(k)) return invalid_parameter("Invalid parameter: " + k);
    if (k == "DefaultSMSType" && v != "Promotional" && v != "Transactional")
      return invalid_parameter("Invalid parameter: DefaultSMSType Reason: " + v +
                               " is not a valid SMS type");
    if ((k == "MonthlySpendLimit" || k == "DeliveryStatusSuccessSamplingRate") &&
        (v.empty() || v.find_first_not_of("0123456789") != std::string::npos))
      return invalid_parameter("Invalid parameter: " + k);
  }
  std::lock_guard lock(mu_);
  const std::string key = detail::scope_key(ctx.region, ctx.account);
  auto& s = sms_[key];
  if (!s) s = std::make_unique<detail::SmsSettings>();
  for (const auto& [k, v] : attributes)
    s->attributes[k] = v;
  persist_sms(key, *s);
  return ok_status();
}

Result<bool> SnsEngine::check_if_phone_number_is_opted_out(const CallContext& ctx,
                                                           const std::string& phone_number) {
  SLUICE_TRY(check_phone(phone_number, "PhoneNumber"));
  std::lock_guard lock(mu_);
  auto it = sms_.find(detail::scope_key(ctx.region, ctx.account));
  return it != sms_.end() && it->second->opted_out.count(phone_number) > 0;
}

Result<Page<std::string>> SnsEngine::list_phone_numbers_opted_out(const CallContext& ctx,
                                                                  const std::string& next_token) {
  std::optional<std::string> after;
  if (!next_token.empty()) {
    after = detail::decode_page_token(next_token);
    if (!after) return invalid_parameter("Invalid parameter: nextToken");
  }
  std::lock_guard lock(mu_);
  Page<std::string> page;
  auto it = sms_.find(detail::scope_key(ctx.region, ctx.account));
  if (it == sms_.end()) return page;
  const auto& numbers = it->second->opted_out;
  for (auto n = after ? numbers.upper_bound(*after) : numbers.begin(); n != numbers.end(); ++n) {
    if (page.items.size() == detail::kPageSize) {
      page.next_token = detail::page_token(page.items.back());
      break;
    }
    page.items.push_back(*n);
  }
  return page;
}

Status SnsEngine::opt_in_phone_number(const CallContext& ctx, const std::string& phone_number) {
  SLUICE_TRY(check_phone(phone_number, "PhoneNumber"));
  std::lock_guard lock(mu_);
  const std::string key = detail::scope_key(ctx.region, ctx.account);
  auto it = sms_.find(key);
  if (it == sms_.end() || !it->second->opted_out.erase(phone_number)) return ok_status();
  persist_sms(key, *it->second);
  return ok_status();
}

Status SnsEngine::opt_out_phone_number(const CallContext& ctx, const std::string& phone_number) {
  SLUICE_TRY(check_phone(phone_number, "PhoneNumber"));
  std::lock_guard lock(mu_);
  const std::string key = detail::scope_key(ctx.region, ctx.account);
  auto& s = sms_[key];
  if (!s) s = std::make_unique<detail::SmsSettings>();
  s->opted_out.insert(phone_number);
  persist_sms(key, *s);
  return ok_status();
}

Result<bool> SnsEngine::get_sms_sandbox_account_status(const CallContext& ctx) {
  (void)ctx;
  // New AWS accounts start in the SMS sandbox; an emulator never leaves it.
  return true;
}

Status SnsEngine::create_sms_sandbox_phone_number(const CallContext& ctx,
                                                  const std::string& phone_number,
                                                  const std::string& language_code) {
  (void)language_code;
  SLUICE_TRY(check_phone(phone_number, "PhoneNumber"));
  std::lock_guard lock(mu_);
  const std::string key = detail::scope_key(ctx.region, ctx.account);
  auto& s = sms_[key];
  if (!s) s = std::make_unique<detail::SmsSettings>();
  if (s->opted_out.count(phone_number))
    return Error::sender("OptedOutException", "Phone number is opted out");
  auto [it, inserted] = s->sandbox.emplace(phone_number, "Pending");
  if (!inserted && it->second == "Verified") return ok_status();
  std::random_device rd;
  const std::string otp = std::to_string(100000 + rd() % 900000);
  sandbox_otps_[phone_number] = otp;
  RecordedDelivery rec;
  rec.kind = "sms";
  rec.region = ctx.region;
  rec.account = ctx.account;
  rec.message_id = uuid_v4();
  rec.endpoint = phone_number;
  rec.message = "Your verification code is " + otp;
  rec.status = "delivered";
  rec.attempts = 1;
  rec.timestamp_ms = runtime_.clock.now_ms();
  record_locked(std::move(rec));
  persist_sms(key, *s);
  return ok_status();
}

Status SnsEngine::delete_sms_sandbox_phone_number(const CallContext& ctx,
                                                  const std::string& phone_number) {
  SLUICE_TRY(check_phone(phone_number, "PhoneNumber"));
  std::lock_guard lock(mu_);
  const std::string key = detail::scope_key(ctx.region, ctx.account);
  auto it = sms_.find(key);
  if (it == sms_.end() || !it->second->sandbox.erase(phone_number))
    return Error::sender("ResourceNotFoundException", "Phone number does not exist", 404);
  sandbox_otps_.erase(phone_number);
  persist_sms(key, *it->second);
  return ok_status();
}

Status SnsEngine::verify_sms_sandbox_phone_number(const CallContext& ctx,
                                                  const std::string& phone_number,
                                                  const std::string& one_time_password) {
  SLUICE_TRY(check_phone(phone_number, "PhoneNumber"));
  std::lock_guard lock(mu_);
  const std::string key = detail::scope_key(ctx.region, ctx.account);
  auto it = sms_.find(key);
  if (it == sms_.end() || !it->second->sandbox.count(phone_number))
    return Error::sender("ResourceNotFoundException", "Phone number does not exist", 404);
  auto otp = sandbox_otps_.find(phone_number);
  if (it->second->sandbox[phone_number] != "Verified") {
    if (otp == sandbox_otps_.end() || otp->second != one_time_password)
      return Error::sender("VerificationException", "Invalid one-time password");
    it->second->sandbox[phone_number] = "Verified";
    sandbox_otps_.erase(otp);
    persist_sms(key, *it->second);
  }
  return ok_status();
}

Result<Page<SandboxPhoneNumber>> SnsEngine::list_sms_sandbox_phone_numbers(
    const CallContext& ctx, const std::string& next_token, std::optional<int> max_results) {
  if (max_results && (*max_results < 1 || *max_results > 100))
    return invalid_parameter("Invalid parameter: MaxResults");
  std::optional<std::string> after;
  if (!next_token.empty()) {
    after = detail::decode_page_token(next_token);
    if (!after) return invalid_parameter("Invalid parameter: NextToken");
  }
  const std::size_t limit = static_cast<std::size_t>(max_results.value_or(100));
  std::lock_guard lock(mu_);
  Page<SandboxPhoneNumber> page;
  auto it = sms_.find(detail::scope_key(ctx.region, ctx.account));
  if (it == sms_.end()) return page;
  const auto& numbers = it->second->sandbox;
  for (auto n = after ? numbers.upper_bound(*after) : numbers.begin(); n != numbers.end(); ++n) {
    if (page.items.size() == limit) {
      page.next_token = detail::page_token(page.items.back().phone_number);
      break;
    }
    page.items.push_back({n->first, n->second});
  }
  return page;
}

Result<Page<std::string>> SnsEngine::list_origination_numbers(const CallContext& ctx,
                                                              const std::string& next_token,
                                                              std::optional<int> max_results) {
  (void)ctx;
  (void)next_token;
  if (max_results && (*max_results < 1 || *max_results > 30))
    return Error::sender("ValidationException",
                         "1 validation error detected: Value '" + std::to_string(*max_results) +
                             "' at 'maxResults' failed to satisfy constraint: Member must have "
                             "value less than or equal to 30");
  // An emulator owns no origination numbers.
  return Page<std::string>{};
}

}  // namespace sluice::services::sns
