package dev.gantry.reliability.duplicates;

import static dev.gantry.reliability.duplicates.DuplicateFigures.COPIES;
import static dev.gantry.reliability.duplicates.DuplicateFigures.ROUNDS;
import static dev.gantry.reliability.duplicates.Wiring.GATED;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gantry.aws.DynamoDbDeployControls;
import dev.gantry.aws.DynamoDbPendingApprovals;
import dev.gantry.aws.ReleaseNewsJson;
import dev.gantry.aws.SqsNotifier;
import dev.gantry.core.chatops.ApprovalCards;
import dev.gantry.core.chatops.PendingApproval;
import dev.gantry.core.chatops.PipelineApprovalNotice;
import dev.gantry.core.image.ImageDigest;
import dev.gantry.core.notify.ReleaseNews;
import dev.gantry.reliability.duplicates.AtOnce.Delivery;
import dev.gantry.reliability.duplicates.AtOnce.Invocation;
import dev.gantry.testing.Fixtures;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The ChatOps handlers (slack-interactions, chatops-worker, chatops-notify) given one Slack request, one click, one
 * piece of news, one pipeline event and one CodePipeline approval many times at once, as Slack's retries, double clicks
 * and at-least-once queues, EventBridge and SNS deliver them: state in DynamoDB Local through the real adapters, SQS, CodePipeline and Slack on the wire. What
 * a person asked for happens once, and each thread and card is posted once.
 */
class ChatOpsFunctionsDuplicatesIT {

    @RegisterExtension
    static final LoopbackAws aws = new LoopbackAws();

    @Test
    void queuesEveryCopyOfASlashCommandAndCarriesItOutOnce() throws Exception {
        DuplicateFigures figures = new DuplicateFigures();
        try {
            for (int round = 0; round < ROUNDS; round++) {
                String table = aws.newRound();
                aws.acceptSqsMessages();
                aws.acceptSlack();
                String command = ChatOpsHandlers.slashCommand("veto payments-api staging " + LoopbackAws.DIGEST + " bad build",
                        aws.responseUrl());
                long signedAt = Instant.now().getEpochSecond();

                List<Delivery> requests = AtOnce.deliver(COPIES,
                        copy -> new Invocation(ChatOpsHandlers.slackInteractions(aws), ChatOpsHandlers.signedRequest(command, signedAt, copy)));

                assertThat(requests).noneMatch(Delivery::failed);
                long refused = requests.stream().filter(d -> d.answer().path("statusCode").asInt() != 200).count();
                List<JsonNode> queued = aws.sqsMessages();
                assertThat(queued).as("work items queued, one per request Slack sent").hasSize(COPIES)
                        .allSatisfy(message -> assertThat(message.path("MessageBody").asText()).isEqualTo(command));

                List<Delivery> work = AtOnce.deliver(COPIES, copy -> new Invocation(
                        ChatOpsHandlers.worker(GATED, aws, table, Wiring.gates(GATED, aws.dynamo, table), Clock.systemUTC()),
                        ChatOpsHandlers.sqsBatch("request-" + copy, queued.get(copy).path("MessageBody").asText(), null)));

                long lost = refused + AtOnce.givenUpAfterRedelivery(work);
                List<JsonNode> announced = aws.responses().stream().filter(r -> r.path("response_type").asText().equals("in_channel")).toList();
                figures.round(2 * COPIES, 2, queued.size() + announced.size(), COPIES + 1, lost);
                assertThat(announced).as("the veto announced in the channel").hasSize(1);
                assertThat(new DynamoDbDeployControls(aws.dynamo, table).vetoOf("payments-api", "staging", new ImageDigest(LoopbackAws.DIGEST)))
                        .hasValueSatisfying(veto -> assertThat(veto.reason()).isEqualTo("bad build"));
                assertThat(aws.responses()).as("every copy answered").hasSize(COPIES);
                assertThat(lost).isZero();
            }
        } finally {
            figures.record();
        }
    }

    @Test
    void decidesAPipelineApprovalOnceWhenItsClicksArriveManyTimesAtOnce() throws Exception {
        DuplicateFigures figures = new DuplicateFigures();
        try {
            for (int round = 0; round < ROUNDS; round++) {
                String table = aws.newRound();
                aws.acceptPipelineResults();
                aws.acceptSlack();
                PendingApproval card = pipelineApprovalCard(table);
                // Half the copies are Slack's retries of one click, half are further clicks on the same button.
                List<Delivery> clicks = AtOnce.deliver(COPIES, copy -> new Invocation(
                        ChatOpsHandlers.worker(GATED, aws, table, Wiring.gates(GATED, aws.dynamo, table), Clock.systemUTC()),
                        ChatOpsHandlers.sqsBatch("click-" + copy, ChatOpsHandlers.click("U0OPS0001", ApprovalCards.PIPELINE_APPROVE, card.id(),
                                "1000000000004.1000000000003." + (copy % 2 == 0 ? "retried" : "clicked-" + copy), aws.responseUrl()), null)));

                long lost = AtOnce.givenUpAfterRedelivery(clicks);
                List<JsonNode> decided = aws.codePipelineCalls("PutApprovalResult");
                figures.round(COPIES, 1, decided.size(), 1, lost);
                assertThat(decided).as("decisions sent to CodePipeline").singleElement()
                        .satisfies(put -> assertThat(put.at("/result/status").asText()).isEqualTo("Approved"));
                assertThat(new DynamoDbPendingApprovals(aws.dynamo, table).find(card.id()).orElseThrow().state())
                        .isEqualTo(PendingApproval.State.DECIDED);
                assertThat(lost).isZero();
            }
        } finally {
            figures.record();
        }
    }

    @Test
    void postsAThreadOnceAndUpdatesItOnceWhenItsNewsArrivesManyTimesAtOnce() throws Exception {
        DuplicateFigures figures = new DuplicateFigures();
        try {
            for (int round = 0; round < ROUNDS; round++) {
                String table = aws.newRound();
                aws.acceptSlack();
                Instant at = Instant.now();
                List<ReleaseNews> story = List.of(pipeline("Started", at), pipeline("Succeeded", at.plusSeconds(300)));
                long lost = 0;
                for (ReleaseNews news : story) {
                    String body = ReleaseNewsJson.write(news);
                    String group = SqsNotifier.groupOf(news.thread());
                    List<Delivery> deliveries = AtOnce.deliver(COPIES, copy -> new Invocation(
                            ChatOpsHandlers.notify(GATED, aws, table, Clock.systemUTC()),
                            ChatOpsHandlers.sqsBatch("news-" + copy, body, group)));
                    lost += AtOnce.givenUpAfterRedelivery(deliveries);
                }

                List<JsonNode> headlines = aws.headlines();
                List<JsonNode> updates = aws.slackCalls("chat.update");
                figures.round(2 * COPIES, 2, headlines.size() + updates.size(), 2, lost);
                assertThat(headlines).as("the thread's top message, posted").hasSize(1);
                assertThat(updates).as("the same message, updated with the second news").singleElement()
                        .satisfies(update -> assertThat(update.path("ts").asText()).isEqualTo("1763892000.000100"));
                assertThat(lost).isZero();
            }
        } finally {
            figures.record();
        }
    }

    @Test
    void postsOneCardWhenTheEventQueueDeliversACodePipelineApprovalManyTimesAtOnce() throws Exception {
        DuplicateFigures figures = new DuplicateFigures();
        try {
            for (int round = 0; round < ROUNDS; round++) {
                String table = aws.newRound();
                aws.acceptSlack();
                // SNS delivers at least once to the event queue, and the queue at least once to the function.
                String notification = ChatOpsHandlers.snsNotification(approvalMessage());

                List<Delivery> deliveries = AtOnce.deliver(COPIES, copy -> new Invocation(ChatOpsHandlers.notify(GATED, aws, table,
                        Clock.systemUTC()), ChatOpsHandlers.sqsBatch("event-" + copy, notification, null)));
                long lost = AtOnce.givenUpAfterRedelivery(deliveries);

                List<JsonNode> posted = aws.headlines();
                figures.round(COPIES, 1, posted.size(), 1, lost);
                assertThat(posted).as("cards posted").singleElement()
                        .satisfies(post -> assertThat(post.toString()).contains(ApprovalCards.PIPELINE_APPROVE, "MyApprovalStage"));
                assertThat(lost).isZero();
            }
        } finally {
            figures.record();
        }
    }

    @Test
    void postsAPipelineThreadOnceWhenTheEventQueueDeliversItsEventManyTimesAtOnce() throws Exception {
        DuplicateFigures figures = new DuplicateFigures();
        try {
            for (int round = 0; round < ROUNDS; round++) {
                String table = aws.newRound();
                aws.acceptSlack();
                // EventBridge delivers at least once to the event queue, and the queue at least once to the function.
                String event = Fixtures.eventText("gantry-codepipeline-execution-succeeded-checkout-web-release.json");

                List<Delivery> deliveries = AtOnce.deliver(COPIES, copy -> new Invocation(ChatOpsHandlers.notify(GATED, aws, table,
                        Clock.systemUTC()), ChatOpsHandlers.sqsBatch("event-" + copy, event, null)));
                long lost = AtOnce.givenUpAfterRedelivery(deliveries);

                List<JsonNode> headlines = aws.headlines();
                figures.round(COPIES, 1, headlines.size(), 1, lost);
                assertThat(headlines).as("the thread's top message, posted").singleElement()
                        .satisfies(headline -> assertThat(headline.toString()).contains("checkout-web-release"));
                assertThat(lost).isZero();
            }
        } finally {
            figures.record();
        }
    }

    private static PendingApproval pipelineApprovalCard(String table) {
        return ChatOpsHandlers.approvalRequests(GATED, aws, table).requestPipelineApproval(PipelineApprovalNotice.parse(approvalMessage()), null);
    }

    /** CodePipeline's sample approval notice, expiring in the future rather than in 2016. */
    private static String approvalMessage() {
        return Fixtures.eventText("codepipeline-manual-approval-sns-message.json").replace("2016-07-07T20:22Z", "2099-07-07T20:22Z");
    }

    private static ReleaseNews pipeline(String state, Instant at) {
        return ReleaseNews.PipelineChanged.of("checkout-web-release", "2f6d8b1e-4a7c-4e93-b05d-8c3a1f9e7d24", null, state, null, null,
                "eu-west-1", at);
    }
}
