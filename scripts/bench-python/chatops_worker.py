"""chatops-worker's AWS calls made with boto3: its twin in the cold-start comparison of scripts/bench (see
aws_calls.py).

The bench's event: the /gantry status command slack-interactions queued, as SQS delivers it.

Built at init, as the Java function builds them: everything a command may reach: the state table, Secrets Manager,
the notify queue, ECS, CloudWatch, ECR, CodePipeline and CodeBuild.

In the bench's first round the loopback recorded from the Java function for that event 13 calls, one GetItem
more for every release in the history it reports: DynamoDB Query, GetItem x6, Query x2, GetItem, Query x2; Slack
response_url. The list depends on what the table holds, so each run makes the list recorded in the same round.
"""

import aws_calls

CLIENTS = aws_calls.clients('dynamodb', 'secretsmanager', 'sqs', 'ecs', 'cloudwatch', 'ecr', 'codepipeline',
                            'codebuild')

if __name__ == "__main__":
    aws_calls.main(CLIENTS)
