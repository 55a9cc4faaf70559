package dev.gantry.fn.ecsdeploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gantry.aws.DynamoDbDeployControls;
import dev.gantry.aws.DynamoDbReleaseStore;
import dev.gantry.aws.EcsWire;
import dev.gantry.aws.SdkEcsDeployments;
import dev.gantry.aws.StateTable;
import dev.gantry.aws.lambda.LocalContext;
import dev.gantry.core.deploy.DeployControls.Veto;
import dev.gantry.core.image.ImageDigest;
import dev.gantry.core.release.MalformedEventException;
import dev.gantry.core.release.Release;
import dev.gantry.core.release.ReleaseKey;
import dev.gantry.core.release.RolloutStatus;
import dev.gantry.core.rollout.RolloutService;
import dev.gantry.testing.Fixtures;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.ecs.EcsClient;

/**
 * The rollout follower as Lambda runs it, with real SDK adapters against loopback ECS and DynamoDB Local,
 * fed the Gantry-derived ECS events. The release is what the deploy function leaves behind; that the two
 * functions meet through the table is {@code RolloutScriptsInvokeIT}'s to prove.
 */
class RolloutHandlerIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final ImageDigest DIGEST = new ImageDigest("sha256:07348c1177395e36a0630834b693a5318a854ba216a887b7c7244eefa4b0efcd");
    private static final ReleaseKey RELEASE = new ReleaseKey("payments-api", "staging", DIGEST);
    /** The deployment the derived events name: the one UpdateService started. */
    private static final String DEPLOYMENT = "ecs-svc/3056462518204391731";
    private static final String CIRCUIT_BREAKER = "ECS deployment circuit breaker: task failed to start.";

    private static LoopbackAws aws;
    private static EcsClient ecsClient;
    private String table;
    private DynamoDbReleaseStore releases;
    private DynamoDbDeployControls controls;
    private RolloutHandler rollout;

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
    void freshStateAndService() {
        aws.ecs.resetAll();
        aws.stubStagingService();
        table = "gantry-rollout-" + System.nanoTime();
        StateTable.createIfMissing(aws.dynamo, table);
        releases = new DynamoDbReleaseStore(aws.dynamo, table);
        controls = new DynamoDbDeployControls(aws.dynamo, table);
        rollout = new RolloutHandler(new RolloutService(Fixtures.exampleConfig(), new SdkEcsDeployments(ecsClient), releases, controls,
                Clock.systemUTC()));
    }

    @Test
    void recordsACompletedRolloutOnTheReleaseTheDeployOpened() throws Exception {
        givenTheDeployMovedStagingToTheRelease();
        givenDeployments("""
                {"id":"%s","status":"PRIMARY","taskDefinition":"%s","desiredCount":2,"pendingCount":0,"runningCount":2,"failedTasks":0,
                 "rolloutState":"COMPLETED","rolloutStateReason":"ECS deployment %1$s completed."}""".formatted(DEPLOYMENT, LoopbackAws.NEW_ARN));

        JsonNode report = invoke(rollout, "gantry-ecs-deployment-completed-payments-api-staging.json");

        assertThat(report.at("/outcomes/0/result").asText()).isEqualTo("RECORDED");
        assertThat(report.at("/outcomes/0/release").asText()).isEqualTo("payments-api/staging/07348c117739");
        Release release = releases.find(RELEASE).orElseThrow();
        assertThat(release.rolloutStatus()).isEqualTo(RolloutStatus.COMPLETED);
        assertThat(release.rolloutReason()).isEqualTo("ECS deployment " + DEPLOYMENT + " completed.");
        JsonNode describe = EcsWire.requests(aws.ecs, "DescribeServices").getLast();
        assertThat(describe.at("/cluster").asText()).isEqualTo("staging");
        assertThat(describe.at("/services/0").asText()).isEqualTo("payments-api");
        assertThat(controls.vetoOf("payments-api", "staging", DIGEST)).isEmpty();
    }

    @Test
    void recordsACircuitBreakerRollbackAndStoresTheVeto() throws Exception {
        givenTheDeployMovedStagingToTheRelease();
        givenDeployments("""
                {"id":"ecs-svc/5188146770730811392","status":"PRIMARY","taskDefinition":"%s","desiredCount":2,"pendingCount":1,
                 "runningCount":1,"failedTasks":0,"rolloutState":"IN_PROGRESS",
                 "rolloutStateReason":"ECS deployment circuit breaker: rolling back to deploymentId ecs-svc/1946263512074623851."},
                {"id":"%s","status":"ACTIVE","taskDefinition":"%s","desiredCount":0,"pendingCount":0,"runningCount":0,"failedTasks":3,
                 "rolloutState":"FAILED","rolloutStateReason":"%s"}""".formatted(LoopbackAws.RUNNING_ARN, DEPLOYMENT, LoopbackAws.NEW_ARN,
                CIRCUIT_BREAKER));

        JsonNode report = invoke(rollout, "gantry-ecs-deployment-failed-rolled-back-payments-api-staging.json");

        assertThat(report.at("/outcomes/0/status").asText()).isEqualTo("ROLLED_BACK");
        assertThat(report.at("/outcomes/0/vetoed").asBoolean()).isTrue();
        Release release = releases.find(RELEASE).orElseThrow();
        assertThat(release.rolloutStatus()).isEqualTo(RolloutStatus.ROLLED_BACK);
        assertThat(release.rolloutReason()).isEqualTo(CIRCUIT_BREAKER + " (3 tasks failed); ECS rolled the service back to " + LoopbackAws.RUNNING_ARN);
        Veto veto = controls.vetoOf("payments-api", "staging", DIGEST).orElseThrow();
        assertThat(veto.by()).isEqualTo("ecs-rollback");
        assertThat(veto.reason()).startsWith("ECS rolled back deployment " + DEPLOYMENT + ": " + CIRCUIT_BREAKER);
        Map<String, AttributeValue> stored = aws.dynamo.getItem(r -> r.tableName(table).key(Map.of(
                "pk", AttributeValue.fromS("VETO#payments-api#staging"), "sk", AttributeValue.fromS(DIGEST.value())))).item();
        assertThat(stored.get("by").s()).isEqualTo("ecs-rollback");
        assertThat(stored.get("digest").s()).isEqualTo(DIGEST.value());
    }

    @Test
    void addsWhyATaskStoppedWhileTheRolloutIsUnderWay() throws Exception {
        givenTheDeployMovedStagingToTheRelease();
        givenDeployments("""
                {"id":"%s","status":"PRIMARY","taskDefinition":"%s","desiredCount":2,"pendingCount":2,"runningCount":0,"failedTasks":1,
                 "rolloutState":"IN_PROGRESS","rolloutStateReason":"ECS deployment %1$s in progress."},
                {"id":"ecs-svc/1946263512074623851","status":"ACTIVE","taskDefinition":"%s","desiredCount":2,"pendingCount":0,
                 "runningCount":2,"failedTasks":0,"rolloutState":"COMPLETED"}""".formatted(DEPLOYMENT, LoopbackAws.NEW_ARN, LoopbackAws.RUNNING_ARN));
        invoke(rollout, "gantry-ecs-deployment-in-progress-payments-api-staging.json");

        JsonNode report = invoke(rollout, "gantry-ecs-task-state-change-stopped-payments-api-staging.json");

        assertThat(report.at("/outcomes/0/result").asText()).isEqualTo("RECORDED");
        Release release = releases.find(RELEASE).orElseThrow();
        assertThat(release.rolloutStatus()).isEqualTo(RolloutStatus.IN_PROGRESS);
        assertThat(release.rolloutReason()).isEqualTo(
                "task c13b4cb40f1f4fe4a2971f76ae5a47ad stopped (EssentialContainerExited): Essential container in task exited; app exited 1");
    }

    @Test
    void ignoresAServiceGantryDoesNotManageWithoutCallingEcs() throws Exception {
        JsonNode report = invoke(rollout, "ecs-deployment-state-change-completed.json");

        assertThat(report.at("/ignored").asBoolean()).isTrue();
        assertThat(report.at("/reason").asText()).contains("default/servicetest");
        assertThat(aws.ecs.getAllServeEvents()).isEmpty();
    }

    @Test
    void rejectsAnEcsEventItDoesNotFollow() {
        byte[] serviceAction = Fixtures.eventText("ecs-service-action-service-steady-state.json").getBytes(StandardCharsets.UTF_8);

        assertThatThrownBy(() -> rollout.handleRequest(new ByteArrayInputStream(serviceAction), new ByteArrayOutputStream(),
                new LocalContext("gantry-rollout-follow", 60_000)))
                .isInstanceOf(MalformedEventException.class)
                .hasMessageContaining("detail-type: 'ECS Service Action'");
        assertThat(aws.ecs.getAllServeEvents()).isEmpty();
    }

    /** The release as the deploy function records it once UpdateService moved staging from revision 41 to 42. */
    private void givenTheDeployMovedStagingToTheRelease() {
        Instant now = Instant.now();
        String owner = "deploy-invocation";
        releases.claim(Release.proposed(RELEASE, "1.4.0", LoopbackAws.REGISTRY + "/payments-api@" + DIGEST,
                "6f0d1c2a-5b8e-4c7d-9a41-0e2b7c9d3f10", owner, now.plusSeconds(90), now), now, Duration.ofSeconds(90));
        releases.recordRegistered(RELEASE, owner, LoopbackAws.RUNNING_ARN, LoopbackAws.NEW_ARN,
                List.of("app: " + LoopbackAws.REGISTRY + "/payments-api:1.3.0 -> " + LoopbackAws.REGISTRY + "/payments-api@" + DIGEST), now);
        releases.recordServiceUpdated(RELEASE, owner, now);
    }

    private void givenDeployments(String deployments) {
        aws.ecs.stubFor(EcsWire.operation("DescribeServices").willReturn(EcsWire.json("""
                {"services":[{"serviceName":"payments-api","clusterArn":"arn:aws:ecs:eu-west-1:111111111111:cluster/staging",
                  "status":"ACTIVE","taskDefinition":"%s","deployments":[%s]}],"failures":[]}""".formatted(LoopbackAws.NEW_ARN, deployments))));
    }

    private static JsonNode invoke(RequestStreamHandler handler, String eventFile) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (InputStream in = Files.newInputStream(Fixtures.event(eventFile))) {
            handler.handleRequest(in, out, new LocalContext("gantry-test", 60_000));
        }
        return JSON.readTree(out.toByteArray());
    }
}
