package dev.gantry.infra;

import dev.gantry.core.config.GantryConfig;
import java.nio.file.Path;
import java.util.Objects;
import software.amazon.awscdk.Duration;
import software.amazon.awscdk.services.dynamodb.ITable;
import software.amazon.awscdk.services.logs.RetentionDays;
import software.amazon.awscdk.services.sqs.IQueue;

/**
 * What {@link ImageRebuildAutomation} deploys with. Immutable; build one with {@link #builder()}.
 *
 * <p>Required: {@code config}, {@code configFile}, {@code functionJar}, {@code table}. Optional, with defaults:
 * {@code memorySize} 1024 MB, {@code timeout} 60 s (at most {@value #MAX_TIMEOUT_SECONDS} s), {@code logRetention} one
 * month, and the two queues: without them the construct creates its own, encrypted and kept 14 days.
 */
public final class ImageRebuildAutomationProps {

    /** Default memory: the JVM's JIT and the SDK's cold start are CPU-bound, and Lambda CPU grows with memory. */
    public static final int DEFAULT_MEMORY_MB = 1024;

    public static final int DEFAULT_TIMEOUT_SECONDS = 60;

    /** Lambda's own limit. */
    public static final int MAX_TIMEOUT_SECONDS = 900;

    private final GantryConfig config;
    private final Path configFile;
    private final Path functionJar;
    private final ITable table;
    private final IQueue deliveryDeadLetterQueue;
    private final IQueue failedInvocationQueue;
    private final int memorySize;
    private final Duration timeout;
    private final RetentionDays logRetention;

    private ImageRebuildAutomationProps(Builder builder) {
        this.config = Objects.requireNonNull(builder.config, "config is required");
        this.configFile = Objects.requireNonNull(builder.configFile, "configFile is required");
        this.functionJar = Objects.requireNonNull(builder.functionJar, "functionJar is required");
        this.table = Objects.requireNonNull(builder.table, "table is required");
        this.deliveryDeadLetterQueue = builder.deliveryDeadLetterQueue;
        this.failedInvocationQueue = builder.failedInvocationQueue;
        this.memorySize = builder.memorySize;
        this.timeout = builder.timeout;
        this.logRetention = builder.logRetention;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The validated configuration; its {@code baseImages} decide what is watched, scheduled and allowed. */
    public GantryConfig config() {
        return config;
    }

    /** The {@code gantry.yml} the function loads at init; shipped as-is, so it must be the file {@link #config()} came from. */
    public Path configFile() {
        return configFile;
    }

    /** The shaded function jar ({@code gantry-image-rebuild-lambda.jar}). */
    public Path functionJar() {
        return functionJar;
    }

    /** The state table ({@link GantryStateTable}, or any table with the same key schema); the rebuild ledger lives there. */
    public ITable table() {
        return table;
    }

    /** Where events EventBridge and Scheduler could not deliver go; null to have the construct create its own queue. */
    public IQueue deliveryDeadLetterQueue() {
        return deliveryDeadLetterQueue;
    }

    /** Where Lambda records failed invocations; null to have the construct create its own queue. */
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

    /** How long the function's logs are kept; default one month. */
    public RetentionDays logRetention() {
        return logRetention;
    }

    public static final class Builder {
        private GantryConfig config;
        private Path configFile;
        private Path functionJar;
        private ITable table;
        private IQueue deliveryDeadLetterQueue;
        private IQueue failedInvocationQueue;
        private int memorySize = DEFAULT_MEMORY_MB;
        private Duration timeout = Duration.seconds(DEFAULT_TIMEOUT_SECONDS);
        private RetentionDays logRetention = RetentionDays.ONE_MONTH;

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

        /** Optional: share the stack's queue so there is one place to watch for undelivered events. */
        public Builder deliveryDeadLetterQueue(IQueue deliveryDeadLetterQueue) {
            this.deliveryDeadLetterQueue = deliveryDeadLetterQueue;
            return this;
        }

        /** Optional: share the stack's queue so there is one place to watch for failed invocations. */
        public Builder failedInvocationQueue(IQueue failedInvocationQueue) {
            this.failedInvocationQueue = failedInvocationQueue;
            return this;
        }

        /** Default {@value ImageRebuildAutomationProps#DEFAULT_MEMORY_MB} MB; Lambda accepts 128 to 10240. */
        public Builder memorySize(int memorySize) {
            if (memorySize < 128 || memorySize > 10_240) {
                throw new IllegalArgumentException("memorySize must be between 128 and 10240 MB, was " + memorySize);
            }
            this.memorySize = memorySize;
            return this;
        }

        /** Default {@value ImageRebuildAutomationProps#DEFAULT_TIMEOUT_SECONDS} s; at most {@value ImageRebuildAutomationProps#MAX_TIMEOUT_SECONDS} s. */
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
        public Builder logRetention(RetentionDays logRetention) {
            this.logRetention = Objects.requireNonNull(logRetention, "logRetention");
            return this;
        }

        public ImageRebuildAutomationProps build() {
            return new ImageRebuildAutomationProps(this);
        }
    }
}
