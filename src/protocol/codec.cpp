#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <set>

#include "sluice/common/encoding.hpp"
#include "sluice/protocol/codec.hpp"

namespace sluice::protocol {

namespace {

const char* kind_name(ShapeKind kind) {
  switch (kind) {
    case ShapeKind::String:
      return "String";
    case ShapeKind::Integer:
      return "Integer";
    case ShapeKind::Long:
      return "Long";
    case ShapeKind::Boolean:
      return "Boolean";
    case ShapeKind::Double:
      return "Double";
    case ShapeKind::Blob:
      return "Blob";
    case ShapeKind::Timestamp:
      return "Timestamp";
    case ShapeKind::Structure:
      return "Structure";
    case ShapeKind::List:
      return "List";
    case ShapeKind::Map:
      return "Map";
  }
  return "Value";
}

bool has_prefix(const FormParams& p, const std::string& prefix) {
  auto it = p.lower_bound(prefix);
  return it != p.end() && it->first.compare(0, prefix.size(), prefix) == 0;
}

// The numeric indices N present under `prefix` + "." + N (+ "." ...), in order.
std::set<long> indices_under(const FormParams& p, const std::string& prefix) {
  std::set<long> out;
  const std::string dotted = prefix + ".";
  for (auto it = p.lower_bound(dotted); it != p.end(); ++it) {
    const std::string& k = it->first;
    if (k.compare(0, dotted.size(), dotted) != 0) break;
    std::size_t end = dotted.size();
    while (end < k.size() && k[end] >= '0' && k[end] <= '9')
      ++end;
    if (end == dotted.size() || end - dotted.size() > 9) continue;
    if (end != k.size() && k[end] != '.') continue;
    out.insert(std::strtol(k.c_str() + dotted.size(), nullptr, 10));
  }
  return out;
}

Error invalid_query_value(const std::string& key, const std::string& value, ShapeKind kind) {
  return Error::sender("InvalidParameterValue", "Value (" + value + ") for parameter " + key +
                                                    " is invalid. Must be a " + kind_name(kind) +
                                                    ".");
}

Result<Json> decode_scalar(const std::string& key, const std::string& value, ShapeKind kind) {
  switch (kind) {
    case ShapeKind::String:
    case ShapeKind::Blob:
      return Json(value);
    case ShapeKind::Integer:
    case ShapeKind::Long: {
      long long n = 0;
      const char* first = value.data();
      const char* last = value.data() + value.size();
      if (first != last && *first == '+') ++first;
      auto [ptr, ec] = std::from_chars(first, last, n);
      if (ec != std::errc() || ptr != last || value.empty())
        return invalid_query_value(key, value, kind);
      if (kind == ShapeKind::Integer && (n < INT32_MIN || n > INT32_MAX))
        return invalid_query_value(key, value, kind);
      return Json(n);
    }
    case ShapeKind::Boolean: {
      if (value == "true" || value == "True" || value == "TRUE") return Json(true);
      if (value == "false" || value == "False" || value == "FALSE") return Json(false);
      return invalid_query_value(key, value, kind);
    }
    case ShapeKind::Double: {
      char* end = nullptr;
      const double d = std::strtod(value.c_str(), &end);
      if (value.empty() || end != value.c_str() + value.size())
        return invalid_query_value(key, value, kind);
      return Json(d);
    }
    case ShapeKind::Timestamp: {
      if (auto t = parse_iso8601(value)) return Json(static_cast<double>(*t) / 1000.0);
      char* end = nullptr;
      const double d = std::strtod(value.c_str(), &end);
      if (value.empty() || end != value.c_str() + value.size())
        return invalid_query_value(key, value, kind);
      return Json(d);
    }
    default:
      return invalid_query_value(key, value, kind);
  }
}

Result<std::optional<Json>> decode_query(const FormParams& p, const std::string& key,
                                         const Shape& shape, bool flattened);

Result<Json> decode_structure(const FormParams& p, const std::string& prefix, const Shape& shape) {
  Json obj = Json::object();
  for (const auto& m : shape.members) {
    const std::string full = prefix.empty() ? m.query_name() : prefix + "." + m.query_name();
    auto decoded = decode_query(p, full, *m.shape, m.flattened);
    if (!decoded.ok()) return std::move(decoded).error();
    if (decoded->has_value()) obj[m.name] = std::move(**decoded);
  }
  return obj;
}

Result<std::optional<Json>> decode_query(const FormParams& p, const std::string& key,
                                         const Shape& shape, bool flattened) {
  switch (shape.kind) {
    case ShapeKind::Structure: {
      if (!has_prefix(p, key + ".")) return std::optional<Json>{};
      auto obj = decode_structure(p, key, shape);
      if (!obj.ok()) return std::move(obj).error();
      return std::optional<Json>(std::move(*obj));
    }
    case ShapeKind::List: {
      const std::string items = flattened ? key : key + "." + shape.element_name;
      // A non-flattened list sent as `Key=` is an explicitly empty list.
      if (auto it = p.find(key); it != p.end() && it->second.empty() && !flattened)
        return std::optional<Json>(Json::array());
      const auto idx = indices_under(p, items);
      if (idx.empty()) return std::optional<Json>{};
      Json arr = Json::array();
      for (long n : idx) {
        auto item = decode_query(p, items + "." + std::to_string(n), *shape.element, false);
        if (!item.ok()) return std::move(item).error();
        if (item->has_value()) arr.push_back(std::move(**item));
      }
      return std::optional<Json>(std::move(arr));
    }
    case ShapeKind::Map: {
      const std::string entries = flattened ? key : key + ".entry";
      const auto idx = indices_under(p, entries);
      if (idx.empty()) return std::optional<Json>{};
      Json obj = Json::object();
      for (long n : idx) {
        const std::string base = entries + "." + std::to_string(n);
        auto k = p.find(base + "." + shape.key_name);
        if (k == p.end()) continue;
        auto v = decode_query(p, base + "." + shape.value_name, *shape.element, false);
        if (!v.ok()) return std::move(v).error();
        if (v->has_value()) obj[k->second] = std::move(**v);
      }
      return std::optional<Json>(std::move(obj));
    }
    default: {
      auto it = p.find(key);
      if (it == p.end()) return std::optional<Json>{};
      auto v = decode_scalar(key, it->second, shape.kind);
      if (!v.ok()) return std::move(v).error();
      return std::optional<Json>(std::move(*v));
    }
  }
}

Error serialization_error(const std::string& path, ShapeKind expected) {
  return Error::sender("SerializationException",
                       "Invalid value for " + (path.empty() ? std::string("request") : path) +
                           ": expected " + kind_name(expected) + ".");
}

// The path of a member for error messages, from its segments: "Entries", "[0]", "Id".
std::string join_path(const std::vector<std::string_view>& segments) {
  std::string out;
  for (const auto& seg : segments) {
    if (!seg.empty() && seg[0] != '[' && !out.empty()) out += '.';
    out += seg;
  }
  return out;
}

// Checks `v` against `shape` where it lies, dropping members the shape does not know
// (and nulls): no copy of the request (bodies can be 1 MiB), no path built unless an
// error needs it.
Status conform_in_place(Json& v, const Shape& shape, std::vector<std::string_view>& path) {
  auto fail = [&] { return Status(serialization_error(join_path(path), shape.kind)); };
  switch (shape.kind) {
    case ShapeKind::String:
    case ShapeKind::Blob:
      if (!v.is_string()) return fail();
      return ok_status();
    case ShapeKind::Integer:
      if (!v.is_number_integer()) return fail();
      if (v.is_number_unsigned()
              ? v.get<unsigned long long>() > INT32_MAX
              : (v.get<long long>() < INT32_MIN || v.get<long long>() > INT32_MAX))
        return fail();
      return ok_status();
    case ShapeKind::Long:
      if (!v.is_number_integer()) return fail();
      return ok_status();
    case ShapeKind::Boolean:
      if (!v.is_boolean()) return fail();
      return ok_status();
    case ShapeKind::Double:
    case ShapeKind::Timestamp:
      if (!v.is_number()) return fail();
      return ok_status();
    case ShapeKind::Structure: {
      if (!v.is_object()) return fail();
      for (auto it = v.begin(); it != v.end();) {
        const Member* member = nullptr;
        for (const auto& m : shape.members)
          if (m.name == it.key()) {
            member = &m;
            break;
          }
        if (!member || it->is_null()) {
          it = v.erase(it);
          continue;
        }
        path.push_back(member->name);
        Status s = conform_in_place(*it, *member->shape, path);
        path.pop_back();
        if (!s.ok()) return s;
        ++it;
      }
      return ok_status();
    }
    case ShapeKind::List: {
      if (!v.is_array()) return fail();
      std::size_t i = 0;
      for (auto& item : v) {
        const std::string index = "[" + std::to_string(i++) + "]";
        path.push_back(index);
        Status s = conform_in_place(item, *shape.element, path);
        path.pop_back();
        if (!s.ok()) return s;
      }
      return ok_status();
    }
    case ShapeKind::Map: {
      if (!v.is_object()) return fail();
      for (auto it = v.begin(); it != v.end(); ++it) {
        path.push_back(it.key());
        Status s = conform_in_place(it.value(), *shape.element, path);
        path.pop_back();
        if (!s.ok()) return s;
      }
      return ok_status();
    }
  }
  return fail();
}

std::string missing_in(const Json& value, const Shape& shape, bool query_names,
                       const std::string& path);

std::string missing_in_value(const Json& v, const Shape& shape, bool query_names, bool flattened,
                             const std::string& path) {
  if (shape.kind == ShapeKind::Structure) return missing_in(v, shape, query_names, path);
  if (shape.kind == ShapeKind::List && v.is_array()) {
    for (std::size_t i = 0; i < v.size(); ++i) {
      std::string p = query_names ? path + (flattened ? "" : "." + shape.element_name) + "." +
                                        std::to_string(i + 1)
                                  : path + "[" + std::to_string(i) + "]";
      auto r = missing_in_value(v[i], *shape.element, query_names, false, p);
      if (!r.empty()) return r;
    }
  }
  if (shape.kind == ShapeKind::Map && v.is_object()) {
    for (auto it = v.begin(); it != v.end(); ++it) {
      auto r =
          missing_in_value(it.value(), *shape.element, query_names, false, path + "." + it.key());
      if (!r.empty()) return r;
    }
  }
  return {};
}

std::string missing_in(const Json& value, const Shape& shape, bool query_names,
                       const std::string& path) {
  if (!value.is_object()) return {};
  for (const auto& m : shape.members) {
    auto it = value.find(m.name);
    const bool absent = it == value.end() || it->is_null();
    // Only containers can hide a missing member: the path is built only for them.
    const bool container = m.shape->kind == ShapeKind::Structure ||
                           m.shape->kind == ShapeKind::List || m.shape->kind == ShapeKind::Map;
    if (absent ? !m.required : !container) continue;
    const std::string& n = query_names ? m.query_name() : m.name;
    std::string p = path.empty() ? n : path + "." + n;
    if (absent) return p;
    auto r = missing_in_value(*it, *m.shape, query_names, m.flattened, p);
    if (!r.empty()) return r;
  }
  return {};
}

void scalar_to_xml(const Json& v, ShapeKind kind, std::string& out) {
  if (v.is_string()) {
    xml_escape(v.get_ref<const std::string&>(), out);
  } else if (v.is_boolean()) {
    out += v.get<bool>() ? "true" : "false";
  } else if (kind == ShapeKind::Timestamp && v.is_number() &&
             std::abs(v.get<double>()) < 253402300800.0) {  // within years 0000-9999
    out += iso8601_ms(static_cast<TimeMs>(v.get<double>() * 1000.0));
  } else if (v.is_number()) {
    out += v.dump();
  }
}

void value_to_xml(const Json& v, const Shape& shape, const std::string& name, bool flattened,
                  std::string& out);

void element(const std::string& name, const Json& v, const Shape& shape, std::string& out) {
  out += '<';
  out += name;
  out += '>';
  if (shape.kind == ShapeKind::Structure) {
    json_to_xml(v, shape, out);
  } else if (shape.kind == ShapeKind::List || shape.kind == ShapeKind::Map) {
    // Nested collections: render their items inside this element.
    if (shape.kind == ShapeKind::List) {
      for (const auto& item : v)
        element(shape.element_name, item, *shape.element, out);
    } else {
      for (auto it = v.begin(); it != v.end(); ++it) {
        out += "<entry>";
        element(shape.key_name, it.key(), *shape.key, out);
        element(shape.value_name, it.value(), *shape.element, out);
        out += "</entry>";
      }
    }
  } else {
    scalar_to_xml(v, shape.kind, out);
  }
  out += "</";
  out += name;
  out += '>';
}

void value_to_xml(const Json& v, const Shape& shape, const std::string& name, bool flattened,
                  std::string& out) {
  if (shape.kind == ShapeKind::List && v.is_array()) {
    if (flattened) {
      for (const auto& item : v)
        element(name, item, *shape.element, out);
    } else {
      out += '<' + name + '>';
      for (const auto& item : v)
        element(shape.element_name, item, *shape.element, out);
      out += "</" + name + '>';
    }
    return;
  }
  if (shape.kind == ShapeKind::Map && v.is_object()) {
    if (!flattened) out += '<' + name + '>';
    for (auto it = v.begin(); it != v.end(); ++it) {
      out += flattened ? '<' + name + '>' : std::string("<entry>");
      element(shape.key_name, it.key(), *shape.key, out);
      element(shape.value_name, it.value(), *shape.element, out);
      out += flattened ? "</" + name + '>' : std::string("</entry>");
    }
    if (!flattened) out += "</" + name + '>';
    return;
  }
  element(name, v, shape, out);
}

}  // namespace

Result<Json> query_to_json(const FormParams& params, const Shape& shape) {
  return decode_structure(params, "", shape);
}

Result<Json> json_conform(const Json& value, const Shape& shape) {
  Json copy = value;
  SLUICE_TRY(json_conform_in_place(copy, shape));
  return copy;
}

Status json_conform_in_place(Json& value, const Shape& shape) {
  std::vector<std::string_view> path;
  return conform_in_place(value, shape, path);
}

std::string first_missing_required(const Json& value, const Shape& shape, bool query_names) {
  return missing_in(value, shape, query_names, "");
}

void json_to_xml(const Json& value, const Shape& shape, std::string& out) {
  if (!value.is_object()) return;
  for (const auto& m : shape.members) {
    auto it = value.find(m.name);
    if (it == value.end() || it->is_null()) continue;
    value_to_xml(*it, *m.shape, m.query_name(), m.flattened, out);
  }
}

namespace {
// Length of the well-formed UTF-8 sequence starting at in[i] (2 to 4), or 0.
std::size_t utf8_sequence_length(std::string_view in, std::size_t i) {
  const auto c = static_cast<unsigned char>(in[i]);
  std::size_t len;
  std::uint32_t cp;
  if ((c & 0xE0) == 0xC0) {
    len = 2;
    cp = c & 0x1F;
  } else if ((c & 0xF0) == 0xE0) {
    len = 3;
    cp = c & 0x0F;
  } else if ((c & 0xF8) == 0xF0) {
    len = 4;
    cp = c & 0x07;
  } else {
    return 0;
  }
  if (i + len > in.size()) return 0;
  for (std::size_t k = 1; k < len; ++k) {
    const auto cc = static_cast<unsigned char>(in[i + k]);
    if ((cc & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (cc & 0x3F);
  }
  if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000)) return 0;
  // Surrogates and code points past U+10FFFF are not characters.
  if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
  return len;
}

// U+FFFE and U+FFFF (EF BF BE / EF BF BF) are characters, but XML 1.0 excludes them.
bool is_xml_excluded(std::string_view seq) {
  return seq == "\xEF\xBF\xBE" || seq == "\xEF\xBF\xBF";
}

constexpr std::string_view kReplacement = "\xEF\xBF\xBD";  // U+FFFD
}  // namespace

void xml_escape(std::string_view in, std::string& out) {
  out.reserve(out.size() + in.size());
  for (std::size_t i = 0; i < in.size(); ++i) {
    const char ch = in[i];
    const auto c = static_cast<unsigned char>(ch);
    switch (ch) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&apos;";
        break;
      case '\r':
        // A raw CR would be normalised to LF by the client's parser.
        out += "&#xD;";
        break;
      case '\t':
      case '\n':
        out.push_back(ch);
        break;
      default:
        if (c < 0x20) {
          // XML 1.0 has no way to carry other C0 controls, not even as character
          // references (expat, under botocore, rejects "&#x1;" and the whole document).
          out += kReplacement;
        } else if (c < 0x80) {
          out.push_back(ch);
        } else if (const std::size_t len = utf8_sequence_length(in, i); len > 0) {
          const std::string_view seq = in.substr(i, len);
          if (is_xml_excluded(seq)) {
            out += kReplacement;
          } else {
            out.append(seq);
          }
          i += len - 1;
        } else {
          // Invalid UTF-8 would make the document unparseable: replace byte by byte.
          out += kReplacement;
        }
    }
  }
}

}  // namespace sluice::protocol
