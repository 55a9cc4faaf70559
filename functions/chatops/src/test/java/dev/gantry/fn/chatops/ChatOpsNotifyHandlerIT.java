package dev.gantry.fn.chatops;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.amazonaws.services.dynamodbv2.local.main.ServerRunner;
import com.amazonaws.services.dynamodbv2.local.server.DynamoDBProxyServer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import dev.gantry.aws.DynamoDbGateStore;
import dev.gantry.aws.DynamoDbPendingApprovals;
import dev.gantry.aws.DynamoDbRebuildLedger;
import dev.gantry.aws.DynamoDbReleaseThreads;
import dev.gantry.aws.ReleaseNewsJson;
import dev.gantry.aws.SqsNotifier;
import dev.gantry.aws.StateTable;
import dev.gantry.aws.lambda.LocalContext;
import dev.gantry.core.chatops.ApprovalRequests;
import dev.gantry.core.chatops.ChatPermissions;
import dev.gantry.core.chatops.EndedApprovals;
import dev.gantry.core.config.GantryConfig;
import dev.gantry.core.gate.ApproverGroups;
import dev.gantry.core.notify.AlarmThreads;
import dev.gantry.core.notify.NotifyService;
import dev.gantry.core.notify.ReleaseNews;
import dev.gantry.core.notify.StoredThread;
import dev.gantry.core.release.MalformedEventException;
import dev.gantry.slack.SlackWebApi;
import dev.gantry.testing.Fixtures;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * The notify function as Lambda runs it: news from the FIFO queue and AWS's own events, threads kept in DynamoDB Local,
 * Slack's Web API answered by a loopback stand-in that records what it was asked.
 */
class ChatOpsNotifyHandlerIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String TABLE = "gantry-state";
    private static final Instant NOW = Instant.parse("2026-11-23T10:00:00Z");

    private static final WireMockServer SLACK = new WireMockServer(options().dynamicPort().bindAddress("127.0.0.1"));
    private static DynamoDBProxyServer dynamoServer;
    private static DynamoDbClient dynamo;
    /**
     * DynamoDB Local through a client whose every call fails, once {@link #downOnceSlackPosts} is set, from the moment
     * Slack has taken a post: an outage of the table right after the headline.
     */
    private static DynamoDbClient failingDynamo;
    private static final AtomicBoolean downOnceSlackPosts = new AtomicBoolean();

    @BeforeAll
    static void start() throws Exception {
        SLACK.start();
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        dynamoServer = ServerRunner.createServerFromCommandLineArgs(new String[] {"-inMemory", "-port", Integer.toString(port)});
        dynamoServer.start();
        dynamo = DynamoDbClient.builder().endpointOverride(URI.create("http://127.0.0.1:" + port)).region(Region.EU_WEST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("testaccesskey", "test-secret-key")))
                .httpClient(UrlConnectionHttpClient.create()).build();
        ExecutionInterceptor outage = new ExecutionInterceptor() {
            @Override
            public void beforeExecution(Context.BeforeExecution context, ExecutionAttributes attributes) {
                if (downOnceSlackPosts.get() && !SLACK.findAll(postRequestedFor(urlEqualTo("/api/chat.postMessage"))).isEmpty()) {
                    throw SdkClientException.create("Unable to execute HTTP request: Connection refused");
                }
            }
        };
        failingDynamo = DynamoDbClient.builder().endpointOverride(URI.create("http://127.0.0.1:" + port)).region(Region.EU_WEST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("testaccesskey", "test-secret-key")))
                .overrideConfiguration(c -> c.addExecutionInterceptor(outage))
                .httpClient(UrlConnectionHttpClient.create()).build();
    }

    @AfterAll
    static void stop() throws Exception {
        failingDynamo.close();
        dynamo.close();
        dynamoServer.stop();
        SLACK.stop();
    }

    @BeforeEach
    void fresh() {
        downOnceSlackPosts.set(false);
        SLACK.resetAll();
        if (dynamo.listTables().tableNames().contains(TABLE)) {
            dynamo.deleteTable(r -> r.tableName(TABLE));
        }
        StateTable.createIfMissing(dynamo, TABLE);
        slackAnswers("chat.postMessage", "{\"ok\":true,\"channel\":\"C0RELEASES\",\"ts\":\"1763892000.000100\"}");
        slackAnswers("chat.update", "{\"ok\":true,\"channel\":\"C0RELEASES\",\"ts\":\"1763892000.000100\"}");
    }

    @Test
    void postsAThreadsFirstNewsAndUpdatesThatMessageWithTheNext() throws Exception {
        ReleaseNews started = pipeline("Started", NOW);
        ReleaseNews succeeded = pipeline("Succeeded", NOW.plusSeconds(300));

        JsonNode answer = invoke(handler(), sqsBatch(List.of(started, succeeded)));

        assertThat(answer.at("/batchItemFailures")).isEmpty();
        assertThat(headlines()).hasSize(1);
        assertThat(headlines().get(0).at("/channel").asText()).isEqualTo("#releases");
        assertThat(calls("chat.update")).isNotEmpty()
                .allSatisfy(update -> assertThat(update.at("/ts").asText()).isEqualTo("1763892000.000100"));
    }

    @Test
    void changesNothingInSlackWhenTheSameNewsIsDeliveredAgain() throws Exception {
        ReleaseNews started = pipeline("Started", NOW);
        invoke(handler(), sqsBatch(List.of(started)));
        int before = SLACK.findAll(postRequestedFor(urlEqualTo("/api/chat.postMessage"))).size()
                + SLACK.findAll(postRequestedFor(urlEqualTo("/api/chat.update"))).size();

        JsonNode again = invoke(handler(), sqsBatch(List.of(started)));

        assertThat(again.at("/batchItemFailures")).isEmpty();
        assertThat(calls("chat.postMessage").size() + calls("chat.update").size()).isEqualTo(before);
    }

    @Test
    void keepsNewsInTheQueueWhileSlackIsDownAndHoldsBackTheRestOfItsThread() throws Exception {
        SLACK.stubFor(post(urlEqualTo("/api/chat.postMessage")).willReturn(aResponse().withStatus(503)));
        ReleaseNews first = pipeline("Started", NOW);
        ReleaseNews second = pipeline("Succeeded", NOW.plusSeconds(60));

        JsonNode answer = invoke(handler(), sqsBatch(List.of(first, second)));

        assertThat(answer.at("/batchItemFailures")).extracting(f -> f.at("/itemIdentifier").asText())
                .containsExactly("message-0", "message-1");

        SLACK.resetAll();
        slackAnswers("chat.postMessage", "{\"ok\":true,\"channel\":\"C0RELEASES\",\"ts\":\"1763892000.000100\"}");
        slackAnswers("chat.update", "{\"ok\":true,\"channel\":\"C0RELEASES\",\"ts\":\"1763892000.000100\"}");
        slackMemberOf("releases", "C0RELEASES");
        slackHistoryHolds();
        JsonNode redelivered = invoke(handler(), sqsBatch(List.of(first, second)));

        assertThat(redelivered.at("/batchItemFailures")).isEmpty();
        // A 503 may come after Slack took the post: the channel is read before the headline is posted again.
        assertThat(SLACK.findAll(getRequestedFor(urlPathEqualTo("/api/conversations.history")))).singleElement()
                .satisfies(lookup -> assertThat(lookup.queryParameter("channel").firstValue()).isEqualTo("C0RELEASES"));
        assertThat(headlines()).hasSize(1);
    }

    @ParameterizedTest
    @ValueSource(strings = {"internal_error", "fatal_error", "service_unavailable", "request_timeout", "invalid_auth", "token_revoked",
            "account_inactive", "not_authed"})
    void keepsNewsInTheQueueWhileSlackFailsOrRefusesTheTokenAndTellsItOnceSlackTakesIt(String error) throws Exception {
        // given a thread in Slack, and Slack answering its next update with a temporary error or a refusal of the token
        ReleaseNews started = pipeline("Started", NOW);
        ReleaseNews succeeded = pipeline("Succeeded", NOW.plusSeconds(300));
        invoke(handler(), sqsBatch(List.of(started)));
        slackAnswers("chat.update", "{\"ok\":false,\"error\":\"" + error + "\"}");

        // when
        JsonNode refused = invoke(handler(), sqsBatch(List.of(succeeded)));

        // then the news waits in the queue, and the thread is told once Slack takes it
        assertThat(refused.at("/batchItemFailures/0/itemIdentifier").asText()).isEqualTo("message-0");
        assertThat(new DynamoDbReleaseThreads(dynamo, TABLE).find(succeeded.thread()).orElseThrow().rejected()).isNull();
        slackAnswers("chat.update", "{\"ok\":true,\"channel\":\"C0RELEASES\",\"ts\":\"1763892000.000100\"}");
        int updates = calls("chat.update").size();

        JsonNode redelivered = invoke(handler(), sqsBatch(List.of(succeeded)));

        assertThat(redelivered.at("/batchItemFailures")).isEmpty();
        assertThat(calls("chat.update")).hasSize(updates + 1);
        assertThat(headlines()).hasSize(1);
        assertThat(new DynamoDbReleaseThreads(dynamo, TABLE).find(succeeded.thread()).orElseThrow().delivered()).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"channel_not_found", "is_archived", "message_not_found", "cant_update_message"})
    void stopsTellingAThreadWhoseChannelOrMessageSlackRefuses(String error) throws Exception {
        ReleaseNews started = pipeline("Started", NOW);
        invoke(handler(), sqsBatch(List.of(started)));
        slackAnswers("chat.update", "{\"ok\":false,\"error\":\"" + error + "\"}");

        JsonNode refused = invoke(handler(), sqsBatch(List.of(pipeline("Succeeded", NOW.plusSeconds(300)))));

        assertThat(refused.at("/batchItemFailures")).isEmpty();
        assertThat(new DynamoDbReleaseThreads(dynamo, TABLE).find(started.thread()).orElseThrow().rejected()).isEqualTo(error);
    }

    @Test
    void takesTheHeadlineSlackTookBeforeTheTableFailedInsteadOfPostingASecond() throws Exception {
        // given the table failing from the moment Slack took the headline
        ReleaseNews started = pipeline("Started", NOW);
        JsonNode failed = invokeTakingTheTableDownAfterTheFirstPost(started);
        assertThat(failed.at("/batchItemFailures/0/itemIdentifier").asText()).isEqualTo("message-0");
        JsonNode headline = single(headlines());
        slackMemberOf("releases", "C0RELEASES");
        slackHistoryHolds("{\"type\":\"message\",\"ts\":\"1763892000.000100\",\"bot_id\":\"B0GANTRY\",\"metadata\":"
                + headline.at("/metadata") + "}");

        // when the queue delivers the news again, after the failed delivery's lease has run out
        JsonNode redelivered = invoke(handler(null, Clock.fixed(NOW.plusSeconds(360), ZoneOffset.UTC)), sqsBatch(List.of(started)));

        // then
        assertThat(redelivered.at("/batchItemFailures")).isEmpty();
        assertThat(headlines()).hasSize(1);
        assertThat(headline.at("/metadata/event_type").asText()).isEqualTo("gantry_release_thread_started");
        assertThat(calls("chat.update")).singleElement().satisfies(update -> assertThat(update.at("/ts").asText()).isEqualTo("1763892000.000100"));
        StoredThread thread = new DynamoDbReleaseThreads(dynamo, TABLE).find(started.thread()).orElseThrow();
        assertThat(thread.headlineTs()).isEqualTo("1763892000.000100");
        assertThat(thread.channel()).isEqualTo("C0RELEASES");
        assertThat(thread.delivered()).isTrue();
    }

    @Test
    void keepsTheNewsInTheQueueWithoutASecondHeadlineWhileTheChannelCannotBeRead() throws Exception {
        ReleaseNews started = pipeline("Started", NOW);
        JsonNode failed = invokeTakingTheTableDownAfterTheFirstPost(started);
        assertThat(failed.at("/batchItemFailures")).hasSize(1);
        SLACK.stubFor(get(urlPathEqualTo("/api/users.conversations")).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "application/json").withBody("{\"ok\":true,\"channels\":[],\"response_metadata\":{\"next_cursor\":\"\"}}")));

        JsonNode redelivered = invoke(handler(null, Clock.fixed(NOW.plusSeconds(360), ZoneOffset.UTC)), sqsBatch(List.of(started)));

        assertThat(redelivered.at("/batchItemFailures/0/itemIdentifier").asText()).isEqualTo("message-0");
        assertThat(headlines()).hasSize(1);
        StoredThread thread = new DynamoDbReleaseThreads(dynamo, TABLE).find(started.thread()).orElseThrow();
        assertThat(thread.headlineTs()).isNull();
        assertThat(thread.posting()).isNotNull();
        assertThat(thread.rejected()).isNull();
    }

    @Test
    void reportsAMalformedMessageSoItEndsInTheDeadLetterQueue() throws Exception {
        ObjectNode batch = JSON.createObjectNode();
        ArrayNode records = batch.putArray("Records");
        ObjectNode record = records.addObject().put("messageId", "broken").put("body", "{\"type\":\"NoSuchNews\"}")
                .put("eventSource", "aws:sqs");
        record.putObject("attributes").put("MessageGroupId", "g");

        JsonNode answer = invoke(handler(), batch.toString());

        assertThat(answer.at("/batchItemFailures/0/itemIdentifier").asText()).isEqualTo("broken");
        assertThat(SLACK.getAllServeEvents()).isEmpty();
    }

    @Test
    void tellsAPipelineExecutionFromItsEventBridgeEvent() throws Exception {
        String event = Fixtures.eventText("codepipeline-pipeline-execution-succeeded.json");

        JsonNode answer = invoke(handler(), event);

        assertThat(answer.at("/delivered/0").asText()).contains("myPipeline");
        assertThat(headlines()).hasSize(1);
    }

    @Test
    void tellsNoOneOfAnAlarmNoWaitingReleaseWatches() throws Exception {
        JsonNode answer = invoke(handler(), Fixtures.eventText("cloudwatch-alarm-state-change-single-metric.json"));

        assertThat(answer.at("/delivered")).isEmpty();
        assertThat(SLACK.getAllServeEvents()).isEmpty();
    }

    @Test
    void postsGantrysOwnAlarmInTheDefaultChannelAndUpdatesThatMessageWhenItIsOkAgain() throws Exception {
        ChatOpsNotifyHandler handler = handler("Gantry-");
        String fired = Fixtures.eventText("gantry-cloudwatch-alarm-failed-invocations-depth-alarm.json");
        String recovered = Fixtures.eventText("gantry-cloudwatch-alarm-failed-invocations-depth-ok.json");

        JsonNode firedAnswer = invoke(handler, fired);

        assertThat(firedAnswer.at("/delivered").toString()).isEqualTo("[\"operations Gantry-failed-invocations-depth eu-west-1: POSTED\"]");
        JsonNode headline = single(headlines());
        assertThat(headline.at("/channel").asText()).isEqualTo("#releases");
        assertThat(headline.at("/text").asText()).isEqualTo("Gantry-failed-invocations-depth: In ALARM");
        assertThat(headline.at("/blocks").toString())
                .contains("*In ALARM* since 2026-11-23 10:05 UTC\\n@platform-oncall")
                .contains("Threshold Crossed: 1 out of the last 1 datapoints [1.0 (23/11/26 10:00:00)] was greater than the threshold (0.0)")
                .contains("<https://eu-west-1.console.aws.amazon.com/cloudwatch/home?region=eu-west-1#alarmsV2:alarm/Gantry-failed-invocations-depth"
                        + "|alarm in CloudWatch>");
        JsonNode whatToDo = single(calls("chat.postMessage").stream().filter(post -> post.has("thread_ts")).toList());
        assertThat(whatToDo.at("/thread_ts").asText()).isEqualTo("1763892000.000100");
        assertThat(whatToDo.toString()).contains("What to do:", "requestPayload", "aws lambda invoke");

        JsonNode recoveredAnswer = invoke(handler, recovered);

        assertThat(recoveredAnswer.at("/delivered/0").asText()).isEqualTo("operations Gantry-failed-invocations-depth eu-west-1: UPDATED");
        JsonNode update = single(calls("chat.update"));
        assertThat(update.at("/channel").asText()).isEqualTo("C0RELEASES");
        assertThat(update.at("/ts").asText()).isEqualTo("1763892000.000100");
        assertThat(update.at("/text").asText()).isEqualTo("Gantry-failed-invocations-depth: OK");
        assertThat(update.toString()).doesNotContain("@platform-oncall");
        assertThat(headlines()).hasSize(1);

        int calls = SLACK.getAllServeEvents().size();
        JsonNode again = invoke(handler, recovered);

        assertThat(again.at("/delivered/0").asText()).endsWith(": UNCHANGED");
        assertThat(SLACK.getAllServeEvents()).hasSize(calls);
    }

    @Test
    void tellsNoOneOfGantrysOwnAlarmWhenTheFunctionKnowsNoPrefix() throws Exception {
        JsonNode answer = invoke(handler(), Fixtures.eventText("gantry-cloudwatch-alarm-failed-invocations-depth-alarm.json"));

        assertThat(answer.at("/delivered")).isEmpty();
        assertThat(SLACK.getAllServeEvents()).isEmpty();
    }

    @Test
    void postsOneApprovalCardPerCodePipelineManualApprovalHoweverOftenSnsDeliversIt() throws Exception {
        String message = Fixtures.eventText("codepipeline-manual-approval-sns-message.json").replace("2016-07-07T20:22Z", "2026-11-30T20:22Z");
        ObjectNode envelope = (ObjectNode) JSON.readTree(Fixtures.eventText("sns-lambda-event-envelope.lambda-dev-guide.json"));
        ((ObjectNode) envelope.at("/Records/0/Sns")).put("Message", message);

        JsonNode first = invoke(handler(), envelope.toString());
        JsonNode again = invoke(handler(), envelope.toString());

        assertThat(first.at("/approvalCards/0").asText()).startsWith("pa_");
        assertThat(again.at("/approvalCards/0").asText()).isEqualTo(first.at("/approvalCards/0").asText());
        JsonNode card = single(calls("chat.postMessage"));
        assertThat(card.at("/channel").asText()).isEqualTo("#releases");
        assertThat(card.toString()).contains("MyApprovalStage", "gantry.pipeline.approve", "gantry.pipeline.reject");
        // The buttons carry the card's opaque id only; the token stays in Gantry's record.
        assertThat(card.toString()).contains("\"value\":\"" + first.at("/approvalCards/0").asText() + "\"");
    }

    @Test
    void keepsAPipelineEventInTheEventQueueWhileSlackIsDownAndTellsItOnceHoweverOftenItComesAgain() throws Exception {
        // given the event as the rule put it in the event queue, and Slack down
        String event = Fixtures.eventText("codepipeline-pipeline-execution-succeeded.json");
        SLACK.stubFor(post(urlEqualTo("/api/chat.postMessage")).willReturn(aResponse().withStatus(503)));

        // when
        JsonNode failed = invoke(handler(), eventQueueBatch(event));

        // then it waits in the queue; once Slack is back, the queue's redelivery and a copy EventBridge sent twice tell it once
        assertThat(failed.at("/batchItemFailures")).extracting(f -> f.at("/itemIdentifier").asText()).containsExactly("event-0");
        SLACK.resetAll();
        slackAnswers("chat.postMessage", "{\"ok\":true,\"channel\":\"C0RELEASES\",\"ts\":\"1763892000.000100\"}");
        slackAnswers("chat.update", "{\"ok\":true,\"channel\":\"C0RELEASES\",\"ts\":\"1763892000.000100\"}");
        slackMemberOf("releases", "C0RELEASES");
        slackHistoryHolds();

        JsonNode redelivered = invoke(handler(), eventQueueBatch(event, event));
        int calls = calls("chat.postMessage").size() + calls("chat.update").size();
        JsonNode later = invoke(handler(), eventQueueBatch(event));

        assertThat(redelivered.at("/batchItemFailures")).isEmpty();
        assertThat(later.at("/batchItemFailures")).isEmpty();
        assertThat(headlines()).singleElement().satisfies(headline -> assertThat(headline.toString()).contains("myPipeline"));
        assertThat(calls("chat.postMessage").size() + calls("chat.update").size()).as("nothing more for a copy").isEqualTo(calls);
    }

    @Test
    void keepsAManualApprovalInTheEventQueueWhileSlackIsDownAndPostsOneCardHoweverOftenItComesAgain() throws Exception {
        // given CodePipeline's notification as SNS puts it in the event queue (the document a Lambda record's Sns holds),
        // and Slack down
        String message = Fixtures.eventText("codepipeline-manual-approval-sns-message.json").replace("2016-07-07T20:22Z", "2026-11-30T20:22Z");
        ObjectNode notification = (ObjectNode) JSON.readTree(Fixtures.eventText("sns-lambda-event-envelope.lambda-dev-guide.json"))
                .at("/Records/0/Sns");
        notification.put("Message", message);
        SLACK.stubFor(post(urlEqualTo("/api/chat.postMessage")).willReturn(aResponse().withStatus(503)));

        JsonNode failed = invoke(handler(), eventQueueBatch(notification.toString()));

        assertThat(failed.at("/batchItemFailures/0/itemIdentifier").asText()).isEqualTo("event-0");
        SLACK.resetAll();
        slackAnswers("chat.postMessage", "{\"ok\":true,\"channel\":\"C0RELEASES\",\"ts\":\"1763892000.000100\"}");
        // Before posting again, the card's channel is searched for the card the failed post may have left: none is there.
        slackMemberOf("releases", "C0RELEASES");
        slackHistoryHolds();

        // when the queue delivers it again, after its visibility timeout, with a copy SNS sent twice
        ChatOpsNotifyHandler later = handler(null, Clock.fixed(NOW.plusSeconds(360), ZoneOffset.UTC));
        JsonNode redelivered = invoke(later, eventQueueBatch(notification.toString(), notification.toString()));
        JsonNode again = invoke(later, eventQueueBatch(notification.toString()));

        // then
        assertThat(redelivered.at("/batchItemFailures")).isEmpty();
        assertThat(again.at("/batchItemFailures")).isEmpty();
        JsonNode card = single(calls("chat.postMessage"));
        assertThat(card.toString()).contains("MyApprovalStage", "gantry.pipeline.approve", "gantry.pipeline.reject");
    }

    @Test
    void takesTheButtonsOffTheCardOfAnApprovalDecidedInTheConsoleAndPostsNothing() throws Exception {
        // given: the approval's card, posted from CodePipeline's notification
        String message = Fixtures.eventText("codepipeline-manual-approval-sns-message.json").replace("2016-07-07T20:22Z", "2026-11-30T20:22Z");
        ObjectNode envelope = (ObjectNode) JSON.readTree(Fixtures.eventText("sns-lambda-event-envelope.lambda-dev-guide.json"));
        ((ObjectNode) envelope.at("/Records/0/Sns")).put("Message", message);
        invoke(handler(), envelope.toString());
        String ended = Fixtures.eventText("gantry-codepipeline-action-approval-succeeded.json");

        // when: EventBridge's event that the approval action succeeded arrives, and a copy of it
        JsonNode answer = invoke(handler(), eventQueueBatch(ended, ended));

        // then
        assertThat(answer.at("/batchItemFailures")).isEmpty();
        assertThat(calls("chat.postMessage")).as("the card only").hasSize(1);
        assertThat(calls("chat.update")).hasSize(2).allSatisfy(update -> {
            assertThat(update.at("/channel").asText()).isEqualTo("C0RELEASES");
            assertThat(update.at("/ts").asText()).isEqualTo("1763892000.000100");
            assertThat(update.toString()).contains("Approval closed: MyFirstPipeline", "approved in CodePipeline, outside Slack")
                    .doesNotContain("gantry.pipeline.approve", "gantry.pipeline.reject");
        });
        assertThat(calls("chat.update").get(1)).isEqualTo(calls("chat.update").get(0));
    }

    @Test
    void postsTheCardClosedWhenTheApprovalWasDecidedInTheConsoleBeforeItsNotificationLeftTheQueue() throws Exception {
        // given: CodePipeline asked at 10:20 and the approval was decided in the console at 10:30, while its notification
        // waited in the event queue
        String message = Fixtures.eventText("codepipeline-manual-approval-sns-message.json").replace("2016-07-07T20:22Z", "2026-11-30T20:22Z");
        ObjectNode notification = (ObjectNode) JSON.readTree(Fixtures.eventText("sns-lambda-event-envelope.lambda-dev-guide.json"))
                .at("/Records/0/Sns");
        notification.put("Message", message).put("Timestamp", "2026-11-23T10:20:00.000Z");
        ChatOpsNotifyHandler later = handler(null, Clock.fixed(NOW.plus(Duration.ofMinutes(40)), ZoneOffset.UTC));

        // when: the end is handled first, then the notification
        JsonNode ended = invoke(later, eventQueueBatch(Fixtures.eventText("gantry-codepipeline-action-approval-succeeded.json")));
        JsonNode asked = invoke(later, eventQueueBatch(notification.toString()));

        // then
        assertThat(ended.at("/batchItemFailures")).isEmpty();
        assertThat(asked.at("/batchItemFailures")).isEmpty();
        assertThat(calls("chat.update")).isEmpty();
        assertThat(single(calls("chat.postMessage")).toString()).contains("Approval closed: MyFirstPipeline", "approved in CodePipeline, outside Slack")
                .doesNotContain("gantry.pipeline.approve", "gantry.pipeline.reject");
    }

    @Test
    void keepsTheEndOfAnApprovalInTheEventQueueWhileSlackIsDown() throws Exception {
        String message = Fixtures.eventText("codepipeline-manual-approval-sns-message.json").replace("2016-07-07T20:22Z", "2026-11-30T20:22Z");
        ObjectNode envelope = (ObjectNode) JSON.readTree(Fixtures.eventText("sns-lambda-event-envelope.lambda-dev-guide.json"));
        ((ObjectNode) envelope.at("/Records/0/Sns")).put("Message", message);
        invoke(handler(), envelope.toString());
        SLACK.stubFor(post(urlEqualTo("/api/chat.update")).willReturn(aResponse().withStatus(503)));

        JsonNode failed = invoke(handler(), eventQueueBatch(Fixtures.eventText("gantry-codepipeline-action-approval-succeeded.json")));

        assertThat(failed.at("/batchItemFailures")).extracting(f -> f.at("/itemIdentifier").asText()).containsExactly("event-0");
    }

    @Test
    void tellsNothingOfAnApprovalThatEndedWithoutACard() throws Exception {
        JsonNode answer = invoke(handler(), Fixtures.eventText("gantry-codepipeline-action-approval-succeeded.json"));

        assertThat(answer.at("/delivered")).isEmpty();
        assertThat(SLACK.getAllServeEvents()).isEmpty();
    }

    @Test
    void rejectsAnEventOfAnotherKindNamingItsDetailType() {
        String other = Fixtures.eventText("ecr-image-action-push-success.json");

        assertThatThrownBy(() -> invoke(handler(), other))
                .isInstanceOf(MalformedEventException.class)
                .hasMessageContaining("detail-type: 'ECR Image Action'");
    }

    private static ChatOpsNotifyHandler handler() {
        return handler(null);
    }

    /** @param operationsAlarmPrefix what {@code GANTRY_OPERATIONS_ALARM_PREFIX} would say; null when it is unset */
    private static ChatOpsNotifyHandler handler(String operationsAlarmPrefix) {
        return handler(operationsAlarmPrefix, Clock.fixed(NOW, ZoneOffset.UTC));
    }

    private static ChatOpsNotifyHandler handler(String operationsAlarmPrefix, Clock clock) {
        return handler(operationsAlarmPrefix, clock, dynamo);
    }

    private static ChatOpsNotifyHandler handler(String operationsAlarmPrefix, Clock clock, DynamoDbClient dynamo) {
        GantryConfig config = Fixtures.exampleConfig();
        SlackWebApi slack = new SlackWebApi(() -> "test-bot-token-not-real", URI.create(SLACK.baseUrl()),
                new SlackWebApi.RetryPolicy(0, Duration.ZERO, 1, Duration.ofMillis(1), Duration.ofMillis(1), Duration.ofSeconds(2)),
                duration -> { });
        NotifyService threads = new NotifyService(new DynamoDbReleaseThreads(dynamo, TABLE), slack, config.slack(), clock);
        ChatPermissions permissions = new ChatPermissions(config, ApproverGroups.none());
        ApprovalRequests requests = new ApprovalRequests(config, new DynamoDbPendingApprovals(dynamo, TABLE), slack, permissions, clock);
        EndedApprovals ended = new EndedApprovals(config, new DynamoDbPendingApprovals(dynamo, TABLE), new DynamoDbGateStore(dynamo, TABLE),
                slack, permissions);
        return new ChatOpsNotifyHandler(threads, new AwsChangeNews(new DynamoDbRebuildLedger(dynamo, TABLE),
                new AlarmThreads(config, new DynamoDbGateStore(dynamo, TABLE), operationsAlarmPrefix)),
                new ApprovalCardRequests(requests, new DynamoDbGateStore(dynamo, TABLE), ended));
    }

    private static ReleaseNews pipeline(String state, Instant at) {
        return ReleaseNews.PipelineChanged.of("checkout-web-release", "2f6d8b1e-4a7c-4e93-b05d-8c3a1f9e7d24", null, state, null, null,
                "eu-west-1", at);
    }

    /** An SQS batch as Lambda delivers a FIFO queue's messages: every news in its thread's group. */
    private static String sqsBatch(List<ReleaseNews> news) {
        ObjectNode batch = JSON.createObjectNode();
        ArrayNode records = batch.putArray("Records");
        for (int i = 0; i < news.size(); i++) {
            ObjectNode record = records.addObject()
                    .put("messageId", "message-" + i)
                    .put("body", ReleaseNewsJson.write(news.get(i)))
                    .put("eventSource", "aws:sqs");
            record.putObject("attributes").put("MessageGroupId", SqsNotifier.groupOf(news.get(i).thread()));
        }
        return batch.toString();
    }

    /** A batch of the event queue as Lambda delivers it: a standard queue, so its messages have no group. */
    private static String eventQueueBatch(String... bodies) {
        ObjectNode batch = JSON.createObjectNode();
        ArrayNode records = batch.putArray("Records");
        for (int i = 0; i < bodies.length; i++) {
            ObjectNode record = records.addObject()
                    .put("messageId", "event-" + i)
                    .put("body", bodies[i])
                    .put("eventSource", "aws:sqs")
                    .put("eventSourceARN", "arn:aws:sqs:eu-west-1:111111111111:gantry-chatops-events");
            record.putObject("attributes").put("ApproximateReceiveCount", "1");
        }
        return batch.toString();
    }

    /**
     * One delivery of {@code news} whose thread store fails from the first call after Slack took the headline: the post
     * is never recorded, nor is the lease given up.
     */
    private static JsonNode invokeTakingTheTableDownAfterTheFirstPost(ReleaseNews news) throws Exception {
        downOnceSlackPosts.set(true);
        try {
            return invoke(handler(null, Clock.fixed(NOW, ZoneOffset.UTC), failingDynamo), sqsBatch(List.of(news)));
        } finally {
            downOnceSlackPosts.set(false);
        }
    }

    private static void slackMemberOf(String name, String id) {
        SLACK.stubFor(get(urlPathEqualTo("/api/users.conversations")).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "application/json")
                .withBody("{\"ok\":true,\"channels\":[{\"id\":\"" + id + "\",\"name\":\"" + name + "\"}],"
                        + "\"response_metadata\":{\"next_cursor\":\"\"}}")));
    }

    private static void slackHistoryHolds(String... messages) {
        SLACK.stubFor(get(urlPathEqualTo("/api/conversations.history")).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "application/json")
                .withBody("{\"ok\":true,\"has_more\":false,\"messages\":[" + String.join(",", messages) + "]}")));
    }

    /** The top-level posts: a thread's headline, not its replies. */
    private static List<JsonNode> headlines() {
        return calls("chat.postMessage").stream().filter(post -> !post.has("thread_ts")).toList();
    }

    private static JsonNode single(List<JsonNode> requests) {
        assertThat(requests).hasSize(1);
        return requests.get(0);
    }

    private static void slackAnswers(String method, String body) {
        SLACK.stubFor(post(urlEqualTo("/api/" + method))
                .willReturn(aResponse().withStatus(200).withHeader("Content-Type", "application/json").withBody(body)));
    }

    private static List<JsonNode> calls(String method) {
        return SLACK.findAll(postRequestedFor(urlEqualTo("/api/" + method))).stream()
                .map(r -> {
                    try {
                        return JSON.readTree(r.getBodyAsString());
                    } catch (IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                })
                .toList();
    }

    private static JsonNode invoke(ChatOpsNotifyHandler handler, String event) throws Exception {
        ByteArrayOutputStream output = new ByteArrayOutputStream();
        handler.handleRequest(new ByteArrayInputStream(event.getBytes(StandardCharsets.UTF_8)), output,
                new LocalContext("chatops-notify", 60_000));
        return JSON.readTree(output.toByteArray());
    }
}
