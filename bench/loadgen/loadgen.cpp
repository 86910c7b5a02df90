// SQS and Step Functions load generator for bench/run.sh and bench/sfn.sh: replays
// request templates captured from real SDKs (bench/requests/) over keep-alive HTTP/1.1
// connections, one epoll thread.
//
//   loadgen run --target 127.0.0.1:PORT --templates DIR --queue-url URL
//               --scenario send|send-batch|flow1|flow10 [--connections 16]
//               [--warmup 1] [--duration 5] [--rate CYCLES_PER_S] [--count CYCLES]
//               [--body-size 1024] [--label TEXT]
//   loadgen run --target 127.0.0.1:PORT --templates DIR --state-machine-arn ARN
//               --scenario sfn-start|sfn-sync [same options]
//   loadgen run --target 127.0.0.1:PORT --templates DIR --topic-arn ARN
//               --scenario sns-publish [same options]
//   loadgen create-queue --target 127.0.0.1:PORT --name NAME      (prints the QueueUrl)
//   loadgen drain --target 127.0.0.1:PORT --templates DIR --queue-list FILE [--connections N]
//               (empties every queue in FILE, one URL a line, with ReceiveMessage(10) and
//               DeleteMessageBatch; prints DRAIN lines: messages deleted per queue)
//   loadgen depth --target 127.0.0.1:PORT --queue-url URL         (ApproximateNumberOfMessages)
//
// A cycle is the scenario's request sequence on one connection: send = SendMessage;
// send-batch = SendMessageBatch(10); flow1 = SendMessage, ReceiveMessage(max 1),
// DeleteMessage; flow10 = SendMessageBatch(10), ReceiveMessage(max 10),
// DeleteMessageBatch(of what was received). Deletes use the receipt handles parsed from
// the receive answer. sfn-start = StartExecution (of a STANDARD machine: the answer
// comes when the execution is started, not finished); sfn-sync = StartSyncExecution (of
// an EXPRESS machine), where an answer whose "status" is not SUCCEEDED is an error;
// sns-publish = Publish of a 1 KiB message to the topic (--topic-arn). The
// execution input is {"seq":N} with a running N; "msgs" counts executions started
// (sfn-start) or succeeded (sfn-sync), or publishes (sns-publish). Closed loop (default): every
// connection starts its next cycle as soon as the last one ends. Open loop (--rate): cycles are
// scheduled at fixed times whatever the server does, and latency counts from the scheduled time, so
// a slow server cannot hide its queueing (no coordinated omission). Every latency sample is kept;
// percentiles are exact (nearest rank). Throughput counts responses completed inside the measured
// window, after the warm-up; latency counts requests started in it.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cinttypes>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <deque>
#include <map>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "wire.hpp"

namespace loadgen {
namespace {

uint64_t now_ns() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<uint64_t>(ts.tv_sec) * 1000000000ull + static_cast<uint64_t>(ts.tv_nsec);
}

[[noreturn]] void die(const std::string& message) {
  std::fprintf(stderr, "loadgen: %s\n", message.c_str());
  std::exit(2);
}

struct Target {
  sockaddr_in addr{};
  std::string host_header;  // "127.0.0.1:PORT", what the SDKs put in Host
};

// Load tests here only ever target this machine: refuse anything outside 127.0.0.0/8.
Target parse_target(const std::string& text) {
  size_t colon = text.rfind(':');
  if (colon == std::string::npos) die("--target must be 127.0.0.1:PORT");
  Target t;
  t.addr.sin_family = AF_INET;
  t.addr.sin_port = htons(static_cast<uint16_t>(std::atoi(text.c_str() + colon + 1)));
  std::string host = text.substr(0, colon);
  if (host == "localhost") host = "127.0.0.1";
  if (inet_pton(AF_INET, host.c_str(), &t.addr.sin_addr) != 1) die("bad address " + host);
  if ((ntohl(t.addr.sin_addr.s_addr) >> 24) != 127) die("only loopback targets are allowed");
  t.host_header = text;
  return t;
}

int connect_to(const Target& target) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) die(std::string("socket: ") + std::strerror(errno));
  if (::connect(fd, reinterpret_cast<const sockaddr*>(&target.addr), sizeof target.addr) != 0)
    die("connect to " + target.host_header + ": " + std::strerror(errno));
  int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  return fd;
}

// ---------------------------------------------------------------- setup calls (blocking)

std::optional<Response> json_call(const Target& target, const std::string& action,
                                  const std::string& body) {
  int fd = connect_to(target);
  std::string req = "POST / HTTP/1.1\r\nHost: " + target.host_header +
                    "\r\nContent-Type: application/x-amz-json-1.0\r\nX-Amz-Target: AmazonSQS." +
                    action + "\r\nContent-Length: " + std::to_string(body.size()) +
                    "\r\nConnection: close\r\n\r\n" + body;
  ::send(fd, req.data(), req.size(), MSG_NOSIGNAL);
  std::string in;
  char buf[65536];
  Response resp;
  while (true) {
    long used = parse_response(in, resp);
    if (used > 0) break;
    if (used < 0) return std::nullopt;
    ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0) return std::nullopt;
    in.append(buf, static_cast<size_t>(n));
  }
  ::close(fd);
  return resp;
}

std::string json_quote(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

// ---------------------------------------------------------------- the load run

enum class Op {
  kSendMessage,
  kSendMessageBatch,
  kReceiveMessage,
  kDeleteMessage,
  kDeleteMessageBatch,
  kStartExecution,
  kStartSyncExecution,
  kPublish,
  kCount
};
const char* op_name(Op op) {
  static const char* kNames[] = {
      "SendMessage",        "SendMessageBatch", "ReceiveMessage",     "DeleteMessage",
      "DeleteMessageBatch", "StartExecution",   "StartSyncExecution", "Publish"};
  return kNames[static_cast<int>(op)];
}

enum class Step {
  kSend1,
  kSendBatch,
  kReceive1,
  kReceive10,
  kDelete,
  kStart,
  kStartSync,
  kPublish
};

struct Options {
  std::string target = "127.0.0.1:4566";
  std::string templates;
  std::string queue_url;   // or the state machine ARN (sfn scenarios) or topic ARN (sns)
  std::string queue_list;  // drain: file of queue URLs
  std::string scenario = "send";
  std::string label = "-";
  int connections = 16;
  double warmup_s = 1;
  double duration_s = 5;
  double rate = 0;  // cycles per second; 0 = closed loop
  long count = 0;   // closed loop for exactly this many cycles
  size_t body_size = 1024;
  double grace_s = 10;  // time allowed after the window for in-flight work
};

struct Conn {
  int fd = -1;
  bool busy = false;
  std::string out;
  size_t out_off = 0;
  bool want_write = false;
  std::string in;
  size_t step = 0;
  Op op = Op::kSendMessage;
  int entries = 0;          // messages in the current request
  uint64_t started_ns = 0;  // latency origin of the current request
  bool counted = false;     // current request started inside the measured window
  std::vector<std::string> handles;
};

class Runner {
 public:
  explicit Runner(Options o) : o_(std::move(o)), target_(parse_target(o_.target)) {
    if (o_.scenario == "send")
      steps_ = {Step::kSend1};
    else if (o_.scenario == "send-batch")
      steps_ = {Step::kSendBatch};
    else if (o_.scenario == "flow1")
      steps_ = {Step::kSend1, Step::kReceive1, Step::kDelete};
    else if (o_.scenario == "flow10")
      steps_ = {Step::kSendBatch, Step::kReceive10, Step::kDelete};
    else if (o_.scenario == "sfn-start")
      steps_ = {Step::kStart};
    else if (o_.scenario == "sfn-sync")
      steps_ = {Step::kStartSync};
    else if (o_.scenario == "sns-publish")
      steps_ = {Step::kPublish};
    else
      die("unknown scenario " + o_.scenario);
    samples_.resize(static_cast<size_t>(Op::kCount));
    if (steps_[0] == Step::kStart || steps_[0] == Step::kStartSync) {
      start_ = load(steps_[0] == Step::kStart ? "StartExecution" : "StartSyncExecution");
      protocol_ = start_.protocol();
      bodies_.resize(1);
      return;
    }
    if (steps_[0] == Step::kPublish) {
      publish_ = load("Publish");
      protocol_ = publish_.protocol();
    } else {
      batch_ = o_.scenario == "flow10";
      send1_ = load("SendMessage");
      send10_ = load("SendMessageBatch-10");
      receive1_ = load("ReceiveMessage-1");
      receive10_ = load("ReceiveMessage-10");
      delete1_ = load("DeleteMessage");
      for (int k = 1; k <= 10; ++k)
        delete_batch_.push_back(load("DeleteMessageBatch-" + std::to_string(k)));
      protocol_ = send1_.protocol();
    }
    // Message bodies: printable ASCII that needs no escaping in either protocol; the
    // first 16 characters carry a running counter so no two messages are identical.
    static constexpr char kAlphabet[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    bodies_.resize(10);
    uint64_t seed = 0x9E3779B97F4A7C15ull;
    for (auto& b : bodies_) {
      b.resize(std::max<size_t>(o_.body_size, 16));
      for (auto& c : b) {
        seed ^= seed << 13, seed ^= seed >> 7, seed ^= seed << 17;
        c = kAlphabet[seed % 62];
      }
    }
  }

  int run();

 private:
  Template load(const std::string& name) {
    std::string error;
    auto t = Template::load(o_.templates + "/" + name + ".http", &error);
    if (!t) die(error);
    return std::move(*t);
  }

  void open_connection(size_t i);
  void start_cycle(size_t i, uint64_t origin_ns, uint64_t now);
  void issue(size_t i, uint64_t origin_ns, uint64_t now);
  void flush(size_t i);
  void on_readable(size_t i, uint64_t now);
  void on_response(size_t i, const Response& r, uint64_t now);
  void fail(size_t i, const std::string& why, uint64_t now);
  void update_events(size_t i);
  bool in_window(uint64_t t) const { return t >= w0_ && t < w1_; }
  bool can_start(uint64_t now) const {
    return o_.count > 0 ? started_cycles_ < o_.count : now < w1_;
  }
  void report(uint64_t end_ns);

  Options o_;
  Target target_;
  std::vector<Step> steps_;
  bool batch_ = false;
  Protocol protocol_ = Protocol::kJson;
  Template send1_, send10_, receive1_, receive10_, delete1_, start_, publish_;
  std::vector<Template> delete_batch_;
  std::vector<std::string> bodies_;
  uint64_t body_counter_ = 0;
  std::vector<Conn> conns_;
  int epoll_ = -1;
  std::deque<uint64_t> pending_;  // open loop: scheduled cycle start times not yet started
  uint64_t w0_ = 0, w1_ = 0;
  long started_cycles_ = 0;
  // Measured-window counters.
  uint64_t requests_ = 0, messages_sent_ = 0, messages_deleted_ = 0, empty_receives_ = 0;
  // Whole-run counters (warm-up and drain included), to divide the server's CPU time by.
  uint64_t all_requests_ = 0, all_messages_ = 0;
  uint64_t errors_ = 0, errors_total_ = 0, completed_cycles_total_ = 0;
  std::vector<std::vector<uint64_t>> samples_;
  std::string first_error_;
};

void Runner::open_connection(size_t i) {
  Conn& c = conns_[i];
  c.fd = connect_to(target_);
  fcntl(c.fd, F_SETFL, fcntl(c.fd, F_GETFL) | O_NONBLOCK);
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.u64 = i;
  if (epoll_ctl(epoll_, EPOLL_CTL_ADD, c.fd, &ev) != 0) die("epoll_ctl");
  c.want_write = false;
  c.in.clear();
  c.out.clear();
  c.out_off = 0;
}

void Runner::update_events(size_t i) {
  Conn& c = conns_[i];
  bool want = c.out_off < c.out.size();
  if (want == c.want_write) return;
  epoll_event ev{};
  ev.events = EPOLLIN | (want ? EPOLLOUT : 0u);
  ev.data.u64 = i;
  epoll_ctl(epoll_, EPOLL_CTL_MOD, c.fd, &ev);
  c.want_write = want;
}

void Runner::start_cycle(size_t i, uint64_t origin_ns, uint64_t now) {
  Conn& c = conns_[i];
  c.busy = true;
  c.step = 0;
  c.handles.clear();
  ++started_cycles_;
  issue(i, origin_ns, now);
}

void Runner::issue(size_t i, uint64_t origin_ns, uint64_t now) {
  Conn& c = conns_[i];
  c.out.clear();
  c.out_off = 0;
  const std::string& host = target_.host_header;
  auto stamp_bodies = [&](int n) {
    static constexpr char kHex[] = "0123456789abcdef";
    for (int k = 0; k < n; ++k) {
      uint64_t v = body_counter_++;
      for (int d = 15; d >= 0; --d, v >>= 4)
        bodies_[static_cast<size_t>(k)][static_cast<size_t>(d)] = kHex[v & 15];
    }
  };
  switch (steps_[c.step]) {
    case Step::kSend1:
      stamp_bodies(1);
      send1_.render(c.out, host, o_.queue_url, bodies_, c.handles);
      c.op = Op::kSendMessage;
      c.entries = 1;
      break;
    case Step::kSendBatch:
      stamp_bodies(10);
      send10_.render(c.out, host, o_.queue_url, bodies_, c.handles);
      c.op = Op::kSendMessageBatch;
      c.entries = 10;
      break;
    case Step::kReceive1:
      receive1_.render(c.out, host, o_.queue_url, bodies_, c.handles);
      c.op = Op::kReceiveMessage;
      c.entries = 0;
      break;
    case Step::kReceive10:
      receive10_.render(c.out, host, o_.queue_url, bodies_, c.handles);
      c.op = Op::kReceiveMessage;
      c.entries = 0;
      break;
    case Step::kDelete:
      if (batch_) {
        size_t k = std::min<size_t>(c.handles.size(), 10);
        delete_batch_[k - 1].render(c.out, host, o_.queue_url, bodies_, c.handles);
        c.op = Op::kDeleteMessageBatch;
        c.entries = static_cast<int>(k);
      } else {
        delete1_.render(c.out, host, o_.queue_url, bodies_, c.handles);
        c.op = Op::kDeleteMessage;
        c.entries = 1;
      }
      break;
    case Step::kPublish:
      stamp_bodies(1);
      publish_.render(c.out, host, o_.queue_url, bodies_, c.handles);
      c.op = Op::kPublish;
      c.entries = 1;
      break;
    case Step::kStart:
    case Step::kStartSync:
      bodies_[0] = "{\"seq\":" + std::to_string(body_counter_++) + "}";
      start_.render(c.out, host, o_.queue_url, bodies_, c.handles);
      c.op = steps_[c.step] == Step::kStart ? Op::kStartExecution : Op::kStartSyncExecution;
      c.entries = 1;
      break;
  }
  c.started_ns = origin_ns;
  c.counted = o_.count > 0 || in_window(origin_ns);
  (void)now;
  flush(i);
}

void Runner::flush(size_t i) {
  Conn& c = conns_[i];
  while (c.out_off < c.out.size()) {
    ssize_t n = ::send(c.fd, c.out.data() + c.out_off, c.out.size() - c.out_off, MSG_NOSIGNAL);
    if (n > 0) {
      c.out_off += static_cast<size_t>(n);
    } else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      break;
    } else if (n < 0 && errno == EINTR) {
      continue;
    } else {
      fail(i, std::string("send: ") + std::strerror(errno), now_ns());
      return;
    }
  }
  update_events(i);
}

void Runner::fail(size_t i, const std::string& why, uint64_t now) {
  Conn& c = conns_[i];
  ++errors_total_;
  if (in_window(now) || o_.count > 0) ++errors_;
  if (first_error_.empty()) first_error_ = why;
  epoll_ctl(epoll_, EPOLL_CTL_DEL, c.fd, nullptr);
  ::close(c.fd);
  c.busy = false;
  open_connection(i);
}

void Runner::on_readable(size_t i, uint64_t now) {
  Conn& c = conns_[i];
  char buf[65536];
  while (true) {
    ssize_t n = ::recv(c.fd, buf, sizeof buf, MSG_DONTWAIT);
    if (n > 0) {
      c.in.append(buf, static_cast<size_t>(n));
      if (static_cast<size_t>(n) < sizeof buf) break;
      continue;
    }
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
    if (n < 0 && errno == EINTR) continue;
    // EOF or reset: an answer cut short is an error; an idle close just reconnects.
    if (c.busy) {
      fail(i, n == 0 ? "server closed the connection mid-request" : std::strerror(errno), now);
    } else {
      epoll_ctl(epoll_, EPOLL_CTL_DEL, c.fd, nullptr);
      ::close(c.fd);
      open_connection(i);
    }
    return;
  }
  Response r;
  while (!c.in.empty()) {
    long used = parse_response(c.in, r);
    if (used == 0) return;
    if (used < 0 || !c.busy) {
      fail(i, "unparseable or unexpected response bytes", now);
      return;
    }
    c.in.erase(0, static_cast<size_t>(used));
    bool close_after = r.close;
    on_response(i, r, now);
    if (close_after) {
      epoll_ctl(epoll_, EPOLL_CTL_DEL, c.fd, nullptr);
      ::close(c.fd);
      bool was_busy = c.busy;
      std::string out = c.out;
      open_connection(i);
      if (was_busy) {  // the next request was already written to the closed socket
        c.out = out;
        c.out_off = 0;
        flush(i);
      }
      return;
    }
  }
}

void Runner::on_response(size_t i, const Response& r, uint64_t now) {
  Conn& c = conns_[i];
  bool window = in_window(now) || (o_.count > 0);
  if (c.counted) samples_[static_cast<size_t>(c.op)].push_back(now - c.started_ns);
  if (window) ++requests_;
  bool ok = r.status >= 200 && r.status < 300;
  int failed = ok && (c.op == Op::kSendMessageBatch || c.op == Op::kDeleteMessageBatch)
                   ? failed_batch_entries(r.body, protocol_)
                   : 0;
  if (ok && c.op == Op::kStartSyncExecution &&
      json_string_member(r.body, "status").value_or("") != "SUCCEEDED")
    failed = 1;
  if (!ok || failed > 0) {
    ++errors_total_;
    if (window) ++errors_;
    if (first_error_.empty())
      first_error_ = std::string(op_name(c.op)) + " -> HTTP " + std::to_string(r.status) + " " +
                     r.body.substr(0, 300);
    c.busy = false;  // abandon the cycle
    return;
  }
  int good = c.entries - failed;
  ++all_requests_;
  bool execution =
      c.op == Op::kStartExecution || c.op == Op::kStartSyncExecution || c.op == Op::kPublish;
  if (c.op == (batch_ ? Op::kDeleteMessageBatch : Op::kDeleteMessage) ||
      (steps_.size() == 1 &&
       (c.op == Op::kSendMessage || c.op == Op::kSendMessageBatch || execution)))
    all_messages_ += static_cast<uint64_t>(good);
  if (window) {
    if (c.op == Op::kSendMessage || c.op == Op::kSendMessageBatch || execution)
      messages_sent_ += good;
    if (c.op == Op::kDeleteMessage || c.op == Op::kDeleteMessageBatch) messages_deleted_ += good;
  }
  if (c.op == Op::kReceiveMessage) {
    c.handles = receipt_handles(r.body, protocol_);
    if (c.handles.empty()) {
      if (window) ++empty_receives_;
      c.busy = false;  // nothing to delete: the cycle ends here
      ++completed_cycles_total_;
      return;
    }
  }
  if (++c.step < steps_.size()) {
    issue(i, now, now);
    return;
  }
  c.busy = false;
  ++completed_cycles_total_;
}

int Runner::run() {
  epoll_ = epoll_create1(0);
  conns_.resize(static_cast<size_t>(o_.connections));
  for (size_t i = 0; i < conns_.size(); ++i)
    open_connection(i);
  uint64_t t0 = now_ns();
  if (o_.count > 0) {
    w0_ = t0;
    w1_ = UINT64_MAX;
  } else {
    w0_ = t0 + static_cast<uint64_t>(o_.warmup_s * 1e9);
    w1_ = w0_ + static_cast<uint64_t>(o_.duration_s * 1e9);
  }
  uint64_t hard_stop =
      (o_.count > 0 ? t0 + 600'000'000'000ull : w1_ + static_cast<uint64_t>(o_.grace_s * 1e9));
  const bool open_loop = o_.rate > 0;
  const double interval_ns = open_loop ? 1e9 / o_.rate : 0;
  uint64_t scheduled = 0;  // open loop: cycles scheduled so far
  std::vector<epoll_event> events(conns_.size());
  uint64_t end = t0;
  while (true) {
    uint64_t now = now_ns();
    uint64_t next_due = UINT64_MAX;
    if (open_loop) {
      while (true) {
        uint64_t due = t0 + static_cast<uint64_t>(static_cast<double>(scheduled) * interval_ns);
        if (due >= w1_) break;
        if (due > now) {
          next_due = due;
          break;
        }
        pending_.push_back(due);
        ++scheduled;
      }
    }
    for (size_t i = 0; i < conns_.size(); ++i) {
      if (conns_[i].busy) continue;
      if (open_loop) {
        if (pending_.empty()) break;
        uint64_t due = pending_.front();
        pending_.pop_front();
        start_cycle(i, due, now);
      } else if (can_start(now)) {
        start_cycle(i, now, now);
      }
    }
    bool any_busy = false;
    for (const auto& c : conns_)
      any_busy |= c.busy;
    bool producing = open_loop ? (next_due != UINT64_MAX || !pending_.empty()) : can_start(now);
    if (!producing && !any_busy) {
      end = now;
      break;
    }
    if (now >= hard_stop) {
      end = now;
      break;
    }
    uint64_t wake = std::min<uint64_t>(next_due, now + 50'000'000ull);
    if (!open_loop && o_.count == 0 && now < w1_) wake = std::min(wake, w1_);
    timespec ts{};
    uint64_t wait = wake > now ? wake - now : 0;
    ts.tv_sec = static_cast<time_t>(wait / 1000000000ull);
    ts.tv_nsec = static_cast<long>(wait % 1000000000ull);
    int n = epoll_pwait2(epoll_, events.data(), static_cast<int>(events.size()), &ts, nullptr);
    if (n < 0 && errno != EINTR) die(std::string("epoll_pwait2: ") + std::strerror(errno));
    now = now_ns();
    for (int k = 0; k < n; ++k) {
      size_t i = events[static_cast<size_t>(k)].data.u64;
      if (events[static_cast<size_t>(k)].events & EPOLLOUT) flush(i);
      if (events[static_cast<size_t>(k)].events & (EPOLLIN | EPOLLHUP | EPOLLERR))
        on_readable(i, now);
    }
  }
  report(end);
  for (auto& c : conns_)
    ::close(c.fd);
  ::close(epoll_);
  return 0;
}

double client_cpu_seconds() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  auto secs = [](const timeval& tv) {
    return static_cast<double>(tv.tv_sec) + static_cast<double>(tv.tv_usec) / 1e6;
  };
  return secs(ru.ru_utime) + secs(ru.ru_stime);
}

void Runner::report(uint64_t end_ns) {
  double window_s =
      o_.count > 0 ? static_cast<double>(end_ns - w0_) / 1e9 : static_cast<double>(w1_ - w0_) / 1e9;
  long incomplete = static_cast<long>(pending_.size());
  for (const auto& c : conns_)
    incomplete += c.busy ? 1 : 0;
  bool flow = o_.scenario.rfind("flow", 0) == 0;
  uint64_t msgs = flow ? messages_deleted_ : messages_sent_;
  std::printf(
      "RESULT label=%s scenario=%s mode=%s conns=%d rate=%.0f window_s=%.3f requests=%" PRIu64
      " req_per_s=%.1f msgs=%" PRIu64 " msgs_per_s=%.1f sent=%" PRIu64 " deleted=%" PRIu64
      " empty_receives=%" PRIu64 " errors=%" PRIu64 " incomplete=%ld all_requests=%" PRIu64
      " all_msgs=%" PRIu64 " client_cpu_s=%.3f\n",
      o_.label.c_str(), o_.scenario.c_str(), o_.rate > 0 ? "open" : "closed", o_.connections,
      o_.rate, window_s, requests_, static_cast<double>(requests_) / window_s, msgs,
      static_cast<double>(msgs) / window_s, messages_sent_, messages_deleted_, empty_receives_,
      errors_, incomplete, all_requests_, all_messages_, client_cpu_seconds());
  std::vector<uint64_t> all;
  auto print = [&](const char* name, std::vector<uint64_t>& v) {
    if (v.empty()) return;
    std::sort(v.begin(), v.end());
    auto pct = [&](double p) {
      size_t rank = static_cast<size_t>(std::ceil(p * static_cast<double>(v.size())));
      return static_cast<double>(v[std::max<size_t>(rank, 1) - 1]) / 1e6;
    };
    std::printf("LAT label=%s op=%s n=%zu p50_ms=%.3f p90_ms=%.3f p99_ms=%.3f max_ms=%.3f\n",
                o_.label.c_str(), name, v.size(), pct(0.50), pct(0.90), pct(0.99),
                static_cast<double>(v.back()) / 1e6);
  };
  for (size_t k = 0; k < samples_.size(); ++k) {
    all.insert(all.end(), samples_[k].begin(), samples_[k].end());
    print(op_name(static_cast<Op>(k)), samples_[k]);
  }
  print("all", all);
  if (!first_error_.empty())
    std::printf("ERROR label=%s total=%" PRIu64 " first=%s\n", o_.label.c_str(), errors_total_,
                first_error_.c_str());
  std::fflush(stdout);
}

// ---------------------------------------------------------------- drain (verification)

// One keep-alive connection used blocking: request, then the whole answer.
class BlockingConn {
 public:
  explicit BlockingConn(const Target& t) : target_(t) {}
  ~BlockingConn() {
    if (fd_ >= 0) ::close(fd_);
  }
  std::optional<Response> call(const std::string& request) {
    for (int attempt = 0; attempt < 2; ++attempt) {
      if (fd_ < 0) fd_ = connect_to(target_);
      if (auto r = exchange(request)) {
        if (r->close) {
          ::close(fd_);
          fd_ = -1;
        }
        return r;
      }
      ::close(fd_);  // the server closed an idle connection: one retry on a fresh one
      fd_ = -1;
    }
    return std::nullopt;
  }

 private:
  std::optional<Response> exchange(const std::string& request) {
    size_t off = 0;
    while (off < request.size()) {
      ssize_t n = ::send(fd_, request.data() + off, request.size() - off, MSG_NOSIGNAL);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return std::nullopt;
      off += static_cast<size_t>(n);
    }
    std::string in;
    char buf[65536];
    Response r;
    while (true) {
      long used = parse_response(in, r);
      if (used > 0) return r;
      if (used < 0) return std::nullopt;
      ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return std::nullopt;
      in.append(buf, static_cast<size_t>(n));
    }
  }
  Target target_;
  int fd_ = -1;
};

size_t count_substr(std::string_view text, std::string_view needle) {
  size_t n = 0;
  for (size_t at = text.find(needle); at != std::string_view::npos;
       at = text.find(needle, at + needle.size()))
    ++n;
  return n;
}

// Empties every queue of --queue-list with ReceiveMessage(10) + DeleteMessageBatch (the
// SDK templates of --templates), --connections threads, one queue at a time each. A queue
// is done at its first empty receive (nothing here is delayed or in flight). Prints one
// DRAIN line per queue: messages deleted, and how many of the received bodies were SNS
// notification envelopes (the envelope's Type value, `Notification\"` as it appears in
// the body's JSON string inside an AWS JSON answer: the JSON templates only), then a
// DRAINED total.
int drain(const Target& target, const Options& o) {
  std::vector<std::string> queues;
  {
    FILE* f = std::fopen(o.queue_list.c_str(), "r");
    if (!f) die("cannot read --queue-list " + o.queue_list);
    char line[4096];
    while (std::fgets(line, sizeof line, f)) {
      std::string q(line);
      while (!q.empty() && (q.back() == '\n' || q.back() == '\r' || q.back() == ' '))
        q.pop_back();
      if (!q.empty()) queues.push_back(q);
    }
    std::fclose(f);
  }
  auto load = [&](const std::string& name) {
    std::string error;
    auto t = Template::load(o.templates + "/" + name + ".http", &error);
    if (!t) die(error);
    return std::move(*t);
  };
  Template receive10 = load("ReceiveMessage-10");
  std::vector<Template> deletes;
  for (int k = 1; k <= 10; ++k)
    deletes.push_back(load("DeleteMessageBatch-" + std::to_string(k)));
  const Protocol protocol = receive10.protocol();
  struct Count {
    uint64_t deleted = 0, envelopes = 0, errors = 0;
    std::string first_error;
  };
  std::vector<Count> counts(queues.size());
  std::atomic<size_t> next{0};
  uint64_t t0 = now_ns();
  auto worker = [&]() {
    BlockingConn conn(target);
    const std::vector<std::string> no_bodies{""};
    std::string req;
    for (size_t q = next++; q < queues.size(); q = next++) {
      Count& c = counts[q];
      auto error = [&](const std::string& what) {
        ++c.errors;
        if (c.first_error.empty()) c.first_error = what.substr(0, 300);
      };
      while (c.errors < 100) {
        req.clear();
        receive10.render(req, target.host_header, queues[q], no_bodies, {});
        auto r = conn.call(req);
        if (!r || r->status != 200) {
          error("ReceiveMessage -> " +
                (r ? std::to_string(r->status) + " " + r->body : "no answer"));
          continue;
        }
        std::vector<std::string> handles = receipt_handles(r->body, protocol);
        if (handles.empty()) break;
        c.envelopes +=
            count_substr(r->body, "Notification\\\"");  // "Type":"Notification" in a JSON string
        req.clear();
        size_t k = std::min<size_t>(handles.size(), 10);
        deletes[k - 1].render(req, target.host_header, queues[q], no_bodies, handles);
        auto d = conn.call(req);
        int failed = d && d->status == 200 ? failed_batch_entries(d->body, protocol) : -1;
        if (failed != 0) {
          error("DeleteMessageBatch -> " +
                (d ? std::to_string(d->status) + " " + d->body : "no answer"));
          if (failed > 0) c.deleted += k - static_cast<size_t>(failed);
          continue;
        }
        c.deleted += k;
      }
    }
  };
  std::vector<std::thread> threads;
  for (int i = 0; i < std::min<int>(o.connections, static_cast<int>(queues.size())); ++i)
    threads.emplace_back(worker);
  for (auto& t : threads)
    t.join();
  double secs = static_cast<double>(now_ns() - t0) / 1e9;
  uint64_t total = 0, envelopes = 0, errors = 0, lo = UINT64_MAX, hi = 0;
  for (size_t q = 0; q < queues.size(); ++q) {
    const Count& c = counts[q];
    std::printf("DRAIN queue=%s deleted=%" PRIu64 " envelopes=%" PRIu64 " errors=%" PRIu64 "%s%s\n",
                queues[q].c_str(), c.deleted, c.envelopes, c.errors,
                c.first_error.empty() ? "" : " first_error=", c.first_error.c_str());
    total += c.deleted, envelopes += c.envelopes, errors += c.errors;
    lo = std::min(lo, c.deleted), hi = std::max(hi, c.deleted);
  }
  std::printf("DRAINED queues=%zu total=%" PRIu64 " min=%" PRIu64 " max=%" PRIu64
              " envelopes=%" PRIu64 " errors=%" PRIu64 " seconds=%.3f msgs_per_s=%.1f\n",
              queues.size(), total, queues.empty() ? 0 : lo, hi, envelopes, errors, secs,
              secs > 0 ? static_cast<double>(total) / secs : 0.0);
  std::fflush(stdout);
  return errors == 0 ? 0 : 1;
}

Options parse_options(int argc, char** argv, int first) {
  Options o;
  for (int i = first; i < argc; ++i) {
    std::string a = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) die(a + " needs a value");
      return argv[++i];
    };
    if (a == "--target")
      o.target = value();
    else if (a == "--templates")
      o.templates = value();
    else if (a == "--queue-url" || a == "--state-machine-arn" || a == "--topic-arn")
      o.queue_url = value();
    else if (a == "--scenario")
      o.scenario = value();
    else if (a == "--label")
      o.label = value();
    else if (a == "--connections")
      o.connections = std::max(1, std::atoi(value().c_str()));
    else if (a == "--warmup")
      o.warmup_s = std::atof(value().c_str());
    else if (a == "--duration")
      o.duration_s = std::atof(value().c_str());
    else if (a == "--rate")
      o.rate = std::atof(value().c_str());
    else if (a == "--count")
      o.count = std::atol(value().c_str());
    else if (a == "--body-size")
      o.body_size = static_cast<size_t>(std::atol(value().c_str()));
    else if (a == "--grace")
      o.grace_s = std::atof(value().c_str());
    else if (a == "--queue-list")
      o.queue_list = value();
    else if (a == "--name")
      o.label = value();  // create-queue
    else
      die("unknown option " + a);
  }
  return o;
}

}  // namespace
}  // namespace loadgen

int main(int argc, char** argv) {
  using namespace loadgen;
  if (argc < 2)
    die("usage: loadgen run|create-queue|depth [options] (see the header of loadgen.cpp)");
  std::string command = argv[1];
  Options o = parse_options(argc, argv, 2);
  if (command == "run") {
    if (o.templates.empty() || o.queue_url.empty())
      die("run needs --templates and --queue-url (or --state-machine-arn, --topic-arn)");
    Runner runner(o);
    return runner.run();
  }
  Target target = parse_target(o.target);
  if (command == "drain") return drain(target, o);
  if (command == "create-queue") {
    auto r = json_call(target, "CreateQueue", "{\"QueueName\":" + json_quote(o.label) + "}");
    auto url = r ? json_string_member(r->body, "QueueUrl") : std::nullopt;
    if (!url) die("CreateQueue failed: " + (r ? r->body : std::string("no answer")));
    std::printf("%s\n", url->c_str());
    return 0;
  }
  if (command == "depth") {
    auto r = json_call(target, "GetQueueAttributes",
                       "{\"QueueUrl\":" + json_quote(o.queue_url) +
                           ",\"AttributeNames\":[\"ApproximateNumberOfMessages\"]}");
    auto n = r ? json_string_member(r->body, "ApproximateNumberOfMessages") : std::nullopt;
    if (!n) die("GetQueueAttributes failed: " + (r ? r->body : std::string("no answer")));
    std::printf("%s\n", n->c_str());
    return 0;
  }
  die("unknown command " + command);
}
