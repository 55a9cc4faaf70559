package dev.gantry.fn.ecsdeploy;

import dev.gantry.core.gate.GateRecord;
import dev.gantry.core.gate.GateService;
import dev.gantry.core.gate.GateStatus;
import dev.gantry.core.notify.DeployNews;
import dev.gantry.core.notify.NewsTeller;
import dev.gantry.core.notify.ReleaseNews;
import dev.gantry.core.release.ReleaseKey;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Tells the news of a gate sweep: each gate record the sweep stores, as it stores it (the gate's answer and the
 * decisions on it), and once the sweep is done, the deploy each of its hand-offs started.
 *
 * <p>It follows the sweep's gate service as the listener of the records it writes ({@link #following}), so every
 * release the sweep touched is told by its full key, whenever it fell due. Within one sweep, news already told is not
 * told again: a passed release's hand-off is stored after its evaluation and has nothing new to say about the gate.
 *
 * <p>Never throws: a problem reading or telling is logged, and the sweep's report stands.
 */
public final class GateSweepNews {

    /** Tells nothing and reads nothing: for handlers built without a notifier. */
    public static final GateSweepNews NONE = new GateSweepNews(DeployNews.NONE);

    private final DeployNews deploys;
    private final NewsTeller teller;
    private final Set<String> toldThisSweep = new HashSet<>();
    /** Who triggered each release handed to the deploy in this sweep, for its DeployStarted. */
    private final Map<ReleaseKey, List<String>> handedOff = new LinkedHashMap<>();

    /** @param deploys reads the deploys the sweep's hand-offs started, and tells this news where it tells its own */
    public GateSweepNews(DeployNews deploys) {
        this.deploys = Objects.requireNonNull(deploys, "deploys");
        this.teller = deploys.teller();
    }

    /**
     * The gate service the sweep (and the deploy it hands releases to) must use for this news to be told: {@code gates}
     * telling this news of every record it writes, or {@code gates} itself when nothing listens.
     */
    public GateService following(GateService gates) {
        Objects.requireNonNull(gates, "gates");
        return teller.listening() ? gates.withRecordListener(this::written) : gates;
    }

    private synchronized void written(GateRecord record) {
        if (awaitsItsFirstLook(record)) {
            return;
        }
        teller.tell("gate record " + record.key().id(), () -> ReleaseNews.ofGate(record).stream()
                .filter(news -> toldThisSweep.add(news.newsId()))
                .toList());
        if (record.handoff() != null) {
            handedOff.put(record.key(), record.triggeredBy());
        }
    }

    /**
     * DeployStarted for each release handed to the deploy since the last call, if the deploy moved its service; then
     * the next sweep starts afresh.
     */
    void afterSweep() {
        Map<ReleaseKey, List<String>> handoffs;
        synchronized (this) {
            handoffs = new LinkedHashMap<>(handedOff);
            handedOff.clear();
            toldThisSweep.clear();
        }
        if (handoffs.isEmpty()) {
            return;
        }
        teller.tell("the gate sweep's hand-offs", () -> {
            List<ReleaseNews> news = new ArrayList<>();
            handoffs.forEach((key, triggeredBy) -> deploys.deployed(key, triggeredBy).ifPresent(news::add));
            return news;
        });
    }

    /**
     * A release not yet evaluated in this round: its evaluation follows in the same call and is the news. Told first,
     * the bare arrival can carry the same news id as that evaluation, and the thread would keep the one without an answer.
     */
    private static boolean awaitsItsFirstLook(GateRecord record) {
        return record.status() == GateStatus.WAITING && record.lastEvaluatedAt() == null;
    }
}
