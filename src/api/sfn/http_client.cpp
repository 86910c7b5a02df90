// The HttpPort of the Step Functions engine: blocking HTTP/1.1 over POSIX sockets with
// deadlines, run by a few worker threads so that the engine thread never blocks. It
// returns the response headers, which Lambda forwarding needs (X-Amz-Function-Error).
#include "http_client.hpp"

#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>

#include "sluice/common/ascii.hpp"

namespace sluice::api::sfn {

namespace {

using services::sfn::HttpCall;
using services::sfn::HttpReply;
using SteadyClock = std::chrono::steady_clock;

struct Url {
  std::string host;
  std::string port = "80";
  std::string target = "/";
  std::string authority;
};

bool parse_url(const std::string& url, Url& out, std::string& error) {
  if (url.rfind("http://", 0) != 0) {
    error = url.rfind("https://", 0) == 0 ? "https endpoints are not supported" : "bad URL " + url;
    return false;
  }
  const std::string rest = url.substr(7);
  const std::size_t slash = rest.find_first_of("/?");
  out.authority = rest.substr(0, slash);
  out.target = slash == std::string::npos ? "/" : rest.substr(slash);
  if (!out.target.empty() && out.target[0] == '?') out.target = "/" + out.target;
  const std::string& a = out.authority;
  if (!a.empty() && a[0] == '[') {
    const auto close = a.find(']');
    if (close == std::string::npos) {
      error = "bad host in " + url;
      return false;
    }
    out.host = a.substr(1, close - 1);
    if (close + 1 < a.size() && a[close + 1] == ':') out.port = a.substr(close + 2);
  } else {
    const auto colon = a.rfind(':');
    out.host = a.substr(0, colon);
    if (colon != std::string::npos) out.port = a.substr(colon + 1);
  }
  if (out.host.empty()) {
    error = "no host in " + url;
    return false;
  }
  return true;
}

int remaining_ms(SteadyClock::time_point deadline) {
  auto left =
      std::chrono::duration_cast<std::chrono::milliseconds>(deadline - SteadyClock::now()).count();
  return left < 0 ? 0 : static_cast<int>(left);
}

int connect_to(const Url& url, SteadyClock::time_point deadline, std::string& error) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* res = nullptr;
  if (int rc = getaddrinfo(url.host.c_str(), url.port.c_str(), &hints, &res); rc != 0) {
    error = url.host + ": " + gai_strerror(rc);
    return -1;
  }
  int fd = -1;
  for (addrinfo* ai = res; ai; ai = ai->ai_next) {
    fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK, ai->ai_protocol);
    if (fd < 0) continue;
    int rc = connect(fd, ai->ai_addr, ai->ai_addrlen);
    if (rc != 0 && errno == EINPROGRESS) {
      pollfd p{fd, POLLOUT, 0};
      if (poll(&p, 1, remaining_ms(deadline)) == 1) {
        int err = 0;
        socklen_t len = sizeof err;
        getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len);
        rc = err == 0 ? 0 : -1;
        if (err != 0) errno = err;
      } else {
        errno = ETIMEDOUT;
      }
    }
    if (rc == 0) break;
    error = std::string("Connect to ") + url.authority + " failed: " + std::strerror(errno);
    close(fd);
    fd = -1;
  }
  freeaddrinfo(res);
  return fd;
}

bool send_all(int fd, const std::string& data, SteadyClock::time_point deadline) {
  std::size_t sent = 0;
  while (sent < data.size()) {
    ssize_t n = send(fd, data.data() + sent, data.size() - sent, MSG_NOSIGNAL);
    if (n > 0) {
      sent += static_cast<std::size_t>(n);
      continue;
    }
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      pollfd p{fd, POLLOUT, 0};
      if (poll(&p, 1, remaining_ms(deadline)) != 1) return false;
      continue;
    }
    return false;
  }
  return true;
}

// Decodes a chunked body; false while it is incomplete.
bool dechunk(const std::string& in, std::string& out) {
  out.clear();
  std::size_t pos = 0;
  while (true) {
    auto eol = in.find("\r\n", pos);
    if (eol == std::string::npos) return false;
    std::size_t size = std::strtoul(in.substr(pos, eol - pos).c_str(), nullptr, 16);
    pos = eol + 2;
    if (size == 0) return true;
    if (in.size() < pos + size + 2) return false;
    out.append(in, pos, size);
    pos += size + 2;
  }
}

}  // namespace

HttpReply perform_http(const HttpCall& call) {
  HttpReply reply;
  Url url;
  if (!parse_url(call.url, url, reply.error)) return reply;
  const auto deadline = SteadyClock::now() + std::chrono::milliseconds(call.timeout_ms);
  int fd = connect_to(url, deadline, reply.error);
  if (fd < 0) return reply;
  std::string req = call.method + " " + url.target + " HTTP/1.1\r\nHost: " + url.authority +
                    "\r\nConnection: close\r\nContent-Length: " + std::to_string(call.body.size()) +
                    "\r\n";
  for (const auto& [k, v] : call.headers)
    req += k + ": " + v + "\r\n";
  req += "\r\n" + call.body;
  if (!send_all(fd, req, deadline)) {
    reply.error = "Failed to send the request to " + url.authority;
    close(fd);
    return reply;
  }
  std::string data;
  char buf[16384];
  std::size_t header_end = std::string::npos;
  long long content_length = -1;
  bool chunked = false;
  while (true) {
    pollfd p{fd, POLLIN, 0};
    if (poll(&p, 1, remaining_ms(deadline)) != 1) {
      reply.error = "Read timed out from " + url.authority;
      close(fd);
      return reply;
    }
    ssize_t n = recv(fd, buf, sizeof buf, 0);
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) continue;
    if (n <= 0) break;
    data.append(buf, static_cast<std::size_t>(n));
    if (header_end == std::string::npos) {
      header_end = data.find("\r\n\r\n");
      if (header_end != std::string::npos) {
        std::string head = data.substr(0, header_end);
        auto first = head.find("\r\n");
        std::string status_line = head.substr(0, first);
        auto sp = status_line.find(' ');
        reply.status = sp == std::string::npos ? 0 : std::atoi(status_line.c_str() + sp + 1);
        std::size_t pos = first == std::string::npos ? head.size() : first + 2;
        while (pos < head.size()) {
          auto eol = head.find("\r\n", pos);
          std::string line =
              head.substr(pos, eol == std::string::npos ? std::string::npos : eol - pos);
          pos = eol == std::string::npos ? head.size() : eol + 2;
          auto colon = line.find(':');
          if (colon == std::string::npos) continue;
          std::string k = line.substr(0, colon);
          std::string v = line.substr(colon + 1);
          while (!v.empty() && (v.front() == ' ' || v.front() == '\t'))
            v.erase(v.begin());
          if (ascii_lower(k) == "content-length") content_length = std::atoll(v.c_str());
          if (ascii_lower(k) == "transfer-encoding" &&
              ascii_lower(v).find("chunked") != std::string::npos)
            chunked = true;
          reply.headers.emplace_back(std::move(k), std::move(v));
        }
      }
    }
    if (header_end != std::string::npos) {
      const std::string body = data.substr(header_end + 4);
      if (content_length >= 0 && static_cast<long long>(body.size()) >= content_length) break;
      std::string decoded;
      if (chunked && dechunk(body, decoded)) break;
    }
  }
  close(fd);
  if (header_end == std::string::npos) {
    reply.status = 0;
    reply.error = "No HTTP response from " + url.authority;
    return reply;
  }
  std::string body = data.substr(header_end + 4);
  if (chunked) {
    std::string decoded;
    dechunk(body, decoded);
    body = std::move(decoded);
  } else if (content_length >= 0 && static_cast<long long>(body.size()) > content_length) {
    body.resize(static_cast<std::size_t>(content_length));
  }
  reply.body = std::move(body);
  return reply;
}

PosixHttpPort::PosixHttpPort(std::size_t threads) {
  for (std::size_t i = 0; i < threads; ++i)
    threads_.emplace_back([this] { run(); });
}

PosixHttpPort::~PosixHttpPort() {
  stop();
}

void PosixHttpPort::stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
    cv_.notify_all();
  }
  for (auto& t : threads_)
    if (t.joinable()) t.join();
  threads_.clear();
}

void PosixHttpPort::send(HttpCall call, std::function<void(HttpReply)> done) {
  std::lock_guard lock(mu_);
  if (stopping_) return;
  queue_.emplace_back(std::move(call), std::move(done));
  cv_.notify_one();
}

void PosixHttpPort::run() {
  while (true) {
    std::pair<HttpCall, std::function<void(HttpReply)>> job;
    {
      std::unique_lock lock(mu_);
      cv_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (stopping_) return;
      job = std::move(queue_.front());
      queue_.pop_front();
    }
    job.second(perform_http(job.first));
  }
}

}  // namespace sluice::api::sfn
