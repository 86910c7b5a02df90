// Request templates captured from real SDKs, and the small amount of HTTP/JSON/XML the
// load generator needs to replay them and read the answers. No dependencies beyond the
// standard library: the load generator must not share code with the server it measures.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace loadgen {

enum class Protocol { kJson, kQuery };

// One captured request (bench/requests/<client>/<Name>.http) split into literal text
// and placeholders. {{BODY}} occurrences are filled in order with fresh message bodies;
// {{RHn}} with receipt handles; {{QUEUE_URL}} and the handles are encoded for the
// template's protocol (JSON string escaping, or form percent-encoding for Query).
// Step Functions: {{STATE_MACHINE_ARN}} is filled like {{QUEUE_URL}} (render's
// `queue_url` is the target resource), {{INPUT}} like {{BODY}} but encoded (the execution
// input is a JSON document inside a JSON string). SNS: {{TOPIC_ARN}} is filled like
// {{QUEUE_URL}} too (the topic is the target resource).
class Template {
 public:
  static std::optional<Template> load(const std::string& path, std::string* error);

  // Appends the complete request (head with the right Content-Length, then body).
  void render(std::string& out, std::string_view host, std::string_view queue_url,
              const std::vector<std::string>& bodies,
              const std::vector<std::string>& receipt_handles) const;

  Protocol protocol() const { return protocol_; }
  int body_slots() const { return body_slots_; }
  const std::string& name() const { return name_; }

 private:
  enum class Kind { kText, kHost, kQueueUrl, kBody, kInput, kReceiptHandle, kContentLength };
  struct Part {
    Kind kind;
    std::string text;  // kText
    int index = 0;     // kBody, kInput: occurrence number; kReceiptHandle: n of {{RHn}}
  };
  static std::vector<Part> split(std::string_view text, int* body_slots, std::string* error);
  void append_encoded(std::string& out, std::string_view value) const;

  std::string name_;
  Protocol protocol_ = Protocol::kJson;
  std::vector<Part> head_;
  std::vector<Part> body_;
  int body_slots_ = 0;
};

// Incremental HTTP/1.1 response parser (Content-Length or chunked bodies).
struct Response {
  int status = 0;
  bool close = false;  // server sent Connection: close
  std::string body;
};

// Returns the number of bytes of `in` consumed by one complete response, 0 if more
// bytes are needed, or -1 if the bytes are not HTTP.
long parse_response(std::string_view in, Response& out);

// Receipt handles in a ReceiveMessage answer: "ReceiptHandle": "..." members of a JSON
// body, or <ReceiptHandle>...</ReceiptHandle> elements of a Query (XML) body, decoded.
std::vector<std::string> receipt_handles(std::string_view body, Protocol protocol);

// Failed entries of a batch answer (JSON "Failed" entries carry "SenderFault"; Query ones
// are <BatchResultErrorEntry> elements).
int failed_batch_entries(std::string_view body, Protocol protocol);

// First string value of a JSON member (for setup answers: QueueUrl, attributes).
std::optional<std::string> json_string_member(std::string_view body, std::string_view name);

}  // namespace loadgen
