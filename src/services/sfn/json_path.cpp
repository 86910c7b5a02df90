// JSONPath for ASL (see json_path.hpp). Messages follow Jayway JsonPath, whose texts
// AWS copies into States.Runtime causes ("No results for path: $['a']").
#include "sluice/services/sfn/json_path.hpp"

#include <cctype>
#include <regex>

namespace sluice::services::sfn {

// ---- filter expressions ----

struct FilterExpr {
  enum class Kind { Or, And, Not, Compare, Exists, Literal };
  Kind kind = Kind::Literal;
  std::vector<std::shared_ptr<const FilterExpr>> children;
  // Compare / Exists operands
  struct Operand {
    enum class Kind { CurrentPath, RootPath, Literal, Regex };
    Kind kind = Kind::Literal;
    std::vector<JsonPath::Segment> segments;  // paths
    Json literal;
    std::string regex;
    bool icase = false;
  };
  Operand lhs, rhs;
  std::string op;  // ==, !=, <, <=, >, >=, =~, in, nin
};

namespace {

using Segment = JsonPath::Segment;
using SegKind = JsonPath::SegKind;

Error path_error(std::string message) {
  return Error::sender("InvalidPath", std::move(message));
}

bool is_name_stop(char c, bool in_filter) {
  if (c == '.' || c == '[') return true;
  if (!in_filter) return false;
  return std::isspace(static_cast<unsigned char>(c)) || c == ')' || c == '=' || c == '!' ||
         c == '<' || c == '>' || c == '&' || c == '|' || c == ',' || c == ']';
}

class Parser {
 public:
  Parser(std::string_view text, std::size_t pos) : s_(text), i_(pos) {}

  std::size_t pos() const { return i_; }

  // Segments until the end of the text (top level) or, inside a filter, until a
  // character that cannot continue a path.
  Result<std::vector<Segment>> segments(bool in_filter, bool& definite) {
    std::vector<Segment> out;
    while (i_ < s_.size()) {
      char c = s_[i_];
      if (c == '.') {
        if (i_ + 1 < s_.size() && s_[i_ + 1] == '.') {
          i_ += 2;
          definite = false;
          Segment seg;
          seg.kind = SegKind::DeepScan;
          if (i_ < s_.size() && s_[i_] == '*') {
            ++i_;
          } else if (i_ < s_.size() && s_[i_] == '[') {
            // ..['name'] or ..[*]: the bracket names what to look for
            auto inner = bracket(definite);
            if (!inner.ok()) return std::move(inner).error();
            if (inner->kind == SegKind::Name) {
              seg.name = inner->name;
            } else if (inner->kind != SegKind::Wildcard) {
              out.push_back(seg);
              seg = std::move(*inner);
            }
          } else {
            auto n = name(in_filter);
            if (n.empty()) return path_error("Path must not end with a '.' or '..'");
            seg.name = n;
          }
          out.push_back(std::move(seg));
          continue;
        }
        ++i_;
        if (i_ < s_.size() && s_[i_] == '*') {
          ++i_;
          Segment seg;
          seg.kind = SegKind::Wildcard;
          definite = false;
          out.push_back(seg);
          continue;
        }
        auto n = name(in_filter);
        if (n.empty()) return path_error("Path must not end with a '.' or '..'");
        Segment seg;
        seg.kind = SegKind::Name;
        seg.name = std::move(n);
        out.push_back(std::move(seg));
        continue;
      }
      if (c == '[') {
        auto seg = bracket(definite);
        if (!seg.ok()) return std::move(seg).error();
        out.push_back(std::move(*seg));
        continue;
      }
      if (in_filter) break;
      return path_error(std::string("Illegal character at position ") + std::to_string(i_) + ": '" +
                        c + "'");
    }
    return out;
  }

  Result<std::shared_ptr<const FilterExpr>> filter_or() {
    auto left = filter_and();
    if (!left.ok()) return left;
    std::shared_ptr<const FilterExpr> acc = *left;
    while (true) {
      skip_ws();
      if (!take("||")) break;
      auto right = filter_and();
      if (!right.ok()) return right;
      auto node = std::make_shared<FilterExpr>();
      node->kind = FilterExpr::Kind::Or;
      node->children = {acc, *right};
      acc = node;
    }
    return acc;
  }

 private:
  void skip_ws() {
    while (i_ < s_.size() && std::isspace(static_cast<unsigned char>(s_[i_])))
      ++i_;
  }
  bool take(std::string_view tok) {
    if (s_.substr(i_, tok.size()) == tok) {
      i_ += tok.size();
      return true;
    }
    return false;
  }

  std::string name(bool in_filter) {
    std::size_t start = i_;
    while (i_ < s_.size() && !is_name_stop(s_[i_], in_filter))
      ++i_;
    return std::string(s_.substr(start, i_ - start));
  }

  Result<std::string> quoted() {
    char q = s_[i_++];
    std::string out;
    while (i_ < s_.size() && s_[i_] != q) {
      if (s_[i_] == '\\' && i_ + 1 < s_.size()) {
        ++i_;
      }
      out += s_[i_++];
    }
    if (i_ >= s_.size())
      return path_error("Property has not been closed - missing closing " + std::string(1, q));
    ++i_;
    return out;
  }

  std::optional<std::int64_t> integer() {
    skip_ws();
    std::size_t start = i_;
    if (i_ < s_.size() && (s_[i_] == '-' || s_[i_] == '+')) ++i_;
    std::size_t digits = i_;
    while (i_ < s_.size() && std::isdigit(static_cast<unsigned char>(s_[i_])))
      ++i_;
    if (i_ == digits) {
      i_ = start;
      return std::nullopt;
    }
    try {
      return std::stoll(std::string(s_.substr(start, i_ - start)));
    } catch (...) {
      i_ = start;
      return std::nullopt;
    }
  }

  Result<Segment> bracket(bool& definite) {
    ++i_;  // '['
    skip_ws();
    Segment seg;
    if (i_ >= s_.size()) return path_error("Path must not end with a '['");
    char c = s_[i_];
    if (c == '*') {
      ++i_;
      skip_ws();
      if (!take("]")) return path_error("Expected ']' after '[*'");
      seg.kind = SegKind::Wildcard;
      definite = false;
      return seg;
    }
    if (c == '?') {
      ++i_;
      skip_ws();
      if (!take("(")) return path_error("Filter must start with '?('");
      auto expr = filter_or();
      if (!expr.ok()) return std::move(expr).error();
      skip_ws();
      if (!take(")")) return path_error("Filter expression is not closed with ')'");
      skip_ws();
      if (!take("]")) return path_error("Filter expression is not closed with ']'");
      seg.kind = SegKind::Filter;
      seg.filter = *expr;
      definite = false;
      return seg;
    }
    if (c == '\'' || c == '"') {
      std::vector<std::string> names;
      while (true) {
        skip_ws();
        if (i_ >= s_.size() || (s_[i_] != '\'' && s_[i_] != '"'))
          return path_error("Expected a quoted property name");
        auto n = quoted();
        if (!n.ok()) return std::move(n).error();
        names.push_back(std::move(*n));
        skip_ws();
        if (take(",")) continue;
        if (take("]")) break;
        return path_error(
            "Property must be separated by comma or Property must be terminated "
            "close square bracket");
      }
      if (names.size() == 1) {
        seg.kind = SegKind::Name;
        seg.name = std::move(names[0]);
      } else {
        seg.kind = SegKind::Union;
        seg.names = std::move(names);
        definite = false;
      }
      return seg;
    }
    // indices, unions of indices, slices
    std::optional<std::int64_t> first = integer();
    skip_ws();
    if (i_ < s_.size() && s_[i_] == ':') {
      ++i_;
      seg.kind = SegKind::Slice;
      seg.start = first;
      seg.end = integer();
      skip_ws();
      if (take(":")) {
        auto step = integer();
        seg.step = step.value_or(1);
        if (seg.step == 0) return path_error("Slice step cannot be zero");
      }
      skip_ws();
      if (!take("]")) return path_error("Expected ']' to close the array slice");
      definite = false;
      return seg;
    }
    if (!first)
      return path_error("Could not parse token starting at position " + std::to_string(i_) + ".");
    std::vector<std::int64_t> indices{*first};
    while (true) {
      skip_ws();
      if (take("]")) break;
      if (!take(",")) return path_error("Expected ',' or ']' in array index");
      auto n = integer();
      if (!n) return path_error("Expected an array index");
      indices.push_back(*n);
    }
    if (indices.size() == 1) {
      seg.kind = SegKind::Index;
      seg.index = indices[0];
    } else {
      seg.kind = SegKind::Union;
      seg.indices = std::move(indices);
      definite = false;
    }
    return seg;
  }

  Result<std::shared_ptr<const FilterExpr>> filter_and() {
    auto left = filter_unary();
    if (!left.ok()) return left;
    std::shared_ptr<const FilterExpr> acc = *left;
    while (true) {
      skip_ws();
      if (!take("&&")) break;
      auto right = filter_unary();
      if (!right.ok()) return right;
      auto node = std::make_shared<FilterExpr>();
      node->kind = FilterExpr::Kind::And;
      node->children = {acc, *right};
      acc = node;
    }
    return acc;
  }

  Result<std::shared_ptr<const FilterExpr>> filter_unary() {
    skip_ws();
    if (i_ < s_.size() && s_[i_] == '!' && (i_ + 1 >= s_.size() || s_[i_ + 1] != '=')) {
      ++i_;
      auto inner = filter_unary();
      if (!inner.ok()) return inner;
      auto node = std::make_shared<FilterExpr>();
      node->kind = FilterExpr::Kind::Not;
      node->children = {*inner};
      return std::shared_ptr<const FilterExpr>(node);
    }
    if (i_ < s_.size() && s_[i_] == '(') {
      ++i_;
      auto inner = filter_or();
      if (!inner.ok()) return inner;
      skip_ws();
      if (!take(")")) return path_error("Filter group is not closed with ')'");
      return inner;
    }
    auto lhs = operand();
    if (!lhs.ok()) return std::move(lhs).error();
    skip_ws();
    static const char* kOps[] = {"==", "!=", "<=", ">=", "=~", "<", ">", " in ", " nin "};
    std::string op;
    for (const char* o : kOps) {
      std::string_view ov(o);
      // " in " and " nin ": the leading space was skipped already
      if (ov.front() == ' ') ov = ov.substr(1);
      if (s_.substr(i_, ov.size()) == ov) {
        op = std::string(ov);
        if (op.back() == ' ') op.pop_back();
        i_ += ov.size();
        break;
      }
    }
    auto node = std::make_shared<FilterExpr>();
    node->lhs = std::move(*lhs);
    if (op.empty()) {
      node->kind = FilterExpr::Kind::Exists;
      return std::shared_ptr<const FilterExpr>(node);
    }
    auto rhs = operand();
    if (!rhs.ok()) return std::move(rhs).error();
    node->kind = FilterExpr::Kind::Compare;
    node->op = op;
    node->rhs = std::move(*rhs);
    return std::shared_ptr<const FilterExpr>(node);
  }

  Result<FilterExpr::Operand> operand() {
    skip_ws();
    FilterExpr::Operand out;
    if (i_ >= s_.size()) return path_error("Filter expression ends unexpectedly");
    char c = s_[i_];
    if (c == '@' || c == '$') {
      out.kind =
          c == '@' ? FilterExpr::Operand::Kind::CurrentPath : FilterExpr::Operand::Kind::RootPath;
      ++i_;
      bool definite = true;
      auto segs = segments(true, definite);
      if (!segs.ok()) return std::move(segs).error();
      out.segments = std::move(*segs);
      return out;
    }
    if (c == '\'' || c == '"') {
      auto q = quoted();
      if (!q.ok()) return std::move(q).error();
      out.literal = std::move(*q);
      return out;
    }
    if (c == '/') {
      ++i_;
      std::string re;
      while (i_ < s_.size() && s_[i_] != '/') {
        if (s_[i_] == '\\' && i_ + 1 < s_.size()) re += s_[i_++];
        re += s_[i_++];
      }
      if (!take("/")) return path_error("Regular expression is not closed with '/'");
      out.kind = FilterExpr::Operand::Kind::Regex;
      out.regex = std::move(re);
      while (i_ < s_.size() && std::isalpha(static_cast<unsigned char>(s_[i_]))) {
        if (s_[i_] == 'i') out.icase = true;
        ++i_;
      }
      return out;
    }
    if (c == '[') {
      // a JSON array literal, for in/nin; single quotes are allowed as in Jayway
      std::size_t depth = 0, start = i_;
      bool in_str = false;
      char q = 0;
      for (; i_ < s_.size(); ++i_) {
        char ch = s_[i_];
        if (in_str) {
          if (ch == '\\') {
            ++i_;
          } else if (ch == q) {
            in_str = false;
          }
          continue;
        }
        if (ch == '\'' || ch == '"') {
          in_str = true;
          q = ch;
        } else if (ch == '[') {
          ++depth;
        } else if (ch == ']') {
          if (--depth == 0) {
            ++i_;
            break;
          }
        }
      }
      std::string text(s_.substr(start, i_ - start));
      for (auto& ch : text)
        if (ch == '\'') ch = '"';
      Json parsed = Json::parse(text, nullptr, false);
      if (parsed.is_discarded()) return path_error("Could not parse the array in the filter");
      out.literal = std::move(parsed);
      return out;
    }
    // number, true, false, null
    std::size_t start = i_;
    while (i_ < s_.size() && !std::isspace(static_cast<unsigned char>(s_[i_])) && s_[i_] != ')' &&
           s_[i_] != '&' && s_[i_] != '|' && s_[i_] != '=' && s_[i_] != '!' && s_[i_] != '<' &&
           s_[i_] != '>')
      ++i_;
    std::string tok(s_.substr(start, i_ - start));
    Json parsed = Json::parse(tok, nullptr, false);
    if (tok.empty() || parsed.is_discarded() || parsed.is_structured())
      return path_error("Could not parse the filter operand '" + tok + "'");
    out.literal = std::move(parsed);
    return out;
  }

  std::string_view s_;
  std::size_t i_;
};

std::string java_type(const Json& v) {
  switch (v.type()) {
    case Json::value_t::string:
      return "java.lang.String";
    case Json::value_t::boolean:
      return "java.lang.Boolean";
    case Json::value_t::number_integer:
    case Json::value_t::number_unsigned:
      return "java.lang.Integer";
    case Json::value_t::number_float:
      return "java.lang.Double";
    case Json::value_t::array:
      return "net.minidev.json.JSONArray";
    default:
      return "null";
  }
}

std::string segment_text(const Segment& s) {
  switch (s.kind) {
    case SegKind::Name:
      return "['" + s.name + "']";
    case SegKind::Index:
      return "[" + std::to_string(s.index) + "]";
    case SegKind::Wildcard:
      return "[*]";
    case SegKind::DeepScan:
      return s.name.empty() ? ".." : "..['" + s.name + "']";
    case SegKind::Slice: {
      std::string out = "[";
      if (s.start) out += std::to_string(*s.start);
      out += ":";
      if (s.end) out += std::to_string(*s.end);
      return out + "]";
    }
    case SegKind::Filter:
      return "[?]";
    case SegKind::Union: {
      std::string out = "[";
      bool first = true;
      for (const auto& n : s.names) {
        out += (first ? "'" : ",'") + n + "'";
        first = false;
      }
      for (auto i : s.indices) {
        out += (first ? "" : ",") + std::to_string(i);
        first = false;
      }
      return out + "]";
    }
  }
  return "";
}

bool filter_matches(const FilterExpr& e, const Json& current, const Json& root);

void collect(const std::vector<Segment>& segs, std::size_t k, const Json& node, const Json& root,
             std::vector<const Json*>& out);

void deep_collect(const std::vector<Segment>& segs, std::size_t k, const Segment& seg,
                  const Json& node, const Json& root, std::vector<const Json*>& out) {
  // the node itself, then every descendant, in document order
  if (seg.name.empty()) {
    // `..*`: every child of every node
    if (node.is_object()) {
      for (const auto& [key, child] : node.items())
        collect(segs, k + 1, child, root, out);
    } else if (node.is_array()) {
      for (const auto& child : node)
        collect(segs, k + 1, child, root, out);
    }
  } else if (node.is_object()) {
    if (auto it = node.find(seg.name); it != node.end()) collect(segs, k + 1, *it, root, out);
  }
  if (node.is_object()) {
    for (const auto& [key, child] : node.items())
      deep_collect(segs, k, seg, child, root, out);
  } else if (node.is_array()) {
    for (const auto& child : node)
      deep_collect(segs, k, seg, child, root, out);
  }
}

void collect(const std::vector<Segment>& segs, std::size_t k, const Json& node, const Json& root,
             std::vector<const Json*>& out) {
  if (k == segs.size()) {
    out.push_back(&node);
    return;
  }
  const Segment& seg = segs[k];
  switch (seg.kind) {
    case SegKind::Name:
      if (node.is_object()) {
        if (auto it = node.find(seg.name); it != node.end()) collect(segs, k + 1, *it, root, out);
      }
      return;
    case SegKind::Index:
      if (node.is_array()) {
        std::int64_t n = static_cast<std::int64_t>(node.size());
        std::int64_t i = seg.index < 0 ? n + seg.index : seg.index;
        if (i >= 0 && i < n) collect(segs, k + 1, node[static_cast<std::size_t>(i)], root, out);
      }
      return;
    case SegKind::Wildcard:
      if (node.is_object()) {
        for (const auto& [key, child] : node.items())
          collect(segs, k + 1, child, root, out);
      } else if (node.is_array()) {
        for (const auto& child : node)
          collect(segs, k + 1, child, root, out);
      }
      return;
    case SegKind::Union:
      if (node.is_object()) {
        for (const auto& n : seg.names)
          if (auto it = node.find(n); it != node.end()) collect(segs, k + 1, *it, root, out);
      } else if (node.is_array()) {
        std::int64_t n = static_cast<std::int64_t>(node.size());
        for (auto idx : seg.indices) {
          std::int64_t i = idx < 0 ? n + idx : idx;
          if (i >= 0 && i < n) collect(segs, k + 1, node[static_cast<std::size_t>(i)], root, out);
        }
      }
      return;
    case SegKind::Slice: {
      if (!node.is_array()) return;
      std::int64_t n = static_cast<std::int64_t>(node.size());
      auto norm = [n](std::int64_t v) {
        return v < 0 ? std::max<std::int64_t>(0, n + v) : std::min(v, n);
      };
      std::int64_t from = seg.start ? norm(*seg.start) : 0;
      std::int64_t to = seg.end ? norm(*seg.end) : n;
      for (std::int64_t i = from; i<to; i += seg.step> 0 ? seg.step : 1)
        collect(segs, k + 1, node[static_cast<std::size_t>(i)], root, out);
      return;
    }
    case SegKind::DeepScan:
      deep_collect(segs, k, seg, node, root, out);
      return;
    case SegKind::Filter:
      if (node.is_array()) {
        for (const auto& child : node)
          if (filter_matches(*seg.filter, child, root)) collect(segs, k + 1, child, root, out);
      } else if (node.is_object()) {
        if (filter_matches(*seg.filter, node, root)) collect(segs, k + 1, node, root, out);
      }
      return;
  }
}

std::optional<Json> operand_value(const FilterExpr::Operand& o, const Json& current,
                                  const Json& root) {
  if (o.kind == FilterExpr::Operand::Kind::Literal) return o.literal;
  if (o.kind == FilterExpr::Operand::Kind::Regex) return Json(o.regex);
  std::vector<const Json*> found;
  const Json& base = o.kind == FilterExpr::Operand::Kind::CurrentPath ? current : root;
  collect(o.segments, 0, base, root, found);
  bool definite = true;
  for (const auto& s : o.segments)
    if (s.kind != SegKind::Name && s.kind != SegKind::Index) definite = false;
  if (definite) {
    if (found.empty()) return std::nullopt;
    return *found[0];
  }
  Json arr = Json::array();
  for (const Json* f : found)
    arr.push_back(*f);
  return arr;
}

bool compare_values(const Json& a, const std::string& op, const Json& b,
                    const FilterExpr::Operand& rhs) {
  if (op == "==") return json_equal(a, b);
  if (op == "!=") return !json_equal(a, b);
  if (op == "in" || op == "nin") {
    bool found = false;
    if (b.is_array()) {
      for (const auto& x : b)
        if (json_equal(x, a)) found = true;
    }
    return op == "in" ? found : !found;
  }
  if (op == "=~") {
    if (!a.is_string() || rhs.kind != FilterExpr::Operand::Kind::Regex) return false;
    try {
      auto flags = std::regex::ECMAScript;
      if (rhs.icase) flags |= std::regex::icase;
      return std::regex_match(a.get<std::string>(), std::regex(rhs.regex, flags));
    } catch (const std::regex_error&) {
      return false;
    }
  }
  int cmp = 0;
  if (a.is_number() && b.is_number()) {
    double x = a.get<double>(), y = b.get<double>();
    cmp = x < y ? -1 : (x > y ? 1 : 0);
  } else if (a.is_string() && b.is_string()) {
    cmp = a.get<std::string>().compare(b.get<std::string>());
  } else {
    return false;
  }
  if (op == "<") return cmp < 0;
  if (op == "<=") return cmp <= 0;
  if (op == ">") return cmp > 0;
  if (op == ">=") return cmp >= 0;
  return false;
}

bool filter_matches(const FilterExpr& e, const Json& current, const Json& root) {
  switch (e.kind) {
    case FilterExpr::Kind::Or:
      return filter_matches(*e.children[0], current, root) ||
             filter_matches(*e.children[1], current, root);
    case FilterExpr::Kind::And:
      return filter_matches(*e.children[0], current, root) &&
             filter_matches(*e.children[1], current, root);
    case FilterExpr::Kind::Not:
      return !filter_matches(*e.children[0], current, root);
    case FilterExpr::Kind::Exists: {
      auto v = operand_value(e.lhs, current, root);
      if (!v) return false;
      if (e.lhs.kind == FilterExpr::Operand::Kind::Literal)
        return v->is_boolean() && v->get<bool>();
      return true;
    }
    case FilterExpr::Kind::Compare: {
      auto a = operand_value(e.lhs, current, root);
      auto b = operand_value(e.rhs, current, root);
      if (!a || !b) return false;
      return compare_values(*a, e.op, *b, e.rhs);
    }
    case FilterExpr::Kind::Literal:
      return false;
  }
  return false;
}

}  // namespace

Result<JsonPath> JsonPath::parse(std::string_view text) {
  JsonPath p;
  p.text_ = std::string(text);
  std::string_view t = text;
  // AWS trims surrounding whitespace in paths
  while (!t.empty() && std::isspace(static_cast<unsigned char>(t.front())))
    t.remove_prefix(1);
  while (!t.empty() && std::isspace(static_cast<unsigned char>(t.back())))
    t.remove_suffix(1);
  if (t.empty() || t[0] != '$') return path_error("Path must start with '$'");
  Parser parser(t, 1);
  bool definite = true;
  auto segs = parser.segments(false, definite);
  if (!segs.ok()) return std::move(segs).error();
  p.segments_ = std::move(*segs);
  p.definite_ = definite;
  return p;
}

Result<Json> JsonPath::evaluate(const Json& root) const {
  if (!definite_) {
    std::vector<const Json*> found;
    collect(segments_, 0, root, root, found);
    Json arr = Json::array();
    for (const Json* f : found)
      arr.push_back(*f);
    return arr;
  }
  // definite: walk step by step so the failure names where it stopped
  const Json* cur = &root;
  std::string walked = "$";
  for (const auto& seg : segments_) {
    if (seg.kind == SegKind::Name) {
      if (cur->is_object()) {
        auto it = cur->find(seg.name);
        if (it == cur->end())
          return Error::sender("States.Runtime",
                               "No results for path: " + walked + segment_text(seg));
        cur = &*it;
      } else {
        return Error::sender("States.Runtime",
                             "Expected to find an object with property " + segment_text(seg) +
                                 " in path " + walked + " but found '" + java_type(*cur) +
                                 "'. This is not a json object according to the JsonProvider: "
                                 "'com.jayway.jsonpath.spi.json.JacksonJsonProvider'.");
      }
    } else {
      if (!cur->is_array())
        return Error::sender("States.Runtime", "Filter: " + segment_text(seg) +
                                                   " can only be applied to arrays. Current "
                                                   "context is: " +
                                                   cur->dump());
      std::int64_t n = static_cast<std::int64_t>(cur->size());
      std::int64_t i = seg.index < 0 ? n + seg.index : seg.index;
      if (i < 0 || i >= n)
        return Error::sender("States.Runtime",
                             "No results for path: " + walked + segment_text(seg));
      cur = &(*cur)[static_cast<std::size_t>(i)];
    }
    walked += segment_text(seg);
  }
  return *cur;
}

std::optional<Json> JsonPath::find(const Json& root) const {
  if (!definite_) {
    auto r = evaluate(root);
    return r.ok() ? std::optional<Json>(std::move(*r)) : std::nullopt;
  }
  std::vector<const Json*> found;
  collect(segments_, 0, root, root, found);
  if (found.empty()) return std::nullopt;
  return *found[0];
}

bool JsonPath::is_reference() const {
  for (const auto& s : segments_) {
    if (s.kind == SegKind::Name) continue;
    if (s.kind == SegKind::Index && s.index >= 0) continue;
    return false;
  }
  return true;
}

Result<Json> JsonPath::assign(Json root, Json value) const {
  if (segments_.empty()) return value;
  Json* cur = &root;
  for (std::size_t k = 0; k < segments_.size(); ++k) {
    const Segment& seg = segments_[k];
    const bool last = k + 1 == segments_.size();
    if (seg.kind == SegKind::Name) {
      if (!cur->is_object()) return Error::sender("States.ResultPathMatchFailure", "");
      Json& child = (*cur)[seg.name];
      if (last) {
        child = std::move(value);
        return root;
      }
      if (child.is_null()) child = Json::object();
      cur = &child;
    } else if (seg.kind == SegKind::Index) {
      if (!cur->is_array() || seg.index < 0 || static_cast<std::size_t>(seg.index) >= cur->size())
        return Error::sender("States.ResultPathMatchFailure", "");
      Json& child = (*cur)[static_cast<std::size_t>(seg.index)];
      if (last) {
        child = std::move(value);
        return root;
      }
      cur = &child;
    } else {
      return Error::sender("States.ResultPathMatchFailure", "");
    }
  }
  return root;
}

std::string JsonPath::normalized() const {
  std::string out = "$";
  for (const auto& s : segments_)
    out += segment_text(s);
  return out;
}

Result<Json> evaluate_path(std::string_view path, const Json& input, const Json& context) {
  if (path.substr(0, 2) == "$$") {
    auto p = JsonPath::parse(path.substr(1));
    if (!p.ok()) return std::move(p).error();
    return p->evaluate(context);
  }
  auto p = JsonPath::parse(path);
  if (!p.ok()) return std::move(p).error();
  return p->evaluate(input);
}

}  // namespace sluice::services::sfn
