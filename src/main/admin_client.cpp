#include "sluice/main/admin_client.hpp"

#include <netdb.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <iostream>
#include <optional>
#include <thread>

#include "sluice/common/clock.hpp"
#include "sluice/common/encoding.hpp"

namespace sluice {

namespace {

struct HttpResult {
  int status = 0;
  std::string body;
};

// One HTTP/1.1 request with Connection: close; nullopt if the server cannot be reached.
// Set once by run_admin_command: the token every request carries.
std::string g_admin_token;

std::optional<HttpResult> http_call(const std::string& host, int port, const std::string& method,
                                    const std::string& target, const std::string& body) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* res = nullptr;
  if (getaddrinfo(host.c_str(), std::to_string(port).c_str(), &hints, &res) != 0) return {};
  int fd = -1;
  for (addrinfo* ai = res; ai; ai = ai->ai_next) {
    fd = socket(ai->ai_family, ai->ai_socktype, ai->ai_protocol);
    if (fd < 0) continue;
    timeval tv{10, 0};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0) break;
    close(fd);
    fd = -1;
  }
  freeaddrinfo(res);
  if (fd < 0) return {};
  std::string req = method + " " + target + " HTTP/1.1\r\nHost: " + host + ":" +
                    std::to_string(port) + "\r\nConnection: close\r\n";
  if (!body.empty()) req += "Content-Type: application/json\r\n";
  if (!g_admin_token.empty()) req += "Authorization: Bearer " + g_admin_token + "\r\n";
  req += "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
  std::size_t sent = 0;
  while (sent < req.size()) {
    const ssize_t n = send(fd, req.data() + sent, req.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) {
      close(fd);
      return {};
    }
    sent += static_cast<std::size_t>(n);
  }
  std::string raw;
  char buf[16384];
  for (;;) {
    const ssize_t n = recv(fd, buf, sizeof buf, 0);
    if (n <= 0) break;
    raw.append(buf, static_cast<std::size_t>(n));
  }
  close(fd);
  HttpResult out;
  if (raw.rfind("HTTP/1.", 0) != 0 || raw.size() < 12) return {};
  out.status = std::atoi(raw.c_str() + 9);
  if (auto sep = raw.find("\r\n\r\n"); sep != std::string::npos) out.body = raw.substr(sep + 4);
  return out;
}

int usage() {
  std::cerr << "Usage: sluice [--host H] [--port P] COMMAND\n"
               "  health               exit 0 when the server answers /_sluice/health\n"
               "  wait [TIMEOUT]       wait until the server answers (default 30s), with progress\n"
               "  reset [SERVICE]      drop all state (or one service's: sqs, sns, states)\n"
               "  clock                print the server's clock\n"
               "  clock advance DUR [--step STEP]\n"
               "                       move a virtual clock forward (90s, 15m, 2h, 3d, 1y); with\n"
               "                       --step, in steps of STEP with progress on stderr\n"
               "  clock mode auto|manual\n"
               "  peek QUEUE_URL       list a queue's messages without changing them\n";
  return 2;
}

// "1d 2h", "90s", "250ms": the largest two units of a duration, for progress lines.
std::string format_duration(TimeMs ms) {
  static const std::pair<TimeMs, const char*> kUnits[] = {
      {86'400'000, "d"}, {3'600'000, "h"}, {60'000, "m"}, {1'000, "s"}, {1, "ms"}};
  std::string out;
  int parts = 0;
  for (const auto& [size, name] : kUnits) {
    if (ms >= size && parts < 2) {
      out += (out.empty() ? "" : " ") + std::to_string(ms / size) + name;
      ms %= size;
      ++parts;
    } else if (parts > 0) {
      ++parts;  // only adjacent units: "1d 2h", never "1d 5s"
    }
  }
  return out.empty() ? "0s" : out;
}

void print_body(const std::string& body) {
  std::cout << body << (body.empty() || body.back() != '\n' ? "\n" : "");
}

// `sluice wait`: polls the health route until it answers, a line of progress a second.
int wait_for_server(const std::string& host, int port, TimeMs timeout_ms) {
  using Steady = std::chrono::steady_clock;
  const auto start = Steady::now();
  auto elapsed_ms = [&] {
    return std::chrono::duration_cast<std::chrono::milliseconds>(Steady::now() - start).count();
  };
  long long next_report_ms = 1000;
  for (;;) {
    auto res = http_call(host, port, "GET", "/_sluice/health", "");
    if (res && res->status == 200) {
      std::cerr << "sluice at " << host << ":" << port << " is ready after "
                << format_duration(elapsed_ms()) << "\n";
      print_body(res->body);
      return 0;
    }
    if (elapsed_ms() >= timeout_ms) {
      std::cerr << "sluice: no server answered at " << host << ":" << port << " within "
                << format_duration(timeout_ms) << "\n";
      return 1;
    }
    if (elapsed_ms() >= next_report_ms) {
      std::cerr << "waiting for sluice at " << host << ":" << port << " ... "
                << format_duration(elapsed_ms() / 1000 * 1000) << "\n";
      next_report_ms += 1000;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

// `sluice clock advance DUR --step STEP`: one request per step, so that what each step
// wakes (and schedules) runs before the next; a progress line per step on stderr.
int advance_in_steps(const std::string& host, int port, TimeMs total, TimeMs step) {
  TimeMs done = 0;
  std::optional<HttpResult> last;
  while (done < total) {
    const TimeMs now_step = std::min(step, total - done);
    last = http_call(host, port, "POST", "/_sluice/clock",
                     "{\"advance_ms\":" + std::to_string(now_step) + "}");
    if (!last) {
      std::cerr << "sluice: cannot reach a server at " << host << ":" << port << "\n";
      return 1;
    }
    if (last->status != 200) {
      print_body(last->body);
      return 1;
    }
    done += now_step;
    std::cerr << "clock: advanced " << format_duration(done) << " of " << format_duration(total)
              << " (" << (done * 100 / total) << "%)\n";
  }
  if (last) print_body(last->body);
  return 0;
}

}  // namespace

bool is_admin_command(const std::vector<std::string>& args) {
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--host" || a == "--port") {
      ++i;
      continue;
    }
    if (a.rfind("--", 0) == 0) continue;
    return a == "health" || a == "wait" || a == "reset" || a == "clock" || a == "peek";
  }
  return false;
}

int run_admin_command(const std::vector<std::string>& args, const std::string& default_host,
                      int default_port, const std::string& admin_token) {
  g_admin_token = admin_token;
  std::string host = default_host;
  int port = default_port;
  std::vector<std::string> words;
  for (std::size_t i = 0; i < args.size(); ++i) {
    if ((args[i] == "--host" || args[i] == "--port") && i + 1 < args.size()) {
      if (args[i] == "--host") {
        host = args[i + 1];
      } else {
        port = std::atoi(args[i + 1].c_str());
      }
      ++i;
    } else {
      words.push_back(args[i]);
    }
  }
  // A server bound to every interface is reached on loopback.
  if (host == "0.0.0.0" || host.empty()) host = "127.0.0.1";
  if (host == "::") host = "::1";
  if (words.empty()) return usage();
  std::string method = "GET", target, body;
  const std::string& cmd = words[0];
  if (cmd == "health" && words.size() == 1) {
    target = "/_sluice/health";
  } else if (cmd == "wait" && words.size() <= 2) {
    const TimeMs timeout = words.size() == 2 ? parse_duration_ms(words[1]) : 30'000;
    if (timeout < 0) return usage();
    return wait_for_server(host, port, timeout);
  } else if (cmd == "clock" && words.size() == 5 && words[1] == "advance" && words[3] == "--step") {
    const TimeMs total = parse_duration_ms(words[2]);
    const TimeMs step = parse_duration_ms(words[4]);
    if (total < 0 || step <= 0) return usage();
    return advance_in_steps(host, port, total, step);
  } else if (cmd == "reset" && words.size() <= 2) {
    method = "POST";
    target = "/_sluice/reset" + (words.size() == 2 ? "?service=" + url_encode(words[1]) : "");
  } else if (cmd == "clock" && words.size() == 1) {
    target = "/_sluice/clock";
  } else if (cmd == "clock" && words.size() == 3 && words[1] == "advance") {
    method = "POST";
    target = "/_sluice/clock";
    body = "{\"advance\":\"" + words[2] + "\"}";
  } else if (cmd == "clock" && words.size() == 3 && words[1] == "mode") {
    method = "POST";
    target = "/_sluice/clock";
    body = "{\"mode\":\"" + words[2] + "\"}";
  } else if (cmd == "peek" && words.size() == 2) {
    target = "/_sluice/sqs/messages?QueueUrl=" + url_encode(words[1]);
  } else {
    return usage();
  }
  auto res = http_call(host, port, method, target, body);
  if (!res) {
    std::cerr << "sluice: cannot reach a server at " << host << ":" << port << "\n";
    return 1;
  }
  print_body(res->body);
  return res->status >= 200 && res->status < 300 ? 0 : 1;
}

}  // namespace sluice
