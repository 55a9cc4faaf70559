package dev.gantry.fn.ecsdeploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gantry.aws.DynamoDbReleaseStore;
import dev.gantry.aws.EcsWire;
import dev.gantry.aws.SdkEcsGateway;
import dev.gantry.aws.lambda.LocalContext;
import dev.gantry.core.deploy.DeployService;
import dev.gantry.core.image.ImageDigest;
import dev.gantry.core.release.MalformedEventException;
import dev.gantry.core.release.ReleaseKey;
import dev.gantry.core.release.ReleaseStatus;
import dev.gantry.testing.Fixtures;
import dev.gantry.testing.JsonLogLines;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.nio.file.Files;
import java.time.Clock;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.ecs.EcsClient;

/** The handler as Lambda runs it, with the real SDK adapters against loopback ECS and DynamoDB Local. */
class EcsDeployHandlerIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String DIGEST = "sha256:07348c1177395e36a0630834b693a5318a854ba216a887b7c7244eefa4b0efcd";

    private static LoopbackAws aws;
    private static EcsClient ecsClient;
    private EcsDeployHandler handler;
    private DynamoDbReleaseStore releases;

    @BeforeAll
    static void startLoopbackAws() throws Exception {
        aws = new LoopbackAws();
        ecsClient = EcsWire.client(aws.ecs);
    }

    @AfterAll
    static void stopLoopbackAws() throws Exception {
        ecsClient.close();
        aws.close();
    }

    @BeforeEach
    void freshState() {
        aws.ecs.resetRequests();
        String table = "gantry-" + System.nanoTime();
        dev.gantry.aws.StateTable.createIfMissing(aws.dynamo, table);
        releases = new DynamoDbReleaseStore(aws.dynamo, table);
        handler = new EcsDeployHandler(new DeployService(Fixtures.exampleConfig(), new SdkEcsGateway(ecsClient), releases,
                new dev.gantry.testing.InMemoryDeployControls(), Clock.systemUTC()));
    }

    @Test
    void deploysAPushedReleaseToStagingPinnedToItsDigest() throws Exception {
        JsonNode report = invoke("gantry-ecr-push-payments-api-1.4.0.json");

        JsonNode register = EcsWire.requests(aws.ecs, "RegisterTaskDefinition").get(0);
        assertThat(register.at("/containerDefinitions/0/image").asText()).isEqualTo(LoopbackAws.REGISTRY + "/payments-api@" + DIGEST);
        assertThat(register.at("/containerDefinitions/1/image").asText()).isEqualTo("public.ecr.aws/aws-observability/aws-for-fluent-bit:2.32.4");
        assertThat(register.at("/containerDefinitions/1/firelensConfiguration/type").asText()).isEqualTo("fluentbit");
        assertThat(register.has("revision") || register.has("status") || register.has("compatibilities") || register.has("registeredAt")).isFalse();
        assertThat(register.at("/taskRoleArn").asText()).isEqualTo("arn:aws:iam::111111111111:role/payments-api-task");
        JsonNode update = EcsWire.requests(aws.ecs, "UpdateService").get(0);
        assertThat(update.at("/cluster").asText()).isEqualTo("staging");
        assertThat(update.at("/taskDefinition").asText()).isEqualTo(LoopbackAws.NEW_ARN);

        assertThat(report.at("/image").asText()).isEqualTo(LoopbackAws.REGISTRY + "/payments-api@" + DIGEST);
        assertThat(report.at("/outcomes/0/environment").asText()).isEqualTo("staging");
        assertThat(report.at("/outcomes/0/result").asText()).isEqualTo("DEPLOYED");
        assertThat(report.at("/outcomes/0/toTaskDefinitionArn").asText()).isEqualTo(LoopbackAws.NEW_ARN);
        assertThat(report.at("/outcomes/1/environment").asText()).isEqualTo("prod");
        assertThat(report.at("/outcomes/1/result").asText()).isEqualTo("HELD");
        assertThat(releases.find(new ReleaseKey("payments-api", "staging", new ImageDigest(DIGEST))).orElseThrow().status())
                .isEqualTo(ReleaseStatus.SERVICE_UPDATED);
    }

    @Test
    void logsEachEnvironmentsResultInTheJsonFieldDeploysAreCountedBy() throws Exception {
        List<JsonNode> staging;
        List<JsonNode> prod;
        try (JsonLogLines log = JsonLogLines.capture()) {
            invoke("gantry-ecr-push-payments-api-1.4.0.json");
            staging = log.withMessageStartingWith("payments-api/staging: ");
            prod = log.withMessageStartingWith("payments-api/prod: ");
        }

        assertThat(staging).singleElement().satisfies(line -> {
            assertThat(line.path("deployResult").asText()).isEqualTo("DEPLOYED");
            assertThat(line.path("message").asText()).startsWith("payments-api/staging: DEPLOYED: ");
        });
        assertThat(prod).singleElement().satisfies(line -> assertThat(line.path("deployResult").asText()).isEqualTo("HELD"));
    }

    @Test
    void doesNothingTwiceForTheSameEvent() throws Exception {
        invoke("gantry-ecr-push-payments-api-1.4.0.json");

        JsonNode second = invoke("gantry-ecr-push-payments-api-1.4.0.json");

        assertThat(second.at("/outcomes/0/result").asText()).isEqualTo("DUPLICATE");
        assertThat(EcsWire.requests(aws.ecs, "RegisterTaskDefinition")).hasSize(1);
        assertThat(EcsWire.requests(aws.ecs, "UpdateService")).hasSize(1);
    }

    @Test
    void ignoresAnImageOfAnUnconfiguredRepository() throws Exception {
        JsonNode report = invoke("ecr-image-action-push-success.json");

        assertThat(report.at("/ignored").asBoolean()).isTrue();
        assertThat(report.at("/reason").asText()).contains("'my-repository-name' belongs to no service");
        assertThat(aws.ecs.getAllServeEvents()).isEmpty();
    }

    @Test
    void rejectsTheAwsSampleDigestForAConfiguredRepository() throws Exception {
        String sample = Fixtures.eventText("ecr-image-action-push-success.json")
                .replace("my-repository-name", "payments-api").replace("\"latest\"", "\"1.4.0\"");

        assertThatThrownBy(() -> handler.handleRequest(new java.io.ByteArrayInputStream(sample.getBytes()), new ByteArrayOutputStream(),
                new LocalContext("gantry-ecs-deploy", 60_000)))
                .isInstanceOf(MalformedEventException.class)
                .hasMessageContaining("detail.image-digest");
        assertThat(aws.ecs.getAllServeEvents()).isEmpty();
    }

    private JsonNode invoke(String eventFile) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (InputStream in = Files.newInputStream(Fixtures.event(eventFile))) {
            handler.handleRequest(in, out, new LocalContext("gantry-ecs-deploy", 60_000));
        }
        return JSON.readTree(out.toByteArray());
    }
}
