// SQS's wire declaration: every operation declared once, with the AWS Query wire names
// (flattened lists and maps, Attribute.N.Name/Value, MessageAttribute.N.Value.*, ...)
// beside the AWS JSON member names, and the Query error codes of the JSON error shapes.
#include "handlers.hpp"
#include "sluice/api/sqs/sqs_api.hpp"

namespace sluice::api::sqs {

namespace {

using namespace sluice::protocol;

ShapePtr s() {
  return string_shape();
}
ShapePtr i() {
  return integer_shape();
}

// Attribute.N.Name / Attribute.N.Value
Member attribute_map(const char* name = "Attributes") {
  return member(name, map_of(s(), s(), "Name", "Value")).as("Attribute").flat();
}

// Tag.N.Key / Tag.N.Value
Member tag_map(const char* name) {
  return member(name, map_of(s(), s(), "Key", "Value")).as("Tag").flat();
}

ShapePtr attribute_value() {
  static const ShapePtr shape = structure({
      member("StringValue", s()),
      member("BinaryValue", blob_shape()),
      member("StringListValues", list_of(s(), "StringListValue")).as("StringListValue").flat(),
      member("BinaryListValues", list_of(blob_shape(), "BinaryListValue"))
          .as("BinaryListValue")
          .flat(),
      // Required by the model; the engine reports a missing type as AWS words it.
      member("DataType", s()),
  });
  return shape;
}

Member message_attributes(const char* name, const char* wire) {
  return member(name, map_of(s(), attribute_value(), "Name", "Value")).as(wire).flat();
}

Member flat_list(const char* name, const char* wire, ShapePtr element = nullptr) {
  return member(name, list_of(element ? element : s(), wire)).as(wire).flat();
}

ShapePtr batch_error_entry() {
  return structure({member("Id", s()), member("SenderFault", boolean_shape()), member("Code", s()),
                    member("Message", s())});
}

Member failed_list() {
  return flat_list("Failed", "BatchResultErrorEntry", batch_error_entry());
}

ShapePtr send_entry() {
  return structure({
      member("Id", s()).req(),
      member("MessageBody", s()).req(),
      member("DelaySeconds", i()),
      message_attributes("MessageAttributes", "MessageAttribute"),
      message_attributes("MessageSystemAttributes", "MessageSystemAttribute"),
      member("MessageDeduplicationId", s()),
      member("MessageGroupId", s()),
  });
}

ShapePtr message_shape() {
  return structure({
      member("MessageId", s()),
      member("ReceiptHandle", s()),
      member("MD5OfBody", s()),
      member("Body", s()),
      attribute_map(),
      member("MD5OfMessageAttributes", s()),
      message_attributes("MessageAttributes", "MessageAttribute"),
  });
}

// QueueUrl is optional in the declaration: AWS Query requests may name the queue by
// the request path instead; handlers report it missing otherwise.
Member queue_url_member() {
  return member("QueueUrl", s());
}

}  // namespace

std::shared_ptr<const ServiceDecl> make_sqs_service(
    std::shared_ptr<services::sqs::SqsEngine> engine) {
  auto decl = std::make_shared<ServiceDecl>();
  decl->name = "sqs";
  decl->signing_name = "sqs";
  decl->api_version = "2012-11-05";
  decl->xml_namespace = "http://queue.amazonaws.com/doc/2012-11-05/";
  decl->json_target_prefix = "AmazonSQS";
  decl->json_type_prefix = "com.amazonaws.sqs#";
  decl->speaks_query = true;
  decl->query_compatible = true;
  decl->invalid_action_place = "endpoint";
  decl->json_missing_is_validation = false;
  // JSON error shape -> the AWS Query code (the awsQueryError of the Query model).
  decl->query_errors = {
      {"QueueDoesNotExist", {"AWS.SimpleQueueService.NonExistentQueue", 400}},
      {"QueueNameExists", {"QueueAlreadyExists", 400}},
      {"QueueDeletedRecently", {"AWS.SimpleQueueService.QueueDeletedRecently", 400}},
      {"BatchEntryIdsNotDistinct", {"AWS.SimpleQueueService.BatchEntryIdsNotDistinct", 400}},
      {"BatchRequestTooLong", {"AWS.SimpleQueueService.BatchRequestTooLong", 400}},
      {"EmptyBatchRequest", {"AWS.SimpleQueueService.EmptyBatchRequest", 400}},
      {"InvalidBatchEntryId", {"AWS.SimpleQueueService.InvalidBatchEntryId", 400}},
      {"TooManyEntriesInBatchRequest",
       {"AWS.SimpleQueueService.TooManyEntriesInBatchRequest", 400}},
      {"MessageNotInflight", {"AWS.SimpleQueueService.MessageNotInflight", 400}},
      {"PurgeQueueInProgress", {"AWS.SimpleQueueService.PurgeQueueInProgress", 403}},
      {"UnsupportedOperation", {"AWS.SimpleQueueService.UnsupportedOperation", 400}},
      {"OverLimit", {"OverLimit", 403}},
      {"ResourceNotFoundException", {"ResourceNotFoundException", 404}},
  };

  auto h = std::make_shared<SqsHandlers>(std::move(engine));
  auto bind = [h](void (SqsHandlers::*fn)(const Call&, Json, Reply)) -> Handler {
    return [h, fn](const Call& call, Json in, Reply reply) {
      ((*h).*fn)(call, std::move(in), std::move(reply));
    };
  };
  auto op = [&](const char* name, ShapePtr input, ShapePtr output,
                void (SqsHandlers::*fn)(const Call&, Json, Reply)) {
    decl->add(Operation{name, std::move(input), std::move(output), bind(fn)});
  };
  const ShapePtr entry_id_only = structure({member("Id", s())});

  op("CreateQueue", structure({member("QueueName", s()).req(), attribute_map(), tag_map("tags")}),
     structure({member("QueueUrl", s())}), &SqsHandlers::create_queue);
  op("DeleteQueue", structure({queue_url_member()}), nullptr, &SqsHandlers::delete_queue);
  op("GetQueueUrl",
     structure({member("QueueName", s()).req(), member("QueueOwnerAWSAccountId", s())}),
     structure({member("QueueUrl", s())}), &SqsHandlers::get_queue_url);
  op("ListQueues",
     structure(
         {member("QueueNamePrefix", s()), member("NextToken", s()), member("MaxResults", i())}),
     structure({flat_list("QueueUrls", "QueueUrl"), member("NextToken", s())}),
     &SqsHandlers::list_queues);
  op("GetQueueAttributes",
     structure({queue_url_member(), flat_list("AttributeNames", "AttributeName")}),
     structure({attribute_map()}), &SqsHandlers::get_queue_attributes);
  op("SetQueueAttributes", structure({queue_url_member(), attribute_map()}), nullptr,
     &SqsHandlers::set_queue_attributes);
  op("PurgeQueue", structure({queue_url_member()}), nullptr, &SqsHandlers::purge_queue);
  op("TagQueue", structure({queue_url_member(), tag_map("Tags")}), nullptr,
     &SqsHandlers::tag_queue);
  op("UntagQueue", structure({queue_url_member(), flat_list("TagKeys", "TagKey")}), nullptr,
     &SqsHandlers::untag_queue);
  op("ListQueueTags", structure({queue_url_member()}), structure({tag_map("Tags")}),
     &SqsHandlers::list_queue_tags);
  op("AddPermission",
     structure({queue_url_member(), member("Label", s()).req(),
                flat_list("AWSAccountIds", "AWSAccountId"), flat_list("Actions", "ActionName")}),
     nullptr, &SqsHandlers::add_permission);
  op("RemovePermission", structure({queue_url_member(), member("Label", s()).req()}), nullptr,
     &SqsHandlers::remove_permission);
  op("ListDeadLetterSourceQueues",
     structure({queue_url_member(), member("NextToken", s()), member("MaxResults", i())}),
     structure({flat_list("queueUrls", "QueueUrl"), member("NextToken", s())}),
     &SqsHandlers::list_dead_letter_source_queues);

  op("SendMessage",
     structure({queue_url_member(), member("MessageBody", s()).req(), member("DelaySeconds", i()),
                message_attributes("MessageAttributes", "MessageAttribute"),
                message_attributes("MessageSystemAttributes", "MessageSystemAttribute"),
                member("MessageDeduplicationId", s()), member("MessageGroupId", s())}),
     structure({member("MD5OfMessageBody", s()), member("MD5OfMessageAttributes", s()),
                member("MD5OfMessageSystemAttributes", s()), member("MessageId", s()),
                member("SequenceNumber", s())}),
     &SqsHandlers::send_message);
  op("SendMessageBatch",
     structure(
         {queue_url_member(), flat_list("Entries", "SendMessageBatchRequestEntry", send_entry())}),
     structure({flat_list("Successful", "SendMessageBatchResultEntry",
                          structure({member("Id", s()), member("MessageId", s()),
                                     member("MD5OfMessageBody", s()),
                                     member("MD5OfMessageAttributes", s()),
                                     member("MD5OfMessageSystemAttributes", s()),
                                     member("SequenceNumber", s())})),
                failed_list()}),
     &SqsHandlers::send_message_batch);
  op("ReceiveMessage",
     structure({queue_url_member(), flat_list("AttributeNames", "AttributeName"),
                flat_list("MessageSystemAttributeNames", "MessageSystemAttributeName"),
                flat_list("MessageAttributeNames", "MessageAttributeName"),
                member("MaxNumberOfMessages", i()), member("VisibilityTimeout", i()),
                member("WaitTimeSeconds", i()), member("ReceiveRequestAttemptId", s())}),
     structure({flat_list("Messages", "Message", message_shape())}), &SqsHandlers::receive_message);
  op("DeleteMessage", structure({queue_url_member(), member("ReceiptHandle", s()).req()}), nullptr,
     &SqsHandlers::delete_message);
  op("DeleteMessageBatch",
     structure({queue_url_member(), flat_list("Entries", "DeleteMessageBatchRequestEntry",
                                              structure({member("Id", s()).req(),
                                                         member("ReceiptHandle", s()).req()}))}),
     structure(
         {flat_list("Successful", "DeleteMessageBatchResultEntry", entry_id_only), failed_list()}),
     &SqsHandlers::delete_message_batch);
  op("ChangeMessageVisibility",
     structure({queue_url_member(), member("ReceiptHandle", s()).req(),
                member("VisibilityTimeout", i()).req()}),
     nullptr, &SqsHandlers::change_message_visibility);
  op("ChangeMessageVisibilityBatch",
     structure({queue_url_member(),
                flat_list("Entries", "ChangeMessageVisibilityBatchRequestEntry",
                          structure({member("Id", s()).req(), member("ReceiptHandle", s()).req(),
                                     member("VisibilityTimeout", i())}))}),
     structure({flat_list("Successful", "ChangeMessageVisibilityBatchResultEntry", entry_id_only),
                failed_list()}),
     &SqsHandlers::change_message_visibility_batch);

  op("StartMessageMoveTask",
     structure({member("SourceArn", s()).req(), member("DestinationArn", s()),
                member("MaxNumberOfMessagesPerSecond", i())}),
     structure({member("TaskHandle", s())}), &SqsHandlers::start_message_move_task);
  op("CancelMessageMoveTask", structure({member("TaskHandle", s()).req()}),
     structure({member("ApproximateNumberOfMessagesMoved", long_shape())}),
     &SqsHandlers::cancel_message_move_task);
  op("ListMessageMoveTasks", structure({member("SourceArn", s()).req(), member("MaxResults", i())}),
     structure({flat_list(
         "Results", "ListMessageMoveTasksResultEntry",
         structure({member("TaskHandle", s()), member("Status", s()), member("SourceArn", s()),
                    member("DestinationArn", s()), member("MaxNumberOfMessagesPerSecond", i()),
                    member("ApproximateNumberOfMessagesMoved", long_shape()),
                    member("ApproximateNumberOfMessagesToMove", long_shape()),
                    member("FailureReason", s()), member("StartedTimestamp", long_shape())}))}),
     &SqsHandlers::list_message_move_tasks);
  return decl;
}

}  // namespace sluice::api::sqs
