package dev.gantry.core.chatops;

import static dev.gantry.core.chatops.SlackText.code;
import static dev.gantry.core.chatops.SlackText.mention;

import dev.gantry.core.config.EnvironmentConfig;
import dev.gantry.core.config.GantryConfig;
import dev.gantry.core.config.ServiceConfig;
import dev.gantry.core.deploy.DeployControls;
import dev.gantry.core.deploy.DeployOutcome;
import dev.gantry.core.deploy.DeployRequest;
import dev.gantry.core.deploy.DeployService;
import dev.gantry.core.gate.GateOrigin;
import dev.gantry.core.image.ImageDigest;
import dev.gantry.core.image.ImageReference;
import dev.gantry.core.image.ImageRegistry;
import dev.gantry.core.notify.ChatMessage;
import dev.gantry.core.release.Release;
import dev.gantry.core.release.ReleaseStore;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code deploy} and {@code rollback}: a person's choice of image, carried out through {@link DeployService#deploy}, so
 * gates, vetoes, pins and the one-deploy-per-release guard apply exactly as to a pipeline's deploy. The person is the
 * release's trigger: they cannot approve it at a gate. A rollback is the exception to one deploy per release: it deploys
 * an earlier release again, relying on that release's pass of the gate rather than a new one (see
 * {@link DeployService#deploy}).
 */
final class ReleaseCommands {

    private static final Logger LOG = LoggerFactory.getLogger(ReleaseCommands.class);

    private final GantryConfig config;
    private final DeployService deploys;
    private final ReleaseStore releases;
    private final DeployControls controls;
    private final ImageRegistry registry;

    ReleaseCommands(GantryConfig config, DeployService deploys, ReleaseStore releases, DeployControls controls, ImageRegistry registry) {
        this.config = config;
        this.deploys = deploys;
        this.releases = releases;
        this.controls = controls;
        this.registry = registry;
    }

    CommandOutcome deploy(SlashCommand.Deploy command, Requester who) {
        ServiceConfig service = service(command.service());
        EnvironmentConfig environment = environment(service, command.environment());
        ImageDigest digest;
        try {
            digest = DigestLookup.of(registry, service, environment, command.tag());
        } catch (DigestLookup.LookupFailedException e) {
            return located(CommandOutcome.failed(e.getMessage()), environment.name(), null, command.tag());
        }
        DeployRequest request = new DeployRequest(service.name(), environment.name(),
                ImageReference.ecr(environment.account(), environment.region(), service.repository(), digest), command.tag(),
                eventId(who), null, List.of(who.userId()), GateOrigin.DEPLOY);
        String what = service.name() + " " + code(command.tag()) + " (" + code(digest.shortForm()) + ") to *" + environment.name() + "*";
        return carryOut(request, who, "deploy of " + what, command.tag(), List.of());
    }

    /**
     * Returns the environment to the newest earlier release that completed its rollout there and is not vetoed
     * ({@link RollbackPlanner}), as a rollback request of {@link DeployService#deploy}: the release is deployed again,
     * once per Slack trigger, and the digest left behind is vetoed there.
     */
    CommandOutcome rollback(SlashCommand.Rollback command, Requester who) {
        ServiceConfig service = service(command.service());
        EnvironmentConfig environment = environment(service, command.environment());
        List<Release> history = releases.history(service.name(), environment.name());
        String eventId = eventId(who);
        // This request may have claimed its target already (its first attempt died after the claim): carry that on.
        // Planning again would find the target running and the digest it left vetoed, and go one release further back.
        Release started = history.stream().filter(r -> eventId.equals(r.eventId())).findFirst().orElse(null);
        if (started != null) {
            String what = "rollback of " + service.name() + " in *" + environment.name() + "* to " + RollbackPlanner.describe(started);
            // The digest it was asked from is only checked when a rollback starts, not when it carries on.
            return carryOut(rollbackTo(started, started.key().digest(), service, environment, who), who, what, started.tag(), List.of());
        }
        RollbackPlanner.Plan plan = RollbackPlanner.plan(history,
                release -> controls.vetoOf(service.name(), environment.name(), release.key().digest()).isPresent());
        if (plan.current() == null) {
            return located(CommandOutcome.refused("Nothing to roll back: Gantry has deployed nothing to " + service.name() + " in "
                    + environment.name() + " that still runs"), environment.name(), null, null);
        }
        if (!plan.possible()) {
            List<String> lines = new ArrayList<>();
            lines.add("Nothing to roll back to: " + service.name() + " in " + environment.name() + " runs "
                    + RollbackPlanner.describe(plan.current()) + ", and no earlier release completed its rollout there and is not vetoed.");
            plan.passedOver().forEach(line -> lines.add("• " + line));
            String summary = lines.get(0);
            return new CommandOutcome(AuditEntry.Outcome.REFUSED, summary, ChatMessage.plain(String.join("\n", lines)), environment.name(),
                    plan.current().key().digest().value(), null);
        }
        Release target = plan.target();
        List<String> context = new ArrayList<>();
        context.add("from " + RollbackPlanner.describe(plan.current()) + " to " + RollbackPlanner.describe(target));
        plan.passedOver().forEach(line -> context.add("passed over " + line));
        String what = "rollback of " + service.name() + " in *" + environment.name() + "* to " + RollbackPlanner.describe(target);
        return carryOut(rollbackTo(target, plan.current().key().digest(), service, environment, who), who, what, target.tag(), context);
    }

    private DeployRequest rollbackTo(Release target, ImageDigest from, ServiceConfig service, EnvironmentConfig environment, Requester who) {
        ImageReference stored = ImageReference.parse(target.image());
        ImageReference image = target.key().digest().value().equals(stored.digest())
                ? stored
                : ImageReference.ecr(environment.account(), environment.region(), service.repository(), target.key().digest());
        return DeployRequest.rollback(service.name(), environment.name(), image, target.tag(), eventId(who), target.pushedAt(),
                List.of(who.userId()), from);
    }

    private CommandOutcome carryOut(DeployRequest request, Requester who, String what, String tag, List<String> context) {
        String digest = request.image().digest();
        DeployOutcome result;
        try {
            result = deploys.deploy(request, who.invocationId()).outcomes().get(0);
        } catch (DeployService.EnvironmentBusyException e) {
            return located(CommandOutcome.failed("The " + what + " did not start: another release of " + request.environment()
                    + " is in progress. Try again in a minute."), request.environment(), digest, tag);
        } catch (RuntimeException e) {
            LOG.error("{} asked by {} failed (request {})", what, who.userId(), who.requestId(), e);
            return located(CommandOutcome.failed("The " + what + " failed; the cause is in Gantry's logs under request "
                    + who.requestId() + "."), request.environment(), digest, tag);
        }
        return answer(result, request, who, what, tag, context);
    }

    private static CommandOutcome answer(DeployOutcome result, DeployRequest request, Requester who, String what, String tag,
            List<String> context) {
        boolean refused = result.result() == DeployOutcome.Result.REFUSED || result.result() == DeployOutcome.Result.SKIPPED;
        String summary = capitalized(what) + " by " + who.userId() + ": " + result.result() + ": " + result.reason();
        List<ChatMessage.Block> blocks = new ArrayList<>();
        blocks.add(new ChatMessage.Section(capitalized(what) + " by " + mention(who.userId()) + ": *" + result.result() + "*"));
        blocks.add(new ChatMessage.Section(SlackText.escape(result.reason())));
        if (!result.changes().isEmpty()) {
            blocks.add(new ChatMessage.Section(String.join("\n", result.changes().stream().map(SlackText::code).toList())));
        }
        if (!context.isEmpty()) {
            blocks.add(new ChatMessage.Context(context));
        }
        return new CommandOutcome(refused ? AuditEntry.Outcome.REFUSED : AuditEntry.Outcome.DONE, summary, new ChatMessage(summary, blocks),
                request.environment(), request.image().digest(), tag);
    }

    private static CommandOutcome located(CommandOutcome outcome, String environment, String digest, String subject) {
        return new CommandOutcome(outcome.outcome(), outcome.summary(), outcome.message(), environment, digest, subject);
    }

    /** The deploy's event id: the same request retried names the same event. */
    private static String eventId(Requester who) {
        return "slack:" + who.requestId();
    }

    private static String capitalized(String text) {
        return Character.toUpperCase(text.charAt(0)) + text.substring(1);
    }

    private ServiceConfig service(String name) {
        return config.services().stream().filter(s -> s.name().equals(name)).findFirst().orElseThrow();
    }

    private static EnvironmentConfig environment(ServiceConfig service, String name) {
        return service.environments().stream().filter(e -> e.name().equals(name)).findFirst().orElseThrow();
    }
}
