package dev.gantry.core.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gantry.core.config.ConfigLoader;
import dev.gantry.core.config.EnvironmentConfig;
import org.junit.jupiter.api.Test;

class EcsServiceRefTest {

    private static final EnvironmentConfig PROD = ConfigLoader.parse("""
            version: 1
            services:
              - name: orders
                repository: team/orders
                tagPolicy:
                  glob: "v*"
                environments:
                  - name: prod
                    account: "222222222222"
                    region: eu-west-1
                    cluster: main
                    service: orders
                    roleArn: arn:aws:iam::222222222222:role/gantry-deployer
            """, "gantry.yml").services().get(0).environments().get(0);

    @Test
    void carriesTheRoleTheConfigurationReachesTheServiceThrough() {
        EcsServiceRef ref = EcsServiceRef.of(PROD);

        assertThat(ref.roleArn()).isEqualTo("arn:aws:iam::222222222222:role/gantry-deployer");
        assertThat(ref.toString()).isEqualTo("main/orders (222222222222, eu-west-1)");
    }

    @Test
    void aReferenceReadFromAnEventEqualsTheConfiguredOneThoughItNamesNoRole() {
        EcsServiceRef fromEvent = new EcsServiceRef("222222222222", "eu-west-1", "main", "orders");

        assertThat(fromEvent).isEqualTo(EcsServiceRef.of(PROD)).hasSameHashCodeAs(EcsServiceRef.of(PROD));
        assertThat(fromEvent.roleArn()).isNull();
    }

    @Test
    void anotherServiceClusterAccountOrRegionIsAnotherService() {
        EcsServiceRef ref = EcsServiceRef.of(PROD);

        assertThat(ref).isNotEqualTo(new EcsServiceRef("222222222222", "eu-west-1", "main", "billing"))
                .isNotEqualTo(new EcsServiceRef("222222222222", "eu-west-1", "other", "orders"))
                .isNotEqualTo(new EcsServiceRef("333333333333", "eu-west-1", "main", "orders"))
                .isNotEqualTo(new EcsServiceRef("222222222222", "us-east-1", "main", "orders"));
    }

    @Test
    void servicesInOneAccountAndRegionShareTaskDefinitions() {
        EcsServiceRef ref = EcsServiceRef.of(PROD);

        assertThat(ref.sameLocationAs(new EcsServiceRef("222222222222", "eu-west-1", "other", "billing"))).isTrue();
        assertThat(ref.sameLocationAs(new EcsServiceRef("222222222222", "us-east-1", "main", "orders"))).isFalse();
        assertThat(ref.sameLocationAs(new EcsServiceRef("333333333333", "eu-west-1", "main", "orders"))).isFalse();
    }
}
