// Service integrations: SQS and SNS (optimized and aws-sdk), Lambda (the Invoke API
// forwarded to --lambda-endpoint), http:invoke to loopback endpoints, and nested Step
// Functions executions. Error names and causes follow what AWS reports for each kind:
// optimized integrations "SQS.AmazonSQSException" with the SDK's cause text, aws-sdk
// integrations "Sqs.<Code>Exception".
#include <cctype>

#include "internal.hpp"
#include "sluice/common/encoding.hpp"
#include "sluice/services/lambda_target.hpp"

namespace sluice::services::sfn {

namespace {

std::string upper_first(std::string s) {
  if (!s.empty()) s[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(s[0])));
  return s;
}

std::string exception_name(std::string code) {
  const std::string suffix = "Exception";
  if (code.size() < suffix.size() ||
      code.compare(code.size() - suffix.size(), suffix.size(), suffix) != 0)
    code += suffix;
  return code;
}

// "<message> (Service: AmazonSQS; Status Code: 400; Error Code: X; Request ID: id; Proxy: null)"
std::string sdk_v1_cause(const std::string& message, const std::string& service, int status,
                         const std::string& code) {
  return message + " (Service: " + service + "; Status Code: " + std::to_string(status) +
         "; Error Code: " + code + "; Request ID: " + uuid_v4() + "; Proxy: null)";
}

// "<message> (Service: Sqs, Status Code: 400, Request ID: id)"
std::string sdk_v2_cause(const std::string& message, const std::string& service, int status) {
  return message + " (Service: " + service + ", Status Code: " + std::to_string(status) +
         ", Request ID: " + uuid_v4() + ")";
}

Json sdk_metadata(int status) {
  Json m = Json::object();
  m["SdkHttpMetadata"] = Json{{"AllHttpHeaders", Json::object()},
                              {"HttpHeaders", Json::object()},
                              {"HttpStatusCode", status}};
  m["SdkResponseMetadata"] = Json{{"RequestId", uuid_v4()}};
  return m;
}

std::string header(const std::vector<std::pair<std::string, std::string>>& headers,
                   const std::string& name) {
  for (const auto& [k, v] : headers) {
    if (k.size() != name.size()) continue;
    bool eq = true;
    for (std::size_t i = 0; i < k.size() && eq; ++i)
      eq = std::tolower(static_cast<unsigned char>(k[i])) ==
           std::tolower(static_cast<unsigned char>(name[i]));
    if (eq) return v;
  }
  return "";
}

bool loopback_url(const std::string& url) {
  // http://host[:port]/...: only this machine is reachable from the emulator's tasks.
  std::string rest;
  if (url.rfind("http://", 0) == 0) {
    rest = url.substr(7);
  } else if (url.rfind("https://", 0) == 0) {
    rest = url.substr(8);
  } else {
    return false;
  }
  std::string host = rest.substr(0, rest.find_first_of("/?#"));
  if (!host.empty() && host[0] == '[') {
    host = host.substr(1, host.find(']') - 1);
  } else if (auto colon = host.rfind(':'); colon != std::string::npos) {
    host = host.substr(0, colon);
  }
  return host == "localhost" || host == "::1" || host.rfind("127.", 0) == 0;
}

}  // namespace

// ---- SQS and SNS ----

void Engine::call_service(ExecutionRec& e, Fiber& f, const asl::TaskResource& res) {
  const bool sdk = res.service.rfind("aws-sdk:", 0) == 0;
  const std::string svc = sdk ? res.service.substr(8) : res.service;
  std::shared_ptr<ServicePort> port = svc == "sqs" ? options.sqs : options.sns;
  const bool submit = res.pattern == "waitForTaskToken";
  if (!port) {
    return task_failed(e, f, "States.TaskFailed",
                       "The " + svc + " service is not available to Step Functions tasks.");
  }
  Json params = f.task_params;
  std::string operation = upper_first(res.action);
  if (!sdk) {
    // Optimized integrations take a JSON body and serialize it for the service.
    if (svc == "sqs" && res.action != "sendMessage")
      return task_failed(
          e, f, "States.Runtime",
          "The SQS integration supports sendMessage; use aws-sdk:sqs for " + res.action);
    if (svc == "sns" && res.action != "publish")
      return task_failed(e, f, "States.Runtime",
                         "The SNS integration supports publish; use aws-sdk:sns for " + res.action);
    for (const char* field : {"MessageBody", "Message"}) {
      if (params.is_object() && params.contains(field) && !params[field].is_string() &&
          !params[field].is_null())
        params[field] = to_text(params[field]);
    }
  }
  const Scope scope{e.region, e.account};
  auto finish = completion(e, f, submit);
  const std::string service_name = svc == "sqs" ? "AmazonSQS" : "AmazonSNS";
  const std::string upper = svc == "sqs" ? "SQS" : "SNS";
  const std::string sdk_prefix = svc == "sqs" ? "Sqs" : "Sns";
  port->call(
      operation, params, scope,
      [finish, port, sdk, service_name, upper, sdk_prefix](Result<Json> r) {
        if (r.ok()) {
          Json out = std::move(*r);
          if (!sdk && out.is_object()) out.update(sdk_metadata(200));
          return finish(std::move(out));
        }
        const Error& err = r.error();
        if (sdk) {
          return finish(Error::sender(sdk_prefix + "." + exception_name(err.code),
                                      sdk_v2_cause(err.message, sdk_prefix, err.http_status)));
        }
        finish(Error::sender(
            upper + ".Amazon" + upper + "Exception",
            sdk_v1_cause(err.message, service_name, err.http_status, port->query_code(err.code))));
      });
}

// ---- Lambda ----

void Engine::call_lambda(ExecutionRec& e, Fiber& f, const std::string& function,
                         const Json& payload, bool legacy) {
  auto finish = completion(e, f);
  if (!options.http || options.lambda_endpoint.empty()) {
    return finish(Error::sender(
        "Lambda.ServiceException",
        "No Lambda endpoint is configured; start Sluice with --lambda-endpoint URL to forward "
        "invocations of " +
            function + "."));
  }
  HttpCall call;
  call.method = "POST";
  std::string qualifier;
  if (!legacy && f.task_params.is_object() && f.task_params.contains("Qualifier") &&
      f.task_params["Qualifier"].is_string())
    qualifier = f.task_params["Qualifier"].get<std::string>();
  call.url = lambda_invoke_url(options.lambda_endpoint, function, qualifier);
  call.headers.emplace_back("Content-Type", "application/json");
  std::string invocation_type = "RequestResponse";
  if (!legacy && f.task_params.is_object()) {
    const Json& p = f.task_params;
    if (p.contains("InvocationType") && p["InvocationType"].is_string())
      invocation_type = p["InvocationType"].get<std::string>();
    if (p.contains("LogType") && p["LogType"].is_string())
      call.headers.emplace_back("X-Amz-Log-Type", p["LogType"].get<std::string>());
    if (p.contains("ClientContext") && p["ClientContext"].is_string())
      call.headers.emplace_back("X-Amz-Client-Context", p["ClientContext"].get<std::string>());
  }
  call.headers.emplace_back("X-Amz-Invocation-Type", invocation_type);
  call.body = payload.is_string() && !legacy ? payload.get<std::string>() : to_text(payload);
  options.http->send(std::move(call), [finish, legacy](HttpReply r) {
    if (r.status == 0)
      return finish(
          Error::sender("Lambda.SdkClientException", "Unable to execute HTTP request: " + r.error));
    if (r.status >= 400) {
      // A Lambda service error: {"Type": .., "Message": ..} or {"__type": .., "message": ..}
      Json body;
      std::string code = header(r.headers, "x-amzn-ErrorType");
      std::string message = r.body;
      if (parse_json(r.body, body) && body.is_object()) {
        if (code.empty()) code = body.value("__type", body.value("Type", std::string()));
        message = body.value("message", body.value("Message", r.body));
      }
      if (auto colon = code.find(':'); colon != std::string::npos) code = code.substr(0, colon);
      if (auto hash = code.rfind('#'); hash != std::string::npos) code = code.substr(hash + 1);
      if (code.empty())
        code = r.status >= 500 ? "ServiceException" : "InvalidRequestContentException";
      return finish(Error::sender("Lambda." + exception_name(code),
                                  sdk_v1_cause(message, "AWSLambda", r.status, code)));
    }
    const std::string function_error = header(r.headers, "X-Amz-Function-Error");
    Json payload;
    const bool is_json = parse_json(r.body, payload);
    if (!function_error.empty()) {
      std::string error = "Lambda.Unknown";
      if (is_json && payload.is_object() && payload.contains("errorType") &&
          payload["errorType"].is_string())
        error = payload["errorType"].get<std::string>();
      return finish(Error::sender(error, r.body));
    }
    if (legacy) {
      if (!is_json) payload = r.body;
      return finish(std::move(payload));
    }
    Json out = Json::object();
    std::string version = header(r.headers, "X-Amz-Executed-Version");
    out["ExecutedVersion"] = version.empty() ? "$LATEST" : version;
    if (r.body.empty()) {
      out["Payload"] = "";
    } else {
      out["Payload"] = is_json ? payload : Json(r.body);
    }
    out.update(sdk_metadata(r.status));
    out["StatusCode"] = r.status;
    std::string log = header(r.headers, "X-Amz-Log-Result");
    if (!log.empty()) out["LogResult"] = log;
    finish(std::move(out));
  });
}

// ---- http:invoke ----

void Engine::call_http(ExecutionRec& e, Fiber& f) {
  auto finish = completion(e, f);
  const Json& p = f.task_params;
  if (!p.is_object() || !p.contains("ApiEndpoint") || !p["ApiEndpoint"].is_string() ||
      !p.contains("Method") || !p["Method"].is_string())
    return finish(Error::sender("States.Runtime",
                                "The fields 'ApiEndpoint' and 'Method' are required in the "
                                "Parameters of an http:invoke task."));
  std::string url = p["ApiEndpoint"].get<std::string>();
  if (!options.http || !loopback_url(url))
    return finish(Error::sender("States.Http.Socket",
                                "Sluice's http:invoke reaches loopback endpoints only: " + url));
  if (auto q = p.find("QueryParameters"); q != p.end() && q->is_object()) {
    std::string query;
    for (const auto& [k, v] : q->items())
      query += (query.empty() ? "" : "&") + url_encode(k) + "=" +
               url_encode(v.is_string() ? v.get<std::string>() : to_text(v));
    if (!query.empty()) url += (url.find('?') == std::string::npos ? "?" : "&") + query;
  }
  HttpCall call;
  call.method = p["Method"].get<std::string>();
  call.url = url;
  if (auto h = p.find("Headers"); h != p.end() && h->is_object())
    for (const auto& [k, v] : h->items())
      call.headers.emplace_back(k, v.is_string() ? v.get<std::string>() : to_text(v));
  if (auto b = p.find("RequestBody"); b != p.end()) {
    call.body = b->is_string() ? b->get<std::string>() : to_text(*b);
    if (header(call.headers, "Content-Type").empty())
      call.headers.emplace_back("Content-Type", "application/json; charset=UTF-8");
  }
  // TestState at TRACE shows the HTTP exchange (headers as "[Name: value, ...]").
  const bool trace = e.test && f.parent == 0 && e.test_trace;
  auto header_text = [](const auto& headers) {
    std::string text = "[";
    for (const auto& [k, v] : headers)
      text += (text.size() > 1 ? ", " : "") + k + ": " + v;
    return text + "]";
  };
  if (trace) {
    e.inspect["request"] = Json{{"protocol", url.rfind("https:", 0) == 0 ? "https" : "http"},
                                {"method", call.method},
                                {"url", call.url},
                                {"headers", header_text(call.headers)},
                                {"body", call.body}};
  }
  std::weak_ptr<Executor> weak = executor;
  options.http->send(std::move(call), [this, weak, finish, trace, header_text, arn = e.arn,
                                       https = url.rfind("https:", 0) == 0](HttpReply r) {
    if (trace && r.status != 0) {
      Json response{{"protocol", https ? "https" : "http"},
                    {"statusCode", std::to_string(r.status)},
                    {"statusMessage", r.status < 400 ? "OK" : "Error"},
                    {"headers", header_text(r.headers)},
                    {"body", r.body}};
      // Posted before the completion, so the state sees it when it finishes.
      if (auto ex = weak.lock())
        ex->post([this, arn, response = std::move(response)] {
          if (ExecutionRec* x = execution(arn)) x->inspect["response"] = response;
        });
    }
    if (r.status == 0) return finish(Error::sender("States.Http.Socket", r.error));
    Json headers = Json::object();
    for (const auto& [k, v] : r.headers)
      headers[k] = Json::array({v});
    Json body;
    Json out = Json::object();
    out["Headers"] = headers;
    out["ResponseBody"] = parse_json(r.body, body) ? body : Json(r.body);
    out["StatusCode"] = r.status;
    out["StatusText"] = r.status < 400 ? "OK" : "Error";
    if (r.status >= 400)
      return finish(
          Error::sender("States.Http.StatusCode." + std::to_string(r.status), to_text(out)));
    finish(std::move(out));
  });
}

// ---- nested executions ----

namespace {

Json execution_output(const ExecutionInfo& i, bool parse_json_fields) {
  Json out = Json::object();
  auto data = [&](const std::optional<std::string>& text) -> Json {
    if (!text) return Json();
    Json v;
    if (parse_json_fields && parse_json(*text, v)) return v;
    return Json(*text);
  };
  if (i.cause) out["Cause"] = *i.cause;
  if (i.error) out["Error"] = *i.error;
  out["ExecutionArn"] = i.arn;
  out["Input"] = data(i.input);
  out["InputDetails"] = Json{{"Included", true}};
  out["Name"] = i.name;
  if (i.output) {
    out["Output"] = data(i.output);
    out["OutputDetails"] = Json{{"Included", true}};
  }
  out["RedriveCount"] = i.redrive_count;
  out["RedriveStatus"] = i.redrive_status;
  if (!i.redrive_status_reason.empty()) out["RedriveStatusReason"] = i.redrive_status_reason;
  out["StartDate"] = i.start_date;
  out["StateMachineArn"] = i.state_machine_arn;
  out["Status"] = i.status;
  if (i.stop_date) out["StopDate"] = i.stop_date;
  return out;
}

}  // namespace

void Engine::call_sfn(ExecutionRec& e, Fiber& f, const asl::TaskResource& res) {
  const bool sdk = res.service == "aws-sdk:sfn";
  const Json& p = f.task_params;
  auto fail = [&](const Error& err) {
    if (sdk) {
      return task_failed(e, f, "Sfn." + exception_name(err.code),
                         sdk_v2_cause(err.message, "Sfn", err.http_status));
    }
    task_failed(e, f, "StepFunctions." + exception_name(err.code),
                sdk_v1_cause(err.message, "AWSStepFunctions", err.http_status, err.code));
  };
  auto str = [&](const char* k) -> std::string {
    return p.is_object() && p.contains(k) && p[k].is_string() ? p[k].get<std::string>() : "";
  };
  if (res.action == "startExecution") {
    const std::string target = str("StateMachineArn");
    if (target.empty())
      return fail(Error::sender("ValidationException",
                                "1 validation error detected: Value null at 'stateMachineArn' "
                                "failed to satisfy constraint: Member must not be null"));
    auto parsed = parse_arn(target);
    if (!parsed.ok()) return fail(parsed.error());
    std::optional<std::string> input;
    if (p.contains("Input"))
      input = p["Input"].is_string() ? p["Input"].get<std::string>() : to_text(p["Input"]);
    // Find the machine the same way StartExecution does.
    const std::string base_arn = parsed->parts.empty()
                                     ? target
                                     : "arn:aws:states:" + parsed->region + ":" + parsed->account +
                                           ":stateMachine:" + parsed->parts[0];
    auto m = machines.find(base_arn);
    if (parsed->resource_type != "stateMachine" || m == machines.end())
      return fail(Error::sender("StateMachineDoesNotExist",
                                "State Machine Does Not Exist: '" + target + "'"));
    const VersionRec* version = nullptr;
    const AliasRec* alias = nullptr;
    if (parsed->parts.size() == 2) {
      const std::string& q = parsed->parts[1];
      if (!q.empty() && std::isdigit(static_cast<unsigned char>(q[0]))) {
        auto v = m->second.versions.find(std::atoi(q.c_str()));
        if (v == m->second.versions.end())
          return fail(Error::sender("StateMachineDoesNotExist",
                                    "State Machine Does Not Exist: '" + target + "'"));
        version = &v->second;
      } else {
        auto a = m->second.aliases.find(q);
        if (a == m->second.aliases.end())
          return fail(Error::sender("StateMachineDoesNotExist",
                                    "State Machine Does Not Exist: '" + target + "'"));
        alias = &a->second;
      }
    }
    const bool wait_child = res.pattern == "sync" || res.pattern == "sync:2";
    auto launched = launch(Scope{e.region, e.account}, m->second, version, alias, str("Name"),
                           input, "", false);
    if (!launched.ok()) return fail(launched.error());
    ExecutionRec& child = **launched;
    Json started = Json::object();
    started["ExecutionArn"] = child.arn;
    started["StartDate"] = child.start;
    if (wait_child) {
      f.child_execution = child.arn;
      child.parent_token = e.arn + "|" + std::to_string(f.id) + "|" + std::to_string(f.gen);
      task_submitted(e, f, started);
      dirty.insert(e.arn);
      return;
    }
    if (res.pattern == "waitForTaskToken") {
      task_submitted(e, f, started);
      return;
    }
    if (!sdk) started.update(sdk_metadata(200));
    return task_succeeded(e, f, std::move(started));
  }
  if (!sdk) {
    return task_failed(e, f, "States.Runtime",
                       "The Step Functions integration supports startExecution; use aws-sdk:sfn "
                       "for " +
                           res.action);
  }
  // aws-sdk:sfn: the read and callback operations, answered from this engine.
  if (res.action == "describeExecution") {
    auto x = find_execution(str("ExecutionArn"));
    if (!x.ok()) return fail(x.error());
    Json out = execution_output(describe(**x), false);
    return task_succeeded(e, f, std::move(out));
  }
  if (res.action == "stopExecution") {
    auto x = find_execution(str("ExecutionArn"));
    if (!x.ok()) return fail(x.error());
    if ((*x)->running()) abort_execution(**x, str("Error"), str("Cause"));
    return task_succeeded(e, f, Json{{"StopDate", (*x)->stop}});
  }
  if (res.action == "sendTaskSuccess" || res.action == "sendTaskFailure" ||
      res.action == "sendTaskHeartbeat") {
    const std::string token = str("TaskToken");
    auto it = tokens.find(token);
    if (it == tokens.end())
      return fail(Error::sender(closed_tokens.count(token) ? "TaskTimedOut" : "TaskDoesNotExist",
                                "Task Does Not Exist: '" + token + "'"));
    ExecutionRec* target = execution(it->second.execution);
    Fiber* tf = target ? fiber(*target, it->second.fiber) : nullptr;
    if (!target || !tf || tf->token != token)
      return fail(Error::sender("TaskTimedOut", "Task Timed Out: '" + token + "'"));
    if (res.action == "sendTaskSuccess") {
      Json out;
      if (p.contains("Output") && p["Output"].is_string()) {
        if (!parse_json(p["Output"].get<std::string>(), out))
          return fail(Error::sender("InvalidOutput",
                                    "Invalid Output: '" + p["Output"].get<std::string>() + "'"));
      } else {
        out = p.value("Output", Json::object());
      }
      task_succeeded(*target, *tf, std::move(out));
    } else if (res.action == "sendTaskFailure") {
      task_failed(*target, *tf, str("Error"), str("Cause"));
    }
    if (Fiber* self = fiber(e, f.id); self && self->phase == Phase::Task)
      task_succeeded(e, *self, Json::object());
    return;
  }
  task_failed(e, f, "States.Runtime",
              "The aws-sdk:sfn action '" + res.action + "' is not emulated by Sluice.");
}

void Engine::child_execution_closed(const ExecutionRec& child) {
  // parent_token = "<parent execution ARN>|<fiber id>|<generation>"
  const std::string& link = child.parent_token;
  auto a = link.find('|');
  auto b = link.rfind('|');
  if (a == std::string::npos || b == a) return;
  ExecutionRec* parent = execution(link.substr(0, a));
  if (!parent || !parent->running()) return;
  Fiber* f = fiber(*parent, std::stoull(link.substr(a + 1, b - a - 1)));
  if (!f || f->phase != Phase::Task || f->child_execution != child.arn) return;
  const asl::TaskResource res = asl::classify_resource(current_state(*f).resource);
  Json out = execution_output(describe(child), res.pattern == "sync:2");
  if (child.status == "SUCCEEDED") {
    task_succeeded(*parent, *f, std::move(out));
  } else {
    task_failed(*parent, *f, "States.TaskFailed", to_text(out));
  }
}

}  // namespace sluice::services::sfn
