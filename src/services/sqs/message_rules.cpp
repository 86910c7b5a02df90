// Message validation and digests: what AWS accepts in a message body and attributes,
// and how it computes MD5OfMessageAttributes.
#include <cctype>
#include <cstring>

#include "internal.hpp"
#include "sluice/common/encoding.hpp"

namespace sluice::services::sqs::detail {

namespace {

constexpr std::size_t kMaxAttributes = 10;
constexpr std::size_t kMaxAttributeNameLength = 256;

void append_length_prefixed(std::string& out, const std::string& s) {
  const auto n = static_cast<std::uint32_t>(s.size());
  out.push_back(static_cast<char>((n >> 24) & 0xff));
  out.push_back(static_cast<char>((n >> 16) & 0xff));
  out.push_back(static_cast<char>((n >> 8) & 0xff));
  out.push_back(static_cast<char>(n & 0xff));
  out += s;
}

bool starts_with_ci(const std::string& s, const char* prefix) {
  for (std::size_t i = 0; prefix[i]; ++i) {
    if (i >= s.size() || std::tolower(static_cast<unsigned char>(s[i])) != std::tolower(prefix[i]))
      return false;
  }
  return true;
}

// Unicode letters and digits count as alphanumeric (AWS accepts "attr.1\u00f8\u00df\u00e4");
// without a Unicode table, the common symbol and punctuation blocks are what is refused.
bool is_symbol_code_point(std::uint32_t cp) {
  return (cp >= 0x80 && cp <= 0xbf) || cp == 0xd7 || cp == 0xf7 || (cp >= 0x2000 && cp <= 0x2bff) ||
         (cp >= 0x3000 && cp <= 0x303f) || (cp >= 0xfe30 && cp <= 0xfe4f) ||
         (cp >= 0xff00 && cp <= 0xff0f);
}

bool valid_attribute_name(const std::string& name) {
  if (name.empty() || name.size() > kMaxAttributeNameLength) return false;
  if (name.front() == '.' || name.back() == '.') return false;
  // AWS reserves these prefixes for its own attributes.
  if (starts_with_ci(name, "AWS.") || starts_with_ci(name, "Amazon.")) return false;
  char prev = 0;
  for (std::size_t i = 0; i < name.size(); ++i) {
    const auto u = static_cast<unsigned char>(name[i]);
    if (u >= 0x80) {
      // A UTF-8 sequence (the input is valid UTF-8): decode and classify it.
      const int extra = u >= 0xf0 ? 3 : (u >= 0xe0 ? 2 : 1);
      if (i + extra >= name.size()) return false;
      std::uint32_t cp = u & (extra == 1 ? 0x1f : (extra == 2 ? 0x0f : 0x07));
      for (int k = 1; k <= extra; ++k)
        cp = (cp << 6) | (static_cast<unsigned char>(name[i + k]) & 0x3f);
      if (is_symbol_code_point(cp)) return false;
      i += extra;
      prev = 'a';
      continue;
    }
    const char c = name[i];
    if (!(std::isalnum(u) || c == '_' || c == '-' || c == '.')) return false;
    if (c == '.' && prev == '.') return false;
    prev = c;
  }
  return true;
}

// SQS numbers: up to 38 significant digits, optional sign, fraction and exponent.
bool valid_number(const std::string& s) {
  std::size_t i = 0;
  if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
  std::size_t digits = 0;
  while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) {
    ++i;
    ++digits;
  }
  if (i < s.size() && s[i] == '.') {
    ++i;
    while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) {
      ++i;
      ++digits;
    }
  }
  if (digits == 0 || digits > 38 + 1) return false;
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
    std::size_t exp_digits = 0;
    while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) {
      ++i;
      ++exp_digits;
    }
    if (exp_digits == 0) return false;
  }
  return i == s.size();
}

std::string base_type(const std::string& data_type) {
  const auto dot = data_type.find('.');
  return dot == std::string::npos ? data_type : data_type.substr(0, dot);
}

}  // namespace

Error invalid_parameter(const std::string& message) {
  return Error::sender("InvalidParameterValue", message);
}

std::string md5_of_attributes(const MessageAttributes& attributes) {
  if (attributes.empty()) return {};
  std::string buf;
  for (const auto& [name, value] : attributes) {
    append_length_prefixed(buf, name);
    append_length_prefixed(buf, value.data_type);
    if (value.is_binary()) {
      buf.push_back(2);
      append_length_prefixed(buf, value.binary_value);
    } else {
      buf.push_back(1);
      append_length_prefixed(buf, value.string_value);
    }
  }
  return md5_hex(buf);
}

bool valid_message_characters(const std::string& text) {
  const auto* p = reinterpret_cast<const unsigned char*>(text.data());
  const auto* end = p + text.size();
  while (p < end) {
    // Printable ASCII, the common case, eight bytes at a time: no byte has its top bit
    // set and none is below 0x20 (a byte below 0x20 borrows in w - 0x20.. and keeps its
    // top bit clear in w). A false alarm only sends the bytes to the loop below.
    constexpr std::uint64_t kTop = 0x8080808080808080ULL;
    constexpr std::uint64_t kSpace = 0x2020202020202020ULL;
    while (end - p >= 8) {
      std::uint64_t w;
      std::memcpy(&w, p, 8);
      if (((w | ((w - kSpace) & ~w)) & kTop) != 0) break;
      p += 8;
    }
    if (p == end) break;
    if (*p >= 0x20 && *p < 0x80) {
      ++p;
      continue;
    }
    std::uint32_t cp = 0;
    int extra = 0;
    if (*p < 0x80) {
      cp = *p;
    } else if ((*p & 0xe0) == 0xc0) {
      cp = *p & 0x1f;
      extra = 1;
    } else if ((*p & 0xf0) == 0xe0) {
      cp = *p & 0x0f;
      extra = 2;
    } else if ((*p & 0xf8) == 0xf0) {
      cp = *p & 0x07;
      extra = 3;
    } else {
      return false;
    }
    if (end - p < extra + 1) return false;
    for (int i = 1; i <= extra; ++i) {
      if ((p[i] & 0xc0) != 0x80) return false;
      cp = (cp << 6) | (p[i] & 0x3f);
    }
    p += extra + 1;
    const bool allowed = cp == 0x9 || cp == 0xa || cp == 0xd || (cp >= 0x20 && cp <= 0xd7ff) ||
                         (cp >= 0xe000 && cp <= 0xfffd) || (cp >= 0x10000 && cp <= 0x10ffff);
    if (!allowed) return false;
  }
  return true;
}

Status validate_message_attributes(const MessageAttributes& attributes, bool system) {
  if (system) {
    for (const auto& [name, value] : attributes) {
      if (name != "AWSTraceHeader")
        return invalid_parameter("Message system attribute name '" + name + "' is invalid.");
      if (value.data_type != "String")
        return invalid_parameter(
            "Message system attribute 'AWSTraceHeader' must be of type 'String'.");
      if (value.string_value.empty())
        return invalid_parameter(
            "Message system attribute 'AWSTraceHeader' must contain a non-empty value.");
    }
    return ok_status();
  }
  if (attributes.size() > kMaxAttributes) {
    return invalid_parameter("Number of message attributes [" + std::to_string(attributes.size()) +
                             "] exceeds the allowed maximum [" + std::to_string(kMaxAttributes) +
                             "].");
  }
  for (const auto& [name, value] : attributes) {
    if (!valid_attribute_name(name)) {
      return invalid_parameter("Message (user) attribute name '" + name +
                               "' is invalid. The attribute name can contain only alphanumeric "
                               "characters, hyphens (-), underscores (_) and periods (.); it "
                               "cannot start or end with a period, contain consecutive periods, "
                               "or start with AWS. or Amazon.");
    }
    if (value.data_type.empty()) {
      return invalid_parameter("The message attribute '" + name +
                               "' must contain non-empty message attribute type.");
    }
    const std::string type = base_type(value.data_type);
    if ((type != "String" && type != "Number" && type != "Binary") ||
        value.data_type.size() > kMaxAttributeNameLength || value.data_type.back() == '.') {
      return invalid_parameter("The message attribute '" + name +
                               "' has an invalid message attribute type, the set of supported "
                               "type prefixes is Binary, Number, and String.");
    }
    if (type == "Binary") {
      if (value.binary_value.empty())
        return invalid_parameter("The message attribute '" + name +
                                 "' must contain non-empty message attribute value for message "
                                 "attribute type '" +
                                 value.data_type + "'.");
      continue;
    }
    if (value.string_value.empty()) {
      return invalid_parameter("The message attribute '" + name +
                               "' must contain non-empty message attribute value for message "
                               "attribute type '" +
                               value.data_type + "'.");
    }
    if (type == "Number" && !valid_number(value.string_value)) {
      return invalid_parameter("Could not cast message attribute '" + name + "' value to number.");
    }
    if (!valid_message_characters(value.string_value)) {
      return Error::sender("InvalidParameterValue",
                           "Message (user) attribute '" + name +
                               "' must contain valid characters: #x9 | #xA | #xD | #x20 to "
                               "#xD7FF | #xE000 to #xFFFD | #x10000 to #x10FFFF");
    }
  }
  return ok_status();
}

std::size_t message_size(const SendRequest& request) {
  std::size_t n = request.body.size();
  for (const auto& [name, value] : request.attributes) {
    n += name.size() + value.data_type.size() +
         (value.is_binary() ? value.binary_value.size() : value.string_value.size());
  }
  return n;
}

}  // namespace sluice::services::sqs::detail
