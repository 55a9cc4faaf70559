package dev.gantry.cdk;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.cdklabs.cdknag.AwsSolutionsChecks;
import io.github.cdklabs.cdknag.NagPackProps;
import io.github.cdklabs.cdknag.ServerlessChecks;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awscdk.App;
import software.amazon.awscdk.AppProps;
import software.amazon.awscdk.Aspects;
import software.amazon.awscdk.assertions.Annotations;
import software.amazon.awscdk.assertions.Match;
import software.amazon.awscdk.cxapi.SynthesisMessage;

/**
 * The stack against cdk-nag's AwsSolutions and Serverless rules. Each finding Gantry accepts is listed with its reason; any other
 * finding, or one of these on another resource, fails the build.
 */
class GantryStackNagTest {

    private static final String TASK_DEFINITION_WILDCARD =
            " AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:ecs:eu-west-1:111111111111:task-definition/*]";

    private static final String REVISION_WILDCARD = " AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:ecs:eu-west-1:111111111111:service-revision/";

    private static final String TASK_DEFINITION_ACTIONS = "ecs:DescribeTaskDefinition, RegisterTaskDefinition, ListTaskDefinitions and "
            + "DeregisterTaskDefinition support no resource-level permissions";

    private static final String COMPOSITE_ALARMS = "cloudwatch:DescribeAlarms returns composite alarms only to a permission on *, and a "
            + "gate watches composite alarms too: a narrower scope would silently drop a firing one under a watched prefix";

    private static final String ON_FAILURE_DESTINATION = "an asynchronous invocation that fails lands in the SQS on-failure "
            + "destination of the alias 'live', which Lambda fills with the request, the response and the error; the rule "
            + "knows only the older DeadLetterConfig, which would keep less and deliver the same failure twice";

    private static final String IS_A_DEAD_LETTER_QUEUE = "this queue is itself a dead-letter queue, where what failed waits for "
            + "someone to look; a redrive policy would pass it on to yet another queue nobody watches";

    private static final String SQS_SOURCE_FAILURES = "an SQS source's failures are handled by the source queue's redrive policy "
            + "(a dead-letter queue after its receive limit); event source mapping destinations apply to stream sources only";

    private static final String XRAY = "xray:PutTraceSegments and PutTelemetryRecords, which active tracing needs, support no "
            + "resource-level permissions";

    private static final String REVISION_IDS = "ECS creates a service revision, and its id, with each deployment; the pattern is "
            + "scoped to one configured cluster and service";

    private static final Map<String, String> ACCEPTED = Map.ofEntries(
            Map.entry("/Gantry/Default/EcsDeploy/Resource/Resource Serverless-LambdaDLQ", ON_FAILURE_DESTINATION),
            Map.entry("/Gantry/Default/EcsDeploy/PipelineDeploy/Resource Serverless-LambdaDLQ", ON_FAILURE_DESTINATION),
            Map.entry("/Gantry/Default/EcsDeploy/RolloutFollow/Resource Serverless-LambdaDLQ", ON_FAILURE_DESTINATION),
            Map.entry("/Gantry/Default/EcsDeploy/GateSweep/Resource Serverless-LambdaDLQ", ON_FAILURE_DESTINATION),
            Map.entry("/Gantry/Default/ReleaseGates/PipelineGate/Resource Serverless-LambdaDLQ", ON_FAILURE_DESTINATION),
            Map.entry("/Gantry/Default/ReleaseGates/EcsGateHook/Resource Serverless-LambdaDLQ", ON_FAILURE_DESTINATION),
            Map.entry("/Gantry/Default/ImageRebuild/Resource/Resource Serverless-LambdaDLQ", ON_FAILURE_DESTINATION),
            Map.entry("/Gantry/Default/EcsDeploy/DeliveryDeadLetterQueue/Resource Serverless-SQSRedrivePolicy", IS_A_DEAD_LETTER_QUEUE),
            Map.entry("/Gantry/Default/EcsDeploy/FailedInvocationQueue/Resource Serverless-SQSRedrivePolicy", IS_A_DEAD_LETTER_QUEUE),
            Map.entry("/Gantry/Default/EcsDeploy/DeliveryDeadLetterQueue/Resource AwsSolutions-SQS3",
                    "this queue is the dead-letter queue of the EventBridge targets; the rule only recognizes SQS redrive"),
            Map.entry("/Gantry/Default/EcsDeploy/FailedInvocationQueue/Resource AwsSolutions-SQS3",
                    "this queue is the functions' on-failure destination, a dead-letter queue the rule does not recognize"),
            Map.entry("/Gantry/Default/EcsDeploy/ServiceRole/DefaultPolicy/Resource AwsSolutions-IAM5[Resource::*]",
                    TASK_DEFINITION_ACTIONS + "; " + COMPOSITE_ALARMS + "; " + XRAY),
            Map.entry("/Gantry/Default/EcsDeploy/ServiceRole/DefaultPolicy/Resource" + TASK_DEFINITION_WILDCARD,
                    "task-definition families are not in gantry.yml; tagging is allowed only within RegisterTaskDefinition"),
            Map.entry("/Gantry/Default/EcsDeploy/PipelineDeployServiceRole/DefaultPolicy/Resource AwsSolutions-IAM5[Resource::*]",
                    "the same task-definition actions and alarms as ecs-deploy, and codepipeline:PutJobSuccessResult and "
                            + "PutJobFailureResult, which support no resource-level permissions (the job id names the job); " + XRAY),
            Map.entry("/Gantry/Default/EcsDeploy/PipelineDeployServiceRole/DefaultPolicy/Resource" + TASK_DEFINITION_WILDCARD,
                    "task-definition families are not in gantry.yml; tagging is allowed only within RegisterTaskDefinition"),
            Map.entry("/Gantry/Default/EcsDeploy/GateSweepServiceRole/DefaultPolicy/Resource AwsSolutions-IAM5[Resource::*]",
                    "gate-sweep deploys like ecs-deploy: " + TASK_DEFINITION_ACTIONS + "; " + COMPOSITE_ALARMS + "; " + XRAY),
            Map.entry("/Gantry/Default/EcsDeploy/GateSweepServiceRole/DefaultPolicy/Resource" + TASK_DEFINITION_WILDCARD,
                    "task-definition families are not in gantry.yml; tagging is allowed only within RegisterTaskDefinition"),
            Map.entry("/Gantry/Default/ReleaseGates/PipelineGateServiceRole/DefaultPolicy/Resource AwsSolutions-IAM5[Resource::*]",
                    "codepipeline:PutJobSuccessResult and PutJobFailureResult support no resource-level permissions (the job id "
                            + "names the job); " + COMPOSITE_ALARMS + "; " + XRAY),
            Map.entry("/Gantry/Default/ReleaseGates/EcsGateHookServiceRole/DefaultPolicy/Resource AwsSolutions-IAM5[Resource::*]",
                    COMPOSITE_ALARMS + "; " + XRAY),
            Map.entry("/Gantry/Default/EcsDeploy/RolloutFollowServiceRole/DefaultPolicy/Resource AwsSolutions-IAM5[Resource::*]", XRAY),
            Map.entry("/Gantry/Default/ImageRebuild/ServiceRole/DefaultPolicy/Resource AwsSolutions-IAM5[Resource::*]", XRAY),
            Map.entry("/Gantry/Default/ReleaseGates/EcsGateHookServiceRole/DefaultPolicy/Resource" + REVISION_WILDCARD + "prod/payments-api/*]",
                    REVISION_IDS),
            Map.entry("/Gantry/Default/ReleaseGates/EcsGateHookServiceRole/DefaultPolicy/Resource" + REVISION_WILDCARD + "staging/checkout-web/*]",
                    REVISION_IDS),
            Map.entry("/Gantry/Default/ReleaseGates/EcsGateHookServiceRole/DefaultPolicy/Resource" + REVISION_WILDCARD + "staging/payments-api/*]",
                    REVISION_IDS));

    /**
     * Accepted: an Image Builder image's ARN is named after its recipe, which gantry.yml does not name (it names the
     * pipeline); imagebuilder:GetImage only reads, and the image's source pipeline is what decides whether it is a base.
     */
    private static final String IMAGE_BUILDER_IMAGES = "/Gantry/Default/ImageRebuild/ServiceRole/DefaultPolicy/Resource "
            + "AwsSolutions-IAM5[Resource::arn:aws:imagebuilder:eu-west-1:111111111111:image/*]";

    private static final String PIPELINE = "/Gantry/Default/ReleasePipeline-payments-api/";

    private static final String ARTIFACT_OBJECTS = "Resource::<ReleasePipelinepaymentsapiArtifactsBucketF7B175E2.Arn>/*";

    private static final String ARTIFACT_GRANT = "the CDK's grant on the pipeline's own artifacts bucket, which holds nothing but "
            + "this pipeline's run artifacts under keys CodePipeline makes up per run; the action families are what CodePipeline "
            + "does with them";

    private static final String LIST_FUNCTIONS = "lambda:ListFunctions, which the Lambda invoke action needs, supports no "
            + "resource-level permissions";

    private static final String FUNCTION_QUALIFIERS = "InvokeFunction on Gantry's own function and its qualifiers (versions, "
            + "aliases), which is how the CDK grants an invoke action; no other function";

    /** What a release pipeline for payments-api ({@code -c releasePipelines=payments-api}) adds, and why it is accepted. */
    private static final Map<String, String> ACCEPTED_FOR_PIPELINE = acceptedForPipeline();

    private static Map<String, String> acceptedForPipeline() {
        Map<String, String> accepted = new LinkedHashMap<>();
        accepted.put("/Gantry/Default/ReleaseSourceBucket/Resource AwsSolutions-S1", "uploads come only from principals the account's IAM "
                + "allows, and each one is kept as an object version that starts a pipeline run, which CodePipeline records; "
                + "access logs would need a second bucket, itself unlogged");
        accepted.put(PIPELINE + "ArtifactsBucket/Resource AwsSolutions-S1", "only the pipeline's roles read and write run "
                + "artifacts, which expire after 30 days; access logs would need a second bucket per pipeline, itself unlogged");
        accepted.put(PIPELINE + "Build/Resource AwsSolutions-CB4", "the build's only output is imagedefinitions.json in the "
                + "S3-encrypted artifacts bucket; a customer managed key per pipeline would keep no one else out");
        String pipelineRole = PIPELINE + "Resource/Role/DefaultPolicy/Resource";
        String buildRole = PIPELINE + "Build/Role/DefaultPolicy/Resource";
        String sourceRole = PIPELINE + "Resource/Source/S3/CodePipelineActionRole/DefaultPolicy/Resource";
        for (String role : List.of(pipelineRole, buildRole, sourceRole)) {
            for (String action : List.of("s3:GetObject*", "s3:GetBucket*", "s3:List*", "s3:DeleteObject*", "s3:Abort*")) {
                accepted.put(role + " AwsSolutions-IAM5[Action::" + action + "]", ARTIFACT_GRANT);
            }
            accepted.put(role + " AwsSolutions-IAM5[" + ARTIFACT_OBJECTS + "]", ARTIFACT_GRANT);
        }
        accepted.put(buildRole + " AwsSolutions-IAM5[Resource::*]", "ecr:GetAuthorizationToken supports no resource-level "
                + "permissions; the push itself is allowed on the service's one repository");
        accepted.put(buildRole + " AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:logs:<AWS::Region>:<AWS::AccountId>:log-group:"
                + "/aws/codebuild/<ReleasePipelinepaymentsapiBuild54B4BAC7>:*]", "the CDK grants every project its default log "
                + "group, named after the project; the streams in it are named after builds, which do not exist yet");
        for (String invoke : List.of("Deploy-staging/Deploy", "Gate-prod/Gate-payments-api-prod", "Deploy-prod/Deploy")) {
            String role = PIPELINE + "Resource/" + invoke + "/CodePipelineActionRole/DefaultPolicy/Resource";
            for (String action : List.of("s3:GetObject*", "s3:GetBucket*", "s3:List*")) {
                accepted.put(role + " AwsSolutions-IAM5[Action::" + action + "]", ARTIFACT_GRANT);
            }
            accepted.put(role + " AwsSolutions-IAM5[" + ARTIFACT_OBJECTS + "]", ARTIFACT_GRANT);
            accepted.put(role + " AwsSolutions-IAM5[Resource::*]", LIST_FUNCTIONS);
        }
        return Map.copyOf(accepted);
    }

    private static final String CHATOPS_WORKER_POLICY = "/Gantry/Default/ChatOps/WorkerServiceRole/DefaultPolicy/Resource";

    private static final String APPROVAL_ACTIONS = "codepipeline:PutApprovalResult's resource is <pipeline>/<stage>/<action>, and "
            + "neither gantry.yml nor the stack names the stage or action of an approval; the grant is scoped to one known pipeline";

    /**
     * What ChatOps ({@code -c slackSigningSecretArn=... -c slackBotTokenSecretArn=...}) adds, and why it is accepted. The
     * public function URL, the queues, the topic and slack-interactions' role raise no finding: the URL is the one
     * public endpoint by design (Slack signs with HMAC, not SigV4, and the function checks it), the queues and the
     * topic are encrypted and TLS-only, and the role names one secret and one queue.
     */
    private static final Map<String, String> ACCEPTED_FOR_CHATOPS = Map.ofEntries(
            Map.entry("/Gantry/Default/ChatOps/Interactions/Resource Serverless-LambdaDLQ", ON_FAILURE_DESTINATION),
            Map.entry("/Gantry/Default/ChatOps/Worker/Resource Serverless-LambdaDLQ", ON_FAILURE_DESTINATION),
            Map.entry("/Gantry/Default/ChatOps/Notify/Resource Serverless-LambdaDLQ", ON_FAILURE_DESTINATION),
            Map.entry("/Gantry/Default/ChatOps/NotifyDeadLetterQueue/Resource Serverless-SQSRedrivePolicy", IS_A_DEAD_LETTER_QUEUE),
            Map.entry("/Gantry/Default/ChatOps/RequestDeadLetterQueue/Resource Serverless-SQSRedrivePolicy", IS_A_DEAD_LETTER_QUEUE),
            Map.entry("/Gantry/Default/ChatOps/EventDeadLetterQueue/Resource Serverless-SQSRedrivePolicy", IS_A_DEAD_LETTER_QUEUE),
            Map.entry("/Gantry/Default/ChatOps/NotifyAlias/SqsEventSource:GantryChatOpsNotifyQueueD2546933/Resource "
                    + "Serverless-LambdaEventSourceMappingDestination", SQS_SOURCE_FAILURES),
            Map.entry("/Gantry/Default/ChatOps/NotifyAlias/SqsEventSource:GantryChatOpsEventQueue93B166EE/Resource "
                    + "Serverless-LambdaEventSourceMappingDestination", SQS_SOURCE_FAILURES),
            Map.entry("/Gantry/Default/ChatOps/WorkerAlias/SqsEventSource:GantryChatOpsRequestQueueE1D0D5B7/Resource "
                    + "Serverless-LambdaEventSourceMappingDestination", SQS_SOURCE_FAILURES),
            Map.entry(CHATOPS_WORKER_POLICY + " AwsSolutions-IAM5[Resource::*]",
                    "deploy and rollback from Slack go through the same code and grant as ecs-deploy: " + TASK_DEFINITION_ACTIONS
                            + "; " + COMPOSITE_ALARMS + "; " + XRAY),
            Map.entry("/Gantry/Default/ChatOps/InteractionsServiceRole/DefaultPolicy/Resource AwsSolutions-IAM5[Resource::*]", XRAY),
            Map.entry("/Gantry/Default/ChatOps/NotifyServiceRole/DefaultPolicy/Resource AwsSolutions-IAM5[Resource::*]", XRAY),
            Map.entry(CHATOPS_WORKER_POLICY + TASK_DEFINITION_WILDCARD,
                    "task-definition families are not in gantry.yml; tagging is allowed only within RegisterTaskDefinition"),
            Map.entry(CHATOPS_WORKER_POLICY + " AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:codepipeline:<AWS::Region>:"
                    + "<AWS::AccountId>:checkout-web-release/*]", APPROVAL_ACTIONS + ", the rebuild pipeline gantry.yml names"));

    /**
     * What a release pipeline adds to ChatOps. Accepted: its approval stage ({@code Approve-<env>}, when asked for) is
     * answered from Slack, and the grant covers that one pipeline the stack creates, whose name CloudFormation makes up.
     */
    private static final String RELEASE_PIPELINE_APPROVALS = CHATOPS_WORKER_POLICY + " AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:"
            + "codepipeline:<AWS::Region>:<AWS::AccountId>:<ReleasePipelinepaymentsapi31A1440F>/*]";

    /** Both Slack secrets, by ARN: ChatOps on. */
    private static final Map<String, Object> SLACK = Map.of(
            GantryApp.SLACK_SIGNING_SECRET_CONTEXT, "arn:aws:secretsmanager:eu-west-1:111111111111:secret:gantry/slack-signing-AbCdEf",
            GantryApp.SLACK_BOT_TOKEN_SECRET_CONTEXT, "arn:aws:secretsmanager:eu-west-1:111111111111:secret:gantry/slack-bot-token-AbCdEf");

    @TempDir
    static Path workDir;

    private static List<String> findings;
    private static List<String> findingsWithPipeline;
    private static List<String> findingsWithScheduledImageBuilderBase;
    private static List<String> findingsWithChatOps;
    private static List<String> findingsWithChatOpsAndPipeline;

    @BeforeAll
    static void check() throws IOException {
        Path example = Path.of("../examples/gantry.yml").toAbsolutePath().normalize();
        findings = findings("plain.out", example, Map.of());
        findingsWithPipeline = findings("pipeline.out", example, Map.of(ReleasePipelineSettings.SERVICES_CONTEXT, "payments-api"));
        findingsWithScheduledImageBuilderBase = findings("rebuilds.out", scheduledImageBuilderBase(example), Map.of());
        findingsWithChatOps = findings("chatops.out", example, SLACK);
        Map<String, Object> slackAndPipeline = new LinkedHashMap<>(SLACK);
        slackAndPipeline.put(ReleasePipelineSettings.SERVICES_CONTEXT, "payments-api");
        findingsWithChatOpsAndPipeline = findings("chatops-pipeline.out", example, slackAndPipeline);
    }

    /** The example with its golden image built by an Image Builder pipeline and rebuilt weekly: the rules and schedule that adds. */
    private static Path scheduledImageBuilderBase(Path example) throws IOException {
        String text = Files.readString(example);
        String golden = "    repository: golden/java21\n    tag: latest\n";
        assertThat(text).contains(golden);
        return Files.writeString(workDir.resolve("gantry-rebuilds.yml"), text.replace(golden, golden + """
                    schedule:
                      cron: "0 3 * * 1"
                      timezone: Europe/Berlin
                    imageBuilderPipelines:
                      - arn:aws:imagebuilder:eu-west-1:111111111111:image-pipeline/golden-java21
                """));
    }

    @Test
    void withChatOpsOnlyTheWorkersDeployAndApprovalScopesAreAdded() {
        assertThat(findingsWithChatOps).containsExactlyInAnyOrderElementsOf(
                Stream.concat(ACCEPTED.keySet().stream(), ACCEPTED_FOR_CHATOPS.keySet().stream()).toList());
    }

    @Test
    void withChatOpsAndAReleasePipelineTheWorkerMayAlsoAnswerThatPipelinesApprovals() {
        assertThat(findingsWithChatOpsAndPipeline).containsExactlyInAnyOrderElementsOf(Stream.of(ACCEPTED.keySet().stream(),
                ACCEPTED_FOR_PIPELINE.keySet().stream(), ACCEPTED_FOR_CHATOPS.keySet().stream(), Stream.of(RELEASE_PIPELINE_APPROVALS))
                .flatMap(s -> s).toList());
    }

    @Test
    void onlyTheAcceptedFindingsRemain() {
        assertThat(findings).containsExactlyInAnyOrderElementsOf(ACCEPTED.keySet());
    }

    @Test
    void withAReleasePipelineOnlyTheAcceptedFindingsAndThePipelinesRemain() {
        assertThat(findingsWithPipeline).containsExactlyInAnyOrderElementsOf(
                Stream.concat(ACCEPTED.keySet().stream(), ACCEPTED_FOR_PIPELINE.keySet().stream()).toList());
    }

    @Test
    void aScheduledImageBuilderBaseAddsOnlyTheImageReadBack() {
        assertThat(findingsWithScheduledImageBuilderBase).containsExactlyInAnyOrderElementsOf(Stream.concat(
                ACCEPTED.keySet().stream(), Stream.of(IMAGE_BUILDER_IMAGES)).toList());
    }

    @SuppressWarnings("deprecation")
    private static List<String> findings(String outdir, Path config, Map<String, Object> context) throws IOException {
        Path jar = Files.writeString(workDir.resolve("gantry-ecs-deploy-lambda.jar"), "stand-in for the shaded jar");
        Path releaseGateJar = Files.writeString(workDir.resolve("gantry-release-gate-lambda.jar"), "stand-in for the release-gate jar");
        Path imageRebuildJar = Files.writeString(workDir.resolve("gantry-image-rebuild-lambda.jar"), "stand-in for the image-rebuild jar");
        Path chatOpsJar = Files.writeString(workDir.resolve("gantry-chatops-lambda.jar"), "stand-in for the chatops jar");
        Path slackInteractionsJar = Files.writeString(workDir.resolve("gantry-slack-interactions-lambda.jar"),
                "stand-in for the slack-interactions jar");
        App app = new App(AppProps.builder().outdir(workDir.resolve(outdir).toString()).context(context).build());
        GantryStack stack = GantryApp.build(app, new GantryApp.Inputs(config, jar, releaseGateJar, imageRebuildJar, chatOpsJar,
                slackInteractionsJar), Map.of());
        Aspects.of(app).add(new AwsSolutionsChecks(NagPackProps.builder().verbose(false).build()));
        Aspects.of(app).add(new ServerlessChecks(NagPackProps.builder().verbose(false).build()));

        Annotations annotations = Annotations.fromStack(stack);
        return Stream.concat(
                        annotations.findError("*", Match.stringLikeRegexp("(AwsSolutions|Serverless)-.*")).stream(),
                        annotations.findWarning("*", Match.stringLikeRegexp("(AwsSolutions|Serverless)-.*")).stream())
                .map(GantryStackNagTest::pathAndRule)
                .toList();
    }

    // Annotations.find* still return the cx-api message type, which CDK has marked deprecated without a successor.
    @SuppressWarnings("deprecation")
    private static String pathAndRule(SynthesisMessage message) {
        String data = String.valueOf(message.getEntry().getData());
        int end = data.indexOf(": ");
        return message.getId() + " " + (end < 0 ? data : data.substring(0, end));
    }
}
