package dev.gantry.core.notify;

import dev.gantry.core.gate.GateRecord;
import dev.gantry.core.gate.GateService;
import dev.gantry.core.gate.GateStatus;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * Tells a release's thread where it stands at its gate each time the gate service stores its record: the gate's answer
 * with its evidence, and the decisions people made on it. The notify side drops what a thread was told already.
 */
public final class GateNews implements Consumer<GateRecord> {

    private final Notifier notifier;

    private GateNews(Notifier notifier) {
        this.notifier = notifier;
    }

    /** {@code gates} telling its records through {@code notifier}; {@code gates} itself when nothing listens. */
    public static GateService toldThrough(GateService gates, Notifier notifier) {
        Objects.requireNonNull(gates, "gates");
        return Objects.requireNonNull(notifier, "notifier") == Notifier.NONE ? gates : gates.withRecordListener(new GateNews(notifier));
    }

    @Override
    public void accept(GateRecord record) {
        if (awaitsItsFirstLook(record)) {
            return;
        }
        notifier.tellAll(ReleaseNews.ofGate(record));
    }

    /**
     * A release that has just reached the gate, or come back to it, and not been evaluated in this round: the evaluation
     * follows in the same call and is the news. Told first, the bare arrival can carry the same news id as that
     * evaluation (both within one clock tick, or a new round answered as the last one ended), and the thread would keep
     * the arrival, which has no answer to show.
     */
    private static boolean awaitsItsFirstLook(GateRecord record) {
        return record.status() == GateStatus.WAITING && record.lastEvaluatedAt() == null;
    }
}
