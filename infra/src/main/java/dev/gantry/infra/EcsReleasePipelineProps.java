package dev.gantry.infra;

import dev.gantry.core.config.GantryConfig;
import java.util.Objects;
import java.util.regex.Pattern;
import software.amazon.awscdk.services.ecr.IRepository;
import software.amazon.awscdk.services.lambda.IFunction;
import software.amazon.awscdk.services.s3.IBucket;
import software.amazon.awscdk.services.sns.ITopic;
import software.amazon.awscdk.services.sqs.IQueue;

/**
 * What {@link EcsReleasePipeline} builds a pipeline from. Immutable; build one with {@link #builder()}.
 *
 * <p>Required: {@code config}, {@code service}, {@code pipelineDeployFunction}, and a source: either
 * {@code sourceBucket} (with {@code sourceObjectKey}, default {@code <service>/source.zip}), or all of
 * {@code connectionArn}, {@code repository} and {@code branch} for GitHub through a CodeStar connection.
 * {@code releaseGates} is required when an environment of the service has a gate.
 *
 * <p>Optional, with defaults: {@code imageRepository} the service's ECR repository (its {@code repository} in
 * {@code gantry.yml}) in the stack's account and region; {@code buildPlatform} {@link BuildPlatform#X86_64};
 * {@code dockerfile} {@value #DEFAULT_DOCKERFILE}; {@code manualApproval} off.
 *
 * <p>Errors: {@link #build()} throws {@link IllegalArgumentException} when no source, two sources or half a
 * connection source is given, or {@code repository} is not {@code owner/name}; a missing required value is a
 * {@link NullPointerException} naming it.
 */
public final class EcsReleasePipelineProps {

    public static final String DEFAULT_DOCKERFILE = "Dockerfile";

    // GitHub's owner and repository names: letters, digits, '-', '_' and '.'.
    private static final Pattern GITHUB_REPOSITORY = Pattern.compile("[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+");

    /** The CPU architecture the image is built for. It must match the task definition's {@code runtimePlatform}. */
    public enum BuildPlatform {
        /**
         * Graviton: cheaper per build minute and per task hour, for task definitions whose {@code runtimePlatform} says
         * {@code ARM64}.
         */
        ARM64,
        /** The default, because it is ECS's: a task definition without a {@code runtimePlatform} runs on x86-64. */
        X86_64
    }

    private final GantryConfig config;
    private final String service;
    private final IFunction pipelineDeployFunction;
    private final ReleaseGates releaseGates;
    private final IBucket sourceBucket;
    private final String sourceObjectKey;
    private final String connectionArn;
    private final String repository;
    private final String branch;
    private final IRepository imageRepository;
    private final BuildPlatform buildPlatform;
    private final String dockerfile;
    private final boolean manualApproval;
    private final ITopic approvalTopic;
    private final IQueue deliveryDeadLetterQueue;

    private EcsReleasePipelineProps(Builder builder) {
        this.config = Objects.requireNonNull(builder.config, "config is required");
        this.service = Objects.requireNonNull(builder.service, "service is required");
        this.pipelineDeployFunction = Objects.requireNonNull(builder.pipelineDeployFunction, "pipelineDeployFunction is required");
        this.releaseGates = builder.releaseGates;
        this.sourceBucket = builder.sourceBucket;
        this.sourceObjectKey = builder.sourceObjectKey != null ? builder.sourceObjectKey : service + "/source.zip";
        this.connectionArn = builder.connectionArn;
        this.repository = builder.repository;
        this.branch = builder.branch;
        this.imageRepository = builder.imageRepository;
        this.buildPlatform = builder.buildPlatform;
        this.dockerfile = builder.dockerfile;
        this.manualApproval = builder.manualApproval;
        this.approvalTopic = builder.approvalTopic;
        this.deliveryDeadLetterQueue = builder.deliveryDeadLetterQueue;
        requireOneSource();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The validated configuration the service and its environments come from. */
    public GantryConfig config() {
        return config;
    }

    /** The name of the service in {@code gantry.yml} the pipeline releases. */
    public String service() {
        return service;
    }

    /**
     * What the deploy actions invoke: pipeline-deploy's {@code live} alias, as {@link
     * EcsDeployAutomation#getPipelineDeployFunction()} returns it (the unpublished function would run without SnapStart
     * and without the alias's invocation settings).
     */
    public IFunction pipelineDeployFunction() {
        return pipelineDeployFunction;
    }

    /** The gates' construct, whose pipeline-gate holds the run before a gated environment; null when nothing is gated. */
    public ReleaseGates releaseGates() {
        return releaseGates;
    }

    /** The versioned bucket holding the source zip; null for a GitHub source. */
    public IBucket sourceBucket() {
        return sourceBucket;
    }

    /** The source zip's key in {@link #sourceBucket()}; default {@code <service>/source.zip}. */
    public String sourceObjectKey() {
        return sourceObjectKey;
    }

    /** The CodeStar connection to GitHub; null for an S3 source. */
    public String connectionArn() {
        return connectionArn;
    }

    /** The GitHub repository, {@code owner/name}; null for an S3 source. */
    public String repository() {
        return repository;
    }

    /** The branch whose commits are released; null for an S3 source. */
    public String branch() {
        return branch;
    }

    /** True when the source is GitHub through a CodeStar connection. */
    public boolean connectionSource() {
        return connectionArn != null;
    }

    /** Where the image is pushed; null for the default, the service's repository in the stack's account and region. */
    public IRepository imageRepository() {
        return imageRepository;
    }

    /** Default {@link BuildPlatform#X86_64}. */
    public BuildPlatform buildPlatform() {
        return buildPlatform;
    }

    /** The Dockerfile, relative to the source's root, which is the build context; default {@value #DEFAULT_DOCKERFILE}. */
    public String dockerfile() {
        return dockerfile;
    }

    /**
     * Whether a person approves in CodePipeline before the last environment's deploy; default off, since a gate's
     * {@code approvals} already ask people, in Slack, with the gate's rules (N of M, no self-approval, expiry).
     */
    public boolean manualApproval() {
        return manualApproval;
    }

    /**
     * Where the manual approval is announced, e.g. ChatOps' approval topic ({@link ChatOps#approvalTopic}), which turns
     * it into a Slack card with Approve / Reject; null for no announcement.
     */
    public ITopic approvalTopic() {
        return approvalTopic;
    }

    /**
     * Where a start of the pipeline that EventBridge could not deliver is parked, with an S3 source; null for a queue of
     * the pipeline's own.
     */
    public IQueue deliveryDeadLetterQueue() {
        return deliveryDeadLetterQueue;
    }

    private void requireOneSource() {
        boolean anyConnection = connectionArn != null || repository != null || branch != null;
        if (sourceBucket != null && anyConnection) {
            throw new IllegalArgumentException("give the pipeline of '" + service + "' one source: sourceBucket, or connectionArn with "
                    + "repository and branch, not both");
        }
        if (sourceBucket == null && !anyConnection) {
            throw new IllegalArgumentException("the pipeline of '" + service + "' has no source: give sourceBucket, or connectionArn "
                    + "with repository and branch");
        }
        if (anyConnection && (isBlank(connectionArn) || isBlank(repository) || isBlank(branch))) {
            throw new IllegalArgumentException("a GitHub source needs connectionArn, repository and branch together; the pipeline of '"
                    + service + "' has connectionArn=" + connectionArn + ", repository=" + repository + ", branch=" + branch);
        }
        if (anyConnection && !GITHUB_REPOSITORY.matcher(repository).matches()) {
            throw new IllegalArgumentException("repository must be GitHub's owner/name, was '" + repository + "'");
        }
    }

    private static boolean isBlank(String value) {
        return value == null || value.isBlank();
    }

    public static final class Builder {
        private GantryConfig config;
        private String service;
        private IFunction pipelineDeployFunction;
        private ReleaseGates releaseGates;
        private IBucket sourceBucket;
        private String sourceObjectKey;
        private String connectionArn;
        private String repository;
        private String branch;
        private IRepository imageRepository;
        private BuildPlatform buildPlatform = BuildPlatform.X86_64;
        private String dockerfile = DEFAULT_DOCKERFILE;
        private boolean manualApproval;
        private ITopic approvalTopic;
        private IQueue deliveryDeadLetterQueue;

        private Builder() {}

        public Builder config(GantryConfig config) {
            this.config = config;
            return this;
        }

        public Builder service(String service) {
            this.service = service;
            return this;
        }

        public Builder pipelineDeployFunction(IFunction pipelineDeployFunction) {
            this.pipelineDeployFunction = pipelineDeployFunction;
            return this;
        }

        public Builder releaseGates(ReleaseGates releaseGates) {
            this.releaseGates = releaseGates;
            return this;
        }

        /** A versioned bucket: CodePipeline reads the source object by version. */
        public Builder sourceBucket(IBucket sourceBucket) {
            this.sourceBucket = sourceBucket;
            return this;
        }

        public Builder sourceObjectKey(String sourceObjectKey) {
            this.sourceObjectKey = sourceObjectKey;
            return this;
        }

        public Builder connectionArn(String connectionArn) {
            this.connectionArn = connectionArn;
            return this;
        }

        /** {@code owner/name} on GitHub. */
        public Builder repository(String repository) {
            this.repository = repository;
            return this;
        }

        public Builder branch(String branch) {
            this.branch = branch;
            return this;
        }

        public Builder imageRepository(IRepository imageRepository) {
            this.imageRepository = imageRepository;
            return this;
        }

        public Builder buildPlatform(BuildPlatform buildPlatform) {
            this.buildPlatform = Objects.requireNonNull(buildPlatform, "buildPlatform");
            return this;
        }

        public Builder dockerfile(String dockerfile) {
            if (isBlank(dockerfile)) {
                throw new IllegalArgumentException("dockerfile must name a file, was '" + dockerfile + "'");
            }
            this.dockerfile = dockerfile;
            return this;
        }

        public Builder manualApproval(boolean manualApproval) {
            this.manualApproval = manualApproval;
            return this;
        }

        /** Optional; see {@link EcsReleasePipelineProps#deliveryDeadLetterQueue()}. */
        public Builder deliveryDeadLetterQueue(IQueue deliveryDeadLetterQueue) {
            this.deliveryDeadLetterQueue = deliveryDeadLetterQueue;
            return this;
        }

        /** Optional; see {@link EcsReleasePipelineProps#approvalTopic()}. */
        public Builder approvalTopic(ITopic approvalTopic) {
            this.approvalTopic = approvalTopic;
            return this;
        }

        public EcsReleasePipelineProps build() {
            return new EcsReleasePipelineProps(this);
        }
    }
}
