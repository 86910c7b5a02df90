#include "sluice/common/encoding.hpp"

#include <set>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

namespace sluice {
namespace {

TEST(Digest, md5_and_sha256_known_vectors) {
  EXPECT_EQ(md5_hex(""), "d41d8cd98f00b204e9800998ecf8427e");
  EXPECT_EQ(md5_hex("abc"), "900150983cd24fb0d6963f7d28e17f72");
  EXPECT_EQ(sha256_hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(sha256_raw("abc").size(), 32u);
  EXPECT_EQ(hex_encode(sha256_raw("abc")), sha256_hex("abc"));
}

TEST(Digest, digests_cover_embedded_nul_bytes) {
  const std::string with_nul("a\0b", 3);
  EXPECT_NE(md5_hex(with_nul), md5_hex("a"));
  EXPECT_EQ(md5_hex(with_nul), md5_hex(std::string("a\0b", 3)));
}

TEST(Digest, hmac_sha256_rfc4231_case_2) {
  EXPECT_EQ(hex_encode(hmac_sha256_raw("Jefe", "what do ya want for nothing?")),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

TEST(Hex, encodes_every_byte_lower_case) {
  EXPECT_EQ(hex_encode(std::string("\x00\x0f\xf0\xff", 4)), "000ff0ff");
  EXPECT_EQ(hex_encode(""), "");
}

TEST(Base64, rfc4648_vectors_round_trip) {
  const std::pair<const char*, const char*> vectors[] = {
      {"", ""},
      {"f", "Zg=="},
      {"fo", "Zm8="},
      {"foo", "Zm9v"},
      {"foob", "Zm9vYg=="},
      {"fooba", "Zm9vYmE="},
      {"foobar", "Zm9vYmFy"},
  };
  for (const auto& [raw, encoded] : vectors) {
    EXPECT_EQ(base64_encode(raw), encoded);
    auto decoded = base64_decode(encoded);
    ASSERT_TRUE(decoded.has_value()) << encoded;
    EXPECT_EQ(*decoded, raw);
  }
}

TEST(Base64, binary_round_trip_of_every_byte_value) {
  std::string all;
  for (int i = 0; i < 256; ++i)
    all.push_back(static_cast<char>(i));
  for (std::size_t len = 0; len <= all.size(); len += 37) {
    const std::string raw = all.substr(0, len);
    auto back = base64_decode(base64_encode(raw));
    ASSERT_TRUE(back.has_value());
    EXPECT_EQ(*back, raw);
  }
}

TEST(Base64, padding_is_optional) {
  EXPECT_EQ(base64_decode("Zg").value_or("?"), "f");
  EXPECT_EQ(base64_decode("Zm8").value_or("?"), "fo");
}

TEST(Base64, strict_decode_rejects_malformed_text) {
  EXPECT_FALSE(base64_decode("Zm9v YmFy").has_value());  // whitespace
  EXPECT_FALSE(base64_decode("Zm9v\nYmFy").has_value());
  EXPECT_FALSE(base64_decode("Zm9v!").has_value());  // not in the alphabet
  EXPECT_FALSE(base64_decode("Z").has_value());      // 6 bits cannot be a byte
  EXPECT_FALSE(base64_decode("Zg=").has_value());    // wrong amount of padding
  EXPECT_FALSE(base64_decode("Zm9v=").has_value());
  EXPECT_FALSE(base64_decode("Zg===").has_value());
  EXPECT_FALSE(base64_decode("Z=g=").has_value());    // padding inside
  EXPECT_FALSE(base64_decode("Zm9v-_").has_value());  // URL-safe alphabet is another encoding
}

TEST(Ids, uuid_v4_shape_and_uniqueness) {
  std::set<std::string> seen;
  for (int i = 0; i < 200; ++i) {
    const std::string id = uuid_v4();
    ASSERT_EQ(id.size(), 36u);
    EXPECT_EQ(id[8], '-');
    EXPECT_EQ(id[13], '-');
    EXPECT_EQ(id[14], '4');  // version 4
    EXPECT_EQ(id[18], '-');
    EXPECT_NE(std::string("89ab").find(id[19]), std::string::npos);  // RFC 4122 variant
    EXPECT_EQ(id[23], '-');
    EXPECT_EQ(id.find_first_not_of("0123456789abcdef-"), std::string::npos);
    seen.insert(id);
  }
  EXPECT_EQ(seen.size(), 200u);
  EXPECT_EQ(random_hex(16).size(), 32u);
  EXPECT_NE(random_hex(16), random_hex(16));
}

TEST(Ids, threads_draw_different_ids) {
  // Each thread has its own generator, seeded separately.
  std::vector<std::string> a, b;
  std::thread t1([&] {
    for (int i = 0; i < 1000; ++i)
      a.push_back(uuid_v4());
  });
  std::thread t2([&] {
    for (int i = 0; i < 1000; ++i)
      b.push_back(uuid_v4());
  });
  t1.join();
  t2.join();
  std::set<std::string> all(a.begin(), a.end());
  all.insert(b.begin(), b.end());
  EXPECT_EQ(all.size(), 2000u);
}

TEST(UrlEncoding, decode_escapes_and_plus) {
  EXPECT_EQ(url_decode("a%20b+c").value_or("?"), "a b c");
  EXPECT_EQ(url_decode("a+b", /*plus_is_space=*/false).value_or("?"), "a+b");
  EXPECT_EQ(url_decode("%2B%2b%41").value_or("?"), "++A");
  EXPECT_EQ(url_decode("%E2%82%AC").value_or("?"), "\xE2\x82\xAC");
  EXPECT_EQ(url_decode("").value_or("?"), "");
  EXPECT_EQ(url_decode("%00").value_or("?"), std::string(1, '\0'));
}

TEST(UrlEncoding, decode_rejects_malformed_escapes) {
  EXPECT_FALSE(url_decode("%").has_value());
  EXPECT_FALSE(url_decode("abc%4").has_value());
  EXPECT_FALSE(url_decode("%zz").has_value());
  EXPECT_FALSE(url_decode("%4g").has_value());
  EXPECT_FALSE(url_decode("%%41").has_value());
}

TEST(UrlEncoding, encode_leaves_only_unreserved_characters) {
  EXPECT_EQ(url_encode("AZaz09-_.~"), "AZaz09-_.~");
  EXPECT_EQ(url_encode("a b+c/d=e&f"), "a%20b%2Bc%2Fd%3De%26f");
  EXPECT_EQ(url_encode("\xE2\x82\xAC"), "%E2%82%AC");
  const std::string tricky = "x=1&y=%41 +\xF0\x9F\x98\x80";
  EXPECT_EQ(url_decode(url_encode(tricky), false).value_or("?"), tricky);
  EXPECT_EQ(url_decode(url_encode(tricky), true).value_or("?"), tricky);
}

TEST(Utf8, accepts_well_formed_text) {
  EXPECT_TRUE(is_valid_utf8(""));
  EXPECT_TRUE(is_valid_utf8("plain ascii"));
  EXPECT_TRUE(is_valid_utf8(std::string("nul\0inside", 10)));
  EXPECT_TRUE(is_valid_utf8("\xC2\x80"));          // U+0080, smallest 2-byte
  EXPECT_TRUE(is_valid_utf8("\xDF\xBF"));          // U+07FF
  EXPECT_TRUE(is_valid_utf8("\xE0\xA0\x80"));      // U+0800, smallest 3-byte
  EXPECT_TRUE(is_valid_utf8("\xED\x9F\xBF"));      // U+D7FF, just below surrogates
  EXPECT_TRUE(is_valid_utf8("\xEE\x80\x80"));      // U+E000, just above surrogates
  EXPECT_TRUE(is_valid_utf8("\xEF\xBF\xBF"));      // U+FFFF
  EXPECT_TRUE(is_valid_utf8("\xF0\x90\x80\x80"));  // U+10000, smallest 4-byte
  EXPECT_TRUE(is_valid_utf8("\xF4\x8F\xBF\xBF"));  // U+10FFFF, the last code point
  EXPECT_TRUE(is_valid_utf8("caf\xC3\xA9 \xF0\x9F\x98\x80"));
}

TEST(Utf8, rejects_malformed_text) {
  EXPECT_FALSE(is_valid_utf8("\x80"));                  // lone continuation byte
  EXPECT_FALSE(is_valid_utf8("\xC3"));                  // truncated 2-byte
  EXPECT_FALSE(is_valid_utf8("\xE2\x82"));              // truncated 3-byte
  EXPECT_FALSE(is_valid_utf8("\xF0\x9F\x98"));          // truncated 4-byte
  EXPECT_FALSE(is_valid_utf8("\xC3\x28"));              // bad continuation
  EXPECT_FALSE(is_valid_utf8("\xC0\xAF"));              // overlong '/'
  EXPECT_FALSE(is_valid_utf8("\xC1\xBF"));              // overlong
  EXPECT_FALSE(is_valid_utf8("\xE0\x80\xAF"));          // overlong 3-byte
  EXPECT_FALSE(is_valid_utf8("\xF0\x80\x80\xAF"));      // overlong 4-byte
  EXPECT_FALSE(is_valid_utf8("\xED\xA0\x80"));          // U+D800 surrogate
  EXPECT_FALSE(is_valid_utf8("\xED\xBF\xBF"));          // U+DFFF surrogate
  EXPECT_FALSE(is_valid_utf8("\xF4\x90\x80\x80"));      // U+110000
  EXPECT_FALSE(is_valid_utf8("\xF5\x80\x80\x80"));      // lead byte beyond the range
  EXPECT_FALSE(is_valid_utf8("\xF8\x88\x80\x80\x80"));  // 5-byte form
  EXPECT_FALSE(is_valid_utf8("\xFE"));
  EXPECT_FALSE(is_valid_utf8("\xFF"));
  EXPECT_FALSE(is_valid_utf8("ok\xE2\x82"));  // truncated at the very end
}

TEST(Iso8601, formats_with_and_without_milliseconds) {
  EXPECT_EQ(iso8601_ms(1795557338123), "2026-11-24T21:55:38.123Z");
  EXPECT_EQ(iso8601_s(1795557338123), "2026-11-24T21:55:38Z");
  EXPECT_EQ(iso8601_ms(0), "1970-01-01T00:00:00.000Z");
  EXPECT_EQ(iso8601_ms(951825600000), "2000-02-29T12:00:00.000Z");
  EXPECT_EQ(iso8601_ms(1735689599999), "2024-12-31T23:59:59.999Z");
  EXPECT_EQ(iso8601_ms(-1), "1969-12-31T23:59:59.999Z");
}

TEST(Iso8601, parses_utc_and_offsets) {
  EXPECT_EQ(parse_iso8601("2026-11-24T21:55:38.123Z"), 1795557338123);
  EXPECT_EQ(parse_iso8601("2026-11-24T21:55:38Z"), 1795557338000);
  EXPECT_EQ(parse_iso8601("2026-11-24t21:55:38z"), 1795557338000);
  EXPECT_EQ(parse_iso8601("2026-11-24T16:55:38.123-05:00"), 1795557338123);
  EXPECT_EQ(parse_iso8601("2026-11-25T03:25:38+05:30"), 1795557338000);
  EXPECT_EQ(parse_iso8601("2026-11-25T03:25:38+0530"), 1795557338000);
  EXPECT_EQ(parse_iso8601("2026-11-24T21:55:38+00:00"), 1795557338000);
  EXPECT_EQ(parse_iso8601("2000-02-29T12:00:00Z"), 951825600000);
  EXPECT_EQ(parse_iso8601("1970-01-01T00:00:00Z"), 0);
  // Fractions: fewer digits scale up, extra digits are truncated to milliseconds.
  EXPECT_EQ(parse_iso8601("2026-11-24T21:55:38.1Z"), 1795557338100);
  EXPECT_EQ(parse_iso8601("2026-11-24T21:55:38.123456Z"), 1795557338123);
}

TEST(Iso8601, round_trips_its_own_output) {
  for (TimeMs t : {TimeMs{0}, TimeMs{1795557338123}, TimeMs{951825600000}, TimeMs{4102444800000}})
    EXPECT_EQ(parse_iso8601(iso8601_ms(t)), t);
}

TEST(Iso8601, rejects_what_is_not_a_date_time) {
  EXPECT_FALSE(parse_iso8601(""));
  EXPECT_FALSE(parse_iso8601("2026-11-24"));
  EXPECT_FALSE(parse_iso8601("2026-11-24T21:55:38"));  // no zone
  EXPECT_FALSE(parse_iso8601("2026-11-24 21:55:38Z"));
  EXPECT_FALSE(parse_iso8601("2026-13-01T00:00:00Z"));
  EXPECT_FALSE(parse_iso8601("2026-00-01T00:00:00Z"));
  EXPECT_FALSE(parse_iso8601("2026-11-00T00:00:00Z"));
  EXPECT_FALSE(parse_iso8601("2026-11-24T24:00:00Z"));
  EXPECT_FALSE(parse_iso8601("2026-11-24T21:60:00Z"));
  EXPECT_FALSE(parse_iso8601("2026-11-24T21:55:38.Z"));
  EXPECT_FALSE(parse_iso8601("2026-11-24T21:55:38Zjunk"));
  EXPECT_FALSE(parse_iso8601("2026-11-24T21:55:38+5"));
  EXPECT_FALSE(parse_iso8601("26-11-24T21:55:38Z"));
  EXPECT_FALSE(parse_iso8601("1795557338"));
}

}  // namespace
}  // namespace sluice
