package dev.gantry.testing;

import dev.gantry.core.chatops.PendingApproval;
import dev.gantry.core.chatops.PendingApprovals;
import dev.gantry.core.chatops.PipelineApprovalEnded;
import dev.gantry.core.notify.PostingMarker;
import java.time.Instant;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/** Pending approvals in memory, every change conditional on the stored state as in the DynamoDB table. */
public final class InMemoryPendingApprovals implements PendingApprovals {

    private final Map<String, PendingApproval> approvals = new HashMap<>();
    private final Map<List<String>, NavigableMap<Instant, PipelineApprovalEnded>> ends = new HashMap<>();

    @Override
    public synchronized boolean create(PendingApproval approval) {
        return approvals.putIfAbsent(approval.id(), approval) == null;
    }

    @Override
    public synchronized Optional<PendingApproval> find(String id) {
        return Optional.ofNullable(approvals.get(id));
    }

    @Override
    public synchronized void cardPosted(String id, String channelId, String messageTs) {
        PendingApproval stored = approvals.get(id);
        if (stored == null) {
            throw new PendingApprovalsException("no pending approval " + id, null);
        }
        approvals.put(id, stored.postedAt(channelId, messageTs));
    }

    @Override
    public synchronized boolean startPostingCard(String id, PostingMarker seen, PostingMarker marker) {
        PendingApproval stored = approvals.get(id);
        if (stored == null || stored.channelId() != null || !idOf(stored.postingMarker()).equals(idOf(seen))) {
            return false;
        }
        approvals.put(id, stored.postingCard(marker));
        return true;
    }

    private static String idOf(PostingMarker marker) {
        return marker == null ? "" : marker.id();
    }

    @Override
    public synchronized boolean startDeciding(String id, PendingApproval.Decision decision) {
        PendingApproval stored = approvals.get(id);
        if (stored == null || (stored.state() != PendingApproval.State.PENDING && stored.state() != PendingApproval.State.ENDED)) {
            return false;
        }
        approvals.put(id, stored.deciding(decision));
        return true;
    }

    @Override
    public synchronized boolean endDeciding(String id, String outcome) {
        PendingApproval stored = approvals.get(id);
        if (stored == null || stored.state() != PendingApproval.State.DECIDING) {
            return false;
        }
        approvals.put(id, stored.ended(outcome));
        return true;
    }

    @Override
    public synchronized boolean finishDeciding(String id, String outcome, Instant at) {
        PendingApproval stored = approvals.get(id);
        if (stored == null || stored.state() != PendingApproval.State.DECIDING) {
            return false;
        }
        approvals.put(id, stored.decided(outcome));
        return true;
    }

    @Override
    public synchronized Optional<PendingApproval> lastPipelineApprovalBefore(String region, String pipeline, String stage, String action,
            Instant before) {
        return approvals.values().stream()
                .filter(a -> a.kind() == PendingApproval.Kind.PIPELINE && Objects.equals(a.pipeline().region(), region)
                        && a.pipeline().pipeline().equals(pipeline) && a.pipeline().stage().equals(stage) && a.pipeline().action().equals(action)
                        && a.createdAt().isBefore(before))
                .max(Comparator.comparing(PendingApproval::createdAt));
    }

    @Override
    public synchronized void rememberPipelineApprovalEnd(PipelineApprovalEnded ended) {
        ends.computeIfAbsent(action(ended.region(), ended.pipeline(), ended.stage(), ended.action()), a -> new TreeMap<>())
                .put(ended.at(), ended);
    }

    @Override
    public synchronized Optional<PipelineApprovalEnded> firstPipelineApprovalEndAfter(String region, String pipeline, String stage,
            String action, Instant after) {
        NavigableMap<Instant, PipelineApprovalEnded> atAction = ends.get(action(region, pipeline, stage, action));
        return atAction == null ? Optional.empty() : Optional.ofNullable(atAction.higherEntry(after)).map(Map.Entry::getValue);
    }

    @Override
    public synchronized boolean endPipelineApproval(String id, String outcome) {
        PendingApproval stored = approvals.get(id);
        if (stored == null || (stored.state() != PendingApproval.State.PENDING && stored.state() != PendingApproval.State.ENDED)) {
            return false;
        }
        approvals.put(id, stored.ended(outcome));
        return true;
    }

    private static List<String> action(String region, String pipeline, String stage, String action) {
        return Arrays.asList(region, pipeline, stage, action);
    }

    /** Stores {@code approval} as it is, whatever its state: a test's way to set up a crash half-way. */
    public synchronized void given(PendingApproval approval) {
        approvals.put(approval.id(), approval);
    }
}
