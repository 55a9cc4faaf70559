package dev.gantry.fn.releasegate;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.gantry.aws.CloudWatchWire;
import dev.gantry.aws.DynamoDbGateStore;
import dev.gantry.aws.EcsWire;
import dev.gantry.aws.SdkServiceRevisions;
import dev.gantry.aws.lambda.LocalContext;
import dev.gantry.core.config.GantryConfig;
import dev.gantry.core.gate.Approval;
import dev.gantry.core.gate.EcsHookGateService;
import dev.gantry.core.gate.GateOrigin;
import dev.gantry.core.gate.GateRecord;
import dev.gantry.core.gate.GateService;
import dev.gantry.core.image.ImageDigest;
import dev.gantry.core.release.ReleaseKey;
import dev.gantry.testing.Fixtures;
import dev.gantry.testing.MutableClock;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The ECS deployment lifecycle hook as Lambda runs it: the real SDK adapters against a loopback server speaking ECS
 * (DescribeServiceRevisions) and CloudWatch, DynamoDB Local for gate records, and a test clock.
 */
class EcsHookHandlerIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String HOOK_EVENT = "gantry-ecs-lifecycle-hook-payments-api-prod.json";
    private static final String NESTED_HOOK_EVENT = "gantry-ecs-lifecycle-hook-payments-api-prod-execution-details.json";
    private static final ReleaseKey RELEASE = new ReleaseKey("payments-api", "prod", new ImageDigest(LoopbackAws.DIGEST));

    private static LoopbackAws aws;
    private MutableClock clock;
    private GantryConfig config;
    private String table;
    private EcsHookHandler handler;
    /** Records decisions as Slack will: another function's gate service over the same table. */
    private GateService approvers;

    @BeforeAll
    static void startLoopbackAws() throws Exception {
        aws = new LoopbackAws();
    }

    @AfterAll
    static void stopLoopbackAws() throws Exception {
        aws.close();
    }

    @BeforeEach
    void freshStateAndStubs() {
        aws.server.resetAll();
        aws.stubProdRevision();
        aws.stubAlarm("OK", "Threshold Crossed: no datapoints were greater than the threshold (5.0).");
        clock = MutableClock.at("2026-03-04T10:00:00Z");
        config = LoopbackAws.gatedConfig();
        table = aws.freshTable();
        handler = handlerOver(table);
        approvers = aws.gateService(config, table, clock);
    }

    @Test
    void answersInProgressWithACallBackDelayWhileTheGateWaitsForApprovals() throws Exception {
        JsonNode answer = invoke(HOOK_EVENT);

        assertThat(answer.at("/hookStatus").asText()).isEqualTo("IN_PROGRESS");
        assertThat(answer.at("/callBackDelay").isIntegralNumber()).as(answer.toString()).isTrue();
        assertThat(answer.at("/callBackDelay").asInt()).isBetween(30, 300);
        assertThat(answer.size()).as(answer.toString()).isEqualTo(2);
        assertThat(EcsWire.requests(aws.server, "DescribeServiceRevisions")).singleElement()
                .satisfies(request -> assertThat(request.at("/serviceRevisionArns").toString())
                        .isEqualTo("[\"" + LoopbackAws.PROD_REVISION_ARN + "\"]"));
        GateRecord record = new DynamoDbGateStore(aws.dynamo, table).find(RELEASE).orElseThrow();
        assertThat(record.origin()).isEqualTo(GateOrigin.ECS_HOOK);
        assertThat(record.image()).isEqualTo(LoopbackAws.REGISTRY + "/payments-api@" + LoopbackAws.DIGEST);
    }

    @Test
    void asksCloudWatchOnlyWhenTheGateIsDueAgainHoweverOftenEcsCalls() throws Exception {
        invoke(HOOK_EVENT);
        clock.advance(Duration.ofSeconds(30));

        JsonNode again = invoke(HOOK_EVENT);

        assertThat(again.at("/hookStatus").asText()).isEqualTo("IN_PROGRESS");
        assertThat(EcsWire.requests(aws.server, "DescribeServiceRevisions")).hasSize(2);
        assertThat(CloudWatchWire.describeAlarmsRequests(aws.server)).hasSize(1);
    }

    @Test
    void succeedsOnceTwoPeopleApprovedTheDigestEcsResolved() throws Exception {
        invoke(HOOK_EVENT);
        clock.advance(Duration.ofMinutes(5));
        approvers.decide(RELEASE, new Approval("U0EXAMPLE1", clock.instant(), RELEASE.digest(), Approval.Decision.APPROVE, null));
        approvers.decide(RELEASE, new Approval("U0EXAMPLE3", clock.instant(), RELEASE.digest(), Approval.Decision.APPROVE, "canary clean"));
        clock.advance(Duration.ofSeconds(30));

        JsonNode answer = invoke(HOOK_EVENT);

        assertThat(answer).isEqualTo(JSON.readTree("{\"hookStatus\":\"SUCCEEDED\"}"));
    }

    @Test
    void failsWhenTheGatesAlarmFires() throws Exception {
        aws.stubAlarm("ALARM", "Threshold Crossed: 1 datapoint [12.0] was greater than the threshold (5.0).");

        JsonNode answer = invoke(HOOK_EVENT);

        assertThat(answer).isEqualTo(JSON.readTree("{\"hookStatus\":\"FAILED\"}"));
    }

    @Test
    void asksAgainSoonWhenEcsCannotDescribeTheRevision() throws Exception {
        aws.server.stubFor(EcsWire.operation("DescribeServiceRevisions").willReturn(aResponse().withStatus(500)
                .withHeader("Content-Type", "application/x-amz-json-1.1")
                .withBody("{\"__type\":\"ServerException\",\"message\":\"Service Unavailable. Please try again later.\"}")));

        JsonNode answer = invoke(HOOK_EVENT);

        assertThat(answer).isEqualTo(JSON.readTree("{\"hookStatus\":\"IN_PROGRESS\",\"callBackDelay\":30}"));
        assertThat(new DynamoDbGateStore(aws.dynamo, table).find(RELEASE)).isEmpty();
        assertThat(CloudWatchWire.describeAlarmsRequests(aws.server)).isEmpty();
    }

    @Test
    void failsAPayloadThatNamesNoRevision() throws Exception {
        ObjectNode payload = (ObjectNode) JSON.readTree(Fixtures.eventText(HOOK_EVENT));
        payload.remove("targetServiceRevisionArn");

        JsonNode answer = invoke(JSON.writeValueAsBytes(payload));

        assertThat(answer).isEqualTo(JSON.readTree("{\"hookStatus\":\"FAILED\"}"));
        assertThat(aws.server.getAllServeEvents()).isEmpty();
    }

    @Test
    void answersThePayloadNestedInExecutionDetailsAsTheTopLevelOne() throws Exception {
        JsonNode topLevel = invoke(HOOK_EVENT);
        handler = handlerOver(aws.freshTable());

        JsonNode nested = invoke(NESTED_HOOK_EVENT);

        assertThat(nested).isEqualTo(topLevel);
        assertThat(nested.at("/hookStatus").asText()).isEqualTo("IN_PROGRESS");
        assertThat(EcsWire.requests(aws.server, "DescribeServiceRevisions"))
                .extracting(request -> request.at("/serviceRevisionArns/0").asText())
                .containsExactly(LoopbackAws.PROD_REVISION_ARN, LoopbackAws.PROD_REVISION_ARN);
    }

    private EcsHookHandler handlerOver(String gateTable) {
        return new EcsHookHandler(new EcsHookGateService(config, aws.gateService(config, gateTable, clock),
                new SdkServiceRevisions(aws.ecs), clock));
    }

    private JsonNode invoke(String eventFile) throws Exception {
        return invoke(Files.readAllBytes(Fixtures.event(eventFile)));
    }

    private JsonNode invoke(byte[] payload) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        handler.handleRequest(new ByteArrayInputStream(payload), out, new LocalContext("gantry-ecs-gate-hook", 60_000));
        return JSON.readTree(out.toByteArray());
    }
}
