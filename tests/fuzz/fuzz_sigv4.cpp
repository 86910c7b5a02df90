// SigV4: the Authorization header and credential parsers, and the verifier over a whole
// request built from the input (line 1: method, path and query; then header lines
// "name: value"; an empty line; the body).
#include <string>
#include <vector>

#include "fuzz_common.hpp"
#include "sluice/protocol/sigv4.hpp"
#include "sluice/protocol/sigv4_verify.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace sluice;
  const std::string_view in = fuzz::text(data, size);
  (void)protocol::parse_sigv4_authorization(in);
  (void)protocol::parse_sigv4_credential(in);

  static const protocol::SigV4Verifier verifier(
      {{"AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "123456789012"}});
  auto [first, rest] = fuzz::split_line(in);
  std::vector<std::pair<std::string, std::string>> headers;
  std::string_view body;
  while (!rest.empty()) {
    auto [line, after] = fuzz::split_line(rest);
    rest = after;
    if (line.empty()) {
      body = rest;
      break;
    }
    const auto colon = line.find(':');
    std::string name(line.substr(0, colon));
    for (char& c : name)
      c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    std::string value(colon == std::string_view::npos ? std::string_view()
                                                      : line.substr(colon + 1));
    headers.emplace_back(std::move(name), std::move(value));
  }
  const auto space = first.find(' ');
  const std::string_view method = first.substr(0, space);
  std::string_view target = space == std::string_view::npos ? "/" : first.substr(space + 1);
  const auto q = target.find('?');
  protocol::SigV4Request r;
  r.method = method;
  r.path = target.substr(0, q);
  r.query = q == std::string_view::npos ? std::string_view() : target.substr(q + 1);
  r.headers = &headers;
  r.body = body;
  (void)verifier.verify(r, 1795557338123);  // 2026-11-24T21:55:38Z
  (void)protocol::sigv4_canonical_uri(r.path);
  (void)protocol::sigv4_canonical_query(r.query);
  return 0;
}
