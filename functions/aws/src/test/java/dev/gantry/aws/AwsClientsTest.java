package dev.gantry.aws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
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

    @Test
    void assumesRolesThroughStsInGantrysRegionWithItsOwnCredentials() {
        AwsClients aws = new AwsClients(with("AWS_REGION", "eu-west-1"));

        try (var sts = aws.sts()) {
            assertThat(sts.serviceClientConfiguration().region()).isEqualTo(Region.EU_WEST_1);
            assertThat(sts.serviceClientConfiguration().credentialsProvider()).isSameAs(aws.credentials());
        }
    }

    @Test
    void buildsEcsClientsForAnotherRegionSigningWithTheCredentialsGiven() {
        AwsClients aws = new AwsClients(with("AWS_REGION", "eu-west-1"));
        var assumed = StaticCredentialsProvider.create(AwsBasicCredentials.create("assumedaccesskey", "assumed-secret-key"));

        try (var ecs = aws.ecs(Region.US_EAST_1, assumed); var own = aws.ecs(Region.US_EAST_1)) {
            assertThat(ecs.serviceClientConfiguration().region()).isEqualTo(Region.US_EAST_1);
            assertThat(ecs.serviceClientConfiguration().credentialsProvider()).isSameAs(assumed);
            assertThat(own.serviceClientConfiguration().credentialsProvider()).isSameAs(aws.credentials());
        }
    }

    @Test
    void signsWithTheKeysOfTheEnvironmentItIsGivenSessionTokenIncluded() {
        Map<String, String> env = with("AWS_REGION", "eu-west-1");
        env.put("AWS_SESSION_TOKEN", "test-session-token");

        var credentials = new AwsClients(env).credentials().resolveCredentials();

        assertThat(credentials.accessKeyId()).isEqualTo("testaccesskey");
        assertThat(credentials.secretAccessKey()).isEqualTo("test-secret-key");
        assertThat(((software.amazon.awssdk.auth.credentials.AwsSessionCredentials) credentials).sessionToken()).isEqualTo("test-session-token");
    }

    @Test
    void refusesAnAccessKeyWithoutItsSecretNamingWhatIsMissing() {
        Map<String, String> env = new java.util.HashMap<>(Map.of("AWS_REGION", "eu-west-1", "AWS_ACCESS_KEY_ID", "testaccesskey"));

        assertThatThrownBy(() -> new AwsClients(env)).hasMessage("AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not");
    }

    @Test
    void talksToTheEndpointsTheEnvironmentItIsGivenNamesServiceFirst() {
        Map<String, String> env = with("AWS_REGION", "eu-west-1");
        env.put("AWS_ENDPOINT_URL", "http://127.0.0.1:4566");
        env.put("AWS_ENDPOINT_URL_DYNAMODB", "http://127.0.0.1:8000");
        AwsClients aws = new AwsClients(env);

        try (var ecs = aws.ecs(Region.EU_WEST_1); var dynamo = aws.dynamoDb(); var sqs = aws.sqs()) {
            assertThat(ecs.serviceClientConfiguration().endpointOverride()).contains(java.net.URI.create("http://127.0.0.1:4566"));
            assertThat(dynamo.serviceClientConfiguration().endpointOverride()).contains(java.net.URI.create("http://127.0.0.1:8000"));
            assertThat(sqs.serviceClientConfiguration().endpointOverride()).contains(java.net.URI.create("http://127.0.0.1:4566"));
        }
        env.put("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "true");
        try (var ecs = new AwsClients(env).ecs(Region.EU_WEST_1)) {
            assertThat(ecs.serviceClientConfiguration().endpointOverride()).isEmpty();
        }
    }

    @Test
    void waitsTenSecondsForAnAnswerUnlessToldOtherwise() {
        assertThat(AwsClients.readTimeout(Map.of())).hasSeconds(10);
        assertThat(AwsClients.readTimeout(Map.of(AwsClients.READ_TIMEOUT_ENV, "750"))).hasMillis(750);
    }

    @Test
    void givesEveryCallThreeAttemptsAndCutsItOffAtTwoAndAHalfReadTimeouts() {
        Map<String, String> env = with("AWS_REGION", "eu-west-1");
        env.put(AwsClients.READ_TIMEOUT_ENV, "2000");

        try (var dynamo = new AwsClients(env).dynamoDb()) {
            var overrides = dynamo.serviceClientConfiguration().overrideConfiguration();
            assertThat(overrides.apiCallTimeout()).contains(java.time.Duration.ofMillis(5000));
            assertThat(overrides.retryStrategy().orElseThrow().maxAttempts()).isEqualTo(3);
        }
    }

    @Test
    void refusesAReadTimeoutThatIsNotAPositiveNumberNamingIt() {
        Map<String, String> env = with("AWS_REGION", "eu-west-1");
        env.put(AwsClients.READ_TIMEOUT_ENV, "15s");

        assertThatThrownBy(() -> new AwsClients(env))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("GANTRY_AWS_READ_TIMEOUT_MS must be a positive number of milliseconds, not '15s'");
        assertThatThrownBy(() -> AwsClients.readTimeout(Map.of(AwsClients.READ_TIMEOUT_ENV, "0")))
                .isInstanceOf(IllegalArgumentException.class);
    }

    private static Map<String, String> with(String name, String value) {
        java.util.HashMap<String, String> env = new java.util.HashMap<>(CREDENTIALS);
        env.put(name, value);
        return env;
    }
}
