package dev.gantry.reliability.duplicates;

import static dev.gantry.reliability.duplicates.DuplicateFigures.COPIES;
import static dev.gantry.reliability.duplicates.DuplicateFigures.ROUNDS;
import static dev.gantry.reliability.duplicates.Wiring.GATED;
import static org.assertj.core.api.Assertions.assertThat;

import dev.gantry.core.chatops.ApprovalCards;
import dev.gantry.core.chatops.PendingApproval;
import dev.gantry.core.config.GantryConfig;
import dev.gantry.core.gate.Approval;
import dev.gantry.core.gate.GateEvaluation;
import dev.gantry.core.gate.GateRecord;
import dev.gantry.core.gate.GateService;
import dev.gantry.core.gate.GateStatus;
import dev.gantry.core.gate.GateVerdict;
import dev.gantry.core.image.ImageDigest;
import dev.gantry.core.release.ReleaseKey;
import dev.gantry.reliability.duplicates.AtOnce.Delivery;
import dev.gantry.reliability.duplicates.AtOnce.Invocation;
import dev.gantry.testing.Fixtures;
import java.time.Clock;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * People clicking Approve on a release's gate card at the same moment, through the real worker and gate service over
 * DynamoDB Local: two approvers count once each and the release is promoted once, however many copies of their clicks
 * arrive together; one approver clicking again and again counts once.
 */
class ConcurrentApprovalsIT {

    private static final ReleaseKey PROD = new ReleaseKey("payments-api", "prod", new ImageDigest(LoopbackAws.DIGEST));
    private static final List<String> APPROVERS = List.of("U0EXAMPLE1", "U0EXAMPLE2");
    private static final String SWEEP = "gantry-scheduled-event-gate-sweep.json";
    private static final int SWEEPS = 2;

    @RegisterExtension
    static final LoopbackAws aws = new LoopbackAws();

    @Test
    void countsTwoApproversOnceEachAndPromotesTheReleaseOnceWhenTheyClickAtOnce() throws Exception {
        DuplicateFigures figures = new DuplicateFigures();
        try {
            for (int round = 0; round < ROUNDS; round++) {
                String table = givenTheReleaseWaitsAtItsProdGate();
                PendingApproval card = gateCard(table);
                int perApprover = COPIES / APPROVERS.size();

                List<Delivery> clicks = AtOnce.deliver(COPIES, copy -> clickOf(APPROVERS.get(copy % APPROVERS.size()), copy / APPROVERS.size(),
                        card, table));

                long lost = AtOnce.givenUpAfterRedelivery(clicks);
                GateRecord decided = gates(GATED, table).find(PROD).orElseThrow();
                // Sweeps racing one another are DeployFunctionsDuplicatesIT's; two here show the approvals end in one deploy.
                List<Delivery> sweeps = AtOnce.deliver(SWEEPS, copy -> new Invocation(Wiring.gateSweep(GATED, aws, table), Fixtures.eventText(SWEEP)));
                assertThat(sweeps).noneMatch(Delivery::failed);

                GateRecord promoted = gates(GATED, table).find(PROD).orElseThrow();
                long approvals = approvalsBy(decided, APPROVERS.get(0)) + approvalsBy(decided, APPROVERS.get(1));
                long updates = aws.ecsCalls("UpdateService", "prod");
                lost += promoted.handoff() == null ? 1 : 0;
                figures.round(COPIES + SWEEPS, 2 + 1, approvals + updates, APPROVERS.size() + 1, lost);
                for (String approver : APPROVERS) {
                    assertThat(approvalsBy(decided, approver)).as(perApprover + " clicks of " + approver + ", counted").isEqualTo(1);
                }
                assertThat(decided.decisions()).as("decisions recorded").hasSize(APPROVERS.size());
                assertThat(decided.status()).isEqualTo(GateStatus.PASSED);
                assertThat(decided.evaluations()).extracting(GateEvaluation::outcome).as("one passing answer")
                        .containsOnlyOnce(GateVerdict.Outcome.PASSED);
                assertThat(aws.ecsCalls("RegisterTaskDefinition", "prod")).isEqualTo(1);
                assertThat(updates).as("prod moved to the release").isEqualTo(1);
                assertThat(promoted.handoff()).startsWith("DEPLOYED");
                assertThat(lost).isZero();
            }
        } finally {
            figures.record();
        }
    }

    @Test
    void countsOneApproverOnceWhenTheirClicksArriveAtOnce() throws Exception {
        DuplicateFigures figures = new DuplicateFigures();
        try {
            for (int round = 0; round < ROUNDS; round++) {
                String table = givenTheReleaseWaitsAtItsProdGate();
                PendingApproval card = gateCard(table);
                String approver = APPROVERS.getFirst();

                List<Delivery> clicks = AtOnce.deliver(COPIES, copy -> clickOf(approver, copy, card, table));

                long lost = AtOnce.givenUpAfterRedelivery(clicks);
                GateRecord record = gates(GATED, table).find(PROD).orElseThrow();
                long approvals = approvalsBy(record, approver);
                figures.round(COPIES, 1, approvals, 1, lost);
                assertThat(approvals).as(COPIES + " clicks of one approver, counted").isEqualTo(1);
                assertThat(record.decisions()).hasSize(1);
                assertThat(record.status()).as("one of two approvals: still waiting").isEqualTo(GateStatus.WAITING);
                assertThat(lost).isZero();
            }
        } finally {
            figures.record();
        }
    }

    /**
     * A fresh table in which the push of 1.4.0 waits at prod's gate for two approvals, as the deploy left it there; ECS and
     * Slack answering on the loopback.
     */
    private static String givenTheReleaseWaitsAtItsProdGate() {
        String table = aws.newRound();
        aws.runPaymentsApi("prod");
        aws.acceptSlack();
        GateRecord waiting = gates(GATED, table).evaluate(Wiring.pushed(PROD));
        assertThat(waiting.status()).isEqualTo(GateStatus.WAITING);
        return table;
    }

    /** The card chatops-notify posts for the waiting release: what the clicks name. */
    private static PendingApproval gateCard(String table) {
        GateRecord waiting = gates(GATED, table).find(PROD).orElseThrow();
        return ChatOpsHandlers.approvalRequests(GATED, aws, table).requestGateApproval(waiting, List.of());
    }

    /**
     * The {@code n}-th copy of {@code approver}'s click in a worker of its own: even copies are Slack's retries of their
     * first click, odd ones further clicks of the button.
     */
    private static Invocation clickOf(String approver, int n, PendingApproval card, String table) {
        String trigger = "1000000000004.1000000000003." + approver + (n % 2 == 0 ? "-retried" : "-clicked-" + n);
        return new Invocation(ChatOpsHandlers.worker(GATED, aws, table, gates(GATED, table), Clock.systemUTC()),
                ChatOpsHandlers.sqsBatch("click-" + approver + "-" + n,
                        ChatOpsHandlers.click(approver, ApprovalCards.GATE_APPROVE, card.id(), trigger, aws.responseUrl()), null));
    }

    private static long approvalsBy(GateRecord record, String approver) {
        return record.decisions().stream()
                .filter(d -> d.userId().equals(approver) && d.decision() == Approval.Decision.APPROVE)
                .count();
    }

    private static GateService gates(GantryConfig config, String table) {
        return Wiring.gates(config, aws.dynamo, table);
    }
}
