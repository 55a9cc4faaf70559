"""chatops-worker's AWS calls for `/gantry approve payments-api prod` made with boto3: its twin in the cold-start
comparison of scripts/bench (see aws_calls.py).

The bench's event: the approve command slack-interactions queued, as SQS delivers it, after the deploy left the
release waiting at prod's gate. The worker builds the same clients for every request, so this twin builds
chatops_worker's at init.

What the worker does for it: reads the waiting release and its gate, records the approval, asks the gate again
(alarms, soak, approvals with the approver group resolved, freezes; one of two approvals, so the release stays
held), tells the release thread through the notify queue, and answers at the command's response_url. The list of
calls depends on what the table holds, so each run makes the list recorded in the same round.
"""

import aws_calls
from chatops_worker import CLIENTS

if __name__ == "__main__":
    aws_calls.main(CLIENTS)
