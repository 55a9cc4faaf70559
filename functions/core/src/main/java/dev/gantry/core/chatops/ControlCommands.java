package dev.gantry.core.chatops;

import static dev.gantry.core.chatops.SlackText.mention;

import dev.gantry.core.config.EnvironmentConfig;
import dev.gantry.core.config.GantryConfig;
import dev.gantry.core.config.ServiceConfig;
import dev.gantry.core.deploy.DeployControlsService;
import dev.gantry.core.image.ImageDigest;
import dev.gantry.core.image.ImageRegistry;
import dev.gantry.core.notify.ChatMessage;
import dev.gantry.core.rebuild.RebuildReport;
import dev.gantry.core.rebuild.RebuildService;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The commands that steer automation rather than deploy: {@code pin}, {@code unpin} and {@code veto} (through
 * {@link DeployControlsService}, which records who and why), {@code rebuild} (through {@link RebuildService}, once per
 * request id), and manual freezes ({@link ManualFreezes}).
 */
final class ControlCommands {

    private static final Logger LOG = LoggerFactory.getLogger(ControlCommands.class);

    /** DeployControlsService insists on a reason, and the command lets people leave it out. */
    static final String NO_REASON = "no reason given";

    private final GantryConfig config;
    private final DeployControlsService controls;
    private final ImageRegistry registry;
    private final RebuildService rebuilds;
    private final ManualFreezes freezes;
    private final Clock clock;

    /** @param rebuilds null when image rebuilds are not wired: {@code rebuild} then says so */
    ControlCommands(GantryConfig config, DeployControlsService controls, ImageRegistry registry, RebuildService rebuilds,
            ManualFreezes freezes, Clock clock) {
        this.config = config;
        this.controls = controls;
        this.registry = registry;
        this.rebuilds = rebuilds;
        this.freezes = freezes;
        this.clock = clock;
    }

    CommandOutcome pin(SlashCommand.Pin command, Requester who) {
        ImageDigest digest = command.digest();
        if (digest == null) {
            ServiceConfig service = service(command.service());
            try {
                digest = DigestLookup.of(registry, service, environment(service, command.environment()), command.tag());
            } catch (DigestLookup.LookupFailedException e) {
                return new CommandOutcome(AuditEntry.Outcome.FAILED, e.getMessage(), ChatMessage.plain(e.getMessage()), command.environment(),
                        null, command.tag());
            }
        }
        String reason = command.reason().isBlank() ? NO_REASON : command.reason();
        String digestValue = digest.value();
        return changed(command.environment(), digestValue, command.tag(),
                () -> controls.pin(command.service(), command.environment(), digestValue, command.until(), reason, who.userId()),
                "Releases of other digests wait until it is unpinned" + (command.until() == null ? "." : " or the pin ends."));
    }

    CommandOutcome unpin(SlashCommand.Unpin command, Requester who) {
        return changed(command.environment(), null, null, () -> controls.unpin(command.service(), command.environment()) + " by " + who.userId(),
                null);
    }

    CommandOutcome veto(SlashCommand.Veto command, Requester who) {
        return changed(command.environment(), command.digest().value(), null,
                () -> controls.veto(command.service(), command.environment(), command.digest().value(), command.reason(), who.userId()),
                "Gantry will not deploy it to " + command.environment() + ", whoever asks.");
    }

    CommandOutcome rebuild(SlashCommand.Rebuild command, Requester who) {
        if (rebuilds == null) {
            return CommandOutcome.failed("Rebuilds are not available from this Gantry");
        }
        RebuildReport report;
        try {
            report = rebuilds.rebuildManually(command.baseImage(), who.userId(), command.reason().isBlank() ? null : command.reason(),
                    who.requestId());
        } catch (RuntimeException e) {
            LOG.error("rebuild of {} asked by {} failed (request {})", command.baseImage(), who.userId(), who.requestId(), e);
            return new CommandOutcome(AuditEntry.Outcome.FAILED, "The rebuild of " + command.baseImage() + " failed; the cause is in"
                    + " Gantry's logs under request " + who.requestId(), ChatMessage.plain("The rebuild of " + command.baseImage()
                    + " failed; the cause is in Gantry's logs under request " + who.requestId() + "."), null, null, command.baseImage());
        }
        List<String> lines = report.lines();
        String summary = "Rebuild of " + command.baseImage() + " by " + who.userId() + ": " + report.summary();
        List<ChatMessage.Block> blocks = new ArrayList<>();
        blocks.add(new ChatMessage.Section("Rebuild of *" + command.baseImage() + "* by " + mention(who.userId()) + ": "
                + SlackText.escape(lines.get(0))));
        if (lines.size() > 1) {
            blocks.add(new ChatMessage.Section(String.join("\n", lines.subList(1, lines.size()).stream().map(SlackText::escape).toList())));
        }
        AuditEntry.Outcome outcome = report.result() == RebuildReport.Result.REBUILDING ? AuditEntry.Outcome.DONE : AuditEntry.Outcome.FAILED;
        return new CommandOutcome(outcome, summary, new ChatMessage(summary, blocks), null, null, command.baseImage());
    }

    CommandOutcome freeze(SlashCommand.Freeze command, Requester who) {
        Instant now = clock.instant();
        String where = command.scope().equals(ManualFreeze.EVERY_ENVIRONMENT) ? "every environment" : command.scope();
        if (command.on()) {
            ManualFreeze freeze = new ManualFreeze(command.scope(), command.until(), command.reason(), who.userId(), now);
            freezes.put(freeze);
            String summary = capitalized(where) + " frozen by " + who.userId() + (command.until() == null ? " until lifted" : " until "
                    + command.until()) + (command.reason().isBlank() ? "" : ": " + command.reason());
            String text = "*" + capitalized(where) + "* frozen by " + mention(who.userId())
                    + (command.until() == null ? " until lifted" : " until " + command.until())
                    + (command.reason().isBlank() ? "" : ": " + command.reason())
                    + ". Releases waiting at a gate of " + where + " are held, as in a freeze window (break-glass still applies);"
                    + " `/gantry freeze off" + (command.scope().equals(ManualFreeze.EVERY_ENVIRONMENT) ? "" : " " + command.scope())
                    + "` lifts it.";
            return new CommandOutcome(AuditEntry.Outcome.DONE, summary, new ChatMessage(summary, List.of(new ChatMessage.Section(text))),
                    command.scope(), null, null);
        }
        List<ManualFreeze> lifted = new ArrayList<>();
        for (ManualFreeze freeze : freezes.all()) {
            if (command.scope().equals(ManualFreeze.EVERY_ENVIRONMENT) || freeze.scope().equals(command.scope())) {
                freezes.lift(freeze.scope());
                lifted.add(freeze);
            }
        }
        List<String> lines = new ArrayList<>();
        lines.add(lifted.isEmpty()
                ? "No manual freeze of " + where + " to lift"
                : capitalized(where) + " unfrozen by " + who.userId() + ": lifted " + String.join("; ", lifted.stream().map(ManualFreeze::describe).toList()));
        if (!command.scope().equals(ManualFreeze.EVERY_ENVIRONMENT)) {
            freezes.activeFor(command.scope(), now).forEach(still -> lines.add(command.scope() + " is still held by the " + still.describe()));
        }
        String summary = String.join(". ", lines);
        return new CommandOutcome(AuditEntry.Outcome.DONE, summary, ChatMessage.plain(summary), command.scope(), null, null);
    }

    /**
     * Runs a change through {@link DeployControlsService}, whose refusals ({@link IllegalArgumentException}: a pin
     * that would already have ended, say) are written for the person and shown as they are.
     */
    private CommandOutcome changed(String environment, String digest, String subject, Supplier<String> change, String note) {
        String done;
        try {
            done = change.get();
        } catch (IllegalArgumentException e) {
            return new CommandOutcome(AuditEntry.Outcome.REFUSED, capitalized(e.getMessage()), ChatMessage.plain(capitalized(e.getMessage())),
                    environment, digest, subject);
        }
        String summary = done + (note == null ? "" : ". " + note);
        return new CommandOutcome(AuditEntry.Outcome.DONE, summary, ChatMessage.plain(summary), environment, digest, subject);
    }

    private static String capitalized(String text) {
        return text.isEmpty() ? text : Character.toUpperCase(text.charAt(0)) + text.substring(1);
    }

    private ServiceConfig service(String name) {
        return config.services().stream().filter(s -> s.name().equals(name)).findFirst().orElseThrow();
    }

    private static EnvironmentConfig environment(ServiceConfig service, String name) {
        return service.environments().stream().filter(e -> e.name().equals(name)).findFirst().orElseThrow();
    }
}
