package dev.gantry.core.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gantry.core.config.ConfigLoader;
import dev.gantry.core.config.EnvironmentConfig;
import dev.gantry.core.config.GantryConfig;
import dev.gantry.core.config.ServiceConfig;
import dev.gantry.core.image.ImageDigest;
import dev.gantry.core.image.ImageReference;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DeployPlannerTest {

    // staging names its container; prod leaves it to the planner to find the containers by repository.
    private static final GantryConfig CONFIG = ConfigLoader.parse("""
            version: 1
            services:
              - name: payments-api
                repository: payments-api
                tagPolicy:
                  semver: ">=1.0.0 <2.0.0"
                environments:
                  - name: staging
                    account: "111111111111"
                    region: eu-west-1
                    cluster: staging
                    service: payments-api
                    containers: [app]
                  - name: prod
                    account: "111111111111"
                    region: eu-west-1
                    cluster: prod
                    service: payments-api
            """, "gantry.yml");
    private static final ServiceConfig SERVICE = CONFIG.services().get(0);
    private static final EnvironmentConfig STAGING = SERVICE.environments().get(0);
    private static final EnvironmentConfig PROD = SERVICE.environments().get(1);

    private static final String ARN = "arn:aws:ecs:eu-west-1:111111111111:task-definition/payments-api:7";
    private static final String RUNNING = "111111111111.dkr.ecr.eu-west-1.amazonaws.com/payments-api:1.3.0";
    private static final String OLDER = "111111111111.dkr.ecr.eu-west-1.amazonaws.com/payments-api:1.2.0";
    // AWS's FireLens image, published from an AWS-owned account.
    private static final String FLUENT_BIT = "906394416424.dkr.ecr.eu-west-1.amazonaws.com/aws-for-fluent-bit:stable";
    // From events/gantry-ecr-push-payments-api-1.4.0.json.
    private static final ImageReference NEW_IMAGE = ImageReference.ecr("111111111111", "eu-west-1", "payments-api",
            ImageDigest.parse("sha256:07348c1177395e36a0630834b693a5318a854ba216a887b7c7244eefa4b0efcd"));
    private static final String PINNED = "111111111111.dkr.ecr.eu-west-1.amazonaws.com/payments-api"
            + "@sha256:07348c1177395e36a0630834b693a5318a854ba216a887b7c7244eefa4b0efcd";

    @Test
    void changesOnlyTheContainersNamedInConfig() {
        TaskDefinitionSnapshot current = snapshot(
                new ContainerImage("app", RUNNING),
                new ContainerImage("migrate", RUNNING),
                new ContainerImage("log-router", FLUENT_BIT));

        DeployPlan plan = DeployPlanner.plan(SERVICE, STAGING, current, NEW_IMAGE);

        assertThat(plan.fromTaskDefinitionArn()).isEqualTo(ARN);
        assertThat(plan.changes()).containsExactly(new ContainerChange("app", RUNNING, PINNED));
        assertThat(plan.imageByContainer()).isEqualTo(Map.of("app", PINNED));
        assertThat(plan.isNoOp()).isFalse();
    }

    @Test
    void withoutNamedContainersChangesEveryContainerFromTheServiceRepository() {
        TaskDefinitionSnapshot current = snapshot(
                new ContainerImage("app", RUNNING),
                new ContainerImage("worker", OLDER),
                new ContainerImage("log-router", FLUENT_BIT),
                new ContainerImage("other-account", "222222222222.dkr.ecr.eu-west-1.amazonaws.com/payments-api:1.3.0"),
                new ContainerImage("other-region", "111111111111.dkr.ecr.us-east-1.amazonaws.com/payments-api:1.3.0"),
                new ContainerImage("other-repository", "111111111111.dkr.ecr.eu-west-1.amazonaws.com/payments-api-tools:1.3.0"));

        DeployPlan plan = DeployPlanner.plan(SERVICE, PROD, current, NEW_IMAGE);

        assertThat(plan.changes()).containsExactly(
                new ContainerChange("app", RUNNING, PINNED),
                new ContainerChange("worker", OLDER, PINNED));
    }

    @Test
    void rejectsNamedContainerMissingFromTheTaskDefinitionListingThosePresent() {
        TaskDefinitionSnapshot current = snapshot(
                new ContainerImage("web", RUNNING),
                new ContainerImage("log-router", FLUENT_BIT));

        assertThatThrownBy(() -> DeployPlanner.plan(SERVICE, STAGING, current, NEW_IMAGE))
                .isInstanceOf(DeployPlanner.PlanException.class)
                .hasMessage("task definition " + ARN + " has no container 'app' (it has: web, log-router)");
    }

    @Test
    void rejectsTaskDefinitionWithNoContainerFromTheRepositoryAskingForContainers() {
        TaskDefinitionSnapshot current = snapshot(new ContainerImage("log-router", FLUENT_BIT));

        assertThatThrownBy(() -> DeployPlanner.plan(SERVICE, PROD, current, NEW_IMAGE))
                .isInstanceOf(DeployPlanner.PlanException.class)
                .hasMessage("no container of " + ARN + " runs an image from repository 'payments-api' in 111111111111/eu-west-1"
                        + "; name the containers under 'containers' for environment 'prod'");
    }

    @Test
    void plansNothingWhenTheContainersAlreadyRunTheDigest() {
        TaskDefinitionSnapshot current = snapshot(
                new ContainerImage("app", PINNED),
                new ContainerImage("log-router", FLUENT_BIT));

        DeployPlan named = DeployPlanner.plan(SERVICE, STAGING, current, NEW_IMAGE);
        DeployPlan found = DeployPlanner.plan(SERVICE, PROD, current, NEW_IMAGE);

        assertThat(named.isNoOp()).isTrue();
        assertThat(found.isNoOp()).isTrue();
        assertThat(found.imageByContainer()).isEmpty();
        assertThat(found.describe()).isEmpty();
    }

    @Test
    void changesOnlyTheContainersNotYetOnTheDigest() {
        TaskDefinitionSnapshot current = snapshot(
                new ContainerImage("app", PINNED),
                new ContainerImage("worker", RUNNING));

        DeployPlan plan = DeployPlanner.plan(SERVICE, PROD, current, NEW_IMAGE);

        assertThat(plan.changes()).containsExactly(new ContainerChange("worker", RUNNING, PINNED));
    }

    @Test
    void describesEachChangeAsContainerFromTo() {
        TaskDefinitionSnapshot current = snapshot(
                new ContainerImage("app", RUNNING),
                new ContainerImage("worker", RUNNING));

        DeployPlan plan = DeployPlanner.plan(SERVICE, PROD, current, NEW_IMAGE);

        assertThat(plan.describe()).containsExactly(
                "app: 111111111111.dkr.ecr.eu-west-1.amazonaws.com/payments-api:1.3.0 -> " + PINNED,
                "worker: 111111111111.dkr.ecr.eu-west-1.amazonaws.com/payments-api:1.3.0 -> " + PINNED);
    }

    private static TaskDefinitionSnapshot snapshot(ContainerImage... containers) {
        return new TaskDefinitionSnapshot(ARN, "payments-api", 7, List.of(containers));
    }
}
