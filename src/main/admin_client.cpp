#include "sluice/main/admin_client.hpp"

#include <netdb.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cstdio>
#include <iostream>
#include <optional>

#include "sluice/common/encoding.hpp"

namespace sluice {

namespace {

struct HttpResult {
  int status = 0;
  std::string body;
};

// One HTTP/1.1 request with Connection: close; nullopt if the server cannot be reached.
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
               "  reset [SERVICE]      drop all state (or one service's: sqs, sns, states)\n"
               "  clock                print the server's clock\n"
               "  clock advance DUR    move a virtual clock forward (90s, 15m, 2h, 3d, 1y)\n"
               "  clock mode auto|manual\n"
               "  peek QUEUE_URL       list a queue's messages without changing them\n";
  return 2;
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
    return a == "health" || a == "reset" || a == "clock" || a == "peek";
  }
  return false;
}

int run_admin_command(const std::vector<std::string>& args, const std::string& default_host,
                      int default_port) {
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
  std::cout << res->body << (res->body.empty() || res->body.back() != '\n' ? "\n" : "");
  return res->status >= 200 && res->status < 300 ? 0 : 1;
}

}  // namespace sluice
