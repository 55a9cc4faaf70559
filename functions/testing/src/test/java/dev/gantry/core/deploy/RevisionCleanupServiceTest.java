package dev.gantry.core.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gantry.core.config.ConfigLoader;
import dev.gantry.core.config.EnvironmentConfig;
import dev.gantry.core.config.GantryConfig;
import dev.gantry.core.deploy.EcsGateway.EcsGatewayException;
import dev.gantry.core.deploy.RevisionCleanup.Status;
import dev.gantry.testing.InMemoryEcsGateway;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class RevisionCleanupServiceTest {

    private static final String FAMILY = "orders";
    private static final List<ContainerImage> CONTAINERS = List.of(
            new ContainerImage("app", "111111111111.dkr.ecr.eu-west-1.amazonaws.com/orders:1.0.0"));

    // staging keeps 3 revisions and shares the family with prod; billing runs in another account through a role.
    private static final GantryConfig CONFIG = ConfigLoader.parse("""
            version: 1
            services:
              - name: orders
                repository: team/orders
                tagPolicy:
                  glob: "v*"
                environments:
                  - name: staging
                    account: "111111111111"
                    region: eu-west-1
                    cluster: staging
                    service: orders
                    keepRevisions: 3
                  - name: prod
                    account: "111111111111"
                    region: eu-west-1
                    cluster: prod
                    service: orders
              - name: billing
                repository: team/billing
                tagPolicy:
                  exact: stable
                environments:
                  - name: prod
                    account: "222222222222"
                    region: eu-west-1
                    cluster: main
                    service: billing
                    keepRevisions: 2
                    roleArn: arn:aws:iam::222222222222:role/gantry-deployer
            """, "gantry.yml");

    private final EnvironmentConfig staging = environment("orders", "staging");
    private final EnvironmentConfig prod = environment("orders", "prod");
    private final EnvironmentConfig billing = environment("billing", "prod");
    private final EcsServiceRef stagingRef = EcsServiceRef.of(staging);
    private final EcsServiceRef prodRef = EcsServiceRef.of(prod);

    private final InMemoryEcsGateway ecs = new InMemoryEcsGateway();
    private final RevisionCleanupService cleanup = new RevisionCleanupService(CONFIG, ecs);

    /** Revisions 1 to 6 of the family, in order; prod runs 1, staging runs 6. */
    private final List<String> revision = new ArrayList<>();

    @BeforeEach
    void givenAFamilyWithHistory() {
        revision.add(null); // revision numbers are 1-based
        revision.add(ecs.givenService(prodRef, FAMILY, CONTAINERS));
        for (int i = 2; i <= 5; i++) {
            revision.add(ecs.givenRevision(stagingRef, FAMILY, CONTAINERS));
        }
        revision.add(ecs.givenService(stagingRef, FAMILY, CONTAINERS));
    }

    @Test
    void deregistersWhatIsOlderThanTheNewestKeptOldestFirst() {
        String deployed = deployStaging();

        RevisionCleanup result = cleanup.afterDeploy(staging, revision.get(6), deployed);

        // Newest three: 7 (deployed), 6 (replaced), 5. Revision 1 is what prod runs.
        assertThat(result.status()).isEqualTo(Status.CLEANED);
        assertThat(result.family()).isEqualTo(FAMILY);
        assertThat(result.deregistered()).containsExactly(revision.get(2), revision.get(3), revision.get(4));
        assertThat(ecs.calls("DeregisterTaskDefinition")).extracting(InMemoryEcsGateway.Call::taskDefinitionArn)
                .containsExactly(revision.get(2), revision.get(3), revision.get(4));
        assertThat(List.of(revision.get(1), revision.get(5), revision.get(6), deployed)).allMatch(ecs::isActive);
        assertThat(result.describe()).isEqualTo("deregistered 3 old revision(s) of orders");
    }

    @Test
    void keepsARevisionAnotherEnvironmentIsStillRollingFrom() {
        ecs.givenActiveDeployment(prodRef, revision.get(2));
        String deployed = deployStaging();

        RevisionCleanup result = cleanup.afterDeploy(staging, revision.get(6), deployed);

        assertThat(result.deregistered()).containsExactly(revision.get(3), revision.get(4));
        assertThat(ecs.isActive(revision.get(2))).isTrue();
    }

    @Test
    void keepsTheReplacedRevisionHoweverOldItIs() {
        // staging was moved back to revision 2 by hand; the deploy replaces that one, and its rollout is already over.
        ecs.updateService(stagingRef, revision.get(2));
        String deployed = ecs.registerRevision(stagingRef, revision.get(2), Map.of());
        ecs.updateService(stagingRef, deployed);

        RevisionCleanup result = cleanup.afterDeploy(staging, revision.get(2), deployed);

        assertThat(result.deregistered()).containsExactly(revision.get(3), revision.get(4));
        assertThat(ecs.isActive(revision.get(2))).isTrue();
    }

    @Test
    void describesNoServiceWhenTheFamilyIsWithinKeepRevisions() {
        // prod keeps the default ten, and the family has seven revisions.
        String deployed = deployStaging();
        ecs.failNext("DescribeServices", new EcsGatewayException("must not be asked", null));

        RevisionCleanup result = cleanup.afterDeploy(prod, revision.get(1), deployed);

        assertThat(result.status()).isEqualTo(Status.CLEANED);
        assertThat(result.deregistered()).isEmpty();
        assertThat(result.describe()).isEqualTo("no old revision of orders to deregister");
    }

    @Test
    void leavesTheRestForLaterDeploysBeyondTheLimit() {
        RevisionCleanupService limited = new RevisionCleanupService(CONFIG, ecs, 2);
        String deployed = deployStaging();

        RevisionCleanup result = limited.afterDeploy(staging, revision.get(6), deployed);

        assertThat(result.deregistered()).containsExactly(revision.get(2), revision.get(3));
        assertThat(result.deferred()).isEqualTo(1);
        assertThat(result.describe()).isEqualTo("deregistered 2 old revision(s) of orders, 1 more left for later deploys");
    }

    @Test
    void aFailedDescribeDeregistersNothingAndIsReportedNotThrown() {
        String deployed = deployStaging();
        ecs.failNext("DescribeServices", new EcsGatewayException("DescribeServices for prod/orders failed: Rate exceeded", null));

        RevisionCleanup result = cleanup.afterDeploy(staging, revision.get(6), deployed);

        assertThat(result.status()).isEqualTo(Status.FAILED);
        assertThat(result.reason()).contains("Rate exceeded");
        assertThat(result.deregistered()).isEmpty();
        assertThat(ecs.calls("DeregisterTaskDefinition")).isEmpty();
        assertThat(result.describe()).startsWith("revision cleanup of orders failed after 0 deregistration(s): ");
    }

    @Test
    void aFailedListingIsReportedNotThrown() {
        String deployed = deployStaging();
        ecs.failNext("ListTaskDefinitions", new EcsGatewayException("ListTaskDefinitions was refused: AccessDenied", null));

        RevisionCleanup result = cleanup.afterDeploy(staging, revision.get(6), deployed);

        assertThat(result.status()).isEqualTo(Status.FAILED);
        assertThat(result.reason()).contains("AccessDenied");
    }

    @Test
    void aFailedDeregistrationStopsTheCleanupAndKeepsTheRest() {
        String deployed = deployStaging();
        ecs.failNext("DeregisterTaskDefinition", new EcsGatewayException("DeregisterTaskDefinition failed: Rate exceeded", null));

        RevisionCleanup result = cleanup.afterDeploy(staging, revision.get(6), deployed);

        assertThat(result.status()).isEqualTo(Status.FAILED);
        assertThat(result.family()).isEqualTo(FAMILY);
        assertThat(List.of(revision.get(2), revision.get(3), revision.get(4))).allMatch(ecs::isActive);
    }

    @Test
    void skipsADeployedRevisionWhoseArnNamesNoFamily() {
        RevisionCleanup result = cleanup.afterDeploy(staging, revision.get(6), "orders:7");

        assertThat(result.status()).isEqualTo(Status.SKIPPED);
        assertThat(result.describe()).contains("'orders:7'");
        assertThat(ecs.calls()).isEmpty();
    }

    @Test
    void cleansAnotherAccountThroughItsRoleAndOnlyThere() {
        EcsServiceRef billingRef = EcsServiceRef.of(billing);
        String first = ecs.givenService(billingRef, FAMILY, CONTAINERS);
        String second = ecs.givenRevision(billingRef, FAMILY, CONTAINERS);
        String previous = ecs.givenRevision(billingRef, FAMILY, CONTAINERS);
        ecs.updateService(billingRef, previous);
        String deployed = ecs.registerRevision(billingRef, previous, Map.of());
        ecs.updateService(billingRef, deployed);

        RevisionCleanup result = cleanup.afterDeploy(billing, previous, deployed);

        // keepRevisions 2 in account 222222222222; the family of the same name in 111111111111 is another family.
        assertThat(result.deregistered()).containsExactly(first, second);
        assertThat(first).isEqualTo("arn:aws:ecs:eu-west-1:222222222222:task-definition/orders:1");
        assertThat(ecs.calls("DeregisterTaskDefinition")).allSatisfy(call ->
                assertThat(call.service().roleArn()).isEqualTo("arn:aws:iam::222222222222:role/gantry-deployer"));
        assertThat(revision.subList(1, 7)).allMatch(ecs::isActive);
    }

    /** Registers a copy of what staging runs and moves staging to it, as a deploy does; the old revision rolls out. */
    private String deployStaging() {
        String deployed = ecs.registerRevision(stagingRef, revision.get(6), Map.of());
        ecs.updateService(stagingRef, deployed);
        ecs.givenActiveDeployment(stagingRef, revision.get(6));
        return deployed;
    }

    private static EnvironmentConfig environment(String service, String name) {
        return CONFIG.services().stream().filter(s -> s.name().equals(service)).findFirst().orElseThrow()
                .environments().stream().filter(e -> e.name().equals(name)).findFirst().orElseThrow();
    }
}
