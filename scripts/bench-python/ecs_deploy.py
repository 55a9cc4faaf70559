"""ecs-deploy's AWS calls made with boto3: its twin in the cold-start comparison of scripts/bench (see aws_calls.py).

The bench's event: an ECR push of payments-api 1.4.0 under a new digest: staging deployed, prod held at its gate.

Built at init, as the Java function builds them: the state table; ECS (one client: every environment is in the
function's region and account); for the gate: CloudWatch and Secrets Manager (the Slack bot token that resolves
approver groups); the notify queue.

In the bench's first round the loopback recorded from the Java function for that event 39 calls: DynamoDB
GetItem x2, UpdateItem, Query, UpdateItem; ECS DescribeServices, DescribeTaskDefinition, RegisterTaskDefinition;
DynamoDB UpdateItem; ECS UpdateService; DynamoDB UpdateItem; ECS ListTaskDefinitions, DescribeServices x2,
DeregisterTaskDefinition x3; DynamoDB UpdateItem, GetItem x2, UpdateItem, Query, GetItem, TransactWriteItems, Query,
GetItem, TransactWriteItems, GetItem; CloudWatch DescribeAlarms x2; DynamoDB Query; Secrets Manager GetSecretValue;
Slack usergroups.users.list; DynamoDB Query, TransactWriteItems, UpdateItem, Query; SQS SendMessage x2. The list
depends on what the table holds, so each run makes the list recorded in the same round.
"""

import aws_calls

CLIENTS = aws_calls.clients('dynamodb', 'ecs', 'cloudwatch', 'secretsmanager', 'sqs')

if __name__ == "__main__":
    aws_calls.main(CLIENTS)
