// Checks of the load generator's wire helpers on fixed inputs (ctest: bench_loadgen_wire).
// A wrong receipt-handle decoder or Content-Length would make every figure of the
// benchmark meaningless (deletes failing, or bodies cut), so these run with the unit tests.
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include "wire.hpp"

namespace {

int failures = 0;
int checks = 0;
std::vector<std::string> temp_files;

void expect(bool ok, const char* what) {
  ++checks;
  if (!ok) {
    std::fprintf(stderr, "FAIL: %s\n", what);
    ++failures;
  }
}

std::string write_temp(const std::string& text) {
  static int n = 0;
  // Per-process names: ctest runs of several build dirs may overlap.
  std::string path =
      "/tmp/loadgen_wire_test_" + std::to_string(getpid()) + "_" + std::to_string(n++) + ".http";
  std::ofstream(path, std::ios::binary) << text;
  temp_files.push_back(path);
  return path;
}

void json_template_fills_placeholders_and_length() {
  std::string error;
  auto t = loadgen::Template::load(
      write_temp("POST / HTTP/1.1\r\nhost: {{HOST}}\r\ncontent-length: {{CONTENT_LENGTH}}\r\n"
                 "\r\n{\"QueueUrl\":\"{{QUEUE_URL}}\",\"Entries\":[{\"Id\":\"m0\",\"MessageBody\":"
                 "\"{{BODY}}\"},{\"Id\":\"m1\",\"ReceiptHandle\":\"{{RH1}}\"}]}"),
      &error);
  expect(t.has_value(), "JSON template loads");
  if (!t) return;
  expect(t->protocol() == loadgen::Protocol::kJson, "JSON template is JSON");
  std::string out;
  t->render(out, "127.0.0.1:9", "http://h/1/q", {"B0"}, {"x", "a\"b\\c"});
  std::string body =
      "{\"QueueUrl\":\"http://h/1/q\",\"Entries\":[{\"Id\":\"m0\",\"MessageBody\":\"B0\"},"
      "{\"Id\":\"m1\",\"ReceiptHandle\":\"a\\\"b\\\\c\"}]}";
  expect(out == "POST / HTTP/1.1\r\nhost: 127.0.0.1:9\r\ncontent-length: " +
                    std::to_string(body.size()) + "\r\n\r\n" + body,
         "JSON render: host, length, escaped handle");
}

void sfn_template_escapes_input() {
  std::string error;
  auto t = loadgen::Template::load(
      write_temp("POST / HTTP/1.1\r\nhost: {{HOST}}\r\ncontent-length: {{CONTENT_LENGTH}}\r\n"
                 "\r\n{\"stateMachineArn\":\"{{STATE_MACHINE_ARN}}\",\"input\":\"{{INPUT}}\"}"),
      &error);
  expect(t.has_value(), "Step Functions template loads");
  if (!t) return;
  expect(t->body_slots() == 1, "{{INPUT}} takes a body slot");
  std::string out;
  t->render(out, "h", "arn:aws:states:us-east-1:0:stateMachine:m", {"{\"seq\":7}"}, {});
  std::string body =
      "{\"stateMachineArn\":\"arn:aws:states:us-east-1:0:stateMachine:m\",\"input\":"
      "\"{\\\"seq\\\":7}\"}";
  expect(out == "POST / HTTP/1.1\r\nhost: h\r\ncontent-length: " + std::to_string(body.size()) +
                    "\r\n\r\n" + body,
         "Step Functions render: ARN, JSON-escaped input, length");
}

void query_template_form_encodes() {
  std::string error;
  auto t = loadgen::Template::load(
      write_temp("POST / HTTP/1.1\r\nContent-Type: application/x-www-form-urlencoded; "
                 "charset=utf-8\r\nContent-Length: {{CONTENT_LENGTH}}\r\n\r\nAction=DeleteMessage"
                 "&QueueUrl={{QUEUE_URL}}&ReceiptHandle={{RH0}}"),
      &error);
  expect(t.has_value(), "Query template loads");
  if (!t) return;
  expect(t->protocol() == loadgen::Protocol::kQuery, "Query template is Query");
  std::string out;
  t->render(out, "h", "http://h:1/0/q", {"b"}, {"a+b/c=="});
  expect(out.find("QueueUrl=http%3A%2F%2Fh%3A1%2F0%2Fq&ReceiptHandle=a%2Bb%2Fc%3D%3D") !=
             std::string::npos,
         "Query render percent-encodes URL and handle");
  size_t body_at = out.find("\r\n\r\n") + 4;
  expect(out.find("Content-Length: " + std::to_string(out.size() - body_at) + "\r\n") !=
             std::string::npos,
         "Query Content-Length matches the encoded body");
}

void sns_publish_template_form_encodes_topic() {
  std::string error;
  auto t = loadgen::Template::load(
      write_temp("POST / HTTP/1.1\r\ncontent-type: application/x-www-form-urlencoded\r\n"
                 "content-length: {{CONTENT_LENGTH}}\r\nhost: {{HOST}}\r\n\r\nAction=Publish&"
                 "Version=2010-03-31&Message={{BODY}}&TopicArn={{TOPIC_ARN}}"),
      &error);
  expect(t.has_value(), "SNS Publish template loads");
  if (!t) return;
  expect(t->protocol() == loadgen::Protocol::kQuery, "SNS Publish template is Query");
  expect(t->body_slots() == 1, "Publish has one message slot");
  std::string out;
  t->render(out, "h", "arn:aws:sns:us-east-1:000000000000:t", {"AbC09"}, {});
  std::string body =
      "Action=Publish&Version=2010-03-31&Message=AbC09&TopicArn="
      "arn%3Aaws%3Asns%3Aus-east-1%3A000000000000%3At";
  expect(
      out.size() > body.size() && out.substr(out.size() - body.size()) == body &&
          out.find("content-length: " + std::to_string(body.size()) + "\r\n") != std::string::npos,
      "Publish render: topic ARN form-encoded, length");
}

void receipt_handles_from_json_and_xml() {
  auto json = loadgen::receipt_handles(
      R"({"Messages":[{"ReceiptHandle" : "AQ\/x+\u00e9=","Body":"b"},{"ReceiptHandle":"Z"}]})",
      loadgen::Protocol::kJson);
  expect(json == std::vector<std::string>{"AQ/x+\xc3\xa9=", "Z"}, "JSON handles decoded");
  auto xml = loadgen::receipt_handles(
      "<ReceiveMessageResult><Message><ReceiptHandle>a&amp;b&#43;c</ReceiptHandle></Message>"
      "<Message><ReceiptHandle>d</ReceiptHandle></Message></ReceiveMessageResult>",
      loadgen::Protocol::kQuery);
  expect(xml == std::vector<std::string>{"a&b+c", "d"}, "XML handles decoded");
  expect(loadgen::receipt_handles("{\"Messages\":[]}", loadgen::Protocol::kJson).empty(),
         "no handles in an empty receive");
}

void responses_with_length_and_chunked_bodies() {
  loadgen::Response r;
  std::string two = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokHTTP/1.1 400 Bad\r\n";
  long used = loadgen::parse_response(two, r);
  expect(used == 40 && r.status == 200 && r.body == "ok", "Content-Length response");
  expect(loadgen::parse_response(two.substr(40), r) == 0, "partial head needs more bytes");
  std::string chunked =
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
      "3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n";
  used = loadgen::parse_response(chunked, r);
  expect(used == static_cast<long>(chunked.size()) && r.body == "abcde" && r.close,
         "chunked response and Connection: close");
  expect(loadgen::parse_response(chunked.substr(0, chunked.size() - 3), r) == 0,
         "chunked response cut short needs more bytes");
  expect(loadgen::parse_response("garbage\r\n\r\n", r) < 0, "non-HTTP bytes rejected");
}

void batch_failures_counted() {
  expect(loadgen::failed_batch_entries(
             R"({"Successful":[],"Failed":[{"Id":"m0","SenderFault":true,"Code":"X"}]})",
             loadgen::Protocol::kJson) == 1,
         "JSON failed entry");
  expect(loadgen::failed_batch_entries("<BatchResultErrorEntry><Id>a</Id></BatchResultErrorEntry>",
                                       loadgen::Protocol::kQuery) == 1,
         "XML failed entry");
  expect(loadgen::failed_batch_entries(R"({"Successful":[{"Id":"m0"}],"Failed":[]})",
                                       loadgen::Protocol::kJson) == 0,
         "no failed entries");
}

}  // namespace

int main() {
  json_template_fills_placeholders_and_length();
  sfn_template_escapes_input();
  query_template_form_encodes();
  sns_publish_template_form_encodes_topic();
  receipt_handles_from_json_and_xml();
  responses_with_length_and_chunked_bodies();
  batch_failures_counted();
  for (const auto& f : temp_files)
    std::remove(f.c_str());
  std::printf("loadgen wire checks: %d, failing: %d\n", checks, failures);
  return failures == 0 ? 0 : 1;
}
