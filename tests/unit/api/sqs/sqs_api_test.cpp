// SQS through the dispatcher, in process: raw AWS Query forms and AWS JSON bodies in,
// rendered responses out.
#include <gtest/gtest.h>

#include <chrono>
#include <future>

#include <nlohmann/json.hpp>

#include "sluice/api/dispatcher.hpp"
#include "sluice/api/sqs/sqs_api.hpp"
#include "sluice/common/encoding.hpp"
#include "sluice/common/timer.hpp"
#include "sluice/store/store.hpp"

namespace sluice::api::sqs {
namespace {

using Json = nlohmann::json;

class SqsApi : public ::testing::Test {
 protected:
  SqsApi()
      : clock_(1'700'000'000'000),
        timers_(clock_),
        runtime_{clock_, timers_, store_, "us-east-1", "000000000000", ""},
        dispatcher_(DispatcherOptions{}, clock_) {
    auto engine = install_sqs(dispatcher_, runtime_);
    EXPECT_TRUE(engine.ok());
    engine_ = *engine;
  }
  ~SqsApi() override { timers_.stop(); }

  std::future<HttpResponse> send_async(HttpRequest req) {
    auto promise = std::make_shared<std::promise<HttpResponse>>();
    auto f = promise->get_future();
    dispatcher_.handle(std::move(req),
                       [promise](HttpResponse r) { promise->set_value(std::move(r)); });
    return f;
  }

  HttpResponse wait(std::future<HttpResponse> f) {
    EXPECT_EQ(f.wait_for(std::chrono::seconds(2)), std::future_status::ready);
    return f.get();
  }

  HttpResponse query(const std::string& form, const std::string& path = "/") {
    HttpRequest r;
    r.method = "POST";
    r.target = path;
    r.path = path;
    r.headers = {{"host", "localhost:4566"}, {"content-type", "application/x-www-form-urlencoded"}};
    r.body = form + "&Version=2012-11-05";
    return wait(send_async(std::move(r)));
  }

  HttpRequest json_request(const std::string& op, const Json& body) {
    HttpRequest r;
    r.method = "POST";
    r.target = "/";
    r.path = "/";
    r.headers = {{"host", "localhost:4566"},
                 {"content-type", "application/x-amz-json-1.0"},
                 {"x-amz-target", "AmazonSQS." + op}};
    r.body = body.dump();
    return r;
  }

  HttpResponse json(const std::string& op, const Json& body) {
    return wait(send_async(json_request(op, body)));
  }

  static Json parse(const HttpResponse& r) { return Json::parse(r.body); }

  static const std::string* header(const HttpResponse& r, const std::string& name) {
    for (const auto& [k, v] : r.headers)
      if (k == name) return &v;
    return nullptr;
  }

  VirtualClock clock_;
  TimerService timers_;
  store::NullStore store_;
  services::Runtime runtime_;
  Dispatcher dispatcher_;
  std::shared_ptr<services::sqs::SqsEngine> engine_;
};

// Text of the first <tag>...</tag> in `xml`, or "<absent>".
std::string xml_text(const std::string& xml, const std::string& tag, std::size_t from = 0) {
  const auto open = xml.find("<" + tag + ">", from);
  if (open == std::string::npos) return "<absent>";
  const auto start = open + tag.size() + 2;
  return xml.substr(start, xml.find("</" + tag + ">", start) - start);
}

TEST_F(SqsApi, query_create_send_receive_renders_aws_xml) {
  auto created = query(
      "Action=CreateQueue&QueueName=q1&Attribute.1.Name=VisibilityTimeout"
      "&Attribute.1.Value=60&Tag.1.Key=env&Tag.1.Value=dev");
  ASSERT_EQ(created.status, 200) << created.body;
  EXPECT_NE(created.body.find("<CreateQueueResponse xmlns=\"http://queue.amazonaws.com/doc/"
                              "2012-11-05/\"><CreateQueueResult><QueueUrl>http://localhost:4566/"
                              "000000000000/q1</QueueUrl></CreateQueueResult>"),
            std::string::npos)
      << created.body;
  const std::string url = url_encode("http://localhost:4566/000000000000/q1");
  auto sent = query("Action=SendMessage&QueueUrl=" + url +
                    "&MessageBody=hello&MessageAttribute.1.Name=k"
                    "&MessageAttribute.1.Value.DataType=String"
                    "&MessageAttribute.1.Value.StringValue=v");
  ASSERT_EQ(sent.status, 200) << sent.body;
  EXPECT_EQ(xml_text(sent.body, "MD5OfMessageBody"), md5_hex("hello"));
  auto got = query("Action=ReceiveMessage&QueueUrl=" + url +
                   "&AttributeName.1=All&MessageAttributeName.1=All&MaxNumberOfMessages=10");
  ASSERT_EQ(got.status, 200);
  EXPECT_EQ(xml_text(got.body, "Body"), "hello");
  EXPECT_NE(got.body.find("<MessageAttribute><Name>k</Name><Value><StringValue>v</StringValue>"
                          "<DataType>String</DataType></Value></MessageAttribute>"),
            std::string::npos)
      << got.body;
  EXPECT_NE(got.body.find("<Attribute><Name>ApproximateReceiveCount</Name><Value>1</Value>"
                          "</Attribute>"),
            std::string::npos);
  auto tags = query("Action=ListQueueTags&QueueUrl=" + url);
  EXPECT_NE(tags.body.find("<Tag><Key>env</Key><Value>dev</Value></Tag>"), std::string::npos);
}

TEST_F(SqsApi, json_create_send_receive) {
  auto created = json("CreateQueue", {{"QueueName", "q1"}, {"tags", {{"env", "dev"}}}});
  ASSERT_EQ(created.status, 200) << created.body;
  EXPECT_EQ(created.content_type, "application/x-amz-json-1.0");
  const std::string url = parse(created)["QueueUrl"];
  EXPECT_EQ(url, "http://localhost:4566/000000000000/q1");
  auto sent =
      json("SendMessage",
           {{"QueueUrl", url},
            {"MessageBody", "hello"},
            {"MessageAttributes",
             {{"b", {{"DataType", "Binary"}, {"BinaryValue", base64_encode("\x01\x02")}}}}}});
  ASSERT_EQ(sent.status, 200) << sent.body;
  auto got = parse(json("ReceiveMessage", {{"QueueUrl", url},
                                           {"MessageAttributeNames", {"All"}},
                                           {"MessageSystemAttributeNames", {"SenderId"}}}));
  ASSERT_EQ(got["Messages"].size(), 1u);
  EXPECT_EQ(got["Messages"][0]["MessageAttributes"]["b"]["BinaryValue"], base64_encode("\x01\x02"));
  EXPECT_EQ(got["Messages"][0]["Attributes"].size(), 1u);
  EXPECT_EQ(parse(json("ReceiveMessage", {{"QueueUrl", url}})), Json::object());
}

// One scenario, both protocols: the same digests, bodies and attributes.
TEST_F(SqsApi, same_scenario_gives_equal_results_over_query_and_json) {
  json("CreateQueue", {{"QueueName", "viajson"}});
  query("Action=CreateQueue&QueueName=viaquery");
  const std::string jurl = "http://localhost:4566/000000000000/viajson";
  const std::string qurl = url_encode("http://localhost:4566/000000000000/viaquery");
  auto jsent =
      parse(json("SendMessage", {{"QueueUrl", jurl},
                                 {"MessageBody", "same body"},
                                 {"MessageAttributes",
                                  {{"n", {{"DataType", "Number.int"}, {"StringValue", "42"}}},
                                   {"s", {{"DataType", "String"}, {"StringValue", "text"}}}}}}));
  auto qsent = query("Action=SendMessage&QueueUrl=" + qurl +
                     "&MessageBody=same%20body&MessageAttribute.1.Name=n"
                     "&MessageAttribute.1.Value.DataType=Number.int"
                     "&MessageAttribute.1.Value.StringValue=42&MessageAttribute.2.Name=s"
                     "&MessageAttribute.2.Value.DataType=String"
                     "&MessageAttribute.2.Value.StringValue=text");
  EXPECT_EQ(jsent["MD5OfMessageBody"], xml_text(qsent.body, "MD5OfMessageBody"));
  EXPECT_EQ(jsent["MD5OfMessageAttributes"], xml_text(qsent.body, "MD5OfMessageAttributes"));
  auto jgot =
      parse(json("ReceiveMessage", {{"QueueUrl", jurl}, {"MessageAttributeNames", {"All"}}}));
  auto qgot = query("Action=ReceiveMessage&QueueUrl=" + qurl + "&MessageAttributeName.1=All");
  const Json& m = jgot["Messages"][0];
  EXPECT_EQ(m["Body"], xml_text(qgot.body, "Body"));
  EXPECT_EQ(m["MD5OfBody"], xml_text(qgot.body, "MD5OfBody"));
  EXPECT_EQ(m["MD5OfMessageAttributes"], xml_text(qgot.body, "MD5OfMessageAttributes"));
  EXPECT_EQ(m["MessageAttributes"]["n"]["StringValue"], "42");
  EXPECT_NE(qgot.body.find("<Name>n</Name><Value><StringValue>42</StringValue><DataType>Number.int"
                           "</DataType>"),
            std::string::npos);
  auto jattrs =
      parse(json("GetQueueAttributes", {{"QueueUrl", jurl}, {"AttributeNames", {"All"}}}));
  auto qattrs = query("Action=GetQueueAttributes&QueueUrl=" + qurl + "&AttributeName.1=All");
  for (const auto& name :
       {"VisibilityTimeout", "MaximumMessageSize", "ApproximateNumberOfMessagesNotVisible"}) {
    const std::string needle = std::string("<Name>") + name + "</Name><Value>";
    const auto at = qattrs.body.find(needle);
    ASSERT_NE(at, std::string::npos) << name;
    EXPECT_EQ(jattrs["Attributes"][name], xml_text(qattrs.body, "Value", at));
  }
}

TEST_F(SqsApi, errors_render_per_protocol_with_the_query_error_header_on_json) {
  auto q = query("Action=GetQueueUrl&QueueName=missing");
  EXPECT_EQ(q.status, 400);
  EXPECT_EQ(xml_text(q.body, "Code"), "AWS.SimpleQueueService.NonExistentQueue");
  EXPECT_EQ(xml_text(q.body, "Type"), "Sender");
  EXPECT_EQ(xml_text(q.body, "Message"), "The specified queue does not exist.");
  auto j = json("GetQueueUrl", {{"QueueName", "missing"}});
  EXPECT_EQ(j.status, 400);
  EXPECT_EQ(parse(j)["__type"], "com.amazonaws.sqs#QueueDoesNotExist");
  ASSERT_NE(header(j, "x-amzn-query-error"), nullptr);
  EXPECT_EQ(*header(j, "x-amzn-query-error"), "AWS.SimpleQueueService.NonExistentQueue;Sender");
  json("CreateQueue", {{"QueueName", "p"}});
  json("PurgeQueue", {{"QueueUrl", "http://localhost:4566/000000000000/p"}});
  auto again = json("PurgeQueue", {{"QueueUrl", "http://localhost:4566/000000000000/p"}});
  EXPECT_EQ(again.status, 403);
  EXPECT_EQ(*header(again, "x-amzn-query-error"),
            "AWS.SimpleQueueService.PurgeQueueInProgress;Sender");
  auto bad_attr = query("Action=CreateQueue&QueueName=x&Attribute.1.Name=Nope&Attribute.1.Value=1");
  EXPECT_EQ(xml_text(bad_attr.body, "Code"), "InvalidAttributeName");
}

TEST_F(SqsApi, query_requests_may_name_the_queue_by_path) {
  query("Action=CreateQueue&QueueName=bypath");
  auto sent = query("Action=SendMessage&MessageBody=x", "/000000000000/bypath");
  ASSERT_EQ(sent.status, 200) << sent.body;
  auto missing = query("Action=SendMessage&MessageBody=x");
  EXPECT_EQ(xml_text(missing.body, "Code"), "MissingParameter");
}

TEST_F(SqsApi, every_aws_queue_url_shape_reaches_the_queue) {
  json("CreateQueue", {{"QueueName", "shapes"}});
  for (const std::string url :
       {"https://sqs.us-east-1.amazonaws.com/000000000000/shapes",
        "https://us-east-1.queue.amazonaws.com/000000000000/shapes",
        "http://sqs.us-east-1.localhost.localstack.cloud:4566/000000000000/shapes",
        "http://localhost:4566/000000000000/shapes", "http://any.host:1234/000000000000/shapes"}) {
    auto r = json("GetQueueAttributes", {{"QueueUrl", url}, {"AttributeNames", {"QueueArn"}}});
    EXPECT_EQ(r.status, 200) << url << " " << r.body;
  }
  auto other_region =
      json("GetQueueAttributes",
           {{"QueueUrl", "https://sqs.eu-west-1.amazonaws.com/000000000000/shapes"}});
  EXPECT_EQ(parse(other_region)["__type"], "com.amazonaws.sqs#QueueDoesNotExist");
}

TEST_F(SqsApi, batch_results_list_successful_and_failed_entries) {
  json("CreateQueue", {{"QueueName", "b"}});
  const std::string url = "http://localhost:4566/000000000000/b";
  auto r = parse(
      json("SendMessageBatch", {{"QueueUrl", url},
                                {"Entries",
                                 {{{"Id", "a"}, {"MessageBody", "x"}},
                                  {{"Id", "b"}, {"MessageBody", "y"}, {"DelaySeconds", 1000}}}}}));
  EXPECT_EQ(r["Successful"].size(), 1u);
  ASSERT_EQ(r["Failed"].size(), 1u);
  EXPECT_EQ(r["Failed"][0]["Code"], "InvalidParameterValue");
  EXPECT_EQ(r["Failed"][0]["SenderFault"], true);
  auto q =
      query("Action=SendMessageBatch&QueueUrl=" + url_encode(url) +
            "&SendMessageBatchRequestEntry.1.Id=a&SendMessageBatchRequestEntry.1.MessageBody=x"
            "&SendMessageBatchRequestEntry.2.Id=a&SendMessageBatchRequestEntry.2.MessageBody=y");
  EXPECT_EQ(xml_text(q.body, "Code"), "AWS.SimpleQueueService.BatchEntryIdsNotDistinct");
  auto empty = json("DeleteMessageBatch", {{"QueueUrl", url}, {"Entries", Json::array()}});
  EXPECT_EQ(parse(empty)["__type"], "com.amazonaws.sqs#EmptyBatchRequest");
}

TEST_F(SqsApi, parked_json_receive_is_answered_by_a_later_send) {
  json("CreateQueue", {{"QueueName", "lp"}});
  const std::string url = "http://localhost:4566/000000000000/lp";
  auto parked =
      send_async(json_request("ReceiveMessage", {{"QueueUrl", url}, {"WaitTimeSeconds", 20}}));
  EXPECT_EQ(parked.wait_for(std::chrono::milliseconds(20)), std::future_status::timeout);
  json("SendMessage", {{"QueueUrl", url}, {"MessageBody", "wake"}});
  auto r = parse(wait(std::move(parked)));
  EXPECT_EQ(r["Messages"][0]["Body"], "wake");
}

TEST_F(SqsApi, inspection_routes_show_messages_without_receiving_them) {
  json("CreateQueue", {{"QueueName", "peek"}});
  const std::string url = "http://localhost:4566/000000000000/peek";
  json("SendMessage", {{"QueueUrl", url}, {"MessageBody", "seen"}});
  for (const std::string path : {"/_sluice/sqs/messages", "/_aws/sqs/messages"}) {
    HttpRequest r;
    r.method = "GET";
    r.path = path;
    r.query = "QueueUrl=" + url_encode(url);
    r.target = path + "?" + r.query;
    auto resp = wait(send_async(std::move(r)));
    ASSERT_EQ(resp.status, 200) << resp.body;
    EXPECT_EQ(parse(resp)["Messages"][0]["Body"], "seen");
  }
  auto got = parse(json("ReceiveMessage", {{"QueueUrl", url}}));
  EXPECT_EQ(got["Messages"].size(), 1u);
}

}  // namespace
}  // namespace sluice::api::sqs
