package dev.gantry.infra;

import dev.gantry.core.config.EnvironmentConfig;
import dev.gantry.core.config.GantryConfig;
import dev.gantry.core.config.ServiceConfig;
import dev.gantry.core.pipeline.PipelineTarget;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import software.amazon.awscdk.Duration;
import software.amazon.awscdk.services.codebuild.BuildEnvironment;
import software.amazon.awscdk.services.codebuild.BuildEnvironmentVariable;
import software.amazon.awscdk.services.codebuild.BuildSpec;
import software.amazon.awscdk.services.codebuild.CloudWatchLoggingOptions;
import software.amazon.awscdk.services.codebuild.LoggingOptions;
import software.amazon.awscdk.services.codebuild.PipelineProject;
import software.amazon.awscdk.services.codepipeline.Artifact;
import software.amazon.awscdk.services.codepipeline.ExecutionMode;
import software.amazon.awscdk.services.codepipeline.IAction;
import software.amazon.awscdk.services.codepipeline.Pipeline;
import software.amazon.awscdk.services.codepipeline.PipelineType;
import software.amazon.awscdk.services.codepipeline.StageOptions;
import software.amazon.awscdk.services.codepipeline.actions.CodeBuildAction;
import software.amazon.awscdk.services.codepipeline.actions.LambdaInvokeAction;
import software.amazon.awscdk.services.codepipeline.actions.ManualApprovalAction;
import software.amazon.awscdk.services.ecr.IRepository;
import software.amazon.awscdk.services.ecr.Repository;
import software.amazon.awscdk.services.events.Rule;
import software.amazon.awscdk.services.events.targets.CodePipeline;
import software.amazon.awscdk.services.logs.LogGroup;
import software.amazon.awscdk.services.logs.RetentionDays;
import software.amazon.awscdk.services.s3.BlockPublicAccess;
import software.amazon.awscdk.services.s3.Bucket;
import software.amazon.awscdk.services.s3.BucketEncryption;
import software.amazon.awscdk.services.s3.LifecycleRule;
import software.amazon.awscdk.services.sqs.IQueue;
import software.amazon.awscdk.services.sqs.Queue;
import software.amazon.awscdk.services.sqs.QueueEncryption;
import software.constructs.Construct;

/**
 * The reference release pipeline for one service: a CodePipeline (V2) that builds the service's image from source and
 * promotes it through the service's environments in the order {@code gantry.yml} lists them, deploying with Gantry's
 * {@code pipeline-deploy} and waiting at Gantry's {@code pipeline-gate} before every gated environment.
 *
 * <p>Stages, in order:
 * <ol>
 *   <li>{@code Source}: a zip in a versioned S3 bucket, or a GitHub branch through a CodeStar connection; its variables
 *       are in the namespace {@value #SOURCE_VARIABLES}.</li>
 *   <li>{@code Build}: CodeBuild builds the image from the Dockerfile, pushes it to the service's ECR repository tagged
 *       with the source revision (the commit id for GitHub, the object's version id for S3), and hands over
 *       {@code imagedefinitions.json} naming the image by tag and digest, so the gate and the deploys act on exactly
 *       the image that was built.</li>
 *   <li>for each environment: {@code Gate-<env>} when it has a gate (see {@link ReleaseGates#addGateStage}),
 *       {@code Approve-<env>} before the last one when {@link EcsReleasePipelineProps#manualApproval()} asks for it,
 *       then {@code Deploy-<env>} through pipeline-deploy. For the usual two environments that reads
 *       {@code Source, Build, Deploy-staging, Gate-prod, Deploy-prod}. An environment without a gate gets no gate
 *       stage: a service whose environments are all ungated gets a pipeline that deploys them one after the
 *       other.</li>
 * </ol>
 *
 * <p>The pipeline runs in {@code SUPERSEDED} mode: a newer run replaces an older one waiting to enter a stage, so
 * commits that pile up behind the gate collapse into the newest. CodePipeline does not interrupt the run already in
 * the gate stage; it stays there until the gate decides (or the action's 24 hours end). The gate is not told who triggered a run: neither source emits an author
 * (the GitHub source's variables are {@code AuthorDate, BranchName, CommitId, CommitMessage, ConnectionArn,
 * FullRepositoryName}), so the gate cannot keep a committer from approving their own change; its approval rules
 * (N of M) still apply.
 *
 * <p>What else it creates: the artifacts bucket (S3-managed encryption, TLS only, public access blocked, artifacts
 * expiring after {@value #ARTIFACT_EXPIRY_DAYS} days), the CodeBuild project and its log group (kept a month), a role
 * per action, and for an S3 source
 * an EventBridge rule starting the pipeline when the source object is written. That rule needs the bucket's
 * EventBridge notifications on; CodePipeline does not poll.
 *
 * <p>The push itself reaches Gantry's ecs-deploy too (the ECR push rule): the commit tag has to stay outside the
 * service's tag policy, or that push also deploys. Gantry's semver, glob and exact policies already keep a 40-hex
 * commit out unless written to match anything.
 */
public final class EcsReleasePipeline extends Construct {

    /** The source action's variables namespace. */
    public static final String SOURCE_VARIABLES = "SourceVariables";

    /** The build's output artifact, the input of every gate and deploy action. */
    public static final String IMAGE_DEFINITIONS_ARTIFACT = "ImageDefinitions";

    /** How long run artifacts stay in the artifacts bucket; longer than any run, including a week at an approval. */
    public static final int ARTIFACT_EXPIRY_DAYS = 30;

    // A Docker build of a service image is minutes; an hour stops a hung build without cutting a slow one short.
    private static final int BUILD_TIMEOUT_MINUTES = 60;

    private final ServiceConfig service;
    private final Bucket artifactsBucket;
    private final IRepository imageRepository;
    private final PipelineProject buildProject;
    private final Pipeline pipeline;
    private final Rule sourceTrigger;

    /**
     * @throws IllegalArgumentException when the service is not configured, has fewer than two environments, or has a
     *     gated environment while {@code releaseGates} is not given
     */
    public EcsReleasePipeline(Construct scope, String id, EcsReleasePipelineProps props) {
        super(scope, id);
        Objects.requireNonNull(props, "props");
        this.service = requireReleasable(props.config(), props.service());
        if (props.releaseGates() == null) {
            service.environments().stream().filter(EnvironmentConfig::gated).findFirst().ifPresent(gated -> {
                throw new IllegalArgumentException("environment '" + gated.name() + "' of service '" + service.name() + "' has gate '"
                        + gated.gate() + "': give the pipeline the ReleaseGates, whose pipeline-gate holds the run there");
            });
        }

        this.artifactsBucket = Bucket.Builder.create(this, "ArtifactsBucket")
                .encryption(BucketEncryption.S3_MANAGED)
                .enforceSsl(true)
                .blockPublicAccess(BlockPublicAccess.BLOCK_ALL)
                .lifecycleRules(List.of(LifecycleRule.builder().expiration(Duration.days(ARTIFACT_EXPIRY_DAYS)).build()))
                .build();

        this.imageRepository = props.imageRepository() != null
                ? props.imageRepository()
                : Repository.fromRepositoryName(this, "ImageRepository", service.repository());

        this.pipeline = Pipeline.Builder.create(this, "Resource")
                .pipelineType(PipelineType.V2)
                .executionMode(ExecutionMode.SUPERSEDED)
                .artifactBucket(artifactsBucket)
                // Every stage runs in this account and region: no cross-account key to pay for.
                .crossAccountKeys(false)
                .build();

        Artifact source = Artifact.artifact("Source");
        Artifact imageDefinitions = Artifact.artifact(IMAGE_DEFINITIONS_ARTIFACT);

        Map<String, BuildEnvironmentVariable> buildVariables = new LinkedHashMap<>();
        IAction sourceAction = PipelineStarts.sourceAction(props.connectionSource() ? props.connectionArn() : null,
                props.repository(), props.branch(), props.sourceBucket(), props.sourceObjectKey(), SOURCE_VARIABLES, source,
                buildVariables);
        this.sourceTrigger = props.connectionSource() ? null : sourceObjectWrittenRule(props);

        this.buildProject = PipelineProject.Builder.create(this, "Build")
                .description("Gantry: builds " + service.name() + "'s image, pushes it to ECR and hands over imagedefinitions.json")
                .environment(BuildEnvironment.builder()
                        .buildImage(PipelineStarts.buildImage(props.buildPlatform()))
                        // The Docker daemon runs only in a privileged build container.
                        .privileged(true)
                        .build())
                .environmentVariables(projectVariables(props))
                .buildSpec(BuildSpec.fromObjectToYaml(buildSpec()))
                .timeout(Duration.minutes(BUILD_TIMEOUT_MINUTES))
                // Kept like the functions' logs instead of CodeBuild's default group, which never expires.
                .logging(LoggingOptions.builder()
                        .cloudWatch(CloudWatchLoggingOptions.builder()
                                .logGroup(LogGroup.Builder.create(this, "BuildLogGroup").retention(RetentionDays.ONE_MONTH).build())
                                .build())
                        .build())
                // The build writes no test or coverage reports.
                .grantReportGroupPermissions(false)
                .build();
        imageRepository.grantPush(buildProject);

        stage("Source", sourceAction);
        stage("Build", CodeBuildAction.Builder.create()
                .actionName("Image")
                .project(buildProject)
                .input(source)
                .outputs(List.of(imageDefinitions))
                .environmentVariables(buildVariables.isEmpty() ? null : buildVariables)
                .build());

        List<EnvironmentConfig> environments = service.environments();
        EnvironmentConfig last = environments.get(environments.size() - 1);
        for (EnvironmentConfig environment : environments) {
            if (environment.gated()) {
                // No triggeredBy: neither source says who wrote the change (see the class comment).
                props.releaseGates().addGateStage(pipeline, "Gate-" + environment.name(), service.name(), environment.name(),
                        imageDefinitions, null);
            }
            if (props.manualApproval() && environment == last) {
                stage("Approve-" + environment.name(), ManualApprovalAction.Builder.create()
                        .actionName("Approve")
                        .additionalInformation("Release " + service.name() + " to " + environment.name()
                                + "; Gantry's gate, if the environment has one, has passed this image.")
                        .notificationTopic(props.approvalTopic())
                        .build());
            }
            stage("Deploy-" + environment.name(), LambdaInvokeAction.Builder.create()
                    .actionName("Deploy")
                    .lambda(props.pipelineDeployFunction())
                    .inputs(List.of(imageDefinitions))
                    .userParameters(deployParameters(service.name(), environment.name()))
                    .build());
        }
    }

    /**
     * The configured service a pipeline can be built for.
     *
     * @throws IllegalArgumentException when {@code config} has no such service, or it has fewer than two environments
     *     (there is nothing to promote; ECR pushes already deploy a single environment)
     */
    public static ServiceConfig requireReleasable(GantryConfig config, String service) {
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(service, "service");
        ServiceConfig configured = config.services().stream()
                .filter(s -> s.name().equals(service))
                .findFirst()
                .orElseThrow(() -> new IllegalArgumentException("service '" + service + "' is not in Gantry's configuration (services: "
                        + String.join(", ", config.services().stream().map(ServiceConfig::name).toList()) + ")"));
        if (configured.environments().size() < 2) {
            throw new IllegalArgumentException("service '" + service + "' has " + configured.environments().size()
                    + " environment, and a release pipeline promotes from one environment to the next: it needs at least two");
        }
        return configured;
    }

    /** The pipeline. */
    public Pipeline getPipeline() {
        return pipeline;
    }

    /**
     * The CodeBuild project. Its role may push to the image repository only; a Dockerfile whose {@code FROM} is in a
     * private ECR repository needs pull on that one too ({@code repository.grantPull(getBuildProject())}).
     */
    public PipelineProject getBuildProject() {
        return buildProject;
    }

    /** Where the pipeline keeps run artifacts. */
    public Bucket getArtifactsBucket() {
        return artifactsBucket;
    }

    /** The repository the build pushes to. */
    public IRepository getImageRepository() {
        return imageRepository;
    }

    /** The rule that starts the pipeline when the S3 source object is written; empty for a GitHub source. */
    public Optional<Rule> getSourceTrigger() {
        return Optional.ofNullable(sourceTrigger);
    }

    /** The configured service. */
    public ServiceConfig getService() {
        return service;
    }

    private void stage(String name, IAction action) {
        pipeline.addStage(StageOptions.builder().stageName(name).actions(List.of(action)).build());
    }

    private Rule sourceObjectWrittenRule(EcsReleasePipelineProps props) {
        Rule rule = PipelineStarts.sourceObjectWritten(this, props.sourceBucket(), props.sourceObjectKey(),
                "Gantry: a new " + props.sourceObjectKey() + " starts " + service.name() + "'s release pipeline");
        IQueue deadLetters = props.deliveryDeadLetterQueue() != null ? props.deliveryDeadLetterQueue()
                : Queue.Builder.create(this, "SourceTriggerDeadLetterQueue")
                        .encryption(QueueEncryption.SQS_MANAGED)
                        .enforceSsl(true)
                        .retentionPeriod(Duration.days(14))
                        .build();
        PipelineStarts.start(rule, pipeline, deadLetters);
        return rule;
    }

    /**
     * The deploy action's UserParameters as pipeline-deploy reads them. The CDK serializes the map; insertion order keeps
     * the template the same on every synth.
     */
    private static Map<String, Object> deployParameters(String service, String environment) {
        Map<String, Object> parameters = new LinkedHashMap<>();
        parameters.put("service", service);
        parameters.put("environment", environment);
        // Ties the deploy action to the pass its own execution's gate action gave; Lambda invoke jobs carry no execution id.
        parameters.put("pipelineExecutionId", PipelineTarget.EXECUTION_ID_VARIABLE);
        return parameters;
    }

    private Map<String, BuildEnvironmentVariable> projectVariables(EcsReleasePipelineProps props) {
        Map<String, BuildEnvironmentVariable> variables = new LinkedHashMap<>();
        variables.put("REPOSITORY_URI", BuildEnvironmentVariable.builder().value(imageRepository.getRepositoryUri()).build());
        variables.put("CONTAINER_NAME", BuildEnvironmentVariable.builder().value(containerName()).build());
        variables.put("DOCKERFILE", BuildEnvironmentVariable.builder().value(props.dockerfile()).build());
        return variables;
    }

    /**
     * The name imagedefinitions.json gives the image: the first environment's first configured container, else the
     * service. pipeline-deploy finds the image by repository either way; the name is for readers and for ECS's own
     * deploy action.
     */
    private String containerName() {
        List<String> containers = service.environments().get(0).containers();
        return containers.isEmpty() ? service.name() : containers.get(0);
    }

    /**
     * Everything runs in the build phase: CodeBuild runs post_build even after a failed build, and a push or an
     * imagedefinitions.json must never follow one.
     */
    private static Map<String, Object> buildSpec() {
        List<String> commands = List.of(
                // The commit from the source's variable when the pipeline passes one, else what CodePipeline resolved.
                "REVISION=\"${COMMIT_ID:-$CODEBUILD_RESOLVED_SOURCE_VERSION}\"",
                "if [ -z \"$REVISION\" ]; then echo 'the source has no revision to tag the image with (is the source bucket versioned?)' >&2;"
                        + " exit 1; fi",
                // An ECR tag is at most 128 of [A-Za-z0-9_.-], not starting with '.' or '-'; an S3 version id may hold others.
                "IMAGE_TAG=$(printf '%s' \"$REVISION\" | sed -e 's/[^A-Za-z0-9_.-]/_/g' -e 's/^[.-]/_/' | cut -c1-128)",
                "REGISTRY=\"${REPOSITORY_URI%%/*}\"",
                // The registry's host is <account>.dkr.ecr.<region>.<suffix>: log in to the region the repository is in.
                "aws ecr get-login-password --region \"$(printf '%s' \"$REGISTRY\" | cut -d. -f4)\""
                        + " | docker login --username AWS --password-stdin \"$REGISTRY\"",
                "docker build --file \"$DOCKERFILE\" --tag \"$REPOSITORY_URI:$IMAGE_TAG\" .",
                "docker push \"$REPOSITORY_URI:$IMAGE_TAG\"",
                "IMAGE_DIGEST=$(docker inspect --format '{{index .RepoDigests 0}}' \"$REPOSITORY_URI:$IMAGE_TAG\" | cut -d@ -f2)",
                "if [ -z \"$IMAGE_DIGEST\" ]; then echo 'the pushed image has no digest' >&2; exit 1; fi",
                // Tag and digest: the gate approves and the deploys run the digest that was pushed, whatever the tag does later.
                "printf '[{\"name\":\"%s\",\"imageUri\":\"%s\"}]' \"$CONTAINER_NAME\" \"$REPOSITORY_URI:$IMAGE_TAG@$IMAGE_DIGEST\""
                        + " > imagedefinitions.json",
                "cat imagedefinitions.json");
        Map<String, Object> spec = new LinkedHashMap<>();
        spec.put("version", "0.2");
        spec.put("env", Map.of("shell", "bash"));
        spec.put("phases", Map.of("build", Map.of("commands", commands)));
        spec.put("artifacts", Map.of("files", List.of("imagedefinitions.json")));
        return spec;
    }
}
