// A JSON reader and writer equivalent to nlohmann's (see json_fast.hpp) but copying
// string runs in bulk: nlohmann's lexer appends every string character on its own (~45 Ir
// per byte) and its serializer runs a UTF-8 decoder per byte (~47 Ir per byte), the two
// largest costs of a JSON request in the SendMessage profile (bench/perf-findings.md).
#include "sluice/common/json_fast.hpp"

#include <array>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <limits>

namespace sluice {

namespace {

using Json = nlohmann::json;

constexpr std::uint64_t kOnes = 0x0101010101010101ULL;
constexpr std::uint64_t kHighs = 0x8080808080808080ULL;

// True if none of the 8 bytes needs attention inside a string: all ASCII, >= 0x20, not '"'
// and not '\\'. May answer false for a plain word (borrows), never true for one that is not.
inline bool plain_word(const char* p) {
  std::uint64_t x;
  std::memcpy(&x, p, sizeof x);
  const std::uint64_t quote = x ^ (kOnes * '"');
  const std::uint64_t backslash = x ^ (kOnes * '\\');
  const std::uint64_t t = ((x - kOnes * 0x20) & ~x) | ((quote - kOnes) & ~quote) |
                          ((backslash - kOnes) & ~backslash) | x;
  return (t & kHighs) == 0;
}

constexpr std::array<bool, 256> make_plain_table() {
  std::array<bool, 256> t{};
  for (int c = 0x20; c < 0x80; ++c)
    t[c] = c != '"' && c != '\\';
  return t;
}
constexpr std::array<bool, 256> kPlain = make_plain_table();

// One UTF-8 sequence starting at a byte >= 0x80, checked as nlohmann's lexer and its
// serializer's decoder check it (RFC 3629: no overlong forms, no surrogates, <= U+10FFFF).
// Returns its length if well formed, else -k: the sequence breaks at its k-th byte (the
// first byte itself for k = 1), or the text ends after k bytes.
inline int utf8_sequence(const unsigned char* p, const unsigned char* end) {
  const unsigned c = p[0];
  int trail;
  unsigned lo = 0x80;
  unsigned hi = 0xBF;
  if (c >= 0xC2 && c <= 0xDF) {
    trail = 1;
  } else if (c == 0xE0) {
    trail = 2;
    lo = 0xA0;
  } else if ((c >= 0xE1 && c <= 0xEC) || c == 0xEE || c == 0xEF) {
    trail = 2;
  } else if (c == 0xED) {
    trail = 2;
    hi = 0x9F;
  } else if (c == 0xF0) {
    trail = 3;
    lo = 0x90;
  } else if (c >= 0xF1 && c <= 0xF3) {
    trail = 3;
  } else if (c == 0xF4) {
    trail = 3;
    hi = 0x8F;
  } else {
    return -1;
  }
  for (int k = 1; k <= trail; ++k) {
    if (p + k == end) return -k;
    const unsigned b = p[k];
    if (b < lo || b > hi) return -k;
    lo = 0x80;
    hi = 0xBF;
  }
  return trail + 1;
}

void append_utf8(std::string& s, std::uint32_t cp) {
  if (cp < 0x80) {
    s += static_cast<char>(cp);
  } else if (cp < 0x800) {
    s += static_cast<char>(0xC0 | (cp >> 6));
    s += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    s += static_cast<char>(0xE0 | (cp >> 12));
    s += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    s += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    s += static_cast<char>(0xF0 | (cp >> 18));
    s += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    s += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    s += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

inline bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

// Recursive descent over one JSON text. Every failure returns false at once; the caller
// then answers a discarded value, as Json::parse(..., allow_exceptions=false) does.
class Reader {
 public:
  explicit Reader(std::string_view text) : p_(text.data()), end_(text.data() + text.size()) {}

  bool document(Json& out) {
    // nlohmann skips a UTF-8 byte order mark at the very start (and only there).
    if (p_ != end_ && static_cast<unsigned char>(*p_) == 0xEF) {
      if (end_ - p_ < 3 || static_cast<unsigned char>(p_[1]) != 0xBB ||
          static_cast<unsigned char>(p_[2]) != 0xBF)
        return false;
      p_ += 3;
    }
    skip_ws();
    if (!value(out, 0)) return false;
    skip_ws();
    // nlohmann's lexer takes a NUL byte for the end of the input (for C strings), so what
    // follows one is never looked at: "{}\0garbage" parses as {} today, and still does.
    return p_ == end_ || *p_ == '\0';
  }

 private:
  void skip_ws() {
    while (p_ != end_ && (*p_ == ' ' || *p_ == '\n' || *p_ == '\r' || *p_ == '\t'))
      ++p_;
  }

  bool literal(const char* word, std::size_t n) {
    if (static_cast<std::size_t>(end_ - p_) < n || std::memcmp(p_, word, n) != 0) return false;
    p_ += n;
    return true;
  }

  bool value(Json& out, int depth) {
    if (p_ == end_) return false;
    switch (*p_) {
      case '{':
        return object(out, depth + 1);
      case '[':
        return array(out, depth + 1);
      case '"': {
        std::string s;
        if (!string(s)) return false;
        out = std::move(s);
        return true;
      }
      case 't':
        if (!literal("true", 4)) return false;
        out = true;
        return true;
      case 'f':
        if (!literal("false", 5)) return false;
        out = false;
        return true;
      case 'n':
        if (!literal("null", 4)) return false;
        out = nullptr;
        return true;
      default:
        return number(out);
    }
  }

  bool object(Json& out, int depth) {
    if (depth > kJsonMaxDepth) return false;
    ++p_;
    out = Json::object();
    auto& members = out.get_ref<Json::object_t&>();
    skip_ws();
    if (p_ != end_ && *p_ == '}') {
      ++p_;
      return true;
    }
    std::string key;
    for (;;) {
      if (p_ == end_ || *p_ != '"') return false;
      key.clear();
      if (!string(key)) return false;
      skip_ws();
      if (p_ == end_ || *p_ != ':') return false;
      ++p_;
      skip_ws();
      // A repeated key keeps the last value, as nlohmann's DOM parser does (operator[]).
      auto it = members.try_emplace(std::move(key)).first;
      if (!value(it->second, depth)) return false;
      skip_ws();
      if (p_ == end_) return false;
      if (*p_ == ',') {
        ++p_;
        skip_ws();
        continue;
      }
      if (*p_ != '}') return false;
      ++p_;
      return true;
    }
  }

  bool array(Json& out, int depth) {
    if (depth > kJsonMaxDepth) return false;
    ++p_;
    out = Json::array();
    auto& items = out.get_ref<Json::array_t&>();
    skip_ws();
    if (p_ != end_ && *p_ == ']') {
      ++p_;
      return true;
    }
    for (;;) {
      items.emplace_back();
      if (!value(items.back(), depth)) return false;
      skip_ws();
      if (p_ == end_) return false;
      if (*p_ == ',') {
        ++p_;
        skip_ws();
        continue;
      }
      if (*p_ != ']') return false;
      ++p_;
      return true;
    }
  }

  bool hex4(std::uint32_t& cp) {
    if (end_ - p_ < 4) return false;
    cp = 0;
    for (int i = 0; i < 4; ++i) {
      const char c = *p_++;
      cp <<= 4;
      if (c >= '0' && c <= '9') {
        cp |= static_cast<std::uint32_t>(c - '0');
      } else if (c >= 'a' && c <= 'f') {
        cp |= static_cast<std::uint32_t>(c - 'a' + 10);
      } else if (c >= 'A' && c <= 'F') {
        cp |= static_cast<std::uint32_t>(c - 'A' + 10);
      } else {
        return false;
      }
    }
    return true;
  }

  // At the opening quote; appends the decoded string to `s`.
  bool string(std::string& s) {
    ++p_;
    for (;;) {
      const char* run = p_;
      for (;;) {
        while (end_ - p_ >= 8 && plain_word(p_))
          p_ += 8;
        while (p_ != end_ && kPlain[static_cast<unsigned char>(*p_)])
          ++p_;
        if (p_ == end_) return false;
        if (static_cast<unsigned char>(*p_) < 0x80) break;
        const int n = utf8_sequence(reinterpret_cast<const unsigned char*>(p_),
                                    reinterpret_cast<const unsigned char*>(end_));
        if (n <= 0) return false;
        p_ += n;
      }
      s.append(run, static_cast<std::size_t>(p_ - run));
      const char c = *p_++;
      if (c == '"') return true;
      if (c != '\\') return false;  // a control character below 0x20
      if (p_ == end_) return false;
      switch (*p_++) {
        case '"':
          s += '"';
          break;
        case '\\':
          s += '\\';
          break;
        case '/':
          s += '/';
          break;
        case 'b':
          s += '\b';
          break;
        case 'f':
          s += '\f';
          break;
        case 'n':
          s += '\n';
          break;
        case 'r':
          s += '\r';
          break;
        case 't':
          s += '\t';
          break;
        case 'u': {
          std::uint32_t cp;
          if (!hex4(cp)) return false;
          if (cp >= 0xD800 && cp <= 0xDBFF) {
            // A high surrogate must be followed by an escaped low one; nlohmann refuses
            // lone surrogates of either kind.
            if (end_ - p_ < 2 || p_[0] != '\\' || p_[1] != 'u') return false;
            p_ += 2;
            std::uint32_t low;
            if (!hex4(low) || low < 0xDC00 || low > 0xDFFF) return false;
            cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
          } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
            return false;
          }
          append_utf8(s, cp);
          break;
        }
        default:
          return false;
      }
    }
  }

  // Typed as nlohmann types numbers: an integer literal is unsigned if it fits uint64,
  // signed if negative and fits int64, else (like any fraction or exponent) a double;
  // a double that overflows to infinity is refused.
  bool number(Json& out) {
    const char* start = p_;
    const bool negative = *p_ == '-';
    if (negative) ++p_;
    if (p_ == end_) return false;
    if (*p_ == '0') {
      ++p_;
    } else if (*p_ >= '1' && *p_ <= '9') {
      while (p_ != end_ && is_digit(*p_))
        ++p_;
    } else {
      return false;
    }
    bool integral = true;
    if (p_ != end_ && *p_ == '.') {
      ++p_;
      if (p_ == end_ || !is_digit(*p_)) return false;
      while (p_ != end_ && is_digit(*p_))
        ++p_;
      integral = false;
    }
    if (p_ != end_ && (*p_ == 'e' || *p_ == 'E')) {
      ++p_;
      if (p_ != end_ && (*p_ == '+' || *p_ == '-')) ++p_;
      if (p_ == end_ || !is_digit(*p_)) return false;
      while (p_ != end_ && is_digit(*p_))
        ++p_;
      integral = false;
    }
    if (integral) {
      std::uint64_t v = 0;
      bool overflow = false;
      for (const char* d = start + (negative ? 1 : 0); d != p_; ++d) {
        const auto digit = static_cast<std::uint64_t>(*d - '0');
        if (v > (std::numeric_limits<std::uint64_t>::max() - digit) / 10) {
          overflow = true;
          break;
        }
        v = v * 10 + digit;
      }
      if (!overflow) {
        if (!negative) {
          out = static_cast<Json::number_unsigned_t>(v);
          return true;
        }
        if (v <= static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()) + 1) {
          out = static_cast<Json::number_integer_t>(0 - v);  // two's complement (C++20)
          return true;
        }
      }
    }
    double d = 0;
    const auto [end, ec] = std::from_chars(start, p_, d);
    if (ec == std::errc::result_out_of_range) {
      // Overflow or underflow: strtod's answer (inf, or a denormal / zero) as nlohmann has it.
      const std::string token(start, p_);
      d = std::strtod(token.c_str(), nullptr);
    } else if (ec != std::errc() || end != p_) {
      return false;
    }
    if (!std::isfinite(d)) return false;
    out = d;
    return true;
  }

  const char* p_;
  const char* end_;
};

void write_escaped(std::string_view s, std::string& out) {
  static constexpr char kHex[] = "0123456789abcdef";
  out += '"';
  const char* const data = s.data();
  const std::size_t n = s.size();
  std::size_t run = 0;
  std::size_t i = 0;
  while (i < n) {
    while (n - i >= 8 && plain_word(data + i))
      i += 8;
    if (i == n) break;
    const auto c = static_cast<unsigned char>(data[i]);
    if (kPlain[c]) {
      ++i;
      continue;
    }
    if (c >= 0x80) {
      const int len = utf8_sequence(reinterpret_cast<const unsigned char*>(data + i),
                                    reinterpret_cast<const unsigned char*>(data + n));
      if (len > 0) {
        i += static_cast<std::size_t>(len);
        continue;
      }
      // nlohmann's error_handler_t::replace: the bytes of the broken sequence become one
      // U+FFFD, and the byte that broke it (if not the first) is read again.
      out.append(data + run, i - run);
      out += "\xEF\xBF\xBD";
      i += static_cast<std::size_t>(-len);
      run = i;
      continue;
    }
    out.append(data + run, i - run);
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\b':
        out += "\\b";
        break;
      case '\f':
        out += "\\f";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default: {
        const char esc[6] = {'\\', 'u', '0', '0', kHex[c >> 4], kHex[c & 0xF]};
        out.append(esc, sizeof esc);
        break;
      }
    }
    ++i;
    run = i;
  }
  out.append(data + run, n - run);
  out += '"';
}

template <typename Int>
void write_integer(Int v, std::string& out) {
  char buf[24];
  const auto res = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, static_cast<std::size_t>(res.ptr - buf));
}

void write_value(const Json& v, std::string& out) {
  switch (v.type()) {
    case Json::value_t::object: {
      const auto& members = v.get_ref<const Json::object_t&>();
      out += '{';
      bool first = true;
      for (const auto& [key, member] : members) {
        if (!first) out += ',';
        first = false;
        write_escaped(key, out);
        out += ':';
        write_value(member, out);
      }
      out += '}';
      break;
    }
    case Json::value_t::array: {
      const auto& items = v.get_ref<const Json::array_t&>();
      out += '[';
      bool first = true;
      for (const auto& item : items) {
        if (!first) out += ',';
        first = false;
        write_value(item, out);
      }
      out += ']';
      break;
    }
    case Json::value_t::string:
      write_escaped(v.get_ref<const Json::string_t&>(), out);
      break;
    case Json::value_t::boolean:
      out += v.get<bool>() ? "true" : "false";
      break;
    case Json::value_t::number_integer:
      write_integer(v.get<Json::number_integer_t>(), out);
      break;
    case Json::value_t::number_unsigned:
      write_integer(v.get<Json::number_unsigned_t>(), out);
      break;
    case Json::value_t::null:
      out += "null";
      break;
    default:
      // Doubles (nlohmann's shortest round-trip form, "null" for non-finite), binary and
      // discarded values: nlohmann's own text, so the output stays identical.
      out += v.dump(-1, ' ', false, Json::error_handler_t::replace);
      break;
  }
}

}  // namespace

nlohmann::json json_parse(std::string_view text) {
  Json out;
  if (!Reader(text).document(out)) return Json(Json::value_t::discarded);
  return out;
}

void json_dump(const nlohmann::json& value, std::string& out) {
  write_value(value, out);
}

std::string json_dump(const nlohmann::json& value) {
  std::string out;
  write_value(value, out);
  return out;
}

}  // namespace sluice
