// Dead-letter queues and message move tasks.
#include <nlohmann/json.hpp>

#include "sqs_fixture.hpp"

namespace sluice::services::sqs::testing {
namespace {

using Redrive = SqsEngineTest;

std::string redrive(const QueueId& dlq, int max) {
  return nlohmann::json{{"deadLetterTargetArn", dlq.arn()}, {"maxReceiveCount", max}}.dump();
}

TEST_F(Redrive, message_moves_to_the_dead_letter_queue_on_the_receive_that_exceeds_the_limit) {
  auto dlq = queue("dlq");
  auto src = queue("src", {{"VisibilityTimeout", "1"}});
  ASSERT_TRUE(engine_->set_queue_attributes(src, {{"RedrivePolicy", redrive(dlq, 2)}}).ok());
  auto sent = send(src, "poison");
  ASSERT_EQ(receive(src).size(), 1u);
  advance_s(1);
  ASSERT_EQ(receive(src).size(), 1u);
  advance_s(1);
  EXPECT_TRUE(receive(src).empty());
  auto moved = receive(dlq);
  ASSERT_EQ(moved.size(), 1u);
  EXPECT_EQ(moved[0].message_id, sent.message_id);
  EXPECT_EQ(moved[0].attributes.at("DeadLetterQueueSourceArn"), src.arn());
}

TEST_F(Redrive, redrive_policy_is_validated) {
  auto src = queue("src");
  QueueId missing{"us-east-1", "000000000000", "missing"};
  auto s = engine_->set_queue_attributes(src, {{"RedrivePolicy", redrive(missing, 3)}});
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, "InvalidParameterValue");
  auto dlq = queue("dlq");
  EXPECT_FALSE(engine_->set_queue_attributes(src, {{"RedrivePolicy", redrive(dlq, 0)}}).ok());
  EXPECT_FALSE(engine_->set_queue_attributes(src, {{"RedrivePolicy", redrive(dlq, 1001)}}).ok());
  EXPECT_FALSE(engine_->set_queue_attributes(src, {{"RedrivePolicy", "{not json"}}).ok());
  auto fifo_dlq = queue("dlq.fifo", {{"FifoQueue", "true"}});
  EXPECT_FALSE(engine_->set_queue_attributes(src, {{"RedrivePolicy", redrive(fifo_dlq, 3)}}).ok());
  ASSERT_TRUE(engine_->set_queue_attributes(src, {{"RedrivePolicy", redrive(dlq, 3)}}).ok());
  EXPECT_EQ(attribute(src, "RedrivePolicy"), redrive(dlq, 3));
}

TEST_F(Redrive, redrive_allow_policy_decides_which_sources_may_use_a_queue) {
  auto dlq = queue("dlq", {{"RedriveAllowPolicy", R"({"redrivePermission":"denyAll"})"}});
  auto src = queue("src");
  EXPECT_FALSE(engine_->set_queue_attributes(src, {{"RedrivePolicy", redrive(dlq, 3)}}).ok());
  ASSERT_TRUE(engine_
                  ->set_queue_attributes(
                      dlq, {{"RedriveAllowPolicy", nlohmann::json{{"redrivePermission", "byQueue"},
                                                                  {"sourceQueueArns", {src.arn()}}}
                                                       .dump()}})
                  .ok());
  EXPECT_TRUE(engine_->set_queue_attributes(src, {{"RedrivePolicy", redrive(dlq, 3)}}).ok());
  auto other = queue("other");
  EXPECT_FALSE(engine_->set_queue_attributes(other, {{"RedrivePolicy", redrive(dlq, 3)}}).ok());
  EXPECT_FALSE(engine_
                   ->set_queue_attributes(
                       dlq, {{"RedriveAllowPolicy", R"({"redrivePermission":"byQueue"})"}})
                   .ok());
}

TEST_F(Redrive, list_dead_letter_source_queues_paginates) {
  auto dlq = queue("dlq");
  for (auto n : {"s1", "s2", "s3"}) {
    auto s = queue(n);
    ASSERT_TRUE(engine_->set_queue_attributes(s, {{"RedrivePolicy", redrive(dlq, 3)}}).ok());
  }
  auto page = engine_->list_dead_letter_source_queues(dlq, 2, "");
  ASSERT_TRUE(page.ok());
  EXPECT_EQ(page->queues.size(), 2u);
  auto rest = engine_->list_dead_letter_source_queues(dlq, 2, page->next_token);
  ASSERT_EQ(rest->queues.size(), 1u);
  EXPECT_EQ(rest->queues[0].name, "s3");
}

class MoveTasks : public SqsEngineTest {
 protected:
  // Two messages in the DLQ, both from `src`.
  void fill_dead_letter_queue() {
    dlq_ = queue("dlq");
    src_ = queue("src", {{"VisibilityTimeout", "1"}});
    ASSERT_TRUE(engine_->set_queue_attributes(src_, {{"RedrivePolicy", redrive(dlq_, 1)}}).ok());
    send(src_, "a");
    send(src_, "b");
    ASSERT_EQ(receive(src_).size(), 2u);
    advance_s(1);
    EXPECT_TRUE(receive(src_).empty());
    ASSERT_EQ(attribute(dlq_, "ApproximateNumberOfMessages"), "2");
  }
  QueueId dlq_, src_;
};

TEST_F(MoveTasks, move_task_returns_messages_to_their_source_and_completes) {
  fill_dead_letter_queue();
  auto handle = engine_->start_message_move_task(dlq_.arn(), "", std::nullopt);
  ASSERT_TRUE(handle.ok()) << handle.error().message;
  ASSERT_TRUE(eventually([&] {
    auto t = engine_->list_message_move_tasks(dlq_.arn(), 1);
    return t.ok() && !t->empty() && (*t)[0].status == "COMPLETED";
  }));
  auto tasks = engine_->list_message_move_tasks(dlq_.arn(), 10);
  EXPECT_EQ((*tasks)[0].moved, 2);
  EXPECT_EQ((*tasks)[0].to_move, 2);
  EXPECT_TRUE((*tasks)[0].task_handle.empty());
  EXPECT_EQ(attribute(src_, "ApproximateNumberOfMessages"), "2");
  EXPECT_EQ(attribute(dlq_, "ApproximateNumberOfMessages"), "0");
}

TEST_F(MoveTasks, move_task_honours_the_rate_on_the_clock) {
  fill_dead_letter_queue();
  auto other = queue("elsewhere");
  auto handle = engine_->start_message_move_task(dlq_.arn(), other.arn(), 1);
  ASSERT_TRUE(handle.ok());
  ASSERT_TRUE(eventually([&] { return attribute(other, "ApproximateNumberOfMessages") == "1"; }));
  auto running = engine_->list_message_move_tasks(dlq_.arn(), 1);
  EXPECT_EQ((*running)[0].status, "RUNNING");
  EXPECT_EQ((*running)[0].task_handle, *handle);
  advance_s(1);
  ASSERT_TRUE(eventually([&] { return attribute(other, "ApproximateNumberOfMessages") == "2"; }));
}

TEST_F(MoveTasks, cancel_stops_a_running_task) {
  fill_dead_letter_queue();
  auto other = queue("elsewhere");
  auto handle = engine_->start_message_move_task(dlq_.arn(), other.arn(), 1);
  ASSERT_TRUE(eventually([&] { return attribute(other, "ApproximateNumberOfMessages") == "1"; }));
  auto moved = engine_->cancel_message_move_task(*handle);
  ASSERT_TRUE(moved.ok());
  EXPECT_EQ(*moved, 1);
  advance_s(5);
  EXPECT_EQ(engine_->list_message_move_tasks(dlq_.arn(), 1)->at(0).status, "CANCELLED");
  EXPECT_EQ(engine_->cancel_message_move_task(*handle).error().code, "ResourceNotFoundException");
  EXPECT_EQ(engine_->cancel_message_move_task("garbage").error().code, "InvalidParameterValue");
}

TEST_F(MoveTasks, source_must_be_a_dead_letter_queue) {
  auto plain = queue("plain");
  auto r = engine_->start_message_move_task(plain.arn(), "", std::nullopt);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "InvalidParameterValue");
  auto missing =
      engine_->start_message_move_task("arn:aws:sqs:us-east-1:000000000000:nope", "", std::nullopt);
  EXPECT_EQ(missing.error().code, "ResourceNotFoundException");
}

}  // namespace
}  // namespace sluice::services::sqs::testing
