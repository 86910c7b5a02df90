#pragma once
// SigV4 signature verification (`--auth sigv4`): the canonical request, the string to
// sign and the signing key as AWS defines them, and a verifier that checks a request
// against configured access keys. Header form (`Authorization: AWS4-HMAC-SHA256 ...`)
// and query-string form (presigned URLs, `X-Amz-Signature=...`). Chunked payload
// signing (`x-amz-content-sha256: STREAMING-AWS4-HMAC-SHA256-PAYLOAD`) is refused:
// no SQS, SNS or Step Functions client uses it.
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "sluice/common/clock.hpp"

namespace sluice::protocol {

struct AccessKey {
  std::string access_key_id;
  std::string secret_access_key;
  std::string account_id;  // 12 digits
};

// What a verifier looks at: the request as it came off the wire.
struct SigV4Request {
  std::string_view method;
  std::string_view path;   // undecoded, as sent
  std::string_view query;  // after '?', undecoded
  const std::vector<std::pair<std::string, std::string>>* headers = nullptr;  // lower-case names
  std::string_view body;
};

// `/a b/./c` -> `/a%20b/c`: dot segments and empty segments removed, then every byte but
// RFC 3986 unreserved characters and '/' percent-encoded. The path arrives encoded once,
// so this is AWS's "URI-encode each path segment twice" for services other than S3 (what
// botocore and the JS SDK v3 sign).
std::string sigv4_canonical_uri(std::string_view raw_path);
// Parameters decoded, re-encoded (RFC 3986), sorted by name then value; `skip` (e.g.
// "X-Amz-Signature") is left out. nullopt when an escape is malformed.
std::optional<std::string> sigv4_canonical_query(std::string_view raw_query,
                                                 std::string_view skip = {});
// `name:value\n` for each name of `signed_headers` (';'-separated): values of repeated
// headers joined by ',', trimmed, runs of spaces collapsed.
std::string sigv4_canonical_headers(const std::vector<std::pair<std::string, std::string>>& headers,
                                    std::string_view signed_headers);
std::string sigv4_canonical_request(std::string_view method, std::string_view canonical_uri,
                                    std::string_view canonical_query,
                                    std::string_view canonical_headers,
                                    std::string_view signed_headers, std::string_view payload_hash);
// scope: "20260101/us-east-1/sqs/aws4_request"
std::string sigv4_string_to_sign(std::string_view amz_date, std::string_view scope,
                                 std::string_view canonical_request);
// HMAC chain "AWS4"+secret -> date -> region -> service -> "aws4_request" (raw bytes).
std::string sigv4_signing_key(std::string_view secret, std::string_view date,
                              std::string_view region, std::string_view service);
// Lower-case hex HMAC-SHA256 of the string to sign.
std::string sigv4_signature(std::string_view signing_key, std::string_view string_to_sign);

// "20260101T120000Z" -> epoch ms; nullopt if not exactly that shape.
std::optional<TimeMs> parse_amz_date(std::string_view s);

// Why a request was refused; the dispatcher turns it into each protocol's AWS error.
enum class AuthFailure {
  kMissing,            // no signature at all
  kIncomplete,         // a signature missing parts (no date, no SignedHeaders, ...)
  kUnknownKey,         // access key not configured
  kSignatureMismatch,  // wrong secret, or anything signed differs
  kSkewed,             // X-Amz-Date more than 15 minutes off the server's clock
  kPresignExpired,     // presigned URL past X-Amz-Date + X-Amz-Expires
  kUnsupported,        // chunked payload signing
};

struct AuthError {
  AuthFailure kind;
  std::string message;  // AWS's text for the case, or why the signature is incomplete
  std::string detail;   // for the log: the canonical request we computed, ...
};

struct AuthOutcome {
  std::optional<AuthError> error;
  std::string access_key;
  std::string account_id;  // of the verified key
  std::string region;
  std::string service;  // credential scope's service
};

class SigV4Verifier {
 public:
  // AWS allows 15 minutes between the signature's date and the server's.
  static constexpr TimeMs kMaxSkewMs = 15 * 60 * 1000;

  explicit SigV4Verifier(std::vector<AccessKey> keys);

  const AccessKey* find(std::string_view access_key_id) const;
  // `now_ms` is the real wall clock (SDKs sign with the host's clock, not ours).
  AuthOutcome verify(const SigV4Request& request, TimeMs now_ms) const;

 private:
  AuthOutcome verify_header(const SigV4Request& request, std::string_view authorization,
                            TimeMs now_ms) const;
  AuthOutcome verify_query(const SigV4Request& request, TimeMs now_ms) const;
  std::string signing_key(const AccessKey& key, const std::string& date, const std::string& region,
                          const std::string& service) const;

  std::map<std::string, AccessKey, std::less<>> keys_;
  // Signing keys per (access key, date, region, service): four HMACs saved per request.
  mutable std::mutex cache_mutex_;
  mutable std::map<std::string, std::string> cache_;
};

}  // namespace sluice::protocol
