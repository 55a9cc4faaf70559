package dev.gantry.reliability.duplicates;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import dev.gantry.aws.DynamoDbDeployControls;
import dev.gantry.aws.DynamoDbGateStore;
import dev.gantry.aws.DynamoDbReleaseStore;
import dev.gantry.aws.SdkEcsGateway;
import dev.gantry.core.config.ConfigLoader;
import dev.gantry.core.config.GantryConfig;
import dev.gantry.core.deploy.DeployService;
import dev.gantry.core.deploy.EcsGateway;
import dev.gantry.core.deploy.GateSweepService;
import dev.gantry.core.gate.ApproverGroups;
import dev.gantry.core.gate.GateOrigin;
import dev.gantry.core.gate.GateService;
import dev.gantry.core.gate.GateSubject;
import dev.gantry.core.release.ReleaseKey;
import dev.gantry.fn.ecsdeploy.GateSweepHandler;
import dev.gantry.testing.InMemoryAlarmStates;
import dev.gantry.testing.InMemoryChangeCalendars;
import dev.gantry.testing.InMemoryCustomChecks;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.locks.LockSupport;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/** The configurations the tests run Gantry with, and the services each test builds the same way over a table of its own. */
final class Wiring {

    /** payments-api in two environments that a push deploys to directly. */
    static final GantryConfig TWO_ENVIRONMENTS = ConfigLoader.parse("""
            version: 1
            services:
              - name: payments-api
                repository: payments-api
                tagPolicy: { semver: ">=1.0.0 <2.0.0" }
                environments:
                  - { name: staging, account: "111111111111", region: eu-west-1, cluster: staging, service: payments-api,
                      containers: [app], taskRoleArn: "arn:aws:iam::111111111111:role/payments-api-task",
                      executionRoleArn: "arn:aws:iam::111111111111:role/ecs-task-execution" }
                  - { name: prod, account: "111111111111", region: eu-west-1, cluster: prod, service: payments-api,
                      containers: [app], taskRoleArn: "arn:aws:iam::111111111111:role/payments-api-task",
                      executionRoleArn: "arn:aws:iam::111111111111:role/ecs-task-execution" }
            """, "gantry.yml");

    /**
     * The same service with prod behind a gate that passes on two approvals and nothing else, and the Slack workspace
     * ChatOps answers: alice may veto in staging, an operator may decide CodePipeline approvals.
     */
    static final GantryConfig GATED = ConfigLoader.parse("""
            version: 1
            slack:
              defaultChannel: "#releases"
              teamId: T0GANTRY1
              appId: A0GANTRY1
              permissions: { pipelineApprovals: [U0OPS0001] }
            services:
              - name: payments-api
                repository: payments-api
                tagPolicy: { semver: ">=1.0.0 <2.0.0" }
                environments:
                  - { name: staging, account: "111111111111", region: eu-west-1, cluster: staging, service: payments-api,
                      containers: [app], taskRoleArn: "arn:aws:iam::111111111111:role/payments-api-task",
                      executionRoleArn: "arn:aws:iam::111111111111:role/ecs-task-execution", permissions: { veto: [U0ALICE01] } }
                  - { name: prod, account: "111111111111", region: eu-west-1, cluster: prod, service: payments-api,
                      containers: [app], taskRoleArn: "arn:aws:iam::111111111111:role/payments-api-task",
                      executionRoleArn: "arn:aws:iam::111111111111:role/ecs-task-execution", gate: production }
            gates:
              - name: production
                approvals: { required: 2, users: [U0EXAMPLE1, U0EXAMPLE2, U0EXAMPLE3] }
            """, "gantry.yml");

    /** The deploy lock's wait, short: the copies contend for the lock by design, and the wait is a parameter for that. */
    static final DeployService.Pause BRIEF_PAUSE = duration -> LockSupport.parkNanos(Duration.ofMillis(2).toNanos());

    private Wiring() {}

    /** The gate service over {@code table}; its gates check approvals only, so no other AWS service is asked. */
    static GateService gates(GantryConfig config, DynamoDbClient dynamo, String table) {
        return new GateService(config, new DynamoDbGateStore(dynamo, table), new DynamoDbReleaseStore(dynamo, table),
                new InMemoryAlarmStates(), new InMemoryChangeCalendars(), new InMemoryCustomChecks(), ApproverGroups.none(),
                Clock.systemUTC());
    }

    /** The deploy service over {@code table} and {@code ecs}, gated environments held. */
    static DeployService deploys(GantryConfig config, EcsGateway ecs, DynamoDbClient dynamo, String table) {
        return new DeployService(config, ecs, new DynamoDbReleaseStore(dynamo, table), new DynamoDbDeployControls(dynamo, table),
                Clock.systemUTC(), DeployService.DEFAULT_LEASE, false, BRIEF_PAUSE);
    }

    /** gate-sweep over {@code table}, handing passed releases to a deploy through ECS on {@code aws}. */
    static GateSweepHandler gateSweep(GantryConfig config, LoopbackAws aws, String table) {
        GateService gates = gates(config, aws.dynamo, table);
        return new GateSweepHandler(new GateSweepService(gates, deploys(config, new SdkEcsGateway(aws.ecs), aws.dynamo, table).withGates(gates)));
    }

    /** The push of {@code events/gantry-ecr-push-payments-api-1.4.0.json} reaching {@code release}'s gate now, as the deploy asks it. */
    static GateSubject pushed(ReleaseKey release) {
        return new GateSubject(release, LoopbackAws.REGISTRY + "/payments-api@" + LoopbackAws.DIGEST, "1.4.0", Instant.now(), List.of(),
                GateOrigin.DEPLOY, "6f0d1c2a-5b8e-4c7d-9a41-0e2b7c9d3f10");
    }

    /** A deploy report's outcome for {@code environment}; missing when the report has none. */
    static JsonNode outcomeIn(JsonNode report, String environment) {
        for (JsonNode outcome : report.path("outcomes")) {
            if (outcome.path("environment").asText().equals(environment)) {
                return outcome;
            }
        }
        return MissingNode.getInstance();
    }
}
