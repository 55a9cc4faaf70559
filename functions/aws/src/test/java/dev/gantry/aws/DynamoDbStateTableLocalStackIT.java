package dev.gantry.aws;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gantry.core.image.ImageDigest;
import dev.gantry.core.pipeline.JobLedger;
import dev.gantry.core.pipeline.JobLedger.Claim;
import dev.gantry.core.pipeline.JobResult;
import dev.gantry.core.release.Release;
import dev.gantry.core.release.ReleaseKey;
import dev.gantry.core.release.ReleaseStatus;
import dev.gantry.core.release.ReleaseStore;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.TimeToLiveStatus;

/**
 * The state-table adapters on LocalStack's DynamoDB, over the client the functions build from {@code AWS_ENDPOINT_URL},
 * in a table keyed and expiring as the stack's: the conditional writes that make a release and a pipeline job happen
 * once.
 */
class DynamoDbStateTableLocalStackIT {

    private static final Instant T0 = Instant.parse("2026-11-23T10:00:00Z");
    private static final Duration LEASE = Duration.ofSeconds(90);
    private static final String REGISTRY = "111111111111.dkr.ecr.eu-west-1.amazonaws.com";

    private static DynamoDbClient dynamo;
    private static String table;

    @BeforeAll
    static void createTable() {
        if (!LocalStack.isRunning("dynamodb")) {
            // Every test is then skipped, saying why.
            return;
        }
        dynamo = LocalStack.clients(Map.of()).dynamoDb();
        table = LocalStack.createStateTable(dynamo, "gantry-state-it");
    }

    @AfterAll
    static void deleteTable() {
        if (dynamo != null) {
            LocalStack.deleteTable(dynamo, table);
            dynamo.close();
        }
    }

    @BeforeEach
    void needsLocalStack() {
        LocalStack.assumeRunning("dynamodb");
    }

    @Test
    void refusesASecondClaimOfAPipelineJobUntilTheFirstIsDone() {
        JobLedger ledger = new DynamoDbJobLedger(dynamo, table);
        String job = jobId();

        Claim first = ledger.claim(job, "inv-1", T0, LEASE);
        Claim second = ledger.claim(job, "inv-2", T0.plusSeconds(30), LEASE);
        ledger.complete(job, "inv-1", new JobResult.Succeeded("deployed"), T0.plusSeconds(40));
        Claim redelivered = ledger.claim(job, "inv-3", T0.plus(Duration.ofHours(1)), LEASE);

        assertThat(first).isInstanceOf(Claim.Granted.class);
        assertThat(second).isInstanceOf(Claim.HeldElsewhere.class);
        assertThat(second.job().owner()).as("the refused write returns the record it lost to").isEqualTo("inv-1");
        assertThat(redelivered).isInstanceOf(Claim.AlreadyDone.class);
        assertThat(redelivered.job().result()).isInstanceOf(JobResult.Succeeded.class);
    }

    @Test
    void grantsOneOfEightSimultaneousClaimsOfTheSameJob() throws Exception {
        JobLedger ledger = new DynamoDbJobLedger(dynamo, table);
        String job = jobId();
        CountDownLatch start = new CountDownLatch(1);
        List<Callable<Claim>> claims = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            String owner = "inv-" + i;
            claims.add(() -> {
                start.await();
                return ledger.claim(job, owner, T0, LEASE);
            });
        }

        List<Claim> answers = new ArrayList<>();
        try (ExecutorService pool = Executors.newFixedThreadPool(8)) {
            List<Future<Claim>> pending = claims.stream().map(pool::submit).toList();
            start.countDown();
            for (Future<Claim> answer : pending) {
                answers.add(answer.get());
            }
        }

        assertThat(answers).filteredOn(Claim.Granted.class::isInstance).hasSize(1);
        assertThat(answers).filteredOn(Claim.HeldElsewhere.class::isInstance).hasSize(7);
    }

    @Test
    void writesTheExpiryTheTableExpiresJobRecordsBy() {
        JobLedger ledger = new DynamoDbJobLedger(dynamo, table);
        String job = jobId();
        ledger.claim(job, "inv-1", T0, LEASE);

        ledger.complete(job, "inv-1", new JobResult.Succeeded("deployed"), T0.plusSeconds(20));

        Map<String, AttributeValue> item = dynamo.getItem(r -> r.tableName(table).key(Map.of(
                StateTable.PARTITION_KEY, AttributeValue.fromS("JOB#" + job), StateTable.SORT_KEY, AttributeValue.fromS("JOB")))).item();
        assertThat(item.get(LocalStack.TTL_ATTRIBUTE).n()).isEqualTo(Long.toString(T0.plusSeconds(20).plus(Duration.ofDays(30)).getEpochSecond()));
        assertThat(LocalStack.timeToLive(dynamo, table)).satisfies(ttl -> {
            assertThat(ttl.attributeName()).isEqualTo(DynamoDbJobLedger.TTL_ATTRIBUTE);
            assertThat(ttl.timeToLiveStatus()).isIn(TimeToLiveStatus.ENABLED, TimeToLiveStatus.ENABLING);
        });
    }

    @Test
    void carriesOutAReleaseOnceAndRemembersWhatItRegistered() {
        ReleaseStore releases = new DynamoDbReleaseStore(dynamo, table);
        ReleaseKey key = new ReleaseKey("payments-api", "staging", digest());
        Release proposal = Release.proposed(key, "1.4.0", REGISTRY + "/payments-api@" + key.digest().value(), "event-1", "inv-1",
                T0.plus(LEASE), T0);

        ReleaseStore.Claim first = releases.claim(proposal, T0, LEASE);
        ReleaseStore.Claim rival = releases.claim(proposal, T0.plusSeconds(5), LEASE);
        releases.recordRegistered(key, "inv-1", "arn:aws:ecs:eu-west-1:111111111111:task-definition/payments-api-staging:41",
                "arn:aws:ecs:eu-west-1:111111111111:task-definition/payments-api-staging:42",
                List.of("app: payments-api:1.3.0 -> payments-api:1.4.0@" + key.digest().value().substring(0, 19)), T0.plusSeconds(6));
        releases.recordServiceUpdated(key, "inv-1", T0.plusSeconds(7));
        ReleaseStore.Claim replayed = releases.claim(proposal, T0.plus(Duration.ofMinutes(10)), LEASE);

        assertThat(first).isInstanceOf(ReleaseStore.Claim.Granted.class);
        assertThat(rival).isInstanceOf(ReleaseStore.Claim.HeldElsewhere.class);
        assertThat(replayed).isInstanceOf(ReleaseStore.Claim.AlreadyDone.class);
        Release stored = releases.find(key).orElseThrow();
        assertThat(stored.status()).isEqualTo(ReleaseStatus.SERVICE_UPDATED);
        assertThat(stored.taskDefinitionArn()).isEqualTo("arn:aws:ecs:eu-west-1:111111111111:task-definition/payments-api-staging:42");
        assertThat(releases.history("payments-api", "staging")).extracting(Release::key).contains(key);
    }

    @Test
    void locksAnEnvironmentForOneInvocationAtATime() {
        ReleaseStore releases = new DynamoDbReleaseStore(dynamo, table);
        String service = "payments-api-" + UUID.randomUUID();

        boolean taken = releases.lockEnvironment(service, "staging", "inv-1", T0, LEASE);
        boolean whileHeld = releases.lockEnvironment(service, "staging", "inv-2", T0.plusSeconds(10), LEASE);
        releases.unlockEnvironment(service, "staging", "inv-1");
        boolean afterRelease = releases.lockEnvironment(service, "staging", "inv-2", T0.plusSeconds(11), LEASE);

        assertThat(taken).isTrue();
        assertThat(whileHeld).isFalse();
        assertThat(afterRelease).isTrue();
    }

    /** A job id of CodePipeline's form, new for each test: the tests share one table. */
    private static String jobId() {
        return UUID.randomUUID().toString();
    }

    /** A real 64-digit digest, new for each test. */
    private static ImageDigest digest() {
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(UUID.randomUUID().toString().getBytes(StandardCharsets.UTF_8));
            return new ImageDigest("sha256:" + HexFormat.of().formatHex(hash));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
