#pragma once
// Result<T>: an expected outcome or an Error. libstdc++ 12 has no std::expected in
// C++20, so this is the small subset the project needs.
#include <cassert>
#include <string>
#include <utility>
#include <variant>

namespace sluice {

// A service-level error. `code` is the error's shape name in the service's JSON model
// (e.g. "QueueDoesNotExist"); protocol codecs map it to each wire's code.
struct Error {
  std::string code;
  std::string message;
  int http_status = 400;
  bool sender_fault = true;

  static Error sender(std::string code, std::string message, int status = 400) {
    return Error{std::move(code), std::move(message), status, true};
  }
  static Error internal(std::string message) {
    return Error{"InternalFailure", std::move(message), 500, false};
  }
  static Error unavailable(std::string message) {
    return Error{"ServiceUnavailable", std::move(message), 503, false};
  }
};

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}      // NOLINT: implicit by design
  Result(Error error) : v_(std::move(error)) {}  // NOLINT: implicit by design

  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }

  T& value() & {
    assert(ok());
    return std::get<0>(v_);
  }
  const T& value() const& {
    assert(ok());
    return std::get<0>(v_);
  }
  T&& value() && {
    assert(ok());
    return std::get<0>(std::move(v_));
  }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

  const Error& error() const& {
    assert(!ok());
    return std::get<1>(v_);
  }
  Error&& error() && {
    assert(!ok());
    return std::get<1>(std::move(v_));
  }

 private:
  std::variant<T, Error> v_;
};

// Result of an operation that has no value on success.
struct Unit {};
using Status = Result<Unit>;
inline Status ok_status() {
  return Unit{};
}

}  // namespace sluice

// Propagate an error from an expression returning Result<...>/Status.
#define SLUICE_TRY(expr)                                                        \
  do {                                                                          \
    auto sluice_try_result_ = (expr);                                           \
    if (!sluice_try_result_.ok()) return std::move(sluice_try_result_).error(); \
  } while (false)
