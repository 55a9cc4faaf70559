package dev.gantry.aws;

import dev.gantry.core.config.EnvironmentConfig;
import dev.gantry.core.config.GateConfig;
import dev.gantry.core.config.GantryConfig;
import dev.gantry.core.deploy.EcsServiceRef;
import dev.gantry.core.gate.AlarmStates;
import dev.gantry.core.gate.ApproverGroups;
import dev.gantry.core.gate.ChangeCalendars;
import dev.gantry.core.gate.CustomChecks;
import dev.gantry.core.gate.GateService;
import dev.gantry.core.gate.ServiceRevisions;
import dev.gantry.core.release.ReleaseStore;
import java.time.Clock;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.cloudwatch.CloudWatchClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;
import software.amazon.awssdk.services.ssm.SsmClient;

/**
 * Builds the gate service over AWS for every function that decides gates (deploys on push, pipeline gate
 * actions, ECS lifecycle hooks, the gate sweep), so they all decide the same way from the same records.
 *
 * <p>Only the clients the configuration needs are built: a configuration whose gates watch no alarms builds
 * no CloudWatch client, and so on. Each client costs cold-start time, and a port that is never asked needs none;
 * one that is asked without its client means the configuration and this wiring disagree, which is a defect
 * to fail loudly on.
 */
public final class GateAdapters {

    /** ARN of the Secrets Manager secret holding the Slack bot token (scope {@code usergroups:read}). */
    public static final String SLACK_TOKEN_SECRET_ARN_ENV = "GANTRY_SLACK_BOT_TOKEN_SECRET_ARN";

    private static final Logger LOG = LoggerFactory.getLogger(GateAdapters.class);

    private GateAdapters() {}

    /** The gate service without a directory of user groups: only approvers listed by user id count. */
    public static GateService gateService(GantryConfig config, AwsClients aws, DynamoDbClient dynamo, String table, ReleaseStore releases,
            Clock clock) {
        return gateService(config, aws, dynamo, table, releases, clock, ApproverGroups.none());
    }

    /** @param groups resolves the user groups gates let approve; see {@link #slackBotToken} for when there is one */
    public static GateService gateService(GantryConfig config, AwsClients aws, DynamoDbClient dynamo, String table, ReleaseStore releases,
            Clock clock, ApproverGroups groups) {
        return gateService(config, aws, dynamo, table, releases, clock, groups, SnapStartPriming.builder());
    }

    /**
     * As {@link #gateService(GantryConfig, AwsClients, DynamoDbClient, String, ReleaseStore, Clock, ApproverGroups)}, and
     * adds to {@code priming} a read for the CloudWatch and SSM clients it builds, when a gate some environment uses asks
     * them (the function's role may call them only then). The custom checks' Lambda client is not primed: an invoke runs
     * someone's code. Nor are the approver groups: they need the Slack bot token, which no snapshot may hold.
     */
    public static GateService gateService(GantryConfig config, AwsClients aws, DynamoDbClient dynamo, String table, ReleaseStore releases,
            Clock clock, ApproverGroups groups, SnapStartPriming.Builder priming) {
        boolean alarms = config.gates().stream().anyMatch(g -> g.alarms() != null);
        boolean calendars = config.gates().stream().flatMap(g -> g.freezes().stream()).anyMatch(f -> f.changeCalendar() != null);
        boolean customLambdas = config.gates().stream().flatMap(g -> g.custom().stream()).anyMatch(c -> c.lambda() != null);
        boolean customChecks = config.gates().stream().anyMatch(g -> !g.custom().isEmpty());
        CloudWatchClient cloudWatch = alarms ? aws.cloudWatch() : null;
        SsmClient ssm = calendars ? aws.ssm() : null;
        List<GateConfig> inUse = gatesInUse(config);
        if (cloudWatch != null && inUse.stream().anyMatch(g -> g.alarms() != null)) {
            priming.step(PrimingCalls.alarms(cloudWatch));
        }
        if (ssm != null) {
            inUse.stream().flatMap(g -> g.freezes().stream()).map(GateConfig.Freeze::changeCalendar).filter(Objects::nonNull).findFirst()
                    .ifPresent(calendar -> priming.step(PrimingCalls.changeCalendar(ssm, calendar)));
        }
        return new GateService(
                config,
                new DynamoDbGateStore(dynamo, table),
                releases,
                alarms ? new SdkAlarmStates(cloudWatch) : (AlarmStates) (names, prefixes) -> { throw unused("alarms"); },
                calendars ? new SdkChangeCalendars(ssm) : (ChangeCalendars) calendar -> { throw unused("change calendars"); },
                customChecks ? new SdkCustomChecks(customLambdas ? aws.lambda() : null)
                        : (CustomChecks) (check, question) -> { throw unused("custom checks"); },
                groups,
                clock)
                // Every function that evaluates gates honours the freezes people put on from Slack, and the vetoes operators and
                // rollbacks put on a digest: a vetoed release ends its round instead of waiting, or holding others back, for nothing.
                .withManualFreezes(new DynamoDbManualFreezes(dynamo, table))
                .withVetoes(new DynamoDbDeployControls(dynamo, table));
    }

    /**
     * The Slack bot token that resolves approver groups, read from the Secrets Manager secret named by
     * {@value #SLACK_TOKEN_SECRET_ARN_ENV}; empty when that is unset or no gate lists {@code approvals.groups}, and
     * then only approvers listed by user id count. No Secrets Manager client is built in that case, and the
     * secret itself is read on first use, not here.
     */
    public static Optional<Supplier<String>> slackBotToken(GantryConfig config, AwsClients aws) {
        return slackBotToken(config, aws, null);
    }

    /** As {@link #slackBotToken(GantryConfig, AwsClients)}, with a rehearsed read through its client added to {@code priming}. */
    public static Optional<Supplier<String>> slackBotToken(GantryConfig config, AwsClients aws, SnapStartPriming.Builder priming) {
        boolean groupsListed = config.gates().stream().anyMatch(g -> g.approvals() != null && !g.approvals().groups().isEmpty());
        if (!groupsListed) {
            return Optional.empty();
        }
        Optional<String> secretArn = aws.optional(SLACK_TOKEN_SECRET_ARN_ENV);
        if (secretArn.isEmpty()) {
            // Not an error: a gate with users as well still works; but a gate with only groups can never be approved.
            LOG.warn("gates list approvals.groups but {} is not set: those groups count as unknown, only users listed by id may approve",
                    SLACK_TOKEN_SECRET_ARN_ENV);
            return Optional.empty();
        }
        SecretsManagerClient secrets = aws.secretsManager();
        if (priming != null) {
            priming.step(PrimingCalls.secretRead(secrets)).step(PrimingCalls.loopbackHttpExchange());
        }
        return Optional.of(new SecretsManagerSecret(secrets, secretArn.get().trim()));
    }

    /**
     * The revisions ECS lifecycle hooks name, read with the client that reaches their service: the configured
     * environment's role when it has one (another account), Gantry's own credentials otherwise.
     */
    public static ServiceRevisions serviceRevisions(GantryConfig config, EcsClients ecsClients) {
        return new SdkServiceRevisions(named -> ecsClients.forTarget(configured(config, named)));
    }

    private static EcsServiceRef configured(GantryConfig config, EcsServiceRef named) {
        for (var service : config.services()) {
            for (EnvironmentConfig environment : service.environments()) {
                EcsServiceRef ref = EcsServiceRef.of(environment);
                if (ref.account().equals(named.account()) && ref.region().equals(named.region()) && ref.cluster().equals(named.cluster())
                        && ref.service().equals(named.service())) {
                    return ref;
                }
            }
        }
        return named;
    }

    /** The gates some environment names: the only ones the stack grants their checks' permissions for. */
    private static List<GateConfig> gatesInUse(GantryConfig config) {
        Set<String> names = new LinkedHashSet<>();
        for (var service : config.services()) {
            service.environments().stream().filter(EnvironmentConfig::gated).map(EnvironmentConfig::gate).forEach(names::add);
        }
        return names.stream().flatMap(name -> config.gate(name).stream()).toList();
    }

    private static IllegalStateException unused(String what) {
        return new IllegalStateException(what + " were asked about although no gate in the configuration uses them");
    }
}
