package dev.gantry.aws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.regions.Region;

class AwsClientsTest {

    private static final Map<String, String> CREDENTIALS = Map.of("AWS_ACCESS_KEY_ID", "testaccesskey", "AWS_SECRET_ACCESS_KEY", "test-secret-key");

    @Test
    void readsTheRegionLambdaSets() {
        AwsClients aws = new AwsClients(with("AWS_REGION", "eu-west-1"));

        assertThat(aws.region()).isEqualTo(Region.EU_WEST_1);
    }

    @Test
    void fallsBackToTheDefaultRegionVariable() {
        AwsClients aws = new AwsClients(with("AWS_DEFAULT_REGION", "us-east-2"));

        assertThat(aws.region()).isEqualTo(Region.US_EAST_2);
    }

    @Test
    void refusesToStartWithoutARegionNamingTheVariable() {
        assertThatThrownBy(() -> new AwsClients(CREDENTIALS))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("AWS_REGION is not set");
    }

    @Test
    void namesAMissingRequiredSetting() {
        AwsClients aws = new AwsClients(with("AWS_REGION", "eu-west-1"));

        assertThatThrownBy(() -> aws.required("GANTRY_TABLE"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("environment variable GANTRY_TABLE is not set");
    }

    private static Map<String, String> with(String name, String value) {
        java.util.HashMap<String, String> env = new java.util.HashMap<>(CREDENTIALS);
        env.put(name, value);
        return env;
    }
}
