package dev.gantry.bench;

import dev.gantry.aws.events.EcrImageActionEvent;
import dev.gantry.core.config.EnvironmentConfig;
import dev.gantry.core.config.GantryConfig;
import dev.gantry.core.config.GateConfig;
import dev.gantry.core.config.ServiceConfig;
import dev.gantry.core.deploy.ContainerImage;
import dev.gantry.core.deploy.DeployPlan;
import dev.gantry.core.deploy.DeployPlanner;
import dev.gantry.core.deploy.DeployReport;
import dev.gantry.core.deploy.DeployService;
import dev.gantry.core.deploy.EcsServiceRef;
import dev.gantry.core.deploy.TaskDefinitionSnapshot;
import dev.gantry.core.gate.AlarmCheck;
import dev.gantry.core.gate.AlarmStates;
import dev.gantry.core.gate.ApprovalPolicy;
import dev.gantry.core.gate.ApproverGroups;
import dev.gantry.core.gate.CheckResult;
import dev.gantry.core.gate.FreezeCheck;
import dev.gantry.core.gate.GateEngine;
import dev.gantry.core.gate.GateEvaluation;
import dev.gantry.core.gate.GateRecord;
import dev.gantry.core.gate.GateService;
import dev.gantry.core.gate.GateVerdict;
import dev.gantry.core.gate.SoakCheck;
import dev.gantry.core.image.ImageDigest;
import dev.gantry.core.image.ImagePush;
import dev.gantry.core.image.ImageReference;
import dev.gantry.core.image.TagPolicy;
import dev.gantry.core.release.Release;
import dev.gantry.testing.Fixtures;
import dev.gantry.testing.InMemoryAlarmStates;
import dev.gantry.testing.InMemoryChangeCalendars;
import dev.gantry.testing.InMemoryCustomChecks;
import dev.gantry.testing.InMemoryDeployControls;
import dev.gantry.testing.InMemoryEcsGateway;
import dev.gantry.testing.InMemoryGateStore;
import dev.gantry.testing.InMemoryManualFreezes;
import dev.gantry.testing.InMemoryReleaseStore;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Gantry's decisions for one ECR push, warm: the push of payments-api 1.4.0 from {@code events/} against
 * {@code examples/gantry.yml}. The tag policy admits the tag; staging is planned (task-definition rewrite pinned to the
 * digest); prod's gate is evaluated (alarms, soak, approvals with a group resolved, freeze windows including a cron)
 * and holds the release. One operation is one event, measured two ways:
 *
 * <ul>
 *   <li>{@link #decisions()}: the decisions alone, as the target names them (tag policy, plan, gate evaluation), on
 *       what the deploy and gate services read through their ports for this push, read once in the set-up;
 *   <li>{@link #imagePush()}: the whole push through the deploy service as ecs-deploy runs it, every port an in-memory
 *       fake: beside the decisions, the locks, the release and gate records, the revision registered and the cleanup,
 *       and the fakes' own work on their maps, which on Lambda are AWS calls.
 * </ul>
 *
 * <p>In {@link #imagePush()} each event meets a store of its own, as the first push of a new digest does: otherwise
 * every push would add to the fakes' history and later events would pay for the earlier ones. Building that store is
 * part of the measured work, a few objects against the decisions' many.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class DecisionCoreBenchmark {

    static final String EVENT = "gantry-ecr-push-payments-api-1.4.0.json";
    /** A Wednesday morning, outside every freeze window of the example configuration. */
    static final Instant NOW = Instant.parse("2026-11-25T10:00:00Z");

    private GantryConfig config;
    private Clock clock;
    private ImagePush push;
    private InMemoryAlarmStates alarms;
    private ApproverGroups groups;
    private List<Running> running;

    // What the gate and deploy services read through their ports for this push, for decisions().
    private ServiceConfig service;
    private EnvironmentConfig staging;
    private EnvironmentConfig prod;
    private GateConfig gate;
    private ImageReference image;
    private TaskDefinitionSnapshot stagingTaskDefinition;
    private GateRecord waiting;
    private List<AlarmStates.AlarmState> alarmStates;
    private List<Release> stagingHistory;
    private Map<String, Set<String>> members;
    private Set<String> allowedApprovers;
    private Set<String> triggeredBy;

    private final AlarmCheck alarmCheck = new AlarmCheck();
    private final SoakCheck soakCheck = new SoakCheck();
    private final ApprovalPolicy approvalPolicy = new ApprovalPolicy();
    private final FreezeCheck freezeCheck = new FreezeCheck(new InMemoryManualFreezes());
    private final GateEngine engine = new GateEngine();

    /** What {@link #decisions()} decided: whether the tag is a release, staging's changes, and prod's gate's answer. */
    record Decisions(boolean release, List<String> stagingChanges, GateEvaluation prodGate) {}

    /** A service environment and what ECS runs there before the push. */
    private record Running(EcsServiceRef service, String family, List<ContainerImage> containers) {}

    @Setup
    public void setUp() {
        config = Fixtures.exampleConfig();
        clock = Clock.fixed(NOW, ZoneOffset.UTC);
        try (InputStream event = Files.newInputStream(Fixtures.event(EVENT))) {
            push = EcrImageActionEvent.parse(event);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        alarms = new InMemoryAlarmStates();
        alarms.givenAlarm("payments-api-5xx", AlarmStates.State.OK, NOW.minusSeconds(86_400));
        Set<String> ops = Set.of("U0EXAMPLE1", "U0EXAMPLE2");
        groups = ids -> Map.of("S0EXAMPLEOPS", ops);
        running = config.services().stream()
                .flatMap(service -> service.environments().stream().map(environment -> running(service, environment)))
                .toList();
        readPortsOnce();
    }

    /**
     * Runs the push once through the services, as {@link #imagePush()} does, and keeps what their ports answered on
     * the way: the staging task definition before the deploy, staging's history after it, prod's waiting gate record,
     * the alarms and the approver group.
     */
    private void readPortsOnce() {
        service = config.servicesForRepository(push.repository()).getFirst();
        staging = service.environments().getFirst();
        prod = service.environments().stream().filter(EnvironmentConfig::gated).findFirst().orElseThrow();
        gate = config.gate(prod.gate()).orElseThrow();
        image = ImageReference.ecr(push.account(), push.region(), push.repository(), ImageDigest.parse(push.digest()));
        InMemoryEcsGateway ecs = ecsRunningTheOldRelease();
        EcsServiceRef stagingService = EcsServiceRef.of(staging);
        stagingTaskDefinition = ecs.describeTaskDefinition(stagingService, ecs.currentTaskDefinitionArn(stagingService));
        InMemoryReleaseStore releases = new InMemoryReleaseStore();
        InMemoryGateStore gateStore = new InMemoryGateStore();
        deployService(ecs, releases, gateStore).onImagePush(push, "bench");
        waiting = gateStore.waiting(service.name(), prod.name()).getFirst();
        alarmStates = alarms.describe(gate.alarms().names(), gate.alarms().prefixes());
        stagingHistory = releases.history(service.name(), staging.name());
        members = groups.members(gate.approvals().groups());
        allowedApprovers = new LinkedHashSet<>(gate.approvals().users());
        members.values().forEach(allowedApprovers::addAll);
        triggeredBy = new LinkedHashSet<>(waiting.triggeredBy());
        if (config.slack() != null) {
            triggeredBy.addAll(config.slack().slackUsersFor(waiting.triggeredBy()));
        }
    }

    /** The last evaluation the gate service recorded on prod's gate in the set-up: what {@link #decisions()} must repeat. */
    GateEvaluation recordedProdGate() {
        return waiting.evaluations().getLast();
    }

    private static Running running(ServiceConfig service, EnvironmentConfig environment) {
        List<String> containers = environment.containers().isEmpty() ? List.of("app") : environment.containers();
        String image = environment.account() + ".dkr.ecr." + environment.region() + ".amazonaws.com/" + service.repository() + ":1.3.0";
        return new Running(EcsServiceRef.of(environment), service.name() + "-" + environment.name(),
                containers.stream().map(name -> new ContainerImage(name, image)).toList());
    }

    /**
     * The checks the gate service runs for prod's gate (alarms, soak after staging, approvals, freezes) and the
     * engine's verdict on them, recorded as the gate record records it. {@code DecisionCoreBenchmarkTest} holds the
     * answer to the one the service recorded, so that this cannot drift from what the service decides.
     */
    @Benchmark
    public Decisions decisions() {
        TagPolicy policy = service.tagPolicy().toPolicy();
        boolean release = policy.matches(push.tag());
        DeployPlan plan = DeployPlanner.plan(service, staging, stagingTaskDefinition, image);
        Duration interval = gate.interval();
        List<CheckResult> checks = new ArrayList<>(4);
        checks.add(alarmCheck.evaluate(gate.alarms(), alarmStates, null, NOW, interval));
        checks.add(soakCheck.evaluate(waiting.key(), gate.soak(), staging.name(), stagingHistory, alarmStates, false,
                gate.alarms().insufficientData(), NOW, interval));
        checks.add(approvalPolicy.evaluate(gate.approvals(), waiting.decisions(), waiting.key().digest(), triggeredBy, members, NOW));
        checks.add(freezeCheck.evaluate(prod.name(), gate, Map.of(), waiting.decisions(), waiting.key().digest(), allowedApprovers,
                triggeredBy, NOW, interval));
        GateVerdict verdict = engine.decide(gate, checks, waiting.state(), NOW);
        return new Decisions(release, plan.summaries(push.tag()), GateEvaluation.of(verdict, NOW));
    }

    @Benchmark
    public DeployReport imagePush() {
        return deployService(ecsRunningTheOldRelease(), new InMemoryReleaseStore(), new InMemoryGateStore()).onImagePush(push, "bench");
    }

    private InMemoryEcsGateway ecsRunningTheOldRelease() {
        InMemoryEcsGateway ecs = new InMemoryEcsGateway();
        for (Running r : running) {
            ecs.givenService(r.service(), r.family(), r.containers());
        }
        return ecs;
    }

    private DeployService deployService(InMemoryEcsGateway ecs, InMemoryReleaseStore releases, InMemoryGateStore gateStore) {
        GateService gates = new GateService(config, gateStore, releases, alarms, new InMemoryChangeCalendars(),
                new InMemoryCustomChecks(), groups, clock).withManualFreezes(new InMemoryManualFreezes());
        return new DeployService(config, ecs, releases, new InMemoryDeployControls(), clock).withGates(gates);
    }
}
