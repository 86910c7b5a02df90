// json_parse and json_dump checked differentially against nlohmann: the same value (type
// by type, double bit for bit, keys in order) or the same failure, and the same text.
#include "sluice/common/json_fast.hpp"

#include <gtest/gtest.h>

#include <cstring>
#include <random>
#include <string>
#include <vector>

namespace sluice {
namespace {

using Json = nlohmann::json;

std::string reference_dump(const Json& v) {
  return v.dump(-1, ' ', false, Json::error_handler_t::replace);
}

// Stricter than Json's operator==, which calls 1u equal to 1 and 1.0.
::testing::AssertionResult identical(const Json& a, const Json& b) {
  if (a.type() != b.type())
    return ::testing::AssertionFailure()
           << "type " << a.type_name() << " vs " << b.type_name() << ": " << reference_dump(a)
           << " vs " << reference_dump(b);
  switch (a.type()) {
    case Json::value_t::object: {
      if (a.size() != b.size()) return ::testing::AssertionFailure() << "object sizes differ";
      auto ia = a.items().begin();
      auto ib = b.items().begin();
      for (; ia != a.items().end(); ++ia, ++ib) {
        if (ia.key() != ib.key())
          return ::testing::AssertionFailure() << "key " << ia.key() << " vs " << ib.key();
        auto r = identical(ia.value(), ib.value());
        if (!r) return r;
      }
      return ::testing::AssertionSuccess();
    }
    case Json::value_t::array: {
      if (a.size() != b.size()) return ::testing::AssertionFailure() << "array sizes differ";
      for (std::size_t i = 0; i < a.size(); ++i) {
        auto r = identical(a[i], b[i]);
        if (!r) return r;
      }
      return ::testing::AssertionSuccess();
    }
    case Json::value_t::number_float: {
      const double x = a.get<double>();
      const double y = b.get<double>();
      if (std::memcmp(&x, &y, sizeof x) != 0)
        return ::testing::AssertionFailure() << "double " << x << " vs " << y;
      return ::testing::AssertionSuccess();
    }
    default:
      if (a == b) return ::testing::AssertionSuccess();
      return ::testing::AssertionFailure() << reference_dump(a) << " vs " << reference_dump(b);
  }
}

::testing::AssertionResult parses_like_nlohmann(const std::string& text) {
  const Json expected = Json::parse(text, nullptr, false);
  const Json actual = json_parse(text);
  if (expected.is_discarded() != actual.is_discarded())
    return ::testing::AssertionFailure()
           << "nlohmann " << (expected.is_discarded() ? "fails" : "succeeds") << ", ours "
           << (actual.is_discarded() ? "fails" : "succeeds") << " on [" << text << "]";
  if (expected.is_discarded()) return ::testing::AssertionSuccess();
  auto r = identical(expected, actual);
  if (!r) r << " on [" << text << "]";
  return r;
}

const std::vector<std::string>& tricky_texts() {
  static const std::vector<std::string> texts = {
      // Scalars and containers.
      "null",
      "true",
      "false",
      "0",
      "-0",
      "1",
      "-1",
      "{}",
      "[]",
      "[[]]",
      "{\"a\":{}}",
      "\"\"",
      " \t\r\n{ \"a\" : [ 1 , 2 ] } \n",
      "[1,[2,[3,{\"x\":null}]]]",
      // Integer typing at the uint64 / int64 edges.
      "18446744073709551615",
      "18446744073709551616",
      "9223372036854775807",
      "9223372036854775808",
      "-9223372036854775808",
      "-9223372036854775809",
      "99999999999999999999999",
      "-99999999999999999999999",
      "00",
      "01",
      "-01",
      "-",
      "--1",
      "+1",
      "1.",
      ".5",
      "1.e5",
      "1e",
      "1e+",
      "1e-",
      "1E5",
      "1e+5",
      "1e-5",
      "1.5e3",
      "-0.0",
      "0.0",
      "-0e0",
      "1e400",
      "-1e400",
      "1e-400",
      "4.9e-324",
      "2.2250738585072014e-308",
      "1.7976931348623157e308",
      "1.7976931348623159e308",
      "0.1",
      "3.141592653589793238462643",
      "123456789012345678901234567890e-10",
      "[1e400]",
      "1 2",
      "[1,]",
      "[,1]",
      "[1 2]",
      "0x10",
      "Infinity",
      "NaN",
      "-Infinity",
      "1_000",
      // Literals.
      "tru",
      "truee",
      "nul",
      "nulll",
      "fals",
      "True",
      "NULL",
      // Objects: duplicates (last wins), order, broken forms.
      "{\"b\":1,\"a\":2}",
      "{\"a\":1,\"a\":2}",
      "{\"a\":{\"x\":1},\"a\":[2]}",
      "{\"a\":1,}",
      "{,}",
      "{\"a\" 1}",
      "{\"a\":}",
      "{a:1}",
      "{'a':1}",
      "{\"a\":1",
      "{\"a\"",
      "{",
      "}",
      "[",
      "]",
      "[1",
      "{\"\":0}",
      "{\"a\":1}}",
      "{\"a\":1} x",
      "{1:2}",
      // Escapes.
      "\"\\\"\\\\\\/\\b\\f\\n\\r\\t\"",
      "\"\\u0000\"",
      "\"\\u001f\"",
      "\"\\u0041\\u00e9\"",
      "\"\\u20AC\\u20ac\"",
      "\"\\uD83D\\uDE00\"",
      "\"\\ud83d\\ude00\"",
      "\"\\uD83D\"",
      "\"\\uDE00\"",
      "\"\\uD83Dx\"",
      "\"\\uD83D\\u0041\"",
      "\"\\uD83D\\uD83D\"",
      "\"\\u12\"",
      "\"\\u12G4\"",
      "\"\\x41\"",
      "\"\\a\"",
      "\"\\'\"",
      "\"\\\"",
      "\"\\",
      "\"abc",
      "\"",
      "\"\\uDBFF\\uDFFF\"",
      "\"\\uFFFF\"",
      "\"\\uFEFF\"",
      // Raw control characters and DEL.
      std::string("\"a\0b\"", 5),
      "\"a\x01b\"",
      "\"\t\"",
      "\"\n\"",
      "\"\x1f\"",
      "\"\x7f\"",
      std::string("\0", 1),
      std::string("{}\0", 3),
      std::string("{} \0x", 5),
      std::string("[1,\0]", 6),
      std::string(" \0{}", 4),
      std::string("1\0", 2),
      // UTF-8: valid, overlong, surrogates, out of range, truncated, stray.
      "\"\xc3\xa9\"",
      "\"\xe2\x82\xac\"",
      "\"\xf0\x9f\x98\x80\"",
      "\"\xf4\x8f\xbf\xbf\"",
      "\"\xc0\xaf\"",
      "\"\xc1\xbf\"",
      "\"\xe0\x80\xaf\"",
      "\"\xe0\x9f\xbf\"",
      "\"\xed\xa0\x80\"",
      "\"\xed\x9f\xbf\"",
      "\"\xf0\x80\x80\xaf\"",
      "\"\xf4\x90\x80\x80\"",
      "\"\xf5\x80\x80\x80\"",
      "\"\xff\"",
      "\"\xfe\"",
      "\"\x80\"",
      "\"\xbf\"",
      "\"\xc3\"",
      "\"\xe2\x82\"",
      "\"\xf0\x9f\x98\"",
      "\"\xc3\x28\"",
      "\"\xe2\x28\xa1\"",
      "\xc3\xa9",
      // Byte order mark and whitespace that RFC 8259 does not allow.
      "\xef\xbb\xbf{}",
      "\xef\xbb\xbf",
      "\xef\xbb{}",
      " \xef\xbb\xbf{}",
      "\xef\xbb\xbf\xef\xbb\xbf{}",
      "\f{}",
      "\v{}",
      "{}\f",
      "\xc2\xa0{}",
      "",
      " ",
      "/* c */ {}",
      "{} // c",
      // Long strings (the word-at-a-time path) with something at every offset.
      std::string("\"") + std::string(100, 'x') + "\"",
      std::string("\"") + std::string(61, 'x') + "\\n" + std::string(17, 'y') + "\"",
      std::string("\"") + std::string(33, 'x') + "\xc3\xa9" + std::string(9, 'y') + "\"",
      std::string("\"") + std::string(23, 'x') + "\x01" + std::string(9, 'y') + "\"",
      std::string("\"") + std::string(15, 'x') + "\x80" + std::string(9, 'y') + "\"",
      std::string("\"") + std::string(40, 'x'),
  };
  return texts;
}

TEST(JsonFastParse, tricky_inputs_parse_as_nlohmann_parses_them) {
  for (const auto& text : tricky_texts())
    EXPECT_TRUE(parses_like_nlohmann(text));
}

TEST(JsonFastParse, every_position_of_a_special_byte_in_a_long_string) {
  const std::vector<std::string> specials = {"\"",   "\\",       "\\n",  "\\u00e9", "\x01", "\x1f",
                                             "\x7f", "\xc3\xa9", "\xc3", "\x80",    "\xff"};
  for (const auto& special : specials) {
    for (int at = 0; at < 20; ++at) {
      std::string text = "[\"" + std::string(at, 'a') + special + std::string(20 - at, 'b') + "\"]";
      EXPECT_TRUE(parses_like_nlohmann(text));
    }
  }
}

TEST(JsonFastParse, nesting_up_to_the_limit_is_accepted_and_deeper_refused) {
  const auto nested = [](int depth) { return std::string(depth, '[') + std::string(depth, ']'); };
  EXPECT_TRUE(parses_like_nlohmann(nested(kJsonMaxDepth)));
  std::string objects;
  for (int i = 0; i < kJsonMaxDepth; ++i)
    objects += "{\"a\":";
  objects += "1" + std::string(kJsonMaxDepth, '}');
  EXPECT_TRUE(parses_like_nlohmann(objects));
  // Deliberately stricter than nlohmann, which has no limit: no stack exhaustion on
  // hostile input.
  EXPECT_TRUE(json_parse(nested(kJsonMaxDepth + 1)).is_discarded());
  EXPECT_TRUE(json_parse(std::string(1'000'000, '[')).is_discarded());
  EXPECT_TRUE(json_parse(nested(100'000)).is_discarded());
}

TEST(JsonFastParse, number_types_match_nlohmann) {
  EXPECT_EQ(json_parse("0").type(), Json::value_t::number_unsigned);
  EXPECT_EQ(json_parse("-0").type(), Json::value_t::number_integer);
  EXPECT_EQ(json_parse("-1").type(), Json::value_t::number_integer);
  EXPECT_EQ(json_parse("1.0").type(), Json::value_t::number_float);
  EXPECT_EQ(json_parse("18446744073709551616").type(), Json::value_t::number_float);
  EXPECT_TRUE(std::signbit(json_parse("-0.0").get<double>()));
}

// Random documents: strings of random bytes (valid UTF-8 and not), numbers of every type,
// nesting; and texts mutated at random from their dumps.
class RandomJson {
 public:
  explicit RandomJson(std::uint32_t seed) : rng_(seed) {}

  std::uint32_t below(std::uint32_t n) {
    return std::uniform_int_distribution<std::uint32_t>(0, n - 1)(rng_);
  }

  std::string random_string() {
    static const std::vector<std::string> pieces = {"a",
                                                    "Z",
                                                    " ",
                                                    "\"",
                                                    "\\",
                                                    "/",
                                                    "\b",
                                                    "\f",
                                                    "\n",
                                                    "\r",
                                                    "\t",
                                                    std::string(1, '\0'),
                                                    "\x01",
                                                    "\x1f",
                                                    "\x7f",
                                                    "\xc3\xa9",
                                                    "\xe2\x82\xac",
                                                    "\xf0\x9f\x98\x80",
                                                    "\xc3",
                                                    "\x80",
                                                    "\xff",
                                                    "\xed\xa0\x80",
                                                    "\xe0\x80",
                                                    "\xf4\x90\x80\x80",
                                                    "hello world",
                                                    "0123456789abcdef"};
    std::string s;
    const auto n = below(24);
    for (std::uint32_t i = 0; i < n; ++i) {
      if (below(4) == 0) {
        s += static_cast<char>(below(256));
      } else {
        s += pieces[below(static_cast<std::uint32_t>(pieces.size()))];
      }
    }
    return s;
  }

  Json random_number() {
    switch (below(6)) {
      case 0:
        return static_cast<Json::number_unsigned_t>(rng_());
      case 1:
        return static_cast<Json::number_integer_t>(static_cast<std::int64_t>(rng_()));
      case 2:
        return static_cast<Json::number_integer_t>(static_cast<int>(below(2000)) - 1000);
      case 3: {
        std::uint64_t bits = rng_();
        double d;
        std::memcpy(&d, &bits, sizeof d);
        return std::isfinite(d) ? d : 0.5;
      }
      case 4:
        return std::uniform_real_distribution<double>(-1e6, 1e6)(rng_);
      default:
        return static_cast<double>(below(100)) / 8.0;
    }
  }

  Json random_value(int depth) {
    const auto kind = below(depth > 4 ? 5 : 7);
    switch (kind) {
      case 0:
        return nullptr;
      case 1:
        return below(2) == 0;
      case 2:
      case 3:
        return random_number();
      case 4:
        return random_string();
      case 5: {
        Json a = Json::array();
        const auto n = below(5);
        for (std::uint32_t i = 0; i < n; ++i)
          a.push_back(random_value(depth + 1));
        return a;
      }
      default: {
        Json o = Json::object();
        const auto n = below(5);
        for (std::uint32_t i = 0; i < n; ++i)
          o[random_string()] = random_value(depth + 1);
        return o;
      }
    }
  }

  std::string mutate(std::string text) {
    static const std::string alphabet = "{}[]\",:\\ \t\n0123456789-+.eEtrufalsn\x01\x80\xc3\xff";
    const auto edits = 1 + below(3);
    for (std::uint32_t e = 0; e < edits; ++e) {
      const auto at = text.empty() ? 0 : below(static_cast<std::uint32_t>(text.size()));
      const char c = alphabet[below(static_cast<std::uint32_t>(alphabet.size()))];
      switch (below(3)) {
        case 0:
          text.insert(text.begin() + at, c);
          break;
        case 1:
          if (!text.empty()) text.erase(text.begin() + at);
          break;
        default:
          if (!text.empty()) text[at] = c;
          break;
      }
    }
    return text;
  }

 private:
  std::mt19937_64 rng_;
};

TEST(JsonFastParse, random_documents_and_their_mutations_parse_as_nlohmann_parses_them) {
  RandomJson gen(20261125);
  for (int i = 0; i < 3000; ++i) {
    const std::string text = reference_dump(gen.random_value(0));
    ASSERT_TRUE(parses_like_nlohmann(text));
    for (int m = 0; m < 5; ++m)
      ASSERT_TRUE(parses_like_nlohmann(gen.mutate(text)));
  }
}

TEST(JsonFastParse, random_number_texts_parse_as_nlohmann_parses_them) {
  RandomJson gen(7);
  const std::string digits = "0123456789";
  for (int i = 0; i < 20000; ++i) {
    std::string t;
    if (gen.below(2)) t += '-';
    const auto n = 1 + gen.below(gen.below(4) == 0 ? 40 : 20);
    for (std::uint32_t k = 0; k < n; ++k)
      t += digits[gen.below(10)];
    if (gen.below(3) == 0) {
      t += '.';
      const auto f = 1 + gen.below(20);
      for (std::uint32_t k = 0; k < f; ++k)
        t += digits[gen.below(10)];
    }
    if (gen.below(3) == 0) {
      t += gen.below(2) ? 'e' : 'E';
      if (gen.below(2)) t += gen.below(2) ? '-' : '+';
      t += std::to_string(gen.below(400));
    }
    ASSERT_TRUE(parses_like_nlohmann(t));
  }
}

TEST(JsonFastDump, tricky_values_dump_as_nlohmann_dumps_them) {
  std::vector<Json> values = {
      nullptr,
      true,
      false,
      0,
      -0,
      1u,
      -1,
      Json::number_unsigned_t(18446744073709551615ULL),
      Json::number_integer_t(-9223372036854775807LL - 1),
      0.0,
      -0.0,
      0.1,
      1.0,
      1e100,
      1e-300,
      4.9e-324,
      1.7976931348623157e308,
      std::numeric_limits<double>::infinity(),
      std::numeric_limits<double>::quiet_NaN(),
      123456789.125,
      Json::object(),
      Json::array(),
      Json::array({Json::object(), Json::array()}),
      "",
      "plain",
      "\"\\/\b\f\n\r\t",
      std::string("\0\x01\x1f\x7f", 4),
      "\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80",
      "\xc3",
      "\x80",
      "\xff\xfe",
      "a\xc3(b",
      "\xe2\x28\xa1",
      "\xe2\x82",
      "x\xf0\x9f\x98",
      "\xed\xa0\x80",
      "\xc0\xaf",
      "\xf4\x90\x80\x80",
      std::string(100, 'x') + "\n",
      Json{{"b", 1}, {"a", {1, 2.5, "x"}}, {"\xff", "\n"}, {"", nullptr}},
  };
  for (const auto& v : values)
    EXPECT_EQ(json_dump(v), reference_dump(v)) << reference_dump(v);
}

TEST(JsonFastDump, every_control_character_is_escaped_as_nlohmann_escapes_it) {
  for (int c = 0; c < 256; ++c) {
    Json v = std::string("ab") + static_cast<char>(c) + "cdefghijklmnop";
    EXPECT_EQ(json_dump(v), reference_dump(v)) << c;
  }
}

TEST(JsonFastDump, random_documents_dump_as_nlohmann_dumps_them) {
  RandomJson gen(42);
  for (int i = 0; i < 5000; ++i) {
    const Json v = gen.random_value(0);
    std::string ours;
    json_dump(v, ours);
    ASSERT_EQ(ours, reference_dump(v));
  }
}

TEST(JsonFastDump, round_trip_through_our_reader) {
  RandomJson gen(99);
  for (int i = 0; i < 2000; ++i) {
    // Not text == dump(parse(text)): keys that differ only in invalid UTF-8 become one.
    const std::string text = json_dump(gen.random_value(0));
    const Json back = json_parse(text);
    ASSERT_FALSE(back.is_discarded()) << text;
    ASSERT_EQ(json_dump(back), reference_dump(Json::parse(text)));
  }
}

}  // namespace
}  // namespace sluice
