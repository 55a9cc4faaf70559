package dev.gantry.infra;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import software.amazon.awscdk.Duration;
import software.amazon.awscdk.Names;
import software.amazon.awscdk.services.codebuild.BuildEnvironmentVariable;
import software.amazon.awscdk.services.codebuild.IBuildImage;
import software.amazon.awscdk.services.codebuild.LinuxArmBuildImage;
import software.amazon.awscdk.services.codebuild.LinuxBuildImage;
import software.amazon.awscdk.services.codepipeline.Artifact;
import software.amazon.awscdk.services.codepipeline.IAction;
import software.amazon.awscdk.services.codepipeline.IPipeline;
import software.amazon.awscdk.services.codepipeline.actions.CodeStarConnectionsSourceAction;
import software.amazon.awscdk.services.codepipeline.actions.S3SourceAction;
import software.amazon.awscdk.services.codepipeline.actions.S3Trigger;
import software.amazon.awscdk.services.events.EventPattern;
import software.amazon.awscdk.services.events.Rule;
import software.amazon.awscdk.services.events.targets.CodePipeline;
import software.amazon.awscdk.services.events.targets.CodePipelineTargetOptions;
import software.amazon.awscdk.services.iam.PolicyStatement;
import software.amazon.awscdk.services.iam.ServicePrincipal;
import software.amazon.awscdk.services.s3.IBucket;
import software.amazon.awscdk.services.sqs.IQueue;
import software.constructs.Construct;

/** What Gantry's reference pipelines (release and golden image) share: how a run is started and where it builds. */
final class PipelineStarts {

    /**
     * How often EventBridge tries to start a pipeline before the start is parked. A failed start is throttling or a
     * pipeline being updated; with EventBridge's backoff, eight tries span the minutes that takes to clear.
     */
    static final int DELIVERY_RETRY_ATTEMPTS = 8;

    private PipelineStarts() {}

    /** A rule under {@code SourceTrigger} matching a new version of {@code key} in {@code bucket}. */
    static Rule sourceObjectWritten(Construct scope, IBucket bucket, String key, String description) {
        Map<String, Object> detail = new LinkedHashMap<>();
        detail.put("bucket", Map.of("name", List.of(bucket.getBucketName())));
        detail.put("object", Map.of("key", List.of(key)));
        return Rule.Builder.create(scope, "SourceTrigger")
                .description(description)
                .eventPattern(EventPattern.builder()
                        .source(List.of("aws.s3"))
                        .detailType(List.of("Object Created"))
                        .detail(detail)
                        .build())
                .build();
    }

    /** Makes {@code rule} start {@code pipeline}, retried, and parked in {@code deadLetters} when it cannot. */
    static void start(Rule rule, IPipeline pipeline, IQueue deadLetters) {
        rule.addTarget(new CodePipeline(pipeline, CodePipelineTargetOptions.builder()
                .deadLetterQueue(deadLetters)
                .maxEventAge(Duration.hours(GantryFunction.MAX_EVENT_AGE_HOURS))
                .retryAttempts(DELIVERY_RETRY_ATTEMPTS)
                .build()));
        // The CDK's Lambda target lets its rule write to the dead-letter queue; its CodePipeline target does not, and
        // without this statement EventBridge could not park an undelivered start. Named as the Lambda target names it.
        deadLetters.addToResourcePolicy(PolicyStatement.Builder.create()
                .sid("AllowEventRule" + Names.nodeUniqueId(rule.getNode()))
                .principals(List.of(new ServicePrincipal("events.amazonaws.com")))
                .actions(List.of("sqs:SendMessage"))
                .resources(List.of(deadLetters.getQueueArn()))
                .conditions(Map.of("ArnEquals", Map.of("aws:SourceArn", rule.getRuleArn())))
                .build());
    }

    /**
     * The source action: GitHub through the CodeStar connection when {@code connectionArn} is given, which also hands the
     * build the commit id as {@code COMMIT_ID}; otherwise {@code objectKey} in {@code bucket}, started by
     * {@link #sourceObjectWritten}, since CodePipeline's own S3 detection would need a CloudTrail trail.
     */
    static IAction sourceAction(String connectionArn, String repository, String branch, IBucket bucket, String objectKey,
            String variablesNamespace, Artifact output, Map<String, BuildEnvironmentVariable> buildVariables) {
        if (connectionArn == null) {
            return S3SourceAction.Builder.create()
                    .actionName("S3")
                    .bucket(bucket)
                    .bucketKey(objectKey)
                    .trigger(S3Trigger.NONE)
                    .output(output)
                    .variablesNamespace(variablesNamespace)
                    .build();
        }
        String[] ownerAndName = repository.split("/", 2);
        CodeStarConnectionsSourceAction github = CodeStarConnectionsSourceAction.Builder.create()
                .actionName("GitHub")
                .connectionArn(connectionArn)
                .owner(ownerAndName[0])
                .repo(ownerAndName[1])
                .branch(branch)
                .output(output)
                .variablesNamespace(variablesNamespace)
                .build();
        buildVariables.put("COMMIT_ID", BuildEnvironmentVariable.builder().value(github.getVariables().getCommitId()).build());
        return github;
    }

    /** The standard CodeBuild image for {@code platform}, Docker included. */
    static IBuildImage buildImage(EcsReleasePipelineProps.BuildPlatform platform) {
        return switch (platform) {
            case ARM64 -> LinuxArmBuildImage.AMAZON_LINUX_2023_STANDARD_3_0;
            case X86_64 -> LinuxBuildImage.AMAZON_LINUX_2023_5;
        };
    }
}
