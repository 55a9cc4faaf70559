package dev.gantry.reliability.secrets;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath;
import static dev.gantry.reliability.secrets.Loopback.action;
import static dev.gantry.reliability.secrets.Loopback.json;
import static dev.gantry.reliability.secrets.Loopback.jsonError;
import static dev.gantry.reliability.secrets.Loopback.operation;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.amazonaws.services.dynamodbv2.local.main.ServerRunner;
import com.amazonaws.services.dynamodbv2.local.server.DynamoDBProxyServer;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import dev.gantry.aws.S3Wire;
import dev.gantry.aws.StateTable;
import dev.gantry.reliability.harness.SlackSignature;
import dev.gantry.testing.Fixtures;
import dev.gantry.testing.InvokeScript;
import dev.gantry.testing.ReliabilityFigures;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * The functions as Lambda starts them, each in a fresh JVM through {@code scripts/invoke}: built by their public
 * constructors from an environment that holds the function's own AWS credentials ({@code AWS_ACCESS_KEY_ID}, {@code
 * AWS_SECRET_ACCESS_KEY}, {@code AWS_SESSION_TOKEN}, as Lambda sets them), with the application log level at TRACE, as
 * Lambda tells Powertools through {@code AWS_LAMBDA_LOG_LEVEL}. Everything the process writes, stdout and stderr, is
 * searched for every secret planted, while AWS on loopback refuses and echoes credentials back as it does.
 *
 * <p>{@link SecretsNeverLoggedIT} covers each handler's paths in this JVM; this proves the real wiring and the real
 * environment, where the SDK reads the credentials itself. The shortened run starts two functions, the full run four.
 */
class FunctionEnvironmentSecretsIT {

    private static final String PART = "secrets";
    private static final String TABLE = "gantry-state";
    private static final String ARTIFACT_BUCKET = "eu-west-1-111111111111-payments-api";
    private static final String STAGING_ARTIFACT = "payments-api/BuildArtif/Gx7mPq2";
    private static final String SIGNING_SECRET_ARN = "arn:aws:secretsmanager:eu-west-1:111111111111:secret:gantry/slack-signing-Ef34Gh";
    private static final String BOT_TOKEN_ARN = "arn:aws:secretsmanager:eu-west-1:111111111111:secret:gantry/slack-bot-token-Ab12Cd";
    private static final String ROLE_ARN = "arn:aws:iam::111111111111:role/gantry-deployer";

    private static Loopback loopback;
    private static DynamoDBProxyServer dynamoServer;
    private static DynamoDbClient dynamo;
    private static int dynamoPort;

    @TempDir
    Path files;

    private LeakScan scan;
    private Canary keyId;
    private Canary secretKey;
    private Canary sessionToken;

    @BeforeAll
    static void startLoopback() throws Exception {
        loopback = new Loopback();
        try (ServerSocket socket = new ServerSocket(0)) {
            dynamoPort = socket.getLocalPort();
        }
        dynamoServer = ServerRunner.createServerFromCommandLineArgs(new String[] {"-inMemory", "-sharedDb", "-port", Integer.toString(dynamoPort)});
        dynamoServer.start();
        dynamo = DynamoDbClient.builder().endpointOverride(URI.create("http://127.0.0.1:" + dynamoPort)).region(Loopback.REGION)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("testaccesskey", "test-secret-key")))
                .httpClient(UrlConnectionHttpClient.create()).build();
        StateTable.createIfMissing(dynamo, TABLE);
    }

    @AfterAll
    static void stopLoopback() throws Exception {
        dynamo.close();
        dynamoServer.stop();
        loopback.close();
    }

    @BeforeEach
    void plantTheEnvironmentsCredentials() {
        loopback.reset();
        scan = new LeakScan();
        keyId = Canary.accessKeyId("AWS_ACCESS_KEY_ID");
        secretKey = Canary.secret("AWS_SECRET_ACCESS_KEY", "EnvironmentSecretKey");
        sessionToken = Canary.secret("AWS_SESSION_TOKEN", "EnvironmentSessionToken");
        scan.planted(keyId, secretKey, sessionToken);
    }

    @Test
    void pipelineDeployWritesNoCredentialWhenS3EchoesTheJobsBack() throws Exception {
        Canary artifactKeyId = Canary.accessKeyId("a job's artifact access key id");
        Canary artifactSecret = Canary.secret("a job's artifact secret access key", "ArtifactSecretKey");
        Canary artifactToken = Canary.secret("a job's artifact session token", "ArtifactSessionToken");
        scan.planted(artifactKeyId, artifactSecret, artifactToken);
        loopback.aws.stubFor(operation("CodePipeline_20150709.PutJobFailureResult").willReturn(json("{}")));
        loopback.aws.stubFor(S3Wire.getObject(ARTIFACT_BUCKET, STAGING_ARTIFACT).willReturn(aResponse().withStatus(403)
                .withHeader("Content-Type", "application/xml").withBody("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error>"
                        + "<Code>SignatureDoesNotMatch</Code><Message>The request signature we calculated does not match the signature"
                        + " you provided. Check your key and signing method.</Message><AWSAccessKeyId>" + artifactKeyId.value()
                        + "</AWSAccessKeyId><CanonicalRequest>GET\n/" + ARTIFACT_BUCKET + "/" + STAGING_ARTIFACT
                        + "\n\nhost:127.0.0.1\nx-amz-security-token:" + artifactToken.value() + "\n\nhost;x-amz-security-token\n"
                        + "UNSIGNED-PAYLOAD</CanonicalRequest><RequestId>4442587FB7D0A2F9</RequestId></Error>")));
        String job = Events.pipelineJob("gantry-codepipeline-job-payments-api-staging.json", "c3a1f0e2-7b5d-xmpl-8e4c-1d2f3a4b5c6d",
                artifactKeyId, artifactSecret, artifactToken);

        InvokeScript.Result result = invoke("pipeline-deploy", job, stateEnvironment());

        assertThat(result.exitCode()).as(result.stderr()).isZero();
        assertThat(Events.read(result.stdout()).path("outcome").asText()).isEqualTo("FAILED");
        assertThat(loopback.awsRequests()).filteredOn(r -> r.getUrl().startsWith("/" + ARTIFACT_BUCKET)).singleElement()
                .satisfies(r -> assertThat(r.getHeader("X-Amz-Security-Token")).isEqualTo(artifactToken.value()));
        proveTheEnvironmentsCredentialsSignedTheCalls();
        for (String body : loopback.awsBodies("PutJobFailureResult")) {
            scan.text("the job's failure put in CodePipeline", body);
        }
        proveNothingLeaked();
    }

    @Test
    void slackInteractionsWritesNoCredentialNorSigningSecret() throws Exception {
        Canary signingSecret = Canary.secret("the Slack signing secret", "SigningSecret");
        Canary verificationToken = Canary.secret("Slack's verification token", "VerificationToken");
        scan.planted(signingSecret, verificationToken);
        loopback.aws.stubFor(operation("secretsmanager.GetSecretValue").withRequestBody(matchingJsonPath("$.SecretId",
                equalTo(SIGNING_SECRET_ARN))).willReturn(json(Events.JSON.createObjectNode().put("ARN", SIGNING_SECRET_ARN)
                .put("Name", "gantry/slack-signing").put("SecretString", signingSecret.value()).toString())));
        loopback.acceptSqsMessages();
        String body = Fixtures.eventText("gantry-slack-slash-command.form").replace("test-verification-token-not-real",
                URLEncoder.encode(verificationToken.value(), StandardCharsets.UTF_8));
        long now = Instant.now().getEpochSecond();
        String signature = SlackSignature.of(signingSecret.value(), now, body);
        scan.planted(Canary.derived("a Slack request signature", signature.substring(3)));
        Map<String, String> environment = new LinkedHashMap<>();
        environment.put("GANTRY_SLACK_SIGNING_SECRET_ARN", SIGNING_SECRET_ARN);
        environment.put("GANTRY_CHATOPS_REQUEST_QUEUE_URL", "https://sqs.eu-west-1.amazonaws.com/111111111111/gantry-chatops-requests");

        InvokeScript.Result result = invoke("slack-interactions", Events.functionUrlRequest("POST", Map.of(
                "content-type", "application/x-www-form-urlencoded", "x-slack-request-timestamp", Long.toString(now),
                "x-slack-signature", signature), body), environment);

        assertThat(result.exitCode()).as(result.stderr()).isZero();
        assertThat(Events.read(result.stdout()).path("statusCode").asInt()).as("the request was taken").isEqualTo(200);
        proveTheEnvironmentsCredentialsSignedTheCalls();
        proveNothingLeaked();
    }

    @Test
    void chatOpsNotifyWritesNoCredentialWhenTheBotTokensAnswerIsGarbled() throws Exception {
        assumeTrue(ReliabilityFigures.full(), "a fresh JVM per function: the full run starts all four");
        Canary botToken = Canary.secret("the Slack bot token", "SlackBotToken");
        Canary approvalToken = Canary.secret("a CodePipeline approval token", "ApprovalToken");
        scan.planted(botToken, approvalToken);
        loopback.aws.stubFor(operation("secretsmanager.GetSecretValue").willReturn(json(
                "{\"ARN\":\"" + BOT_TOKEN_ARN + "\",\"SecretString\":" + botToken.value() + "}")));
        ObjectNode envelope = Events.sample("sns-lambda-event-envelope.lambda-dev-guide.json");
        ((ObjectNode) envelope.path("Records").path(0).path("Sns")).put("Message", Fixtures.eventText(
                "codepipeline-manual-approval-sns-message.json").replace("1a2b3c4d-573f-4ea7-a67E-XAMPLETOKEN", approvalToken.value())
                .replace("2016-07-07T20:22Z", "2099-07-07T20:22Z"));
        Map<String, String> environment = stateEnvironment();
        environment.put("GANTRY_SLACK_BOT_TOKEN_SECRET_ARN", BOT_TOKEN_ARN);

        InvokeScript.Result result = invoke("chatops-notify", envelope.toString(), environment);

        assertThat(result.exitCode()).as("the card could not be posted without the bot token").isNotZero();
        proveTheEnvironmentsCredentialsSignedTheCalls();
        proveNothingLeaked();
    }

    @Test
    void ecsDeployWritesNoAssumedRoleCredentialWhenEcsRefusesThem() throws Exception {
        assumeTrue(ReliabilityFigures.full(), "a fresh JVM per function: the full run starts all four");
        Canary assumedKeyId = Canary.accessKeyId("an assumed role's access key id");
        Canary assumedSecret = Canary.secret("an assumed role's secret access key", "AssumedSecretKey");
        Canary assumedToken = Canary.secret("an assumed role's session token", "AssumedSessionToken");
        scan.planted(assumedKeyId, assumedSecret, assumedToken);
        loopback.aws.stubFor(action("AssumeRole").willReturn(aResponse().withStatus(200).withHeader("Content-Type", "text/xml")
                .withBody("""
                        <AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
                          <AssumeRoleResult>
                            <Credentials>
                              <AccessKeyId>%s</AccessKeyId>
                              <SecretAccessKey>%s</SecretAccessKey>
                              <SessionToken>%s</SessionToken>
                              <Expiration>2099-01-01T00:00:00Z</Expiration>
                            </Credentials>
                            <AssumedRoleUser>
                              <AssumedRoleId>AROAEXAMPLEROLEID:gantry-payments-api-staging</AssumedRoleId>
                              <Arn>arn:aws:sts::111111111111:assumed-role/gantry-deployer/gantry-payments-api-staging</Arn>
                            </AssumedRoleUser>
                          </AssumeRoleResult>
                          <ResponseMetadata><RequestId>c6104cbe-af31-11e0-8154-cbc7ccf896c7</RequestId></ResponseMetadata>
                        </AssumeRoleResponse>""".formatted(assumedKeyId.value(), xml(assumedSecret.value()), xml(assumedToken.value())))));
        loopback.aws.stubFor(operation("AmazonEC2ContainerServiceV20141113.DescribeServices").willReturn(jsonError(400,
                "AccessDeniedException", "User: arn:aws:sts::111111111111:assumed-role/gantry-deployer/gantry-payments-api-staging is"
                        + " not authorized to perform: ecs:DescribeServices")));
        Path config = files.resolve("gantry.yml");
        Files.writeString(config, Files.readString(Fixtures.exampleConfigFile()).replace("""
                        cluster: staging
                        service: payments-api
                """, """
                        cluster: staging
                        service: payments-api
                        roleArn: %s
                """.formatted(ROLE_ARN)));
        assertThat(Files.readString(config)).contains("roleArn: " + ROLE_ARN);
        Map<String, String> environment = stateEnvironment();
        environment.put("GANTRY_CONFIG", config.toString());

        InvokeScript.Result result = invoke("ecs-deploy", Fixtures.eventText("gantry-ecr-push-payments-api-1.4.0.json"), environment);

        assertThat(result.exitCode()).as("the deploy failed").isNotZero();
        assertThat(loopback.awsRequests()).as("ECS was asked with the assumed role's credentials")
                .anySatisfy(r -> assertThat(r.getHeader("X-Amz-Security-Token")).isEqualTo(assumedToken.value()));
        proveTheEnvironmentsCredentialsSignedTheCalls();
        proveNothingLeaked();
    }

    /** The state table (DynamoDB Local), the example configuration and the rest of AWS on loopback. */
    private Map<String, String> stateEnvironment() {
        Map<String, String> environment = new LinkedHashMap<>();
        environment.put("GANTRY_CONFIG", Fixtures.exampleConfigFile().toString());
        environment.put("GANTRY_TABLE", TABLE);
        environment.put("AWS_ENDPOINT_URL_DYNAMODB", "http://127.0.0.1:" + dynamoPort);
        return environment;
    }

    private InvokeScript.Result invoke(String function, String event, Map<String, String> specific) throws IOException, InterruptedException {
        Path eventFile = Files.writeString(files.resolve(function + "-event.json"), event);
        Map<String, String> environment = new LinkedHashMap<>();
        environment.put("AWS_REGION", "eu-west-1");
        environment.put("AWS_ACCESS_KEY_ID", keyId.value());
        environment.put("AWS_SECRET_ACCESS_KEY", secretKey.value());
        environment.put("AWS_SESSION_TOKEN", sessionToken.value());
        environment.put("AWS_ENDPOINT_URL", loopback.aws.baseUrl());
        environment.put("AWS_LAMBDA_LOG_LEVEL", "TRACE");
        environment.put("POWERTOOLS_SERVICE_NAME", "gantry-" + function);
        environment.put("GANTRY_AWS_READ_TIMEOUT_MS", "5000");
        environment.putAll(specific);
        InvokeScript.Result result = InvokeScript.run(environment, function, eventFile.toString());
        List<String> lines = new ArrayList<>(result.stdout().lines().toList());
        lines.addAll(result.stderr().lines().toList());
        scan.logLines("what " + function + " wrote", lines);
        return result;
    }

    private void proveTheEnvironmentsCredentialsSignedTheCalls() {
        List<LoggedRequest> signed = loopback.awsRequests().stream()
                .filter(r -> r.containsHeader("Authorization") && r.getHeader("Authorization").contains("Credential=" + keyId.value() + "/"))
                .toList();
        assertThat(signed).as("AWS was called with the environment's credentials").isNotEmpty()
                .allSatisfy(r -> assertThat(r.getHeader("X-Amz-Security-Token")).isEqualTo(sessionToken.value()));
    }

    private void proveNothingLeaked() {
        ReliabilityFigures.add(PART, "log lines scanned", scan.logLinesScanned());
        ReliabilityFigures.add(PART, "secrets planted", scan.plantings());
        ReliabilityFigures.add(PART, "secrets seen in logs", scan.findings().size());
        assertThat(scan.logLinesScanned()).as("lines the function wrote").isPositive();
        assertThat(scan.findings()).withFailMessage(scan::summary).isEmpty();
    }

    private static String xml(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
