"""image-rebuild's AWS calls made with boto3: its twin in the cold-start comparison of scripts/bench (see
aws_calls.py).

The bench's event: an ECR push of the golden/java21 base image under a new digest: the first wave started.

Built at init, as the Java function builds them: CodeBuild, CodePipeline, the state table, ECR, EC2 Image Builder
and the notify queue.

In the bench's first round the loopback recorded from the Java function for that event 16 calls: DynamoDB
GetItem x2, TransactWriteItems, GetItem x2, TransactWriteItems, GetItem, BatchGetItem, Query, TransactWriteItems;
CodeBuild StartBuild; DynamoDB TransactWriteItems, Query x2; SQS SendMessage; DynamoDB GetItem. The list depends on
what the table holds, so each run makes the list recorded in the same round.
"""

import aws_calls

CLIENTS = aws_calls.clients('codebuild', 'codepipeline', 'dynamodb', 'ecr', 'imagebuilder', 'sqs')

if __name__ == "__main__":
    aws_calls.main(CLIENTS)
