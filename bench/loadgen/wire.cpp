#include "wire.hpp"

#include <cctype>
#include <charconv>
#include <cstring>
#include <fstream>
#include <sstream>

namespace loadgen {
namespace {

bool iequals_prefix(std::string_view text, std::string_view prefix) {
  if (text.size() < prefix.size()) return false;
  for (size_t i = 0; i < prefix.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(text[i])) !=
        std::tolower(static_cast<unsigned char>(prefix[i])))
      return false;
  }
  return true;
}

bool icontains(std::string_view text, std::string_view needle) {
  for (size_t i = 0; i + needle.size() <= text.size(); ++i) {
    if (iequals_prefix(text.substr(i), needle)) return true;
  }
  return false;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
    s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
    s.remove_suffix(1);
  return s;
}

void append_utf8(std::string& out, unsigned cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

// Decodes the JSON string starting at body[pos] == '"'; returns the index after it.
size_t decode_json_string(std::string_view body, size_t pos, std::string& out) {
  ++pos;
  while (pos < body.size() && body[pos] != '"') {
    char c = body[pos++];
    if (c != '\\') {
      out += c;
      continue;
    }
    if (pos >= body.size()) break;
    char e = body[pos++];
    switch (e) {
      case 'n':
        out += '\n';
        break;
      case 't':
        out += '\t';
        break;
      case 'r':
        out += '\r';
        break;
      case 'b':
        out += '\b';
        break;
      case 'f':
        out += '\f';
        break;
      case 'u': {
        unsigned cp = 0;
        if (pos + 4 > body.size()) return body.size();
        std::from_chars(body.data() + pos, body.data() + pos + 4, cp, 16);
        pos += 4;
        if (cp >= 0xD800 && cp < 0xDC00 && pos + 6 <= body.size() && body[pos] == '\\' &&
            body[pos + 1] == 'u') {
          unsigned lo = 0;
          std::from_chars(body.data() + pos + 2, body.data() + pos + 6, lo, 16);
          cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
          pos += 6;
        }
        append_utf8(out, cp);
        break;
      }
      default:
        out += e;  // \" \\ \/
    }
  }
  return pos + 1;
}

std::string decode_xml_text(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '&') {
      out += text[i];
      continue;
    }
    size_t semi = text.find(';', i);
    if (semi == std::string_view::npos) {
      out += text.substr(i);
      break;
    }
    std::string_view entity = text.substr(i + 1, semi - i - 1);
    if (entity == "amp")
      out += '&';
    else if (entity == "lt")
      out += '<';
    else if (entity == "gt")
      out += '>';
    else if (entity == "quot")
      out += '"';
    else if (entity == "apos")
      out += '\'';
    else if (!entity.empty() && entity[0] == '#') {
      unsigned cp = 0;
      if (entity.size() > 1 && (entity[1] == 'x' || entity[1] == 'X'))
        std::from_chars(entity.data() + 2, entity.data() + entity.size(), cp, 16);
      else
        std::from_chars(entity.data() + 1, entity.data() + entity.size(), cp, 10);
      append_utf8(out, cp);
    } else {
      out.append(text.substr(i, semi - i + 1));
    }
    i = semi;
  }
  return out;
}

}  // namespace

std::optional<Template> Template::load(const std::string& path, std::string* error) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    *error = "cannot read " + path;
    return std::nullopt;
  }
  std::stringstream ss;
  ss << in.rdbuf();
  std::string raw = ss.str();
  size_t split_at = raw.find("\r\n\r\n");
  if (split_at == std::string::npos) {
    *error = path + ": no blank line between head and body";
    return std::nullopt;
  }
  Template t;
  size_t slash = path.find_last_of('/');
  t.name_ = path.substr(slash == std::string::npos ? 0 : slash + 1);
  std::string_view head(raw.data(), split_at + 4);
  std::string_view body(raw.data() + split_at + 4, raw.size() - split_at - 4);
  t.protocol_ =
      icontains(head, "application/x-www-form-urlencoded") ? Protocol::kQuery : Protocol::kJson;
  int head_bodies = 0;
  t.head_ = split(head, &head_bodies, error);
  if (!error->empty()) return std::nullopt;
  t.body_ = split(body, &t.body_slots_, error);
  if (!error->empty()) return std::nullopt;
  bool has_length = false;
  for (const auto& p : t.head_)
    has_length |= p.kind == Kind::kContentLength;
  if (!has_length) {
    *error = path + ": no {{CONTENT_LENGTH}} in the head";
    return std::nullopt;
  }
  return t;
}

std::vector<Template::Part> Template::split(std::string_view text, int* body_slots,
                                            std::string* error) {
  std::vector<Part> parts;
  while (!text.empty()) {
    size_t open = text.find("{{");
    if (open == std::string_view::npos) {
      parts.push_back({Kind::kText, std::string(text)});
      break;
    }
    if (open > 0) parts.push_back({Kind::kText, std::string(text.substr(0, open))});
    size_t close = text.find("}}", open);
    if (close == std::string_view::npos) {
      *error = "unterminated placeholder";
      return {};
    }
    std::string_view name = text.substr(open + 2, close - open - 2);
    if (name == "HOST") {
      parts.push_back({Kind::kHost, {}});
    } else if (name == "QUEUE_URL" || name == "STATE_MACHINE_ARN" || name == "TOPIC_ARN") {
      parts.push_back({Kind::kQueueUrl, {}});
    } else if (name == "BODY") {
      parts.push_back({Kind::kBody, {}, (*body_slots)++});
    } else if (name == "INPUT") {
      parts.push_back({Kind::kInput, {}, (*body_slots)++});
    } else if (name == "CONTENT_LENGTH") {
      parts.push_back({Kind::kContentLength, {}});
    } else if (name.size() >= 3 && name.substr(0, 2) == "RH") {
      int n = 0;
      std::from_chars(name.data() + 2, name.data() + name.size(), n);
      parts.push_back({Kind::kReceiptHandle, {}, n});
    } else {
      *error = "unknown placeholder {{" + std::string(name) + "}}";
      return {};
    }
    text.remove_prefix(close + 2);
  }
  return parts;
}

void Template::append_encoded(std::string& out, std::string_view value) const {
  static constexpr char kHex[] = "0123456789ABCDEF";
  if (protocol_ == Protocol::kQuery) {
    // The way botocore form-encodes values: everything but unreserved characters.
    for (unsigned char c : value) {
      if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
        out += static_cast<char>(c);
      } else {
        out += '%';
        out += kHex[c >> 4];
        out += kHex[c & 15];
      }
    }
    return;
  }
  for (unsigned char c : value) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c < 0x20) {
      out += "\\u00";
      out += kHex[c >> 4];
      out += kHex[c & 15];
    } else {
      out += static_cast<char>(c);
    }
  }
}

void Template::render(std::string& out, std::string_view host, std::string_view queue_url,
                      const std::vector<std::string>& bodies,
                      const std::vector<std::string>& receipt_handles) const {
  // The body first, into the tail of `out`, then the head is inserted in front of it:
  // Content-Length must be known when the head is written.
  size_t start = out.size();
  for (const auto& p : body_) {
    switch (p.kind) {
      case Kind::kText:
        out += p.text;
        break;
      case Kind::kHost:
        out += host;
        break;
      case Kind::kQueueUrl:
        append_encoded(out, queue_url);
        break;
      case Kind::kBody:
        out += bodies[static_cast<size_t>(p.index) % bodies.size()];
        break;
      case Kind::kInput:
        append_encoded(out, bodies[static_cast<size_t>(p.index) % bodies.size()]);
        break;
      case Kind::kReceiptHandle:
        if (static_cast<size_t>(p.index) < receipt_handles.size())
          append_encoded(out, receipt_handles[static_cast<size_t>(p.index)]);
        break;
      case Kind::kContentLength:
        break;
    }
  }
  size_t body_len = out.size() - start;
  std::string head;
  head.reserve(1024);
  for (const auto& p : head_) {
    switch (p.kind) {
      case Kind::kText:
        head += p.text;
        break;
      case Kind::kHost:
        head += host;
        break;
      case Kind::kContentLength:
        head += std::to_string(body_len);
        break;
      default:
        break;
    }
  }
  out.insert(start, head);
}

long parse_response(std::string_view in, Response& out) {
  size_t head_end = in.find("\r\n\r\n");
  if (head_end == std::string_view::npos) return in.size() > 64 * 1024 ? -1 : 0;
  std::string_view head = in.substr(0, head_end);
  if (head.substr(0, 5) != "HTTP/") return -1;
  size_t sp = head.find(' ');
  if (sp == std::string_view::npos) return -1;
  out.status = 0;
  std::from_chars(head.data() + sp + 1, head.data() + head.size(), out.status);
  out.close = false;
  long content_length = -1;
  bool chunked = false;
  size_t line_start = head.find("\r\n");
  while (line_start != std::string_view::npos && line_start < head.size()) {
    line_start += 2;
    size_t line_end = head.find("\r\n", line_start);
    std::string_view line = head.substr(
        line_start, (line_end == std::string_view::npos ? head.size() : line_end) - line_start);
    size_t colon = line.find(':');
    if (colon != std::string_view::npos) {
      std::string_view name = line.substr(0, colon);
      std::string_view value = trim(line.substr(colon + 1));
      if (name.size() == 14 && iequals_prefix(name, "content-length")) {
        std::from_chars(value.data(), value.data() + value.size(), content_length);
      } else if (name.size() == 17 && iequals_prefix(name, "transfer-encoding")) {
        chunked = icontains(value, "chunked");
      } else if (name.size() == 10 && iequals_prefix(name, "connection")) {
        out.close = icontains(value, "close");
      }
    }
    line_start = line_end;
  }
  size_t pos = head_end + 4;
  out.body.clear();
  if (!chunked) {
    if (content_length < 0) content_length = 0;  // SQS answers always carry a length
    if (in.size() < pos + static_cast<size_t>(content_length)) return 0;
    out.body.assign(in.substr(pos, static_cast<size_t>(content_length)));
    return static_cast<long>(pos + static_cast<size_t>(content_length));
  }
  while (true) {
    size_t eol = in.find("\r\n", pos);
    if (eol == std::string_view::npos) return 0;
    size_t size = 0;
    auto r = std::from_chars(in.data() + pos, in.data() + eol, size, 16);
    if (r.ec != std::errc()) return -1;
    pos = eol + 2;
    if (size == 0) {
      size_t trailer_end = in.find("\r\n", pos);  // no trailers expected: a bare CRLF
      if (trailer_end == std::string_view::npos) return 0;
      return static_cast<long>(trailer_end + 2);
    }
    if (in.size() < pos + size + 2) return 0;
    out.body.append(in.substr(pos, size));
    pos += size + 2;
  }
}

std::vector<std::string> receipt_handles(std::string_view body, Protocol protocol) {
  std::vector<std::string> handles;
  if (protocol == Protocol::kQuery) {
    static constexpr std::string_view kOpen = "<ReceiptHandle>";
    static constexpr std::string_view kClose = "</ReceiptHandle>";
    size_t pos = 0;
    while ((pos = body.find(kOpen, pos)) != std::string_view::npos) {
      pos += kOpen.size();
      size_t end = body.find(kClose, pos);
      if (end == std::string_view::npos) break;
      handles.push_back(decode_xml_text(body.substr(pos, end - pos)));
      pos = end + kClose.size();
    }
    return handles;
  }
  static constexpr std::string_view kName = "\"ReceiptHandle\"";
  size_t pos = 0;
  while ((pos = body.find(kName, pos)) != std::string_view::npos) {
    pos += kName.size();
    while (pos < body.size() && (body[pos] == ' ' || body[pos] == ':' || body[pos] == '\n' ||
                                 body[pos] == '\t' || body[pos] == '\r'))
      ++pos;
    if (pos >= body.size() || body[pos] != '"') continue;
    std::string handle;
    pos = decode_json_string(body, pos, handle);
    handles.push_back(std::move(handle));
  }
  return handles;
}

int failed_batch_entries(std::string_view body, Protocol protocol) {
  std::string_view marker =
      protocol == Protocol::kQuery ? "<BatchResultErrorEntry>" : "\"SenderFault\"";
  int n = 0;
  for (size_t pos = 0; (pos = body.find(marker, pos)) != std::string_view::npos;
       pos += marker.size())
    ++n;
  return n;
}

std::optional<std::string> json_string_member(std::string_view body, std::string_view name) {
  std::string key;  // built by append: GCC 12 warns (-Wrestrict) on "\"" + std::string
  key.reserve(name.size() + 2);
  key.append(1, '"').append(name).append(1, '"');
  size_t pos = body.find(key);
  if (pos == std::string_view::npos) return std::nullopt;
  pos += key.size();
  while (pos < body.size() && (body[pos] == ' ' || body[pos] == ':'))
    ++pos;
  if (pos >= body.size() || body[pos] != '"') return std::nullopt;
  std::string value;
  decode_json_string(body, pos, value);
  return value;
}

}  // namespace loadgen
