"""ecs-gate-hook's AWS calls made with boto3: its twin in the cold-start comparison of scripts/bench (see
aws_calls.py).

The bench's event: an ECS lifecycle hook for a new payments-api revision in prod.

Built at init, as the Java function builds them: the gate service's (the state table, CloudWatch, Secrets Manager,
the notify queue) and ECS.

In the bench's first round the loopback recorded from the Java function for that event 16 calls: ECS
DescribeServiceRevisions; DynamoDB GetItem, TransactWriteItems, Query, GetItem, TransactWriteItems; SQS SendMessage;
DynamoDB GetItem; CloudWatch DescribeAlarms x2; DynamoDB Query; Secrets Manager GetSecretValue; Slack
usergroups.users.list; DynamoDB Query, TransactWriteItems; SQS SendMessage. The list depends on what the table
holds, so each run makes the list recorded in the same round.
"""

import aws_calls

CLIENTS = aws_calls.clients('dynamodb', 'cloudwatch', 'secretsmanager', 'sqs', 'ecs')

if __name__ == "__main__":
    aws_calls.main(CLIENTS)
