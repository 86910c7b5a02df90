// Blocking HTTP/1.1 POST over POSIX sockets with connect/read/write deadlines.
#include "sluice/services/sns/posix_http_client.hpp"

#include <fcntl.h>
#include <netdb.h>
#include <openssl/ssl.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>

#include "sluice/common/ascii.hpp"

namespace sluice::services::sns {

namespace {

struct Url {
  std::string host;
  std::string port = "80";
  std::string target = "/";
  bool tls = false;
};

bool parse_url(const std::string& url, Url& out, std::string& error) {
  std::string rest;
  if (url.rfind("http://", 0) == 0) {
    rest = url.substr(7);
  } else if (url.rfind("https://", 0) == 0) {
    rest = url.substr(8);
    out.tls = true;
    out.port = "443";
  } else {
    error = "unsupported URL " + url;
    return false;
  }
  const std::size_t slash = rest.find('/');
  std::string authority = rest.substr(0, slash);
  out.target = slash == std::string::npos ? "/" : rest.substr(slash);
  if (const auto at = authority.rfind('@'); at != std::string::npos)
    authority = authority.substr(at + 1);
  if (!authority.empty() && authority[0] == '[') {
    const auto close = authority.find(']');
    if (close == std::string::npos) {
      error = "bad host in " + url;
      return false;
    }
    out.host = authority.substr(1, close - 1);
    if (close + 1 < authority.size() && authority[close + 1] == ':')
      out.port = authority.substr(close + 2);
  } else {
    const auto colon = authority.rfind(':');
    out.host = authority.substr(0, colon);
    if (colon != std::string::npos) out.port = authority.substr(colon + 1);
  }
  if (out.host.empty()) {
    error = "no host in " + url;
    return false;
  }
  return true;
}

using Clock = std::chrono::steady_clock;

int remaining_ms(Clock::time_point deadline) {
  const auto left =
      std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
  return left < 0 ? 0 : static_cast<int>(left);
}

int connect_with_deadline(const Url& url, Clock::time_point deadline, std::string& error) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* res = nullptr;
  if (const int rc = getaddrinfo(url.host.c_str(), url.port.c_str(), &hints, &res); rc != 0) {
    error = std::string("cannot resolve ") + url.host + ": " + gai_strerror(rc);
    return -1;
  }
  int fd = -1;
  for (addrinfo* ai = res; ai; ai = ai->ai_next) {
    fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK, ai->ai_protocol);
    if (fd < 0) continue;
    int rc = connect(fd, ai->ai_addr, ai->ai_addrlen);
    if (rc != 0 && errno == EINPROGRESS) {
      pollfd p{fd, POLLOUT, 0};
      rc = poll(&p, 1, remaining_ms(deadline)) == 1 ? 0 : -1;
      int so_error = 0;
      socklen_t len = sizeof so_error;
      if (rc == 0 &&
          (getsockopt(fd, SOL_SOCKET, SO_ERROR, &so_error, &len) != 0 || so_error != 0)) {
        errno = so_error;
        rc = -1;
      }
    }
    if (rc == 0) break;
    error = std::string("cannot connect to ") + url.host + ":" + url.port + ": " +
            (errno ? std::strerror(errno) : "timeout");
    close(fd);
    fd = -1;
  }
  freeaddrinfo(res);
  return fd;
}

bool send_all(int fd, const std::string& data, Clock::time_point deadline) {
  std::size_t sent = 0;
  while (sent < data.size()) {
    const ssize_t n = send(fd, data.data() + sent, data.size() - sent, MSG_NOSIGNAL);
    if (n > 0) {
      sent += static_cast<std::size_t>(n);
      continue;
    }
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      pollfd p{fd, POLLOUT, 0};
      if (poll(&p, 1, remaining_ms(deadline)) != 1) return false;
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    return false;
  }
  return true;
}

// A TLS session over a connected socket. Certificates are not verified: endpoints a
// developer runs locally are typically self-signed (AWS would require a trusted CA).
struct TlsSession {
  SSL_CTX* ctx = nullptr;
  SSL* ssl = nullptr;
  ~TlsSession() {
    if (ssl) SSL_free(ssl);
    if (ctx) SSL_CTX_free(ctx);
  }
  bool open(int fd, const std::string& host, Clock::time_point deadline, std::string& error) {
    // Blocking I/O bounded by socket timeouts keeps the handshake simple.
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
    const int ms = std::max(1, remaining_ms(deadline));
    timeval tv{ms / 1000, (ms % 1000) * 1000};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    ctx = SSL_CTX_new(TLS_client_method());
    if (!ctx) {
      error = "cannot create a TLS context";
      return false;
    }
    SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, nullptr);
    ssl = SSL_new(ctx);
    SSL_set_fd(ssl, fd);
    SSL_set_tlsext_host_name(ssl, host.c_str());
    if (SSL_connect(ssl) != 1) {
      error = "TLS handshake with " + host + " failed";
      return false;
    }
    return true;
  }
  bool write_all(const std::string& data) {
    std::size_t off = 0;
    while (off < data.size()) {
      const int n = SSL_write(ssl, data.data() + off, static_cast<int>(data.size() - off));
      if (n <= 0) return false;
      off += static_cast<std::size_t>(n);
    }
    return true;
  }
};

}  // namespace

PosixHttpClient::PosixHttpClient(std::size_t threads) {
  for (std::size_t i = 0; i < threads; ++i)
    threads_.emplace_back([this] { run(); });
}

PosixHttpClient::~PosixHttpClient() {
  stop();
}

void PosixHttpClient::stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  for (auto& t : threads_) {
    if (!t.joinable()) continue;
    // The last owner may let go of the client from one of its own callbacks.
    if (t.get_id() == std::this_thread::get_id()) {
      t.detach();
    } else {
      t.join();
    }
  }
  threads_.clear();
}

void PosixHttpClient::post(HttpOutRequest request, std::function<void(HttpOutResponse)> done) {
  {
    std::lock_guard lock(mu_);
    if (stopping_) return;
    queue_.emplace_back(std::move(request), std::move(done));
  }
  cv_.notify_one();
}

void PosixHttpClient::run() {
  for (;;) {
    std::pair<HttpOutRequest, std::function<void(HttpOutResponse)>> job;
    {
      std::unique_lock lock(mu_);
      cv_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (stopping_) return;
      job = std::move(queue_.front());
      queue_.pop_front();
    }
    HttpOutResponse response = perform(job.first);
    if (job.second) job.second(std::move(response));
  }
}

HttpOutResponse PosixHttpClient::perform(const HttpOutRequest& request) {
  HttpOutResponse out;
  Url url;
  if (!parse_url(request.url, url, out.error)) return out;
  const auto deadline = Clock::now() + std::chrono::milliseconds(request.timeout_ms);
  const int fd = connect_with_deadline(url, deadline, out.error);
  if (fd < 0) return out;
  TlsSession tls;
  if (url.tls && !tls.open(fd, url.host, deadline, out.error)) {
    close(fd);
    return out;
  }
  const bool default_port = url.port == (url.tls ? "443" : "80");
  std::string head = request.method + " " + url.target + " HTTP/1.1\r\nHost: " + url.host +
                     (default_port ? "" : ":" + url.port) + "\r\n";
  for (const auto& [k, v] : request.headers)
    head += k + ": " + v + "\r\n";
  head +=
      "Content-Length: " + std::to_string(request.body.size()) + "\r\nConnection: close\r\n\r\n";
  const bool sent =
      url.tls ? tls.write_all(head + request.body) : send_all(fd, head + request.body, deadline);
  if (!sent) {
    out.error = "cannot send the request";
    close(fd);
    return out;
  }
  std::string data;
  char buf[8192];
  std::size_t header_end = std::string::npos;
  std::size_t content_length = std::string::npos;
  for (;;) {
    if (header_end != std::string::npos && content_length != std::string::npos &&
        data.size() >= header_end + 4 + content_length)
      break;
    ssize_t n = 0;
    if (url.tls) {
      n = SSL_read(tls.ssl, buf, sizeof buf);
      if (n <= 0 && Clock::now() >= deadline) out.error = "timed out waiting for the response";
      if (n <= 0) break;
    } else {
      pollfd p{fd, POLLIN, 0};
      if (poll(&p, 1, remaining_ms(deadline)) != 1) {
        out.error = "timed out waiting for the response";
        break;
      }
      n = recv(fd, buf, sizeof buf, 0);
    }
    if (n < 0 && (errno == EINTR || errno == EAGAIN)) continue;
    if (n <= 0) break;
    data.append(buf, static_cast<std::size_t>(n));
    if (header_end == std::string::npos) {
      header_end = data.find("\r\n\r\n");
      if (header_end != std::string::npos) {
        const std::string lower = ascii_lower(std::string_view(data).substr(0, header_end));
        if (auto cl = lower.find("\r\ncontent-length:"); cl != std::string::npos)
          content_length = std::strtoul(lower.c_str() + cl + 17, nullptr, 10);
      }
    }
    if (data.size() > 1024 * 1024) break;  // the body is not needed beyond this
  }
  close(fd);
  // "HTTP/1.1 200 OK"
  if (data.rfind("HTTP/", 0) == 0) {
    const auto sp = data.find(' ');
    if (sp != std::string::npos) out.status = std::atoi(data.c_str() + sp + 1);
    if (header_end != std::string::npos) out.body = data.substr(header_end + 4);
    out.error.clear();
  } else if (out.error.empty()) {
    out.error = "no HTTP response";
  }
  return out;
}

}  // namespace sluice::services::sns
