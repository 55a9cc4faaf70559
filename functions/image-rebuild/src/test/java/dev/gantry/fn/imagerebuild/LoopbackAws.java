package dev.gantry.fn.imagerebuild;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;

import com.amazonaws.services.dynamodbv2.local.main.ServerRunner;
import com.amazonaws.services.dynamodbv2.local.server.DynamoDBProxyServer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.MappingBuilder;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import dev.gantry.aws.EcrTagsWire;
import dev.gantry.aws.EcsWire;
import dev.gantry.aws.JsonProtocolWire;
import dev.gantry.aws.StateTable;
import dev.gantry.core.rebuild.ImageLabels;
import dev.gantry.testing.Fixtures;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.codebuild.CodeBuildClient;
import software.amazon.awssdk.services.codepipeline.CodePipelineClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.ecr.EcrClient;
import software.amazon.awssdk.services.imagebuilder.ImagebuilderClient;

/**
 * An AWS on loopback for the rebuild function: one WireMock server speaking CodeBuild, CodePipeline, ECR and ECS (all
 * JSON 1.1, told apart by {@code X-Amz-Target}) and EC2 Image Builder (REST JSON, told apart by its path), and
 * DynamoDB Local over HTTP with Gantry's table.
 */
final class LoopbackAws implements AutoCloseable {

    static final String TABLE = "gantry-state";
    static final String ACCOUNT = "111111111111";
    static final String REGION = "eu-west-1";
    /** The build id StartBuild answers for every project, as the derived CodeBuild event names it. */
    static final String BUILD_UUID = "5d2c7e40-9b1a-4f63-8e07-2a6c4b9d1f58";
    // The prefix the SDK sends for CodeBuild; dev.gantry.aws.JsonProtocolWire has no CodeBuild instance.
    private static final String START_BUILD = "CodeBuild_20161006.StartBuild";
    private static final String LIST_BUILDS_FOR_PROJECT = "CodeBuild_20161006.ListBuildsForProject";
    private static final String START_PIPELINE_EXECUTION = "CodePipeline_20150709.StartPipelineExecution";
    private static final String CONTENT_TYPE = "application/x-amz-json-1.1";
    private static final String DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final StaticCredentialsProvider CREDENTIALS =
            StaticCredentialsProvider.create(AwsBasicCredentials.create("testaccesskey", "test-secret-key"));

    final WireMockServer services = new WireMockServer(options().dynamicPort().bindAddress("127.0.0.1"));
    final int dynamoPort;
    private final DynamoDBProxyServer dynamoServer;
    final DynamoDbClient dynamo;
    final CodeBuildClient codeBuild;
    final CodePipelineClient codePipeline;
    final EcrClient ecr;
    final ImagebuilderClient imageBuilder;

    LoopbackAws() throws Exception {
        services.start();
        dynamoPort = freePort();
        dynamoServer = ServerRunner.createServerFromCommandLineArgs(new String[] {"-inMemory", "-port", Integer.toString(dynamoPort)});
        dynamoServer.start();
        dynamo = DynamoDbClient.builder()
                .endpointOverride(URI.create(dynamoEndpoint()))
                .region(Region.EU_WEST_1)
                .credentialsProvider(CREDENTIALS)
                .httpClient(UrlConnectionHttpClient.create())
                .build();
        // One attempt: the tests count StartBuild calls on the wire.
        codeBuild = CodeBuildClient.builder().endpointOverride(URI.create(services.baseUrl())).region(Region.EU_WEST_1)
                .credentialsProvider(CREDENTIALS).httpClient(UrlConnectionHttpClient.create())
                .overrideConfiguration(c -> c.retryStrategy(AwsRetryStrategy.doNotRetry())).build();
        codePipeline = CodePipelineClient.builder().endpointOverride(URI.create(services.baseUrl())).region(Region.EU_WEST_1)
                .credentialsProvider(CREDENTIALS).httpClient(UrlConnectionHttpClient.create())
                .overrideConfiguration(c -> c.retryStrategy(AwsRetryStrategy.doNotRetry())).build();
        ecr = EcrClient.builder().endpointOverride(URI.create(services.baseUrl())).region(Region.EU_WEST_1)
                .credentialsProvider(CREDENTIALS).httpClient(UrlConnectionHttpClient.create()).build();
        imageBuilder = ImagebuilderClient.builder().endpointOverride(URI.create(services.baseUrl())).region(Region.EU_WEST_1)
                .credentialsProvider(CREDENTIALS).httpClient(UrlConnectionHttpClient.create())
                .overrideConfiguration(c -> c.retryStrategy(AwsRetryStrategy.doNotRetry())).build();
        StateTable.createIfMissing(dynamo, TABLE);
    }

    String dynamoEndpoint() {
        return "http://127.0.0.1:" + dynamoPort;
    }

    void freshTable() {
        dynamo.deleteTable(r -> r.tableName(TABLE));
        StateTable.createIfMissing(dynamo, TABLE);
    }

    static MappingBuilder startBuild() {
        return post(urlEqualTo("/")).withHeader("X-Amz-Target", equalTo(START_BUILD));
    }

    /**
     * CodeBuild starting {@code project}'s build as {@code <project>:<BUILD_UUID>}, and listing no build of it from
     * before: a start it refused started nothing.
     */
    void acceptBuildsOf(String project) {
        services.stubFor(startBuild().withRequestBody(matchingJsonPath("$.projectName", equalTo(project)))
                .willReturn(json("{\"build\":{\"id\":\"" + project + ":" + BUILD_UUID + "\",\"projectName\":\"" + project
                        + "\",\"buildStatus\":\"IN_PROGRESS\"}}")));
        services.stubFor(post(urlEqualTo("/")).withHeader("X-Amz-Target", equalTo(LIST_BUILDS_FOR_PROJECT))
                .withRequestBody(matchingJsonPath("$.projectName", equalTo(project)))
                .willReturn(json("{\"ids\":[]}")));
    }

    /** The ListBuildsForProject requests that reached CodeBuild: a later attempt looking for an earlier one's build. */
    int buildListings() {
        return services.findAll(postRequestedFor(urlEqualTo("/")).withHeader("X-Amz-Target", equalTo(LIST_BUILDS_FOR_PROJECT))).size();
    }

    /** CodeBuild refusing every start: the account already runs as many builds as it may. */
    void refuseBuildsForAccountLimit() {
        services.stubFor(startBuild().willReturn(aResponse().withStatus(400).withHeader("Content-Type", CONTENT_TYPE)
                .withBody("{\"__type\":\"AccountLimitExceededException\",\"message\":\"Cannot have more than 60 active builds for the account\"}")));
    }

    /** CodePipeline starting {@code pipeline}'s execution as {@code executionId}. */
    void acceptExecutionsOf(String pipeline, String executionId) {
        services.stubFor(post(urlEqualTo("/")).withHeader("X-Amz-Target", equalTo(START_PIPELINE_EXECUTION))
                .withRequestBody(matchingJsonPath("$.name", equalTo(pipeline)))
                .willReturn(json("{\"pipelineExecutionId\":\"" + executionId + "\"}")));
    }

    /** Image Builder answering GetImage for {@code imageArn}: built by {@code pipelineArn}, distributed to {@code uris}. */
    void describeImageBuilderImage(String imageArn, String pipelineArn, String status, List<String> uris) {
        Map<String, Object> image = Map.of(
                "arn", imageArn,
                "sourcePipelineArn", pipelineArn,
                "state", Map.of("status", status),
                "outputResources", Map.of("containers", List.of(Map.of("region", REGION, "imageUris", uris))));
        try {
            services.stubFor(getImage(imageArn).willReturn(aResponse().withStatus(200).withHeader("Content-Type", "application/json")
                    .withBody(JSON.writeValueAsString(Map.of("requestId", "req-1", "image", image)))));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Image Builder failing every GetImage of {@code imageArn}. */
    void failImageBuilderLookups(String imageArn) {
        services.stubFor(getImage(imageArn).willReturn(aResponse().withStatus(500).withHeader("Content-Type", "application/json")
                .withHeader("x-amzn-ErrorType", "ServiceException").withBody("{\"message\":\"internal error\"}")));
    }

    int imageBuilderLookups() {
        return services.findAll(getRequestedFor(urlPathEqualTo("/GetImage"))).size();
    }

    private static MappingBuilder getImage(String imageArn) {
        return get(urlPathEqualTo("/GetImage")).withQueryParam("imageBuildVersionArn", equalTo(imageArn));
    }

    /** The StartPipelineExecution requests that reached CodePipeline, in order, as JSON. */
    List<JsonNode> startPipelineExecutionRequests() {
        return services.findAll(postRequestedFor(urlEqualTo("/")).withHeader("X-Amz-Target", equalTo(START_PIPELINE_EXECUTION)))
                .stream()
                .map(r -> {
                    try {
                        return JSON.readTree(r.getBodyAsString());
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                })
                .toList();
    }

    /** The StartBuild requests that reached CodeBuild, in order, as JSON. */
    List<JsonNode> startBuildRequests() {
        return services.findAll(postRequestedFor(urlEqualTo("/")).withHeader("X-Amz-Target", equalTo(START_BUILD))).stream()
                .map(r -> {
                    try {
                        return JSON.readTree(r.getBodyAsString());
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                })
                .toList();
    }

    /**
     * ECR holding {@code repository@digest}, whose image configuration says it was built FROM {@code baseName} at
     * {@code baseDigest} (the OCI base labels): the manifest through BatchGetImage, and the configuration through the
     * URL GetDownloadUrlForLayer hands out, here a path on this server.
     */
    void serveImageBuiltOn(String repository, String digest, String baseName, String baseDigest) {
        try {
            byte[] configuration = JSON.writeValueAsBytes(Map.of(
                    "architecture", "amd64",
                    "os", "linux",
                    "config", Map.of("Labels", Map.of(ImageLabels.BASE_NAME, baseName, ImageLabels.BASE_DIGEST, baseDigest)),
                    "rootfs", Map.of("type", "layers", "diff_ids", List.of())));
            String configDigest = sha256(configuration);
            String manifest = JSON.writeValueAsString(Map.of(
                    "schemaVersion", 2,
                    "mediaType", DOCKER_MANIFEST,
                    "config", Map.of("mediaType", "application/vnd.docker.container.image.v1+json", "size", configuration.length,
                            "digest", configDigest),
                    "layers", List.of()));
            services.stubFor(JsonProtocolWire.ECR.operation("BatchGetImage")
                    .withRequestBody(matchingJsonPath("$.repositoryName", equalTo(repository)))
                    .withRequestBody(matchingJsonPath("$.imageIds[0].imageDigest", equalTo(digest)))
                    .willReturn(JsonProtocolWire.json(JSON.writeValueAsString(Map.of(
                            "images", List.of(Map.of(
                                    "registryId", ACCOUNT,
                                    "repositoryName", repository,
                                    "imageId", Map.of("imageDigest", digest),
                                    "imageManifest", manifest,
                                    "imageManifestMediaType", DOCKER_MANIFEST)),
                            "failures", List.of())))));
            services.stubFor(JsonProtocolWire.ECR.operation("GetDownloadUrlForLayer")
                    .withRequestBody(matchingJsonPath("$.layerDigest", equalTo(configDigest)))
                    .willReturn(JsonProtocolWire.json(JSON.writeValueAsString(Map.of(
                            "downloadUrl", services.baseUrl() + "/blobs/" + configDigest, "layerDigest", configDigest)))));
            services.stubFor(get(urlPathEqualTo("/blobs/" + configDigest))
                    .willReturn(aResponse().withStatus(200).withBody(configuration)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Forgets every stub and request, then answers as the ECR the sample base pushes came from (see {@link EcrTagsWire}).
     * A test that pushes another digest moves the tag first, with {@link #tagPointsAt}, or Gantry takes its push for an
     * out-of-date one.
     */
    void resetToTheSamples() {
        services.resetAll();
        EcrTagsWire.asTheSampleBasePushesLeftThem(services);
    }

    /** ECR answering DescribeImages of {@code repository:tag} with {@code digest}: where the tag points now. */
    void tagPointsAt(String repository, String tag, String digest) {
        EcrTagsWire.tagPointsAt(services, ACCOUNT, repository, tag, digest);
    }

    /**
     * ECS running the example's payments-api service in {@code cluster} on revision {@code revision} of family
     * {@code payments-api-<cluster>}, its app container on {@code appImage}: the canned DescribeServices and
     * DescribeTaskDefinition responses in {@code events/}, with only those values changed.
     *
     * @return the revision's ARN
     */
    String runPaymentsApi(String cluster, int revision, String appImage) {
        String family = "payments-api-" + cluster;
        String arn = "arn:aws:ecs:" + REGION + ":" + ACCOUNT + ":task-definition/" + family + ":" + revision;
        String service = Fixtures.eventText("gantry-ecs-response-describe-services-payments-api.json")
                .replace("payments-api-staging:41", family + ":" + revision)
                .replace("cluster/staging", "cluster/" + cluster)
                .replace("service/staging/", "service/" + cluster + "/");
        String taskDefinition = Fixtures.eventText("gantry-ecs-response-describe-task-definition-payments-api.json")
                .replace("payments-api-staging:41", family + ":" + revision)
                .replace("\"family\":\"payments-api-staging\",\"revision\":41",
                        "\"family\":\"" + family + "\",\"revision\":" + revision)
                .replace(ACCOUNT + ".dkr.ecr." + REGION + ".amazonaws.com/payments-api:1.3.0", appImage);
        services.stubFor(EcsWire.operation("DescribeServices")
                .withRequestBody(matchingJsonPath("$.cluster", equalTo(cluster)))
                .withRequestBody(matchingJsonPath("$.services[0]", equalTo("payments-api")))
                .willReturn(EcsWire.json(service)));
        services.stubFor(EcsWire.operation("DescribeTaskDefinition")
                .withRequestBody(matchingJsonPath("$.taskDefinition", equalTo(arn)))
                .willReturn(EcsWire.json(taskDefinition)));
        return arn;
    }

    private static String sha256(byte[] bytes) {
        try {
            return "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }

    private static ResponseDefinitionBuilder json(String body) {
        return aResponse().withStatus(200).withHeader("Content-Type", CONTENT_TYPE).withBody(body);
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    @Override
    public void close() throws Exception {
        codeBuild.close();
        codePipeline.close();
        ecr.close();
        imageBuilder.close();
        dynamo.close();
        dynamoServer.stop();
        services.stop();
    }
}
