package dev.gantry.aws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gantry.core.config.ConfigLoader;
import dev.gantry.core.config.EnvironmentConfig;
import dev.gantry.core.config.GantryConfig;
import dev.gantry.core.deploy.EcsServiceRef;
import java.net.URI;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.ecs.EcsClient;
import software.amazon.awssdk.services.sts.StsClient;
import software.amazon.awssdk.services.sts.auth.StsAssumeRoleCredentialsProvider;

/** Which client reaches which service. Building clients makes no call, so no server is needed. */
class EcsClientsTest {

    private static final AwsCredentialsProvider SOURCE =
            StaticCredentialsProvider.create(AwsBasicCredentials.create("testaccesskey", "test-secret-key"));
    // Never contacted: these tests only build clients.
    private static final URI UNUSED = URI.create("http://127.0.0.1:9");

    private static final String DEPLOYER = "arn:aws:iam::222222222222:role/gantry-deployer";

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
                  - name: qa
                    account: "111111111111"
                    region: eu-west-1
                    cluster: qa
                    service: orders
                  - name: prod
                    account: "222222222222"
                    region: eu-west-1
                    cluster: prod
                    service: orders
                    roleArn: arn:aws:iam::222222222222:role/gantry-deployer
                  - name: prod-us
                    account: "222222222222"
                    region: us-east-1
                    cluster: prod
                    service: orders
                    roleArn: arn:aws:iam::222222222222:role/gantry-deployer
              - name: billing
                repository: team/billing
                tagPolicy:
                  exact: stable
                environments:
                  - name: prod
                    account: "222222222222"
                    region: eu-west-1
                    cluster: prod
                    service: billing
                    roleArn: arn:aws:iam::222222222222:role/gantry-deployer
                  - name: eu-central
                    account: "333333333333"
                    region: eu-central-1
                    cluster: main
                    service: billing
                    roleArn: arn:aws:iam::333333333333:role/platform/gantry-deployer-with-a-long-name
            """, "gantry.yml");

    private final AtomicInteger stsClientsBuilt = new AtomicInteger();
    private EcsClients clients;

    @AfterEach
    void close() {
        if (clients != null) {
            clients.close();
        }
    }

    @Test
    void buildsOneClientPerRegionAndRole() {
        clients = build(CONFIG);

        // eu-west-1 with own credentials; eu-west-1, us-east-1 and eu-central-1 through roles.
        assertThat(clients.size()).isEqualTo(4);
        assertThat(stsClientsBuilt).hasValue(1);
    }

    @Test
    void servicesWithoutARoleInOneRegionShareTheClientSigningWithGantrysOwnCredentials() {
        clients = build(CONFIG);

        EcsClient staging = clients.forTarget(ref("orders", "staging"));

        assertThat(clients.forTarget(ref("orders", "qa"))).isSameAs(staging);
        assertThat(staging.serviceClientConfiguration().region()).isEqualTo(Region.EU_WEST_1);
        assertThat(staging.serviceClientConfiguration().credentialsProvider()).isSameAs(SOURCE);
        assertThat(clients.sessionNameFor(ref("orders", "staging"))).isEmpty();
    }

    @Test
    void aServiceWithARoleIsReachedWithCredentialsOfThatRoleInItsRegion() {
        clients = build(CONFIG);

        EcsClient prod = clients.forTarget(ref("orders", "prod"));
        EcsClient prodUs = clients.forTarget(ref("orders", "prod-us"));

        assertThat(prod).isNotSameAs(clients.forTarget(ref("orders", "staging"))).isNotSameAs(prodUs);
        assertThat(prod.serviceClientConfiguration().region()).isEqualTo(Region.EU_WEST_1);
        assertThat(prodUs.serviceClientConfiguration().region()).isEqualTo(Region.US_EAST_1);
        assertThat(prod.serviceClientConfiguration().credentialsProvider()).isInstanceOf(StsAssumeRoleCredentialsProvider.class);
    }

    @Test
    void aRoleSeveralEnvironmentsShareInARegionIsOneClientWithASessionNamedForTheRegion() {
        clients = build(CONFIG);

        assertThat(clients.forTarget(ref("billing", "prod"))).isSameAs(clients.forTarget(ref("orders", "prod")));
        assertThat(clients.sessionNameFor(ref("orders", "prod"))).contains("gantry-eu-west-1");
        assertThat(clients.sessionNameFor(ref("orders", "prod-us"))).contains("gantry-orders-prod-us");
    }

    @Test
    void aReferenceNamingNoRoleIsReachedTheWayTheConfigurationReachesThatService() {
        clients = build(CONFIG);
        // As read from an ECS event: account, region, cluster and service, but no role.
        EcsServiceRef fromEvent = new EcsServiceRef("222222222222", "eu-west-1", "prod", "orders");

        assertThat(clients.forTarget(fromEvent)).isSameAs(clients.forTarget(ref("orders", "prod")));
        assertThat(clients.sessionNameFor(fromEvent)).contains("gantry-eu-west-1");
    }

    @Test
    void aServiceTheConfigurationDoesNotNameIsReachedWithGantrysOwnCredentialsInAConfiguredRegion() {
        clients = build(CONFIG);

        EcsClient client = clients.forTarget(new EcsServiceRef("111111111111", "eu-west-1", "staging", "other"));

        assertThat(client).isSameAs(clients.forTarget(ref("orders", "staging")));
    }

    @Test
    void sessionNamesStopAtSixtyFourCharacters() {
        String name = EcsClients.sessionName(new EcsClients.Route("eu-central-1", DEPLOYER),
                List.of("a-service-name-that-goes-on-and-on-and-on-" + "x".repeat(20) + "-prod"));

        assertThat(name).hasSize(64).startsWith("gantry-a-service-name-that-goes-on");
    }

    @Test
    void refusesATargetNoEnvironmentIsReachedThrough() {
        clients = build(CONFIG);

        assertThatThrownBy(() -> clients.forTarget(new EcsServiceRef("111111111111", "ap-south-1", "main", "orders")))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("ap-south-1");
        assertThatThrownBy(() -> clients.forTarget(new EcsServiceRef("111111111111", "eu-west-1", "staging", "orders",
                        "arn:aws:iam::111111111111:role/unknown")))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("role/unknown");
    }

    @Test
    void buildsNoStsClientWhenNoEnvironmentNamesARole() {
        GantryConfig withoutRoles = ConfigLoader.parse("""
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
                """, "gantry.yml");

        clients = build(withoutRoles);

        assertThat(stsClientsBuilt).hasValue(0);
        assertThat(clients.size()).isEqualTo(1);
    }

    private EcsClients build(GantryConfig config) {
        return new EcsClients(config,
                (region, credentials) -> EcsClient.builder().endpointOverride(UNUSED).region(region).credentialsProvider(credentials)
                        .httpClient(UrlConnectionHttpClient.create()).build(),
                SOURCE,
                () -> {
                    stsClientsBuilt.incrementAndGet();
                    return StsClient.builder().endpointOverride(UNUSED).region(Region.EU_WEST_1).credentialsProvider(SOURCE)
                            .httpClient(UrlConnectionHttpClient.create()).build();
                });
    }

    private static EcsServiceRef ref(String service, String environment) {
        EnvironmentConfig env = CONFIG.services().stream().filter(s -> s.name().equals(service)).findFirst().orElseThrow()
                .environments().stream().filter(e -> e.name().equals(environment)).findFirst().orElseThrow();
        return EcsServiceRef.of(env);
    }
}
