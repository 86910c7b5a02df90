#pragma once
// A service's wire declaration: its operations (declared once, served over every
// protocol the service speaks) and the facts codecs need (target prefix, XML namespace,
// error code mapping). Handlers see neither HTTP nor the protocol.
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "sluice/api/http_types.hpp"
#include "sluice/common/result.hpp"
#include "sluice/protocol/shape.hpp"

namespace sluice::api {

using Json = nlohmann::json;

// Who is calling and how they addressed us: all a handler may know of the request.
struct Call {
  std::string request_id;
  std::string operation;
  std::string region;
  std::string account_id;
  std::string access_key;
  std::string host;  // Host header as the client sent it (e.g. "localhost:4566")
  std::string scheme = "http";
  std::string path;  // request path; AWS Query requests may name a queue URL here
};

using Reply = std::function<void(Result<Json>)>;
using Handler = std::function<void(const Call&, Json input, Reply reply)>;

struct Operation {
  std::string name;
  protocol::ShapePtr input;
  protocol::ShapePtr output;  // nullptr: no result element (Query) / "{}" (JSON)
  Handler handler;
};

struct QueryErrorCode {
  std::string code;     // e.g. "AWS.SimpleQueueService.NonExistentQueue"
  int http_status = 0;  // 0: keep the error's own status
};

struct ServiceDecl {
  std::string name;                // "sqs", "sns", "states"
  std::string signing_name;        // SigV4 service name in the credential scope
  std::string api_version;         // Query "Version", e.g. "2012-11-05"
  std::string xml_namespace;       // Query responses
  std::string json_target_prefix;  // "AmazonSQS"; empty if the service has no JSON protocol
  std::string json_content_type = "application/x-amz-json-1.0";
  std::string json_type_prefix;  // "com.amazonaws.sqs#"
  bool speaks_query = false;
  bool query_compatible = false;  // JSON errors also carry x-amzn-query-error
  // JSON missing required member: true -> ValidationException (coral style),
  // false -> MissingParameter (Query style, SQS).
  bool json_missing_is_validation = false;
  // Query InvalidAction text; AWS's wording differs by service ("endpoint" for SQS).
  std::string invalid_action_place = "web service";
  std::map<std::string, QueryErrorCode> query_errors;  // JSON shape code -> Query code
  std::map<std::string, Operation> operations;

  void add(Operation op) { operations[op.name] = std::move(op); }
  const std::string& query_code(const std::string& code) const {
    auto it = query_errors.find(code);
    return it == query_errors.end() ? code : it->second.code;
  }
};

// Routes under /_sluice (and aliases) contributed by services: inspection, resets.
using AdminHandler = std::function<void(const HttpRequest&, Responder)>;

}  // namespace sluice::api
