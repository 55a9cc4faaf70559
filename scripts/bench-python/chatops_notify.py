"""chatops-notify's AWS calls made with boto3: its twin in the cold-start comparison of scripts/bench (see
aws_calls.py).

The bench's event: the first news ecs-deploy queued for its release, as SQS delivers it.

Built at init, as the Java function builds them: the state table and Secrets Manager (the bot token); Slack is plain
HTTP.

In the bench's first round the loopback recorded from the Java function for that event 8 calls: DynamoDB
GetItem, PutItem; Secrets Manager GetSecretValue; Slack chat.postMessage; DynamoDB PutItem; Slack chat.postMessage;
DynamoDB PutItem x2. The list depends on what the table holds, so each run makes the list recorded in the same
round.
"""

import aws_calls

CLIENTS = aws_calls.clients('dynamodb', 'secretsmanager')

if __name__ == "__main__":
    aws_calls.main(CLIENTS)
