#!/bin/sh
# The AWS CLI against Sluice started with: sluice --init examples/init.json
set -e
export AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test AWS_DEFAULT_REGION=us-east-1
endpoint=${AWS_ENDPOINT_URL:-http://localhost:4566}
queue=$(aws --endpoint-url "$endpoint" sqs get-queue-url --queue-name orders \
          --query QueueUrl --output text)
aws --endpoint-url "$endpoint" sns publish \
    --topic-arn arn:aws:sns:us-east-1:000000000000:order-events --message "order 42" \
    --message-attributes '{"kind": {"DataType": "String", "StringValue": "created"}}' >/dev/null
aws --endpoint-url "$endpoint" sqs receive-message --queue-url "$queue" \
    --wait-time-seconds 5 --query 'Messages[0].Body' --output text
