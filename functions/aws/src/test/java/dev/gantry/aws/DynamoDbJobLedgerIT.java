package dev.gantry.aws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.amazonaws.services.dynamodbv2.local.embedded.DynamoDBEmbedded;
import com.amazonaws.services.dynamodbv2.local.shared.access.AmazonDynamoDBLocal;
import dev.gantry.core.pipeline.JobFailureType;
import dev.gantry.core.pipeline.JobLedger;
import dev.gantry.core.pipeline.JobResult;
import dev.gantry.testing.JobLedgerContract;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/** The job-ledger contract against DynamoDB Local, whose conditional writes behave as DynamoDB's. */
class DynamoDbJobLedgerIT extends JobLedgerContract {

    private static final AtomicInteger TABLES = new AtomicInteger();
    private static AmazonDynamoDBLocal dynamoLocal;
    private static DynamoDbClient dynamo;
    private String lastTable;

    @BeforeAll
    static void startDynamoDbLocal() {
        dynamoLocal = DynamoDBEmbedded.create();
        dynamo = dynamoLocal.dynamoDbClient();
    }

    @AfterAll
    static void stopDynamoDbLocal() {
        dynamoLocal.shutdown();
    }

    @Override
    protected JobLedger ledger() {
        lastTable = "gantry-jobs-" + TABLES.incrementAndGet();
        StateTable.createIfMissing(dynamo, lastTable);
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
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        try (DynamoDbClient unreachable = DynamoDbClient.builder()
                .endpointOverride(URI.create("http://127.0.0.1:" + closedPort))
                .region(Region.EU_WEST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("testaccesskey", "test-secret-key")))
                .httpClient(UrlConnectionHttpClient.create())
                .build()) {
            JobLedger ledger = new DynamoDbJobLedger(unreachable, "gantry-state");

            assertThatThrownBy(() -> ledger.claim(jobId("x"), "inv-1", T0, LEASE))
                    .isInstanceOf(JobLedger.JobLedgerException.class)
                    .hasMessage("claiming pipeline job " + jobId("x") + " in table gantry-state failed");
        }
    }
}
