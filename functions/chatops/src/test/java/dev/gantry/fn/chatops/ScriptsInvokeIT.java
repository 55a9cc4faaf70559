package dev.gantry.fn.chatops;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;

import com.amazonaws.services.dynamodbv2.local.main.ServerRunner;
import com.amazonaws.services.dynamodbv2.local.server.DynamoDBProxyServer;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.MappingBuilder;
import dev.gantry.aws.CloudWatchWire;
import dev.gantry.aws.DynamoDbAuditLog;
import dev.gantry.aws.DynamoDbGateStore;
import dev.gantry.aws.DynamoDbReleaseStore;
import dev.gantry.aws.EcsWire;
import dev.gantry.aws.JsonProtocolWire;
import dev.gantry.aws.ReleaseNewsJson;
import dev.gantry.aws.SqsNotifier;
import dev.gantry.aws.SqsWire;
import dev.gantry.aws.StagingPaymentsApiWire;
import dev.gantry.aws.StateTable;
import dev.gantry.core.chatops.ApprovalCards;
import dev.gantry.core.chatops.ApprovalRequests;
import dev.gantry.core.chatops.AuditEntry;
import dev.gantry.core.config.ConfigLoader;
import dev.gantry.core.gate.AlarmStates;
import dev.gantry.core.gate.Approval;
import dev.gantry.core.gate.ApproverGroups;
import dev.gantry.core.gate.GateOrigin;
import dev.gantry.core.gate.GateRecord;
import dev.gantry.core.gate.GateService;
import dev.gantry.core.gate.GateStatus;
import dev.gantry.core.gate.GateSubject;
import dev.gantry.core.image.ImageDigest;
import dev.gantry.core.notify.ReleaseNews;
import dev.gantry.core.release.ReleaseKey;
import dev.gantry.slack.SlackApiUrl;
import dev.gantry.testing.Fixtures;
import dev.gantry.testing.InMemoryAlarmStates;
import dev.gantry.testing.InMemoryChangeCalendars;
import dev.gantry.testing.InMemoryCustomChecks;
import dev.gantry.testing.InvokeScript;
import dev.gantry.testing.InvokeScript.Result;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * {@code scripts/invoke} for the worker and the notifier as a user runs it: the packaged jar, in a fresh JVM, each handler
 * wired from environment variables alone, as Lambda builds it, against a loopback AWS and Slack and DynamoDB Local. The
 * worker and the notifier build every client their wiring asks for, the gates' CloudWatch, SSM and Lambda included.
 */
class ScriptsInvokeIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String TABLE = "gantry-state";
    private static final String SECRET_ARN = "arn:aws:secretsmanager:eu-west-1:111111111111:secret:gantry/slack-bot-AbCdEf";

    private static final String NOTIFY_QUEUE = "https://sqs.eu-west-1.amazonaws.com/111111111111/gantry-notify.fifo";
    private static final WireMockServer LOOPBACK = new WireMockServer(options().dynamicPort().bindAddress("127.0.0.1")
            .extensions(SqsWire.sendMessageAnswer()));
    private static DynamoDBProxyServer dynamoServer;
    private static DynamoDbClient dynamo;
    private static String dynamoEndpoint;

    @TempDir
    Path work;

    @BeforeAll
    static void start() throws Exception {
        LOOPBACK.start();
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        dynamoServer = ServerRunner.createServerFromCommandLineArgs(new String[] {"-inMemory", "-port", Integer.toString(port)});
        dynamoServer.start();
        dynamoEndpoint = "http://127.0.0.1:" + port;
        dynamo = DynamoDbClient.builder().endpointOverride(URI.create(dynamoEndpoint)).region(Region.EU_WEST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("testaccesskey", "test-secret-key")))
                .httpClient(UrlConnectionHttpClient.create()).build();
    }

    @AfterAll
    static void stop() throws Exception {
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
        // The bot token: nothing on loopback checks it.
        LOOPBACK.stubFor(aws("secretsmanager.GetSecretValue").willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "application/x-amz-json-1.1")
                .withBody(JSON.createObjectNode().put("ARN", SECRET_ARN).put("Name", "gantry/slack-bot")
                        .put("SecretString", "test-bot-token-not-real").toString())));
    }

    @Test
    void answersACommandFromTheRequestQueueOnlyToThePersonWhoAsked() throws Exception {
        LOOPBACK.stubFor(post(urlEqualTo("/respond")).willReturn(aResponse().withStatus(200).withBody("ok")));
        String help = "team_id=T0GANTRY1&api_app_id=A0GANTRY1&user_id=U0ALICE&user_name=alice&command=%2Fgantry&text=help"
                + "&response_url=" + URLEncoder.encode(LOOPBACK.baseUrl() + "/respond", StandardCharsets.UTF_8)
                + "&trigger_id=trigger-1&channel_id=C0RELEASES";
        ObjectNode batch = JSON.createObjectNode();
        batch.putArray("Records").addObject().put("messageId", "m-1").put("body", help).put("eventSource", "aws:sqs");

        Result result = InvokeScript.run(environment(), "chatops-worker", write("worker-batch.json", batch.toString()).toString());

        assertThat(result.exitCode()).as(result.stderr()).isZero();
        assertThat(JSON.readTree(result.stdout()).at("/batchItemFailures")).as(result.stdout()).isEmpty();
        assertThat(LOOPBACK.findAll(postRequestedFor(urlEqualTo("/respond")))).singleElement()
                .satisfies(reply -> assertThat(JSON.readTree(reply.getBodyAsString()).at("/response_type").asText()).isEqualTo("ephemeral"));
    }

    /**
     * {@code /gantry deploy} from someone the configuration allows: the tag found in ECR, the task definition registered
     * pinned to its digest, the service updated, the news told, the person answered.
     */
    @Test
    void deploysATagAskedForInSlackPinnedToItsDigest() throws Exception {
        String digest = "sha256:07348c1177395e36a0630834b693a5318a854ba216a887b7c7244eefa4b0efcd";
        StagingPaymentsApiWire.serve(LOOPBACK);
        LOOPBACK.stubFor(EcsWire.operation("ListTaskDefinitions").willReturn(EcsWire.json(
                "{\"taskDefinitionArns\":[\"" + StagingPaymentsApiWire.RUNNING_ARN + "\",\"" + StagingPaymentsApiWire.NEW_ARN + "\"]}")));
        LOOPBACK.stubFor(JsonProtocolWire.ECR.operation("DescribeImages").willReturn(JsonProtocolWire.json("""
                {"imageDetails":[{"registryId":"111111111111","repositoryName":"payments-api","imageDigest":"%s","imageTags":["1.4.0"]}]}"""
                .formatted(digest))));
        LOOPBACK.stubFor(SqsWire.sendMessage().willReturn(SqsWire.answered()));
        LOOPBACK.stubFor(post(urlEqualTo("/respond")).willReturn(aResponse().withStatus(200).withBody("ok")));
        String deploy = "team_id=T0GANTRY1&api_app_id=A0GANTRY1&user_id=U0ALICE&user_name=alice&command=%2Fgantry"
                + "&text=deploy+payments-api+1.4.0+staging"
                + "&response_url=" + URLEncoder.encode(LOOPBACK.baseUrl() + "/respond", StandardCharsets.UTF_8)
                + "&trigger_id=trigger-deploy-1&channel_id=C0RELEASES";
        Map<String, String> env = environment();
        env.put("GANTRY_NOTIFY_QUEUE_URL", NOTIFY_QUEUE);

        Result result = InvokeScript.run(env, "chatops-worker", write("deploy-batch.json", QueuedSlackRequests.queued(deploy)).toString());

        assertThat(result.exitCode()).as(result.stderr()).isZero();
        assertThat(JSON.readTree(result.stdout()).at("/batchItemFailures")).as(result.stdout()).isEmpty();
        assertThat(EcsWire.requests(LOOPBACK, "RegisterTaskDefinition")).singleElement().satisfies(register ->
                assertThat(register.at("/containerDefinitions/0/image").asText())
                        .isEqualTo(StagingPaymentsApiWire.REGISTRY + "/payments-api@" + digest));
        assertThat(EcsWire.requests(LOOPBACK, "UpdateService")).singleElement().satisfies(update ->
                assertThat(update.at("/taskDefinition").asText()).isEqualTo(StagingPaymentsApiWire.NEW_ARN));
        assertThat(SqsWire.sent(LOOPBACK)).isNotEmpty().allSatisfy(sent ->
                assertThat(sent.at("/QueueUrl").asText()).isEqualTo(NOTIFY_QUEUE));
        assertThat(LOOPBACK.findAll(postRequestedFor(urlEqualTo("/respond")))).singleElement()
                .satisfies(reply -> assertThat(reply.getBodyAsString()).contains("payments-api").contains("staging"));
    }

    /**
     * A pipeline's manual approval as Lambda runs both halves: chatops-notify takes CodePipeline's SNS notification and
     * posts the card, then chatops-worker takes an approver's click on the card's Approve button and tells CodePipeline,
     * once however often the button is clicked.
     */
    @Test
    void approvesAPipelineFromItsCardOnceForTheApproversClicks() throws Exception {
        LOOPBACK.stubFor(post(urlEqualTo("/api/chat.postMessage")).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "application/json").withBody("{\"ok\":true,\"channel\":\"C0RELEASES\",\"ts\":\"1763892000.000100\"}")));
        LOOPBACK.stubFor(post(urlEqualTo("/api/chat.update")).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "application/json").withBody("{\"ok\":true,\"channel\":\"C0RELEASES\",\"ts\":\"1763892000.000100\"}")));
        LOOPBACK.stubFor(post(urlEqualTo("/respond")).willReturn(aResponse().withStatus(200).withBody("ok")));
        LOOPBACK.stubFor(JsonProtocolWire.CODEPIPELINE.operation("PutApprovalResult")
                .willReturn(JsonProtocolWire.json("{\"approvedAt\":1763892000}")));
        // CodePipeline's sample, expiring a week from now as a waiting approval does.
        String expires = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm'Z'").withZone(ZoneOffset.UTC)
                .format(Instant.now().plus(Duration.ofDays(7)));
        String approval = Fixtures.eventText("codepipeline-manual-approval-sns-message.json").replace("2016-07-07T20:22Z", expires);
        ObjectNode sns = (ObjectNode) JSON.readTree(Fixtures.eventText("sns-lambda-event-envelope.lambda-dev-guide.json"));
        ((ObjectNode) sns.path("Records").path(0).path("Sns")).put("Message", approval);

        Result notified = InvokeScript.run(environment(), "chatops-notify", write("approval-sns.json", sns.toString()).toString());

        assertThat(notified.exitCode()).as(notified.stderr()).isZero();
        String card = JSON.readTree(notified.stdout()).at("/approvalCards/0").asText();
        assertThat(card).as(notified.stdout()).isNotEmpty();
        assertThat(LOOPBACK.findAll(postRequestedFor(urlEqualTo("/api/chat.postMessage")))).singleElement()
                .satisfies(post -> assertThat(post.getBodyAsString()).contains(card).contains(ApprovalCards.PIPELINE_APPROVE));

        for (String trigger : List.of("trigger-click-1", "trigger-click-2")) {
            Result clicked = InvokeScript.run(environment(), "chatops-worker",
                    write(trigger + ".json", QueuedSlackRequests.queued(QueuedSlackRequests.click("U0OPS0001",
                            ApprovalCards.PIPELINE_APPROVE, card, trigger, LOOPBACK.baseUrl() + "/respond"))).toString());
            assertThat(clicked.exitCode()).as(clicked.stderr()).isZero();
            assertThat(JSON.readTree(clicked.stdout()).at("/batchItemFailures")).as(clicked.stdout()).isEmpty();
        }

        assertThat(JsonProtocolWire.CODEPIPELINE.requests(LOOPBACK, "PutApprovalResult")).singleElement().satisfies(decision -> {
            assertThat(decision.at("/pipelineName").asText()).isEqualTo("MyFirstPipeline");
            assertThat(decision.at("/result/status").asText()).isEqualTo("Approved");
            assertThat(decision.at("/token").asText()).isEqualTo("1a2b3c4d-573f-4ea7-a67E-XAMPLETOKEN");
        });
    }

    /**
     * A release waiting at prod's gate for two approvals, as Lambda runs both halves: chatops-notify takes the gate's news
     * and posts the approval card, then chatops-worker takes clicks on the card's Approve button. The person who triggered
     * the release is refused; an approver's click, twice, is one approval on the gate record and in the audit log.
     */
    @Test
    void countsAnApproversClickOnAGatesCardOnceAndRefusesWhoeverTriggeredTheRelease() throws Exception {
        LOOPBACK.stubFor(post(urlEqualTo("/api/chat.postMessage")).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "application/json").withBody("{\"ok\":true,\"channel\":\"C0RELEASES\",\"ts\":\"1763892000.000100\"}")));
        LOOPBACK.stubFor(post(urlEqualTo("/api/chat.update")).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "application/json").withBody("{\"ok\":true,\"channel\":\"C0RELEASES\",\"ts\":\"1763892000.000100\"}")));
        LOOPBACK.stubFor(post(urlEqualTo("/respond")).willReturn(aResponse().withStatus(200).withBody("ok")));
        // The three checks pass whenever the worker looks at the gate again: only the approvals hold the release.
        LOOPBACK.stubFor(CloudWatchWire.describeAlarms().willReturn(CloudWatchWire.metricAlarms(CloudWatchWire.metricAlarm(
                "payments-api-5xx", "OK", "Threshold Crossed: no datapoints were greater than the threshold (5.0).", "2026-01-05T09:00:00.000Z"))));
        LOOPBACK.stubFor(aws("AmazonSSM.GetCalendarState").willReturn(JsonProtocolWire.json("""
                {"State":"OPEN","AtTime":"2026-03-04T10:00:00Z","NextTransitionTime":"2099-12-20T00:00:00Z"}""")));
        LOOPBACK.stubFor(post(urlPathEqualTo("/2015-03-31/functions/release-check/invocations"))
                .willReturn(okJson("{\"status\":\"pass\",\"reason\":\"no open incident\"}")));
        GateRecord waiting = releaseWaitingAtProdTriggeredBy("U0BOB0001");
        assertThat(waiting.status()).as(waiting.reason()).isEqualTo(GateStatus.WAITING);
        ReleaseNews.GateChanged news = ReleaseNews.GateChanged.of(waiting);
        assertThat(news.approvalsRequired()).isEqualTo(2);

        Result notified = InvokeScript.run(environment(), "chatops-notify", write("gate-news.json", notifyBatch(news)).toString());

        assertThat(notified.exitCode()).as(notified.stderr()).isZero();
        String approval = ApprovalRequests.gateApprovalId(waiting);
        assertThat(LOOPBACK.findAll(postRequestedFor(urlEqualTo("/api/chat.postMessage"))))
                .anySatisfy(post -> assertThat(post.getBodyAsString()).contains(ApprovalCards.GATE_APPROVE).contains(approval));

        Result byTheTrigger = click("U0BOB0001", approval, "trigger-bob-1");
        Result byAnApprover = click("U0CAROL01", approval, "trigger-carol-1");
        Result again = click("U0CAROL01", approval, "trigger-carol-2");

        for (Result clicked : List.of(byTheTrigger, byAnApprover, again)) {
            assertThat(clicked.exitCode()).as(clicked.stderr()).isZero();
            assertThat(JSON.readTree(clicked.stdout()).at("/batchItemFailures")).as(clicked.stdout()).isEmpty();
        }
        GateRecord after = new DynamoDbGateStore(dynamo, TABLE).find(waiting.key()).orElseThrow();
        assertThat(after.decisions()).singleElement().satisfies(decision -> {
            assertThat(decision.userId()).isEqualTo("U0CAROL01");
            assertThat(decision.decision()).isEqualTo(Approval.Decision.APPROVE);
            assertThat(decision.digest()).isEqualTo(waiting.key().digest());
        });
        assertThat(after.status()).as(after.reason()).isEqualTo(GateStatus.WAITING);
        assertThat(after.reason()).contains("1 of 2");
        List<AuditEntry> audit = new DynamoDbAuditLog(dynamo, TABLE).entriesOn(LocalDate.now(ZoneOffset.UTC));
        assertThat(audit).filteredOn(entry -> "U0CAROL01".equals(entry.userId()) && entry.outcome() == AuditEntry.Outcome.DONE)
                .singleElement().satisfies(entry -> assertThat(entry.action()).isEqualTo("approve"));
        assertThat(audit).filteredOn(entry -> "U0BOB0001".equals(entry.userId())).singleElement()
                .satisfies(entry -> assertThat(entry.outcome()).isEqualTo(AuditEntry.Outcome.REFUSED));
        assertThat(LOOPBACK.findAll(postRequestedFor(urlEqualTo("/respond"))))
                .anySatisfy(told -> assertThat(told.getBodyAsString()).contains("You triggered this release"));
    }

    /**
     * payments-api 1.4.0 at prod's gate, set going by {@code triggeredBy}, its alarm quiet for a day, its change calendar
     * open and its custom check passing: what ecs-deploy leaves in the table when the push reaches prod.
     */
    private static GateRecord releaseWaitingAtProdTriggeredBy(String triggeredBy) throws URISyntaxException {
        Instant now = Instant.now();
        InMemoryAlarmStates alarms = new InMemoryAlarmStates();
        alarms.givenAlarm("payments-api-5xx", AlarmStates.State.OK, now.minus(Duration.ofDays(1)));
        InMemoryChangeCalendars calendars = new InMemoryChangeCalendars();
        calendars.givenOpen("release-freeze", now.plus(Duration.ofDays(30)));
        InMemoryCustomChecks checks = new InMemoryCustomChecks();
        checks.givenPass("release-check", "no open incident");
        GateService gates = new GateService(ConfigLoader.load(Path.of(environment().get("GANTRY_CONFIG"))),
                new DynamoDbGateStore(dynamo, TABLE), new DynamoDbReleaseStore(dynamo, TABLE), alarms, calendars, checks,
                ApproverGroups.none(), Clock.systemUTC());
        ImageDigest digest = ImageDigest.parse("sha256:07348c1177395e36a0630834b693a5318a854ba216a887b7c7244eefa4b0efcd");
        return gates.evaluate(new GateSubject(new ReleaseKey("payments-api", "prod", digest),
                StagingPaymentsApiWire.REGISTRY + "/payments-api@" + digest.value(), "1.4.0", now.minus(Duration.ofMinutes(5)),
                List.of(triggeredBy), GateOrigin.DEPLOY));
    }

    /** {@code news} as chatops-notify gets it from the notify queue. */
    private static String notifyBatch(ReleaseNews news) {
        ObjectNode batch = JSON.createObjectNode();
        ObjectNode record = batch.putArray("Records").addObject().put("messageId", "m-1").put("body", ReleaseNewsJson.write(news))
                .put("eventSource", "aws:sqs");
        record.putObject("attributes").put("MessageGroupId", SqsNotifier.groupOf(news.thread()));
        return batch.toString();
    }

    /** {@code user}'s click on Approve in the card of {@code approval}, through the packaged worker. */
    private Result click(String user, String approval, String trigger) throws Exception {
        return InvokeScript.run(environment(), "chatops-worker", write(trigger + ".json", QueuedSlackRequests.queued(
                QueuedSlackRequests.click(user, ApprovalCards.GATE_APPROVE, approval, trigger, LOOPBACK.baseUrl() + "/respond"))).toString());
    }

    @Test
    void postsAPipelinesNewsToItsThreadInSlack() throws Exception {
        LOOPBACK.stubFor(post(urlEqualTo("/api/chat.postMessage")).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "application/json").withBody("{\"ok\":true,\"channel\":\"C0RELEASES\",\"ts\":\"1763892000.000100\"}")));
        ReleaseNews news = ReleaseNews.PipelineChanged.of("checkout-web-release", "2f6d8b1e-4a7c-4e93-b05d-8c3a1f9e7d24", null,
                "STARTED", null, null, "eu-west-1", Instant.now());

        Result result = InvokeScript.run(environment(), "chatops-notify", write("notify-batch.json", notifyBatch(news)).toString());

        assertThat(result.exitCode()).as(result.stderr()).isZero();
        assertThat(LOOPBACK.findAll(postRequestedFor(urlEqualTo("/api/chat.postMessage")))).singleElement()
                .satisfies(post -> assertThat(post.getBodyAsString()).contains("checkout-web-release"));
    }

    private Path write(String name, String content) throws IOException {
        return Files.writeString(work.resolve(name), content);
    }

    private static MappingBuilder aws(String target) {
        return post(urlEqualTo("/")).withHeader("X-Amz-Target", equalTo(target));
    }

    private static Map<String, String> environment() throws URISyntaxException {
        Map<String, String> env = new HashMap<>();
        env.put("GANTRY_CONFIG", Path.of(ScriptsInvokeIT.class.getResource("/gantry-chatops-three-checks.yml").toURI()).toString());
        env.put("GANTRY_TABLE", TABLE);
        env.put("AWS_REGION", "eu-west-1");
        env.put("AWS_ACCESS_KEY_ID", "testaccesskey");
        env.put("AWS_SECRET_ACCESS_KEY", "test-secret-key");
        env.put("AWS_ENDPOINT_URL", LOOPBACK.baseUrl());
        env.put("AWS_ENDPOINT_URL_DYNAMODB", dynamoEndpoint);
        env.put(ChatOpsWiring.BOT_TOKEN_SECRET_ARN_ENV, SECRET_ARN);
        env.put(SlackApiUrl.ENV, LOOPBACK.baseUrl());
        return env;
    }
}
