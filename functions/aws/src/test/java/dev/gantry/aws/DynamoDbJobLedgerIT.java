package dev.gantry.aws;

import static dev.gantry.aws.DynamoDbLocal.freshTable;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gantry.core.pipeline.JobFailureType;
import dev.gantry.core.pipeline.JobLedger;
import dev.gantry.core.pipeline.JobResult;
import dev.gantry.testing.JobLedgerContract;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/** The job-ledger contract against DynamoDB Local, whose conditional writes behave as DynamoDB's. */
class DynamoDbJobLedgerIT extends JobLedgerContract {

    private static final DynamoDbClient dynamo = DynamoDbLocal.client();
    private String lastTable;

    @Override
    protected JobLedger ledger() {
        lastTable = freshTable();
        return new DynamoDbJobLedger(dynamo, lastTable);
    }

    @Test
    void keysTheJobInTheStateTableAndLetsItExpireAfterThirtyDays() {
        JobLedger ledger = ledger();
        ledger.claim(jobId("ttl"), "inv-1", T0, LEASE);
        ledger.complete(jobId("ttl"), "inv-1", new JobResult.Failed(JobFailureType.JOB_FAILED, "deploy failed"), T0.plusSeconds(20));

        Map<String, AttributeValue> item = dynamo.getItem(r -> r.tableName(lastTable).key(Map.of(
                "pk", AttributeValue.fromS("JOB#" + jobId("ttl")), "sk", AttributeValue.fromS("JOB")))).item();

        assertThat(item.get("expiresAt").n()).isEqualTo(Long.toString(T0.plusSeconds(20).plus(Duration.ofDays(30)).getEpochSecond()));
        assertThat(item.get("jobId").s()).isEqualTo(jobId("ttl"));
        assertThat(item.get("result").s()).isEqualTo("FAILED");
        assertThat(item.get("failureType").s()).isEqualTo("JOB_FAILED");
        assertThat(item).doesNotContainKey("leaseUntil");
    }

    @Test
    void reportsAnUnreachableTableAsALedgerFailureNamingTheJob() throws Exception {
        try (DynamoDbClient unreachable = DynamoDbLocal.unreachableClient().build()) {
            JobLedger ledger = new DynamoDbJobLedger(unreachable, "gantry-state");

            assertThatThrownBy(() -> ledger.claim(jobId("x"), "inv-1", T0, LEASE))
                    .isInstanceOf(JobLedger.JobLedgerException.class)
                    .hasMessageStartingWith("claiming pipeline job " + jobId("x") + " in table gantry-state failed: ");
        }
    }
}
