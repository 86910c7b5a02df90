#include "sluice/http/server.hpp"

#include <sys/resource.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <memory_resource>
#include <mutex>
#include <thread>
#include <unordered_set>
#include <vector>

#include <boost/asio/dispatch.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include "sluice/common/ascii.hpp"
#include "sluice/common/encoding.hpp"
#include "sluice/common/log.hpp"

namespace sluice::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
using tcp = asio::ip::tcp;

class Session;

namespace {

// After an error response (or any close) the socket is shut down for sending and what
// the client still sends is read and dropped for a while: closing a socket with unread
// data makes the kernel send a reset, which can destroy the response before the client
// reads it (a 413 sent while the client is still uploading would be lost).
constexpr auto kLingerTime = std::chrono::seconds(2);
constexpr std::size_t kLingerBytes = 4 * 1024 * 1024;
// What one read from a connection asks the kernel for at least. Beast reads whatever
// room the buffer has (512 bytes at minimum): an SDK's request (headers and a 1 KiB
// body, ~2 KiB) took four recvmsg calls until the buffer started this large. A
// connection sending larger requests grows its buffer and keeps it.
constexpr std::size_t kReadChunk = 4 * 1024;
// Room for a request's parsed fields (an SDK request's take ~1.5 KiB) before its arena
// turns to the heap.
constexpr std::size_t kFieldsArena = 3 * 1024;

// A request's fields are allocated from its connection's arena, emptied before each
// request, rather than one heap allocation per field.
using FieldsAllocator = std::pmr::polymorphic_allocator<char>;
using RequestParser = bhttp::request_parser<bhttp::string_body, FieldsAllocator>;
// Connections over the limit still get a 503 (read their request header, answer, close);
// this many at a time, beyond that they are closed at once.
constexpr std::size_t kMaxRejecting = 64;
// Kept free below the process's file limit for the store, logs and accept() itself.
constexpr std::size_t kReservedDescriptors = 64;

}  // namespace

struct Server::Impl {
  ServerOptions options;
  api::HttpHandler handler;
  // Sessions unregister in their destructors, which can run while the io_context below
  // is destroyed (handlers still queued hold sessions): declared first, destroyed last.
  std::mutex sessions_mu;
  std::unordered_set<Session*> sessions;
  std::atomic<std::size_t> connections{0};  // sessions serving requests
  std::atomic<std::size_t> rejecting{0};    // sessions answering 503 over the limit
  std::size_t max_connections = 0;          // options.max_connections, within the fd limit
  // One io_context per I/O thread, each run by that thread alone: a connection stays on
  // one thread, so serving it never wakes or waits for the other (a shared io_context
  // handed each request's completions between threads). `ioc` (the acceptor, signals
  // and drain timer) is the calling thread's; `extra` the others', declared first so
  // that they outlive what `ioc` may still hold.
  std::vector<std::unique_ptr<asio::io_context>> extra;
  std::atomic<std::size_t> next_context{0};
  asio::io_context ioc{1};
  tcp::acceptor acceptor{ioc};
  asio::steady_timer accept_retry{ioc};
  asio::signal_set signals{ioc};
  std::function<void(int)> signal_fn;
  std::atomic<bool> stopping{false};
  asio::steady_timer drain_timer{ioc};
  std::chrono::steady_clock::time_point drain_deadline;

  Impl(ServerOptions o, api::HttpHandler h) : options(std::move(o)), handler(std::move(h)) {
    for (std::size_t i = 1; i < options.threads; ++i)
      extra.push_back(std::make_unique<asio::io_context>(1));
  }
  // The io_context of the next connection, round robin over the I/O threads.
  asio::io_context& pick_context() {
    const std::size_t n = next_context.fetch_add(1, std::memory_order_relaxed) % (extra.size() + 1);
    return n == 0 ? ioc : *extra[n - 1];
  }
  void accept();
  void close_idle_sessions();
  void drain_tick();
};

class Session : public std::enable_shared_from_this<Session> {
 public:
  // `reject`: the server is at its connection limit; answer 503 and close.
  Session(tcp::socket socket, Server::Impl& server, bool reject)
      : stream_(std::move(socket)), server_(server), reject_(reject) {
    std::lock_guard lock(server_.sessions_mu);
    server_.sessions.insert(this);
    (reject_ ? server_.rejecting : server_.connections).fetch_add(1);
    beast::error_code ec;
    auto ep = stream_.socket().remote_endpoint(ec);
    if (!ec) remote_ = ep.address().to_string() + ":" + std::to_string(ep.port());
  }
  ~Session() {
    std::lock_guard lock(server_.sessions_mu);
    server_.sessions.erase(this);
    (reject_ ? server_.rejecting : server_.connections).fetch_sub(1);
  }

  void start() {
    asio::dispatch(stream_.get_executor(), [self = shared_from_this()] { self->read_header(); });
  }

  // Called on shutdown (from any thread): close if waiting for a new request, or if
  // only lingering after a close.
  void close_if_idle() {
    asio::post(stream_.get_executor(), [self = shared_from_this()] {
      if ((self->idle_ && self->buffer_.size() == 0) || self->closing_) {
        beast::error_code ec;
        self->stream_.socket().shutdown(tcp::socket::shutdown_both, ec);
        self->stream_.close();
      }
    });
  }

 private:
  void read_header() {
    if (server_.stopping.load() && buffer_.size() == 0) {
      close();
      return;
    }
    // The previous request's fields are gone with its parser: the arena can start over.
    parser_.reset();
    fields_arena_.release();
    parser_.emplace(std::piecewise_construct, std::make_tuple(),
                    std::make_tuple(FieldsAllocator(&fields_arena_)));
    if (buffer_.capacity() < kReadChunk) buffer_.reserve(kReadChunk);
    parser_->header_limit(static_cast<std::uint32_t>(server_.options.header_limit));
    parser_->body_limit(server_.options.body_limit);
    idle_ = true;
    // Idle keep-alive connections get the idle timeout; a started request the header one.
    stream_.expires_after(buffer_.size() ? server_.options.header_timeout
                                         : server_.options.idle_timeout);
    bhttp::async_read_header(
        stream_, buffer_, *parser_,
        [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_header(ec); });
  }

  void on_header(beast::error_code ec) {
    idle_ = false;
    if (ec) return on_read_error(ec);
    auto& req = parser_->get();
    if (reject_) {
      return send_error(503, "ServiceUnavailable",
                        "The server is at its connection limit; retry shortly.", false);
    }
    // Reject oversized bodies before reading them.
    if (auto len = parser_->content_length(); len && *len > server_.options.body_limit) {
      return send_error(413, "RequestEntityTooLarge",
                        "The request body exceeds the limit of " +
                            std::to_string(server_.options.body_limit) + " bytes.");
    }
    if (beast::iequals(req[bhttp::field::expect], "100-continue") && !parser_->is_done()) {
      auto cont = std::make_shared<bhttp::response<bhttp::empty_body>>(bhttp::status::continue_,
                                                                       req.version());
      bhttp::async_write(stream_, *cont,
                         [self = shared_from_this(), cont](beast::error_code wec, std::size_t) {
                           if (wec) return self->close();
                           self->read_body();
                         });
      return;
    }
    read_body();
  }

  void read_body() {
    if (parser_->is_done()) return on_request();
    stream_.expires_after(server_.options.request_timeout);
    bhttp::async_read(stream_, buffer_, *parser_,
                      [self = shared_from_this()](beast::error_code ec, std::size_t) {
                        if (ec) return self->on_read_error(ec);
                        self->on_request();
                      });
  }

  void on_read_error(beast::error_code ec) {
    if (ec == bhttp::error::end_of_stream || ec == asio::error::eof ||
        ec == asio::error::operation_aborted || ec == beast::error::timeout ||
        ec == asio::error::connection_reset || ec == asio::error::bad_descriptor) {
      return close();
    }
    if (ec == bhttp::error::body_limit) {
      return send_error(413, "RequestEntityTooLarge",
                        "The request body exceeds the limit of " +
                            std::to_string(server_.options.body_limit) + " bytes.");
    }
    if (ec == bhttp::error::header_limit) {
      return send_error(431, "RequestHeaderFieldsTooLarge",
                        "The request headers exceed the limit of " +
                            std::to_string(server_.options.header_limit) + " bytes.");
    }
    // The client went away in the middle of a request: nothing to answer.
    if (ec == bhttp::error::partial_message) return close();
    send_error(400, "BadRequest", "Malformed HTTP request: " + ec.message() + ".");
  }

  // An error the HTTP layer answers itself, shaped like an AWS error of the protocol
  // the request speaks (when its header got that far), then the connection closes.
  void send_error(int status, const std::string& code, const std::string& message,
                  bool sender_fault = true) {
    const std::string request_id = uuid_v4();
    api::HttpResponse r;
    r.status = status;
    bool json = false;
    // Whatever fields were parsed so far: a header that broke a limit (body_limit fires
    // when the header completes with a too-large Content-Length) was read in full.
    if (parser_) {
      const auto& req = parser_->get();
      json =
          req.find("x-amz-target") != req.end() ||
          beast::iequals(req[bhttp::field::content_type].substr(0, 23), "application/x-amz-json-");
    }
    if (json) {
      r.content_type = "application/x-amz-json-1.0";
      r.body =
          "{\"__type\":\"com.amazon.coral.service#" + code + "\",\"message\":\"" + message + "\"}";
    } else {
      r.content_type = "text/xml";
      r.body = "<?xml version=\"1.0\"?><ErrorResponse><Error><Type>" +
               std::string(sender_fault ? "Sender" : "Receiver") + "</Type><Code>" + code +
               "</Code><Message>" + message + "</Message><Detail/></Error><RequestId>" +
               request_id + "</RequestId></ErrorResponse>";
    }
    r.headers.emplace_back("x-amzn-RequestId", request_id);
    r.close = true;
    const bool head = parser_ && parser_->get().method() == bhttp::verb::head;
    write(std::move(r), 11, head);
  }

  void on_request() {
    auto msg = parser_->release();
    api::HttpRequest req;
    req.method = std::string(msg.method_string());
    req.target = std::string(msg.target());
    const auto q = req.target.find('?');
    req.path = req.target.substr(0, q);
    if (q != std::string::npos) req.query = req.target.substr(q + 1);
    req.headers.reserve(16);
    for (const auto& field : msg)
      req.headers.emplace_back(ascii_lower(field.name_string()), field.value());
    req.body = std::move(msg.body());
    req.remote_address = remote_;
    const unsigned version = msg.version();
    const bool keep_alive = msg.keep_alive();
    const bool head = msg.method() == bhttp::verb::head;
    // The handler may answer from another thread; come back to this connection's strand.
    // dispatch: an answer given on this strand (or on this thread, inside another
    // connection's work, e.g. a long poll woken by a send) is written at once, in the
    // caller's stack; write() takes no lock, so a caller holding an engine lock is fine.
    server_.handler(std::move(req), [self = shared_from_this(), version, keep_alive,
                                     head](api::HttpResponse response) {
      asio::dispatch(self->stream_.get_executor(),
                     [self, version, keep_alive, head, r = std::move(response)]() mutable {
                       if (!keep_alive) r.close = true;
                       self->write(std::move(r), version, head);
                     });
    });
  }

  // Writes the answer: the status line and fields are formatted here into one string and
  // sent with the body in one gather write (Beast's serializer cost more than the rest
  // of a SendMessage's HTTP work).
  void write(api::HttpResponse r, unsigned version, bool head) {
    const bool close_after = r.close || server_.stopping.load();
    const auto status = static_cast<bhttp::status>(r.status);
    // No body and no Content-Length on 1xx, 204 and 304 answers (RFC 9110 8.6; Beast
    // wrote "Content-Length: 0" on them).
    const bool bodiless = r.status < 200 || r.status == 204 || r.status == 304;
    std::string& out = out_head_;
    out.clear();
    // The request's version (Beast 1.81 parses 1.0 and 1.1 only), written as Beast did.
    out.append("HTTP/");
    out.push_back(static_cast<char>('0' + version / 10 % 10));
    out.push_back('.');
    out.push_back(static_cast<char>('0' + version % 10));
    out.push_back(' ');
    out.append(std::to_string(r.status));
    out.push_back(' ');
    out.append(bhttp::obsolete_reason(status));
    out.append("\r\nServer: Sluice\r\n");
    if (!r.content_type.empty()) append_field(out, "Content-Type", r.content_type);
    for (const auto& [name, value] : r.headers)
      append_field(out, name, value);
    // HTTP/1.1 keeps the connection open unless told; HTTP/1.0 closes it unless told.
    if (version < 11 && !close_after) append_field(out, "Connection", "keep-alive");
    if (version >= 11 && close_after) append_field(out, "Connection", "close");
    // HEAD: the headers a GET would get, Content-Length included, and no body.
    if (!bodiless) append_field(out, "Content-Length", std::to_string(r.body.size()));
    out.append("\r\n");
    out_body_ = head || bodiless ? std::string() : std::move(r.body);
    stream_.expires_after(server_.options.request_timeout);
    const std::array<asio::const_buffer, 2> buffers{asio::buffer(out_head_),
                                                    asio::buffer(out_body_)};
    asio::async_write(stream_, buffers,
                      [self = shared_from_this(), close_after](beast::error_code ec, std::size_t) {
                        // Not kept while the connection idles (a receive's can be MiBs).
                        self->out_body_ = std::string();
                        if (ec) return self->abort();
                        if (close_after) return self->close();
                        self->read_header();
                      });
  }

  static void append_field(std::string& out, std::string_view name, std::string_view value) {
    out.append(name);
    out.append(": ");
    out.append(value);
    out.append("\r\n");
  }

  // Graceful close: stop sending, then drain what the client still sends until it
  // closes, kLingerTime passes or kLingerBytes arrived (see kLingerTime).
  void close() {
    if (closing_) return;
    closing_ = true;
    idle_ = false;
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
    if (ec || !stream_.socket().is_open()) return abort();
    stream_.expires_after(kLingerTime);
    linger();
  }

  void linger() {
    if (!linger_buffer_) linger_buffer_ = std::make_unique<std::array<char, 16384>>();
    stream_.async_read_some(asio::buffer(*linger_buffer_),
                            [self = shared_from_this()](beast::error_code ec, std::size_t n) {
                              self->lingered_ += n;
                              if (ec || self->lingered_ > kLingerBytes) return self->abort();
                              self->linger();
                            });
  }

  void abort() { stream_.close(); }

  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  std::array<std::byte, kFieldsArena> fields_space_;
  std::pmr::monotonic_buffer_resource fields_arena_{fields_space_.data(), fields_space_.size()};
  std::optional<RequestParser> parser_;  // after the arena: destroyed before it
  std::string out_head_;                 // the answer being written: its status line and fields
  std::string out_body_;                 // and its body
  Server::Impl& server_;
  std::string remote_;
  const bool reject_;
  bool idle_ = false;
  bool closing_ = false;
  std::size_t lingered_ = 0;
  std::unique_ptr<std::array<char, 16384>> linger_buffer_;
};

void Server::Impl::accept() {
  acceptor.async_accept(
      asio::make_strand(pick_context()), [this](beast::error_code ec, tcp::socket socket) {
        if (ec) {
          if (ec == asio::error::operation_aborted || stopping.load()) return;
          // Out of file descriptors (EMFILE/ENFILE) or memory: accepting again at once would
          // fail again at once, spinning a core and flooding the log. Back off a little.
          logger("http")->warn("accept failed: {}; retrying in 100 ms", ec.message());
          accept_retry.expires_after(std::chrono::milliseconds(100));
          accept_retry.async_wait([this](beast::error_code wec) {
            if (!wec && !stopping.load()) accept();
          });
          return;
        }
        if (stopping.load()) return;
        if (connections.load() < max_connections) {
          std::make_shared<Session>(std::move(socket), *this, false)->start();
        } else if (rejecting.load() < kMaxRejecting) {
          std::make_shared<Session>(std::move(socket), *this, true)->start();
        } else {
          beast::error_code ignored;
          socket.close(ignored);
        }
        accept();
      });
}

void Server::Impl::close_idle_sessions() {
  std::vector<std::shared_ptr<Session>> live;
  {
    std::lock_guard lock(sessions_mu);
    for (Session* s : sessions) {
      if (auto sp = s->weak_from_this().lock()) live.push_back(std::move(sp));
    }
  }
  for (auto& s : live)
    s->close_if_idle();
}

void Server::Impl::drain_tick() {
  if ((connections.load() == 0 && rejecting.load() == 0) ||
      std::chrono::steady_clock::now() >= drain_deadline) {
    ioc.stop();
    return;
  }
  close_idle_sessions();
  drain_timer.expires_after(std::chrono::milliseconds(5));
  drain_timer.async_wait([this](beast::error_code) { drain_tick(); });
}

namespace {
// Each connection is a file descriptor: raise the soft limit as far as the hard limit
// allows, and keep the connection limit below it so accept() never runs out first.
std::size_t connection_limit(std::size_t wanted) {
  rlimit lim{};
  if (::getrlimit(RLIMIT_NOFILE, &lim) != 0) return wanted;
  const rlim_t needed = static_cast<rlim_t>(wanted + kReservedDescriptors + kMaxRejecting);
  if (lim.rlim_cur != RLIM_INFINITY && lim.rlim_cur < needed) {
    rlimit raised = lim;
    raised.rlim_cur = lim.rlim_max == RLIM_INFINITY ? needed : std::min(needed, lim.rlim_max);
    if (::setrlimit(RLIMIT_NOFILE, &raised) == 0) lim = raised;
  }
  if (lim.rlim_cur == RLIM_INFINITY || lim.rlim_cur >= needed) return wanted;
  const std::size_t reserve = kReservedDescriptors + kMaxRejecting;
  const std::size_t fit = lim.rlim_cur > reserve ? lim.rlim_cur - reserve : 1;
  logger("http")->warn(
      "the file descriptor limit ({}) allows {} connections, not the {} configured; raise "
      "`ulimit -n` for more",
      static_cast<unsigned long long>(lim.rlim_cur), fit, wanted);
  return fit;
}
}  // namespace

Server::Server(ServerOptions options, api::HttpHandler handler)
    : impl_(std::make_unique<Impl>(std::move(options), std::move(handler))) {}

Server::~Server() {
  if (!impl_->ioc.stopped()) impl_->ioc.stop();
  for (auto& c : impl_->extra)
    c->stop();
}

std::uint16_t Server::listen(std::string& error) {
  beast::error_code ec;
  auto address = asio::ip::make_address(impl_->options.host, ec);
  if (ec) {
    error = "invalid host address '" + impl_->options.host + "': " + ec.message();
    return 0;
  }
  tcp::endpoint endpoint{address, impl_->options.port};
  impl_->acceptor.open(endpoint.protocol(), ec);
  if (!ec) impl_->acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) impl_->acceptor.bind(endpoint, ec);
  if (!ec) impl_->acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    error = "cannot listen on " + impl_->options.host + ":" + std::to_string(impl_->options.port) +
            ": " + ec.message();
    return 0;
  }
  impl_->max_connections = connection_limit(impl_->options.max_connections);
  impl_->accept();
  return impl_->acceptor.local_endpoint().port();
}

void Server::on_signal(std::function<void(int)> fn) {
  impl_->signal_fn = std::move(fn);
  impl_->signals.add(SIGINT);
  impl_->signals.add(SIGTERM);
  impl_->signals.async_wait([this](beast::error_code ec, int sig) {
    if (!ec && impl_->signal_fn) impl_->signal_fn(sig);
  });
}

void Server::run() {
  std::vector<std::thread> threads;
  for (auto& c : impl_->extra)
    threads.emplace_back([ctx = c.get()] {
      // Kept running while it has no connection; stopped with `ioc` below.
      auto work = asio::make_work_guard(*ctx);
      ctx->run();
    });
  impl_->ioc.run();
  for (auto& c : impl_->extra)
    c->stop();
  for (auto& t : threads)
    t.join();
}

void Server::stop(std::chrono::milliseconds grace) {
  asio::post(impl_->ioc, [this, grace] {
    if (impl_->stopping.exchange(true)) return;
    beast::error_code ec;
    impl_->acceptor.close(ec);
    impl_->signals.cancel(ec);
    impl_->drain_deadline = std::chrono::steady_clock::now() + grace;
    impl_->drain_tick();
  });
}

std::size_t Server::open_connections() const {
  return impl_->connections.load();
}

}  // namespace sluice::http
