package dev.gantry.reliability.faults;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.matching;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import dev.gantry.aws.DynamoDbReleaseThreads;
import dev.gantry.aws.ReleaseNewsJson;
import dev.gantry.aws.SqsNotifier;
import dev.gantry.aws.StateTable;
import dev.gantry.aws.lambda.LocalContext;
import dev.gantry.core.image.ImageDigest;
import dev.gantry.core.notify.ReleaseNews;
import dev.gantry.core.notify.ThreadKey;
import dev.gantry.core.release.RolloutStatus;
import dev.gantry.fn.chatops.ChatOpsNotifyHandler;
import dev.gantry.fn.chatops.HandlersFromEnvironment;
import dev.gantry.testing.Fixtures;
import dev.gantry.testing.JsonLogLines;
import dev.gantry.testing.ReliabilityFigures;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * The notify function with every call it makes failing in turn: the bot token from Secrets Manager, Slack's
 * chat.postMessage and chat.update, and every DynamoDB call of the thread store. Its news comes two ways: from the FIFO
 * notify queue (a release's deploy and rollout, one message each, one group), where a failed message and the rest of
 * its group are delivered again; and from EventBridge (a pipeline execution), where a failed invocation is retried.
 * Either way the redelivery comes minutes later (the queue's visibility timeout is six function timeouts, EventBridge
 * retries after a minute), when the delivery lease of a failed attempt has run out.
 *
 * <p>Done is one thread per release or execution: one top-level message, showing the latest state, no reply twice.
 */
class ChatOpsNotifyFaultsIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String BOT_TOKEN_ARN = "arn:aws:secretsmanager:eu-west-1:111111111111:secret:gantry/slack-bot-token-AbCdEf";
    private static final ImageDigest DIGEST = new ImageDigest("sha256:07348c1177395e36a0630834b693a5318a854ba216a887b7c7244eefa4b0efcd");
    private static final Instant DEPLOYED_AT = Instant.parse("2026-11-23T10:00:00Z");
    private static final ThreadKey RELEASE = ThreadKey.release("payments-api", DIGEST);
    private static final ThreadKey EXECUTION = ThreadKey.pipeline("checkout-web-release", "2f6d8b1e-4a7c-4e93-b05d-8c3a1f9e7d24");
    private static final String POSTED = "{\"ok\":true,\"channel\":\"C0PAYMENTS\",\"ts\":\"1763892000.000100\"}";

    private static FaultyAws aws;

    @BeforeAll
    static void start() throws Exception {
        aws = new FaultyAws();
    }

    @AfterAll
    static void stop() throws Exception {
        aws.close();
    }

    @Test
    void eachReleaseHasOneThreadShowingItsLatestStateWhateverFails() throws Exception {
        List<FaultScenario> scenarios = List.of(new QueuedReleaseNews(), new PipelineExecutionEvent());
        ImageRebuildFaultsIT.warmUp(aws, scenarios);
        FaultCampaign campaign = new FaultCampaign(aws);

        for (FaultScenario scenario : scenarios) {
            campaign.run(scenario);
        }

        assertThat(campaign.record()).isEmpty();
    }

    /**
     * The window the campaign cannot reach by failing one kind of call: Slack took the headline, and the table fails
     * from the next call on (an outage, or throttling past the client's retries), so the post is never recorded. The
     * news is not lost: the redelivery after the outage completes the thread. But it cannot know the headline was
     * posted, and posts it again: NotifyService's "one gap" of a crash between a call and its save, opened here by an
     * outage instead. This pins that it stays one extra headline and counts it; closing the gap needs the post to be
     * found again in Slack (see the report of this suite's fault part).
     */
    @Test
    void aHeadlineWhoseSaveFailsIsPostedAtMostOnceMoreAndTheThreadIsCompletedOnRedelivery() throws Exception {
        aws.reset();
        stubSlack(aws);
        aws.server.stubFor(post(urlEqualTo("/api/chat.postMessage")).atPriority(1).inScenario("outage after the post")
                .whenScenarioStateIs(Scenario.STARTED).willSetStateTo("table down")
                .willReturn(aResponse().withStatus(200).withHeader("Content-Type", "application/json").withBody(POSTED)));
        aws.server.stubFor(any(urlEqualTo("/")).atPriority(1).withHeader("X-Amz-Target", matching("DynamoDB_20120810\\..*"))
                .inScenario("outage after the post").whenScenarioStateIs("table down")
                .willReturn(Fault.SERVICE_UNAVAILABLE.response(Operation.Protocol.AWS_JSON, FaultyAws.READ_TIMEOUT_MS)));
        Map<String, String> environment = aws.environment(aws.freshTable());
        QueuedReleaseNews news = new QueuedReleaseNews();

        String failure = null;
        try {
            news.invoke(environment);
        } catch (QueueDeliversAgain e) {
            failure = e.getMessage();
        }
        aws.heal();
        news.invoke(environment);

        var thread = new DynamoDbReleaseThreads(aws.dynamo, environment.get("GANTRY_TABLE")).find(RELEASE);
        long headlines = posts(aws).stream().filter(p -> !p.has("thread_ts")).count();
        boolean completed = thread.isPresent() && thread.get().delivered();
        ReliabilityFigures.add(FaultCampaign.PART, "faults injected", 1);
        ReliabilityFigures.add(FaultCampaign.PART, "faults survived", completed ? 1 : 0);
        ReliabilityFigures.add(FaultCampaign.PART, ReliabilityFigures.LOST_EVENTS, completed ? 0 : 1);
        ReliabilityFigures.add(FaultCampaign.PART, "headlines posted twice", headlines - 1);
        assertThat(failure).as("the delivery under the outage fails, naming the table").contains("saving thread");
        assertThat(completed).as("the thread shows all of its news after the redelivery: %s", thread).isTrue();
        assertThat(headlines).as("top-level messages of the thread").isBetween(1L, 2L);
    }

    static Map<String, String> notifyEnvironment(Map<String, String> environment) {
        Map<String, String> notify = new HashMap<>(environment);
        notify.put("GANTRY_SLACK_BOT_TOKEN_SECRET_ARN", BOT_TOKEN_ARN);
        notify.put("GANTRY_SLACK_API_URL", aws.endpoint());
        return notify;
    }

    static void stubSlack(FaultyAws aws) {
        aws.server.stubFor(post(urlEqualTo("/api/chat.postMessage"))
                .willReturn(aResponse().withStatus(200).withHeader("Content-Type", "application/json").withBody(POSTED)));
        aws.server.stubFor(post(urlEqualTo("/api/chat.update"))
                .willReturn(aResponse().withStatus(200).withHeader("Content-Type", "application/json").withBody(POSTED)));
        aws.server.stubFor(post(urlEqualTo("/")).withHeader("X-Amz-Target", equalTo("secretsmanager.GetSecretValue"))
                .willReturn(aResponse().withStatus(200).withHeader("Content-Type", "application/x-amz-json-1.1")
                        .withBody("{\"ARN\":\"" + BOT_TOKEN_ARN + "\",\"Name\":\"gantry/slack-bot-token\",\"SecretString\":\"test-bot-token-not-real\"}")));
    }

    /** The chat.postMessage calls Slack took, as sent: a headline has no {@code thread_ts}, a reply has. */
    static List<JsonNode> posts(FaultyAws aws) {
        List<JsonNode> posts = new ArrayList<>();
        for (ServeEvent event : aws.server.getAllServeEvents()) {
            if (event.getRequest().getUrl().equals("/api/chat.postMessage") && event.getResponse() != null
                    && event.getResponse().getStatus() == 200 && event.getResponseDefinition().getFault() == null
                    && event.getResponseDefinition().getFixedDelayMilliseconds() == null) {
                try {
                    posts.add(JSON.readTree(event.getRequest().getBodyAsString()));
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        }
        return posts;
    }

    /** What is missing from {@code thread} being told once and in full. */
    static List<String> oneThreadShowingAll(FaultyAws aws, Map<String, String> environment, ThreadKey thread) {
        List<String> missing = new ArrayList<>();
        var stored = new DynamoDbReleaseThreads(aws.dynamo, environment.get("GANTRY_TABLE")).find(thread);
        if (stored.isEmpty() || !stored.get().delivered() || stored.get().rejected() != null) {
            missing.add("thread " + thread.describe() + " is " + stored.map(s -> "stored with headline " + s.headlineTs() + ", shown revision "
                    + s.shownRevision() + " of " + s.state().revision() + ", " + s.state().pendingReplies().size() + " replies pending, rejected "
                    + s.rejected()).orElse("not stored"));
        }
        List<JsonNode> posts = posts(aws);
        long headlines = posts.stream().filter(p -> !p.has("thread_ts")).count();
        if (headlines != 1) {
            missing.add(headlines + " top-level messages for thread " + thread.describe() + ", not one");
        }
        List<String> replies = posts.stream().filter(p -> p.has("thread_ts")).map(p -> p.path("text").asText()).toList();
        if (replies.stream().distinct().count() != replies.size()) {
            missing.add("a reply was posted twice: " + replies);
        }
        return missing;
    }

    /**
     * Plays the minutes before a redelivery: the delivery lease a failed attempt may have kept (when it could not give
     * it up) has run out.
     */
    static void leaseRanOut(Map<String, String> environment, ThreadKey thread) {
        String table = environment.get("GANTRY_TABLE");
        Map<String, AttributeValue> key = Map.of(StateTable.PARTITION_KEY, AttributeValue.fromS("THREAD#" + thread.kind() + "#" + thread.name()),
                StateTable.SORT_KEY, AttributeValue.fromS(thread.id()));
        if (aws.dynamo.getItem(r -> r.tableName(table).key(key).consistentRead(true)).item().containsKey("leaseUntil")) {
            aws.dynamo.updateItem(r -> r.tableName(table).key(key).updateExpression("SET leaseUntil = :past")
                    .expressionAttributeValues(Map.of(":past", AttributeValue.fromS(Instant.now().minusSeconds(1).toString()))));
        }
    }

    private static Map<String, String> warmEnvironment;
    private static ChatOpsNotifyHandler warmHandler;

    /** One function instance per environment: a redelivery mostly meets the warm instance that failed it. */
    static ChatOpsNotifyHandler handler(Map<String, String> environment) {
        if (environment != warmEnvironment) {
            warmHandler = HandlersFromEnvironment.notify(notifyEnvironment(environment));
            warmEnvironment = environment;
        }
        return warmHandler;
    }

    static JsonNode invoke(ChatOpsNotifyHandler handler, String event, List<String> logged) throws IOException {
        ByteArrayOutputStream output = new ByteArrayOutputStream();
        try (JsonLogLines log = JsonLogLines.capture()) {
            try {
                handler.handleRequest(new ByteArrayInputStream(event.getBytes(StandardCharsets.UTF_8)), output,
                        new LocalContext("gantry-chatops-notify", 60_000));
            } finally {
                log.lines().stream().filter(line -> line.path("level").asText().matches("ERROR|WARN"))
                        .forEach(line -> logged.add(line.path("message").asText()));
            }
        }
        return JSON.readTree(output.toByteArray());
    }

    /** payments-api 1.4.0 deployed to staging and its rollout completed: two news of one thread, on the FIFO queue. */
    private static final class QueuedReleaseNews implements FaultScenario {

        private static final List<ReleaseNews> NEWS = List.of(
                new ReleaseNews.DeployStarted("deploy/payments-api/staging/07348c117739", DEPLOYED_AT, "payments-api", "staging", DIGEST,
                        "1.4.0", "1.3.0", null, List.of("app: payments-api:1.3.0 -> payments-api:1.4.0@sha256:07348c117739"),
                        List.of("U0RELEASER"), EcsDeployFaultsIT.NEW_ARN, EcsDeployFaultsIT.RUNNING_ARN, "111111111111", "eu-west-1",
                        "staging", "payments-api"),
                new ReleaseNews.RolloutChanged("rollout/payments-api/staging/07348c117739/COMPLETED", DEPLOYED_AT.plusSeconds(240),
                        "payments-api", "staging", DIGEST, RolloutStatus.COMPLETED, null));

        /** The messages still on the queue, per environment: after a delivery, those it reported failed. */
        private final Map<String, List<Integer>> queued = new HashMap<>();

        @Override
        public String name() {
            return "chatops-notify: payments-api 1.4.0 deployed and rolled out in staging, from the notify queue";
        }

        @Override
        public void stubServices(FaultyAws aws) {
            stubSlack(aws);
        }

        @Override
        public void invoke(Map<String, String> environment) throws Exception {
            String table = environment.get("GANTRY_TABLE");
            if (queued.containsKey(table)) {
                leaseRanOut(environment, RELEASE);
            }
            List<Integer> left = queued.computeIfAbsent(table, t -> List.of(0, 1));
            ObjectNode batch = JSON.createObjectNode();
            ArrayNode records = batch.putArray("Records");
            for (int i : left) {
                ObjectNode record = records.addObject().put("messageId", "news-" + i).put("body", ReleaseNewsJson.write(NEWS.get(i)))
                        .put("eventSource", "aws:sqs");
                record.putObject("attributes").put("MessageGroupId", SqsNotifier.groupOf(NEWS.get(i).thread()));
            }
            ChatOpsNotifyHandler handler = handler(environment);
            List<String> logged = new ArrayList<>();
            JsonNode answer = ChatOpsNotifyFaultsIT.invoke(handler, batch.toString(), logged);
            List<Integer> failed = new ArrayList<>();
            answer.path("batchItemFailures").forEach(f -> failed.add(Integer.parseInt(f.path("itemIdentifier").asText().substring("news-".length()))));
            queued.put(table, failed);
            if (!failed.isEmpty()) {
                throw new QueueDeliversAgain("messages " + failed + " reported in batchItemFailures, the queue delivers them again: "
                        + String.join(" | ", logged));
            }
        }

        @Override
        public List<String> missing(FaultyAws aws, Map<String, String> environment) {
            return oneThreadShowingAll(aws, environment, RELEASE);
        }

        @Override
        public List<String> exactlyOnce() {
            return List.of();
        }
    }

    /** checkout-web-release's execution succeeded, as EventBridge delivers it: its thread posted once. */
    private static final class PipelineExecutionEvent implements FaultScenario {

        private final Set<String> delivered = new HashSet<>();


        @Override
        public String name() {
            return "chatops-notify: checkout-web-release execution succeeded, from EventBridge";
        }

        @Override
        public void stubServices(FaultyAws aws) {
            stubSlack(aws);
        }

        @Override
        public void invoke(Map<String, String> environment) throws Exception {
            String table = environment.get("GANTRY_TABLE");
            if (!delivered.add(table)) {
                leaseRanOut(environment, EXECUTION);
            }
            ChatOpsNotifyHandler handler = handler(environment);
            ChatOpsNotifyFaultsIT.invoke(handler, Fixtures.eventText("gantry-codepipeline-execution-succeeded-checkout-web-release.json"),
                    new ArrayList<>());
        }

        @Override
        public List<String> missing(FaultyAws aws, Map<String, String> environment) {
            return oneThreadShowingAll(aws, environment, EXECUTION);
        }

        @Override
        public List<String> exactlyOnce() {
            return List.of();
        }
    }

    /** The notify function reported messages failed: the queue delivers them again. */
    static final class QueueDeliversAgain extends Exception {
        QueueDeliversAgain(String message) {
            super(message);
        }
    }
}
