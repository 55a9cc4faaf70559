"""pipeline-deploy's AWS calls made with boto3: its twin in the cold-start comparison of scripts/bench (see
aws_calls.py).

The bench's event: a CodePipeline job deploying payments-api to staging, the image named by tag.

Built at init, as the Java function builds them: ecs-deploy's, ECR (the tag's digest) and CodePipeline (the job's
result); S3 is read with the job's own credentials by a client built for that read, here as in the function.

In the bench's first round the loopback recorded from the Java function for that event 24 calls: DynamoDB
UpdateItem; S3 GetObject; ECR DescribeImages; DynamoDB GetItem x2, UpdateItem x2; ECS DescribeServices,
DescribeTaskDefinition, RegisterTaskDefinition; DynamoDB UpdateItem; ECS UpdateService; DynamoDB UpdateItem; ECS
ListTaskDefinitions, DescribeServices x2, DeregisterTaskDefinition x3; DynamoDB UpdateItem; CodePipeline
PutJobSuccessResult; DynamoDB UpdateItem, Query; SQS SendMessage. The list depends on what the table holds, so each
run makes the list recorded in the same round.
"""

import aws_calls

CLIENTS = aws_calls.clients('dynamodb', 'ecs', 'cloudwatch', 'secretsmanager', 'ecr', 'codepipeline', 'sqs')

if __name__ == "__main__":
    aws_calls.main(CLIENTS)
