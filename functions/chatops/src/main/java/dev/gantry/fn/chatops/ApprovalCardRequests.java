package dev.gantry.fn.chatops;

import dev.gantry.core.chatops.ApprovalRequests;
import dev.gantry.core.chatops.EndedApprovals;
import dev.gantry.core.chatops.PendingApproval;
import dev.gantry.core.chatops.PipelineApprovalEnded;
import dev.gantry.core.chatops.PipelineApprovalNotice;
import dev.gantry.core.gate.GateRecord;
import dev.gantry.core.gate.GateStore;
import dev.gantry.core.notify.ReleaseNews;
import dev.gantry.core.release.ReleaseKey;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * When news asks someone to decide, the card they decide on: a CodePipeline manual approval (its SNS message) and a
 * release waiting at a gate for approvals. Each is posted once however often the news comes (the approval's id is
 * derived from the pipeline's token, or from the release and its arrival at the gate). When news says the approval
 * ended (its gate decided; the approval action succeeded, failed or was abandoned), the card is redrawn without buttons.
 */
final class ApprovalCardRequests {

    private final ApprovalRequests requests;
    private final GateStore gates;
    private final EndedApprovals ended;

    ApprovalCardRequests(ApprovalRequests requests, GateStore gates, EndedApprovals ended) {
        this.requests = requests;
        this.gates = gates;
        this.ended = ended;
    }

    /** @param askedAt the SNS notification's {@code Timestamp}: when CodePipeline asked; null when it carried none */
    PendingApproval pipelineApproval(String snsMessage, Instant askedAt) {
        return requests.requestPipelineApproval(PipelineApprovalNotice.parse(snsMessage), askedAt, null);
    }

    /** The gate's card when {@code news} says a release waits for approvals it does not have yet; empty otherwise. */
    Optional<PendingApproval> gateApproval(ReleaseNews news) {
        if (!(news instanceof ReleaseNews.GateChanged gate) || gate.status().decided() || gate.approvalsRequired() == 0
                || gate.approvals() >= gate.approvalsRequired()) {
            return Optional.empty();
        }
        Optional<GateRecord> record = gates.find(new ReleaseKey(gate.service(), gate.environment(), gate.digest()));
        return record.filter(r -> !r.status().decided()).map(r -> requests.requestGateApproval(r, List.of()));
    }

    /**
     * The gate's card, redrawn without buttons, when {@code news} says the gate decided; empty otherwise. Never throws
     * (see {@link EndedApprovals#gateDecided}): the news stands whether or not its card could be redrawn.
     */
    Optional<PendingApproval> gateApprovalEnded(ReleaseNews news) {
        if (!(news instanceof ReleaseNews.GateChanged gate) || !gate.status().decided()) {
            return Optional.empty();
        }
        return ended.gateDecided(new ReleaseKey(gate.service(), gate.environment(), gate.digest()));
    }

    /**
     * The card of the CodePipeline approval that ended, redrawn without buttons; errors as
     * {@link EndedApprovals#pipelineApprovalEnded}.
     */
    Optional<PendingApproval> pipelineApprovalEnded(PipelineApprovalEnded approval) {
        return ended.pipelineApprovalEnded(approval);
    }
}
