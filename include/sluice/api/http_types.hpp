#pragma once
// Plain HTTP request/response values exchanged between the Beast session (http/) and
// the dispatcher. No Beast or Asio types here, so most of the code never includes them.
#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sluice::api {

struct HttpRequest {
  std::string method;                                        // "GET", "POST", ...
  std::string target;                                        // path plus query string, as sent
  std::string path;                                          // target without the query string
  std::string query;                                         // after '?', undecoded
  std::vector<std::pair<std::string, std::string>> headers;  // names lower-cased
  std::string body;
  std::string remote_address;

  // First header with this lower-case name, or nullptr.
  const std::string* header(std::string_view lower_name) const {
    for (const auto& [k, v] : headers)
      if (k == lower_name) return &v;
    return nullptr;
  }
};

struct HttpResponse {
  int status = 200;
  std::string content_type;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  bool close = false;  // close the connection after sending
};

using Responder = std::function<void(HttpResponse)>;
using HttpHandler = std::function<void(HttpRequest, Responder)>;

}  // namespace sluice::api
