package dev.gantry.fn.chatops;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;

import com.amazonaws.services.dynamodbv2.local.main.ServerRunner;
import com.amazonaws.services.dynamodbv2.local.server.DynamoDBProxyServer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import dev.gantry.aws.DynamoDbAuditLog;
import dev.gantry.aws.DynamoDbChatRequestLedger;
import dev.gantry.aws.DynamoDbDeployControls;
import dev.gantry.aws.DynamoDbGateStore;
import dev.gantry.aws.DynamoDbManualFreezes;
import dev.gantry.aws.DynamoDbPendingApprovals;
import dev.gantry.aws.DynamoDbReleaseStore;
import dev.gantry.aws.EcsWire;
import dev.gantry.aws.JsonProtocolWire;
import dev.gantry.aws.SdkEcsGateway;
import dev.gantry.aws.SdkImageRegistry;
import dev.gantry.aws.SdkPipelineApprovals;
import dev.gantry.aws.StateTable;
import dev.gantry.aws.lambda.LocalContext;
import dev.gantry.core.chatops.ApprovalCards;
import dev.gantry.core.chatops.ApprovalRequests;
import dev.gantry.core.chatops.ChatOpsService;
import dev.gantry.core.chatops.ChatPermissions;
import dev.gantry.core.chatops.PendingApproval;
import dev.gantry.core.chatops.PipelineApprovalNotice;
import dev.gantry.core.config.ConfigLoader;
import dev.gantry.core.config.GantryConfig;
import dev.gantry.core.deploy.DeployService;
import dev.gantry.core.gate.ApproverGroups;
import dev.gantry.core.gate.GateService;
import dev.gantry.slack.SlackWebApi;
import dev.gantry.testing.Fixtures;
import dev.gantry.testing.InMemoryAlarmStates;
import dev.gantry.testing.InMemoryChangeCalendars;
import dev.gantry.testing.InMemoryCustomChecks;
import dev.gantry.testing.MutableClock;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.codepipeline.CodePipelineClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * The worker as Lambda runs it on its request queue: requests the interactions endpoint verified, state in DynamoDB
 * Local, CodePipeline and the answers' {@code response_url} on a loopback server.
 */
class ChatOpsWorkerHandlerIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String TABLE = "gantry-state";
    private static final Instant NOW = Instant.parse("2026-11-23T10:00:00Z");
    private static final GantryConfig CONFIG = ConfigLoader.parse("""
            version: 1
            slack:
              defaultChannel: "#releases"
              teamId: T0GANTRY1
              appId: A0GANTRY1
              permissions:
                pipelineApprovals: [U0OPS0001]
            services:
              - name: payments-api
                repository: payments-api
                tagPolicy:
                  semver: ">=1.0.0"
                environments:
                  - name: staging
                    account: "111111111111"
                    region: eu-west-1
                    cluster: staging
                    service: payments-api
                    containers: [app]
            """, "gantry.yml");

    private static final WireMockServer LOOPBACK = new WireMockServer(options().dynamicPort().bindAddress("127.0.0.1"));
    private static DynamoDBProxyServer dynamoServer;
    private static DynamoDbClient dynamo;
    private static CodePipelineClient codePipeline;

    @BeforeAll
    static void start() throws Exception {
        LOOPBACK.start();
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        dynamoServer = ServerRunner.createServerFromCommandLineArgs(new String[] {"-inMemory", "-port", Integer.toString(port)});
        dynamoServer.start();
        StaticCredentialsProvider credentials =
                StaticCredentialsProvider.create(AwsBasicCredentials.create("testaccesskey", "test-secret-key"));
        dynamo = DynamoDbClient.builder().endpointOverride(URI.create("http://127.0.0.1:" + port)).region(Region.EU_WEST_1)
                .credentialsProvider(credentials).httpClient(UrlConnectionHttpClient.create()).build();
        codePipeline = CodePipelineClient.builder().endpointOverride(URI.create(LOOPBACK.baseUrl())).region(Region.EU_WEST_1)
                .credentialsProvider(credentials).httpClient(UrlConnectionHttpClient.create())
                .overrideConfiguration(c -> c.retryStrategy(AwsRetryStrategy.doNotRetry())).build();
    }

    @AfterAll
    static void stop() throws Exception {
        codePipeline.close();
        dynamo.close();
        dynamoServer.stop();
        LOOPBACK.stop();
    }

    @BeforeEach
    void fresh() {
        LOOPBACK.resetAll();
        if (dynamo.listTables().tableNames().contains(TABLE)) {
            dynamo.deleteTable(r -> r.tableName(TABLE));
        }
        StateTable.createIfMissing(dynamo, TABLE);
        LOOPBACK.stubFor(post(urlEqualTo("/respond")).willReturn(aResponse().withStatus(200).withBody("ok")));
        LOOPBACK.stubFor(post(urlEqualTo("/api/chat.postMessage")).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "application/json").withBody("{\"ok\":true,\"channel\":\"C0RELEASES\",\"ts\":\"1763892000.000100\"}")));
        LOOPBACK.stubFor(JsonProtocolWire.CODEPIPELINE.operation("PutApprovalResult")
                .willReturn(JsonProtocolWire.json("{\"approvedAt\":1763892000}")));
    }

    @Test
    void answersHelpOnlyToThePersonWhoAsked() throws Exception {
        JsonNode answer = invoke(queued(command("U0DEV0001", "help", "trigger-1")));

        assertThat(answer.at("/batchItemFailures")).isEmpty();
        JsonNode reply = single(responses());
        assertThat(reply.at("/response_type").asText()).isEqualTo("ephemeral");
        assertThat(reply.toString()).contains("status");
    }

    @Test
    void refusesARequestFromAnotherWorkspaceAndDoesNothing() throws Exception {
        String foreign = command("U0DEV0001", "help", "trigger-2").replace("T0GANTRY1", "T0ELSEWHERE");

        invoke(queued(foreign));

        assertThat(single(responses()).toString()).containsIgnoringCase("workspace");
        assertThat(JsonProtocolWire.CODEPIPELINE.logged(LOOPBACK, "PutApprovalResult")).isEmpty();
    }

    @Test
    void approvesAPipelineOnceHoweverOftenTheButtonIsClicked() throws Exception {
        PendingApproval card = pipelineApprovalCard();

        invoke(queued(click("U0OPS0001", ApprovalCards.PIPELINE_APPROVE, card.id(), "trigger-3")));
        invoke(queued(click("U0OPS0001", ApprovalCards.PIPELINE_APPROVE, card.id(), "trigger-4")));

        List<JsonNode> decisions = JsonProtocolWire.CODEPIPELINE.requests(LOOPBACK, "PutApprovalResult");
        assertThat(decisions).hasSize(1);
        assertThat(decisions.get(0).at("/pipelineName").asText()).isEqualTo("MyFirstPipeline");
        assertThat(decisions.get(0).at("/result/status").asText()).isEqualTo("Approved");
        assertThat(decisions.get(0).at("/token").asText()).isEqualTo("1a2b3c4d-573f-4ea7-a67E-XAMPLETOKEN");
    }

    @Test
    void reportsAClickCodePipelineCouldNotBeToldSoItsRedeliverySendsTheDecision() throws Exception {
        // given: CodePipeline throttles the first PutApprovalResult, and takes the next
        LOOPBACK.stubFor(JsonProtocolWire.CODEPIPELINE.operation("PutApprovalResult").inScenario("throttled once")
                .whenScenarioStateIs(Scenario.STARTED).willSetStateTo("taking results")
                .willReturn(JsonProtocolWire.error("ThrottlingException", "Rate exceeded")));
        LOOPBACK.stubFor(JsonProtocolWire.CODEPIPELINE.operation("PutApprovalResult").inScenario("throttled once")
                .whenScenarioStateIs("taking results").willReturn(JsonProtocolWire.json("{\"approvedAt\":1763892000}")));
        PendingApproval card = pipelineApprovalCard();
        String clicked = queued(click("U0OPS0001", ApprovalCards.PIPELINE_APPROVE, card.id(), "trigger-8"));
        MutableClock clock = MutableClock.at(NOW.toString());

        // when: the click, then its redelivery after the request queue's visibility timeout (six minutes)
        JsonNode first = invoke(clicked, clock);
        clock.advance(Duration.ofMinutes(6));
        JsonNode redelivered = invoke(clicked, clock);

        // then
        assertThat(first.at("/batchItemFailures/0/itemIdentifier").asText()).isEqualTo("m-1");
        assertThat(redelivered.at("/batchItemFailures")).isEmpty();
        List<JsonNode> decisions = JsonProtocolWire.CODEPIPELINE.requests(LOOPBACK, "PutApprovalResult");
        assertThat(decisions).hasSize(2).allSatisfy(decision -> assertThat(decision.at("/result/status").asText()).isEqualTo("Approved"));
        List<JsonNode> told = responses();
        assertThat(told).hasSize(2);
        assertThat(told.get(0).at("/response_type").asText()).isEqualTo("ephemeral");
        assertThat(told.get(0).at("/text").asText()).contains("Gantry sends it again in a few minutes");
        assertThat(told.get(1).at("/replace_original").asBoolean()).isTrue();
        assertThat(new DynamoDbPendingApprovals(dynamo, TABLE).find(card.id()).orElseThrow().state()).isEqualTo(PendingApproval.State.DECIDED);
    }

    @Test
    void tellsThePersonOnceWhileTheirClickIsDeliveredAgainAndAgain() throws Exception {
        // given: CodePipeline throttles every PutApprovalResult
        LOOPBACK.stubFor(JsonProtocolWire.CODEPIPELINE.operation("PutApprovalResult")
                .willReturn(JsonProtocolWire.error("ThrottlingException", "Rate exceeded")));
        PendingApproval card = pipelineApprovalCard();
        String body = click("U0OPS0001", ApprovalCards.PIPELINE_APPROVE, card.id(), "trigger-9");
        MutableClock clock = MutableClock.at(NOW.toString());

        // when: the click, its redelivery before its decision may be resumed, and one after
        JsonNode first = invoke(QueuedSlackRequests.queued(body, 1), clock);
        clock.advance(Duration.ofMinutes(1));
        JsonNode second = invoke(QueuedSlackRequests.queued(body, 2), clock);
        clock.advance(Duration.ofMinutes(5));
        JsonNode third = invoke(QueuedSlackRequests.queued(body, 3), clock);

        // then: each delivery asks to be retried, and the person was told once
        assertThat(List.of(first, second, third)).allSatisfy(answer ->
                assertThat(answer.at("/batchItemFailures/0/itemIdentifier").asText()).isEqualTo("m-1"));
        assertThat(responses()).singleElement().satisfies(told -> {
            assertThat(told.at("/response_type").asText()).isEqualTo("ephemeral");
            assertThat(told.at("/text").asText()).contains("Gantry sends it again in a few minutes");
        });
    }

    @Test
    void refusesAClickFromSomeoneWhoMayNotDecide() throws Exception {
        PendingApproval card = pipelineApprovalCard();

        invoke(queued(click("U0DEV0001", ApprovalCards.PIPELINE_APPROVE, card.id(), "trigger-5")));

        assertThat(JsonProtocolWire.CODEPIPELINE.logged(LOOPBACK, "PutApprovalResult")).isEmpty();
    }

    @Test
    void refusesAClickNamingAnApprovalGantryNeverIssued() throws Exception {
        invoke(queued(click("U0OPS0001", ApprovalCards.PIPELINE_APPROVE, "pa_forged", "trigger-6")));

        assertThat(JsonProtocolWire.CODEPIPELINE.logged(LOOPBACK, "PutApprovalResult")).isEmpty();
    }

    @Test
    void reportsABodyItCannotReadSoItEndsInTheDeadLetterQueue() throws Exception {
        JsonNode answer = invoke(queued("team_id=T0GANTRY1"));

        assertThat(answer.at("/batchItemFailures/0/itemIdentifier").asText()).isEqualTo("m-1");
        assertThat(responses()).isEmpty();
    }

    private static PendingApproval pipelineApprovalCard() {
        String message = Fixtures.eventText("codepipeline-manual-approval-sns-message.json").replace("2016-07-07T20:22Z", "2026-11-30T20:22Z");
        return new ApprovalRequests(CONFIG, new DynamoDbPendingApprovals(dynamo, TABLE), slack(),
                new ChatPermissions(CONFIG, ApproverGroups.none()), clock())
                .requestPipelineApproval(PipelineApprovalNotice.parse(message), null);
    }

    private static ChatOpsWorkerHandler handler(Clock clock) {
        DynamoDbReleaseStore releases = new DynamoDbReleaseStore(dynamo, TABLE);
        DynamoDbDeployControls controls = new DynamoDbDeployControls(dynamo, TABLE);
        DynamoDbGateStore gateStore = new DynamoDbGateStore(dynamo, TABLE);
        GateService gates = new GateService(CONFIG, gateStore, releases, new InMemoryAlarmStates(), new InMemoryChangeCalendars(),
                new InMemoryCustomChecks(), ApproverGroups.none(), clock);
        DeployService deploys = new DeployService(CONFIG, new SdkEcsGateway(EcsWire.client(LOOPBACK)), releases, controls, clock)
                .withGates(gates);
        ChatOpsService chatOps = ChatOpsService.builder()
                .config(CONFIG)
                .clock(clock)
                .ledger(new DynamoDbChatRequestLedger(dynamo, TABLE))
                .audit(new DynamoDbAuditLog(dynamo, TABLE))
                .deploys(deploys)
                .controls(controls)
                .releases(releases)
                .registry(new SdkImageRegistry(region -> { throw new IllegalStateException("no ECR in these tests"); }))
                .gates(gates, gateStore)
                .freezes(new DynamoDbManualFreezes(dynamo, TABLE))
                .pendingApprovals(new DynamoDbPendingApprovals(dynamo, TABLE))
                .pipelineApprovals(new SdkPipelineApprovals(codePipeline))
                .build();
        return new ChatOpsWorkerHandler(chatOps, slack());
    }

    private static SlackWebApi slack() {
        return new SlackWebApi(() -> "test-bot-token-not-real", URI.create(LOOPBACK.baseUrl()),
                new SlackWebApi.RetryPolicy(0, Duration.ZERO, 1, Duration.ofMillis(1), Duration.ofMillis(1), Duration.ofSeconds(2)),
                duration -> { });
    }

    private static Clock clock() {
        return Clock.fixed(NOW, ZoneOffset.UTC);
    }

    private static String command(String user, String text, String trigger) {
        return "team_id=T0GANTRY1&api_app_id=A0GANTRY1&user_id=" + user + "&user_name=someone&command=%2Fgantry&text="
                + URLEncoder.encode(text, StandardCharsets.UTF_8) + "&response_url=" + URLEncoder.encode(LOOPBACK.baseUrl() + "/respond",
                StandardCharsets.UTF_8) + "&trigger_id=" + trigger + "&channel_id=C0RELEASES";
    }

    private static String click(String user, String actionId, String value, String trigger) {
        return QueuedSlackRequests.click(user, actionId, value, trigger, LOOPBACK.baseUrl() + "/respond");
    }

    private static String queued(String body) {
        return QueuedSlackRequests.queued(body);
    }

    private static List<JsonNode> responses() {
        return LOOPBACK.findAll(postRequestedFor(urlEqualTo("/respond"))).stream()
                .map(r -> {
                    try {
                        return JSON.readTree(r.getBodyAsString());
                    } catch (IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                })
                .toList();
    }

    private static JsonNode single(List<JsonNode> requests) {
        assertThat(requests).hasSize(1);
        return requests.get(0);
    }

    private static JsonNode invoke(String event) throws Exception {
        return invoke(event, clock());
    }

    private static JsonNode invoke(String event, Clock clock) throws Exception {
        ByteArrayOutputStream output = new ByteArrayOutputStream();
        handler(clock).handleRequest(new ByteArrayInputStream(event.getBytes(StandardCharsets.UTF_8)), output,
                new LocalContext("chatops-worker", 60_000));
        return JSON.readTree(output.toByteArray());
    }
}
