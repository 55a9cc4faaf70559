package dev.gantry.core.chatops;

import static dev.gantry.core.chatops.SlackText.code;

import dev.gantry.core.config.EnvironmentConfig;
import dev.gantry.core.config.GantryConfig;
import dev.gantry.core.config.ServiceConfig;
import dev.gantry.core.deploy.DeployControls;
import dev.gantry.core.gate.GateRecord;
import dev.gantry.core.gate.GateStore;
import dev.gantry.core.notify.ChatMessage;
import dev.gantry.core.release.Release;
import dev.gantry.core.release.ReleaseStore;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code /gantry status <service>}: per environment, in promotion order, what runs (tag, digest, rollout, since when) as
 * Gantry's release records know it, the newest attempt when it is not what runs, the pin, vetoes of recent digests,
 * manual freezes, and the release waiting at the environment's gate. Read-only; each part that cannot be read is named
 * as unknown rather than failing the whole answer.
 */
final class StatusReport {

    private static final Logger LOG = LoggerFactory.getLogger(StatusReport.class);

    /** How many recent releases are checked for vetoes: the ones a person might be wondering about. */
    static final int VETO_LOOKBACK = 5;

    private final GantryConfig config;
    private final ReleaseStore releases;
    private final DeployControls controls;
    private final GateStore gates;
    private final ManualFreezes freezes;
    private final Clock clock;

    StatusReport(GantryConfig config, ReleaseStore releases, DeployControls controls, GateStore gates, ManualFreezes freezes, Clock clock) {
        this.config = config;
        this.releases = releases;
        this.controls = controls;
        this.gates = gates;
        this.freezes = freezes;
        this.clock = clock;
    }

    ChatMessage of(String serviceName) {
        ServiceConfig service = config.services().stream().filter(s -> s.name().equals(serviceName)).findFirst().orElseThrow();
        Instant now = clock.instant();
        List<ChatMessage.Block> blocks = new ArrayList<>();
        blocks.add(new ChatMessage.Header(service.name()));
        List<String> fallback = new ArrayList<>();
        for (EnvironmentConfig environment : service.environments()) {
            List<String> lines = environmentLines(service, environment, now);
            blocks.add(new ChatMessage.Section("*" + environment.name() + "*\n" + String.join("\n", lines)));
            fallback.add(environment.name() + ": " + lines.get(0));
        }
        blocks.add(new ChatMessage.Context(List.of("as of " + now.truncatedTo(ChronoUnit.SECONDS) + ", from Gantry's release records")));
        return new ChatMessage(service.name() + ": " + String.join("; ", fallback), blocks);
    }

    private List<String> environmentLines(ServiceConfig service, EnvironmentConfig environment, Instant now) {
        List<String> lines = new ArrayList<>();
        List<Release> history;
        try {
            history = releases.history(service.name(), environment.name());
        } catch (RuntimeException e) {
            LOG.warn("status of {}/{}: release history unreadable", service.name(), environment.name(), e);
            history = null;
        }
        if (history == null) {
            lines.add("runs: unknown (release records could not be read)");
        } else {
            Optional<Release> running = history.stream().filter(Release::isRunning).findFirst();
            lines.add(running.map(r -> "runs " + release(r) + ", rollout " + r.rolloutStatus() + " since " + since(r))
                    .orElse("runs nothing Gantry deployed"));
            if (!history.isEmpty() && (running.isEmpty() || history.get(0) != running.get())) {
                Release newest = history.get(0);
                lines.add("newest attempt " + release(newest) + ": " + newest.status()
                        + (newest.rolloutStatus() == null ? "" : ", rollout " + newest.rolloutStatus())
                        + (newest.rolloutReason() == null ? "" : " (" + SlackText.escape(newest.rolloutReason()) + ")"));
            }
        }
        optional(() -> controls.pinOf(service.name(), environment.name()).filter(p -> p.activeAt(now))
                .map(p -> "pinned to " + code(p.digest().shortForm()) + (p.until() == null ? "" : " until " + p.until()) + " by "
                        + SlackText.mention(p.by()) + ": " + SlackText.escape(p.reason())),
                "pin: unknown", lines);
        if (history != null) {
            for (Release recent : history.subList(0, Math.min(VETO_LOOKBACK, history.size()))) {
                optional(() -> controls.vetoOf(service.name(), environment.name(), recent.key().digest())
                        .map(v -> "vetoed: " + release(recent) + " by " + SlackText.mention(v.by()) + ": " + SlackText.escape(v.reason())),
                        "vetoes: unknown", lines);
            }
        }
        optional(() -> {
            List<String> frozen = freezes.activeFor(environment.name(), now).stream().map(f -> "frozen: " + SlackText.escape(f.describe())).toList();
            return frozen.isEmpty() ? Optional.empty() : Optional.of(String.join("\n", frozen));
        }, "manual freezes: unknown", lines);
        if (environment.gated()) {
            optional(() -> gates.waiting(service.name(), environment.name()).stream()
                    .max(Comparator.comparing(GateRecord::createdAt))
                    .map(r -> "at gate '" + r.gate() + "': " + (r.tag() == null ? "" : code(r.tag()) + " ") + "(" + code(r.key().digest().shortForm())
                            + ") " + r.status() + ", " + SlackText.escape(r.reason())),
                    "gate: unknown", lines);
        }
        return lines;
    }

    /** Adds the line a read gives, or says the part is unknown when it cannot be read. */
    private static void optional(Supplier<Optional<String>> read, String unknown, List<String> lines) {
        try {
            read.get().ifPresent(lines::add);
        } catch (RuntimeException e) {
            LOG.warn("status: {}", unknown, e);
            if (!lines.contains(unknown)) {
                lines.add(unknown);
            }
        }
    }

    private static String release(Release release) {
        return (release.tag() == null ? "" : code(release.tag()) + " ") + "(" + code(release.key().digest().shortForm()) + ")";
    }

    private static Instant since(Release release) {
        return release.updatedAt().truncatedTo(ChronoUnit.SECONDS);
    }
}
