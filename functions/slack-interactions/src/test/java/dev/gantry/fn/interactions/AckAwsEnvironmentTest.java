package dev.gantry.fn.interactions;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;
import software.amazon.awssdk.identity.spi.AwsSessionCredentialsIdentity;

class AckAwsEnvironmentTest {

    private static final Map<String, String> LAMBDA = Map.of("AWS_REGION", "eu-west-1", "AWS_ACCESS_KEY_ID", "testaccesskey",
            "AWS_SECRET_ACCESS_KEY", "test-secret-key", "AWS_SESSION_TOKEN", "test-session-token");

    @Test
    void talksToTheRegionalEndpointsByDefault() {
        AckAwsEnvironment aws = AckAwsEnvironment.from(LAMBDA);

        assertThat(aws.region()).isEqualTo("eu-west-1");
        assertThat(aws.secretsManagerEndpoint()).isEqualTo(URI.create("https://secretsmanager.eu-west-1.amazonaws.com"));
        assertThat(aws.sqsEndpoint()).isEqualTo(URI.create("https://sqs.eu-west-1.amazonaws.com"));
    }

    @Test
    void sendsBothServicesToTheGeneralEndpointWhenOneIsSet() {
        AckAwsEnvironment aws = AckAwsEnvironment.from(with("AWS_ENDPOINT_URL", "http://localhost:4566"));

        assertThat(aws.secretsManagerEndpoint()).isEqualTo(URI.create("http://localhost:4566"));
        assertThat(aws.sqsEndpoint()).isEqualTo(URI.create("http://localhost:4566"));
    }

    @Test
    void prefersAServicesOwnEndpointToTheGeneralOne() {
        Map<String, String> environment = with("AWS_ENDPOINT_URL", "http://localhost:4566");
        environment.put("AWS_ENDPOINT_URL_SQS", "http://localhost:9324");
        environment.put("AWS_ENDPOINT_URL_SECRETS_MANAGER", "https://secrets.test:8443");

        AckAwsEnvironment aws = AckAwsEnvironment.from(environment);

        assertThat(aws.sqsEndpoint()).isEqualTo(URI.create("http://localhost:9324"));
        assertThat(aws.secretsManagerEndpoint()).isEqualTo(URI.create("https://secrets.test:8443"));
    }

    @Test
    void signsWithTheSessionLambdaGives() {
        AwsCredentialsIdentity identity = AckAwsEnvironment.from(LAMBDA).credentials().get();

        assertThat(identity).isInstanceOf(AwsSessionCredentialsIdentity.class);
        assertThat(((AwsSessionCredentialsIdentity) identity).sessionToken()).isEqualTo("test-session-token");
        assertThat(identity.accessKeyId()).isEqualTo("testaccesskey");
    }

    @Test
    void signsWithLongTermKeysWithoutASessionToken() {
        Map<String, String> environment = new HashMap<>(LAMBDA);
        environment.remove("AWS_SESSION_TOKEN");

        AwsCredentialsIdentity identity = AckAwsEnvironment.from(environment).credentials().get();

        assertThat(identity).isNotInstanceOf(AwsSessionCredentialsIdentity.class);
        assertThat(identity.secretAccessKey()).isEqualTo("test-secret-key");
    }

    @Test
    void readsTheDefaultRegionWhenTheRegionIsUnset() {
        Map<String, String> environment = new HashMap<>(LAMBDA);
        environment.remove("AWS_REGION");
        environment.put("AWS_DEFAULT_REGION", "us-east-2");

        assertThat(AckAwsEnvironment.from(environment).sqsEndpoint()).isEqualTo(URI.create("https://sqs.us-east-2.amazonaws.com"));
    }

    @Test
    void refusesToStartWithoutARegion() {
        Map<String, String> environment = new HashMap<>(LAMBDA);
        environment.remove("AWS_REGION");

        assertThatThrownBy(() -> AckAwsEnvironment.from(environment)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("AWS_REGION is not set");
    }

    @Test
    void refusesHalfAnAccessKey() {
        Map<String, String> environment = new HashMap<>(LAMBDA);
        environment.remove("AWS_SECRET_ACCESS_KEY");

        assertThatThrownBy(() -> AckAwsEnvironment.from(environment)).isInstanceOf(IllegalStateException.class)
                .hasMessage("AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not");
    }

    @Test
    void refusesAnEndpointThatIsNotAnHttpUrl() {
        assertThatThrownBy(() -> AckAwsEnvironment.from(with("AWS_ENDPOINT_URL_SQS", "localhost:9324")))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("AWS_ENDPOINT_URL_SQS must be an absolute http or https URL");
    }

    @Test
    void namesAMissingSetting() {
        assertThatThrownBy(() -> AckAwsEnvironment.required(LAMBDA, "GANTRY_CHATOPS_REQUEST_QUEUE_URL"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("environment variable GANTRY_CHATOPS_REQUEST_QUEUE_URL is not set");
    }

    private static Map<String, String> with(String name, String value) {
        Map<String, String> environment = new HashMap<>(LAMBDA);
        environment.put(name, value);
        return environment;
    }
}
