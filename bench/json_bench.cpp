// Micro-benchmark of the JSON reader and writer of request and response bodies
// (bench/perf-findings.md, section 2, items 1-2): ours (sluice/common/json_fast.hpp)
// against nlohmann's parse and dump, on the bodies the SQS JSON benchmark sends and gets.
//
//   json_bench [ITERATIONS] [ours|nlohmann|both]
//
// Prints ns per body byte for each; under `valgrind --tool=callgrind` (one side at a time)
// the instruction counts divided by iterations x bytes give Ir per byte.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "sluice/common/json_fast.hpp"

namespace {

using Json = nlohmann::json;

// The 1 KiB message body of bench/loadgen (printable ASCII, nothing to escape).
std::string message_body(std::size_t n, std::uint64_t seed) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  std::string b(n, ' ');
  for (auto& c : b) {
    seed ^= seed << 13, seed ^= seed >> 7, seed ^= seed << 17;
    c = kAlphabet[seed % 62];
  }
  return b;
}

// SendMessage as the JS SDK v3 sends it (bench/requests/js-v3-json/SendMessage.http).
std::string send_message_request() {
  return R"({"QueueUrl":"http://127.0.0.1:4566/000000000000/bench-queue-0","MessageBody":")" +
         message_body(1024, 0x9E3779B97F4A7C15ull) + "\"}";
}

// A ReceiveMessage answer with 10 messages of 1 KiB.
Json receive_message_result() {
  Json messages = Json::array();
  for (int i = 0; i < 10; ++i) {
    messages.push_back({{"MessageId", "5fea7756-0ea4-451a-a703-a558b933e274"},
                        {"ReceiptHandle", std::string(172, 'R')},
                        {"MD5OfBody", "fafb00f5732ab283681e124bf8747ed1"},
                        {"Body", message_body(1024, 0x1234u + static_cast<unsigned>(i))}});
  }
  return {{"Messages", messages}};
}

template <typename F>
double ns_per_byte(int iterations, std::size_t bytes, F&& f) {
  const auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < iterations; ++i)
    f();
  const auto ns =
      std::chrono::duration<double, std::nano>(std::chrono::steady_clock::now() - start);
  return ns.count() / (static_cast<double>(iterations) * static_cast<double>(bytes));
}

volatile std::size_t g_sink;

}  // namespace

int main(int argc, char** argv) {
  const int iterations = argc > 1 ? std::atoi(argv[1]) : 20000;
  const std::string which = argc > 2 ? argv[2] : "both";
  const bool ours = which != "nlohmann";
  const bool theirs = which != "ours";

  const std::string request = send_message_request();
  const Json response = receive_message_result();
  const std::string response_text = sluice::json_dump(response);
  if (response_text != response.dump(-1, ' ', false, Json::error_handler_t::replace) ||
      sluice::json_parse(request) != Json::parse(request)) {
    std::fprintf(stderr, "json_bench: ours and nlohmann disagree\n");
    return 1;
  }

  std::printf(
      "parse SendMessage request (%zu bytes), dump ReceiveMessage-10 answer (%zu bytes), "
      "%d iterations\n",
      request.size(), response_text.size(), iterations);
  if (theirs) {
    std::printf("parse nlohmann: %.3f ns/byte\n", ns_per_byte(iterations, request.size(), [&] {
                  g_sink = Json::parse(request, nullptr, false).size();
                }));
  }
  if (ours) {
    std::printf("parse ours:     %.3f ns/byte\n", ns_per_byte(iterations, request.size(), [&] {
                  g_sink = sluice::json_parse(request).size();
                }));
  }
  const int dump_iterations = iterations / 10 + 1;
  if (theirs) {
    std::printf("dump nlohmann:  %.3f ns/byte\n",
                ns_per_byte(dump_iterations, response_text.size(), [&] {
                  g_sink = response.dump(-1, ' ', false, Json::error_handler_t::replace).size();
                }));
  }
  if (ours) {
    std::printf("dump ours:      %.3f ns/byte\n",
                ns_per_byte(dump_iterations, response_text.size(),
                            [&] { g_sink = sluice::json_dump(response).size(); }));
  }
  return 0;
}
