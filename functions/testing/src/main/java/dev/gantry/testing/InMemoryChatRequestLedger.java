package dev.gantry.testing;

import dev.gantry.core.chatops.ChatRequestLedger;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

/** Chat request records in memory, with the same claim, lease and completion rules as the DynamoDB ledger. */
public final class InMemoryChatRequestLedger implements ChatRequestLedger {

    private record Entry(String owner, Instant leaseUntil, boolean completed, String outcome, Instant completedAt) {}

    private final Map<String, Entry> entries = new HashMap<>();

    @Override
    public synchronized Claim claim(String requestKey, String owner, Instant now, Duration lease) {
        Entry existing = entries.get(requestKey);
        if (existing != null && existing.completed()) {
            return new Claim.AlreadyDone(existing.outcome(), existing.completedAt());
        }
        if (existing != null && !existing.leaseUntil().isBefore(now)) {
            return new Claim.InProgress(existing.leaseUntil());
        }
        entries.put(requestKey, new Entry(owner, now.plus(lease), false, null, null));
        return new Claim.Granted();
    }

    @Override
    public synchronized void complete(String requestKey, String owner, String outcome, Instant now) {
        Entry existing = entries.get(requestKey);
        if (existing == null || existing.completed() || !existing.owner().equals(owner)) {
            throw new LeaseLostException(requestKey, owner);
        }
        entries.put(requestKey, new Entry(owner, existing.leaseUntil(), true, outcome, now));
    }

    @Override
    public synchronized void abandon(String requestKey, String owner, Instant now) {
        Entry existing = entries.get(requestKey);
        if (existing != null && !existing.completed() && existing.owner().equals(owner)) {
            entries.remove(requestKey);
        }
    }

    /** The outcome stored for {@code requestKey}, or null when it is not completed. */
    public synchronized String outcomeOf(String requestKey) {
        Entry entry = entries.get(requestKey);
        return entry == null ? null : entry.outcome();
    }
}
