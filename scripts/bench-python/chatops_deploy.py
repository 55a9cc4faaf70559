"""chatops-worker's AWS calls for `/gantry deploy payments-api 1.4.0 staging` made with boto3: its twin in the
cold-start comparison of scripts/bench (see aws_calls.py).

The bench's event: the deploy command slack-interactions queued, as SQS delivers it. The worker builds the same
clients for every request, so this twin builds chatops_worker's at init.

In the bench's first round the loopback recorded from the Java function for that event 24 calls: the request claimed
in the table; ECR DescribeImages of the tag; the environment's veto and pin read, its lock taken, the release
recorded; ECS DescribeServices, DescribeTaskDefinition, RegisterTaskDefinition and UpdateService, with the release
updated between them; the old revisions cleaned up (ListTaskDefinitions, DescribeServices of the services that may
use them, DeregisterTaskDefinition); the lock freed; the news sent to the notify queue; the audit and the request's
answer written; the person answered at the command's response_url. The list depends on what the table holds, so each
run makes the list recorded in the same round.
"""

import aws_calls
from chatops_worker import CLIENTS

if __name__ == "__main__":
    aws_calls.main(CLIENTS)
