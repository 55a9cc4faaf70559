"""rollout-follow's AWS calls made with boto3: its twin in the cold-start comparison of scripts/bench (see
aws_calls.py).

The bench's event: ECS's deployment COMPLETED event for the deploy made just before (an untimed ecs-deploy run).

Built at init, as the Java function builds them: ECS, the state table and the notify queue.

In the bench's first round the loopback recorded from the Java function for that event 5 calls: ECS
DescribeServices; DynamoDB Query, UpdateItem, Query; SQS SendMessage. The list depends on what the table holds, so
each run makes the list recorded in the same round.
"""

import aws_calls

CLIENTS = aws_calls.clients('ecs', 'dynamodb', 'sqs')

if __name__ == "__main__":
    aws_calls.main(CLIENTS)
