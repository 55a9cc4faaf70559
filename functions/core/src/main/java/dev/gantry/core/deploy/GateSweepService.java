package dev.gantry.core.deploy;

import dev.gantry.core.gate.GateOrigin;
import dev.gantry.core.gate.GateRecord;
import dev.gantry.core.gate.GateService;
import dev.gantry.core.gate.GateStatus;
import dev.gantry.core.image.ImageReference;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gate sweep: runs on a schedule, looks again at every release of Gantry's own deploy flow that waits at a
 * gate and is due, and deploys the ones whose gate has passed. This is how a release held by a freeze goes by
 * itself when the window opens, and how a soak or an approval turns into a deploy without anyone pushing again.
 *
 * <p>A passed release stays due until its deploy has answered, so a sweep or a push invocation that dies
 * between the two leaves it for the next sweep; the release record makes the deploy itself happen once.
 * One release failing does not stop the others: its error is reported and it stays due.
 */
public final class GateSweepService {

    /** Releases handled per sweep: far more than wait at once in practice, and bounded so one run fits its timeout. */
    public static final int DEFAULT_BATCH = 200;

    private static final Logger LOG = LoggerFactory.getLogger(GateSweepService.class);

    private final GateService gates;
    private final DeployService deploys;
    private final int batch;

    public GateSweepService(GateService gates, DeployService deploys, int batch) {
        this.gates = gates;
        this.deploys = deploys;
        this.batch = batch;
    }

    public GateSweepService(GateService gates, DeployService deploys) {
        this(gates, deploys, DEFAULT_BATCH);
    }

    /**
     * @param invocationId identifies this run as the owner of the deploys it starts
     */
    public SweepReport sweep(String invocationId) {
        List<SweepReport.Line> lines = new ArrayList<>();
        if (deploys.isDryRun()) {
            // A dry run changes nothing it records: no evaluation is stored and no hand-off noted, so the releases are
            // still due, untouched, when the dry run is switched off.
            for (GateRecord due : gates.due(batch)) {
                lines.add(new SweepReport.Line(due.key().id(), due.status(), "dry run: due; would be evaluated"
                        + (due.status() == GateStatus.PASSED ? " and handed to the deploy" : "") + ", but nothing was changed"));
            }
            return new SweepReport(lines);
        }
        for (GateRecord due : gates.due(batch)) {
            try {
                lines.add(handle(due, invocationId));
            } catch (RuntimeException e) {
                LOG.error("gate sweep could not handle {}", due.key().id(), e);
                lines.add(new SweepReport.Line(due.key().id(), due.status(), "error: " + e.getMessage()));
            }
        }
        return new SweepReport(lines);
    }

    private SweepReport.Line handle(GateRecord due, String invocationId) {
        GateRecord record = due.status() == GateStatus.WAITING ? gates.evaluate(GateService.subjectOf(due)) : due;
        if (record.status() != GateStatus.PASSED || record.origin() != GateOrigin.DEPLOY || record.handoff() != null) {
            return new SweepReport.Line(record.key().id(), record.status(), record.reason());
        }
        DeployRequest request = new DeployRequest(record.key().service(), record.key().environment(), ImageReference.parse(record.image()),
                record.tag(),
                // The arrival the gate answered, so the deploy is recognised as that round's hand-off, not a new arrival.
                record.arrival() != null ? record.arrival() : "gate:" + record.key().id(), record.pushedAt(), record.triggeredBy(),
                GateOrigin.DEPLOY);
        DeployReport report = deploys.deployAfterGate(request, invocationId);
        if (report.outcomes().stream().anyMatch(o -> o.result() == DeployOutcome.Result.IN_PROGRESS)) {
            // Another invocation is deploying it; should that one die, only a later sweep is left to finish the job, so
            // the release stays due and this is no hand-off.
            String reason = report.outcomes().stream().map(DeployOutcome::reason).reduce((a, b) -> a + "; " + b).orElseThrow();
            return new SweepReport.Line(record.key().id(), record.status(), "passed; the deploy is in progress elsewhere, and the next"
                    + " sweep looks again: " + reason);
        }
        String outcome = report.outcomes().stream().map(o -> o.result() + ": " + o.reason()).reduce((a, b) -> a + "; " + b).orElse("nothing deployed");
        // Whatever the deploy answered (deployed, already running, skipped as older than what runs, refused for a veto),
        // it is the answer for this release: asking again every minute would get the same one. A deploy that could not
        // answer (the environment busy, ECS failing) threw instead, and the release stays due.
        gates.recordHandoff(record.key(), outcome);
        return new SweepReport.Line(record.key().id(), record.status(), "handed to the deploy after the gate passed: " + outcome);
    }

    /** What one sweep did, a line per release it looked at. */
    public record SweepReport(List<Line> lines) {
        public SweepReport {
            lines = List.copyOf(lines);
        }

        public record Line(String release, GateStatus status, String what) {}
    }
}
