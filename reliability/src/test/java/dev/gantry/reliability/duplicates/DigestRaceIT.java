package dev.gantry.reliability.duplicates;

import static dev.gantry.reliability.duplicates.DuplicateFigures.COPIES;
import static dev.gantry.reliability.duplicates.DuplicateFigures.ROUNDS;
import static dev.gantry.reliability.duplicates.Wiring.TWO_ENVIRONMENTS;
import static org.assertj.core.api.Assertions.assertThat;

import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import dev.gantry.aws.DynamoDbLocal;
import dev.gantry.core.deploy.ContainerImage;
import dev.gantry.core.deploy.EcsServiceRef;
import dev.gantry.fn.ecsdeploy.EcsDeployHandler;
import dev.gantry.reliability.duplicates.AtOnce.Delivery;
import dev.gantry.reliability.duplicates.AtOnce.Invocation;
import dev.gantry.testing.Fixtures;
import dev.gantry.testing.InMemoryEcsGateway;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * Two releases of one service pushed a minute apart, each delivered several times, all at once, in every order: the
 * deploy handler over DynamoDB Local, with ECS in memory so that what each service runs at the end can be read. Every
 * environment ends on the newer release and is never moved back to the older one on the way.
 */
class DigestRaceIT {

    private static final String OLDER_PUSH = "gantry-ecr-push-payments-api-1.4.0.json";
    private static final String OLDER = LoopbackAws.DIGEST;
    private static final String NEWER = "sha256:a3f1c9e27b5d4086e1f2d3c4b5a69788796a5b4c3d2e1f0a9b8c7d6e5f4a3b2c";
    private static final List<EcsServiceRef> ENVIRONMENTS = List.of(
            new EcsServiceRef(LoopbackAws.ACCOUNT, "eu-west-1", "staging", "payments-api"),
            new EcsServiceRef(LoopbackAws.ACCOUNT, "eu-west-1", "prod", "payments-api"));
    /** How much sooner one release's copies start than the other's, when one goes first. */
    private static final Duration HEAD_START = Duration.ofMillis(3);

    private static final DynamoDbClient dynamo = DynamoDbLocal.client();

    private enum Order { TOGETHER, OLDER_FIRST, NEWER_FIRST }

    @Test
    void endsEveryEnvironmentOnTheNewerReleaseWhicheverArrivesFirst() throws Exception {
        DuplicateFigures figures = new DuplicateFigures();
        String older = Fixtures.eventText(OLDER_PUSH);
        // The same sample, a minute later, naming the next release.
        String newer = older.replace("6f0d1c2a-5b8e-4c7d-9a41-0e2b7c9d3f10", "7a1e2d3b-6c9f-4d8e-8b52-1f3c4a5d6e70")
                .replace("2019-11-16T01:54:34Z", "2019-11-16T01:55:34Z")
                .replace(OLDER, NEWER)
                .replace("\"image-tag\": \"1.4.0\"", "\"image-tag\": \"1.5.0\"");
        assertThat(newer).contains(NEWER, "1.5.0");
        int copiesEach = Math.max(2, COPIES / 2);
        try {
            // Every order in turn, each several times in the full run.
            for (int round = 0; round < Math.max(ROUNDS, Order.values().length); round++) {
                Order order = Order.values()[round % Order.values().length];
                InMemoryEcsGateway ecs = new InMemoryEcsGateway();
                for (EcsServiceRef environment : ENVIRONMENTS) {
                    ecs.givenService(environment, "payments-api-" + environment.cluster(),
                            List.of(new ContainerImage("app", LoopbackAws.REGISTRY + "/payments-api:1.3.0")));
                }
                String table = DynamoDbLocal.freshTable();
                List<Invocation> invocations = new ArrayList<>();
                for (int copy = 0; copy < copiesEach; copy++) {
                    invocations.add(new Invocation(delayed(ecsDeploy(ecs, table), order == Order.NEWER_FIRST ? HEAD_START : Duration.ZERO), older));
                    invocations.add(new Invocation(delayed(ecsDeploy(ecs, table), order == Order.OLDER_FIRST ? HEAD_START : Duration.ZERO), newer));
                }

                List<Delivery> deliveries = AtOnce.deliver(invocations);

                assertThat(deliveries).noneMatch(Delivery::failed);
                long newerDeployed = 0;
                long lost = 0;
                for (EcsServiceRef environment : ENVIRONMENTS) {
                    String where = environment.cluster();
                    for (Delivery delivery : deliveries) {
                        String result = Wiring.outcomeIn(delivery.answer(), where).path("result").asText();
                        lost += List.of("DEPLOYED", "DUPLICATE", "IN_PROGRESS", "SKIPPED").contains(result) ? 0 : 1;
                        if (result.equals("DEPLOYED") && delivery.invocation().event().equals(newer)) {
                            newerDeployed++;
                        }
                    }
                    assertThat(ecs.running(environment).containers().getFirst().image()).as(order + ": what " + where + " runs at the end")
                            .isEqualTo(LoopbackAws.REGISTRY + "/payments-api@" + NEWER);
                    assertThat(digestsMovedTo(ecs, environment)).as(order + ": the releases " + where + " was moved to, in order")
                            .isIn(List.of(NEWER), List.of(OLDER, NEWER));
                }
                figures.round(invocations.size(), 2, newerDeployed, ENVIRONMENTS.size(), lost);
                assertThat(newerDeployed).as(order + ": copies that deployed the newer release, per environment").isEqualTo(ENVIRONMENTS.size());
                assertThat(lost).isZero();
            }
        } finally {
            figures.record();
        }
    }

    /** The digest of the app container in each revision UpdateService moved the service to, in order. */
    private static List<String> digestsMovedTo(InMemoryEcsGateway ecs, EcsServiceRef environment) {
        return ecs.calls("UpdateService").stream()
                .filter(call -> call.service().equals(environment))
                .map(call -> ecs.describeTaskDefinition(environment, call.taskDefinitionArn()).containers().getFirst().image())
                .map(image -> image.substring(image.indexOf('@') + 1))
                .toList();
    }

    private static EcsDeployHandler ecsDeploy(InMemoryEcsGateway ecs, String table) {
        return new EcsDeployHandler(Wiring.deploys(TWO_ENVIRONMENTS, ecs, dynamo, table));
    }

    /** {@code handler}, starting {@code delay} after it is invoked: the other release's copies get a head start. */
    private static RequestStreamHandler delayed(RequestStreamHandler handler, Duration delay) {
        if (delay.isZero()) {
            return handler;
        }
        return (input, output, context) -> {
            LockSupport.parkNanos(delay.toNanos());
            handler.handleRequest(input, output, context);
        };
    }
}
