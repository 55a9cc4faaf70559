package dev.gantry.aws;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.util.Map;
import org.junit.jupiter.api.Test;

class S3ArtifactReaderTest {

    @Test
    void addressesObjectsPathStyleWhenTheEnvironmentNamesAnEndpointForEveryService() {
        assertThat(S3ArtifactReader.endpointConfigured(Map.of("AWS_ENDPOINT_URL", "http://127.0.0.1:4566"))).isTrue();
    }

    @Test
    void addressesObjectsPathStyleWhenTheEnvironmentNamesAnEndpointForS3() {
        assertThat(S3ArtifactReader.endpointConfigured(Map.of("AWS_ENDPOINT_URL_S3", "http://127.0.0.1:9000"))).isTrue();
    }

    @Test
    void addressesObjectsAsAwsDoesWithoutAnEndpoint() {
        assertThat(S3ArtifactReader.endpointConfigured(Map.of("AWS_ENDPOINT_URL_DYNAMODB", "http://127.0.0.1:8000"))).isFalse();
        assertThat(S3ArtifactReader.endpointConfigured(Map.of("AWS_ENDPOINT_URL", " "))).isFalse();
    }

    @Test
    void addressesObjectsAsAwsDoesWhenConfiguredEndpointsAreIgnored() {
        assertThat(S3ArtifactReader.endpointConfigured(Map.of("AWS_ENDPOINT_URL", "http://127.0.0.1:4566",
                "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "true"))).isFalse();
    }

    @Test
    void readsFromTheS3EndpointOfTheEnvironmentItIsGivenBeforeTheOneForEveryService() {
        assertThat(S3ArtifactReader.endpointOf(Map.of("AWS_ENDPOINT_URL", "http://127.0.0.1:4566",
                "AWS_ENDPOINT_URL_S3", " http://127.0.0.1:9000 "))).isEqualTo(URI.create("http://127.0.0.1:9000"));
        assertThat(S3ArtifactReader.endpointOf(Map.of("AWS_ENDPOINT_URL", "http://127.0.0.1:4566")))
                .isEqualTo(URI.create("http://127.0.0.1:4566"));
    }

    @Test
    void leavesTheEndpointToTheSdkWhenTheEnvironmentNamesNone() {
        assertThat(S3ArtifactReader.endpointOf(Map.of("AWS_ENDPOINT_URL_DYNAMODB", "http://127.0.0.1:8000"))).isNull();
        assertThat(S3ArtifactReader.endpointOf(Map.of("AWS_ENDPOINT_URL", "http://127.0.0.1:4566",
                "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "true"))).isNull();
    }
}
