"""gate-sweep's AWS calls made with boto3: its twin in the cold-start comparison of scripts/bench (see aws_calls.py).

The bench's event: the sweep's scheduled event, run before any release waits at a gate: nothing is due.

Built at init, as the Java function builds them: the gate service's (the state table, CloudWatch, Secrets Manager),
the deploy's ECS, and the notify queue.

In the bench's first round the loopback recorded from the Java function for that event 1 call: DynamoDB
Query. The list depends on what the table holds, so each run makes the list recorded in the same round.
"""

import aws_calls

CLIENTS = aws_calls.clients('dynamodb', 'cloudwatch', 'secretsmanager', 'ecs', 'sqs')

if __name__ == "__main__":
    aws_calls.main(CLIENTS)
