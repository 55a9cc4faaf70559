package dev.gantry.aws;

import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import dev.gantry.core.image.ImageDigest;
import dev.gantry.core.image.ImageReference;
import dev.gantry.core.image.ImageRegistry;
import dev.gantry.core.image.ImageRegistry.ImageNotFoundException;
import dev.gantry.core.image.ImageRegistry.PinnedImage;
import dev.gantry.core.image.ImageRegistry.ImageRegistryException;
import java.net.URI;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.ecr.EcrClient;

class SdkImageRegistryIT {

    private static final JsonProtocolWire ECR = JsonProtocolWire.ECR;
    private static final String DIGEST = "sha256:07348c1177395e36a0630834b693a5318a854ba216a887b7c7244eefa4b0efcd";
    private static final String REPOSITORY = "222222222222.dkr.ecr.eu-central-1.amazonaws.com/payments-api";
    private static final ImageReference TAGGED = ImageReference.parse(REPOSITORY + ":1.4.0");

    private static WireMockServer server;
    private static EcrClient client;
    private final List<String> regionsAsked = new ArrayList<>();
    private SdkImageRegistry registry;

    @BeforeAll
    static void startServer() {
        server = new WireMockServer(options().dynamicPort().bindAddress("127.0.0.1"));
        server.start();
        client = EcrClient.builder()
                .endpointOverride(URI.create(server.baseUrl()))
                .region(Region.EU_CENTRAL_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("testaccesskey", "test-secret-key")))
                .httpClient(UrlConnectionHttpClient.create())
                .overrideConfiguration(c -> c.retryStrategy(AwsRetryStrategy.doNotRetry()))
                .build();
    }

    @AfterAll
    static void stopServer() {
        client.close();
        server.stop();
    }

    @BeforeEach
    void reset() {
        server.resetAll();
        registry = new SdkImageRegistry(region -> {
            regionsAsked.add(region);
            return client;
        });
    }

    @Test
    void asksTheImagesRegistryForItsTagInItsRegion() {
        server.stubFor(ECR.operation("DescribeImages").willReturn(JsonProtocolWire.json("""
                {"imageDetails":[{"registryId":"222222222222","repositoryName":"payments-api","imageDigest":"%s",
                  "imageTags":["1.4.0","latest"],"imageSizeInBytes":44728918,"imagePushedAt":1.7639E9}]}""".formatted(DIGEST))));

        ImageDigest digest = registry.digestOf(TAGGED);

        assertThat(digest).isEqualTo(new ImageDigest(DIGEST));
        JsonNode request = ECR.requests(server, "DescribeImages").get(0);
        assertThat(request.at("/registryId").asText()).isEqualTo("222222222222");
        assertThat(request.at("/repositoryName").asText()).isEqualTo("payments-api");
        assertThat(request.at("/imageIds/0/imageTag").asText()).isEqualTo("1.4.0");
        assertThat(request.at("/imageIds/0").has("imageDigest")).isFalse();
        assertThat(regionsAsked).containsExactly("eu-central-1");
    }

    @Test
    void readsTheDigestAndPushTimeOfATagInOneCall() {
        server.stubFor(ECR.operation("DescribeImages").willReturn(JsonProtocolWire.json("""
                {"imageDetails":[{"registryId":"222222222222","repositoryName":"payments-api","imageDigest":"%s",
                  "imageTags":["main-07348c1"],"imagePushedAt":1795427892.125}]}""".formatted(DIGEST))));

        PinnedImage pinned = registry.pin(ImageReference.parse(REPOSITORY + ":main-07348c1"));

        assertThat(pinned).isEqualTo(new PinnedImage(new ImageDigest(DIGEST), Instant.parse("2026-11-23T09:58:12.125Z")));
        assertThat(ECR.requests(server, "DescribeImages")).singleElement()
                .satisfies(request -> assertThat(request.at("/imageIds/0/imageTag").asText()).isEqualTo("main-07348c1"));
    }

    @Test
    void looksUpAnImageHandedOverByDigestByThatDigestForItsPushTime() {
        server.stubFor(ECR.operation("DescribeImages").willReturn(JsonProtocolWire.json("""
                {"imageDetails":[{"registryId":"222222222222","repositoryName":"payments-api","imageDigest":"%s",
                  "imagePushedAt":1795427892}]}""".formatted(DIGEST))));

        PinnedImage pinned = registry.pin(ImageReference.parse(REPOSITORY + "@" + DIGEST));

        assertThat(pinned).isEqualTo(new PinnedImage(new ImageDigest(DIGEST), Instant.parse("2026-11-23T09:58:12Z")));
        JsonNode request = ECR.requests(server, "DescribeImages").get(0);
        assertThat(request.at("/registryId").asText()).isEqualTo("222222222222");
        assertThat(request.at("/repositoryName").asText()).isEqualTo("payments-api");
        assertThat(request.at("/imageIds/0/imageDigest").asText()).isEqualTo(DIGEST);
        assertThat(request.at("/imageIds/0").has("imageTag")).isFalse();
        assertThat(regionsAsked).containsExactly("eu-central-1");
    }

    @Test
    void answersNoPushTimeWhenEcrGivesNone() {
        server.stubFor(ECR.operation("DescribeImages").willReturn(JsonProtocolWire.json("""
                {"imageDetails":[{"registryId":"222222222222","repositoryName":"payments-api","imageDigest":"%s"}]}""".formatted(DIGEST))));

        assertThat(registry.pin(ImageReference.parse(REPOSITORY + "@" + DIGEST)).pushedAt()).isNull();
    }

    @Test
    void reportsAnUnknownDigestAsNotFoundNamingDigestAndRepository() {
        server.stubFor(ECR.operation("DescribeImages").willReturn(JsonProtocolWire.error("ImageNotFoundException",
                "The image with imageId {imageDigest:'" + DIGEST + "', imageTag:'null'} does not exist within the repository")));

        assertThatThrownBy(() -> registry.pin(ImageReference.parse(REPOSITORY + "@" + DIGEST)))
                .isInstanceOf(ImageNotFoundException.class)
                .hasMessage("no image " + DIGEST + " in ECR repository payments-api (222222222222, eu-central-1)");
    }

    @Test
    void reportsARefusedDigestLookupAsARegistryFailureNamingTheDigest() {
        server.stubFor(ECR.operation("DescribeImages").willReturn(JsonProtocolWire.error("AccessDeniedException",
                "User is not authorized to perform: ecr:DescribeImages")));

        assertThatThrownBy(() -> registry.pin(ImageReference.parse(REPOSITORY + "@" + DIGEST)))
                .isInstanceOf(ImageRegistry.ImageAccessDeniedException.class)
                .hasMessage("DescribeImages of payments-api@" + DIGEST + " in ECR repository payments-api (222222222222, eu-central-1)"
                        + " was refused: AccessDeniedException (HTTP 400)");
    }

    @Test
    void reportsThrottlingAsARegistryFailureThatIsNoRefusal() {
        server.stubFor(ECR.operation("DescribeImages").willReturn(JsonProtocolWire.error("ThrottlingException", "Rate exceeded")));

        assertThatThrownBy(() -> registry.pin(ImageReference.parse(REPOSITORY + "@" + DIGEST)))
                .isInstanceOf(ImageRegistryException.class)
                .isNotInstanceOf(ImageRegistry.ImageAccessDeniedException.class)
                .hasMessageContaining("was refused: ThrottlingException (HTTP 400)");
    }

    @Test
    void reportsAnUnknownTagAsNotFoundNamingTagAndRepository() {
        server.stubFor(ECR.operation("DescribeImages").willReturn(JsonProtocolWire.error("ImageNotFoundException",
                "The image with imageId {imageDigest:'null', imageTag:'1.4.0'} does not exist within the repository")));

        assertThatThrownBy(() -> registry.digestOf(TAGGED))
                .isInstanceOf(ImageNotFoundException.class)
                .hasMessage("no image tagged '1.4.0' in ECR repository payments-api (222222222222, eu-central-1)");
    }

    @Test
    void reportsAnUnknownRepositoryAsNotFound() {
        server.stubFor(ECR.operation("DescribeImages").willReturn(JsonProtocolWire.error("RepositoryNotFoundException",
                "The repository with name 'payments-api' does not exist in the registry with id '222222222222'")));

        assertThatThrownBy(() -> registry.digestOf(TAGGED))
                .isInstanceOf(ImageNotFoundException.class)
                .hasMessage("ECR repository payments-api (222222222222, eu-central-1) does not exist, so it has no image tagged '1.4.0'");
    }

    @Test
    void reportsARefusalAsARegistryFailureWithTheErrorCode() {
        server.stubFor(ECR.operation("DescribeImages").willReturn(JsonProtocolWire.error("AccessDeniedException",
                "User is not authorized to perform: ecr:DescribeImages")));

        assertThatThrownBy(() -> registry.digestOf(TAGGED))
                .isInstanceOf(ImageRegistryException.class)
                .hasMessageContaining("was refused: AccessDeniedException (HTTP 400)");
    }

    @Test
    void refusesToLookUpAnImageOutsideEcr() {
        assertThatThrownBy(() -> registry.digestOf(ImageReference.parse("public.ecr.aws/aws-observability/aws-for-fluent-bit:2.32.4")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("is not in an Amazon ECR registry");
        assertThat(server.getAllServeEvents()).isEmpty();
    }
}
