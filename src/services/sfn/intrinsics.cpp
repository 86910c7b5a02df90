// Intrinsic functions (see intrinsics.hpp). Argument rules and limits follow the AWS
// Step Functions developer guide, "Intrinsic functions for JSONPath states".
#include "sluice/services/sfn/intrinsics.hpp"

#include <openssl/evp.h>

#include <cctype>
#include <cmath>
#include <map>
#include <random>
#include <set>

#include "sluice/common/encoding.hpp"
#include "sluice/services/sfn/json_path.hpp"

namespace sluice::services::sfn {

namespace {

struct Arity {
  int min;
  int max;  // -1: unbounded
};

const std::map<std::string, Arity>& functions() {
  static const std::map<std::string, Arity> kFunctions = {
      {"States.Format", {1, -1}},        {"States.StringToJson", {1, 1}},
      {"States.JsonToString", {1, 1}},   {"States.Array", {0, -1}},
      {"States.ArrayPartition", {2, 2}}, {"States.ArrayContains", {2, 2}},
      {"States.ArrayRange", {3, 3}},     {"States.ArrayGetItem", {2, 2}},
      {"States.ArrayLength", {1, 1}},    {"States.ArrayUnique", {1, 1}},
      {"States.Base64Encode", {1, 1}},   {"States.Base64Decode", {1, 1}},
      {"States.Hash", {2, 2}},           {"States.JsonMerge", {3, 3}},
      {"States.MathRandom", {2, 3}},     {"States.MathAdd", {2, 2}},
      {"States.StringSplit", {2, 2}},    {"States.UUID", {0, 0}},
  };
  return kFunctions;
}

// Base64 and hash inputs are limited to 10,000 characters (AWS).
constexpr std::size_t kMaxEncodeChars = 10000;
// States.ArrayRange yields at most 1,000 items (AWS).
constexpr std::int64_t kMaxRangeItems = 1000;

Error syntax(const std::string& message) {
  return Error::sender("InvalidIntrinsic", message);
}

class IntrinsicParser {
 public:
  explicit IntrinsicParser(std::string_view s) : s_(s) {}

  Result<IntrinsicExpr> parse_all() {
    skip_ws();
    auto e = call(0);
    if (!e.ok()) return e;
    skip_ws();
    if (i_ != s_.size()) return syntax("Unexpected text after the function call");
    return e;
  }

 private:
  void skip_ws() {
    while (i_ < s_.size() && std::isspace(static_cast<unsigned char>(s_[i_])))
      ++i_;
  }

  Result<IntrinsicExpr> call(int depth) {
    // AWS allows up to 10 nested intrinsic functions in a field.
    if (depth >= 10) return syntax("Intrinsic functions can be nested at most 10 deep");
    std::size_t start = i_;
    while (i_ < s_.size() && (std::isalnum(static_cast<unsigned char>(s_[i_])) || s_[i_] == '.'))
      ++i_;
    std::string name(s_.substr(start, i_ - start));
    auto fn = functions().find(name);
    if (fn == functions().end()) return syntax("Unknown intrinsic function '" + name + "'");
    skip_ws();
    if (i_ >= s_.size() || s_[i_] != '(') return syntax("Expected '(' after " + name);
    ++i_;
    IntrinsicExpr e;
    e.kind = IntrinsicExpr::Kind::Call;
    e.name = name;
    skip_ws();
    if (i_ < s_.size() && s_[i_] == ')') {
      ++i_;
    } else {
      while (true) {
        skip_ws();
        auto arg = argument(depth);
        if (!arg.ok()) return arg;
        e.args.push_back(std::move(*arg));
        skip_ws();
        if (i_ < s_.size() && s_[i_] == ',') {
          ++i_;
          continue;
        }
        if (i_ < s_.size() && s_[i_] == ')') {
          ++i_;
          break;
        }
        return syntax("Expected ',' or ')' in the arguments of " + name);
      }
    }
    const int n = static_cast<int>(e.args.size());
    if (n < fn->second.min || (fn->second.max >= 0 && n > fn->second.max))
      return syntax("The function " + name + " was given " + std::to_string(n) +
                    " arguments, which is not supported");
    return e;
  }

  Result<IntrinsicExpr> argument(int depth) {
    if (i_ >= s_.size()) return syntax("Missing argument");
    char c = s_[i_];
    IntrinsicExpr e;
    if (c == '\'') {
      ++i_;
      std::string value, raw;
      while (i_ < s_.size() && s_[i_] != '\'') {
        if (s_[i_] == '\\' && i_ + 1 < s_.size()) {
          raw += s_[i_];
          raw += s_[i_ + 1];
          value += s_[i_ + 1];
          i_ += 2;
          continue;
        }
        raw += s_[i_];
        value += s_[i_++];
      }
      if (i_ >= s_.size()) return syntax("Unterminated string literal");
      ++i_;
      e.kind = IntrinsicExpr::Kind::Literal;
      e.literal = std::move(value);
      e.raw = std::move(raw);
      return e;
    }
    if (c == '$') {
      // a path runs to the next ',' or ')' outside brackets, parentheses and quotes
      std::size_t start = i_;
      int depth_b = 0;
      char quote = 0;
      for (; i_ < s_.size(); ++i_) {
        char ch = s_[i_];
        if (quote) {
          if (ch == '\\') {
            ++i_;
          } else if (ch == quote) {
            quote = 0;
          }
          continue;
        }
        if (ch == '\'' || ch == '"') {
          quote = ch;
        } else if (ch == '[' || ch == '(') {
          ++depth_b;
        } else if (ch == ']' || (ch == ')' && depth_b > 0)) {
          --depth_b;
        } else if (depth_b == 0 && (ch == ',' || ch == ')')) {
          break;
        }
      }
      std::string path(s_.substr(start, i_ - start));
      while (!path.empty() && std::isspace(static_cast<unsigned char>(path.back())))
        path.pop_back();
      std::string_view check = path;
      if (check.substr(0, 2) == "$$") check.remove_prefix(1);
      auto parsed = JsonPath::parse(check);
      if (!parsed.ok()) return syntax("Invalid path '" + path + "': " + parsed.error().message);
      e.kind = IntrinsicExpr::Kind::Path;
      e.path = std::move(path);
      return e;
    }
    if (s_.substr(i_, 7) == "States.") return call(depth + 1);
    // number, true, false, null
    std::size_t start = i_;
    while (i_ < s_.size() && s_[i_] != ',' && s_[i_] != ')' &&
           !std::isspace(static_cast<unsigned char>(s_[i_])))
      ++i_;
    std::string tok(s_.substr(start, i_ - start));
    Json v = Json::parse(tok, nullptr, false);
    if (tok.empty() || v.is_discarded() || v.is_structured() || v.is_string())
      return syntax("Invalid argument '" + tok + "'");
    e.kind = IntrinsicExpr::Kind::Literal;
    e.literal = std::move(v);
    return e;
  }

  std::string_view s_;
  std::size_t i_ = 0;
};

struct Failure {
  std::string message;
};

class Evaluator {
 public:
  Evaluator(const Json& input, const Json& context) : input_(input), context_(context) {}

  Result<Json> eval(const IntrinsicExpr& e) {
    switch (e.kind) {
      case IntrinsicExpr::Kind::Literal:
        return e.literal;
      case IntrinsicExpr::Kind::Path: {
        auto v = evaluate_path(e.path, input_, context_);
        if (!v.ok())
          return fail("The JsonPath argument for the field '" + e.path +
                      "' could not be found in the input '" + input_.dump() + "'");
        return v;
      }
      case IntrinsicExpr::Kind::Call:
        break;
    }
    std::vector<Json> args;
    for (const auto& a : e.args) {
      auto v = eval(a);
      if (!v.ok()) return v;
      args.push_back(std::move(*v));
    }
    return call(e, args);
  }

 private:
  static Error fail(std::string message) {
    return Error::sender("States.Runtime", std::move(message));
  }

  static bool is_int(const Json& v) {
    if (v.is_number_integer()) return true;
    if (v.is_number_float()) {
      double d = v.get<double>();
      return std::isfinite(d) && std::floor(d) == d && std::fabs(d) < 9e15;
    }
    return false;
  }
  static std::int64_t as_int(const Json& v) {
    return v.is_number_integer() ? v.get<std::int64_t>()
                                 : static_cast<std::int64_t>(v.get<double>());
  }

  Result<Json> format(const IntrinsicExpr& e, const std::vector<Json>& args) {
    const Json& tmpl = args[0];
    if (!tmpl.is_string()) return fail("The first argument of States.Format must be a string");
    // Literal templates keep their escapes so that \{ and \} stay literal braces.
    const std::string text =
        e.args[0].kind == IntrinsicExpr::Kind::Literal ? e.args[0].raw : tmpl.get<std::string>();
    std::string out;
    std::size_t next_arg = 1;
    for (std::size_t i = 0; i < text.size(); ++i) {
      char c = text[i];
      if (c == '\\' && i + 1 < text.size()) {
        out += text[++i];
        continue;
      }
      if (c == '{' && i + 1 < text.size() && text[i + 1] == '}') {
        if (next_arg >= args.size())
          return fail(
              "Number of arguments in the format string does not match the number of "
              "arguments provided");
        const Json& a = args[next_arg++];
        if (a.is_string()) {
          out += a.get<std::string>();
        } else if (a.is_structured()) {
          return fail("States.Format only supports string, number, boolean and null arguments");
        } else {
          out += a.dump();
        }
        ++i;
        continue;
      }
      out += c;
    }
    if (next_arg != args.size())
      return fail(
          "Number of arguments in the format string does not match the number of "
          "arguments provided");
    return Json(out);
  }

  Result<Json> call(const IntrinsicExpr& e, const std::vector<Json>& a) {
    const std::string& n = e.name;
    if (n == "States.Format") return format(e, a);
    if (n == "States.StringToJson") {
      if (!a[0].is_string()) return fail("The argument of States.StringToJson must be a string");
      Json v = Json::parse(a[0].get<std::string>(), nullptr, false);
      if (v.is_discarded()) return fail("The argument of States.StringToJson is not valid JSON");
      return v;
    }
    if (n == "States.JsonToString") return Json(a[0].dump());
    if (n == "States.Array") {
      Json out = Json::array();
      for (const auto& v : a)
        out.push_back(v);
      return out;
    }
    if (n == "States.ArrayPartition") {
      if (!a[0].is_array())
        return fail("The first argument of States.ArrayPartition must be an array");
      if (!is_int(a[1]) || as_int(a[1]) <= 0)
        return fail("The chunk size of States.ArrayPartition must be a positive integer");
      const auto size = static_cast<std::size_t>(as_int(a[1]));
      Json out = Json::array();
      Json chunk = Json::array();
      for (const auto& v : a[0]) {
        chunk.push_back(v);
        if (chunk.size() == size) {
          out.push_back(std::move(chunk));
          chunk = Json::array();
        }
      }
      if (!chunk.empty()) out.push_back(std::move(chunk));
      return out;
    }
    if (n == "States.ArrayContains") {
      if (!a[0].is_array())
        return fail("The first argument of States.ArrayContains must be an array");
      for (const auto& v : a[0])
        if (json_equal(v, a[1])) return Json(true);
      return Json(false);
    }
    if (n == "States.ArrayRange") {
      for (const auto& v : a)
        if (!is_int(v)) return fail("The arguments of States.ArrayRange must be integers");
      std::int64_t first = as_int(a[0]), last = as_int(a[1]), step = as_int(a[2]);
      if (step == 0) return fail("The step of States.ArrayRange must not be 0");
      Json out = Json::array();
      for (std::int64_t v = first; step > 0 ? v <= last : v >= last; v += step) {
        if (static_cast<std::int64_t>(out.size()) >= kMaxRangeItems)
          return fail("States.ArrayRange can generate at most 1000 items");
        out.push_back(v);
      }
      return out;
    }
    if (n == "States.ArrayGetItem") {
      if (!a[0].is_array())
        return fail("The first argument of States.ArrayGetItem must be an array");
      if (!is_int(a[1]) || as_int(a[1]) < 0)
        return fail("The index of States.ArrayGetItem must be a non-negative integer");
      auto idx = static_cast<std::size_t>(as_int(a[1]));
      if (idx >= a[0].size())
        return fail("The index provided (" + std::to_string(idx) +
                    ") is out of bounds for the array of length " + std::to_string(a[0].size()));
      return a[0][idx];
    }
    if (n == "States.ArrayLength") {
      if (!a[0].is_array()) return fail("The argument of States.ArrayLength must be an array");
      return Json(a[0].size());
    }
    if (n == "States.ArrayUnique") {
      if (!a[0].is_array()) return fail("The argument of States.ArrayUnique must be an array");
      Json out = Json::array();
      for (const auto& v : a[0]) {
        bool seen = false;
        for (const auto& o : out)
          if (json_equal(o, v)) seen = true;
        if (!seen) out.push_back(v);
      }
      return out;
    }
    if (n == "States.Base64Encode") {
      if (!a[0].is_string()) return fail("The argument of States.Base64Encode must be a string");
      const auto& s = a[0].get_ref<const std::string&>();
      if (s.size() > kMaxEncodeChars)
        return fail("The input to States.Base64Encode is longer than 10000 characters");
      return Json(base64_encode(s));
    }
    if (n == "States.Base64Decode") {
      if (!a[0].is_string()) return fail("The argument of States.Base64Decode must be a string");
      const auto& s = a[0].get_ref<const std::string&>();
      if (s.size() > kMaxEncodeChars)
        return fail("The input to States.Base64Decode is longer than 10000 characters");
      auto d = base64_decode(s);
      if (!d) return fail("The input to States.Base64Decode is not valid base64");
      return Json(*d);
    }
    if (n == "States.Hash") {
      if (!a[1].is_string()) return fail("The algorithm of States.Hash must be a string");
      const std::string data = a[0].is_string() ? a[0].get<std::string>() : a[0].dump();
      if (data.size() > kMaxEncodeChars)
        return fail("The input to States.Hash is longer than 10000 characters");
      auto h = hash_hex(data, a[1].get<std::string>());
      if (!h.ok()) return fail(h.error().message);
      return Json(*h);
    }
    if (n == "States.JsonMerge") {
      if (!a[0].is_object() || !a[1].is_object())
        return fail("The first two arguments of States.JsonMerge must be objects");
      if (!a[2].is_boolean())
        return fail("The third argument of States.JsonMerge must be a boolean");
      // AWS supports the shallow mode only: the flag must be false.
      if (a[2].get<bool>()) return fail("States.JsonMerge supports only shallow merging (false)");
      Json out = a[0];
      for (const auto& [k, v] : a[1].items())
        out[k] = v;
      return out;
    }
    if (n == "States.MathRandom") {
      if (!is_int(a[0]) || !is_int(a[1]))
        return fail("The start and end of States.MathRandom must be integers");
      std::int64_t lo = as_int(a[0]), hi = as_int(a[1]);
      if (hi <= lo) return fail("The end of States.MathRandom must be greater than its start");
      std::mt19937_64 rng;
      if (a.size() == 3) {
        if (!is_int(a[2])) return fail("The seed of States.MathRandom must be an integer");
        rng.seed(static_cast<std::uint64_t>(as_int(a[2])));
      } else {
        rng.seed(std::random_device{}());
      }
      std::uniform_int_distribution<std::int64_t> dist(lo, hi - 1);
      return Json(dist(rng));
    }
    if (n == "States.MathAdd") {
      if (!a[0].is_number() || !a[1].is_number())
        return fail("The arguments of States.MathAdd must be numbers");
      if (is_int(a[0]) && is_int(a[1])) return Json(as_int(a[0]) + as_int(a[1]));
      return Json(a[0].get<double>() + a[1].get<double>());
    }
    if (n == "States.StringSplit") {
      if (!a[0].is_string() || !a[1].is_string())
        return fail("The arguments of States.StringSplit must be strings");
      // Every character of the second argument is a delimiter; empty tokens are dropped.
      const auto& s = a[0].get_ref<const std::string&>();
      const auto& d = a[1].get_ref<const std::string&>();
      Json out = Json::array();
      std::string cur;
      for (char c : s) {
        if (d.find(c) != std::string::npos) {
          if (!cur.empty()) out.push_back(cur);
          cur.clear();
        } else {
          cur += c;
        }
      }
      if (!cur.empty()) out.push_back(cur);
      return out;
    }
    if (n == "States.UUID") return Json(uuid_v4());
    return fail("Unknown intrinsic function " + n);
  }

  const Json& input_;
  const Json& context_;
};

}  // namespace

bool is_intrinsic_call(std::string_view text) {
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front())))
    text.remove_prefix(1);
  return text.substr(0, 7) == "States.";
}

Result<IntrinsicExpr> parse_intrinsic(std::string_view text) {
  return IntrinsicParser(text).parse_all();
}

Result<Json> evaluate_intrinsic(const IntrinsicExpr& expr, std::string_view text, const Json& input,
                                const Json& context) {
  auto r = Evaluator(input, context).eval(expr);
  if (!r.ok()) {
    return Error::sender("States.Runtime", "The function '" + std::string(text) +
                                               "' had the following error: " + r.error().message);
  }
  return r;
}

Result<Json> evaluate_intrinsic_text(std::string_view text, const Json& input,
                                     const Json& context) {
  auto parsed = parse_intrinsic(text);
  if (!parsed.ok())
    return Error::sender("States.Runtime",
                         "The function '" + std::string(text) +
                             "' had the following error: " + parsed.error().message);
  return evaluate_intrinsic(*parsed, text, input, context);
}

Result<std::string> hash_hex(std::string_view data, std::string_view algorithm) {
  const EVP_MD* md = nullptr;
  if (algorithm == "MD5") {
    md = EVP_md5();
  } else if (algorithm == "SHA-1") {
    md = EVP_sha1();
  } else if (algorithm == "SHA-256") {
    md = EVP_sha256();
  } else if (algorithm == "SHA-384") {
    md = EVP_sha384();
  } else if (algorithm == "SHA-512") {
    md = EVP_sha512();
  } else {
    return Error::sender("States.Runtime",
                         "The hash algorithm '" + std::string(algorithm) +
                             "' is not supported; use MD5, SHA-1, SHA-256, SHA-384 or SHA-512");
  }
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (EVP_Digest(data.data(), data.size(), out, &len, md, nullptr) != 1)
    return Error::internal("digest failed");
  return hex_encode(std::string_view(reinterpret_cast<const char*>(out), len));
}

}  // namespace sluice::services::sfn
