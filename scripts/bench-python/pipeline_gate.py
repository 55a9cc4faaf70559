"""pipeline-gate's AWS calls made with boto3: its twin in the cold-start comparison of scripts/bench (see
aws_calls.py).

The bench's event: a CodePipeline gate job for payments-api in prod, its first arrival.

Built at init, as the Java function builds them: the gate service's (the state table, CloudWatch, Secrets Manager,
the notify queue), ECR and CodePipeline; S3 per job, as in pipeline-deploy.

In the bench's first round the loopback recorded from the Java function for that event 20 calls: DynamoDB
UpdateItem; S3 GetObject; ECR DescribeImages; DynamoDB GetItem, TransactWriteItems, Query, GetItem,
TransactWriteItems; SQS SendMessage; DynamoDB GetItem; CloudWatch DescribeAlarms x2; DynamoDB Query; Secrets Manager
GetSecretValue; Slack usergroups.users.list; DynamoDB Query, TransactWriteItems; SQS SendMessage; CodePipeline
PutJobSuccessResult; DynamoDB UpdateItem. The list depends on what the table holds, so each run makes the list
recorded in the same round.
"""

import aws_calls

CLIENTS = aws_calls.clients('dynamodb', 'cloudwatch', 'secretsmanager', 'sqs', 'ecr', 'codepipeline')

if __name__ == "__main__":
    aws_calls.main(CLIENTS)
