#pragma once
// The HTTP/1.1 server (Boost.Beast). This header is Beast-free; only src/http/*.cpp
// include Asio and Beast, compiled once.
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "sluice/api/http_types.hpp"

namespace sluice::http {

struct ServerOptions {
  std::string host = "127.0.0.1";
  std::uint16_t port = 4566;  // 0: pick a free port
  std::size_t threads = 2;
  std::size_t body_limit = 8 * 1024 * 1024;           // bytes; larger bodies get 413 unread
  std::size_t header_limit = 16 * 1024;               // bytes; larger headers get 431
  std::chrono::milliseconds header_timeout{30'000};   // to receive a complete header
  std::chrono::milliseconds idle_timeout{120'000};    // keep-alive connection with no request
  std::chrono::milliseconds request_timeout{60'000};  // to receive a body / send a response
  // Connections served at once (kept below the file descriptor limit); more get a 503
  // ServiceUnavailable and are closed.
  std::size_t max_connections = 10000;
};

// Responders handed to the handler hold their connection: they must not outlive the
// Server (main destroys the services, which may park them, before the server).
class Server {
 public:
  Server(ServerOptions options, api::HttpHandler handler);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds and listens; returns the bound port or an error message.
  std::uint16_t listen(std::string& error);
  // Runs the I/O threads until stop(); the calling thread is one of them.
  void run();
  // Stops accepting, lets in-flight requests finish (up to `grace`), closes idle
  // connections, and makes run() return. Safe to call from any thread.
  void stop(std::chrono::milliseconds grace = std::chrono::milliseconds(2000));
  // Calls `fn` on SIGINT/SIGTERM (from an I/O thread).
  void on_signal(std::function<void(int)> fn);
  std::size_t open_connections() const;

  struct Impl;  // public so that the .cpp's session type can refer to it

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace sluice::http
