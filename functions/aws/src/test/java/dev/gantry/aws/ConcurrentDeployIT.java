package dev.gantry.aws;

import static dev.gantry.aws.DynamoDbLocal.freshTable;
import static org.assertj.core.api.Assertions.assertThat;

import dev.gantry.core.deploy.ContainerImage;
import dev.gantry.core.deploy.DeployOutcome;
import dev.gantry.core.deploy.DeployReport;
import dev.gantry.core.deploy.DeployService;
import dev.gantry.core.deploy.EcsServiceRef;
import dev.gantry.core.image.ImagePush;
import dev.gantry.testing.Fixtures;
import dev.gantry.testing.InMemoryDeployControls;
import dev.gantry.testing.InMemoryEcsGateway;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * Events delivered many times at once, as EventBridge and Lambda retries can: the deploy service with its
 * real DynamoDB store (DynamoDB Local, whose conditional writes behave as DynamoDB's) and ECS in memory.
 */
class ConcurrentDeployIT {

    private static final String REGISTRY = "111111111111.dkr.ecr.eu-west-1.amazonaws.com";
    private static final EcsServiceRef STAGING = new EcsServiceRef("111111111111", "eu-west-1", "staging", "payments-api");
    private static final String DIGEST_150 = "sha256:" + "15".repeat(32);
    private static final String DIGEST_160 = "sha256:" + "16".repeat(32);

    private static final DynamoDbClient dynamo = DynamoDbLocal.client();
    private InMemoryEcsGateway ecs;
    private DeployService deploys;

    @BeforeEach
    void freshEnvironment() {
        String table = freshTable();
        ecs = new InMemoryEcsGateway();
        ecs.givenService(STAGING, "payments-api-staging", List.of(new ContainerImage("app", REGISTRY + "/payments-api:1.3.0")));
        ecs.givenService(new EcsServiceRef("111111111111", "eu-west-1", "prod", "payments-api"), "payments-api-prod",
                List.of(new ContainerImage("app", REGISTRY + "/payments-api:1.3.0")));
        deploys = new DeployService(Fixtures.exampleConfig(), ecs, new DynamoDbReleaseStore(dynamo, table), new InMemoryDeployControls(),
                Clock.systemUTC());
    }

    @Test
    void deploysAnEventDeliveredEightTimesAtOnceExactlyOnce() throws Exception {
        ImagePush push = push("1.4.0", "sha256:07348c1177395e36a0630834b693a5318a854ba216a887b7c7244eefa4b0efcd");

        List<DeployReport> reports = concurrently(8, i -> deploys.onImagePush(push, "inv-" + i));

        assertThat(ecs.calls("RegisterTaskDefinition")).hasSize(1);
        assertThat(ecs.calls("UpdateService")).hasSize(1);
        assertThat(reports).extracting(r -> staging(r).result())
                .isSubsetOf(DeployOutcome.Result.DEPLOYED, DeployOutcome.Result.DUPLICATE, DeployOutcome.Result.IN_PROGRESS)
                .containsOnlyOnce(DeployOutcome.Result.DEPLOYED);
    }

    @RepeatedTest(5)
    void endsOnTheNewerDigestWhenTwoReleasesRace() throws Exception {
        List<ImagePush> pushes = List.of(push("1.5.0", DIGEST_150), push("1.6.0", DIGEST_160));

        concurrently(2, i -> deploys.onImagePush(pushes.get(i), "inv-" + i));

        assertThat(ecs.running(STAGING).containers().get(0).image()).isEqualTo(REGISTRY + "/payments-api@" + DIGEST_160);
    }

    private interface Call {
        DeployReport run(int index) throws Exception;
    }

    private static List<DeployReport> concurrently(int count, Call call) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(count);
        CountDownLatch start = new CountDownLatch(1);
        try {
            List<Future<DeployReport>> futures = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                int index = i;
                Callable<DeployReport> task = () -> {
                    start.await();
                    return call.run(index);
                };
                futures.add(pool.submit(task));
            }
            start.countDown();
            List<DeployReport> reports = new ArrayList<>();
            for (Future<DeployReport> future : futures) {
                reports.add(future.get());
            }
            return reports;
        } finally {
            pool.shutdownNow();
        }
    }

    private static DeployOutcome staging(DeployReport report) {
        return report.outcomes().stream().filter(o -> o.environment().equals("staging")).findFirst().orElseThrow();
    }

    private static ImagePush push(String tag, String digest) {
        return new ImagePush("event-" + tag, "111111111111", "eu-west-1", "payments-api", tag, digest, "PUSH", "SUCCESS",
                Instant.parse("2026-11-23T09:59:00Z"));
    }
}
