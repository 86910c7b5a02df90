// SigV4 verification. The algorithm is AWS's "Create a signed AWS API request"
// (canonical request -> string to sign -> HMAC with a derived key); the error texts are
// the ones AWS returns for each failure.
#include "sluice/protocol/sigv4_verify.hpp"

#include <algorithm>
#include <cctype>

#include "sluice/common/ascii.hpp"
#include "sluice/common/encoding.hpp"
#include "sluice/protocol/sigv4.hpp"

namespace sluice::protocol {

namespace {

constexpr std::string_view kAlgorithm = "AWS4-HMAC-SHA256";
constexpr std::string_view kUnsignedPayload = "UNSIGNED-PAYLOAD";
constexpr std::string_view kSignatureMismatch =
    "The request signature we calculated does not match the signature you provided. Check "
    "your AWS Secret Access Key and signing method. Consult the service documentation for "
    "details.";
constexpr std::string_view kInvalidToken = "The security token included in the request is invalid.";

bool is_unreserved(unsigned char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '_' || c == '.' || c == '~';
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front())))
    s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back())))
    s.remove_suffix(1);
  return s;
}

bool is_hex64(std::string_view s) {
  if (s.size() != 64) return false;
  for (char c : s)
    if (!std::isxdigit(static_cast<unsigned char>(c))) return false;
  return true;
}

// "2026-11-24T21:55:38Z" -> "20261124T215538Z", the form AWS's messages use.
std::string amz_date(TimeMs t) {
  std::string out;
  for (char c : iso8601_s(t))
    if (c != '-' && c != ':') out.push_back(c);
  return out;
}

struct QueryParam {
  std::string name;
  std::string value;
};

std::optional<std::vector<QueryParam>> split_query(std::string_view raw) {
  std::vector<QueryParam> out;
  while (!raw.empty()) {
    const std::size_t amp = raw.find('&');
    const std::string_view pair = raw.substr(0, amp);
    raw = amp == std::string_view::npos ? std::string_view{} : raw.substr(amp + 1);
    if (pair.empty()) continue;
    const std::size_t eq = pair.find('=');
    // '+' stays '+' (%2B once re-encoded): SDKs percent-encode spaces in query strings.
    auto name = url_decode(pair.substr(0, eq), false);
    auto value =
        url_decode(eq == std::string_view::npos ? std::string_view{} : pair.substr(eq + 1), false);
    if (!name || !value) return std::nullopt;
    out.push_back({std::move(*name), std::move(*value)});
  }
  return out;
}

const QueryParam* find_param(const std::vector<QueryParam>& params, std::string_view name) {
  for (const auto& p : params)
    if (p.name == name) return &p;
  return nullptr;
}

const std::string* find_header(const std::vector<std::pair<std::string, std::string>>& headers,
                               std::string_view name) {
  for (const auto& [k, v] : headers)
    if (k == name) return &v;
  return nullptr;
}

bool signs_header(std::string_view signed_headers, std::string_view name) {
  while (!signed_headers.empty()) {
    const std::size_t semi = signed_headers.find(';');
    if (signed_headers.substr(0, semi) == name) return true;
    if (semi == std::string_view::npos) break;
    signed_headers.remove_prefix(semi + 1);
  }
  return false;
}

AuthOutcome fail(AuthFailure kind, std::string message, std::string detail = {}) {
  AuthOutcome out;
  out.error = AuthError{kind, std::move(message), std::move(detail)};
  return out;
}

// The 15-minute window around the server's clock, with AWS's wording either side.
std::optional<AuthError> check_skew(TimeMs signed_at, std::string_view amz, TimeMs now_ms) {
  const TimeMs skew = SigV4Verifier::kMaxSkewMs;
  if (signed_at < now_ms - skew) {
    return AuthError{AuthFailure::kSkewed,
                     "Signature expired: " + std::string(amz) + " is now earlier than " +
                         amz_date(now_ms - skew) + " (" + amz_date(now_ms) + " - 15 min.)",
                     {}};
  }
  if (signed_at > now_ms + skew) {
    return AuthError{AuthFailure::kSkewed,
                     "Signature not yet current: " + std::string(amz) + " is still later than " +
                         amz_date(now_ms + skew) + " (" + amz_date(now_ms) + " + 15 min.)",
                     {}};
  }
  return std::nullopt;
}

}  // namespace

std::string sigv4_canonical_uri(std::string_view raw_path) {
  // Normalise as the SDKs do before signing: drop empty and "." segments, resolve "..".
  std::vector<std::string_view> segments;
  std::string_view rest = raw_path;
  while (!rest.empty()) {
    const std::size_t slash = rest.find('/');
    const std::string_view seg = rest.substr(0, slash);
    rest = slash == std::string_view::npos ? std::string_view{} : rest.substr(slash + 1);
    if (seg.empty() || seg == ".") continue;
    if (seg == "..") {
      if (!segments.empty()) segments.pop_back();
      continue;
    }
    segments.push_back(seg);
  }
  std::string out = "/";
  for (std::size_t i = 0; i < segments.size(); ++i) {
    if (i > 0) out += '/';
    for (unsigned char c : segments[i]) {
      if (is_unreserved(c)) {
        out.push_back(static_cast<char>(c));
      } else {
        out.push_back('%');
        out.push_back("0123456789ABCDEF"[c >> 4]);
        out.push_back("0123456789ABCDEF"[c & 0xF]);
      }
    }
  }
  if (!segments.empty() && !raw_path.empty() && raw_path.back() == '/') out += '/';
  return out;
}

std::optional<std::string> sigv4_canonical_query(std::string_view raw_query,
                                                 std::string_view skip) {
  auto params = split_query(raw_query);
  if (!params) return std::nullopt;
  std::vector<std::pair<std::string, std::string>> encoded;
  encoded.reserve(params->size());
  for (const auto& p : *params)
    if (skip.empty() || p.name != skip)
      encoded.emplace_back(url_encode(p.name), url_encode(p.value));
  std::sort(encoded.begin(), encoded.end());
  std::string out;
  for (const auto& [k, v] : encoded) {
    if (!out.empty()) out += '&';
    out += k;
    out += '=';
    out += v;
  }
  return out;
}

std::string sigv4_canonical_headers(const std::vector<std::pair<std::string, std::string>>& headers,
                                    std::string_view signed_headers) {
  std::string out;
  while (!signed_headers.empty()) {
    const std::size_t semi = signed_headers.find(';');
    const std::string_view name = signed_headers.substr(0, semi);
    signed_headers =
        semi == std::string_view::npos ? std::string_view{} : signed_headers.substr(semi + 1);
    std::string value;
    bool first = true;
    for (const auto& [k, v] : headers) {
      if (k != name) continue;
      if (!first) value += ',';
      first = false;
      // Trimmed, and runs of whitespace inside collapsed to one space.
      bool space = false;
      for (char c : trim(v)) {
        if (std::isspace(static_cast<unsigned char>(c))) {
          space = true;
          continue;
        }
        if (space) value += ' ';
        space = false;
        value += c;
      }
    }
    out += name;
    out += ':';
    out += value;
    out += '\n';
  }
  return out;
}

std::string sigv4_canonical_request(std::string_view method, std::string_view canonical_uri,
                                    std::string_view canonical_query,
                                    std::string_view canonical_headers,
                                    std::string_view signed_headers,
                                    std::string_view payload_hash) {
  std::string out;
  out.reserve(method.size() + canonical_uri.size() + canonical_query.size() +
              canonical_headers.size() + signed_headers.size() + payload_hash.size() + 8);
  out += method;
  out += '\n';
  out += canonical_uri;
  out += '\n';
  out += canonical_query;
  out += '\n';
  out += canonical_headers;  // each line already ends in '\n'
  out += '\n';
  out += signed_headers;
  out += '\n';
  out += payload_hash;
  return out;
}

std::string sigv4_string_to_sign(std::string_view amz_date_text, std::string_view scope,
                                 std::string_view canonical_request) {
  std::string out(kAlgorithm);
  out += '\n';
  out += amz_date_text;
  out += '\n';
  out += scope;
  out += '\n';
  out += sha256_hex(canonical_request);
  return out;
}

std::string sigv4_signing_key(std::string_view secret, std::string_view date,
                              std::string_view region, std::string_view service) {
  const std::string k_date = hmac_sha256_raw("AWS4" + std::string(secret), date);
  const std::string k_region = hmac_sha256_raw(k_date, region);
  const std::string k_service = hmac_sha256_raw(k_region, service);
  return hmac_sha256_raw(k_service, "aws4_request");
}

std::string sigv4_signature(std::string_view signing_key, std::string_view string_to_sign) {
  return hex_encode(hmac_sha256_raw(signing_key, string_to_sign));
}

std::optional<TimeMs> parse_amz_date(std::string_view s) {
  if (s.size() != 16 || s[8] != 'T' || s[15] != 'Z') return std::nullopt;
  for (std::size_t i = 0; i < 15; ++i)
    if (i != 8 && !std::isdigit(static_cast<unsigned char>(s[i]))) return std::nullopt;
  std::string iso;
  iso += s.substr(0, 4);
  iso += '-';
  iso += s.substr(4, 2);
  iso += '-';
  iso += s.substr(6, 2);
  iso += 'T';
  iso += s.substr(9, 2);
  iso += ':';
  iso += s.substr(11, 2);
  iso += ':';
  iso += s.substr(13, 2);
  iso += 'Z';
  return parse_iso8601(iso);
}

SigV4Verifier::SigV4Verifier(std::vector<AccessKey> keys) {
  for (auto& k : keys) {
    std::string id = k.access_key_id;
    keys_[std::move(id)] = std::move(k);
  }
}

const AccessKey* SigV4Verifier::find(std::string_view access_key_id) const {
  auto it = keys_.find(access_key_id);
  return it == keys_.end() ? nullptr : &it->second;
}

std::string SigV4Verifier::signing_key(const AccessKey& key, const std::string& date,
                                       const std::string& region,
                                       const std::string& service) const {
  std::string cache_key = key.access_key_id;
  for (const std::string* part : {&date, &region, &service}) {
    cache_key += '/';
    cache_key += *part;
  }
  std::lock_guard lock(cache_mutex_);
  if (auto it = cache_.find(cache_key); it != cache_.end()) return it->second;
  // A key is valid for a day; a bound keeps odd clients (a new region per request) cheap.
  if (cache_.size() >= 1024) cache_.clear();
  std::string k = sigv4_signing_key(key.secret_access_key, date, region, service);
  cache_.emplace(std::move(cache_key), k);
  return k;
}

AuthOutcome SigV4Verifier::verify(const SigV4Request& request, TimeMs now_ms) const {
  static const std::vector<std::pair<std::string, std::string>> kNoHeaders;
  const auto& headers = request.headers ? *request.headers : kNoHeaders;
  if (const std::string* auth = find_header(headers, "authorization"))
    return verify_header(request, *auth, now_ms);
  // Presigned: the signature travels in the query string.
  for (std::string_view marker : {"X-Amz-Algorithm=", "X-Amz-Credential=", "X-Amz-Signature="}) {
    const std::size_t at = request.query.find(marker);
    if (at != std::string_view::npos && (at == 0 || request.query[at - 1] == '&'))
      return verify_query(request, now_ms);
  }
  return fail(AuthFailure::kMissing, "Request is missing Authentication Token");
}

AuthOutcome SigV4Verifier::verify_header(const SigV4Request& request,
                                         std::string_view authorization, TimeMs now_ms) const {
  const auto& headers = *request.headers;
  const std::string_view auth = trim(authorization);
  if (auth.substr(0, kAlgorithm.size()) != kAlgorithm ||
      (auth.size() > kAlgorithm.size() &&
       !std::isspace(static_cast<unsigned char>(auth[kAlgorithm.size()])))) {
    const std::string_view scheme = auth.substr(0, auth.find(' '));
    return fail(AuthFailure::kIncomplete,
                "Unsupported AWS 'algorithm': '" + std::string(scheme) +
                    "'. Sluice verifies AWS4-HMAC-SHA256 (SigV4) signatures only.");
  }
  auto scope = parse_sigv4_authorization(auth);
  if (!scope || scope->signed_headers.empty() || scope->signature.empty()) {
    std::string missing;
    if (auth.find("Credential=") == std::string_view::npos || !scope)
      missing += "Authorization header requires 'Credential' parameter. ";
    if (auth.find("Signature=") == std::string_view::npos)
      missing += "Authorization header requires 'Signature' parameter. ";
    if (auth.find("SignedHeaders=") == std::string_view::npos)
      missing += "Authorization header requires 'SignedHeaders' parameter. ";
    if (missing.empty()) missing = "Authorization header is malformed. ";
    return fail(AuthFailure::kIncomplete, missing + "Authorization=" + std::string(auth));
  }
  const std::string* date_header = find_header(headers, "x-amz-date");
  if (!date_header) {
    return fail(AuthFailure::kIncomplete,
                "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' "
                "header. Sluice supports 'X-Amz-Date', which every AWS SDK sends.");
  }
  const std::string amz = std::string(trim(*date_header));
  const auto signed_at = parse_amz_date(amz);
  if (!signed_at) {
    return fail(
        AuthFailure::kIncomplete,
        "X-Amz-Date must be in the ISO8601 basic format yyyyMMdd'T'HHmmss'Z', not '" + amz + "'.");
  }
  const AccessKey* key = find(scope->access_key);
  if (!key) return fail(AuthFailure::kUnknownKey, std::string(kInvalidToken));
  if (auto skew = check_skew(*signed_at, amz, now_ms)) {
    AuthOutcome out;
    out.error = std::move(skew);
    return out;
  }
  if (amz.substr(0, 8) != scope->date) {
    return fail(AuthFailure::kSignatureMismatch,
                "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date "
                "from HTTP: '" +
                    scope->date + "' != '" + amz.substr(0, 8) + "', from '" + amz + "'.");
  }
  if (!signs_header(scope->signed_headers, "host")) {
    return fail(AuthFailure::kIncomplete,
                "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.");
  }
  // The payload hash: what the client declared (and signed), checked against the body.
  std::string payload_hash;
  if (const std::string* declared = find_header(headers, "x-amz-content-sha256");
      declared && signs_header(scope->signed_headers, "x-amz-content-sha256")) {
    const std::string_view value = trim(*declared);
    if (value.substr(0, 10) == "STREAMING-") {
      return fail(AuthFailure::kUnsupported,
                  "x-amz-content-sha256 " + std::string(value) +
                      " (chunked payload signing) is not supported by Sluice; send the body in "
                      "one piece.");
    }
    if (value == kUnsignedPayload) {
      payload_hash = std::string(kUnsignedPayload);
    } else if (is_hex64(value)) {
      payload_hash = ascii_lower(value);
      if (payload_hash != sha256_hex(request.body)) {
        return fail(AuthFailure::kSignatureMismatch, std::string(kSignatureMismatch),
                    "x-amz-content-sha256 does not match the body's SHA-256");
      }
    } else {
      return fail(AuthFailure::kSignatureMismatch, std::string(kSignatureMismatch),
                  "x-amz-content-sha256 is neither UNSIGNED-PAYLOAD nor a SHA-256 in hex");
    }
  } else {
    payload_hash = sha256_hex(request.body);
  }
  auto query = sigv4_canonical_query(request.query);
  if (!query) return fail(AuthFailure::kSignatureMismatch, std::string(kSignatureMismatch));
  const std::string canonical = sigv4_canonical_request(
      request.method, sigv4_canonical_uri(request.path), *query,
      sigv4_canonical_headers(headers, scope->signed_headers), scope->signed_headers, payload_hash);
  const std::string credential_scope =
      scope->date + "/" + scope->region + "/" + scope->service + "/aws4_request";
  const std::string to_sign = sigv4_string_to_sign(amz, credential_scope, canonical);
  const std::string expected =
      sigv4_signature(signing_key(*key, scope->date, scope->region, scope->service), to_sign);
  if (!constant_time_equal(expected, ascii_lower(scope->signature))) {
    return fail(AuthFailure::kSignatureMismatch, std::string(kSignatureMismatch),
                "canonical request:\n" + canonical + "\nstring to sign:\n" + to_sign);
  }
  AuthOutcome out;
  out.access_key = key->access_key_id;
  out.account_id = key->account_id;
  out.region = scope->region;
  out.service = scope->service;
  return out;
}

AuthOutcome SigV4Verifier::verify_query(const SigV4Request& request, TimeMs now_ms) const {
  const auto& headers = *request.headers;
  auto params = split_query(request.query);
  if (!params) {
    return fail(AuthFailure::kIncomplete, "The query string contains a malformed escape.");
  }
  for (std::string_view required : {"X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Signature",
                                    "X-Amz-SignedHeaders", "X-Amz-Date"}) {
    if (!find_param(*params, required)) {
      return fail(AuthFailure::kIncomplete, "AWS query-string parameters must include '" +
                                                std::string(required) +
                                                "'. Re-examine the query-string parameters.");
    }
  }
  const std::string& algorithm = find_param(*params, "X-Amz-Algorithm")->value;
  if (algorithm != kAlgorithm) {
    return fail(AuthFailure::kIncomplete,
                "X-Amz-Algorithm only supports \"AWS4-HMAC-SHA256\", not '" + algorithm + "'.");
  }
  auto scope = parse_sigv4_credential(find_param(*params, "X-Amz-Credential")->value);
  if (!scope) {
    return fail(AuthFailure::kIncomplete,
                "X-Amz-Credential must be ACCESS_KEY/yyyyMMdd/region/service/aws4_request.");
  }
  const std::string amz = find_param(*params, "X-Amz-Date")->value;
  const auto signed_at = parse_amz_date(amz);
  if (!signed_at) {
    return fail(
        AuthFailure::kIncomplete,
        "X-Amz-Date must be in the ISO8601 basic format yyyyMMdd'T'HHmmss'Z', not '" + amz + "'.");
  }
  TimeMs expires_s = -1;
  if (const QueryParam* e = find_param(*params, "X-Amz-Expires")) {
    expires_s = 0;
    for (char c : e->value) {
      if (c < '0' || c > '9' || expires_s > 604800) {
        expires_s = -1;
        break;
      }
      expires_s = expires_s * 10 + (c - '0');
    }
    if (e->value.empty() || expires_s < 0 || expires_s > 604800) {
      return fail(AuthFailure::kIncomplete,
                  "X-Amz-Expires must be a number of seconds from 1 to 604800 (a week).");
    }
  }
  const std::string signed_headers = find_param(*params, "X-Amz-SignedHeaders")->value;
  const std::string signature = ascii_lower(find_param(*params, "X-Amz-Signature")->value);
  const AccessKey* key = find(scope->access_key);
  if (!key) return fail(AuthFailure::kUnknownKey, std::string(kInvalidToken));
  if (expires_s >= 0) {
    // AWS: RequestExpired once the presigned URL's own lifetime is over.
    if (now_ms > *signed_at + expires_s * 1000) {
      return fail(AuthFailure::kPresignExpired, "Request has expired.");
    }
    if (*signed_at > now_ms + kMaxSkewMs) {
      if (auto skew = check_skew(*signed_at, amz, now_ms)) {
        AuthOutcome out;
        out.error = std::move(skew);
        return out;
      }
    }
  } else if (auto skew = check_skew(*signed_at, amz, now_ms)) {
    AuthOutcome out;
    out.error = std::move(skew);
    return out;
  }
  if (amz.substr(0, 8) != scope->date) {
    return fail(AuthFailure::kSignatureMismatch,
                "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date "
                "from HTTP: '" +
                    scope->date + "' != '" + amz.substr(0, 8) + "', from '" + amz + "'.");
  }
  if (!signs_header(signed_headers, "host")) {
    return fail(AuthFailure::kIncomplete,
                "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.");
  }
  auto query = sigv4_canonical_query(request.query, "X-Amz-Signature");
  if (!query) return fail(AuthFailure::kSignatureMismatch, std::string(kSignatureMismatch));
  const std::string canonical_uri = sigv4_canonical_uri(request.path);
  const std::string canonical_headers = sigv4_canonical_headers(headers, signed_headers);
  const std::string credential_scope =
      scope->date + "/" + scope->region + "/" + scope->service + "/aws4_request";
  const std::string k = signing_key(*key, scope->date, scope->region, scope->service);
  // A presigned URL is signed before its body is known: botocore and AWS's docs use
  // UNSIGNED-PAYLOAD, some signers hash the (usually empty) body. Either is accepted.
  std::vector<std::string> payload_hashes;
  if (const std::string* declared = find_header(headers, "x-amz-content-sha256");
      declared && signs_header(signed_headers, "x-amz-content-sha256")) {
    payload_hashes.emplace_back(trim(*declared));
  } else {
    payload_hashes.emplace_back(kUnsignedPayload);
    payload_hashes.push_back(sha256_hex(request.body));
  }
  std::string last_canonical, last_to_sign;
  for (const auto& payload_hash : payload_hashes) {
    last_canonical = sigv4_canonical_request(request.method, canonical_uri, *query,
                                             canonical_headers, signed_headers, payload_hash);
    last_to_sign = sigv4_string_to_sign(amz, credential_scope, last_canonical);
    if (constant_time_equal(sigv4_signature(k, last_to_sign), signature)) {
      AuthOutcome out;
      out.access_key = key->access_key_id;
      out.account_id = key->account_id;
      out.region = scope->region;
      out.service = scope->service;
      return out;
    }
  }
  return fail(AuthFailure::kSignatureMismatch, std::string(kSignatureMismatch),
              "canonical request:\n" + last_canonical + "\nstring to sign:\n" + last_to_sign);
}

}  // namespace sluice::protocol
