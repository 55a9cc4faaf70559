package dev.gantry.infra;

import dev.gantry.core.config.GantryConfig;
import java.nio.file.Path;
import java.util.Objects;
import software.amazon.awscdk.Duration;
import software.amazon.awscdk.services.dynamodb.ITable;
import software.amazon.awscdk.services.logs.RetentionDays;
import software.amazon.awscdk.services.sqs.IQueue;

/**
 * What {@link ReleaseGates} deploys with. Immutable; build one with {@link #builder()}.
 *
 * <p>Required: {@code config}, {@code configFile}, {@code functionJar}, {@code table}, {@code failedInvocationQueue}.
 * Optional, with defaults: {@code memorySize} {@value #DEFAULT_MEMORY_MB} MB, {@code timeout}
 * {@value #DEFAULT_TIMEOUT_SECONDS} s (at most {@value #MAX_TIMEOUT_SECONDS} s), {@code logRetention} one month.
 */
public final class ReleaseGatesProps {

    /** Default memory, as for the deploy functions: a JVM cold start is CPU-bound, and Lambda CPU grows with memory. */
    public static final int DEFAULT_MEMORY_MB = EcsDeployAutomationProps.DEFAULT_MEMORY_MB;

    public static final int DEFAULT_TIMEOUT_SECONDS = 60;

    /** Lambda's own limit: the gate functions hold no release lease, so nothing tighter applies. */
    public static final int MAX_TIMEOUT_SECONDS = 900;

    private final GantryConfig config;
    private final Path configFile;
    private final Path functionJar;
    private final ITable table;
    private final IQueue failedInvocationQueue;
    private final int memorySize;
    private final Duration timeout;
    private final RetentionDays logRetention;
    private final String slackBotTokenSecretArn;

    private ReleaseGatesProps(Builder builder) {
        this.config = Objects.requireNonNull(builder.config, "config is required");
        this.configFile = Objects.requireNonNull(builder.configFile, "configFile is required");
        this.functionJar = Objects.requireNonNull(builder.functionJar, "functionJar is required");
        this.table = Objects.requireNonNull(builder.table, "table is required");
        this.failedInvocationQueue = Objects.requireNonNull(builder.failedInvocationQueue, "failedInvocationQueue is required");
        this.memorySize = builder.memorySize;
        this.timeout = builder.timeout;
        this.logRetention = builder.logRetention;
        this.slackBotTokenSecretArn = builder.slackBotTokenSecretArn;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The validated configuration; its gates decide what the functions may read and invoke. */
    public GantryConfig config() {
        return config;
    }

    /** The {@code gantry.yml} the functions load at init; shipped as-is, so it must be the file {@link #config()} came from. */
    public Path configFile() {
        return configFile;
    }

    /** The shaded release-gate jar ({@value ReleaseGates#JAR_NAME}). */
    public Path functionJar() {
        return functionJar;
    }

    /** The state table, where gate records live ({@link GantryStateTable}, or any table with the same key schema). */
    public ITable table() {
        return table;
    }

    /**
     * Where Lambda records the functions' failed asynchronous invocations; {@link EcsDeployAutomation#getFailedInvocationQueue()}
     * keeps one place to watch.
     */
    public IQueue failedInvocationQueue() {
        return failedInvocationQueue;
    }

    /** Memory in MB; default {@value #DEFAULT_MEMORY_MB}. */
    public int memorySize() {
        return memorySize;
    }

    /** Function timeout; default {@value #DEFAULT_TIMEOUT_SECONDS} s. */
    public Duration timeout() {
        return timeout;
    }

    /** How long the functions' logs are kept; default one month. */
    public RetentionDays logRetention() {
        return logRetention;
    }

    /** The Secrets Manager secret holding the Slack bot token, read by gates that let Slack user groups approve; null when none. */
    public String slackBotTokenSecretArn() {
        return slackBotTokenSecretArn;
    }

    public static final class Builder {
        private GantryConfig config;
        private Path configFile;
        private Path functionJar;
        private ITable table;
        private IQueue failedInvocationQueue;
        private int memorySize = DEFAULT_MEMORY_MB;
        private Duration timeout = Duration.seconds(DEFAULT_TIMEOUT_SECONDS);
        private RetentionDays logRetention = RetentionDays.ONE_MONTH;
        private String slackBotTokenSecretArn;

        private Builder() {}

        public Builder config(GantryConfig config) {
            this.config = config;
            return this;
        }

        public Builder configFile(Path configFile) {
            this.configFile = configFile;
            return this;
        }

        public Builder functionJar(Path functionJar) {
            this.functionJar = functionJar;
            return this;
        }

        public Builder table(ITable table) {
            this.table = table;
            return this;
        }

        public Builder failedInvocationQueue(IQueue failedInvocationQueue) {
            this.failedInvocationQueue = failedInvocationQueue;
            return this;
        }

        /** Default {@value ReleaseGatesProps#DEFAULT_MEMORY_MB} MB; Lambda accepts 128 to 10240. */
        public Builder memorySize(int memorySize) {
            if (memorySize < 128 || memorySize > 10_240) {
                throw new IllegalArgumentException("memorySize must be between 128 and 10240 MB, was " + memorySize);
            }
            this.memorySize = memorySize;
            return this;
        }

        /** Default {@value ReleaseGatesProps#DEFAULT_TIMEOUT_SECONDS} s; at most {@value ReleaseGatesProps#MAX_TIMEOUT_SECONDS} s. */
        public Builder timeout(Duration timeout) {
            Objects.requireNonNull(timeout, "timeout");
            double seconds = timeout.toSeconds().doubleValue();
            if (seconds < 1 || seconds > MAX_TIMEOUT_SECONDS) {
                throw new IllegalArgumentException("timeout must be between 1 and " + MAX_TIMEOUT_SECONDS + " seconds, was "
                        + timeout.toHumanString());
            }
            this.timeout = timeout;
            return this;
        }

        /** Default one month. */
        /** @param slackBotTokenSecretArn the ARN of the secret holding the Slack bot token; optional */
        public Builder slackBotTokenSecretArn(String slackBotTokenSecretArn) {
            if (slackBotTokenSecretArn != null && !slackBotTokenSecretArn.startsWith("arn:")) {
                throw new IllegalArgumentException("slackBotTokenSecretArn must be a Secrets Manager secret ARN, not '"
                        + slackBotTokenSecretArn + "'");
            }
            this.slackBotTokenSecretArn = slackBotTokenSecretArn;
            return this;
        }

        public Builder logRetention(RetentionDays logRetention) {
            this.logRetention = Objects.requireNonNull(logRetention, "logRetention");
            return this;
        }

        public ReleaseGatesProps build() {
            return new ReleaseGatesProps(this);
        }
    }
}
