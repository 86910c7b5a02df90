// Rendering of results and errors for AWS Query (XML) and AWS JSON.
#include "sluice/api/dispatcher.hpp"
#include "sluice/common/json_fast.hpp"
#include "sluice/protocol/codec.hpp"

namespace sluice::api {

namespace {

bool is_coral_error(const std::string& code) {
  return code == "SerializationException" || code == "UnknownOperationException" ||
         code == "InternalFailure" || code == "ServiceUnavailable" ||
         code == "AccessDeniedException" || code == "InvalidSignatureException" ||
         code == "IncompleteSignature" || code == "MissingAuthenticationToken" ||
         code == "ThrottlingException" || code == "RequestEntityTooLarge" ||
         // Authentication, answered by the front end before any service sees the request.
         code == "MissingAuthenticationTokenException" || code == "IncompleteSignatureException" ||
         code == "UnrecognizedClientException" || code == "InvalidClientTokenId" ||
         code == "SignatureDoesNotMatch" || code == "RequestExpired";
}

void add_request_id(HttpResponse& r, const std::string& request_id) {
  r.headers.emplace_back("x-amzn-RequestId", request_id);
}

}  // namespace

HttpResponse render_query_result(const ServiceDecl& service, const Operation& op,
                                 const Json& result, const std::string& request_id) {
  HttpResponse r;
  r.content_type = "text/xml";
  std::string& out = r.body;
  out.reserve(512);
  out += "<?xml version=\"1.0\"?><";
  out += op.name;
  out += "Response xmlns=\"";
  out += service.xml_namespace;
  out += "\">";
  if (op.output) {
    out += '<';
    out += op.name;
    out += "Result>";
    protocol::json_to_xml(result, *op.output, out);
    out += "</";
    out += op.name;
    out += "Result>";
  }
  out += "<ResponseMetadata><RequestId>";
  out += request_id;
  out += "</RequestId></ResponseMetadata></";
  out += op.name;
  out += "Response>";
  add_request_id(r, request_id);
  return r;
}

HttpResponse render_query_error(const ServiceDecl* service, const Error& error,
                                const std::string& request_id) {
  HttpResponse r;
  r.status = error.http_status;
  std::string code = error.code;
  if (service) {
    if (auto it = service->query_errors.find(error.code); it != service->query_errors.end()) {
      code = it->second.code;
      if (it->second.http_status != 0) r.status = it->second.http_status;
    }
  }
  r.content_type = "text/xml";
  std::string& out = r.body;
  out += "<?xml version=\"1.0\"?><ErrorResponse";
  if (service && !service->xml_namespace.empty()) {
    out += " xmlns=\"";
    out += service->xml_namespace;
    out += '"';
  }
  out += "><Error><Type>";
  out += error.sender_fault ? "Sender" : "Receiver";
  out += "</Type><Code>";
  protocol::xml_escape(code, out);
  out += "</Code><Message>";
  protocol::xml_escape(error.message, out);
  out += "</Message><Detail/></Error><RequestId>";
  out += request_id;
  out += "</RequestId></ErrorResponse>";
  add_request_id(r, request_id);
  return r;
}

HttpResponse render_json_result(const ServiceDecl& service, const Json& result,
                                const std::string& request_id) {
  HttpResponse r;
  r.content_type = service.json_content_type;
  // json_dump: the text of dump(-1, ' ', false, error_handler_t::replace), strings copied
  // in runs (bench/perf-findings.md, item 2).
  r.body = result.is_null() ? std::string("{}") : json_dump(result);
  add_request_id(r, request_id);
  return r;
}

HttpResponse render_json_error(const ServiceDecl* service, const Error& error,
                               const std::string& request_id) {
  HttpResponse r;
  r.status = error.http_status;
  r.content_type = service ? service->json_content_type : "application/x-amz-json-1.0";
  std::string type;
  if (error.code == "ValidationException") {
    type = "com.amazon.coral.validate#ValidationException";
  } else if (is_coral_error(error.code) || !service) {
    type = "com.amazon.coral.service#" + error.code;
  } else {
    type = service->json_type_prefix + error.code;
  }
  Json body = {{"__type", type}, {"message", error.message}};
  r.body = json_dump(body);
  if (service && service->query_compatible) {
    std::string code = error.code;
    int status = 0;
    if (auto it = service->query_errors.find(error.code); it != service->query_errors.end()) {
      code = it->second.code;
      status = it->second.http_status;
    }
    if (status != 0) r.status = status;
    r.headers.emplace_back("x-amzn-query-error",
                           code + (error.sender_fault ? ";Sender" : ";Receiver"));
  }
  add_request_id(r, request_id);
  return r;
}

}  // namespace sluice::api
