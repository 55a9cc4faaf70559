package dev.gantry.infra;

import dev.gantry.core.config.GantryConfig;
import java.util.Objects;
import java.util.regex.Pattern;
import software.amazon.awscdk.services.events.Schedule;
import software.amazon.awscdk.services.s3.IBucket;
import software.amazon.awscdk.services.sqs.IQueue;

/**
 * What {@link GoldenImagePipeline} builds a golden image's pipeline from. Immutable; build one with {@link #builder()}.
 *
 * <p>Required: {@code config}, {@code baseImage}, and a source: either {@code sourceBucket} (with
 * {@code sourceObjectKey}, default {@code <baseImage>/source.zip}), or {@code connectionArn} and {@code repository}
 * for GitHub through a CodeStar connection (with {@code branch}, default {@value #DEFAULT_BRANCH}).
 *
 * <p>Optional, with defaults: {@code buildPlatform} {@link EcsReleasePipelineProps.BuildPlatform#X86_64};
 * {@code dockerfile} {@value #DEFAULT_DOCKERFILE}; {@code buildContext} {@value #DEFAULT_BUILD_CONTEXT};
 * {@code rebuildSchedule} {@value #DEFAULT_REBUILD_SCHEDULE}, every Monday at 05:00 UTC; {@code deliveryDeadLetterQueue}
 * a queue of the construct's own.
 *
 * <p>Errors: {@link #build()} throws {@link IllegalArgumentException} when no source, two sources or half a
 * connection source is given, or {@code repository} is not {@code owner/name}; a missing required value is a
 * {@link NullPointerException} naming it. Whether {@code baseImage} may be built here is checked by the construct
 * ({@link GoldenImagePipeline#requireBuildable}).
 */
public final class GoldenImagePipelineProps {

    public static final String DEFAULT_BRANCH = "main";

    public static final String DEFAULT_DOCKERFILE = "Dockerfile";

    /** The source's root. */
    public static final String DEFAULT_BUILD_CONTEXT = ".";

    /**
     * Early on a working day, so that a build which breaks, and the rebuild wave a new image starts, meet people at work
     * rather than a weekend.
     */
    public static final String DEFAULT_REBUILD_SCHEDULE = "cron(0 5 ? * MON *)";

    // GitHub's owner and repository names: letters, digits, '-', '_' and '.'.
    private static final Pattern GITHUB_REPOSITORY = Pattern.compile("[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+");

    private final GantryConfig config;
    private final String baseImage;
    private final IBucket sourceBucket;
    private final String sourceObjectKey;
    private final String connectionArn;
    private final String repository;
    private final String branch;
    private final EcsReleasePipelineProps.BuildPlatform buildPlatform;
    private final String dockerfile;
    private final String buildContext;
    private final Schedule rebuildSchedule;
    private final IQueue deliveryDeadLetterQueue;

    private GoldenImagePipelineProps(Builder builder) {
        this.config = Objects.requireNonNull(builder.config, "config is required");
        this.baseImage = Objects.requireNonNull(builder.baseImage, "baseImage is required");
        this.sourceBucket = builder.sourceBucket;
        this.sourceObjectKey = builder.sourceObjectKey != null ? builder.sourceObjectKey : baseImage + "/source.zip";
        this.connectionArn = builder.connectionArn;
        this.repository = builder.repository;
        requireOneSource(builder.branch);
        this.branch = connectionSource() ? (builder.branch != null ? builder.branch : DEFAULT_BRANCH) : null;
        this.buildPlatform = builder.buildPlatform;
        this.dockerfile = builder.dockerfile;
        this.buildContext = builder.buildContext;
        this.rebuildSchedule = builder.rebuildSchedule != null ? builder.rebuildSchedule : Schedule.expression(DEFAULT_REBUILD_SCHEDULE);
        this.deliveryDeadLetterQueue = builder.deliveryDeadLetterQueue;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The validated configuration the base image comes from. */
    public GantryConfig config() {
        return config;
    }

    /** The name of the base image in {@code gantry.yml}'s {@code baseImages} that the pipeline builds. */
    public String baseImage() {
        return baseImage;
    }

    /** The versioned bucket holding the source zip; null for a GitHub source. */
    public IBucket sourceBucket() {
        return sourceBucket;
    }

    /** The source zip's key in {@link #sourceBucket()}; default {@code <baseImage>/source.zip}. */
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

    /** The branch whose commits are built; default {@value #DEFAULT_BRANCH}; null for an S3 source. */
    public String branch() {
        return branch;
    }

    /** True when the source is GitHub through a CodeStar connection. */
    public boolean connectionSource() {
        return connectionArn != null;
    }

    /**
     * Default {@link EcsReleasePipelineProps.BuildPlatform#X86_64}. The images built FROM this one inherit its
     * architecture, so it is the one their task definitions run on.
     */
    public EcsReleasePipelineProps.BuildPlatform buildPlatform() {
        return buildPlatform;
    }

    /** The Dockerfile, relative to the source's root; default {@value #DEFAULT_DOCKERFILE}. */
    public String dockerfile() {
        return dockerfile;
    }

    /** The directory, relative to the source's root, that Docker builds in; default {@value #DEFAULT_BUILD_CONTEXT}. */
    public String buildContext() {
        return buildContext;
    }

    /**
     * When the pipeline runs although the source did not change, so the image picks up its upstream image's and its
     * packages' patches; default {@value #DEFAULT_REBUILD_SCHEDULE} (EventBridge reads it in UTC).
     */
    public Schedule rebuildSchedule() {
        return rebuildSchedule;
    }

    /** Where pipeline starts EventBridge could not deliver go; null to have the construct create its own queue. */
    public IQueue deliveryDeadLetterQueue() {
        return deliveryDeadLetterQueue;
    }

    private void requireOneSource(String branch) {
        boolean anyConnection = connectionArn != null || repository != null || branch != null;
        if (sourceBucket != null && anyConnection) {
            throw new IllegalArgumentException("give the pipeline of base image '" + baseImage + "' one source: sourceBucket, or "
                    + "connectionArn with repository, not both");
        }
        if (sourceBucket == null && !anyConnection) {
            throw new IllegalArgumentException("the pipeline of base image '" + baseImage + "' has no source: give sourceBucket, or "
                    + "connectionArn with repository");
        }
        if (anyConnection && (isBlank(connectionArn) || isBlank(repository) || (branch != null && branch.isBlank()))) {
            throw new IllegalArgumentException("a GitHub source needs connectionArn and repository together (and a branch, default "
                    + DEFAULT_BRANCH + "); the pipeline of base image '" + baseImage + "' has connectionArn=" + connectionArn
                    + ", repository=" + repository + ", branch=" + branch);
        }
        if (anyConnection && !GITHUB_REPOSITORY.matcher(repository).matches()) {
            throw new IllegalArgumentException("repository must be GitHub's owner/name, was '" + repository + "'");
        }
    }

    private static boolean isBlank(String value) {
        return value == null || value.isBlank();
    }

    private static String requirePath(String name, String value) {
        if (isBlank(value)) {
            throw new IllegalArgumentException(name + " must name a path in the source, was '" + value + "'");
        }
        return value;
    }

    public static final class Builder {
        private GantryConfig config;
        private String baseImage;
        private IBucket sourceBucket;
        private String sourceObjectKey;
        private String connectionArn;
        private String repository;
        private String branch;
        private EcsReleasePipelineProps.BuildPlatform buildPlatform = EcsReleasePipelineProps.BuildPlatform.X86_64;
        private String dockerfile = DEFAULT_DOCKERFILE;
        private String buildContext = DEFAULT_BUILD_CONTEXT;
        private Schedule rebuildSchedule;
        private IQueue deliveryDeadLetterQueue;

        private Builder() {}

        public Builder config(GantryConfig config) {
            this.config = config;
            return this;
        }

        /** A {@code name} under {@code baseImages}. */
        public Builder baseImage(String baseImage) {
            this.baseImage = baseImage;
            return this;
        }

        /** A versioned bucket with EventBridge notifications on: CodePipeline reads the source object by version. */
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

        public Builder buildPlatform(EcsReleasePipelineProps.BuildPlatform buildPlatform) {
            this.buildPlatform = Objects.requireNonNull(buildPlatform, "buildPlatform");
            return this;
        }

        public Builder dockerfile(String dockerfile) {
            this.dockerfile = requirePath("dockerfile", dockerfile);
            return this;
        }

        public Builder buildContext(String buildContext) {
            this.buildContext = requirePath("buildContext", buildContext);
            return this;
        }

        public Builder rebuildSchedule(Schedule rebuildSchedule) {
            this.rebuildSchedule = Objects.requireNonNull(rebuildSchedule, "rebuildSchedule");
            return this;
        }

        /**
         * Optional: share the stack's queue so there is one place to watch for undelivered events. The construct adds the
         * statement letting its rules send to the queue to the queue's policy; an imported queue needs that statement from
         * its owner.
         */
        public Builder deliveryDeadLetterQueue(IQueue deliveryDeadLetterQueue) {
            this.deliveryDeadLetterQueue = deliveryDeadLetterQueue;
            return this;
        }

        public GoldenImagePipelineProps build() {
            return new GoldenImagePipelineProps(this);
        }
    }
}
