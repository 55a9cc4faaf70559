package dev.gantry.reliability.secrets;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static dev.gantry.reliability.secrets.Loopback.action;
import static dev.gantry.reliability.secrets.Loopback.json;
import static dev.gantry.reliability.secrets.Loopback.jsonError;
import static dev.gantry.reliability.secrets.Loopback.operation;
import static dev.gantry.reliability.secrets.Loopback.slackAnswer;
import static dev.gantry.reliability.secrets.Loopback.slackMethod;
import static org.assertj.core.api.Assertions.assertThat;

import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.http.Fault;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import dev.gantry.aws.CloudWatchWire;
import dev.gantry.aws.ReleaseNewsJson;
import dev.gantry.aws.S3ArtifactReader;
import dev.gantry.aws.S3Wire;
import dev.gantry.aws.SdkAlarmStates;
import dev.gantry.aws.SdkBuildRunner;
import dev.gantry.aws.SdkEcsDeployments;
import dev.gantry.aws.SdkEcsGateway;
import dev.gantry.aws.SdkImageLabels;
import dev.gantry.aws.SdkImageRegistry;
import dev.gantry.aws.SdkPipelineApprovals;
import dev.gantry.aws.SdkPipelineJobs;
import dev.gantry.aws.SdkServiceRevisions;
import dev.gantry.aws.SecretsManagerSecret;
import dev.gantry.aws.SqsNotifier;
import dev.gantry.aws.SqsQueue;
import dev.gantry.aws.lambda.LocalContext;
import dev.gantry.core.chatops.ApprovalRequests;
import dev.gantry.core.chatops.ChatOpsService;
import dev.gantry.core.chatops.ChatPermissions;
import dev.gantry.core.chatops.EndedApprovals;
import dev.gantry.core.chatops.PendingApproval;
import dev.gantry.core.chatops.PipelineApprovalNotice;
import dev.gantry.core.config.ConfigLoader;
import dev.gantry.core.config.GantryConfig;
import dev.gantry.core.deploy.DeployService;
import dev.gantry.core.deploy.GateSweepService;
import dev.gantry.core.gate.ApproverGroups;
import dev.gantry.core.gate.EcsHookGateService;
import dev.gantry.core.gate.GateService;
import dev.gantry.core.notify.AlarmThreads;
import dev.gantry.core.notify.DeployNews;
import dev.gantry.core.notify.Notifier;
import dev.gantry.core.notify.NotifyService;
import dev.gantry.core.notify.ReleaseNews;
import dev.gantry.core.pipeline.PipelineDeployService;
import dev.gantry.core.pipeline.PipelineGateService;
import dev.gantry.core.rebuild.RebuildService;
import dev.gantry.core.rollout.RolloutService;
import dev.gantry.fn.chatops.HandlersFromParts;
import dev.gantry.fn.ecsdeploy.EcsDeployHandler;
import dev.gantry.fn.ecsdeploy.GateSweepHandler;
import dev.gantry.fn.ecsdeploy.PipelineDeployHandler;
import dev.gantry.fn.ecsdeploy.RolloutHandler;
import dev.gantry.fn.imagerebuild.ImageRebuildHandler;
import dev.gantry.fn.interactions.InteractionsHandlers;
import dev.gantry.fn.releasegate.EcsHookHandler;
import dev.gantry.fn.releasegate.PipelineGateHandler;
import dev.gantry.reliability.harness.SlackSignature;
import dev.gantry.slack.SlackApproverGroups;
import dev.gantry.slack.SlackWebApi;
import dev.gantry.testing.Fixtures;
import dev.gantry.testing.InMemoryAlarmStates;
import dev.gantry.testing.InMemoryAuditLog;
import dev.gantry.testing.InMemoryChangeCalendars;
import dev.gantry.testing.InMemoryChatRequestLedger;
import dev.gantry.testing.InMemoryCustomChecks;
import dev.gantry.testing.InMemoryDeployControls;
import dev.gantry.testing.InMemoryGateStore;
import dev.gantry.testing.InMemoryImageRegistry;
import dev.gantry.testing.InMemoryJobLedger;
import dev.gantry.testing.InMemoryLineageHistory;
import dev.gantry.testing.InMemoryManualFreezes;
import dev.gantry.testing.InMemoryPendingApprovals;
import dev.gantry.testing.InMemoryRebuildLedger;
import dev.gantry.testing.InMemoryReleaseStore;
import dev.gantry.testing.InMemoryReleaseThreads;
import dev.gantry.testing.InMemoryRevokedBases;
import dev.gantry.testing.MutableClock;
import dev.gantry.testing.PipelineArtifacts;
import dev.gantry.testing.ReliabilityFigures;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Function;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.services.cloudwatch.CloudWatchClient;
import software.amazon.awssdk.services.codebuild.CodeBuildClient;
import software.amazon.awssdk.services.codepipeline.CodePipelineClient;
import software.amazon.awssdk.services.ecr.EcrClient;
import software.amazon.awssdk.services.ecs.EcsClient;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * No secret, token or credential a function handles ever reaches a log line, an error, a stack trace or a handler's
 * answer: every handler, on its success paths and on the failure paths where secrets leak most (AWS refusing, AWS
 * echoing a credential back in its error, Slack failing, a secret that cannot be read, a malformed event).
 *
 * <p>Each test plants canaries (obviously fake values, unique in the run) wherever a secret enters: the function's own
 * AWS credentials, a pipeline job's artifact credentials, the Slack bot token and signing secret in Secrets Manager, the
 * signatures on Slack's requests, Slack's verification token and {@code response_url}, a CodePipeline approval token, a
 * continuation token Gantry did not issue, an ECR layer's presigned URL. The handlers run on their real SDK adapters
 * against loopback AWS and Slack wherever a secret travels through an SDK call, on in-memory stores elsewhere. Then every
 * line written (all loggers at TRACE, stdout, stderr: {@link OutputCapture}), every answer, every thrown exception with
 * its causes, and every job result and Slack message sent out is searched for each canary, raw, URL-encoded, base64 and
 * by the marker every canary carries.
 *
 * <p>Each test also proves its canaries were used: the AWS requests are signed with them, Slack gets the bot token, a
 * request signed with the signing secret is taken.
 */
class SecretsNeverLoggedIT {

    private static final String PART = "secrets";
    private static final String BOT_TOKEN_ARN = "arn:aws:secretsmanager:eu-west-1:111111111111:secret:gantry/slack-bot-token-Ab12Cd";
    private static final String SIGNING_SECRET_ARN = "arn:aws:secretsmanager:eu-west-1:111111111111:secret:gantry/slack-signing-Ef34Gh";
    private static final String REQUEST_QUEUE = "https://sqs.eu-west-1.amazonaws.com/111111111111/gantry-chatops-requests";
    private static final String NOTIFY_QUEUE = "https://sqs.eu-west-1.amazonaws.com/111111111111/gantry-notify.fifo";
    private static final String REGISTRY = "111111111111.dkr.ecr.eu-west-1.amazonaws.com";
    private static final String DIGEST = "sha256:07348c1177395e36a0630834b693a5318a854ba216a887b7c7244eefa4b0efcd";
    private static final String RUNNING_ARN = "arn:aws:ecs:eu-west-1:111111111111:task-definition/payments-api-staging:41";
    private static final String NEW_ARN = "arn:aws:ecs:eu-west-1:111111111111:task-definition/payments-api-staging:42";
    private static final String DEPLOYMENT = "ecs-svc/3056462518204391731";
    private static final String ARTIFACT_BUCKET = "eu-west-1-111111111111-payments-api";
    private static final String STAGING_ARTIFACT = "payments-api/BuildArtif/Gx7mPq2";
    private static final String PROD_ARTIFACT = "payments-api/BuildArtif/Jz9oSs4";
    private static final String STAGING_JOB = "gantry-codepipeline-job-payments-api-staging.json";
    private static final String GATE_JOB = "gantry-codepipeline-job-payments-api-prod-gate.json";
    private static final String CONTINUED_GATE_JOB = "gantry-codepipeline-job-payments-api-prod-gate-continued.json";
    private static final String ACCESS_DENIED = "User: arn:aws:sts::111111111111:assumed-role/gantry-function/gantry is not authorized to perform"
            + " this action";
    private static final Instant NOW = Instant.parse("2026-03-04T10:00:00Z");

    private static Loopback loopback;

    private final GantryConfig config = Fixtures.exampleConfig();
    private final List<AutoCloseable> clients = new ArrayList<>();
    private MutableClock clock;
    private LeakScan scan;
    private OutputCapture output;
    private Canary functionKeyId;
    private Canary functionSecretKey;
    private Canary functionSessionToken;
    private Canary botToken;
    private StaticCredentialsProvider functionCredentials;
    private int jobs;

    @BeforeAll
    static void startLoopback() {
        loopback = new Loopback();
    }

    @AfterAll
    static void stopLoopback() {
        loopback.close();
    }

    @BeforeEach
    void plantTheFunctionsOwnSecrets() {
        loopback.reset();
        clock = new MutableClock(NOW);
        scan = new LeakScan();
        functionKeyId = Canary.accessKeyId("the function's AWS access key id");
        functionSecretKey = Canary.secret("the function's AWS secret access key", "FunctionSecretKey");
        functionSessionToken = Canary.secret("the function's AWS session token", "FunctionSessionToken");
        botToken = Canary.secret("the Slack bot token", "SlackBotToken");
        functionCredentials = StaticCredentialsProvider.create(AwsSessionCredentials.create(functionKeyId.value(),
                functionSecretKey.value(), functionSessionToken.value()));
        output = OutputCapture.start();
    }

    @AfterEach
    void stopCapturing() throws Exception {
        output.close();
        for (AutoCloseable client : clients) {
            client.close();
        }
    }

    @Test
    void ecsDeployLogsNoCredentialWhateverEcsAnswers() {
        scenario("a push deployed to staging", () -> {
            stubEcsService();
            invoke(ecsDeployHandler(), "ecs-deploy", Fixtures.eventText("gantry-ecr-push-payments-api-1.4.0.json"));
        });
        scenario("ECS refusing the new revision", () -> {
            loopback.aws.stubFor(operation("AmazonEC2ContainerServiceV20141113.RegisterTaskDefinition")
                    .willReturn(jsonError(400, "AccessDeniedException", ACCESS_DENIED)));
            invoke(ecsDeployHandler(), "ecs-deploy", Fixtures.eventText("gantry-ecr-push-payments-api-1.4.0.json"));
        });
        scenario("ECS rejecting the function's credentials", () -> {
            loopback.aws.stubFor(operation("AmazonEC2ContainerServiceV20141113.DescribeServices")
                    .willReturn(jsonError(400, "UnrecognizedClientException", "The security token included in the request is invalid.")));
            invoke(ecsDeployHandler(), "ecs-deploy", Fixtures.eventText("gantry-ecr-push-payments-api-1.4.0.json"));
        });
        scenario("ECS failing, then answering what is not JSON", () -> {
            loopback.aws.stubFor(operation("AmazonEC2ContainerServiceV20141113.DescribeServices")
                    .willReturn(aResponse().withStatus(503).withBody("<html>Service Unavailable</html>")));
            invoke(ecsDeployHandler(), "ecs-deploy", Fixtures.eventText("gantry-ecr-push-payments-api-1.4.0.json"));
            loopback.aws.stubFor(operation("AmazonEC2ContainerServiceV20141113.DescribeServices")
                    .willReturn(json("{\"services\":[{\"serviceName\":")));
            invoke(ecsDeployHandler(), "ecs-deploy", Fixtures.eventText("gantry-ecr-push-payments-api-1.4.0.json"));
        });
        scenario("pushes that are not Gantry's or not events", () -> {
            stubEcsService();
            invoke(ecsDeployHandler(), "ecs-deploy", Fixtures.eventText("ecr-image-action-push-success.json"));
            invoke(ecsDeployHandler(), "ecs-deploy", Fixtures.eventText("gantry-ecr-push-payments-api-1.4.0.json").substring(0, 200));
            invoke(ecsDeployHandler(), "ecs-deploy", Fixtures.eventText("codebuild-build-state-change-succeeded.json"));
        });

        proveTheFunctionsCredentialsWereUsed();
        proveNothingLeaked();
    }

    @Test
    void pipelineDeployLogsNoArtifactCredentialWhateverS3Answers() {
        scenario("a job deployed", () -> {
            stubEcsService();
            stubPipelineJobResults();
            stubEcrTag();
            serveArtifact(STAGING_ARTIFACT);
            invoke(pipelineDeployHandler(), "pipeline-deploy", pipelineJob(STAGING_JOB));
        });
        List<S3Refusal> refusals = List.of(
                new S3Refusal(403, "AccessDenied", "Access Denied", access -> ""),
                new S3Refusal(403, "SignatureDoesNotMatch", "The request signature we calculated does not match the signature you provided."
                        + " Check your key and signing method.", access -> "<AWSAccessKeyId>" + access.keyId + "</AWSAccessKeyId>"
                        + "<StringToSign>AWS4-HMAC-SHA256\n20260304T100000Z\n20260304/eu-west-1/s3/aws4_request\n0f1e2d</StringToSign>"
                        + "<SignatureProvided>9e1b0c</SignatureProvided><CanonicalRequest>GET\n/" + ARTIFACT_BUCKET + "/" + STAGING_ARTIFACT
                        + "\n\nhost:127.0.0.1\nx-amz-security-token:" + access.token + "\n\nhost;x-amz-security-token\nUNSIGNED-PAYLOAD"
                        + "</CanonicalRequest>"),
                new S3Refusal(403, "InvalidAccessKeyId", "The AWS Access Key Id you provided does not exist in our records.",
                        access -> "<AWSAccessKeyId>" + access.keyId + "</AWSAccessKeyId>"),
                new S3Refusal(400, "ExpiredToken", "The provided token has expired.", access -> "<Token-0>" + access.token + "</Token-0>"),
                new S3Refusal(400, "InvalidToken", "The provided token is malformed or otherwise invalid.",
                        access -> "<Token-0>" + access.token + "</Token-0>"),
                new S3Refusal(404, "NoSuchKey", "The specified key does not exist.", access -> "<Key>" + STAGING_ARTIFACT + "</Key>"),
                new S3Refusal(500, "InternalError", "We encountered an internal error. Please try again.", access -> ""));
        for (S3Refusal refusal : refusals) {
            scenario("S3 answering " + refusal.code, () -> {
                stubPipelineJobResults();
                ArtifactAccess access = artifactAccess();
                loopback.aws.stubFor(S3Wire.getObject(ARTIFACT_BUCKET, STAGING_ARTIFACT).willReturn(aResponse()
                        .withStatus(refusal.status).withHeader("Content-Type", "application/xml")
                        .withBody("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>" + refusal.code + "</Code><Message>"
                                + refusal.message + "</Message>" + refusal.echo.apply(access) + "<RequestId>4442587FB7D0A2F9</RequestId>"
                                + "<HostId>Uuag1LuByRx9e6j5Onimru9pO4ZVKnJ2Qz7/C1NPcfTWAtRPfTaOFg==</HostId></Error>")));
                invoke(pipelineDeployHandler(), "pipeline-deploy", access.job(STAGING_JOB));
            });
        }
        scenario("S3 dropping the connection", () -> {
            stubPipelineJobResults();
            loopback.aws.stubFor(S3Wire.getObject(ARTIFACT_BUCKET, STAGING_ARTIFACT).willReturn(aResponse()
                    .withFault(Fault.CONNECTION_RESET_BY_PEER)));
            invoke(pipelineDeployHandler(), "pipeline-deploy", pipelineJob(STAGING_JOB));
        });
        scenario("S3 serving something that is not the artifact", () -> {
            stubPipelineJobResults();
            loopback.aws.stubFor(S3Wire.getObject(ARTIFACT_BUCKET, STAGING_ARTIFACT).willReturn(S3Wire.object(
                    "not a zip".getBytes(StandardCharsets.UTF_8))));
            invoke(pipelineDeployHandler(), "pipeline-deploy", pipelineJob(STAGING_JOB));
        });
        scenario("ECR and ECS refusing", () -> {
            stubPipelineJobResults();
            serveArtifact(STAGING_ARTIFACT);
            loopback.aws.stubFor(operation("AmazonEC2ContainerRegistry_V20150921.DescribeImages")
                    .willReturn(jsonError(400, "AccessDeniedException", ACCESS_DENIED)));
            invoke(pipelineDeployHandler(), "pipeline-deploy", pipelineJob(STAGING_JOB));
            stubEcrTag();
            loopback.aws.stubFor(operation("AmazonEC2ContainerServiceV20141113.DescribeServices")
                    .willReturn(jsonError(400, "AccessDeniedException", ACCESS_DENIED)));
            invoke(pipelineDeployHandler(), "pipeline-deploy", pipelineJob(STAGING_JOB));
        });
        scenario("CodePipeline refusing the job's result", () -> {
            stubEcsService();
            stubEcrTag();
            serveArtifact(STAGING_ARTIFACT);
            loopback.aws.stubFor(operation("CodePipeline_20150709.PutJobSuccessResult")
                    .willReturn(jsonError(400, "InvalidJobStateException", "The job is not in a state that accepts a result.")));
            invoke(pipelineDeployHandler(), "pipeline-deploy", pipelineJob(STAGING_JOB));
            loopback.aws.stubFor(operation("CodePipeline_20150709.PutJobSuccessResult")
                    .willReturn(jsonError(400, "AccessDeniedException", ACCESS_DENIED)));
            invoke(pipelineDeployHandler(), "pipeline-deploy", pipelineJob(STAGING_JOB));
        });
        scenario("job events broken where their credentials are", () -> {
            stubPipelineJobResults();
            serveArtifact(STAGING_ARTIFACT);
            ArtifactAccess access = artifactAccess();
            String event = access.job(STAGING_JOB);
            for (String broken : Events.brokenAroundSecrets(event, List.of(access.keyId, access.secretKey, access.token))) {
                scan.planted(access.canaries());
                invoke(pipelineDeployHandler(), "pipeline-deploy", broken);
            }
            ObjectNode missingToken = (ObjectNode) Events.read(event);
            ((ObjectNode) missingToken.path("CodePipeline.job").path("data").path("artifactCredentials")).remove("sessionToken");
            invoke(pipelineDeployHandler(), "pipeline-deploy", missingToken.toString());
        });
        scenario("job events mangled at random", () -> {
            stubPipelineJobResults();
            serveArtifact(STAGING_ARTIFACT);
            ArtifactAccess access = artifactAccess();
            PipelineDeployHandler handler = pipelineDeployHandler();
            for (String mangled : Events.mangled(access.job(STAGING_JOB), new Random(5), ReliabilityFigures.scaled(40, 1_500))) {
                scan.planted(access.canaries());
                invoke(handler, "pipeline-deploy", mangled);
            }
        });

        proveTheFunctionsCredentialsWereUsed();
        assertThat(loopback.awsRequests()).as("S3 was asked with the jobs' artifact credentials")
                .anySatisfy(r -> assertThat(r.getHeader("Authorization")).contains("Credential=FAKEASIA"))
                .filteredOn(r -> r.getUrl().startsWith("/" + ARTIFACT_BUCKET))
                .allSatisfy(r -> assertThat(r.getHeader("Authorization")).doesNotContain(functionKeyId.value()));
        proveNothingLeaked();
    }

    @Test
    void pipelineGateLogsNoCredentialNorTokenWhileItWaits() {
        scenario("a gate job waiting, then continued", () -> {
            stubPipelineJobResults();
            stubEcrTag();
            serveArtifact(PROD_ARTIFACT);
            stubAlarm("OK");
            storeBotToken();
            stubSlackGroup();
            InMemoryGateStore store = new InMemoryGateStore();
            invoke(pipelineGateHandler(store), "pipeline-gate", pipelineJob(GATE_JOB));
            clock.advance(Duration.ofMinutes(20));
            String token = Events.sample(CONTINUED_GATE_JOB).path("CodePipeline.job").path("data").path("continuationToken").asText();
            ArtifactAccess access = artifactAccess();
            invoke(pipelineGateHandler(store), "pipeline-gate",
                    Events.continuedPipelineJob(CONTINUED_GATE_JOB, nextJobId(), access.keyIdCanary, access.secretKeyCanary,
                            access.tokenCanary, token));
        });
        scenario("a continuation token Gantry never gave", () -> {
            stubPipelineJobResults();
            storeBotToken();
            stubSlackGroup();
            stubAlarm("OK");
            InMemoryGateStore store = new InMemoryGateStore();
            Canary foreign = Canary.secret("a continuation token Gantry did not issue", "ContinuationToken");
            Canary foreignJson = Canary.secret("a continuation token Gantry did not issue, as JSON", "ContinuationJson");
            for (String token : List.of(foreign.value(), "{\"v\":7,\"opaque\":\"" + foreignJson.value() + "\"}")) {
                ArtifactAccess access = artifactAccess();
                scan.planted(foreign, foreignJson);
                invoke(pipelineGateHandler(store), "pipeline-gate", Events.continuedPipelineJob(CONTINUED_GATE_JOB, nextJobId(),
                        access.keyIdCanary, access.secretKeyCanary, access.tokenCanary, token));
            }
        });
        scenario("the artifact unreadable and the gate's checks failing", () -> {
            stubPipelineJobResults();
            ArtifactAccess access = artifactAccess();
            loopback.aws.stubFor(S3Wire.getObject(ARTIFACT_BUCKET, PROD_ARTIFACT).willReturn(aResponse().withStatus(400)
                    .withHeader("Content-Type", "application/xml").withBody("<Error><Code>ExpiredToken</Code><Message>The provided token"
                            + " has expired.</Message><Token-0>" + access.token + "</Token-0></Error>")));
            invoke(pipelineGateHandler(new InMemoryGateStore()), "pipeline-gate", access.job(GATE_JOB));
            serveArtifact(PROD_ARTIFACT);
            stubEcrTag();
            loopback.aws.stubFor(action("DescribeAlarms").willReturn(aResponse().withStatus(403).withHeader("Content-Type", "text/xml")
                    .withBody("<ErrorResponse><Error><Type>Sender</Type><Code>AccessDenied</Code><Message>" + ACCESS_DENIED
                            + "</Message></Error></ErrorResponse>")));
            storeBotToken();
            loopback.slack.stubFor(slackMethod("usergroups.users.list").willReturn(slackAnswer("{\"ok\":false,\"error\":\"invalid_auth\"}")));
            invoke(pipelineGateHandler(new InMemoryGateStore()), "pipeline-gate", pipelineJob(GATE_JOB));
        });
        botTokenUnreadable("pipeline-gate", () -> {
            stubPipelineJobResults();
            stubEcrTag();
            serveArtifact(PROD_ARTIFACT);
            stubAlarm("OK");
            invoke(pipelineGateHandler(new InMemoryGateStore()), "pipeline-gate", pipelineJob(GATE_JOB));
        });
        scenario("gate job events broken where their credentials are", () -> {
            ArtifactAccess access = artifactAccess();
            for (String broken : Events.brokenAroundSecrets(access.job(GATE_JOB), List.of(access.keyId, access.secretKey, access.token))) {
                scan.planted(access.canaries());
                invoke(pipelineGateHandler(new InMemoryGateStore()), "pipeline-gate", broken);
            }
        });

        proveTheFunctionsCredentialsWereUsed();
        proveTheBotTokenWasUsed();
        proveNothingLeaked();
    }

    @Test
    void ecsGateHookLogsNoCredentialWhateverEcsAnswers() {
        String hook = Fixtures.eventText("gantry-ecs-lifecycle-hook-payments-api-prod-execution-details.json");
        scenario("a hook answered while the gate waits", () -> {
            stubProdRevision();
            stubAlarm("OK");
            storeBotToken();
            stubSlackGroup();
            invoke(ecsHookHandler(), "ecs-gate-hook", hook);
            invoke(ecsHookHandler(), "ecs-gate-hook", Fixtures.eventText("gantry-ecs-lifecycle-hook-payments-api-prod.json"));
        });
        scenario("ECS refusing to describe the revision", () -> {
            loopback.aws.stubFor(operation("AmazonEC2ContainerServiceV20141113.DescribeServiceRevisions")
                    .willReturn(jsonError(400, "AccessDeniedException", ACCESS_DENIED)));
            invoke(ecsHookHandler(), "ecs-gate-hook", hook);
            loopback.aws.stubFor(operation("AmazonEC2ContainerServiceV20141113.DescribeServiceRevisions")
                    .willReturn(aResponse().withFault(Fault.EMPTY_RESPONSE)));
            invoke(ecsHookHandler(), "ecs-gate-hook", hook);
        });
        botTokenUnreadable("ecs-gate-hook", () -> {
            stubProdRevision();
            stubAlarm("OK");
            invoke(ecsHookHandler(), "ecs-gate-hook", hook);
        });
        scenario("hooks that are not ECS's", () -> {
            invoke(ecsHookHandler(), "ecs-gate-hook", hook.substring(0, hook.length() / 2));
            invoke(ecsHookHandler(), "ecs-gate-hook", Fixtures.eventText("ecs-deployment-state-change-failed.json"));
        });

        proveTheFunctionsCredentialsWereUsed();
        proveTheBotTokenWasUsed();
        proveNothingLeaked();
    }

    @Test
    void gateSweepLogsNoCredentialWhileItReevaluates() {
        String sweepEvent = Fixtures.eventText("gantry-scheduled-event-gate-sweep.json");
        scenario("a push held at the gate, then swept", () -> {
            stubEcsService();
            stubAlarm("OK");
            storeBotToken();
            stubSlackGroup();
            InMemoryGateStore store = new InMemoryGateStore();
            InMemoryReleaseStore releases = new InMemoryReleaseStore();
            GateService gates = gateService(store, releases, secretsManagerBotToken());
            DeployService deploys = deployService(releases).withGates(gates);
            invoke(new EcsDeployHandler(deploys), "ecs-deploy", Fixtures.eventText("gantry-ecr-push-payments-api-1.4.0.json"));
            clock.advance(Duration.ofMinutes(20));
            invoke(new GateSweepHandler(new GateSweepService(gates, deploys)), "gate-sweep", sweepEvent);
            loopback.aws.stubFor(action("DescribeAlarms").willReturn(aResponse().withStatus(400).withHeader("Content-Type", "text/xml")
                    .withBody("<ErrorResponse><Error><Type>Sender</Type><Code>ExpiredToken</Code><Message>The security token included in"
                            + " the request is expired</Message></Error></ErrorResponse>")));
            loopback.slack.stubFor(slackMethod("usergroups.users.list").willReturn(aResponse().withStatus(500)));
            clock.advance(Duration.ofMinutes(20));
            invoke(new GateSweepHandler(new GateSweepService(gateService(store, releases, secretsManagerBotToken()), deploys)),
                    "gate-sweep", sweepEvent);
        });
        botTokenUnreadable("gate-sweep", () -> {
            stubEcsService();
            stubAlarm("OK");
            InMemoryGateStore store = new InMemoryGateStore();
            InMemoryReleaseStore releases = new InMemoryReleaseStore();
            DeployService deploys = deployService(releases).withGates(gateService(store, releases, ApproverGroups.none()));
            invoke(new EcsDeployHandler(deploys), "ecs-deploy", Fixtures.eventText("gantry-ecr-push-payments-api-1.4.0.json"));
            clock.advance(Duration.ofMinutes(20));
            invoke(new GateSweepHandler(new GateSweepService(gateService(store, releases, secretsManagerBotToken()), deploys)),
                    "gate-sweep", sweepEvent);
        });

        proveTheFunctionsCredentialsWereUsed();
        proveTheBotTokenWasUsed();
        proveNothingLeaked();
    }

    @Test
    void rolloutFollowLogsNoCredentialWhateverEcsAnswers() {
        scenario("a rollout followed to its end", () -> {
            stubEcsService();
            InMemoryReleaseStore releases = new InMemoryReleaseStore();
            InMemoryDeployControls controls = new InMemoryDeployControls();
            invoke(new EcsDeployHandler(new DeployService(config, new SdkEcsGateway(ecs()), releases, controls, clock)), "ecs-deploy",
                    Fixtures.eventText("gantry-ecr-push-payments-api-1.4.0.json"));
            loopback.aws.stubFor(operation("AmazonEC2ContainerServiceV20141113.DescribeServices").willReturn(json("""
                    {"services":[{"serviceName":"payments-api","clusterArn":"arn:aws:ecs:eu-west-1:111111111111:cluster/staging",
                      "status":"ACTIVE","taskDefinition":"%s","deployments":[
                        {"id":"%s","status":"PRIMARY","taskDefinition":"%s","desiredCount":2,"pendingCount":0,"runningCount":2,
                         "failedTasks":0,"rolloutState":"COMPLETED","rolloutStateReason":"ECS deployment %2$s completed."}]}],
                     "failures":[]}""".formatted(NEW_ARN, DEPLOYMENT, NEW_ARN))));
            RolloutHandler rollouts = new RolloutHandler(new RolloutService(config, new SdkEcsDeployments(ecs()), releases, controls, clock),
                    deployNews(releases));
            invoke(rollouts, "rollout-follow", Fixtures.eventText("gantry-ecs-deployment-in-progress-payments-api-staging.json"));
            invoke(rollouts, "rollout-follow", Fixtures.eventText("gantry-ecs-task-state-change-stopped-payments-api-staging.json"));
            invoke(rollouts, "rollout-follow", Fixtures.eventText("gantry-ecs-deployment-completed-payments-api-staging.json"));
        });
        scenario("ECS refusing, and the news queue refusing", () -> {
            loopback.aws.stubFor(operation("AmazonEC2ContainerServiceV20141113.DescribeServices")
                    .willReturn(jsonError(400, "AccessDeniedException", ACCESS_DENIED)));
            loopback.aws.stubFor(operation("AmazonSQS.SendMessage").willReturn(aResponse().withStatus(400)
                    .withHeader("Content-Type", Loopback.JSON_10)
                    .withBody("{\"__type\":\"com.amazonaws.sqs#AccessDenied\",\"message\":\"" + ACCESS_DENIED + "\"}")));
            InMemoryReleaseStore releases = new InMemoryReleaseStore();
            RolloutHandler rollouts = new RolloutHandler(new RolloutService(config, new SdkEcsDeployments(ecs()), releases,
                    new InMemoryDeployControls(), clock), deployNews(releases));
            invoke(rollouts, "rollout-follow", Fixtures.eventText("gantry-ecs-deployment-failed-rolled-back-payments-api-staging.json"));
            invoke(rollouts, "rollout-follow", Fixtures.eventText("ecs-deployment-state-change-completed.json"));
            invoke(rollouts, "rollout-follow", "{\"detail-type\":\"ECS Deployment State Change\",\"detail\":");
        });

        proveTheFunctionsCredentialsWereUsed();
        proveNothingLeaked();
    }

    @Test
    void imageRebuildLogsNoCredentialNorPresignedUrl() {
        scenario("a base pushed, its dependent started", () -> {
            loopback.aws.stubFor(operation("CodeBuild_20161006.StartBuild").willReturn(json(
                    "{\"build\":{\"id\":\"runtime-java-image:7f3b2d9e-1c4a-4e8b-9f6d-2a5c8e1b4f70\",\"buildStatus\":\"IN_PROGRESS\"}}")));
            invoke(imageRebuildHandler(new SdkImageLabels(region -> ecr())), "image-rebuild",
                    Fixtures.eventText("gantry-ecr-push-golden-java21.json"));
        });
        scenario("a rebuilt child's labels read through a presigned URL", () -> {
            Canary presigned = Canary.secret("an ECR layer's presigned download URL", "LayerUrlSignature");
            scan.planted(presigned);
            byte[] imageConfig = "{\"config\":{\"Labels\":{\"org.opencontainers.image.base.digest\":\"sha256:f8d12a184946dc448a204f10aa8d1f19ba23405f1b8a026e613ec92efb0a2720\"}}}"
                    .getBytes(StandardCharsets.UTF_8);
            String configDigest = "sha256:" + sha256(imageConfig);
            loopback.aws.stubFor(operation("AmazonEC2ContainerRegistry_V20150921.BatchGetImage").willReturn(json(Events.JSON
                    .createObjectNode().set("images", Events.JSON.createArrayNode().add(Events.JSON.createObjectNode()
                            .put("imageManifestMediaType", "application/vnd.oci.image.manifest.v1+json")
                            .put("imageManifest", "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\","
                                    + "\"config\":{\"mediaType\":\"application/vnd.oci.image.config.v1+json\",\"digest\":\""
                                    + configDigest + "\",\"size\":" + imageConfig.length + "}}"))).toString())));
            String url = loopback.aws.baseUrl() + "/prod-eu-west-1-starport-layer-bucket/blob?X-Amz-Security-Token="
                    + URLEncoder.encode(presigned.value(), StandardCharsets.UTF_8) + "&X-Amz-Signature=" + presigned.value().hashCode();
            loopback.aws.stubFor(operation("AmazonEC2ContainerRegistry_V20150921.GetDownloadUrlForLayer").willReturn(json(
                    Events.JSON.createObjectNode().put("downloadUrl", url).put("layerDigest", configDigest).toString())));
            loopback.aws.stubFor(get(urlPathEqualTo("/prod-eu-west-1-starport-layer-bucket/blob")).willReturn(aResponse().withStatus(200)
                    .withBody(imageConfig)));
            loopback.aws.stubFor(operation("CodeBuild_20161006.StartBuild").willReturn(json(
                    "{\"build\":{\"id\":\"payments-api-image:0c9e7a51-3b2d-4f6e-8a1c-5d4b3e2f1a09\",\"buildStatus\":\"IN_PROGRESS\"}}")));
            loopback.aws.stubFor(operation("CodePipeline_20150709.StartPipelineExecution").willReturn(json(
                    "{\"pipelineExecutionId\":\"2f6d8b1e-4a7c-4e93-b05d-8c3a1f9e7d24\"}")));
            invoke(imageRebuildHandler(new SdkImageLabels(region -> ecr())), "image-rebuild",
                    Fixtures.eventText("gantry-ecr-push-runtime-java.json"));
            loopback.aws.stubFor(get(urlPathEqualTo("/prod-eu-west-1-starport-layer-bucket/blob")).willReturn(aResponse().withStatus(403)
                    .withHeader("Content-Type", "application/xml").withBody("<Error><Code>AccessDenied</Code><Message>Request has expired"
                            + "</Message><X-Amz-Expires>3600</X-Amz-Expires></Error>")));
            invoke(imageRebuildHandler(new SdkImageLabels(region -> ecr())), "image-rebuild",
                    Fixtures.eventText("gantry-ecr-push-runtime-java.json"));
            loopback.aws.stubFor(operation("AmazonEC2ContainerRegistry_V20150921.GetDownloadUrlForLayer").willReturn(json(
                    Events.JSON.createObjectNode().put("downloadUrl", url.replace("?", "? ")).put("layerDigest", configDigest).toString())));
            invoke(imageRebuildHandler(new SdkImageLabels(region -> ecr())), "image-rebuild",
                    Fixtures.eventText("gantry-ecr-push-runtime-java.json"));
        });
        scenario("CodeBuild and CodePipeline refusing", () -> {
            loopback.aws.stubFor(operation("CodeBuild_20161006.StartBuild").willReturn(jsonError(400, "AccessDeniedException", ACCESS_DENIED)));
            invoke(imageRebuildHandler(new SdkImageLabels(region -> ecr())), "image-rebuild",
                    Fixtures.eventText("gantry-ecr-push-golden-java21.json"));
            loopback.aws.stubFor(operation("CodeBuild_20161006.StartBuild").willReturn(aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER)));
            invoke(imageRebuildHandler(new SdkImageLabels(region -> ecr())), "image-rebuild",
                    Fixtures.eventText("gantry-scheduled-rebuild-golden-java21.json"));
            invoke(imageRebuildHandler(new SdkImageLabels(region -> ecr())), "image-rebuild",
                    Fixtures.eventText("gantry-codebuild-build-succeeded-runtime-java-image.json"));
            invoke(imageRebuildHandler(new SdkImageLabels(region -> ecr())), "image-rebuild", "{\"detail-type\":");
        });

        proveTheFunctionsCredentialsWereUsed();
        proveNothingLeaked();
    }

    @Test
    void slackInteractionsLogsNoSigningSecretSignatureNorToken() throws Exception {
        Canary signingSecret = Canary.secret("the Slack signing secret", "SigningSecret");
        Canary previousSecret = Canary.secret("the previous Slack signing secret", "PreviousSigningSecret");
        Canary verificationToken = Canary.secret("Slack's verification token", "VerificationToken");
        Canary responseUrl = Canary.secret("a response_url's token", "ResponseUrl");
        Map<String, String> environment = ackEnvironment();
        String command = Fixtures.eventText("gantry-slack-slash-command.form")
                .replace("test-verification-token-not-real", URLEncoder.encode(verificationToken.value(), StandardCharsets.UTF_8))
                .replace("test-response-url-not-real", URLEncoder.encode(responseUrl.value(), StandardCharsets.UTF_8));
        ObjectNode click = Events.sample("gantry-slack-block-actions-approve.json");
        click.put("token", verificationToken.value());
        click.put("response_url", click.path("response_url").asText().replace("test-response-url-not-real", responseUrl.value()));
        String clickBody = "payload=" + URLEncoder.encode(click.toString(), StandardCharsets.UTF_8);

        scenario("requests signed with the current secret", () -> {
            storeSecret(SIGNING_SECRET_ARN, signingSecret.value());
            loopback.acceptSqsMessages();
            scan.planted(signingSecret, verificationToken, responseUrl);
            invoke(ackHandler(environment), "slack-interactions", signedRequest(signingSecret, Instant.now(), command));
            invoke(ackHandler(environment), "slack-interactions", signedRequest(signingSecret, Instant.now(), clickBody));
        });
        scenario("requests signed with the previous secret while it rotates", () -> {
            storeSecret(SIGNING_SECRET_ARN, Events.JSON.createObjectNode().put("signingSecret", signingSecret.value())
                    .put("previousSigningSecret", previousSecret.value()).toString());
            loopback.acceptSqsMessages();
            scan.planted(signingSecret, previousSecret, verificationToken, responseUrl);
            invoke(ackHandler(environment), "slack-interactions", signedRequest(previousSecret, Instant.now(), command));
        });
        scenario("forged, stale and unsigned requests", () -> {
            storeSecret(SIGNING_SECRET_ARN, signingSecret.value());
            loopback.acceptSqsMessages();
            Canary forger = Canary.secret("a forger's signing secret", "ForgedSecret");
            scan.planted(signingSecret, forger, verificationToken, responseUrl);
            invoke(ackHandler(environment), "slack-interactions", signedRequest(forger, Instant.now(), command));
            invoke(ackHandler(environment), "slack-interactions", signedRequest(signingSecret, Instant.now().minus(Duration.ofMinutes(6)), command));
            invoke(ackHandler(environment), "slack-interactions", signedRequest(signingSecret, Instant.now(), command)
                    .replace("approve+payments-api+prod", "approve+payments-api+stag"));
            long now = Instant.now().getEpochSecond();
            String signature = SlackSignature.of(signingSecret.value(), now, command);
            scan.planted(Canary.derived("a Slack request signature", signature.substring(3)));
            invoke(ackHandler(environment), "slack-interactions", Events.functionUrlRequest("POST", Map.of(
                    "x-slack-signature", signature, "X-Slack-Signature", signature + "0", "x-slack-request-timestamp", Long.toString(now)),
                    command));
            invoke(ackHandler(environment), "slack-interactions", Events.functionUrlRequest("POST", Map.of(
                    "x-slack-request-timestamp", Long.toString(now)), command));
            invoke(ackHandler(environment), "slack-interactions", Events.functionUrlRequest("GET", Map.of(), ""));
        });
        scenario("Function URL events broken where the signature is, or at random", () -> {
            storeSecret(SIGNING_SECRET_ARN, signingSecret.value());
            loopback.acceptSqsMessages();
            scan.planted(signingSecret, verificationToken, responseUrl);
            long now = Instant.now().getEpochSecond();
            String signature = SlackSignature.of(signingSecret.value(), now, command);
            scan.planted(Canary.derived("a Slack request signature", signature.substring(3)));
            String event = Events.functionUrlRequest("POST", Map.of("x-slack-request-timestamp", Long.toString(now),
                    "x-slack-signature", signature), command);
            List<String> broken = new ArrayList<>(Events.brokenAroundSecrets(event, List.of(signature)));
            broken.addAll(Events.mangled(event, new Random(7), ReliabilityFigures.scaled(10, 300)));
            RequestStreamHandler handler = ackHandler(environment);
            for (String brokenEvent : broken) {
                invoke(handler, "slack-interactions", brokenEvent);
            }
        });
        scenario("the signing secret unreadable", () -> {
            scan.planted(signingSecret, verificationToken, responseUrl);
            loopback.aws.stubFor(operation("secretsmanager.GetSecretValue").willReturn(jsonError(400, "AccessDeniedException",
                    ACCESS_DENIED + ": secretsmanager:GetSecretValue on " + SIGNING_SECRET_ARN)));
            invoke(ackHandler(environment), "slack-interactions", signedRequest(signingSecret, Instant.now(), command));
            for (String answer : secretAnswersThatAreNotJson(signingSecret)) {
                loopback.aws.stubFor(operation("secretsmanager.GetSecretValue").willReturn(json(answer)));
                invoke(ackHandler(environment), "slack-interactions", signedRequest(signingSecret, Instant.now(), command));
            }
            storeSecret(SIGNING_SECRET_ARN, "{\"signingSecret\": \"" + signingSecret.value() + "\", \"previousSigningSecret\": ");
            invoke(ackHandler(environment), "slack-interactions", signedRequest(signingSecret, Instant.now(), command));
        });
        scenario("the request queue refusing", () -> {
            storeSecret(SIGNING_SECRET_ARN, signingSecret.value());
            scan.planted(signingSecret, verificationToken, responseUrl);
            loopback.aws.stubFor(operation("AmazonSQS.SendMessage").willReturn(aResponse().withStatus(400)
                    .withHeader("Content-Type", Loopback.JSON_10)
                    .withBody("{\"__type\":\"com.amazonaws.sqs#AccessDenied\",\"message\":\"" + ACCESS_DENIED + "\"}")));
            invoke(ackHandler(environment), "slack-interactions", signedRequest(signingSecret, Instant.now(), command));
            loopback.aws.stubFor(operation("AmazonSQS.SendMessage").willReturn(aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER)));
            invoke(ackHandler(environment), "slack-interactions", signedRequest(signingSecret, Instant.now(), clickBody));
        });

        proveTheFunctionsCredentialsWereUsed();
        assertThat(loopback.awsBodies("SendMessage")).as("a request signed with the planted secret was handed on")
                .anySatisfy(body -> assertThat(body).contains(URLEncoder.encode(verificationToken.value(), StandardCharsets.UTF_8)));
        proveNothingLeaked();
    }

    @Test
    void chatOpsWorkerLogsNoTokenNorResponseUrl() throws Exception {
        Canary verificationToken = Canary.secret("Slack's verification token", "VerificationToken");
        Canary responseUrl = Canary.secret("a response_url's token", "ResponseUrl");
        Canary approvalToken = Canary.secret("a CodePipeline approval token", "ApprovalToken");
        GantryConfig chatOpsConfig = chatOpsConfig();
        String respondPath = "/commands/T0GANTRY1/1000000000001/" + responseUrl.value();
        String command = Fixtures.eventText("gantry-slack-slash-command.form")
                .replace("test-verification-token-not-real", URLEncoder.encode(verificationToken.value(), StandardCharsets.UTF_8))
                .replace(URLEncoder.encode("https://hooks.slack.com/commands/T0GANTRY1/1000000000001/test-response-url-not-real",
                        StandardCharsets.UTF_8), URLEncoder.encode(loopback.slack.baseUrl() + respondPath, StandardCharsets.UTF_8));

        scenario("commands answered through their response_url", () -> {
            scan.planted(verificationToken, responseUrl);
            loopback.slack.stubFor(post(urlPathEqualTo(respondPath)).willReturn(aResponse().withStatus(200).withBody("ok")));
            invoke(workerHandler(chatOpsConfig, new InMemoryPendingApprovals()), "chatops-worker", Events.sqsBatch(List.of(command,
                    command.replace("approve+payments-api+prod", "status"), command.replace("U0ALICE01", "U0MALLORY")),
                    Map.of("kind", "command")));
        });
        scenario("a pipeline approval decided from its card", () -> {
            scan.planted(verificationToken, responseUrl, approvalToken);
            storeBotToken();
            loopback.slack.stubFor(post(urlPathEqualTo(respondPath)).willReturn(aResponse().withStatus(200).withBody("ok")));
            loopback.slack.stubFor(slackMethod("chat.postMessage").willReturn(slackAnswer(
                    "{\"ok\":true,\"channel\":\"C0RELEASES\",\"ts\":\"1763892000.000100\"}")));
            loopback.slack.stubFor(slackMethod("chat.update").willReturn(slackAnswer("{\"ok\":true}")));
            loopback.aws.stubFor(operation("CodePipeline_20150709.PutApprovalResult").willReturn(json(
                    "{\"approvedAt\":1.7726184E9}")));
            InMemoryPendingApprovals pending = new InMemoryPendingApprovals();
            String cardId = pipelineApprovalCard(chatOpsConfig, pending, approvalToken).id();
            invoke(workerHandler(chatOpsConfig, pending), "chatops-worker", Events.sqsBatch(List.of(
                    approvalClick(verificationToken, respondPath, "gantry.pipeline.approve", cardId)), Map.of("kind", "interaction")));
            assertThat(loopback.awsBodies("PutApprovalResult")).as("the approval token reached CodePipeline")
                    .anySatisfy(body -> assertThat(body).contains(approvalToken.value()));
            String secondCard = pipelineApprovalCard(chatOpsConfig, pending, Canary.secret("another approval token", "ApprovalToken")).id();
            loopback.aws.stubFor(operation("CodePipeline_20150709.PutApprovalResult").willReturn(jsonError(400,
                    "InvalidApprovalTokenException", "The approval action cannot be updated because the token is not valid.")));
            loopback.slack.stubFor(slackMethod("chat.update").willReturn(slackAnswer("{\"ok\":false,\"error\":\"invalid_auth\"}")));
            invoke(workerHandler(chatOpsConfig, pending), "chatops-worker", Events.sqsBatch(List.of(
                    approvalClick(verificationToken, respondPath, "gantry.pipeline.reject", secondCard)), Map.of("kind", "interaction")));
        });
        scenario("Slack not taking the answer", () -> {
            scan.planted(verificationToken, responseUrl);
            loopback.slack.stubFor(post(urlPathEqualTo(respondPath)).willReturn(aResponse().withStatus(500)));
            invoke(workerHandler(chatOpsConfig, new InMemoryPendingApprovals()), "chatops-worker",
                    Events.sqsBatch(List.of(command), Map.of("kind", "command")));
            loopback.slack.stubFor(post(urlPathEqualTo(respondPath)).willReturn(aResponse().withStatus(404).withBody("expired_url")));
            invoke(workerHandler(chatOpsConfig, new InMemoryPendingApprovals()), "chatops-worker",
                    Events.sqsBatch(List.of(command), Map.of("kind", "command")));
            loopback.slack.stubFor(post(urlPathEqualTo(respondPath)).willReturn(aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER)));
            invoke(workerHandler(chatOpsConfig, new InMemoryPendingApprovals()), "chatops-worker",
                    Events.sqsBatch(List.of(command), Map.of("kind", "command")));
            String unreachable = command.replace(URLEncoder.encode(loopback.slack.baseUrl(), StandardCharsets.UTF_8),
                    URLEncoder.encode("http://127.0.0.1:9", StandardCharsets.UTF_8));
            invoke(workerHandler(chatOpsConfig, new InMemoryPendingApprovals()), "chatops-worker",
                    Events.sqsBatch(List.of(unreachable), Map.of("kind", "command")));
        });
        scenario("bodies the worker cannot read", () -> {
            scan.planted(verificationToken, responseUrl);
            List<String> broken = new ArrayList<>(Events.mangled(command, new Random(11), ReliabilityFigures.scaled(10, 300)));
            broken.add("payload=" + URLEncoder.encode("{\"type\":\"block_actions\",\"token\":\"" + verificationToken.value() + "\",",
                    StandardCharsets.UTF_8));
            broken.add("token=" + URLEncoder.encode(verificationToken.value(), StandardCharsets.UTF_8) + "&response_url=%ZZ");
            String respondUrl = URLEncoder.encode(loopback.slack.baseUrl() + respondPath, StandardCharsets.UTF_8);
            broken.add(command.replace(respondUrl, respondUrl + "%7Cx"));
            broken.add(command.replace(respondUrl, respondUrl.replaceFirst("%3A%2F", "%3A%7D")));
            loopback.slack.stubFor(post(urlPathEqualTo(respondPath)).willReturn(aResponse().withStatus(200).withBody("ok")));
            invoke(workerHandler(chatOpsConfig, new InMemoryPendingApprovals()), "chatops-worker",
                    Events.sqsBatch(broken, Map.of("kind", "command")));
        });

        proveTheFunctionsCredentialsWereUsed();
        proveTheBotTokenWasUsed();
        assertThat(loopback.slackRequests()).as("Gantry answered through the planted response_url")
                .anySatisfy(r -> assertThat(r.getUrl()).endsWith(responseUrl.value()));
        proveNothingLeaked(approvalToken);
    }

    @Test
    void chatOpsNotifyLogsNoBotTokenNorApprovalToken() throws Exception {
        Canary approvalToken = Canary.secret("a CodePipeline approval token", "ApprovalToken");
        GantryConfig chatOpsConfig = chatOpsConfig();
        String approval = approvalNotification(approvalToken);

        scenario("an approval card, news and an AWS state change posted", () -> {
            scan.planted(approvalToken);
            storeBotToken();
            loopback.slack.stubFor(slackMethod("chat.postMessage").willReturn(slackAnswer(
                    "{\"ok\":true,\"channel\":\"C0RELEASES\",\"ts\":\"1763892000.000100\"}")));
            loopback.slack.stubFor(slackMethod("chat.update").willReturn(slackAnswer("{\"ok\":true}")));
            invoke(notifyHandler(chatOpsConfig), "chatops-notify", approval);
            invoke(notifyHandler(chatOpsConfig), "chatops-notify", Events.sqsBatch(List.of(pipelineNews("STARTED"),
                    pipelineNews("SUCCEEDED")), Map.of()));
            invoke(notifyHandler(chatOpsConfig), "chatops-notify",
                    Fixtures.eventText("gantry-codepipeline-execution-succeeded-checkout-web-release.json"));
        });
        scenario("Slack refusing the token, failing and rate-limiting", () -> {
            scan.planted(approvalToken);
            storeBotToken();
            for (ResponseDefinitionBuilder answer : List.of(slackAnswer("{\"ok\":false,\"error\":\"invalid_auth\"}"),
                    aResponse().withStatus(503), aResponse().withStatus(429).withHeader("Retry-After", "30"),
                    aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER))) {
                loopback.slack.stubFor(slackMethod("chat.postMessage").willReturn(answer));
                invoke(notifyHandler(chatOpsConfig), "chatops-notify", approval);
                invoke(notifyHandler(chatOpsConfig), "chatops-notify", Events.sqsBatch(List.of(pipelineNews("FAILED")), Map.of()));
            }
        });
        botTokenUnreadable("chatops-notify", () -> {
            scan.planted(approvalToken);
            invoke(notifyHandler(chatOpsConfig), "chatops-notify", Events.sqsBatch(List.of(pipelineNews("STARTED")), Map.of()));
            invoke(notifyHandler(chatOpsConfig), "chatops-notify", approval);
        });
        scenario("approval notifications broken where their token is", () -> {
            storeBotToken();
            ObjectNode envelope = Events.sample("sns-lambda-event-envelope.lambda-dev-guide.json");
            for (String broken : Events.brokenAroundSecrets(approvalMessage(approvalToken), List.of(approvalToken.value()))) {
                scan.planted(approvalToken);
                ((ObjectNode) envelope.path("Records").path(0).path("Sns")).put("Message", broken);
                invoke(notifyHandler(chatOpsConfig), "chatops-notify", envelope.toString());
            }
        });

        proveTheFunctionsCredentialsWereUsed();
        proveTheBotTokenWasUsed();
        proveNothingLeaked(approvalToken);
    }

    @Test
    void theScanFindsAPlantedSecretInEveryFormItLooksFor() {
        Canary secret = Canary.secret("a secret logged on purpose", "LoggedOnPurpose");
        scan.planted(secret);
        LoggerFactory.getLogger("software.amazon.awssdk.request").warn("header {}", secret.value());
        LoggerFactory.getLogger("dev.gantry.example").trace("as a cause",
                new IllegalStateException("outer", new RuntimeException("x-amz-security-token:" + secret.value())));
        System.err.println("url=" + URLEncoder.encode(secret.value(), StandardCharsets.UTF_8));
        System.out.println("b64=" + Base64.getEncoder().encodeToString(("xy" + secret.value() + "z").getBytes(StandardCharsets.UTF_8)));
        java.util.logging.Logger.getLogger("jdk.example").warning("cut short: " + secret.value().substring(0, secret.value().indexOf('/')));

        List<String> lines = output.lines();
        scan.logLines("log", lines);

        assertThat(scan.findings()).extracting(LeakScan.Finding::form)
                .containsOnlyOnce("URL-encoded", "a part of it")
                .anySatisfy(form -> assertThat(form).startsWith("base64 at offset"))
                .filteredOn("as is"::equals).hasSize(2);
        assertThat(scan.findings()).hasSize(5);
    }

    // ---- what each handler runs on ----

    private EcsDeployHandler ecsDeployHandler() {
        InMemoryReleaseStore releases = new InMemoryReleaseStore();
        return new EcsDeployHandler(deployService(releases), deployNews(releases));
    }

    private DeployService deployService(InMemoryReleaseStore releases) {
        return new DeployService(config, new SdkEcsGateway(ecs()), releases, new InMemoryDeployControls(), clock);
    }

    private DeployNews deployNews(InMemoryReleaseStore releases) {
        loopback.acceptSqsMessages();
        return new DeployNews(config, releases, new SqsNotifier(new SqsQueue(track(loopback.client(SqsClient.builder(),
                functionCredentials)), NOTIFY_QUEUE)), clock);
    }

    private PipelineDeployHandler pipelineDeployHandler() {
        InMemoryReleaseStore releases = new InMemoryReleaseStore();
        return new PipelineDeployHandler(new PipelineDeployService(config, deployService(releases),
                new S3ArtifactReader(loopback.http, Loopback.REGION, loopback.awsEndpoint(), true), new SdkImageRegistry(ecr()),
                new SdkPipelineJobs(codePipeline()), new InMemoryJobLedger(), clock), deployNews(releases));
    }

    private PipelineGateHandler pipelineGateHandler(InMemoryGateStore store) {
        return new PipelineGateHandler(new PipelineGateService(config, gateService(store, new InMemoryReleaseStore(),
                secretsManagerBotToken()), new S3ArtifactReader(loopback.http, Loopback.REGION, loopback.awsEndpoint(), true),
                new SdkImageRegistry(ecr()), new SdkPipelineJobs(codePipeline()), new InMemoryJobLedger(), clock));
    }

    private EcsHookHandler ecsHookHandler() {
        return new EcsHookHandler(new EcsHookGateService(config, gateService(new InMemoryGateStore(), new InMemoryReleaseStore(),
                secretsManagerBotToken()), new SdkServiceRevisions(ecs()), clock));
    }

    private GateService gateService(InMemoryGateStore store, InMemoryReleaseStore releases, ApproverGroups groups) {
        return new GateService(config, store, releases, new SdkAlarmStates(track(loopback.client(CloudWatchClient.builder(),
                functionCredentials))), new InMemoryChangeCalendars(), new InMemoryCustomChecks(), groups, clock);
    }

    private ImageRebuildHandler imageRebuildHandler(SdkImageLabels labels) {
        CodePipelineClient codePipeline = codePipeline();
        RebuildService rebuilds = new RebuildService(config, new InMemoryRebuildLedger(), new SdkBuildRunner(
                track(loopback.client(CodeBuildClient.builder(), functionCredentials)), codePipeline), labels,
                new InMemoryImageRegistry(), "111111111111", "eu-west-1", clock, new InMemoryRevokedBases(), new InMemoryDeployControls(),
                new InMemoryLineageHistory());
        return new ImageRebuildHandler(rebuilds, image -> image, Notifier.NONE, clock);
    }

    /** The bot token as the worker, the notifier and the gates read it: Secrets Manager through the SDK, on first use. */
    private ApproverGroups secretsManagerBotToken() {
        return new SlackApproverGroups(botTokenSecret(), loopback.slackBaseUrl(), clock);
    }

    private Supplier<String> botTokenSecret() {
        scan.planted(botToken);
        return new SecretsManagerSecret(track(loopback.client(SecretsManagerClient.builder(), functionCredentials)), BOT_TOKEN_ARN, clock);
    }

    private SlackWebApi slackWebApi() {
        return new SlackWebApi(botTokenSecret(), loopback.slackBaseUrl(), new SlackWebApi.RetryPolicy(1, Duration.ofSeconds(1), 2,
                Duration.ZERO, Duration.ZERO, Duration.ofSeconds(2)), duration -> { });
    }

    /**
     * The acknowledgement function as Lambda builds it from its environment (the handler's own wiring); it reads the
     * signing secret from Secrets Manager on first use.
     */
    private RequestStreamHandler ackHandler(Map<String, String> environment) {
        return InteractionsHandlers.fromEnvironment(environment);
    }

    private Map<String, String> ackEnvironment() {
        Map<String, String> environment = new LinkedHashMap<>();
        environment.put("AWS_REGION", "eu-west-1");
        environment.put("AWS_ACCESS_KEY_ID", functionKeyId.value());
        environment.put("AWS_SECRET_ACCESS_KEY", functionSecretKey.value());
        environment.put("AWS_SESSION_TOKEN", functionSessionToken.value());
        environment.put("AWS_ENDPOINT_URL", loopback.aws.baseUrl());
        environment.put("GANTRY_SLACK_SIGNING_SECRET_ARN", SIGNING_SECRET_ARN);
        environment.put("GANTRY_CHATOPS_REQUEST_QUEUE_URL", REQUEST_QUEUE);
        environment.put("POWERTOOLS_LOG_LEVEL", "TRACE");
        environment.put("POWERTOOLS_SERVICE_NAME", "gantry-slack-interactions");
        return environment;
    }

    private RequestStreamHandler workerHandler(GantryConfig chatOpsConfig, InMemoryPendingApprovals pending) {
        InMemoryReleaseStore releases = new InMemoryReleaseStore();
        InMemoryDeployControls controls = new InMemoryDeployControls();
        InMemoryGateStore gateStore = new InMemoryGateStore();
        GateService gates = new GateService(chatOpsConfig, gateStore, releases, new InMemoryAlarmStates(),
                new InMemoryChangeCalendars(), new InMemoryCustomChecks(), ApproverGroups.none(), clock);
        ChatOpsService chatOps = ChatOpsService.builder()
                .config(chatOpsConfig)
                .clock(clock)
                .ledger(new InMemoryChatRequestLedger())
                .audit(new InMemoryAuditLog())
                .deploys(new DeployService(chatOpsConfig, new SdkEcsGateway(ecs()), releases, controls, clock).withGates(gates))
                .controls(controls)
                .releases(releases)
                .registry(new SdkImageRegistry(ecr()))
                .gates(gates, gateStore)
                .freezes(new InMemoryManualFreezes())
                .pendingApprovals(pending)
                .pipelineApprovals(new SdkPipelineApprovals(codePipeline()))
                .build();
        return HandlersFromParts.worker(chatOps, slackWebApi());
    }

    private RequestStreamHandler notifyHandler(GantryConfig chatOpsConfig) {
        SlackWebApi slack = slackWebApi();
        InMemoryGateStore gateStore = new InMemoryGateStore();
        InMemoryPendingApprovals pending = new InMemoryPendingApprovals();
        ChatPermissions permissions = new ChatPermissions(chatOpsConfig, ApproverGroups.none());
        return HandlersFromParts.notify(new NotifyService(new InMemoryReleaseThreads(), slack, chatOpsConfig.slack(), clock),
                new InMemoryRebuildLedger(), new AlarmThreads(chatOpsConfig, gateStore, null),
                new ApprovalRequests(chatOpsConfig, pending, slack, permissions, clock), gateStore,
                new EndedApprovals(chatOpsConfig, pending, gateStore, slack, permissions));
    }

    /** The example configuration, with the Slack workspace and app whose requests ChatOps answers. */
    private static GantryConfig chatOpsConfig() throws IOException {
        String yaml = Files.readString(Fixtures.exampleConfigFile());
        return ConfigLoader.parse(yaml.replace("slack:\n", "slack:\n  teamId: T0GANTRY1\n  appId: A0GANTRY1\n  permissions:\n"
                + "    pipelineApprovals: [U0BOB00001]\n"), "gantry.yml");
    }

    private PendingApproval pipelineApprovalCard(GantryConfig chatOpsConfig, InMemoryPendingApprovals pending,
            Canary token) {
        return new ApprovalRequests(chatOpsConfig, pending, slackWebApi(), new ChatPermissions(chatOpsConfig, ApproverGroups.none()), clock)
                .requestPipelineApproval(PipelineApprovalNotice.parse(approvalMessage(token)), null);
    }

    private static String approvalClick(Canary verificationToken, String respondPath, String actionId, String cardId) {
        ObjectNode click = Events.sample("gantry-slack-block-actions-approve.json");
        click.put("token", verificationToken.value());
        click.put("response_url", loopback.slack.baseUrl() + respondPath);
        ObjectNode action = (ObjectNode) click.path("actions").path(0);
        action.put("action_id", actionId);
        action.put("value", cardId);
        return "payload=" + URLEncoder.encode(click.toString(), StandardCharsets.UTF_8);
    }

    /** CodePipeline's manual-approval notification with {@code token} in it, due after the test's clock. */
    private static String approvalMessage(Canary token) {
        return Fixtures.eventText("codepipeline-manual-approval-sns-message.json")
                .replace("1a2b3c4d-573f-4ea7-a67E-XAMPLETOKEN", token.value())
                .replace("2016-07-07T20:22Z", "2026-03-11T20:22Z");
    }

    /** The SNS event Lambda delivers with {@code token}'s approval notification as its message. */
    private static String approvalNotification(Canary token) {
        ObjectNode envelope = Events.sample("sns-lambda-event-envelope.lambda-dev-guide.json");
        ((ObjectNode) envelope.path("Records").path(0).path("Sns")).put("Message", approvalMessage(token));
        return envelope.toString();
    }

    private String pipelineNews(String state) {
        return ReleaseNewsJson.write(ReleaseNews.PipelineChanged.of("checkout-web-release", "2f6d8b1e-4a7c-4e93-b05d-8c3a1f9e7d24", null,
                state, null, null, "eu-west-1", clock.instant()));
    }

    // ---- loopback AWS and Slack ----

    private EcsClient ecs() {
        return track(loopback.client(EcsClient.builder(), functionCredentials));
    }

    private EcrClient ecr() {
        return track(loopback.client(EcrClient.builder(), functionCredentials));
    }

    private CodePipelineClient codePipeline() {
        return track(loopback.client(CodePipelineClient.builder(), functionCredentials));
    }

    private <T extends AutoCloseable> T track(T client) {
        clients.add(client);
        return client;
    }

    private void stubEcsService() {
        loopback.aws.stubFor(operation("AmazonEC2ContainerServiceV20141113.DescribeServices").willReturn(json("""
                {"services":[{"serviceName":"payments-api","clusterArn":"arn:aws:ecs:eu-west-1:111111111111:cluster/staging",
                  "status":"ACTIVE","taskDefinition":"%s","deployments":[{"status":"PRIMARY","taskDefinition":"%1$s"}]}],
                 "failures":[]}""".formatted(RUNNING_ARN))));
        loopback.aws.stubFor(operation("AmazonEC2ContainerServiceV20141113.DescribeTaskDefinition").willReturn(json("""
                {"taskDefinition":{"taskDefinitionArn":"%s","family":"payments-api-staging","revision":41,"status":"ACTIVE",
                  "taskRoleArn":"arn:aws:iam::111111111111:role/payments-api-task",
                  "executionRoleArn":"arn:aws:iam::111111111111:role/ecs-task-execution",
                  "networkMode":"awsvpc","requiresCompatibilities":["FARGATE"],"cpu":"512","memory":"1024",
                  "containerDefinitions":[{"name":"app","image":"%s/payments-api:1.3.0","essential":true}]},
                 "tags":[{"key":"service","value":"payments-api"}]}""".formatted(RUNNING_ARN, REGISTRY))));
        loopback.aws.stubFor(operation("AmazonEC2ContainerServiceV20141113.RegisterTaskDefinition").willReturn(json(
                "{\"taskDefinition\":{\"taskDefinitionArn\":\"" + NEW_ARN + "\",\"revision\":42}}")));
        loopback.aws.stubFor(operation("AmazonEC2ContainerServiceV20141113.UpdateService").willReturn(json(
                "{\"service\":{\"serviceName\":\"payments-api\",\"taskDefinition\":\"" + NEW_ARN + "\"}}")));
    }

    private void stubProdRevision() {
        loopback.aws.stubFor(operation("AmazonEC2ContainerServiceV20141113.DescribeServiceRevisions").willReturn(json("""
                {"serviceRevisions":[{"serviceRevisionArn":"arn:aws:ecs:eu-west-1:111111111111:service-revision/prod/payments-api/5146209837166290472",
                  "serviceArn":"arn:aws:ecs:eu-west-1:111111111111:service/prod/payments-api",
                  "clusterArn":"arn:aws:ecs:eu-west-1:111111111111:cluster/prod",
                  "taskDefinition":"arn:aws:ecs:eu-west-1:111111111111:task-definition/payments-api-prod:18",
                  "containerImages":[{"containerName":"app","imageDigest":"%s","image":"%s/payments-api:1.4.0"}]}],
                 "failures":[]}""".formatted(DIGEST, REGISTRY))));
    }

    private void stubPipelineJobResults() {
        loopback.aws.stubFor(operation("CodePipeline_20150709.PutJobSuccessResult").willReturn(json("{}")));
        loopback.aws.stubFor(operation("CodePipeline_20150709.PutJobFailureResult").willReturn(json("{}")));
    }

    private void stubEcrTag() {
        loopback.aws.stubFor(operation("AmazonEC2ContainerRegistry_V20150921.DescribeImages").willReturn(json("""
                {"imageDetails":[{"registryId":"111111111111","repositoryName":"payments-api","imageDigest":"%s","imageTags":["1.4.0"]}]}"""
                .formatted(DIGEST))));
    }

    private void serveArtifact(String key) {
        loopback.aws.stubFor(S3Wire.getObject(ARTIFACT_BUCKET, key).willReturn(S3Wire.object(
                PipelineArtifacts.imageDefinitions(PipelineArtifacts.IMAGE_DEFINITIONS_BY_TAG))));
    }

    private void stubAlarm(String state) {
        loopback.aws.stubFor(CloudWatchWire.describeAlarms().willReturn(CloudWatchWire.metricAlarms(CloudWatchWire.metricAlarm(
                "payments-api-5xx", state, "Threshold Crossed: no datapoints were greater than the threshold (5.0).",
                "2026-03-04T08:00:00.000Z"))));
    }

    private void storeBotToken() {
        storeSecret(BOT_TOKEN_ARN, botToken.value());
    }

    private static void storeSecret(String arn, String value) {
        loopback.aws.stubFor(operation("secretsmanager.GetSecretValue").withRequestBody(matchingJsonPath("$.SecretId", equalTo(arn)))
                .willReturn(json(Events.JSON.createObjectNode().put("ARN", arn).put("Name", "gantry/slack").put("SecretString", value)
                        .put("VersionId", "a1b2c3d4-5678-90ab-cdef-EXAMPLE11111").toString())));
    }

    private void stubSlackGroup() {
        loopback.slack.stubFor(slackMethod("usergroups.users.list").willReturn(slackAnswer("{\"ok\":true,\"users\":[\"U0EXAMPLE4\"]}")));
    }

    /**
     * The bot token's secret unreadable in every way Secrets Manager (or whatever answers in its place) can fail:
     * refused, throttled, down, and answering with a body that is not the JSON it should be, the secret's value in it.
     */
    private void botTokenUnreadable(String function, Body invocations) {
        List<ResponseDefinitionBuilder> answers = new ArrayList<>(List.of(
                jsonError(400, "AccessDeniedException", ACCESS_DENIED + ": secretsmanager:GetSecretValue on " + BOT_TOKEN_ARN),
                jsonError(400, "ResourceNotFoundException", "Secrets Manager can't find the specified secret."),
                jsonError(400, "ThrottlingException", "Rate exceeded"),
                aResponse().withStatus(503),
                aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER)));
        for (String answer : secretAnswersThatAreNotJson(botToken)) {
            answers.add(json(answer));
        }
        for (ResponseDefinitionBuilder answer : answers) {
            scenario(function + " with the bot token unreadable", () -> {
                scan.planted(botToken);
                loopback.aws.stubFor(operation("secretsmanager.GetSecretValue").willReturn(answer));
                stubSlackGroup();
                loopback.slack.stubFor(slackMethod("chat.postMessage").willReturn(slackAnswer(
                        "{\"ok\":true,\"channel\":\"C0RELEASES\",\"ts\":\"1763892000.000100\"}")));
                invocations.run();
            });
        }
    }

    /** GetSecretValue answers that are not JSON, each holding the secret's value where a parser trips over it. */
    private static List<String> secretAnswersThatAreNotJson(Canary secret) {
        return List.of(
                "{\"ARN\":\"" + BOT_TOKEN_ARN + "\",\"SecretString\":" + secret.value() + "}",
                "{\"ARN\":\"" + BOT_TOKEN_ARN + "\",\"SecretString\":\"" + secret.value(),
                secret.value());
    }

    private String signedRequest(Canary secret, Instant at, String body) {
        String signature = SlackSignature.of(secret.value(), at.getEpochSecond(), body);
        scan.planted(Canary.derived("a Slack request signature", signature.substring(3)));
        return Events.functionUrlRequest("POST", Map.of("content-type", "application/x-www-form-urlencoded",
                "x-slack-request-timestamp", Long.toString(at.getEpochSecond()), "x-slack-signature", signature,
                "user-agent", "Slackbot 1.0 (+https://api.slack.com/robots)"), body);
    }

    // ---- artifact credentials ----

    /** Fresh artifact credentials, as CodePipeline hands each job. */
    private ArtifactAccess artifactAccess() {
        ArtifactAccess access = new ArtifactAccess(Canary.accessKeyId("a job's artifact access key id"),
                Canary.secret("a job's artifact secret access key", "ArtifactSecretKey"),
                Canary.secret("a job's artifact session token", "ArtifactSessionToken"));
        scan.planted(access.canaries());
        return access;
    }

    private String pipelineJob(String sample) {
        return artifactAccess().job(sample);
    }

    private String nextJobId() {
        return String.format("5d0b7e2c-1a4f-xmpl-9c3e-%012d", ++jobs);
    }

    private final class ArtifactAccess {
        final Canary keyIdCanary;
        final Canary secretKeyCanary;
        final Canary tokenCanary;
        final String keyId;
        final String secretKey;
        final String token;

        ArtifactAccess(Canary keyId, Canary secretKey, Canary token) {
            this.keyIdCanary = keyId;
            this.secretKeyCanary = secretKey;
            this.tokenCanary = token;
            this.keyId = keyId.value();
            this.secretKey = secretKey.value();
            this.token = token.value();
        }

        Canary[] canaries() {
            return new Canary[] {keyIdCanary, secretKeyCanary, tokenCanary};
        }

        String job(String sample) {
            return Events.pipelineJob(sample, nextJobId(), keyIdCanary, secretKeyCanary, tokenCanary);
        }
    }

    private record S3Refusal(int status, String code, String message, Function<ArtifactAccess, String> echo) {}

    // ---- running handlers and looking for leaks ----

    private interface Body {
        void run() throws Exception;
    }

    /** Runs {@code body} with the function's credentials planted, then searches what it wrote, naming the scenario. */
    private void scenario(String name, Body body) {
        scan.planted(functionKeyId, functionSecretKey, functionSessionToken);
        try {
            body.run();
        } catch (Exception e) {
            throw new AssertionError("scenario '" + name + "' could not run", e);
        } finally {
            scan.logLines("the log while " + name, output.lines());
            output.clear();
        }
    }

    /** Invokes the handler as Lambda would and searches its answer, or its failure with every cause, for secrets. */
    private void invoke(RequestStreamHandler handler, String function, String event) {
        ByteArrayOutputStream answer = new ByteArrayOutputStream();
        try {
            handler.handleRequest(new ByteArrayInputStream(event.getBytes(StandardCharsets.UTF_8)), answer,
                    new LocalContext(function, 60_000));
        } catch (Exception failure) {
            scan.failure("the failure " + function + " threw", failure);
        }
        scan.text("what " + function + " answered", answer.toString(StandardCharsets.UTF_8));
    }

    private void proveTheFunctionsCredentialsWereUsed() {
        assertThat(loopback.awsRequests()).as("AWS was called with the function's planted credentials")
                .anySatisfy(r -> {
                    assertThat(r.getHeader("Authorization")).contains("Credential=" + functionKeyId.value() + "/");
                    assertThat(r.getHeader("X-Amz-Security-Token")).isEqualTo(functionSessionToken.value());
                });
    }

    private void proveTheBotTokenWasUsed() {
        assertThat(loopback.slackRequests()).as("Slack was called with the planted bot token")
                .anySatisfy(r -> assertThat(r.getHeader("Authorization")).isEqualTo("Bearer " + botToken.value()));
    }

    /**
     * Searches the job results and Slack messages Gantry sent, records the figures and fails on any leak.
     *
     * @param shownToApprovers secrets a Slack message may carry: a CodePipeline approval token is part of the review
     *     link CodePipeline itself sends approvers
     */
    private void proveNothingLeaked(Canary... shownToApprovers) {
        for (String body : loopback.awsBodies("PutJobSuccessResult", "PutJobFailureResult")) {
            scan.text("a job result put in CodePipeline", body);
        }
        for (LoggedRequest request : loopback.slackRequests()) {
            String body = request.getBodyAsString();
            for (Canary allowed : shownToApprovers) {
                body = body.replace(allowed.value(), "[approval token]").replace(
                        URLEncoder.encode(allowed.value(), StandardCharsets.UTF_8), "[approval token]");
            }
            scan.text("a message sent to Slack", body);
        }
        List<LeakScan.Finding> findings = scan.findings();
        ReliabilityFigures.add(PART, "log lines scanned", scan.logLinesScanned());
        ReliabilityFigures.add(PART, "secrets planted", scan.plantings());
        ReliabilityFigures.add(PART, "secrets seen in logs", findings.size());
        assertThat(scan.logLinesScanned()).as("lines written while the handlers ran").isPositive();
        assertThat(findings).withFailMessage(scan::summary).isEmpty();
    }

    private static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
