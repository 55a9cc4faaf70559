"""slack-interactions's AWS calls made with boto3: its twin in the cold-start comparison of scripts/bench (see
aws_calls.py).

The bench's event: a /gantry status command through the function URL, signed as Slack signs it.

Built at init, as the Java function builds them: Secrets Manager (the signing secret) and SQS (the request queue);
the Java function reaches both through its own small JSON client rather than the SDK, to keep Slack's 3 seconds.

In the bench's first round the loopback recorded from the Java function for that event 2 calls: Secrets
Manager GetSecretValue; SQS SendMessage. The list depends on what the table holds, so each run makes the list
recorded in the same round.
"""

import aws_calls

CLIENTS = aws_calls.clients('secretsmanager', 'sqs')

if __name__ == "__main__":
    aws_calls.main(CLIENTS)
