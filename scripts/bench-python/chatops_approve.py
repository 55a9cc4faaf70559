"""chatops-worker's AWS calls for a click on Approve in a gate's approval card, made with boto3: its twin in the
cold-start comparison of scripts/bench (see aws_calls.py).

The bench's event: the click slack-interactions queued, as SQS delivers it. One of the production gate's approvers
approves the release of payments-api that pipeline-gate left waiting at prod's gate for 2 approvals, on the card
chatops-notify posted for it. The worker builds the same clients for every request, so this twin builds
chatops_worker's at init.

In the bench's first round the loopback recorded from the Java function for that event 20 calls: DynamoDB GetItem of
the pending approval and of the gate record; Secrets Manager GetSecretValue and Slack usergroups.users.list, the
gate's approver group resolved; the click claimed in the table (PutItem); the approval recorded on the gate record
(GetItem, TransactWriteItems) and its news sent to the notify queue (SQS SendMessage x2); the gate looked at again
(GetItem; CloudWatch DescribeAlarms x2; Query of staging's releases for the soak and of the freezes), its record
written (TransactWriteItems) and its news sent (SendMessage x2); the audit entry written (TransactWriteItems) and
the claim completed (UpdateItem); the card drawn again at the click's response_url. The list depends on what the
table holds, so each run makes the list recorded in the same round.
"""

import aws_calls
from chatops_worker import CLIENTS

if __name__ == "__main__":
    aws_calls.main(CLIENTS)
