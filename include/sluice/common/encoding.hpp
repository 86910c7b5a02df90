#pragma once
// Digests, encodings, ids and time formats (OpenSSL behind the .cpp).
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "sluice/common/clock.hpp"

namespace sluice {

std::string md5_hex(std::string_view data);
std::string sha256_hex(std::string_view data);
std::string sha256_raw(std::string_view data);
std::string hmac_sha256_raw(std::string_view key, std::string_view data);
std::string hex_encode(std::string_view raw);

std::string base64_encode(std::string_view raw);
// Strict RFC 4648 decoding (padding optional, whitespace rejected).
std::optional<std::string> base64_decode(std::string_view text);

// Random version-4 UUID, lower case.
// Equal without an early exit: the time taken says nothing about the prefix matched
// (secrets, signatures, tokens).
bool constant_time_equal(std::string_view a, std::string_view b);

std::string uuid_v4();
// `n` random bytes as lower-case hex.
std::string random_hex(std::size_t n_bytes);

// Percent-decoding for application/x-www-form-urlencoded ('+' is a space when
// `plus_is_space`). Returns nullopt on a malformed escape.
std::optional<std::string> url_decode(std::string_view in, bool plus_is_space = true);
// RFC 3986 unreserved characters pass; everything else is %XX.
std::string url_encode(std::string_view in);

// True when `s` is well-formed UTF-8 (no overlongs, no surrogates, <= U+10FFFF).
bool is_valid_utf8(std::string_view s);

// "2026-11-24T21:55:38.123Z"
std::string iso8601_ms(TimeMs t);
// "2026-11-24T21:55:38Z"
std::string iso8601_s(TimeMs t);
// Parses ISO-8601 date-times with a Z or +hh:mm offset; nullopt if not one.
std::optional<TimeMs> parse_iso8601(std::string_view s);

}  // namespace sluice
