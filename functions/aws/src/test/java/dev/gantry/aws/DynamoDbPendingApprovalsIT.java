package dev.gantry.aws;

import static dev.gantry.aws.DynamoDbLocal.freshTable;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gantry.core.chatops.PendingApproval;
import dev.gantry.core.chatops.PendingApprovals;
import dev.gantry.core.chatops.PendingApprovals.PendingApprovalsException;
import dev.gantry.core.chatops.PipelineApprovalEnded;
import dev.gantry.testing.PendingApprovalsContract;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/** The pending-approvals contract against DynamoDB Local, whose conditional updates behave as DynamoDB's, and its item layout. */
class DynamoDbPendingApprovalsIT extends PendingApprovalsContract {

    private static final DynamoDbClient dynamo = DynamoDbLocal.client();

    @Override
    protected PendingApprovals approvals() {
        return new DynamoDbPendingApprovals(dynamo, freshTable());
    }

    @Test
    void keepsTheApprovalUnderItsIdUntilThirtyDaysAfterItExpires() {
        String table = freshTable();
        PendingApprovals approvals = new DynamoDbPendingApprovals(dynamo, table);
        approvals.create(pipelineApproval("pa_layout"));

        approvals.startDeciding("pa_layout", new PendingApproval.Decision("U1", false, "Rejected in Slack by U1", T0.plusSeconds(5)));

        Map<String, AttributeValue> item = rawItem(table, "APPROVAL#pa_layout");
        assertThat(item.get("kind").s()).isEqualTo("PIPELINE");
        assertThat(item.get("state").s()).isEqualTo("DECIDING");
        assertThat(item.get("approvalExpiresAt").s()).isEqualTo("2026-11-30T10:00:00Z");
        assertThat(item.get("expiresAt").n())
                .isEqualTo(Long.toString(T0.plus(Duration.ofDays(7)).plus(Duration.ofDays(30)).getEpochSecond()));
        Map<String, AttributeValue> pipeline = item.get("pipeline").m();
        assertThat(pipeline.get("pipeline").s()).isEqualTo("MyFirstPipeline");
        assertThat(pipeline.get("stage").s()).isEqualTo("MyApprovalStage");
        assertThat(pipeline.get("action").s()).isEqualTo("MyApprovalAction");
        assertThat(pipeline.get("token").s()).isEqualTo("token-pa_layout");
        assertThat(pipeline).doesNotContainKey("externalLink");
        Map<String, AttributeValue> decision = item.get("decision").m();
        assertThat(decision.get("userId").s()).isEqualTo("U1");
        assertThat(decision.get("approved").bool()).isFalse();
        assertThat(decision.get("at").s()).isEqualTo("2026-11-23T10:00:05Z");
        assertThat(item).doesNotContainKeys("gate", "channelId", "outcome");
    }

    @Test
    void readsAGateApprovalBackWithItsTargetWhole() {
        String table = freshTable();
        PendingApprovals approvals = new DynamoDbPendingApprovals(dynamo, table);

        approvals.create(gateApproval("ga_layout"));

        Map<String, AttributeValue> gate = rawItem(table, "APPROVAL#ga_layout").get("gate").m();
        assertThat(gate.get("service").s()).isEqualTo("payments-api");
        assertThat(gate.get("environment").s()).isEqualTo("prod");
        assertThat(gate.get("digest").s()).isEqualTo("sha256:" + "a1".repeat(32));
        assertThat(gate.get("triggeredBy").l()).extracting(AttributeValue::s).containsExactly("dev@example.com");
        assertThat(approvals.find("ga_layout")).contains(gateApproval("ga_layout"));
    }

    @Test
    void recordsOneDecisionAmongManyConcurrentClicks() throws Exception {
        PendingApprovals approvals = approvals();
        approvals.create(pipelineApproval("pa_race"));
        int racers = 8;
        ExecutorService pool = Executors.newFixedThreadPool(racers);
        CountDownLatch start = new CountDownLatch(1);
        List<Future<PendingApproval.Decision>> clicks = new ArrayList<>();
        try {
            for (int i = 0; i < racers; i++) {
                PendingApproval.Decision decision = new PendingApproval.Decision("U" + i, i % 2 == 0, "by U" + i, T0.plusSeconds(i));
                Callable<PendingApproval.Decision> click = () -> {
                    start.await();
                    return approvals.startDeciding("pa_race", decision) ? decision : null;
                };
                clicks.add(pool.submit(click));
            }
            start.countDown();
            List<PendingApproval.Decision> recorded = new ArrayList<>();
            for (Future<PendingApproval.Decision> click : clicks) {
                if (click.get() != null) {
                    recorded.add(click.get());
                }
            }

            assertThat(recorded).hasSize(1);
            assertThat(approvals.find("pa_race").orElseThrow().decision()).isEqualTo(recorded.get(0));
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void refusesToPlaceTheCardOfAnApprovalThatDoesNotExist() {
        String table = freshTable();
        PendingApprovals approvals = new DynamoDbPendingApprovals(dynamo, table);

        assertThatThrownBy(() -> approvals.cardPosted("pa_missing", "C0RELEASES", "1795428000.000100"))
                .isInstanceOf(PendingApprovalsException.class)
                .hasMessage("no pending approval pa_missing in table " + table);
        assertThat(rawItem(table, "APPROVAL#pa_missing")).isEmpty();
    }

    @Test
    void reportsAnUnreachableTableAsAPendingApprovalsFailureNamingTheApproval() throws Exception {
        try (DynamoDbClient unreachable = DynamoDbLocal.unreachableClient()
                .overrideConfiguration(c -> c.retryStrategy(AwsRetryStrategy.doNotRetry()))
                .build()) {
            PendingApprovals approvals = new DynamoDbPendingApprovals(unreachable, "gantry-state");

            assertThatThrownBy(() -> approvals.create(pipelineApproval("pa_x")))
                    .isInstanceOf(PendingApprovalsException.class)
                    .hasMessageStartingWith("creating pending approval pa_x in table gantry-state failed: ");
            assertThatThrownBy(() -> approvals.find("pa_x"))
                    .isInstanceOf(PendingApprovalsException.class)
                    .hasMessageStartingWith("reading pending approval pa_x from table gantry-state failed: ");
            assertThatThrownBy(() -> approvals.startDeciding("pa_x", new PendingApproval.Decision("U1", true, "ok", T0)))
                    .isInstanceOf(PendingApprovalsException.class)
                    .hasMessageStartingWith("starting the decision of pending approval pa_x in table gantry-state failed: ");
        }
    }

    @Test
    void listsAPipelineApprovalUnderItsActionOnceAndAGatesNowhere() {
        // given: two deliveries of the same notification, and a gate's approval
        String table = freshTable();
        PendingApprovals approvals = new DynamoDbPendingApprovals(dynamo, table);
        approvals.create(pipelineApproval("pa_listed"));
        approvals.create(PendingApproval.forPipeline("pa_listed", pipelineApproval("pa_listed").pipeline(), T0.plusSeconds(2),
                T0.plus(Duration.ofDays(7))));
        approvals.create(gateApproval("ga_unlisted"));

        // when
        List<Map<String, AttributeValue>> listed = dynamo.scan(r -> r.tableName(table)).items().stream()
                .filter(item -> item.get(StateTable.PARTITION_KEY).s().startsWith("APPROVAL_ACTION#"))
                .toList();

        // then: the second delivery's create wrote nothing, its listing included
        assertThat(listed).singleElement().satisfies(item -> {
            assertThat(item.get(StateTable.PARTITION_KEY).s()).isEqualTo("APPROVAL_ACTION#us-east-2#MyFirstPipeline#MyApprovalStage#MyApprovalAction");
            assertThat(item.get(StateTable.SORT_KEY).s()).isEqualTo("2026-11-23T10:00:00.000000000Z#pa_listed");
            assertThat(item.get("approvalId").s()).isEqualTo("pa_listed");
            assertThat(item.get("expiresAt").n())
                    .isEqualTo(Long.toString(T0.plus(Duration.ofDays(7)).plus(Duration.ofDays(30)).getEpochSecond()));
        });
    }

    @Test
    void keepsAnActionsEndUnderItsActionAndTimeOnceForAsLongAsAnApprovalAskedBeforeItCouldLive() {
        // given
        String table = freshTable();
        PendingApprovals approvals = new DynamoDbPendingApprovals(dynamo, table);
        PipelineApprovalEnded ended = new PipelineApprovalEnded("us-east-2", "MyFirstPipeline", "MyApprovalStage", "MyApprovalAction",
                "12345678-1234-5678-abcd-12345678abcd", PipelineApprovalEnded.State.SUCCEEDED, T0.plusSeconds(30));

        // when: delivered twice
        approvals.rememberPipelineApprovalEnd(ended);
        approvals.rememberPipelineApprovalEnd(ended);

        // then
        List<Map<String, AttributeValue>> ends = dynamo.scan(r -> r.tableName(table)).items();
        assertThat(ends).singleElement().satisfies(item -> {
            assertThat(item.get(StateTable.PARTITION_KEY).s())
                    .isEqualTo("APPROVAL_ACTION_END#us-east-2#MyFirstPipeline#MyApprovalStage#MyApprovalAction");
            assertThat(item.get(StateTable.SORT_KEY).s()).isEqualTo("2026-11-23T10:00:30.000000000Z");
            assertThat(item.get("state").s()).isEqualTo("SUCCEEDED");
            assertThat(item.get("expiresAt").n())
                    .isEqualTo(Long.toString(T0.plusSeconds(30).plus(Duration.ofDays(7)).plus(Duration.ofDays(30)).getEpochSecond()));
        });
    }

    private static Map<String, AttributeValue> rawItem(String table, String pk) {
        Map<String, AttributeValue> item = dynamo.getItem(r -> r.tableName(table)
                .key(Map.of(StateTable.PARTITION_KEY, AttributeValue.fromS(pk), StateTable.SORT_KEY, AttributeValue.fromS("APPROVAL")))
                .consistentRead(true)).item();
        return item == null ? Map.of() : item;
    }
}
