#pragma once
// Drives a Dispatcher in-process: builds requests as clients send them and waits for the
// (possibly asynchronous) response.
#include <chrono>
#include <future>
#include <string>

#include <gtest/gtest.h>

#include "sluice/api/dispatcher.hpp"

namespace sluice::api::testing {

inline const std::string* find_header(const HttpResponse& r, std::string_view name) {
  for (const auto& [k, v] : r.headers) {
    if (k.size() != name.size()) continue;
    bool same = true;
    for (std::size_t i = 0; i < k.size(); ++i)
      same = same && std::tolower(static_cast<unsigned char>(k[i])) ==
                         std::tolower(static_cast<unsigned char>(name[i]));
    if (same) return &v;
  }
  return nullptr;
}

inline std::string header_or(const HttpResponse& r, std::string_view name,
                             std::string fallback = "<absent>") {
  const std::string* v = find_header(r, name);
  return v ? *v : fallback;
}

inline HttpRequest make_request(std::string method, std::string target, std::string body = {}) {
  HttpRequest r;
  r.method = std::move(method);
  r.target = std::move(target);
  const auto q = r.target.find('?');
  r.path = r.target.substr(0, q);
  if (q != std::string::npos) r.query = r.target.substr(q + 1);
  r.body = std::move(body);
  r.headers.emplace_back("host", "localhost:4566");
  return r;
}

inline HttpRequest query_request(std::string form, std::string path = "/") {
  auto r = make_request("POST", std::move(path), std::move(form));
  r.headers.emplace_back("content-type", "application/x-www-form-urlencoded; charset=utf-8");
  return r;
}

inline HttpRequest json_request(std::string target, std::string body) {
  auto r = make_request("POST", "/", std::move(body));
  r.headers.emplace_back("content-type", "application/x-amz-json-1.0");
  r.headers.emplace_back("x-amz-target", std::move(target));
  return r;
}

inline std::string sigv4(const std::string& access_key, const std::string& region,
                         const std::string& service) {
  return "AWS4-HMAC-SHA256 Credential=" + access_key + "/20261124/" + region + "/" + service +
         "/aws4_request, SignedHeaders=host;x-amz-date, Signature=0123abcd";
}

inline HttpResponse dispatch(const Dispatcher& d, HttpRequest request) {
  auto promise = std::make_shared<std::promise<HttpResponse>>();
  auto future = promise->get_future();
  auto answered = std::make_shared<std::atomic<int>>(0);
  d.handle(std::move(request), [promise, answered](HttpResponse r) {
    if (answered->fetch_add(1) == 0) promise->set_value(std::move(r));
  });
  if (future.wait_for(std::chrono::seconds(5)) != std::future_status::ready) {
    ADD_FAILURE() << "no response within 5 s";
    return HttpResponse{0, {}, {}, {}, false};
  }
  return future.get();
}

// The value between <tag> and </tag>, or "<absent>".
inline std::string xml_text(const std::string& xml, const std::string& tag) {
  const auto open = xml.find("<" + tag + ">");
  if (open == std::string::npos) return "<absent>";
  const auto start = open + tag.size() + 2;
  const auto close = xml.find("</" + tag + ">", start);
  if (close == std::string::npos) return "<absent>";
  return xml.substr(start, close - start);
}

}  // namespace sluice::api::testing
