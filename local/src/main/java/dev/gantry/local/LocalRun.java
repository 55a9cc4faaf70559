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
import dev.gantry.fn.ecsdeploy.EcsDeployHandler;
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
 * Plays image pushes through the deploy function on this machine: the real handler, the in-memory ECS
 * control plane seeded from {@code gantry.yml} (each environment runs an older image beside a log-router
 * sidecar), and DynamoDB Local holding the release records through the real DynamoDB adapter.
 *
 * <p>Prints each event's plan and the task definition the service runs afterwards. Exits non-zero when
 * any invocation fails.
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

    private final PrintStream out;

    LocalRun(PrintStream out) {
        this.out = out;
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
        System.exit(new LocalRun(System.out).run(config, events));
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
        AmazonDynamoDBLocal dynamoLocal = DynamoDBEmbedded.create();
        int failures = 0;
        try {
            StateTable.createIfMissing(dynamoLocal.dynamoDbClient(), "gantry-local");
            EcsDeployHandler handler = new EcsDeployHandler(new DeployService(config, ecs,
                    new DynamoDbReleaseStore(dynamoLocal.dynamoDbClient(), "gantry-local"),
                    new DynamoDbDeployControls(dynamoLocal.dynamoDbClient(), "gantry-local"), Clock.systemUTC()));
            for (Path event : events) {
                if (!replay(handler, ecs, event)) {
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

    private boolean replay(EcsDeployHandler handler, InMemoryEcsGateway ecs, Path eventFile) {
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
            }
        }
        return true;
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
