package dev.gantry.reliability.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.gantry.aws.DynamoDbDeployControls;
import dev.gantry.aws.DynamoDbReleaseStore;
import dev.gantry.aws.EcsWire;
import dev.gantry.core.release.Release;
import dev.gantry.core.release.ReleaseKey;
import dev.gantry.core.release.RolloutStatus;
import dev.gantry.fn.ecsdeploy.HandlersFromEnvironment;
import dev.gantry.fn.ecsdeploy.RolloutHandler;
import dev.gantry.reliability.harness.DeployedRelease;
import dev.gantry.testing.ReliabilityFigures;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The rollout follower with every call it makes failing in turn: ECS's deployments, the release history, the veto of a
 * rolled-back digest and the rollout recorded on the release. An ECS event is sent once; what the follower does not
 * record is not known later, and a rollback it loses is a digest Gantry may deploy again.
 */
class RolloutFaultsIT {

    private static final ReleaseKey RELEASE = EcsDeployFaultsIT.STAGING_RELEASE;
    /** The deployment the derived events name: the one the deploy's UpdateService started. */
    private static final String DEPLOYMENT = "ecs-svc/3056462518204391731";
    private static final String CIRCUIT_BREAKER = "ECS deployment circuit breaker: task failed to start.";

    private static FaultyAws aws;

    @BeforeAll
    static void start() throws Exception {
        aws = new FaultyAws();
    }

    @AfterAll
    static void stop() throws Exception {
        aws.close();
    }

    @Test
    void aCompletedRolloutIsRecordedOnItsReleaseOrTheEventFailsWithAReasonAndItsRetryRecordsIt() throws Exception {
        // Its calls are the rolled-back rollout's but the veto, which the shortened form covers there.
        assumeTrue(ReliabilityFigures.full(), "the completed rollout runs in the full form only");
        FaultCampaign campaign = new FaultCampaign(aws);
        Completed completed = new Completed();
        FirstInvocation.warmUp(aws, completed);

        campaign.run(completed);

        assertThat(campaign.record()).isEmpty();
    }

    @Test
    void aRolledBackRolloutIsRecordedAndItsDigestVetoedOrTheEventFailsWithAReasonAndItsRetryDoesBoth() throws Exception {
        FaultCampaign campaign = new FaultCampaign(aws);
        RolledBack rolledBack = new RolledBack();
        FirstInvocation.warmUp(aws, rolledBack);

        campaign.run(rolledBack);

        assertThat(campaign.record()).isEmpty();
    }

    /** An event about the staging rollout of 1.4.0, which the deploy function recorded as having updated the service. */
    private abstract static class RolloutEvent implements FaultScenario {

        private final WarmHandler<RolloutHandler> function = new WarmHandler<>(HandlersFromEnvironment::rollout);
        private String seededTable;

        abstract String eventFile();

        abstract String deployments();

        @Override
        public void stubServices(FaultyAws aws) {
            aws.server.stubFor(EcsWire.operation("DescribeServices").willReturn(EcsWire.json("""
                    {"services":[{"serviceName":"payments-api","clusterArn":"arn:aws:ecs:eu-west-1:111111111111:cluster/staging",
                      "status":"ACTIVE","taskDefinition":"%s","deployments":[%s]}],"failures":[]}"""
                    .formatted(EcsDeployFaultsIT.NEW_ARN, deployments()))));
        }

        @Override
        public void invoke(Map<String, String> environment) throws Exception {
            String table = environment.get("GANTRY_TABLE");
            if (!table.equals(seededTable)) {
                // As the deploy function records the release once UpdateService moved staging from revision 41 to 42.
                DeployedRelease.serviceUpdated(new DynamoDbReleaseStore(aws.dynamo, table), RELEASE, EcsDeployFaultsIT.REGISTRY,
                        EcsDeployFaultsIT.RUNNING_ARN, EcsDeployFaultsIT.NEW_ARN);
                seededTable = table;
            }
            EcsDeployFaultsIT.invoke(function.of(environment), eventFile(), "gantry-rollout-follow");
        }

        static Release release(Map<String, String> environment) {
            return new DynamoDbReleaseStore(aws.dynamo, environment.get("GANTRY_TABLE")).find(RELEASE).orElseThrow();
        }

        @Override
        public List<String> exactlyOnce() {
            // The rollout recorded on the release: once, however often the event came.
            return List.of("UpdateItem");
        }
    }

    private static final class Completed extends RolloutEvent {

        @Override
        public String name() {
            return "rollout-follow: staging rollout of 1.4.0 completed";
        }

        @Override
        String eventFile() {
            return "gantry-ecs-deployment-completed-payments-api-staging.json";
        }

        @Override
        String deployments() {
            return """
                    {"id":"%s","status":"PRIMARY","taskDefinition":"%s","desiredCount":2,"pendingCount":0,"runningCount":2,"failedTasks":0,
                     "rolloutState":"COMPLETED","rolloutStateReason":"ECS deployment %1$s completed."}"""
                    .formatted(DEPLOYMENT, EcsDeployFaultsIT.NEW_ARN);
        }

        @Override
        public List<String> missing(FaultyAws aws, Map<String, String> environment) {
            Release release = release(environment);
            return release.rolloutStatus() == RolloutStatus.COMPLETED ? List.of()
                    : List.of("the release records its rollout as " + release.rolloutStatus() + ", not COMPLETED");
        }
    }

    private static final class RolledBack extends RolloutEvent {

        @Override
        public String name() {
            return "rollout-follow: staging rollout of 1.4.0 rolled back by the circuit breaker";
        }

        @Override
        String eventFile() {
            return "gantry-ecs-deployment-failed-rolled-back-payments-api-staging.json";
        }

        @Override
        String deployments() {
            return """
                    {"id":"ecs-svc/5188146770730811392","status":"PRIMARY","taskDefinition":"%s","desiredCount":2,"pendingCount":1,
                     "runningCount":1,"failedTasks":0,"rolloutState":"IN_PROGRESS",
                     "rolloutStateReason":"ECS deployment circuit breaker: rolling back to deploymentId ecs-svc/1946263512074623851."},
                    {"id":"%s","status":"ACTIVE","taskDefinition":"%s","desiredCount":0,"pendingCount":0,"runningCount":0,"failedTasks":3,
                     "rolloutState":"FAILED","rolloutStateReason":"%s"}"""
                    .formatted(EcsDeployFaultsIT.RUNNING_ARN, DEPLOYMENT, EcsDeployFaultsIT.NEW_ARN, CIRCUIT_BREAKER);
        }

        @Override
        public List<String> missing(FaultyAws aws, Map<String, String> environment) {
            List<String> missing = new ArrayList<>();
            Release release = release(environment);
            if (release.rolloutStatus() != RolloutStatus.ROLLED_BACK) {
                missing.add("the release records its rollout as " + release.rolloutStatus() + ", not ROLLED_BACK");
            }
            if (new DynamoDbDeployControls(aws.dynamo, environment.get("GANTRY_TABLE")).vetoOf(RELEASE.service(), RELEASE.environment(),
                    RELEASE.digest()).isEmpty()) {
                missing.add("the rolled-back digest is not vetoed for staging");
            }
            return missing;
        }
    }
}
