package dev.gantry.reliability.duplicates;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.matching.RequestPatternBuilder;
import dev.gantry.aws.DynamoDbLocal;
import dev.gantry.aws.EcsWire;
import dev.gantry.aws.JsonProtocolWire;
import dev.gantry.aws.S3ArtifactReader;
import dev.gantry.aws.S3Wire;
import dev.gantry.reliability.harness.SqsSendMessageAnswer;
import dev.gantry.slack.SlackWebApi;
import dev.gantry.testing.Fixtures;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.codebuild.CodeBuildClient;
import software.amazon.awssdk.services.codepipeline.CodePipelineClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.ecr.EcrClient;
import software.amazon.awssdk.services.ecs.EcsClient;

/**
 * The AWS services and Slack that Gantry's functions call, on one loopback WireMock server: ECS, CodePipeline, ECR,
 * CodeBuild and SQS (JSON protocols told apart by {@code X-Amz-Target}), S3 (path-style), Slack's Web API and the
 * {@code response_url} answers go to. The SDK clients do not retry, so every call counted is a call the code made.
 * State lives in the shared DynamoDB Local ({@code DynamoDbLocal} of gantry-aws's test-jar), not here: each round of a
 * test takes a table of its own there.
 *
 * <p>A test class registers it as an extension, which stops it after the class's last test.
 */
final class LoopbackAws implements AfterAllCallback, AutoCloseable {

    static final String ACCOUNT = "111111111111";
    static final String REGISTRY = ACCOUNT + ".dkr.ecr.eu-west-1.amazonaws.com";
    /** The digest {@code events/gantry-ecr-push-payments-api-1.4.0.json} pushes. */
    static final String DIGEST = "sha256:07348c1177395e36a0630834b693a5318a854ba216a887b7c7244eefa4b0efcd";
    static final String ARTIFACT_BUCKET = "eu-west-1-111111111111-payments-api";
    /** The revision every environment runs before a deploy, and the one a deploy registers. */
    static final int RUNNING_REVISION = 41;
    static final int NEW_REVISION = 42;
    /** The build id CodeBuild answers for every project, as the derived CodeBuild event names it. */
    static final String BUILD_UUID = "5d2c7e40-9b1a-4f63-8e07-2a6c4b9d1f58";
    static final String RESPOND_PATH = "/respond";

    private static final String START_BUILD = "CodeBuild_20161006.StartBuild";
    private static final String SQS_SEND_MESSAGE = "AmazonSQS.SendMessage";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final StaticCredentialsProvider CREDENTIALS =
            StaticCredentialsProvider.create(AwsBasicCredentials.create("testaccesskey", "test-secret-key"));

    final WireMockServer server = new WireMockServer(options().dynamicPort().bindAddress("127.0.0.1").containerThreads(64)
            .extensions(new SqsSendMessageAnswer()));
    final SdkHttpClient http = UrlConnectionHttpClient.create();
    final DynamoDbClient dynamo = DynamoDbLocal.client();
    final EcsClient ecs;
    final CodePipelineClient codePipeline;
    final CodeBuildClient codeBuild;
    final EcrClient ecr;

    LoopbackAws() {
        server.start();
        URI endpoint = URI.create(server.baseUrl());
        ecs = EcsClient.builder().endpointOverride(endpoint).region(Region.EU_WEST_1).credentialsProvider(CREDENTIALS).httpClient(http)
                .overrideConfiguration(c -> c.retryStrategy(AwsRetryStrategy.doNotRetry())).build();
        codePipeline = CodePipelineClient.builder().endpointOverride(endpoint).region(Region.EU_WEST_1).credentialsProvider(CREDENTIALS)
                .httpClient(http).overrideConfiguration(c -> c.retryStrategy(AwsRetryStrategy.doNotRetry())).build();
        codeBuild = CodeBuildClient.builder().endpointOverride(endpoint).region(Region.EU_WEST_1).credentialsProvider(CREDENTIALS)
                .httpClient(http).overrideConfiguration(c -> c.retryStrategy(AwsRetryStrategy.doNotRetry())).build();
        ecr = EcrClient.builder().endpointOverride(endpoint).region(Region.EU_WEST_1).credentialsProvider(CREDENTIALS).httpClient(http)
                .overrideConfiguration(c -> c.retryStrategy(AwsRetryStrategy.doNotRetry())).build();
    }

    /** The start of a round: every stub and every request forgotten, and an empty state table of the round's own. */
    String newRound() {
        server.resetAll();
        return DynamoDbLocal.freshTable();
    }

    String baseUrl() {
        return server.baseUrl();
    }

    // ECS

    /**
     * ECS running payments-api in {@code cluster} on revision 41 of family {@code payments-api-<cluster>}, taking a
     * revision 42 and moving the service to it: the canned responses in {@code events/}, with only the cluster changed.
     * ListTaskDefinitions names just those two revisions, so a deploy's cleanup has nothing to deregister.
     */
    void runPaymentsApi(String cluster) {
        String running = revisionArn(cluster, RUNNING_REVISION);
        String registered = revisionArn(cluster, NEW_REVISION);
        server.stubFor(EcsWire.operation("DescribeServices").withRequestBody(matchingJsonPath("$.cluster", equalTo(cluster)))
                .willReturn(EcsWire.json(inCluster(Fixtures.eventText("gantry-ecs-response-describe-services-payments-api.json"), cluster))));
        server.stubFor(EcsWire.operation("DescribeTaskDefinition").withRequestBody(matchingJsonPath("$.taskDefinition", equalTo(running)))
                .willReturn(EcsWire.json(inCluster(Fixtures.eventText("gantry-ecs-response-describe-task-definition-payments-api.json"),
                        cluster))));
        server.stubFor(EcsWire.operation("RegisterTaskDefinition").withRequestBody(matchingJsonPath("$.family", equalTo(family(cluster))))
                .willReturn(EcsWire.json(inCluster(Fixtures.eventText("gantry-ecs-response-register-task-definition-payments-api.json"),
                        cluster))));
        server.stubFor(EcsWire.operation("UpdateService").withRequestBody(matchingJsonPath("$.cluster", equalTo(cluster)))
                .willReturn(EcsWire.json(inCluster(Fixtures.eventText("gantry-ecs-response-update-service-payments-api.json"), cluster))));
        server.stubFor(EcsWire.operation("ListTaskDefinitions").withRequestBody(matchingJsonPath("$.familyPrefix", equalTo(family(cluster))))
                .willReturn(EcsWire.json(JSON.createObjectNode().set("taskDefinitionArns",
                        JSON.createArrayNode().add(registered).add(running)).toString())));
    }

    /** DescribeServices of payments-api in {@code cluster} listing {@code deployments} (JSON objects, comma-separated). */
    void deploymentsOf(String cluster, String deployments) {
        server.stubFor(EcsWire.operation("DescribeServices").withRequestBody(matchingJsonPath("$.cluster", equalTo(cluster)))
                .willReturn(EcsWire.json("""
                        {"services":[{"serviceName":"payments-api","clusterArn":"arn:aws:ecs:eu-west-1:%s:cluster/%s",
                          "status":"ACTIVE","taskDefinition":"%s","deployments":[%s]}],"failures":[]}"""
                        .formatted(ACCOUNT, cluster, revisionArn(cluster, NEW_REVISION), deployments))));
    }

    /** ECS describing {@code revisionArn} of the prod service as ECS resolved it: the app's image at {@link #DIGEST}. */
    void prodServiceRevision(String revisionArn) {
        server.stubFor(EcsWire.operation("DescribeServiceRevisions").willReturn(EcsWire.json("""
                {"serviceRevisions":[{"serviceRevisionArn":"%s","serviceArn":"arn:aws:ecs:eu-west-1:%s:service/prod/payments-api",
                  "clusterArn":"arn:aws:ecs:eu-west-1:%s:cluster/prod","taskDefinition":"%s","launchType":"FARGATE",
                  "containerImages":[{"containerName":"app","imageDigest":"%s","image":"%s/payments-api:1.4.0"}],
                  "createdAt":1.7726184E9}],"failures":[]}""".formatted(revisionArn, ACCOUNT, ACCOUNT, revisionArn("prod", NEW_REVISION),
                DIGEST, REGISTRY))));
    }

    List<JsonNode> ecsCalls(String operation) {
        return EcsWire.requests(server, operation);
    }

    /** The calls of {@code operation} made for {@code cluster}, told apart by the family or cluster they name. */
    long ecsCalls(String operation, String cluster) {
        return ecsCalls(operation).stream()
                .filter(call -> cluster.equals(call.path("cluster").asText()) || family(cluster).equals(call.path("family").asText()))
                .count();
    }

    static String family(String cluster) {
        return "payments-api-" + cluster;
    }

    static String revisionArn(String cluster, int revision) {
        return "arn:aws:ecs:eu-west-1:" + ACCOUNT + ":task-definition/" + family(cluster) + ":" + revision;
    }

    private static String inCluster(String canned, String cluster) {
        return canned.replace("payments-api-staging", family(cluster))
                .replace("cluster/staging", "cluster/" + cluster)
                .replace("service/staging/", "service/" + cluster + "/");
    }

    // CodePipeline, S3, ECR, CodeBuild

    /** CodePipeline taking every job result and approval result, as it does for a job or approval waiting for one. */
    void acceptPipelineResults() {
        for (String operation : List.of("PutJobSuccessResult", "PutJobFailureResult")) {
            server.stubFor(JsonProtocolWire.CODEPIPELINE.operation(operation).willReturn(JsonProtocolWire.json("{}")));
        }
        server.stubFor(JsonProtocolWire.CODEPIPELINE.operation("PutApprovalResult").willReturn(JsonProtocolWire.json("{\"approvedAt\":1763892000}")));
    }

    List<JsonNode> codePipelineCalls(String operation) {
        return JsonProtocolWire.CODEPIPELINE.requests(server, operation);
    }

    void serveArtifact(String key, byte[] zip) {
        server.stubFor(S3Wire.getObject(ARTIFACT_BUCKET, key).willReturn(S3Wire.object(zip)));
    }

    /** Reads artifacts from this server with each job's own credentials, as the functions do from S3. */
    S3ArtifactReader artifactReader() {
        return new S3ArtifactReader(http, Region.EU_WEST_1, URI.create(server.baseUrl()), true);
    }

    void tagPointsAt(String repository, String tag, String digest) {
        server.stubFor(JsonProtocolWire.ECR.operation("DescribeImages")
                .withRequestBody(matchingJsonPath("$.repositoryName", equalTo(repository)))
                .withRequestBody(matchingJsonPath("$.imageIds[0].imageTag", equalTo(tag)))
                .willReturn(JsonProtocolWire.json("""
                        {"imageDetails":[{"registryId":"%s","repositoryName":"%s","imageDigest":"%s","imageTags":["%s"]}]}"""
                        .formatted(ACCOUNT, repository, digest, tag))));
    }

    /** ECR holding {@code repository@digest}, pushed at 2026-11-23T09:58:12Z ({@code imagePushedAt} in epoch seconds, as ECR's JSON has it). */
    void holdsImage(String repository, String digest) {
        server.stubFor(JsonProtocolWire.ECR.operation("DescribeImages")
                .withRequestBody(matchingJsonPath("$.repositoryName", equalTo(repository)))
                .withRequestBody(matchingJsonPath("$.imageIds[0].imageDigest", equalTo(digest)))
                .willReturn(JsonProtocolWire.json("""
                        {"imageDetails":[{"registryId":"%s","repositoryName":"%s","imageDigest":"%s","imagePushedAt":1795427892}]}"""
                        .formatted(ACCOUNT, repository, digest))));
    }

    /** CodeBuild starting {@code project}'s build as {@code <project>:<BUILD_UUID>}. */
    void acceptBuildsOf(String project) {
        server.stubFor(post(urlEqualTo("/")).withHeader("X-Amz-Target", equalTo(START_BUILD))
                .withRequestBody(matchingJsonPath("$.projectName", equalTo(project)))
                .willReturn(aResponse().withStatus(200).withHeader("Content-Type", "application/x-amz-json-1.1")
                        .withBody("{\"build\":{\"id\":\"" + project + ":" + BUILD_UUID + "\",\"projectName\":\"" + project
                                + "\",\"buildStatus\":\"IN_PROGRESS\"}}")));
    }

    List<JsonNode> startBuilds() {
        return bodies(postRequestedFor(urlEqualTo("/")).withHeader("X-Amz-Target", equalTo(START_BUILD)));
    }

    // SQS

    /** SQS taking every message it is sent, answering with the digests its clients check. */
    void acceptSqsMessages() {
        server.stubFor(post(urlEqualTo("/")).withHeader("X-Amz-Target", equalTo(SQS_SEND_MESSAGE))
                .willReturn(SqsSendMessageAnswer.answer()));
    }

    /** Every SendMessage that reached SQS, as sent. */
    List<JsonNode> sqsMessages() {
        return bodies(postRequestedFor(urlEqualTo("/")).withHeader("X-Amz-Target", equalTo(SQS_SEND_MESSAGE)));
    }

    // Slack

    /** Slack taking every post and update, and every answer sent to a {@code response_url} on this server. */
    void acceptSlack() {
        String posted = "{\"ok\":true,\"channel\":\"C0RELEASES\",\"ts\":\"1763892000.000100\"}";
        for (String method : List.of("chat.postMessage", "chat.update")) {
            server.stubFor(post(urlEqualTo("/api/" + method)).willReturn(aResponse().withStatus(200)
                    .withHeader("Content-Type", "application/json").withBody(posted)));
        }
        server.stubFor(post(urlEqualTo(RESPOND_PATH)).willReturn(aResponse().withStatus(200).withBody("ok")));
    }

    /** Slack's Web API client aimed at this server, with an obviously fake token and no waits between tries. */
    SlackWebApi slack() {
        return new SlackWebApi(() -> "test-bot-token-not-real", URI.create(server.baseUrl()),
                new SlackWebApi.RetryPolicy(0, Duration.ZERO, 1, Duration.ofMillis(1), Duration.ofMillis(1), Duration.ofSeconds(2)),
                duration -> { });
    }

    String responseUrl() {
        return server.baseUrl() + RESPOND_PATH;
    }

    List<JsonNode> slackCalls(String method) {
        return bodies(postRequestedFor(urlEqualTo("/api/" + method)));
    }

    /** The top-level posts: a thread's headline or a card, not the replies in a thread. */
    List<JsonNode> headlines() {
        return slackCalls("chat.postMessage").stream().filter(post -> !post.has("thread_ts")).toList();
    }

    List<JsonNode> responses() {
        return bodies(postRequestedFor(urlEqualTo(RESPOND_PATH)));
    }

    private List<JsonNode> bodies(RequestPatternBuilder pattern) {
        return server.findAll(pattern).stream().map(request -> readJson(request.getBodyAsString())).toList();
    }

    private static JsonNode readJson(String body) {
        try {
            return JSON.readTree(body);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void afterAll(ExtensionContext context) {
        close();
    }

    @Override
    public void close() {
        ecs.close();
        codePipeline.close();
        codeBuild.close();
        ecr.close();
        http.close();
        server.stop();
    }
}
