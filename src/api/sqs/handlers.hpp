#pragma once
// SQS operation handlers: neutral JSON in, engine call, neutral JSON out. They see
// neither HTTP nor the protocol (the dispatcher decoded and will render).
#include <memory>
#include <string>

#include "sluice/api/service.hpp"
#include "sluice/services/sqs/engine.hpp"

namespace sluice::api::sqs {

class SqsHandlers {
 public:
  explicit SqsHandlers(std::shared_ptr<services::sqs::SqsEngine> engine)
      : engine_(std::move(engine)) {}

  // queue_handlers.cpp
  void create_queue(const Call& call, Json in, Reply reply);
  void delete_queue(const Call& call, Json in, Reply reply);
  void get_queue_url(const Call& call, Json in, Reply reply);
  void list_queues(const Call& call, Json in, Reply reply);
  void get_queue_attributes(const Call& call, Json in, Reply reply);
  void set_queue_attributes(const Call& call, Json in, Reply reply);
  void purge_queue(const Call& call, Json in, Reply reply);
  void tag_queue(const Call& call, Json in, Reply reply);
  void untag_queue(const Call& call, Json in, Reply reply);
  void list_queue_tags(const Call& call, Json in, Reply reply);
  void add_permission(const Call& call, Json in, Reply reply);
  void remove_permission(const Call& call, Json in, Reply reply);
  void list_dead_letter_source_queues(const Call& call, Json in, Reply reply);
  void start_message_move_task(const Call& call, Json in, Reply reply);
  void cancel_message_move_task(const Call& call, Json in, Reply reply);
  void list_message_move_tasks(const Call& call, Json in, Reply reply);

  // message_handlers.cpp
  void send_message(const Call& call, Json in, Reply reply);
  void send_message_batch(const Call& call, Json in, Reply reply);
  void receive_message(const Call& call, Json in, Reply reply);
  void delete_message(const Call& call, Json in, Reply reply);
  void delete_message_batch(const Call& call, Json in, Reply reply);
  void change_message_visibility(const Call& call, Json in, Reply reply);
  void change_message_visibility_batch(const Call& call, Json in, Reply reply);

  services::sqs::SqsEngine& engine() { return *engine_; }

 private:
  // The queue a request names: QueueUrl, or (AWS Query) the request path.
  Result<services::sqs::QueueId> target_queue(const Call& call, const Json& in) const;
  std::string url_of(const services::sqs::QueueId& id, const Call& call) const;
  // Replies `result` once everything the engine emitted so far is durable.
  void reply_durable(Reply reply, Json result);

  std::shared_ptr<services::sqs::SqsEngine> engine_;
};

// Small accessors for neutral JSON input.
std::string str_member(const Json& in, const char* name);
std::optional<int> int_member(const Json& in, const char* name);
std::vector<std::string> string_list(const Json& in, const char* name);
std::map<std::string, std::string> string_map(const Json& in, const char* name);

}  // namespace sluice::api::sqs
