package dev.gantry.fn.ecsdeploy;

import dev.gantry.core.deploy.GateSweepService.SweepReport;
import dev.gantry.core.gate.GateRecord;
import dev.gantry.core.gate.GateService;
import dev.gantry.core.notify.ReleaseNews;
import dev.gantry.core.release.ReleaseKey;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells the news of a gate sweep: each release it looked at as its gate record now stands (its answer and the
 * decisions on it), and the deploy of each one it handed over.
 *
 * <p>The sweep's report names releases by the short id people read ({@code payments-api/prod/07348c117739}), and gate
 * records are found by their full digest, so the records due are read just before the sweep to know which digest each
 * line is about. A release that fell due between that read and the sweep's own is told by the next sweep that looks at
 * it, or not at all if this one decided it; the log says which.
 *
 * <p>Never throws: a problem reading or telling is logged, and the sweep's report stands.
 */
public final class GateSweepNews {

    /** Tells nothing and reads nothing: for handlers built without a notifier. */
    public static final GateSweepNews NONE = new GateSweepNews(null, DeployNews.NONE, 0);

    private static final Logger LOG = LoggerFactory.getLogger(GateSweepNews.class);

    private final GateService gates;
    private final DeployNews deploys;
    private final NewsTeller teller;
    private final int batch;

    /**
     * @param deploys reads the deploys the sweep's hand-offs started, and tells this news where it tells its own
     * @param batch how many due records the sweep takes per run, so the same ones are read here
     */
    public GateSweepNews(GateService gates, DeployNews deploys, int batch) {
        this.deploys = Objects.requireNonNull(deploys, "deploys");
        this.teller = deploys.teller();
        this.gates = teller.listening() ? Objects.requireNonNull(gates, "gates") : gates;
        this.batch = batch;
    }

    /** The releases due now, by the id the sweep's report will name them with; empty when nothing listens. */
    Map<String, ReleaseKey> due() {
        if (!teller.listening()) {
            return Map.of();
        }
        try {
            Map<String, ReleaseKey> due = new LinkedHashMap<>();
            gates.due(batch).forEach(record -> due.put(record.key().id(), record.key()));
            return due;
        } catch (RuntimeException e) {
            // The sweep reads the same records next and reports for itself whether it can; news is not worth failing it.
            LOG.error("the gate records due could not be read for the sweep's news: {}", e.getMessage(), e);
            return Map.of();
        }
    }

    /** @param due what {@link #due()} read before the sweep */
    void afterSweep(Map<String, ReleaseKey> due, SweepReport report) {
        teller.tell("the gate sweep", () -> {
            List<ReleaseNews> news = new ArrayList<>();
            for (SweepReport.Line line : report.lines()) {
                ReleaseKey key = due.get(line.release());
                if (key == null) {
                    LOG.warn("gate sweep news: {} fell due after the records were read; its news waits for the next sweep", line.release());
                    continue;
                }
                Optional<GateRecord> record = gates.find(key);
                if (record.isEmpty()) {
                    continue;
                }
                news.addAll(ReleaseNews.ofGate(record.get()));
                if (record.get().handoff() != null) {
                    deploys.deployed(key, record.get().triggeredBy()).ifPresent(news::add);
                }
            }
            return news;
        });
    }
}
