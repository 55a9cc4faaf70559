package dev.gantry.bench;

import dev.gantry.aws.events.EcrImageActionEvent;
import dev.gantry.core.config.EnvironmentConfig;
import dev.gantry.core.config.GantryConfig;
import dev.gantry.core.config.ServiceConfig;
import dev.gantry.core.deploy.ContainerImage;
import dev.gantry.core.deploy.DeployReport;
import dev.gantry.core.deploy.DeployService;
import dev.gantry.core.deploy.EcsServiceRef;
import dev.gantry.core.gate.AlarmStates;
import dev.gantry.core.gate.ApproverGroups;
import dev.gantry.core.gate.GateService;
import dev.gantry.core.image.ImagePush;
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
import java.time.Instant;
import java.time.ZoneOffset;
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
 * Gantry's decisions for one ECR push, warm, with every port an in-memory fake: the push of payments-api 1.4.0 from
 * {@code events/} against {@code examples/gantry.yml}, through the deploy service as ecs-deploy runs it. The tag
 * policy admits the tag; staging is planned (task-definition rewrite pinned to the digest, revision cleanup) and
 * deployed; prod's gate is evaluated (alarms, soak, approvals with a group resolved, freeze windows including a cron)
 * and holds the release. One operation is one event.
 *
 * <p>Each event meets a store of its own, as the first push of a new digest does: otherwise every push would add to
 * the fakes' history and later events would pay for the earlier ones. Building that store is part of the measured
 * work, a few objects against the decisions' many.
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
    }

    private static Running running(ServiceConfig service, EnvironmentConfig environment) {
        List<String> containers = environment.containers().isEmpty() ? List.of("app") : environment.containers();
        String image = environment.account() + ".dkr.ecr." + environment.region() + ".amazonaws.com/" + service.repository() + ":1.3.0";
        return new Running(EcsServiceRef.of(environment), service.name() + "-" + environment.name(),
                containers.stream().map(name -> new ContainerImage(name, image)).toList());
    }

    @Benchmark
    public DeployReport imagePush() {
        InMemoryEcsGateway ecs = new InMemoryEcsGateway();
        for (Running r : running) {
            ecs.givenService(r.service(), r.family(), r.containers());
        }
        InMemoryReleaseStore releases = new InMemoryReleaseStore();
        GateService gates = new GateService(config, new InMemoryGateStore(), releases, alarms, new InMemoryChangeCalendars(),
                new InMemoryCustomChecks(), groups, clock).withManualFreezes(new InMemoryManualFreezes());
        DeployService deploys = new DeployService(config, ecs, releases, new InMemoryDeployControls(), clock).withGates(gates);
        return deploys.onImagePush(push, "bench");
    }
}
