// Every SQS state survives a restart: an engine restored from the SQLite store sees the
// same queues, attributes, tags, messages (receive counts, visibility, delays), FIFO
// deduplication windows and sequence numbers, and move tasks.
#include <filesystem>

#include <nlohmann/json.hpp>

#include "sqs_fixture.hpp"

namespace sluice::services::sqs::testing {
namespace {

class Persistence : public ::testing::Test {
 protected:
  Persistence() : clock_(kStart), timers_(clock_) {
    dir_ = std::filesystem::temp_directory_path() /
           ("sluice-sqs-persist-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    open();
  }
  ~Persistence() override {
    close();
    timers_.stop();
    std::filesystem::remove_all(dir_);
  }

  void open() {
    auto s = store::open_sqlite_store(dir_.string());
    ASSERT_TRUE(s.ok()) << s.error().message;
    store_ = std::move(*s);
    runtime_ = std::make_unique<Runtime>(
        Runtime{clock_, timers_, *store_, "us-east-1", "000000000000", ""});
    engine_ = SqsEngine::create(*runtime_);
    auto r = engine_->restore();
    ASSERT_TRUE(r.ok()) << r.error().message;
  }

  void close() {
    if (store_) store_->flush();
    // A queue timer may be running on the timer thread (a clock advance made a delay
    // due); it holds the engine, which refers to the runtime and store freed below.
    // Timers run one at a time and in deadline order: once this one has run, it is done.
    std::promise<void> idle;
    auto ran = idle.get_future();
    timers_.schedule_at(clock_.now_ms(), [&idle] { idle.set_value(); });
    ran.wait();
    engine_.reset();
    runtime_.reset();
    store_.reset();
  }

  void restart() {
    close();
    open();
  }

  std::vector<ReceivedMessage> receive(const QueueId& q, int visibility = 30,
                                       const std::string& attempt_id = "") {
    ReceiveRequest r;
    r.receive_request_attempt_id = attempt_id;
    r.max_messages = 10;
    r.visibility_timeout = visibility;
    r.attribute_names = {"All"};
    r.message_attribute_names = {"All"};
    std::promise<Result<std::vector<ReceivedMessage>>> p;
    auto f = p.get_future();
    engine_->receive_message(
        q, r, [&p](Result<std::vector<ReceivedMessage>> res) { p.set_value(std::move(res)); });
    auto res = f.get();
    return res.ok() ? *res : std::vector<ReceivedMessage>{};
  }

  std::filesystem::path dir_;
  VirtualClock clock_;
  TimerService timers_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<Runtime> runtime_;
  std::shared_ptr<SqsEngine> engine_;
};

TEST_F(Persistence, queues_attributes_tags_and_messages_survive_a_restart) {
  QueueId q{"us-east-1", "000000000000", "durable"};
  ASSERT_TRUE(engine_->create_queue(q, {{"VisibilityTimeout", "45"}}, {{"env", "dev"}}).ok());
  SendRequest r;
  r.body = "kept";
  r.attributes["k"] = AttributeValue{"Binary", "", std::string("\x00\xff", 2)};
  auto sent = engine_->send_message(q, r);
  ASSERT_TRUE(sent.ok());
  SendRequest second;
  second.body = "in flight";
  ASSERT_TRUE(engine_->send_message(q, second).ok());
  restart();
  EXPECT_EQ(engine_->get_queue_attributes(q, {"VisibilityTimeout"})->at("VisibilityTimeout"), "45");
  EXPECT_EQ(engine_->list_queue_tags(q)->at("env"), "dev");
  auto got = receive(q);
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0].message_id, sent->message_id);
  EXPECT_EQ(got[0].message_attributes.at("k").binary_value, std::string("\x00\xff", 2));
  EXPECT_EQ(got[0].md5_of_attributes, sent->md5_of_attributes);
  ASSERT_TRUE(engine_->delete_message(q, got[0].receipt_handle).ok());
  restart();
  // The other message is still in flight with its receive count; its handle still works.
  EXPECT_TRUE(receive(q).empty());
  EXPECT_TRUE(engine_->change_message_visibility(q, got[1].receipt_handle, 0).ok());
  auto again = receive(q);
  ASSERT_EQ(again.size(), 1u);
  EXPECT_EQ(again[0].body, "in flight");
  EXPECT_EQ(again[0].attributes.at("ApproximateReceiveCount"), "2");
}

TEST_F(Persistence, every_message_field_survives_and_older_json_records_are_still_read) {
  QueueId q{"us-east-1", "000000000000", "fields"};
  ASSERT_TRUE(engine_->create_queue(q, {}, {}).ok());
  SendRequest r;
  r.body = "line\n\"quoted\" \xc3\xa9";
  r.attributes["n"] = AttributeValue{"Number.int", "42", ""};
  r.attributes["s"] = AttributeValue{"String.x", "text", ""};
  r.system_attributes["AWSTraceHeader"] = AttributeValue{"String", "Root=1-abc", ""};
  r.sender_id = "AIDASENDER";
  auto sent = engine_->send_message(q, r);
  ASSERT_TRUE(sent.ok()) << sent.error().message;
  restart();
  auto got = receive(q);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].body, r.body);
  EXPECT_EQ(got[0].md5_of_body, sent->md5_of_body);
  EXPECT_EQ(got[0].message_attributes, r.attributes);
  EXPECT_EQ(got[0].md5_of_attributes, sent->md5_of_attributes);
  EXPECT_EQ(got[0].attributes.at("AWSTraceHeader"), "Root=1-abc");
  EXPECT_EQ(got[0].attributes.at("SenderId"), "AIDASENDER");
  EXPECT_EQ(got[0].attributes.at("SentTimestamp"), std::to_string(kStart));

  // A data dir written before message records became binary holds JSON ones.
  nlohmann::json old = {
      {"id", "0e9ab8f5-0000-4000-8000-000000000001"},
      {"body", "from json"},
      {"md5", "5b4c7ef6fa4b7c6b4d3e7d2b8c9a1f00"},
      {"attrs", {{"a", {{"t", "String"}, {"s", "x"}}}}},
      {"md5a", "md5-of-a"},
      {"sys", nlohmann::json::object()},
      {"md5s", ""},
      {"sender", "AIDAOLD"},
      {"group", ""},
      {"dedup", ""},
      {"seqno", ""},
      {"dlq_source", ""},
      {"sent", kStart},
      {"base", kStart},
      {"size", 10},
      {"state", {{"rc", 3}, {"fr", kStart}, {"rv", kStart}, {"st", 0}, {"va", 0}, {"tk", 7}}}};
  store_->put("sqs.message", q.key() + "|00000000000000000900", old.dump());
  restart();
  clock_.advance_ms(31000);  // the binary message received above is visible again
  auto both = receive(q);
  ASSERT_EQ(both.size(), 2u);
  EXPECT_EQ(both[1].body, "from json");
  EXPECT_EQ(both[1].message_id, "0e9ab8f5-0000-4000-8000-000000000001");
  EXPECT_EQ(both[1].message_attributes.at("a").string_value, "x");
  EXPECT_EQ(both[1].attributes.at("ApproximateReceiveCount"), "4");
  EXPECT_EQ(both[1].attributes.at("SenderId"), "AIDAOLD");
}

TEST_F(Persistence, fifo_fields_binary_attributes_and_delays_survive_in_binary_records) {
  QueueId fifo{"us-east-1", "000000000000", "binary.fifo"};
  ASSERT_TRUE(engine_->create_queue(fifo, {{"FifoQueue", "true"}}, {}).ok());
  SendRequest r;
  r.body = "ordered";
  r.group_id = "group-1";
  r.deduplication_id = "dedup-1";
  r.attributes["bin"] = AttributeValue{"Binary.raw", "", std::string("\x00\x01\xfe", 3)};
  auto sent = engine_->send_message(fifo, r);
  ASSERT_TRUE(sent.ok()) << sent.error().message;
  QueueId plain{"us-east-1", "000000000000", "binary-delayed"};
  ASSERT_TRUE(engine_->create_queue(plain, {}, {}).ok());
  SendRequest later;
  later.body = "later";
  later.delay_seconds = 60;
  ASSERT_TRUE(engine_->send_message(plain, later).ok());
  restart();
  auto got = receive(fifo);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].attributes.at("MessageGroupId"), "group-1");
  EXPECT_EQ(got[0].attributes.at("MessageDeduplicationId"), "dedup-1");
  EXPECT_EQ(got[0].attributes.at("SequenceNumber"), sent->sequence_number);
  EXPECT_EQ(got[0].message_attributes.at("bin").binary_value, std::string("\x00\x01\xfe", 3));
  EXPECT_EQ(got[0].md5_of_attributes, sent->md5_of_attributes);
  EXPECT_TRUE(receive(plain).empty());  // still delayed
  clock_.advance_ms(60000);
  ASSERT_EQ(receive(plain).size(), 1u);
}

TEST_F(Persistence, a_truncated_binary_message_record_fails_the_restore_with_an_error) {
  QueueId q{"us-east-1", "000000000000", "damaged"};
  ASSERT_TRUE(engine_->create_queue(q, {}, {}).ok());
  SendRequest r;
  r.body = "whole";
  ASSERT_TRUE(engine_->send_message(q, r).ok());
  store_->flush();
  auto records = store_->load("sqs.message");
  ASSERT_TRUE(records.ok());
  ASSERT_EQ(records->size(), 1u);
  const auto& rec = records->front();
  ASSERT_EQ(rec.value[0], '\x01');
  store_->put("sqs.message", rec.key, rec.value.substr(0, rec.value.size() / 2));
  store_->flush();
  auto fresh = SqsEngine::create(*runtime_);
  auto restored = fresh->restore();
  ASSERT_FALSE(restored.ok());
  EXPECT_NE(restored.error().message.find("truncated"), std::string::npos)
      << restored.error().message;
}

TEST_F(Persistence, fifo_deduplication_and_sequence_numbers_survive_a_restart) {
  QueueId q{"us-east-1", "000000000000", "durable.fifo"};
  ASSERT_TRUE(engine_->create_queue(q, {{"FifoQueue", "true"}}, {}).ok());
  SendRequest r;
  r.body = "once";
  r.group_id = "g";
  r.deduplication_id = "d";
  auto first = engine_->send_message(q, r);
  ASSERT_TRUE(first.ok());
  restart();
  auto dup = engine_->send_message(q, r);
  ASSERT_TRUE(dup.ok());
  EXPECT_EQ(dup->message_id, first->message_id);
  r.deduplication_id = "d2";
  auto next = engine_->send_message(q, r);
  EXPECT_GT(next->sequence_number, first->sequence_number);
}

TEST_F(Persistence, a_fifo_receive_attempt_is_replayed_after_a_restart) {
  QueueId q{"us-east-1", "000000000000", "attempts.fifo"};
  ASSERT_TRUE(
      engine_->create_queue(q, {{"FifoQueue", "true"}, {"ContentBasedDeduplication", "true"}}, {})
          .ok());
  for (const char* body : {"one", "two"}) {
    SendRequest r;
    r.body = body;
    r.group_id = "g";
    ASSERT_TRUE(engine_->send_message(q, r).ok());
  }
  auto first = receive(q, 30, "attempt-1");
  ASSERT_EQ(first.size(), 2u);
  restart();
  auto again = receive(q, 30, "attempt-1");
  ASSERT_EQ(again.size(), 2u);
  EXPECT_EQ(again[0].message_id, first[0].message_id);
  EXPECT_EQ(again[0].receipt_handle, first[0].receipt_handle);
  EXPECT_EQ(again[1].receipt_handle, first[1].receipt_handle);
  // Another attempt id gets nothing: the group is in flight.
  EXPECT_TRUE(receive(q, 30, "attempt-2").empty());
  // After the 5-minute window the attempt is forgotten, across a restart as well.
  clock_.advance_ms(5 * 60 * 1000 + 1);
  restart();
  store_->flush();  // the restore's erase of the expired record goes through the writer
  auto attempts = store_->load("sqs.attempt");
  ASSERT_TRUE(attempts.ok());
  EXPECT_TRUE(attempts->empty());  // the expired attempt's record was dropped
  auto later = receive(q, 30, "attempt-1");
  ASSERT_EQ(later.size(), 2u);
  EXPECT_NE(later[0].receipt_handle, first[0].receipt_handle);
}

TEST_F(Persistence, delayed_messages_stay_delayed_across_a_restart) {
  QueueId q{"us-east-1", "000000000000", "later"};
  ASSERT_TRUE(engine_->create_queue(q, {{"DelaySeconds", "60"}}, {}).ok());
  SendRequest r;
  r.body = "later";
  ASSERT_TRUE(engine_->send_message(q, r).ok());
  restart();
  EXPECT_TRUE(receive(q).empty());
  clock_.advance_ms(60'000);
  EXPECT_EQ(receive(q).size(), 1u);
}

TEST_F(Persistence, a_recently_deleted_name_stays_blocked_across_a_restart) {
  QueueId q{"us-east-1", "000000000000", "gone"};
  ASSERT_TRUE(engine_->create_queue(q, {}, {}).ok());
  ASSERT_TRUE(engine_->delete_queue(q).ok());
  restart();
  EXPECT_EQ(engine_->create_queue(q, {}, {}).error().code, "QueueDeletedRecently");
  clock_.advance_ms(60'000);
  EXPECT_TRUE(engine_->create_queue(q, {}, {}).ok());
}

TEST_F(Persistence, move_tasks_survive_a_restart) {
  QueueId dlq{"us-east-1", "000000000000", "dlq"};
  QueueId src{"us-east-1", "000000000000", "src"};
  ASSERT_TRUE(engine_->create_queue(dlq, {}, {}).ok());
  ASSERT_TRUE(
      engine_
          ->create_queue(
              src,
              {{"RedrivePolicy",
                nlohmann::json{{"deadLetterTargetArn", dlq.arn()}, {"maxReceiveCount", 1}}.dump()}},
              {})
          .ok());
  SendRequest r;
  r.body = "x";
  ASSERT_TRUE(engine_->send_message(dlq, r).ok());
  ASSERT_TRUE(engine_->start_message_move_task(dlq.arn(), src.arn(), 1).ok());
  ASSERT_TRUE(eventually([&] {
    auto t = engine_->list_message_move_tasks(dlq.arn(), 1);
    return t.ok() && !t->empty() && (*t)[0].status == "COMPLETED";
  }));
  restart();
  auto tasks = engine_->list_message_move_tasks(dlq.arn(), 10);
  ASSERT_TRUE(tasks.ok());
  ASSERT_EQ(tasks->size(), 1u);
  EXPECT_EQ((*tasks)[0].moved, 1);
  EXPECT_EQ(receive(src).size(), 1u);
}

}  // namespace
}  // namespace sluice::services::sqs::testing
