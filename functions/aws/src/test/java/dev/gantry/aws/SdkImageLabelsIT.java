package dev.gantry.aws;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.WireMockServer;
import dev.gantry.core.rebuild.ImageLabels;
import dev.gantry.core.rebuild.ImageLabels.ImageLabelsException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
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

class SdkImageLabelsIT {

    private static final JsonProtocolWire ECR = JsonProtocolWire.ECR;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String ACCOUNT = "111122223333";
    private static final String REGION = "eu-west-1";
    private static final String REPOSITORY = "payments-api";
    private static final String IMAGE_DIGEST = "sha256:07348c1177395e36a0630834b693a5318a854ba216a887b7c7244eefa4b0efcd";
    private static final String AMD64_DIGEST = "sha256:1b2e9c4e0a6f7d8c9b0a1f2e3d4c5b6a7980f1e2d3c4b5a69788f9e0d1c2b3a4";
    private static final String ARM64_DIGEST = "sha256:9a8b7c6d5e4f30211203f4e5d6c7b8a9f0e1d2c3b4a5968778695a4b3c2d1e0f";
    private static final String ATTESTATION_DIGEST = "sha256:5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e";
    private static final String BASE_NAME = "111122223333.dkr.ecr.eu-west-1.amazonaws.com/base-java21:21.0.5";
    private static final String BASE_DIGEST = "sha256:4f53cda18c2baa0c0354bb5f9a3ecbe5ed12ab4d8e11ba873c2f11161202b945";
    private static final String SIGNATURE = "X-Amz-Signature=0f1e2d3c4b5a69788796a5b4c3d2e1f0";

    private static final String CONFIG_WITH_LABELS = """
            {"architecture":"amd64","os":"linux","config":{"Env":["PATH=/usr/local/sbin:/usr/local/bin"],
              "Labels":{"%s":"%s","%s":"%s","maintainer":"platform-team"}},
             "rootfs":{"type":"layers","diff_ids":["sha256:aa"]}}""".formatted(
                    ImageLabels.BASE_NAME, BASE_NAME, ImageLabels.BASE_DIGEST, BASE_DIGEST);
    private static final String CONFIG_WITHOUT_LABELS = """
            {"architecture":"amd64","os":"linux","config":{"Env":["PATH=/usr/bin"],"Labels":null},
             "rootfs":{"type":"layers","diff_ids":["sha256:aa"]}}""";

    private static WireMockServer server;
    private static EcrClient client;
    private final List<String> regionsAsked = new ArrayList<>();
    private SdkImageLabels labels;

    @BeforeAll
    static void startServer() {
        server = new WireMockServer(options().dynamicPort().bindAddress("127.0.0.1"));
        server.start();
        client = EcrClient.builder()
                .endpointOverride(URI.create(server.baseUrl()))
                .region(Region.EU_WEST_1)
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
        labels = new SdkImageLabels(region -> {
            regionsAsked.add(region);
            return client;
        });
    }

    @Test
    void readsTheLabelsOfASingleManifestImage() {
        String configDigest = serveConfig(CONFIG_WITH_LABELS);
        serveManifest(IMAGE_DIGEST, SdkImageLabels.DOCKER_MANIFEST, manifest(SdkImageLabels.DOCKER_MANIFEST,
                "application/vnd.docker.container.image.v1+json", configDigest));

        Map<String, String> found = labels.labels(ACCOUNT, REGION, REPOSITORY, IMAGE_DIGEST);

        assertThat(found).containsExactlyInAnyOrderEntriesOf(Map.of(
                ImageLabels.BASE_NAME, BASE_NAME, ImageLabels.BASE_DIGEST, BASE_DIGEST, "maintainer", "platform-team"));
        assertThat(labels.baseDigest(ACCOUNT, REGION, REPOSITORY, IMAGE_DIGEST)).contains(BASE_DIGEST);
        assertThat(regionsAsked).contains(REGION);
        JsonNode request = ECR.requests(server, "BatchGetImage").get(0);
        assertThat(request.at("/registryId").asText()).isEqualTo(ACCOUNT);
        assertThat(request.at("/repositoryName").asText()).isEqualTo(REPOSITORY);
        assertThat(request.at("/imageIds/0/imageDigest").asText()).isEqualTo(IMAGE_DIGEST);
        assertThat(request.at("/acceptedMediaTypes")).extracting(JsonNode::asText).containsExactlyInAnyOrder(
                "application/vnd.docker.distribution.manifest.v2+json", "application/vnd.oci.image.manifest.v1+json",
                "application/vnd.oci.image.index.v1+json", "application/vnd.docker.distribution.manifest.list.v2+json");
        JsonNode layerRequest = ECR.requests(server, "GetDownloadUrlForLayer").get(0);
        assertThat(layerRequest.at("/registryId").asText()).isEqualTo(ACCOUNT);
        assertThat(layerRequest.at("/repositoryName").asText()).isEqualTo(REPOSITORY);
        assertThat(layerRequest.at("/layerDigest").asText()).isEqualTo(configDigest);
    }

    @Test
    void readsAnOciIndexThroughItsLinuxAmd64Manifest() {
        String configDigest = serveConfig(CONFIG_WITH_LABELS);
        serveManifest(IMAGE_DIGEST, SdkImageLabels.OCI_INDEX, """
                {"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[
                  {"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"%s","size":1,
                   "platform":{"architecture":"arm64","os":"linux"}},
                  {"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"%s","size":1,
                   "platform":{"architecture":"amd64","os":"linux"}},
                  {"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"%s","size":1,
                   "platform":{"architecture":"unknown","os":"unknown"}}]}""".formatted(ARM64_DIGEST, AMD64_DIGEST, ATTESTATION_DIGEST));
        serveManifest(AMD64_DIGEST, SdkImageLabels.OCI_MANIFEST, manifest(SdkImageLabels.OCI_MANIFEST,
                "application/vnd.oci.image.config.v1+json", configDigest));

        Map<String, String> found = labels.labels(ACCOUNT, REGION, REPOSITORY, IMAGE_DIGEST);

        assertThat(found).containsEntry(ImageLabels.BASE_DIGEST, BASE_DIGEST).containsEntry(ImageLabels.BASE_NAME, BASE_NAME);
        assertThat(ECR.requests(server, "BatchGetImage")).extracting(r -> r.at("/imageIds/0/imageDigest").asText())
                .containsExactly(IMAGE_DIGEST, AMD64_DIGEST);
    }

    @Test
    void readsAnIndexWithoutAmd64ThroughItsFirstImagePlatform() {
        String configDigest = serveConfig(CONFIG_WITH_LABELS);
        serveManifest(IMAGE_DIGEST, SdkImageLabels.DOCKER_MANIFEST_LIST, """
                {"schemaVersion":2,"mediaType":"application/vnd.docker.distribution.manifest.list.v2+json","manifests":[
                  {"mediaType":"application/vnd.docker.distribution.manifest.v2+json","digest":"%s","size":1,
                   "platform":{"architecture":"arm64","os":"linux","variant":"v8"}}]}""".formatted(ARM64_DIGEST));
        serveManifest(ARM64_DIGEST, SdkImageLabels.DOCKER_MANIFEST, manifest(SdkImageLabels.DOCKER_MANIFEST,
                "application/vnd.docker.container.image.v1+json", configDigest));

        assertThat(labels.labels(ACCOUNT, REGION, REPOSITORY, IMAGE_DIGEST)).containsEntry(ImageLabels.BASE_DIGEST, BASE_DIGEST);
    }

    @Test
    void answersNoLabelsForAnImageWhoseConfigurationHasNone() {
        String configDigest = serveConfig(CONFIG_WITHOUT_LABELS);
        serveManifest(IMAGE_DIGEST, SdkImageLabels.DOCKER_MANIFEST, manifest(SdkImageLabels.DOCKER_MANIFEST,
                "application/vnd.docker.container.image.v1+json", configDigest));

        assertThat(labels.labels(ACCOUNT, REGION, REPOSITORY, IMAGE_DIGEST)).isEmpty();
        assertThat(labels.baseDigest(ACCOUNT, REGION, REPOSITORY, IMAGE_DIGEST)).isEmpty();
        assertThat(server.findAll(getRequestedFor(urlPathEqualTo("/blobs/" + configDigest)))).hasSize(2);
    }

    @Test
    void reportsAnImageEcrDoesNotHaveNamingRepositoryAndDigest() {
        server.stubFor(ECR.operation("BatchGetImage").willReturn(JsonProtocolWire.json("""
                {"images":[],"failures":[{"imageId":{"imageDigest":"%s"},"failureCode":"ImageNotFound",
                  "failureReason":"Requested image not found"}]}""".formatted(IMAGE_DIGEST))));

        assertThatThrownBy(() -> labels.labels(ACCOUNT, REGION, REPOSITORY, IMAGE_DIGEST))
                .isInstanceOf(ImageLabelsException.class)
                .hasMessage("cannot read the labels of payments-api@" + IMAGE_DIGEST + " (registry 111122223333): BatchGetImage of "
                        + IMAGE_DIGEST + " answered ImageNotFound: Requested image not found");
    }

    @Test
    void reportsAMissingRepository() {
        server.stubFor(ECR.operation("BatchGetImage").willReturn(JsonProtocolWire.error("RepositoryNotFoundException",
                "The repository with name 'payments-api' does not exist in the registry with id '111122223333'")));

        assertThatThrownBy(() -> labels.labels(ACCOUNT, REGION, REPOSITORY, IMAGE_DIGEST))
                .isInstanceOf(ImageLabelsException.class)
                .hasMessageContaining("payments-api@" + IMAGE_DIGEST)
                .hasMessageEndingWith("ECR repository payments-api does not exist in registry 111122223333");
    }

    @Test
    void reportsAConfigurationLayerEcrCannotHandOut() {
        String configDigest = sha256(CONFIG_WITH_LABELS);
        serveManifest(IMAGE_DIGEST, SdkImageLabels.DOCKER_MANIFEST, manifest(SdkImageLabels.DOCKER_MANIFEST,
                "application/vnd.docker.container.image.v1+json", configDigest));
        server.stubFor(ECR.operation("GetDownloadUrlForLayer").willReturn(JsonProtocolWire.error("LayersNotFoundException",
                "The image layer does not exist")));

        assertThatThrownBy(() -> labels.labels(ACCOUNT, REGION, REPOSITORY, IMAGE_DIGEST))
                .isInstanceOf(ImageLabelsException.class)
                .hasMessageEndingWith("its image configuration " + configDigest + " is not available: LayersNotFoundException");
    }

    @Test
    void reportsARefusedDownloadWithoutThePresignedUrl() {
        String configDigest = sha256(CONFIG_WITH_LABELS);
        serveManifest(IMAGE_DIGEST, SdkImageLabels.DOCKER_MANIFEST, manifest(SdkImageLabels.DOCKER_MANIFEST,
                "application/vnd.docker.container.image.v1+json", configDigest));
        serveDownloadUrl(configDigest);
        server.stubFor(get(urlPathEqualTo("/blobs/" + configDigest)).willReturn(aResponse().withStatus(403)
                .withBody("<Error><Code>AccessDenied</Code><Message>Request has expired</Message></Error>")));

        assertThatThrownBy(() -> labels.labels(ACCOUNT, REGION, REPOSITORY, IMAGE_DIGEST))
                .isInstanceOf(ImageLabelsException.class)
                .hasMessageContaining("payments-api@" + IMAGE_DIGEST)
                .hasMessageEndingWith("downloading the image configuration " + configDigest + " answered HTTP 403")
                .hasMessageNotContaining(SIGNATURE)
                .hasMessageNotContaining(server.baseUrl());
    }

    @Test
    void refusesAConfigurationBlobLargerThanAMebibyte() {
        String oversized = "{\"config\":{\"Labels\":{\"padding\":\"" + "x".repeat(SdkImageLabels.MAX_CONFIG_BYTES) + "\"}}}";
        String configDigest = serveConfig(oversized);
        serveManifest(IMAGE_DIGEST, SdkImageLabels.DOCKER_MANIFEST, manifest(SdkImageLabels.DOCKER_MANIFEST,
                "application/vnd.docker.container.image.v1+json", configDigest));

        assertThatThrownBy(() -> labels.labels(ACCOUNT, REGION, REPOSITORY, IMAGE_DIGEST))
                .isInstanceOf(ImageLabelsException.class)
                .hasMessageEndingWith("the image configuration " + configDigest + " is larger than 1048576 bytes");
    }

    @Test
    void refusesABlobThatDoesNotMatchTheConfigDigest() {
        String configDigest = sha256(CONFIG_WITH_LABELS);
        serveManifest(IMAGE_DIGEST, SdkImageLabels.DOCKER_MANIFEST, manifest(SdkImageLabels.DOCKER_MANIFEST,
                "application/vnd.docker.container.image.v1+json", configDigest));
        serveDownloadUrl(configDigest);
        server.stubFor(get(urlPathEqualTo("/blobs/" + configDigest)).willReturn(aResponse().withStatus(200).withBody(CONFIG_WITHOUT_LABELS)));

        assertThatThrownBy(() -> labels.labels(ACCOUNT, REGION, REPOSITORY, IMAGE_DIGEST))
                .isInstanceOf(ImageLabelsException.class)
                .hasMessageEndingWith("does not match its digest");
    }

    @Test
    void reportsAManifestThatIsNotJson() {
        serveManifest(IMAGE_DIGEST, SdkImageLabels.DOCKER_MANIFEST, "{\"schemaVersion\":2,\"config\":");

        assertThatThrownBy(() -> labels.labels(ACCOUNT, REGION, REPOSITORY, IMAGE_DIGEST))
                .isInstanceOf(ImageLabelsException.class)
                .hasMessageContaining("payments-api@" + IMAGE_DIGEST)
                .hasMessageContaining("the manifest of " + IMAGE_DIGEST + " is not JSON");
        assertThat(ECR.requests(server, "GetDownloadUrlForLayer")).isEmpty();
    }

    @Test
    void reportsAConfigurationThatIsNotJson() {
        String configDigest = serveConfig("{\"config\":{\"Labels\":");
        serveManifest(IMAGE_DIGEST, SdkImageLabels.DOCKER_MANIFEST, manifest(SdkImageLabels.DOCKER_MANIFEST,
                "application/vnd.docker.container.image.v1+json", configDigest));

        assertThatThrownBy(() -> labels.labels(ACCOUNT, REGION, REPOSITORY, IMAGE_DIGEST))
                .isInstanceOf(ImageLabelsException.class)
                .hasMessageContaining("its image configuration is not JSON");
    }

    @Test
    void answersNoLabelsForAnArtifactThatIsNotAnImage() {
        serveManifest(IMAGE_DIGEST, SdkImageLabels.OCI_MANIFEST, manifest(SdkImageLabels.OCI_MANIFEST,
                "application/vnd.cncf.helm.config.v1+json", sha256("{}")));

        assertThat(labels.labels(ACCOUNT, REGION, REPOSITORY, IMAGE_DIGEST)).isEmpty();
        assertThat(ECR.requests(server, "GetDownloadUrlForLayer")).isEmpty();
    }

    private static String manifest(String mediaType, String configMediaType, String configDigest) {
        return """
                {"schemaVersion":2,"mediaType":"%s","config":{"mediaType":"%s","size":1469,"digest":"%s"},
                 "layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","size":29126484,
                   "digest":"sha256:a2318d6c47ec9cac5acc500c47c79602bcf953cec711a18bc898911a0984365b"}]}"""
                .formatted(mediaType, configMediaType, configDigest);
    }

    private static void serveManifest(String digest, String mediaType, String manifest) {
        String image = JSON.createObjectNode()
                .put("registryId", ACCOUNT)
                .put("repositoryName", REPOSITORY)
                .put("imageManifest", manifest)
                .put("imageManifestMediaType", mediaType)
                .set("imageId", JSON.createObjectNode().put("imageDigest", digest))
                .toString();
        server.stubFor(ECR.operation("BatchGetImage")
                .withRequestBody(matchingJsonPath("$.imageIds[0].imageDigest", equalTo(digest)))
                .willReturn(JsonProtocolWire.json("{\"images\":[" + image + "],\"failures\":[]}")));
    }

    /** The blob on the loopback server, with a download URL that points there; its digest. */
    private static String serveConfig(String config) {
        String digest = sha256(config);
        serveDownloadUrl(digest);
        server.stubFor(get(urlPathEqualTo("/blobs/" + digest)).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "application/octet-stream").withBody(config)));
        return digest;
    }

    private static void serveDownloadUrl(String digest) {
        server.stubFor(ECR.operation("GetDownloadUrlForLayer")
                .withRequestBody(matchingJsonPath("$.layerDigest", equalTo(digest)))
                .willReturn(JsonProtocolWire.json(JSON.createObjectNode()
                        .put("downloadUrl", server.baseUrl() + "/blobs/" + digest + "?X-Amz-Algorithm=AWS4-HMAC-SHA256&" + SIGNATURE)
                        .put("layerDigest", digest)
                        .toString())));
    }

    private static String sha256(String text) {
        try {
            return "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
