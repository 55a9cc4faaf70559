package dev.gantry.reliability.slack;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;

import com.amazonaws.services.dynamodbv2.local.embedded.DynamoDBEmbedded;
import com.amazonaws.services.dynamodbv2.local.shared.access.AmazonDynamoDBLocal;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.MappingBuilder;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.extension.ResponseDefinitionTransformerV2;
import com.github.tomakehurst.wiremock.http.ResponseDefinition;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
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
import dev.gantry.core.chatops.ApprovalRequests;
import dev.gantry.core.chatops.ChatOpsService;
import dev.gantry.core.chatops.ChatPermissions;
import dev.gantry.core.chatops.PendingApproval;
import dev.gantry.core.chatops.PipelineApprovalNotice;
import dev.gantry.core.config.ConfigLoader;
import dev.gantry.core.config.GantryConfig;
import dev.gantry.core.deploy.DeployService;
import dev.gantry.core.gate.ApproverGroups;
import dev.gantry.core.gate.GateOrigin;
import dev.gantry.core.gate.GateRecord;
import dev.gantry.core.gate.GateService;
import dev.gantry.core.gate.GateSubject;
import dev.gantry.core.image.ImageDigest;
import dev.gantry.core.release.ReleaseKey;
import dev.gantry.fn.chatops.HandlersFromParts;
import dev.gantry.fn.interactions.InteractionsHandlers;
import dev.gantry.reliability.harness.SqsSendMessageAnswer;
import dev.gantry.slack.SlackApproverGroups;
import dev.gantry.slack.SlackWebApi;
import dev.gantry.testing.Fixtures;
import dev.gantry.testing.InMemoryAlarmStates;
import dev.gantry.testing.InMemoryChangeCalendars;
import dev.gantry.testing.InMemoryCustomChecks;
import dev.gantry.testing.MutableClock;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicLong;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.codepipeline.CodePipelineClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * Slack's way into Gantry end to end: {@code slack-interactions} behind its Function URL, reading the signing secret
 * from Secrets Manager and handing requests to SQS; whatever it queued delivered to the ChatOps worker as Lambda's SQS
 * poller would; the worker's state in DynamoDB Local through the real adapters, CodePipeline, the Slack Web API, user
 * groups and every {@code response_url} on loopback servers.
 *
 * <p>{@link #deliver} sends one request through all of it and reports everything it changed: what was queued, what
 * CodePipeline and Slack were told, and every item of the state table written, so a test can tell a refusal from an
 * effect. State starts empty in each {@link #freshState()}, which keeps that comparison small.
 *
 * <p>The workspace ({@code T0GANTRY1}, app {@code A0GANTRY1}) and its people:
 * <ul>
 *   <li>{@link #OPS}: may pin and veto payments-api's releases, freeze staging, and decide CodePipeline approvals</li>
 *   <li>{@link #REVIEWER}: decides CodePipeline approvals through the user group {@code S0REVIEWRS}</li>
 *   <li>{@link #APPROVER_1}, {@link #APPROVER_2}, {@link #DEV}: the production gate's approvers by id;
 *       {@link #GROUP_APPROVER} through the group {@code S0APPROVE}. DEV pushes as dev@example.com</li>
 *   <li>{@link #CHECKOUT_APPROVER}: checkout-web's gate's only approver</li>
 *   <li>{@link #STRANGER}: in the workspace, named nowhere</li>
 * </ul>
 */
final class ChatOpsLoopback implements AutoCloseable {

    static final String TEAM = "T0GANTRY1";
    static final String APP = "A0GANTRY1";
    static final String CHANNEL = "C0RELEASES";
    static final String OPS = "U0OPS0001";
    static final String REVIEWER = "U0REVIEW1";
    static final String APPROVER_1 = "U0APPR001";
    static final String APPROVER_2 = "U0APPR002";
    static final String GROUP_APPROVER = "U0APPR003";
    static final String DEV = "U0DEV0001";
    static final String DEV_EMAIL = "dev@example.com";
    static final String CHECKOUT_APPROVER = "U0CHKAPPR";
    static final String STRANGER = "U0STRANGE";

    static final GantryConfig CONFIG = ConfigLoader.parse("""
            version: 1
            slack:
              defaultChannel: "#releases"
              teamId: T0GANTRY1
              appId: A0GANTRY1
              people:
                U0DEV0001: [dev@example.com]
              permissions:
                pipelineApprovals: [U0OPS0001, S0REVIEWRS]
            services:
              - name: payments-api
                repository: payments-api
                tagPolicy: { semver: ">=1.0.0" }
                environments:
                  - name: staging
                    account: "111111111111"
                    region: eu-west-1
                    cluster: staging
                    service: payments-api
                    permissions: { pin: [U0OPS0001], veto: [U0OPS0001], freeze: [U0OPS0001] }
                  - name: prod
                    account: "111111111111"
                    region: eu-west-1
                    cluster: prod
                    service: payments-api
                    gate: production
                    permissions: { pin: [U0OPS0001], veto: [U0OPS0001] }
              - name: checkout-web
                repository: checkout-web
                tagPolicy: { glob: "release-*" }
                environments:
                  - name: prod
                    account: "111111111111"
                    region: eu-west-1
                    cluster: prod
                    service: checkout-web
                    gate: checkout-production
            gates:
              - name: production
                approvals: { required: 2, users: [U0APPR001, U0APPR002, U0DEV0001], groups: [S0APPROVE] }
                timeout: 4h
              - name: checkout-production
                approvals: { required: 1, users: [U0CHKAPPR] }
                timeout: 4h
            """, "gantry.yml");

    static final String SECRET_ARN = "arn:aws:secretsmanager:eu-west-1:111111111111:secret:gantry/slack-signing-AbCdEf";
    static final String QUEUE = "https://sqs.eu-west-1.amazonaws.com/111111111111/gantry-chatops-requests";
    static final String REGISTRY = "111111111111.dkr.ecr.eu-west-1.amazonaws.com";

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Map<String, List<String>> GROUPS = Map.of("S0APPROVE", List.of(GROUP_APPROVER), "S0REVIEWRS", List.of(REVIEWER));
    private static final String AUDIT_PREFIX = "AUDIT";
    private static final String SQS_SEND_MESSAGE = "AmazonSQS.SendMessage";

    final MutableClock clock = MutableClock.at("2026-11-23T10:00:00Z");
    private final WireMockServer aws = new WireMockServer(options().dynamicPort().bindAddress("127.0.0.1")
            .extensions(new SqsSendMessageAnswer()));
    private final WireMockServer slack = new WireMockServer(options().dynamicPort().bindAddress("127.0.0.1")
            .extensions(new SlackPostMessageAnswer()));
    private final AmazonDynamoDBLocal dynamoLocal = DynamoDBEmbedded.create();
    private final DynamoDbClient dynamo = dynamoLocal.dynamoDbClient();
    private final CodePipelineClient codePipeline;
    private final ByteArrayOutputStream endpointLog = new ByteArrayOutputStream();
    private RequestStreamHandler interactions;
    private final SlackWebApi chat;
    private final AtomicLong sequence = new AtomicLong();
    private String table;
    private RequestStreamHandler worker;
    private ApprovalRequests approvalRequests;
    private GateService gates;

    ChatOpsLoopback() {
        aws.start();
        slack.start();
        StaticCredentialsProvider credentials =
                StaticCredentialsProvider.create(AwsBasicCredentials.create("testaccesskey", "test-secret-key"));
        codePipeline = CodePipelineClient.builder().endpointOverride(URI.create(aws.baseUrl())).region(Region.EU_WEST_1)
                .credentialsProvider(credentials).httpClient(UrlConnectionHttpClient.create())
                .overrideConfiguration(c -> c.retryStrategy(AwsRetryStrategy.doNotRetry())).build();
        chat = new SlackWebApi(() -> "test-bot-token-not-real", URI.create(slack.baseUrl()),
                new SlackWebApi.RetryPolicy(0, Duration.ZERO, 1, Duration.ofMillis(1), Duration.ofMillis(1), Duration.ofSeconds(2)),
                duration -> { });
        aws.stubFor(sqs().willReturn(SqsSendMessageAnswer.answer()));
        aws.stubFor(JsonProtocolWire.CODEPIPELINE.operation("PutApprovalResult")
                .willReturn(JsonProtocolWire.json("{\"approvedAt\":1795428000}")));
        slack.stubFor(post(urlEqualTo("/api/chat.postMessage")).willReturn(aResponse().withTransformers(SlackPostMessageAnswer.NAME)));
        slack.stubFor(post(urlEqualTo("/api/chat.update")).willReturn(slackOk("{\"ok\":true}")));
        GROUPS.forEach((group, members) -> slack.stubFor(get(urlPathEqualTo("/api/usergroups.users.list"))
                .withQueryParam("usergroup", equalTo(group))
                .willReturn(slackOk(JSON.createObjectNode().put("ok", true).set("users", JSON.valueToTree(members)).toString()))));
        slack.stubFor(post(urlPathMatching("/respond/.*")).willReturn(aResponse().withStatus(200).withBody("ok")));
        reset();
    }

    /**
     * As after a deploy: {@link SlackRequests#SIGNING_SECRET} stored, {@code slack-interactions} cold (it reads the
     * secret on its first request), the state table empty.
     */
    void reset() {
        storedSecret(SlackRequests.SIGNING_SECRET);
        interactions = InteractionsHandlers.fromParts(Map.of("AWS_REGION", "eu-west-1", "AWS_ACCESS_KEY_ID", "testaccesskey",
                "AWS_SECRET_ACCESS_KEY", "test-secret-key", "AWS_SESSION_TOKEN", "test-session-token", "AWS_ENDPOINT_URL", aws.baseUrl()),
                SECRET_ARN, QUEUE, new PrintStream(endpointLog, true, StandardCharsets.UTF_8), clock);
        freshState();
    }

    /** What Secrets Manager holds as the signing secret from now on; the function reads it again once its cache expires. */
    void storedSecret(String value) {
        aws.stubFor(post(urlEqualTo("/")).withHeader("X-Amz-Target", equalTo("secretsmanager.GetSecretValue"))
                .willReturn(aResponse().withStatus(200).withHeader("Content-Type", "application/x-amz-json-1.1")
                        .withBody(JSON.createObjectNode().put("ARN", SECRET_ARN).put("Name", "gantry/slack-signing")
                                .put("SecretString", value).toString())));
    }

    /** An empty state table, and the worker and the approval cards on it. */
    void freshState() {
        if (table != null) {
            dynamo.deleteTable(r -> r.tableName(table));
        }
        table = "gantry-state-" + sequence.incrementAndGet();
        StateTable.createIfMissing(dynamo, table);
        ApproverGroups groups = new SlackApproverGroups(() -> "test-bot-token-not-real", URI.create(slack.baseUrl()), clock);
        DynamoDbReleaseStore releases = new DynamoDbReleaseStore(dynamo, table);
        DynamoDbDeployControls controls = new DynamoDbDeployControls(dynamo, table);
        DynamoDbGateStore gateStore = new DynamoDbGateStore(dynamo, table);
        DynamoDbManualFreezes freezes = new DynamoDbManualFreezes(dynamo, table);
        DynamoDbPendingApprovals pending = new DynamoDbPendingApprovals(dynamo, table);
        gates = new GateService(CONFIG, gateStore, releases, new InMemoryAlarmStates(), new InMemoryChangeCalendars(),
                new InMemoryCustomChecks(), groups, clock).withManualFreezes(freezes);
        DeployService deploys = new DeployService(CONFIG, new SdkEcsGateway(EcsWire.client(aws)), releases, controls, clock)
                .withGates(gates);
        ChatOpsService chatOps = ChatOpsService.builder()
                .config(CONFIG)
                .clock(clock)
                .groups(groups)
                .ledger(new DynamoDbChatRequestLedger(dynamo, table))
                .audit(new DynamoDbAuditLog(dynamo, table))
                .deploys(deploys)
                .controls(controls)
                .releases(releases)
                .registry(new SdkImageRegistry(region -> {
                    throw new IllegalStateException("no command in these tests looks a tag up");
                }))
                .gates(gates, gateStore)
                .freezes(freezes)
                .pendingApprovals(pending)
                .pipelineApprovals(new SdkPipelineApprovals(codePipeline))
                .build();
        worker = HandlersFromParts.worker(chatOps, chat);
        approvalRequests = new ApprovalRequests(CONFIG, pending, chat, new ChatPermissions(CONFIG, groups), clock);
    }

    /** A CodePipeline manual approval's card, posted: the AWS sample, run again with a token of its own. */
    PendingApproval pipelineCard() {
        PipelineApprovalNotice sample = PipelineApprovalNotice.parse(Fixtures.eventText("codepipeline-manual-approval-sns-message.json"));
        PipelineApprovalNotice notice = new PipelineApprovalNotice(sample.region(), sample.consoleLink(), sample.pipeline(), sample.stage(),
                sample.action(), "1a2b3c4d-573f-4ea7-a67e-" + String.format("%012d", sequence.incrementAndGet()),
                clock.instant().plus(Duration.ofDays(3)), sample.externalEntityLink(), sample.approvalReviewLink(), sample.customData());
        return approvalRequests.requestPipelineApproval(notice, null);
    }

    /** A new release of {@code service} waiting at its prod gate, set going by {@code triggeredBy}, and its card, posted. */
    PendingApproval gateCard(String service, List<String> triggeredBy) {
        ImageDigest digest = freshDigest();
        GateRecord record = gates.evaluate(new GateSubject(new ReleaseKey(service, "prod", digest),
                REGISTRY + "/" + service + "@" + digest.value(), "1.4." + sequence.get(), clock.instant(), triggeredBy, GateOrigin.DEPLOY,
                "push-" + sequence.incrementAndGet()));
        return approvalRequests.requestGateApproval(record, List.of());
    }

    GateRecord gateOf(PendingApproval card) {
        return gates.find(card.gate().key()).orElseThrow();
    }

    ImageDigest freshDigest() {
        String seed = String.format("%016x", sequence.incrementAndGet() * 0x9E3779B97F4A7C15L);
        return ImageDigest.parse("sha256:" + seed.repeat(4));
    }

    /** Where the answer to one request goes: a path of its own, so replies are told apart. */
    String responseUrl() {
        return slack.baseUrl() + "/respond/" + sequence.incrementAndGet();
    }

    /** Slack's id of one interaction, new each time as Slack's are. */
    String triggerId() {
        long n = sequence.incrementAndGet();
        return n + ".1000000000003." + String.format("%032x", n);
    }

    /**
     * Sends one Function URL event to {@code slack-interactions}, delivers what it queued to the worker, and reports what
     * came of it.
     */
    Delivery deliver(String event) {
        Map<String, Map<String, AttributeValue>> before = items();
        aws.resetRequests();
        slack.resetRequests();
        endpointLog.reset();
        JsonNode answer = invoke(interactions, event, "slack-interactions", 3_000);
        List<String> queued = aws.findAll(postRequestedFor(urlEqualTo("/")).withHeader("X-Amz-Target", equalTo(SQS_SEND_MESSAGE))).stream()
                .map(r -> readJson(r.getBodyAsString()).path("MessageBody").asText())
                .toList();
        List<String> workerFailures = new ArrayList<>();
        for (String body : queued) {
            JsonNode handled = invoke(worker, sqsBatch(body), "chatops-worker", 60_000);
            handled.path("batchItemFailures").forEach(f -> workerFailures.add(f.path("itemIdentifier").asText()));
        }
        List<Reply> replies = slack.findAll(postRequestedFor(urlPathMatching("/respond/.*"))).stream()
                .map(r -> Reply.of(r.getUrl(), readJson(r.getBodyAsString())))
                .toList();
        int slackCalls = slack.findAll(postRequestedFor(urlPathMatching("/api/.*"))).size();
        int pipelineDecisions = JsonProtocolWire.CODEPIPELINE.logged(aws, "PutApprovalResult").size();
        String lastLogged = endpointLog.toString(StandardCharsets.UTF_8).lines().reduce((first, last) -> last).orElse(null);
        return new Delivery(answer.path("statusCode").asInt(), answer.path("body").asText(),
                lastLogged == null ? null : readJson(lastLogged).path("message").asText(), queued.size(), workerFailures, replies, slackCalls,
                pipelineDecisions, changes(before, items()));
    }

    /** The state table's items by key. */
    private Map<String, Map<String, AttributeValue>> items() {
        Map<String, Map<String, AttributeValue>> items = new TreeMap<>();
        dynamo.scanPaginator(r -> r.tableName(table).consistentRead(true)).items()
                .forEach(item -> items.put(item.get(StateTable.PARTITION_KEY).s() + " " + item.get(StateTable.SORT_KEY).s(), item));
        return items;
    }

    /** Every item written between two looks, but for audit entries of a refusal: recording a refusal is how one is meant to end. */
    private static List<String> changes(Map<String, Map<String, AttributeValue>> before, Map<String, Map<String, AttributeValue>> after) {
        TreeSet<String> keys = new TreeSet<>(before.keySet());
        keys.addAll(after.keySet());
        List<String> changes = new ArrayList<>();
        for (String key : keys) {
            Map<String, AttributeValue> was = before.get(key);
            Map<String, AttributeValue> is = after.get(key);
            if (Objects.equals(was, is)) {
                continue;
            }
            boolean refusalRecorded = was == null && key.startsWith(AUDIT_PREFIX) && is.containsKey("outcome")
                    && "REFUSED".equals(is.get("outcome").s());
            if (!refusalRecorded) {
                changes.add((was == null ? "added " : is == null ? "removed " : "changed ") + key);
            }
        }
        return changes;
    }

    /** An SQS batch of one, as Lambda's poller delivers the request queue's messages. */
    private String sqsBatch(String body) {
        ObjectNode batch = JSON.createObjectNode();
        ObjectNode record = batch.putArray("Records").addObject();
        record.put("messageId", "m-" + sequence.incrementAndGet()).put("receiptHandle", "test-receipt-handle").put("body", body);
        record.putObject("attributes").put("ApproximateReceiveCount", "1").put("SentTimestamp", Long.toString(clock.millis()));
        record.putObject("messageAttributes");
        record.put("md5OfBody", SqsSendMessageAnswer.bodyMd5(body)).put("eventSource", "aws:sqs")
                .put("eventSourceARN", "arn:aws:sqs:eu-west-1:111111111111:gantry-chatops-requests").put("awsRegion", "eu-west-1");
        return batch.toString();
    }

    private static JsonNode invoke(RequestStreamHandler handler, String event, String function, int timeoutMillis) {
        ByteArrayOutputStream output = new ByteArrayOutputStream();
        try {
            handler.handleRequest(new ByteArrayInputStream(event.getBytes(StandardCharsets.UTF_8)), output,
                    new LocalContext(function, timeoutMillis));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return readJson(output.toString(StandardCharsets.UTF_8));
    }

    private static MappingBuilder sqs() {
        return post(urlEqualTo("/")).withHeader("X-Amz-Target", equalTo(SQS_SEND_MESSAGE));
    }

    private static ResponseDefinitionBuilder slackOk(String body) {
        return aResponse().withStatus(200).withHeader("Content-Type", "application/json").withBody(body);
    }

    private static JsonNode readJson(String json) {
        try {
            return JSON.readTree(json);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        codePipeline.close();
        dynamo.close();
        dynamoLocal.shutdown();
        slack.stop();
        aws.stop();
    }

    /**
     * What came of one request.
     *
     * @param status the Function URL's answer
     * @param answer the answer's body
     * @param refusalLogged the message of the endpoint's last log line; null when it logged nothing
     * @param queued messages handed to the worker's queue
     * @param workerFailures messages the worker reported failed (the queue would deliver them again)
     * @param replies what was sent to the request's {@code response_url}
     * @param slackCalls Web API calls that post or change a message
     * @param pipelineDecisions PutApprovalResult calls
     * @param stateChanges items of the state table written, refusals' audit entries aside
     */
    record Delivery(int status, String answer, String refusalLogged, int queued, List<String> workerFailures, List<Reply> replies,
            int slackCalls, int pipelineDecisions, List<String> stateChanges) {

        /**
         * Everything that changed anything, but a reply only the person who asked sees. The hand-over to the worker
         * counts unless the request was expected to get that far: the endpoint cannot authorize, only check the
         * signature.
         */
        int sideEffects(boolean handOverExpected) {
            int effects = (handOverExpected ? 0 : queued) + workerFailures.size() + slackCalls + pipelineDecisions + stateChanges.size();
            for (Reply reply : replies) {
                effects += reply.onlyToTheAsker() ? 0 : 1;
            }
            return effects;
        }

        @Override
        public String toString() {
            return "HTTP " + status + " " + answer + (refusalLogged == null ? "" : " logged '" + refusalLogged + "'") + ", queued "
                    + queued + ", worker failures " + workerFailures + ", replies " + replies + ", Slack calls " + slackCalls
                    + ", pipeline decisions " + pipelineDecisions + ", state changes " + stateChanges;
        }
    }

    /** One answer sent to a {@code response_url}. */
    record Reply(String path, String text, boolean ephemeral, boolean replaceOriginal) {

        static Reply of(String path, JsonNode body) {
            StringBuilder text = new StringBuilder(body.path("text").asText());
            // The text is the notification's fallback; the blocks are what the person reads.
            body.path("blocks").forEach(block -> text.append('\n').append(block.path("text").path("text").asText()));
            return new Reply(path, text.toString(), "ephemeral".equals(body.path("response_type").asText()),
                    body.path("replace_original").asBoolean());
        }

        boolean onlyToTheAsker() {
            return ephemeral && !replaceOriginal;
        }
    }

    /** Slack's answer to chat.postMessage: where the message went, with a timestamp of its own as each message has. */
    private static final class SlackPostMessageAnswer implements ResponseDefinitionTransformerV2 {

        static final String NAME = "slack-post-message";
        private final AtomicLong messages = new AtomicLong(100);

        @Override
        public ResponseDefinition transform(ServeEvent serveEvent) {
            String ts = "1795428000." + String.format("%06d", messages.incrementAndGet());
            return ResponseDefinitionBuilder.responseDefinition().withStatus(200).withHeader("Content-Type", "application/json")
                    .withBody(JSON.createObjectNode().put("ok", true).put("channel", CHANNEL).put("ts", ts).toString()).build();
        }

        @Override
        public String getName() {
            return NAME;
        }

        @Override
        public boolean applyGlobally() {
            return false;
        }
    }
}
