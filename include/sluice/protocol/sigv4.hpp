#pragma once
// SigV4 parsing: who is calling, for which region and service. Signatures are not
// verified here (that is optional and lives elsewhere); dummy credentials work.
#include <optional>
#include <string>
#include <string_view>

namespace sluice::protocol {

struct SigV4Scope {
  std::string access_key;
  std::string date;  // yyyymmdd
  std::string region;
  std::string service;  // "sqs", "sns", "states", ...
  std::string signed_headers;
  std::string signature;
};

// Parses `AWS4-HMAC-SHA256 Credential=AKID/20260101/us-east-1/sqs/aws4_request,
// SignedHeaders=host;x-amz-date, Signature=abcd`. nullopt when it is not that shape.
std::optional<SigV4Scope> parse_sigv4_authorization(std::string_view header);
// Parses the X-Amz-Credential query parameter form `AKID/date/region/service/aws4_request`.
std::optional<SigV4Scope> parse_sigv4_credential(std::string_view credential);

// The account a request acts in: a 12-digit access key is taken as the account id (as
// LocalStack users expect), anything else maps to `default_account`.
std::string account_for_access_key(std::string_view access_key, const std::string& default_account);

}  // namespace sluice::protocol
