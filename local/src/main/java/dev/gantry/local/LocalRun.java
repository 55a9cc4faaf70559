package dev.gantry.local;

import com.amazonaws.services.dynamodbv2.local.embedded.DynamoDBEmbedded;
import com.amazonaws.services.dynamodbv2.local.shared.access.AmazonDynamoDBLocal;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gantry.aws.DynamoDbDeployControls;
import dev.gantry.aws.DynamoDbReleaseStore;
import dev.gantry.aws.StateTable;
import dev.gantry.aws.lambda.LocalContext;
import dev.gantry.core.config.ConfigLoader;
import dev.gantry.core.config.EnvironmentConfig;
import dev.gantry.core.config.GantryConfig;
import dev.gantry.core.config.InvalidConfigException;
import dev.gantry.core.config.ServiceConfig;
import dev.gantry.core.deploy.ContainerImage;
import dev.gantry.core.deploy.DeployService;
import dev.gantry.core.deploy.EcsServiceRef;
import dev.gantry.core.deploy.TaskDefinitionSnapshot;
import dev.gantry.core.rollout.EcsDeploymentState;
import dev.gantry.core.rollout.RolloutService;
import dev.gantry.fn.ecsdeploy.EcsDeployHandler;
import dev.gantry.fn.ecsdeploy.RolloutHandler;
import dev.gantry.testing.InMemoryEcsDeployments;
import dev.gantry.testing.InMemoryEcsGateway;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;

/**
 * Plays image pushes through the deploy function on this machine: the real handlers, the in-memory ECS
 * control plane seeded from {@code gantry.yml} (each environment runs an older image beside a log-router
 * sidecar), and DynamoDB Local holding the release records through the real DynamoDB adapters.
 *
 * <p>Prints each event's plan and the task definition the service runs afterwards, then follows each
 * deploy's rollout to its end through the rollout-follow handler. Exits non-zero when any invocation fails.
 */
public final class LocalRun {

    static final String SIDECAR_IMAGE = "public.ecr.aws/aws-observability/aws-for-fluent-bit:2.32.4";
    static final String RUNNING_TAG = "running";
    static final List<String> DEFAULT_EVENTS = List.of(
            "events/gantry-ecr-push-payments-api-1.4.0.json",
            "events/gantry-ecr-push-payments-api-1.4.0.json",
            "events/gantry-ecr-push-payments-api-2.0.0.json",
            "events/gantry-ecr-push-checkout-web-release-42.json",
            "events/ecr-image-action-delete-success.json");

    private static final ObjectMapper JSON = new ObjectMapper();

    /** ECS's completion event for a deployment, as AWS sends it; the run fills in service and deployment. */
    static final String DEPLOYMENT_COMPLETED_SAMPLE = "gantry-ecs-deployment-completed-payments-api-staging.json";

    private final PrintStream out;
    private final Path events;
    private int deployments;

    LocalRun(PrintStream out, Path events) {
        this.out = out;
        this.events = events;
    }

    public static void main(String[] args) {
        Path config = Path.of("examples/gantry.yml");
        List<Path> events = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--config") && i + 1 < args.length) {
                config = Path.of(args[++i]);
            } else {
                events.add(Path.of(args[i]));
            }
        }
        if (events.isEmpty()) {
            DEFAULT_EVENTS.forEach(e -> events.add(Path.of(e)));
        }
        System.exit(new LocalRun(System.out, Path.of("events")).run(config, events));
    }

    int run(Path configFile, List<Path> events) {
        GantryConfig config;
        try {
            config = ConfigLoader.load(configFile);
        } catch (InvalidConfigException e) {
            out.println(e.getMessage());
            return 1;
        }
        out.println("Gantry local run: " + configFile + ", " + config.services().size() + " services, ECS in memory, state in DynamoDB Local");
        InMemoryEcsGateway ecs = seededControlPlane(config);
        InMemoryEcsDeployments ecsDeployments = new InMemoryEcsDeployments();
        AmazonDynamoDBLocal dynamoLocal = DynamoDBEmbedded.create();
        int failures = 0;
        try {
            StateTable.createIfMissing(dynamoLocal.dynamoDbClient(), "gantry-local");
            DynamoDbReleaseStore releases = new DynamoDbReleaseStore(dynamoLocal.dynamoDbClient(), "gantry-local");
            DynamoDbDeployControls controls = new DynamoDbDeployControls(dynamoLocal.dynamoDbClient(), "gantry-local");
            EcsDeployHandler handler = new EcsDeployHandler(new DeployService(config, ecs, releases, controls, Clock.systemUTC()));
            RolloutHandler rollouts = new RolloutHandler(new RolloutService(config, ecsDeployments, releases, controls, Clock.systemUTC()));
            for (Path event : events) {
                if (!replay(handler, ecs, event, config, ecsDeployments, rollouts)) {
                    failures++;
                }
            }
        } finally {
            dynamoLocal.shutdown();
        }
        out.println();
        out.println(failures == 0 ? "Done: " + events.size() + " events replayed." : "Done: " + failures + " of " + events.size() + " events failed.");
        return failures == 0 ? 0 : 1;
    }

    private boolean replay(EcsDeployHandler handler, InMemoryEcsGateway ecs, Path eventFile, GantryConfig config,
            InMemoryEcsDeployments ecsDeployments, RolloutHandler rollouts) {
        out.println();
        out.println("== " + eventFile);
        ByteArrayOutputStream result = new ByteArrayOutputStream();
        try (InputStream in = Files.newInputStream(eventFile)) {
            handler.handleRequest(in, result, new LocalContext("gantry-ecs-deploy", 60_000));
        } catch (IOException | RuntimeException e) {
            out.println("   FAILED: " + e.getMessage());
            return false;
        }
        JsonNode report;
        try {
            report = JSON.readTree(result.toByteArray());
        } catch (IOException e) {
            out.println("   FAILED: the handler answered something that is not JSON");
            return false;
        }
        if (report.get("ignored").asBoolean()) {
            out.println("   ignored: " + report.get("reason").asText());
            return true;
        }
        out.println("   image " + report.get("image").asText());
        for (JsonNode outcome : report.get("outcomes")) {
            out.printf("   %-12s %-8s %-10s %s%n", outcome.get("service").asText(), outcome.get("environment").asText(),
                    outcome.get("result").asText(), outcome.get("reason").asText());
            for (JsonNode change : outcome.get("changes")) {
                out.println("       change  " + change.asText());
            }
            if ("DEPLOYED".equals(outcome.get("result").asText())) {
                TaskDefinitionSnapshot now = ecs.describeTaskDefinition(null, outcome.get("toTaskDefinitionArn").asText());
                out.println("       new task definition " + now.family() + ":" + now.revision());
                for (ContainerImage container : now.containers()) {
                    out.println("         " + container.name() + "  " + container.image());
                }
                if (!followRollout(config, outcome, now.arn(), ecsDeployments, rollouts)) {
                    return false;
                }
            }
        }
        return true;
    }

    /**
     * Plays ECS's part after a deploy: the new revision's deployment completes, and ECS's event for it goes
     * through the real rollout-follow handler, which records it on the release.
     */
    private boolean followRollout(GantryConfig config, JsonNode outcome, String taskDefinitionArn,
            InMemoryEcsDeployments ecsDeployments, RolloutHandler rollouts) {
        EnvironmentConfig environment = config.services().stream()
                .filter(s -> s.name().equals(outcome.get("service").asText()))
                .flatMap(s -> s.environments().stream())
                .filter(e -> e.name().equals(outcome.get("environment").asText()))
                .findFirst()
                .orElseThrow();
        EcsServiceRef service = EcsServiceRef.of(environment);
        String deploymentId = "ecs-svc/local-" + (++deployments);
        ecsDeployments.given(service, new EcsDeploymentState(deploymentId, EcsDeploymentState.Status.PRIMARY, taskDefinitionArn,
                EcsDeploymentState.RolloutState.COMPLETED, "ECS deployment " + deploymentId + " completed.", 1, 0, 1, 0, null, null));
        ByteArrayOutputStream result = new ByteArrayOutputStream();
        try {
            com.fasterxml.jackson.databind.node.ObjectNode event =
                    (com.fasterxml.jackson.databind.node.ObjectNode) JSON.readTree(events.resolve(DEPLOYMENT_COMPLETED_SAMPLE).toFile());
            event.put("id", "local-" + deploymentId);
            event.put("account", service.account());
            event.put("region", service.region());
            event.putArray("resources").add("arn:aws:ecs:" + service.region() + ":" + service.account() + ":service/"
                    + service.cluster() + "/" + service.service());
            ((com.fasterxml.jackson.databind.node.ObjectNode) event.get("detail")).put("deploymentId", deploymentId)
                    .put("reason", "ECS deployment " + deploymentId + " completed.");
            rollouts.handleRequest(new java.io.ByteArrayInputStream(JSON.writeValueAsBytes(event)), result,
                    new LocalContext("gantry-rollout-follow", 60_000));
            JsonNode followed = JSON.readTree(result.toByteArray()).get("outcomes").get(0);
            out.println("       rollout " + deploymentId + ": " + followed.get("result").asText() + " " + followed.get("status").asText()
                    + " (" + followed.get("reason").asText() + ")");
            return true;
        } catch (IOException | RuntimeException e) {
            out.println("   FAILED following the rollout: " + e.getMessage());
            return false;
        }
    }

    /** Every configured environment runs a task definition with the service's image and a sidecar. */
    static InMemoryEcsGateway seededControlPlane(GantryConfig config) {
        InMemoryEcsGateway ecs = new InMemoryEcsGateway();
        for (ServiceConfig service : config.services()) {
            for (EnvironmentConfig env : service.environments()) {
                String image = env.account() + ".dkr.ecr." + env.region() + ".amazonaws.com/" + service.repository() + ":" + RUNNING_TAG;
                List<ContainerImage> containers = new ArrayList<>();
                if (env.containers().isEmpty()) {
                    containers.add(new ContainerImage("app", image));
                } else {
                    env.containers().forEach(name -> containers.add(new ContainerImage(name, image)));
                }
                containers.add(new ContainerImage("log-router", SIDECAR_IMAGE));
                ecs.givenService(EcsServiceRef.of(env), service.name() + "-" + env.name(), containers);
            }
        }
        return ecs;
    }
}
