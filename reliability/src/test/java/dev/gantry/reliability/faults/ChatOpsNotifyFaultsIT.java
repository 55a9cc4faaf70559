package dev.gantry.reliability.faults;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.matching;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
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
import java.net.InetAddress;
import java.net.InetSocketAddress;
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
 * chat.postMessage and chat.update, and every DynamoDB call of the thread store; and, where a headline's post may have
 * gone through unrecorded, the lookup that finds it again (users.conversations, conversations.history). Its news comes
 * two ways, as deployed: from the FIFO notify queue (a release's deploy and rollout, one message each, one group), where
 * a failed message and the rest of its group are delivered again; and from the event queue, where EventBridge puts AWS's
 * events (a pipeline execution), and a failed message is delivered again. Either way the redelivery comes minutes later
 * (both queues' visibility timeout is six function timeouts), when the delivery lease of a failed attempt has run out.
 *
 * <p>Slack is one channel here, whose history is what chat.postMessage took, with the metadata it was sent.
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
    private static HttpServer history;

    @BeforeAll
    static void start() throws Exception {
        aws = new FaultyAws();
        history = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        history.createContext("/api/conversations.history", ChatOpsNotifyFaultsIT::answerHistory);
        history.start();
    }

    @AfterAll
    static void stop() throws Exception {
        history.stop(0);
        aws.close();
    }

    /** conversations.history as Slack would answer it: the top-level messages chat.postMessage took, newest first. */
    private static void answerHistory(HttpExchange exchange) throws IOException {
        ObjectNode answer = JSON.createObjectNode().put("ok", true).put("has_more", false);
        ArrayNode messages = answer.putArray("messages");
        List<ServeEvent> events = new ArrayList<>(aws.server.getAllServeEvents());
        for (ServeEvent event : events) {
            if (taken(event)) {
                JsonNode sent = JSON.readTree(event.getRequest().getBodyAsString());
                if (!sent.has("thread_ts")) {
                    ObjectNode message = messages.addObject().put("type", "message").put("bot_id", "B0GANTRY")
                            .put("ts", JSON.readTree(event.getResponse().getBodyAsString()).path("ts").asText())
                            .put("text", sent.path("text").asText());
                    if (sent.has("metadata")) {
                        message.set("metadata", sent.get("metadata"));
                    }
                }
            }
        }
        byte[] body = answer.toString().getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", "application/json; charset=utf-8");
        exchange.sendResponseHeaders(200, body.length);
        try (var out = exchange.getResponseBody()) {
            out.write(body);
        }
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
     * from the next call on (an outage, or throttling past the client's retries), so the post is never recorded, nor the
     * lease given up. The redelivery after the outage finds the message by the marker it carries and takes it as the
     * thread's headline: one top-level message, under every fault, by either way in. Then the same with the lookup
     * itself failing on the first redelivery: that delivery fails naming the call and posts nothing, and the next one
     * completes the thread.
     */
    @Test
    void aHeadlineWhoseSaveFailsIsFoundAgainAndNeverPostedTwice() throws Exception {
        List<FaultScenario> scenarios = List.of(new QueuedReleaseNews(), new PipelineExecutionEvent());
        List<Operation> lookups = List.of(slackOperation("users.conversations"), slackOperation("conversations.history"));
        List<String> findings = new ArrayList<>();
        long cases = 0;
        long completed = 0;
        long headlinesTwice = 0;
        int rotation = 0;
        for (FaultScenario scenario : scenarios) {
            for (Fault tableFault : faults(rotation++)) {
                Outcome outcome = tableDownOnceSlackTookTheHeadline(scenario, tableFault, null, null);
                cases++;
                completed += outcome.missing().isEmpty() ? 1 : 0;
                headlinesTwice += Math.max(0, outcome.headlines() - 1);
                outcome.problems().forEach(findings::add);
            }
            for (Operation lookup : lookups) {
                for (Fault lookupFault : faults(rotation++)) {
                    Outcome outcome = tableDownOnceSlackTookTheHeadline(scenario, Fault.SERVICE_UNAVAILABLE, lookup, lookupFault);
                    cases++;
                    completed += outcome.missing().isEmpty() ? 1 : 0;
                    headlinesTwice += Math.max(0, outcome.headlines() - 1);
                    outcome.problems().forEach(findings::add);
                }
            }
        }

        ReliabilityFigures.add(FaultCampaign.PART, "faults injected", cases);
        ReliabilityFigures.add(FaultCampaign.PART, "faults survived", completed);
        ReliabilityFigures.add(FaultCampaign.PART, ReliabilityFigures.LOST_EVENTS, cases - completed);
        ReliabilityFigures.add(FaultCampaign.PART, "headlines posted twice", headlinesTwice);
        System.out.println(FaultCampaign.PART + ": " + cases + " headlines whose save failed, " + completed + " threads completed, "
                + headlinesTwice + " headlines posted twice");
        assertThat(findings).isEmpty();
        assertThat(headlinesTwice).as("headlines posted twice").isZero();
    }

    /**
     * The bot token rotated while a warm function holds the old one: Slack refuses that one, and the function reads the
     * secret again at once and tells the news with the new token. Nothing is reported failed, nothing is rejected.
     */
    @Test
    void aBotTokenRotatedUnderAWarmFunctionIsReadAgainOnceSlackRefusesTheOldOne() throws Exception {
        aws.reset();
        stubSlack(aws);
        Map<String, String> environment = aws.environment(aws.freshTable());
        ChatOpsNotifyHandler handler = handler(environment);
        List<String> logged = new ArrayList<>();
        JsonNode first = invoke(handler, batchOf(QueuedReleaseNews.NEWS.get(0)), logged);
        String rotated = "test-bot-token-rotated-not-real";
        aws.server.stubFor(post(urlEqualTo("/")).withHeader("X-Amz-Target", equalTo("secretsmanager.GetSecretValue"))
                .willReturn(aResponse().withStatus(200).withHeader("Content-Type", "application/x-amz-json-1.1")
                        .withBody("{\"ARN\":\"" + BOT_TOKEN_ARN + "\",\"Name\":\"gantry/slack-bot-token\",\"SecretString\":\"" + rotated + "\"}")));
        aws.server.stubFor(post(urlPathEqualTo("/api/chat.update")).atPriority(1).withHeader("Authorization", equalTo("Bearer test-bot-token-not-real"))
                .willReturn(aResponse().withStatus(200).withHeader("Content-Type", "application/json").withBody("{\"ok\":false,\"error\":\"token_revoked\"}")));

        JsonNode second = invoke(handler, batchOf(QueuedReleaseNews.NEWS.get(1)), logged);

        assertThat(first.path("batchItemFailures")).isEmpty();
        assertThat(second.path("batchItemFailures")).isEmpty();
        assertThat(aws.server.findAll(postRequestedFor(urlEqualTo("/api/chat.update")).withHeader("Authorization", equalTo("Bearer " + rotated))))
                .isNotEmpty();
        var thread = new DynamoDbReleaseThreads(aws.dynamo, environment.get("GANTRY_TABLE")).find(RELEASE).orElseThrow();
        assertThat(thread.rejected()).isNull();
        assertThat(thread.delivered()).isTrue();
        assertThat(logged).noneMatch(line -> line.contains(rotated) || line.contains("test-bot-token-not-real"));
    }

    /** A batch of the notify queue holding {@code news}, each in its thread's group. */
    private static String batchOf(ReleaseNews... news) {
        ObjectNode batch = JSON.createObjectNode();
        ArrayNode records = batch.putArray("Records");
        for (int i = 0; i < news.length; i++) {
            ObjectNode record = records.addObject().put("messageId", "news-" + i).put("body", ReleaseNewsJson.write(news[i]))
                    .put("eventSource", "aws:sqs");
            record.putObject("attributes").put("MessageGroupId", SqsNotifier.groupOf(news[i].thread()));
        }
        return batch.toString();
    }

    /** Every fault in the full run; in the shortened one, one fault per case, rotating through them. */
    private static List<Fault> faults(int rotation) {
        List<Fault> all = List.of(Fault.THROTTLING, Fault.CONNECTION_RESET, Fault.SERVICE_UNAVAILABLE, Fault.SERVER_ERROR, Fault.TIMEOUT);
        return ReliabilityFigures.full() ? all : List.of(all.get(rotation % all.size()));
    }

    private static Operation slackOperation(String method) {
        return new Operation("Slack", method, Operation.Protocol.SLACK, Operation.Matching.METHOD_AND_PATH, "/api/" + method);
    }

    /**
     * @param headlines top-level messages Slack took for the thread
     * @param missing what the thread lacks once every delivery is done
     * @param problems what went wrong on the way, each naming the case
     */
    private record Outcome(long headlines, List<String> missing, List<String> problems) {}

    /**
     * One delivery under which the table fails with {@code tableFault} from the moment Slack took the headline; then,
     * after the outage, a redelivery with {@code lookup} failing for good with {@code lookupFault} (none when null), and
     * a last one with everything answering.
     */
    private static Outcome tableDownOnceSlackTookTheHeadline(FaultScenario scenario, Fault tableFault, Operation lookup, Fault lookupFault)
            throws Exception {
        String caseName = scenario.name() + " / table " + tableFault + " after the headline"
                + (lookup == null ? "" : " / " + lookup + " " + lookupFault + " on redelivery");
        List<String> problems = new ArrayList<>();
        aws.reset();
        scenario.stubServices(aws);
        aws.server.stubFor(post(urlEqualTo("/api/chat.postMessage")).atPriority(1).inScenario("outage after the post")
                .whenScenarioStateIs(Scenario.STARTED).willSetStateTo("table down")
                .willReturn(aResponse().withStatus(200).withHeader("Content-Type", "application/json").withBody(POSTED)));
        aws.server.stubFor(any(urlEqualTo("/")).atPriority(1).withHeader("X-Amz-Target", matching("DynamoDB_20120810\\..*"))
                .inScenario("outage after the post").whenScenarioStateIs("table down")
                .willReturn(tableFault.response(Operation.Protocol.AWS_JSON, FaultyAws.READ_TIMEOUT_MS)));
        Map<String, String> environment = aws.environment(aws.freshTable());

        String failure = deliver(scenario, environment);
        if (failure == null || !failure.contains("thread")) {
            problems.add(caseName + ": the delivery under the outage did not fail naming the thread's table: " + failure);
        }
        aws.heal();
        if (lookup != null) {
            aws.inject(lookup, lookupFault, Integer.MAX_VALUE);
            String lookupFailure = deliver(scenario, environment);
            if (lookupFailure == null || !lookupFailure.contains(lookup.name())) {
                problems.add(caseName + ": the redelivery whose lookup fails did not fail naming " + lookup.name() + ": " + lookupFailure);
            }
            if (headlines(aws) != 1) {
                problems.add(caseName + ": the redelivery whose lookup fails posted " + headlines(aws) + " top-level messages");
            }
            aws.heal();
        }
        String last = deliver(scenario, environment);
        if (last != null) {
            problems.add(caseName + ": the redelivery after the outage failed: " + last);
        }
        List<String> missing = scenario.missing(aws, environment);
        missing.forEach(m -> problems.add(caseName + ": " + m));
        return new Outcome(headlines(aws), missing, problems);
    }

    /** One delivery; the failure's message, or null when it returned. */
    private static String deliver(FaultScenario scenario, Map<String, String> environment) {
        try {
            scenario.invoke(environment);
            return null;
        } catch (Exception e) {
            return e.getClass().getSimpleName() + ": " + e.getMessage();
        }
    }

    private static long headlines(FaultyAws aws) {
        return posts(aws).stream().filter(p -> !p.has("thread_ts")).count();
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
        aws.server.stubFor(get(urlPathEqualTo("/api/users.conversations"))
                .willReturn(aResponse().withStatus(200).withHeader("Content-Type", "application/json").withBody("""
                        {"ok":true,"channels":[{"id":"C0RELEASES","name":"releases"},{"id":"C0PAYMENTS","name":"payments-releases"}],
                         "response_metadata":{"next_cursor":""}}""")));
        aws.server.stubFor(get(urlPathEqualTo("/api/conversations.history"))
                .willReturn(aResponse().proxiedFrom("http://127.0.0.1:" + history.getAddress().getPort())));
        aws.server.stubFor(post(urlEqualTo("/")).withHeader("X-Amz-Target", equalTo("secretsmanager.GetSecretValue"))
                .willReturn(aResponse().withStatus(200).withHeader("Content-Type", "application/x-amz-json-1.1")
                        .withBody("{\"ARN\":\"" + BOT_TOKEN_ARN + "\",\"Name\":\"gantry/slack-bot-token\",\"SecretString\":\"test-bot-token-not-real\"}")));
    }

    /** Whether {@code event} is a chat.postMessage Slack took: answered in full and in time. */
    private static boolean taken(ServeEvent event) {
        return event.getRequest().getUrl().equals("/api/chat.postMessage") && event.getResponse() != null
                && event.getResponse().getStatus() == 200 && event.getResponseDefinition().getFault() == null
                && event.getResponseDefinition().getFixedDelayMilliseconds() == null;
    }

    /** The chat.postMessage calls Slack took, as sent: a headline has no {@code thread_ts}, a reply has. */
    static List<JsonNode> posts(FaultyAws aws) {
        List<JsonNode> posts = new ArrayList<>();
        for (ServeEvent event : aws.server.getAllServeEvents()) {
            if (taken(event)) {
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

    /** checkout-web-release's execution succeeded, as EventBridge puts it in the event queue: its thread posted once. */
    private static final class PipelineExecutionEvent implements FaultScenario {

        private final Set<String> delivered = new HashSet<>();

        @Override
        public String name() {
            return "chatops-notify: checkout-web-release execution succeeded, from EventBridge through the event queue";
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
            // A standard queue: no message group, and the body is the event as EventBridge sent it.
            ObjectNode batch = JSON.createObjectNode();
            batch.putArray("Records").addObject().put("messageId", "event-0")
                    .put("body", Fixtures.eventText("gantry-codepipeline-execution-succeeded-checkout-web-release.json"))
                    .put("eventSource", "aws:sqs").put("eventSourceARN", "arn:aws:sqs:eu-west-1:111111111111:gantry-chatops-events");
            List<String> logged = new ArrayList<>();
            JsonNode answer = ChatOpsNotifyFaultsIT.invoke(handler(environment), batch.toString(), logged);
            if (!answer.path("batchItemFailures").isEmpty()) {
                throw new QueueDeliversAgain("event-0 reported in batchItemFailures, the event queue delivers it again: "
                        + String.join(" | ", logged));
            }
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
