package dev.gantry.infra;

import dev.gantry.core.config.BaseImageConfig;
import dev.gantry.core.config.DependentConfig;
import dev.gantry.core.config.GantryConfig;
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
import software.amazon.awscdk.services.ecr.IRepository;
import software.amazon.awscdk.services.ecr.Repository;
import software.amazon.awscdk.services.events.Rule;
import software.amazon.awscdk.services.events.targets.CodePipeline;
import software.amazon.awscdk.services.iam.Grant;
import software.amazon.awscdk.services.iam.GrantOnPrincipalOptions;
import software.amazon.awscdk.services.iam.IGrantable;
import software.amazon.awscdk.services.kms.Key;
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
 * The reference build of a golden image: a CodePipeline (V2) that builds a base image of {@code gantry.yml} from source
 * and pushes it to the base's ECR repository, on every change of the source and on a schedule.
 *
 * <p>It does not call Gantry. The push of the base's tag is what Gantry's image-rebuild function reacts to (its ECR
 * push rule), so the rebuild waves of the images built FROM this one start from the push as from any other. That
 * needs the stack to be in Gantry's account and region, where the base's repository is and where the rule listens.
 *
 * <p>Stages, in order:
 * <ol>
 *   <li>{@code Source}: a zip in a versioned S3 bucket, or a GitHub branch through a CodeStar connection; its variables
 *       are in the namespace {@value #SOURCE_VARIABLES}.</li>
 *   <li>{@code Build}: CodeBuild (privileged, for the Docker daemon) builds the Dockerfile, pulling its {@code FROM}
 *       images afresh, and pushes the image to the base's repository twice: first tagged with the source revision (the
 *       commit id for GitHub, the object's version id for S3), then with the base's {@code tag} ({@code latest} unless
 *       {@code gantry.yml} says otherwise). Gantry ignores the first push, since it is not the base's tag, and starts
 *       the rebuild wave on the second, when the image already carries its revision tag. The build has no layer cache,
 *       so every run repeats the Dockerfile's package upgrades.</li>
 * </ol>
 *
 * <p>The pipeline also runs on {@link GoldenImagePipelineProps#rebuildSchedule()} (weekly by default), since a golden
 * image goes stale without any commit: its upstream image and its packages get patches. A scheduled run builds the
 * source's newest revision again; that revision's tag then names the newest build, and the image has a new digest (its
 * creation time alone changes it), so each run starts a wave. A base with its own {@code schedule} in
 * {@code gantry.yml} has its dependents rebuilt on that schedule as well; with this pipeline, that one is rarely needed.
 *
 * <p>The pipeline runs in {@code SUPERSEDED} mode: a run waiting to enter the build is replaced by a newer one, and
 * runs never overtake each other, so the base's tag always ends on the newest build.
 *
 * <p>Construct ids, stable: {@code Resource} (the pipeline), {@code ArtifactsKey}, {@code ArtifactsBucket},
 * {@code ImageRepository} (the base's repository, referenced by name), {@code Build} (the CodeBuild project),
 * {@code BuildLogGroup}, {@code RebuildSchedule}, {@code SourceTrigger} (S3 source only) and
 * {@code DeliveryDeadLetterQueue} (unless the props hand one over).
 *
 * <p>What it creates besides: a customer managed KMS key, rotated yearly, that encrypts the artifacts bucket and the
 * build's artifacts, so reading the golden image's sources there takes a grant on that key as well; the artifacts bucket
 * (TLS only, public access blocked, artifacts expiring after {@value #ARTIFACT_EXPIRY_DAYS} days); the build's log
 * group, kept a month; a role per action. Every EventBridge target, the schedule's and the S3 source's, retries and
 * sends what it could not deliver to the dead-letter queue. The S3 source needs the bucket's EventBridge notifications
 * on; CodePipeline does not poll.
 *
 * <p>The build's role may push to the base's repository only, plus {@code ecr:GetAuthorizationToken}, which has no
 * resource-level permissions. A {@code FROM} image in a private ECR repository needs pull on that repository too
 * ({@code repository.grantPull(getBuildProject())}); public images need nothing.
 */
public final class GoldenImagePipeline extends Construct {

    /** The source action's variables namespace. */
    public static final String SOURCE_VARIABLES = "SourceVariables";

    /** How long run artifacts stay in the artifacts bucket; longer than any run. */
    public static final int ARTIFACT_EXPIRY_DAYS = 30;

    /** EventBridge's tries to start the pipeline before the start is parked in the dead-letter queue. */
    public static final int DELIVERY_RETRY_ATTEMPTS = PipelineStarts.DELIVERY_RETRY_ATTEMPTS;

    // An OS-package upgrade and a push of a base image are minutes; an hour stops a hung build without cutting a slow one.
    private static final int BUILD_TIMEOUT_MINUTES = 60;

    // The SQS maximum: a start that failed on Friday evening is still there to look at after a long weekend.
    private static final int QUEUE_RETENTION_DAYS = 14;

    private final BaseImageConfig baseImage;
    private final Key artifactsKey;
    private final Bucket artifactsBucket;
    private final IRepository imageRepository;
    private final PipelineProject buildProject;
    private final Pipeline pipeline;
    private final IQueue deliveryDeadLetterQueue;
    private final Rule rebuildSchedule;
    private final Rule sourceTrigger;

    /**
     * @throws IllegalArgumentException when the base image is not configured, or is built elsewhere already (see
     *     {@link #requireBuildable})
     */
    public GoldenImagePipeline(Construct scope, String id, GoldenImagePipelineProps props) {
        super(scope, id);
        Objects.requireNonNull(props, "props");
        this.baseImage = requireBuildable(props.config(), props.baseImage());

        this.artifactsKey = Key.Builder.create(this, "ArtifactsKey")
                .description("Gantry: encrypts the sources and build artifacts of golden image " + baseImage.name())
                .enableKeyRotation(true)
                .build();
        this.artifactsBucket = Bucket.Builder.create(this, "ArtifactsBucket")
                .encryption(BucketEncryption.KMS)
                .encryptionKey(artifactsKey)
                // One data key per bucket instead of a KMS request per object.
                .bucketKeyEnabled(true)
                .enforceSsl(true)
                .blockPublicAccess(BlockPublicAccess.BLOCK_ALL)
                .lifecycleRules(List.of(LifecycleRule.builder().expiration(Duration.days(ARTIFACT_EXPIRY_DAYS)).build()))
                .build();

        this.imageRepository = Repository.fromRepositoryName(this, "ImageRepository", baseImage.repository());

        this.pipeline = Pipeline.Builder.create(this, "Resource")
                .pipelineType(PipelineType.V2)
                .executionMode(ExecutionMode.SUPERSEDED)
                .artifactBucket(artifactsBucket)
                // Both stages run in this account and region: the artifacts key is enough.
                .crossAccountKeys(false)
                .build();

        this.deliveryDeadLetterQueue = props.deliveryDeadLetterQueue() != null
                ? props.deliveryDeadLetterQueue()
                : Queue.Builder.create(this, "DeliveryDeadLetterQueue")
                        .encryption(QueueEncryption.SQS_MANAGED)
                        .enforceSsl(true)
                        .retentionPeriod(Duration.days(QUEUE_RETENTION_DAYS))
                        .build();

        Artifact source = Artifact.artifact("Source");
        Map<String, BuildEnvironmentVariable> buildVariables = new LinkedHashMap<>();
        IAction sourceAction = PipelineStarts.sourceAction(props.connectionSource() ? props.connectionArn() : null,
                props.repository(), props.branch(), props.sourceBucket(), props.sourceObjectKey(), SOURCE_VARIABLES, source,
                buildVariables);
        this.sourceTrigger = props.connectionSource() ? null : sourceObjectWrittenRule(props);

        this.buildProject = PipelineProject.Builder.create(this, "Build")
                .description("Gantry: builds golden image " + baseImage.name() + " and pushes it to " + baseImage.repository() + ":"
                        + baseImage.tag() + ", which starts its rebuild wave")
                .environment(BuildEnvironment.builder()
                        .buildImage(PipelineStarts.buildImage(props.buildPlatform()))
                        // The Docker daemon runs only in a privileged build container.
                        .privileged(true)
                        .build())
                .environmentVariables(projectVariables(props))
                .buildSpec(BuildSpec.fromObjectToYaml(buildSpec()))
                .encryptionKey(artifactsKey)
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
                .environmentVariables(buildVariables.isEmpty() ? null : buildVariables)
                .build());

        this.rebuildSchedule = Rule.Builder.create(this, "RebuildSchedule")
                .description("Gantry: rebuilds golden image " + baseImage.name() + " to pick up its upstream image's and packages' patches")
                .schedule(props.rebuildSchedule())
                .build();
        startPipeline(rebuildSchedule);
    }

    /**
     * The configured base image a pipeline can build: one whose pushes nothing else produces.
     *
     * @throws IllegalArgumentException when {@code config} has no such base image, when EC2 Image Builder builds it (its
     *     images are new versions already), or when it is a dependent of another base that Gantry rebuilds (that build
     *     pushes to its repository already); two builds of one base would race for its tag
     */
    public static BaseImageConfig requireBuildable(GantryConfig config, String baseImage) {
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(baseImage, "baseImage");
        List<String> configured = config.baseImages().stream().map(BaseImageConfig::name).toList();
        BaseImageConfig base = config.baseImages().stream()
                .filter(b -> b.name().equals(baseImage))
                .findFirst()
                .orElseThrow(() -> new IllegalArgumentException("base image '" + baseImage + "' is not in Gantry's configuration (baseImages: "
                        + (configured.isEmpty() ? "none" : String.join(", ", configured)) + ")"));
        if (!base.imageBuilderPipelines().isEmpty()) {
            throw new IllegalArgumentException("base image '" + baseImage + "' is built by EC2 Image Builder ("
                    + String.join(", ", base.imageBuilderPipelines()) + "), whose images already start its rebuild waves: "
                    + "a GoldenImagePipeline would be a second build racing it for " + base.repository() + ":" + base.tag());
        }
        Optional<Map.Entry<BaseImageConfig, DependentConfig>> rebuiltAs = rebuiltAs(config, base);
        if (rebuiltAs.isPresent()) {
            BaseImageConfig parent = rebuiltAs.get().getKey();
            DependentConfig dependent = rebuiltAs.get().getValue();
            throw new IllegalArgumentException("base image '" + baseImage + "' is rebuilt by Gantry as dependent '" + dependent.name()
                    + "' of base image '" + parent.name() + "' (" + builtBy(dependent) + "), which pushes to " + base.repository()
                    + " already: a GoldenImagePipeline would be a second build racing it. Its chain starts at base image '"
                    + topOfChain(config, parent).name() + "'");
        }
        return base;
    }

    /** The base, and its dependent, whose rebuild pushes to {@code base}'s repository; empty at the top of a chain. */
    private static Optional<Map.Entry<BaseImageConfig, DependentConfig>> rebuiltAs(GantryConfig config, BaseImageConfig base) {
        for (BaseImageConfig parent : config.baseImages()) {
            for (DependentConfig dependent : parent.dependents()) {
                if (dependent.produces().equals(base.repository())) {
                    return Optional.of(Map.entry(parent, dependent));
                }
            }
        }
        return Optional.empty();
    }

    private static BaseImageConfig topOfChain(GantryConfig config, BaseImageConfig base) {
        BaseImageConfig top = base;
        // A validated configuration has no cycles; the bound keeps a hand-built one from looping.
        for (int hops = 0; hops < config.baseImages().size(); hops++) {
            Optional<Map.Entry<BaseImageConfig, DependentConfig>> parent = rebuiltAs(config, top);
            if (parent.isEmpty()) {
                break;
            }
            top = parent.get().getKey();
        }
        return top;
    }

    /** Allows {@code grantee} to start the pipeline, e.g. to rebuild the image at once after an upstream security fix. */
    public Grant grantStart(IGrantable grantee) {
        return Grant.addToPrincipal(GrantOnPrincipalOptions.builder()
                .grantee(grantee)
                .actions(List.of("codepipeline:StartPipelineExecution"))
                .resourceArns(List.of(pipeline.getPipelineArn()))
                .build());
    }

    /** Allows {@code grantee}, e.g. the CodeBuild project of an image built FROM this one, to pull from the base's repository. */
    public Grant grantPull(IGrantable grantee) {
        return imageRepository.grantPull(grantee);
    }

    /** The configured base image the pipeline builds. */
    public BaseImageConfig getBaseImage() {
        return baseImage;
    }

    /** The pipeline. */
    public Pipeline getPipeline() {
        return pipeline;
    }

    /** The CodeBuild project. Its role may push to the base's repository only. */
    public PipelineProject getBuildProject() {
        return buildProject;
    }

    /** The base's repository, the one the build pushes to. */
    public IRepository getImageRepository() {
        return imageRepository;
    }

    /** Where the pipeline keeps run artifacts. */
    public Bucket getArtifactsBucket() {
        return artifactsBucket;
    }

    /** The key of the artifacts bucket and the build. */
    public Key getArtifactsKey() {
        return artifactsKey;
    }

    /** The rule that starts the pipeline on {@link GoldenImagePipelineProps#rebuildSchedule()}. */
    public Rule getRebuildSchedule() {
        return rebuildSchedule;
    }

    /** The rule that starts the pipeline when the S3 source object is written; empty for a GitHub source. */
    public Optional<Rule> getSourceTrigger() {
        return Optional.ofNullable(sourceTrigger);
    }

    /** Receives the pipeline starts EventBridge could not deliver. */
    public IQueue getDeliveryDeadLetterQueue() {
        return deliveryDeadLetterQueue;
    }

    private void stage(String name, IAction action) {
        pipeline.addStage(StageOptions.builder().stageName(name).actions(List.of(action)).build());
    }

    private Rule sourceObjectWrittenRule(GoldenImagePipelineProps props) {
        Rule rule = PipelineStarts.sourceObjectWritten(this, props.sourceBucket(), props.sourceObjectKey(),
                "Gantry: a new " + props.sourceObjectKey() + " starts the build of golden image " + baseImage.name());
        startPipeline(rule);
        return rule;
    }

    private void startPipeline(Rule rule) {
        PipelineStarts.start(rule, pipeline, deliveryDeadLetterQueue);
    }

    private static String builtBy(DependentConfig dependent) {
        return dependent.codebuild() != null
                ? "CodeBuild project '" + dependent.codebuild() + "'"
                : "pipeline '" + dependent.pipeline() + "'";
    }

    private Map<String, BuildEnvironmentVariable> projectVariables(GoldenImagePipelineProps props) {
        Map<String, BuildEnvironmentVariable> variables = new LinkedHashMap<>();
        variables.put("REPOSITORY_URI", BuildEnvironmentVariable.builder().value(imageRepository.getRepositoryUri()).build());
        variables.put("BASE_TAG", BuildEnvironmentVariable.builder().value(baseImage.tag()).build());
        variables.put("DOCKERFILE", BuildEnvironmentVariable.builder().value(props.dockerfile()).build());
        variables.put("BUILD_CONTEXT", BuildEnvironmentVariable.builder().value(props.buildContext()).build());
        return variables;
    }

    /**
     * Everything runs in the build phase: CodeBuild runs post_build even after a failed build, and a push must never
     * follow one.
     */
    private static Map<String, Object> buildSpec() {
        List<String> commands = List.of(
                // The commit from the source's variable when the pipeline passes one, else what CodePipeline resolved.
                "REVISION=\"${COMMIT_ID:-$CODEBUILD_RESOLVED_SOURCE_VERSION}\"",
                "if [ -z \"$REVISION\" ]; then"
                        + " echo 'the source has no revision to tag the image with (is the source bucket versioned?)' >&2; exit 1; fi",
                // An ECR tag is at most 128 of [A-Za-z0-9_.-], not starting with '.' or '-'; an S3 version id may hold others.
                "IMAGE_TAG=$(printf '%s' \"$REVISION\" | sed -e 's/[^A-Za-z0-9_.-]/_/g' -e 's/^[.-]/_/' | cut -c1-128)",
                "REGISTRY=\"${REPOSITORY_URI%%/*}\"",
                // The registry's host is <account>.dkr.ecr.<region>.<suffix>: log in to the region the repository is in.
                "aws ecr get-login-password --region \"$(printf '%s' \"$REGISTRY\" | cut -d. -f4)\""
                        + " | docker login --username AWS --password-stdin \"$REGISTRY\"",
                // --pull: a FROM image's tag moves with its patches, and picking them up is the point of a rebuild.
                "docker build --pull --file \"$DOCKERFILE\" --label \"org.opencontainers.image.revision=$REVISION\""
                        + " --tag \"$REPOSITORY_URI:$IMAGE_TAG\" --tag \"$REPOSITORY_URI:$BASE_TAG\" \"$BUILD_CONTEXT\"",
                "docker push \"$REPOSITORY_URI:$IMAGE_TAG\"",
                // Last: this push starts Gantry's rebuild wave, and the image already has its revision tag by then.
                "docker push \"$REPOSITORY_URI:$BASE_TAG\"");
        Map<String, Object> spec = new LinkedHashMap<>();
        spec.put("version", "0.2");
        spec.put("env", Map.of("shell", "bash"));
        spec.put("phases", Map.of("build", Map.of("commands", commands)));
        return spec;
    }
}
