#pragma once
// Small shapes written with the DSL that mirror real SQS and SNS wire forms, for the
// codec golden tests. They are not the services' declarations (those live in
// src/api/<service>/); they only reproduce the wire conventions the codecs must serve:
// - SQS Query flattens maps and lists under a singular name: `Attribute.N.Name/Value`,
//   `MessageAttribute.N.Name/Value.DataType`, `AttributeName.N`, `Tag.N.Key/Value`,
//   `SendMessageBatchRequestEntry.N.Id`.
// - SNS Query does not flatten: `Attributes.entry.N.key/value`, `Tags.member.N.Key/Value`,
//   `MessageAttributes.entry.N.Name/Value.StringValue`.
#include "sluice/protocol/shape.hpp"

namespace sluice::protocol::testing {

inline ShapePtr message_attribute_value() {
  return structure({
      member("StringValue", string_shape()),
      member("BinaryValue", blob_shape()),
      member("DataType", string_shape()).req(),
  });
}

// SQS SendMessage-like input.
inline ShapePtr sqs_send_input() {
  return structure({
      member("QueueUrl", string_shape()).req(),
      member("MessageBody", string_shape()).req(),
      member("DelaySeconds", integer_shape()),
      member("MessageAttributes",
             map_of(string_shape(), message_attribute_value(), "Name", "Value"))
          .as("MessageAttribute")
          .flat(),
  });
}

// SQS CreateQueue-like input: flattened attribute and tag maps.
inline ShapePtr sqs_create_queue_input() {
  return structure({
      member("QueueName", string_shape()).req(),
      member("Attributes", map_of(string_shape(), string_shape(), "Name", "Value"))
          .as("Attribute")
          .flat(),
      member("tags", map_of(string_shape(), string_shape(), "Key", "Value")).as("Tag").flat(),
  });
}

// SQS GetQueueAttributes-like input: flattened list of scalars.
inline ShapePtr sqs_get_attributes_input() {
  return structure({
      member("QueueUrl", string_shape()).req(),
      member("AttributeNames", list_of(string_shape())).as("AttributeName").flat(),
  });
}

// SQS SendMessageBatch-like input: flattened list of structures with a nested flattened map.
inline ShapePtr sqs_send_batch_input() {
  return structure({
      member("QueueUrl", string_shape()).req(),
      member("Entries",
             list_of(structure({
                 member("Id", string_shape()).req(),
                 member("MessageBody", string_shape()).req(),
                 member("DelaySeconds", integer_shape()),
                 member("MessageAttributes",
                        map_of(string_shape(), message_attribute_value(), "Name", "Value"))
                     .as("MessageAttribute")
                     .flat(),
             })))
          .as("SendMessageBatchRequestEntry")
          .flat()
          .req(),
  });
}

// SNS CreateTopic-like input: non-flattened map (`entry`, lower-case key/value) and
// non-flattened list of Key/Value structures.
inline ShapePtr sns_create_topic_input() {
  return structure({
      member("Name", string_shape()).req(),
      member("Attributes", map_of(string_shape(), string_shape())),
      member("Tags", list_of(structure({
                         member("Key", string_shape()).req(),
                         member("Value", string_shape()).req(),
                     }))),
  });
}

// SNS Publish-like input: non-flattened map whose entries use Name/Value.
inline ShapePtr sns_publish_input() {
  return structure({
      member("TopicArn", string_shape()),
      member("Message", string_shape()).req(),
      member("MessageAttributes",
             map_of(string_shape(), message_attribute_value(), "Name", "Value")),
  });
}

// A shape with every scalar kind, for type errors.
inline ShapePtr scalars_input() {
  return structure({
      member("S", string_shape()),
      member("I", integer_shape()),
      member("L", long_shape()),
      member("B", boolean_shape()),
      member("D", double_shape()),
      member("Bl", blob_shape()),
      member("T", timestamp_shape()),
  });
}

// SQS GetQueueAttributesResult-like output: flattened Name/Value map.
inline ShapePtr sqs_get_attributes_output() {
  return structure({
      member("Attributes", map_of(string_shape(), string_shape(), "Name", "Value"))
          .as("Attribute")
          .flat(),
  });
}

// SQS ListQueuesResult-like output: flattened list of scalars.
inline ShapePtr sqs_list_queues_output() {
  return structure({
      member("QueueUrls", list_of(string_shape())).as("QueueUrl").flat(),
      member("NextToken", string_shape()),
  });
}

// SQS ReceiveMessageResult-like output: flattened list of structures with flattened maps.
inline ShapePtr sqs_receive_output() {
  return structure({
      member("Messages",
             list_of(structure({
                 member("MessageId", string_shape()),
                 member("Body", string_shape()),
                 member("Attributes", map_of(string_shape(), string_shape(), "Name", "Value"))
                     .as("Attribute")
                     .flat(),
                 member("MessageAttributes",
                        map_of(string_shape(), message_attribute_value(), "Name", "Value"))
                     .as("MessageAttribute")
                     .flat(),
             })))
          .as("Message")
          .flat(),
  });
}

// SNS ListTopicsResult / GetTopicAttributesResult / ListTagsForResourceResult-like output.
inline ShapePtr sns_topics_output() {
  return structure({
      member("Topics", list_of(structure({member("TopicArn", string_shape())}))),
      member("Attributes", map_of(string_shape(), string_shape())),
      member("Tags", list_of(structure({member("Key", string_shape()).req(),
                                        member("Value", string_shape()).req()}))),
      member("NextToken", string_shape()),
  });
}

}  // namespace sluice::protocol::testing
