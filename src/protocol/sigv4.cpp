#include "sluice/protocol/sigv4.hpp"

#include <cctype>

namespace sluice::protocol {

namespace {
std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front())))
    s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back())))
    s.remove_suffix(1);
  return s;
}
}  // namespace

std::optional<SigV4Scope> parse_sigv4_credential(std::string_view credential) {
  // AKID/yyyymmdd/region/service/aws4_request
  SigV4Scope scope;
  std::string_view parts[5];
  std::size_t n = 0;
  std::size_t pos = 0;
  bool more = false;  // a sixth '/'-separated part follows
  while (n < 5) {
    const std::size_t slash = credential.find('/', pos);
    if (slash == std::string_view::npos) {
      parts[n++] = credential.substr(pos);
      break;
    }
    if (n == 4) {
      more = true;
      break;
    }
    parts[n++] = credential.substr(pos, slash - pos);
    pos = slash + 1;
  }
  if (more || n != 5 || parts[0].empty() || parts[4] != "aws4_request") return std::nullopt;
  scope.access_key = std::string(parts[0]);
  scope.date = std::string(parts[1]);
  scope.region = std::string(parts[2]);
  scope.service = std::string(parts[3]);
  return scope;
}

std::optional<SigV4Scope> parse_sigv4_authorization(std::string_view header) {
  header = trim(header);
  constexpr std::string_view kAlgo = "AWS4-HMAC-SHA256";
  if (header.substr(0, kAlgo.size()) != kAlgo) return std::nullopt;
  header.remove_prefix(kAlgo.size());
  if (header.empty() || !std::isspace(static_cast<unsigned char>(header.front())))
    return std::nullopt;
  std::optional<SigV4Scope> scope;
  std::string signed_headers, signature;
  while (!header.empty()) {
    std::size_t comma = header.find(',');
    std::string_view item = trim(header.substr(0, comma));
    header = comma == std::string_view::npos ? std::string_view{} : header.substr(comma + 1);
    const std::size_t eq = item.find('=');
    if (eq == std::string_view::npos) return std::nullopt;
    const std::string_view key = trim(item.substr(0, eq));
    const std::string_view value = trim(item.substr(eq + 1));
    if (key == "Credential") {
      scope = parse_sigv4_credential(value);
      if (!scope) return std::nullopt;
    } else if (key == "SignedHeaders") {
      signed_headers = std::string(value);
    } else if (key == "Signature") {
      signature = std::string(value);
    }
  }
  if (!scope) return std::nullopt;
  scope->signed_headers = std::move(signed_headers);
  scope->signature = std::move(signature);
  return scope;
}

std::string account_for_access_key(std::string_view access_key,
                                   const std::string& default_account) {
  if (access_key.size() == 12) {
    bool digits = true;
    for (char c : access_key)
      digits = digits && c >= '0' && c <= '9';
    if (digits) return std::string(access_key);
  }
  return default_account;
}

}  // namespace sluice::protocol
