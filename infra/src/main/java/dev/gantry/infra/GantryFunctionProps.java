package dev.gantry.infra;

import dev.gantry.core.config.GantryConfig;
import java.nio.file.Path;
import java.util.Objects;
import software.amazon.awscdk.Duration;
import software.amazon.awscdk.services.dynamodb.ITable;
import software.amazon.awscdk.services.logs.RetentionDays;

/**
 * What every Gantry automation's props have, whichever functions it deploys. Immutable; each subclass is built with its
 * own {@code builder()}.
 *
 * <p>Required: {@code config}, {@code configFile}, {@code functionJar}, {@code table}; a missing one fails the build with
 * a {@link NullPointerException} naming it, in that order. Optional, with defaults: {@code memorySize}
 * {@value #DEFAULT_MEMORY_MB} MB (Lambda accepts 128 to 10240), {@code timeout} {@value #DEFAULT_TIMEOUT_SECONDS} s (at
 * least 1 s, at most what the subclass allows), {@code logRetention} one month.
 */
public abstract class GantryFunctionProps {

    /**
     * Default memory. What is measured: a fresh JVM handling a whole deploy peaks at 164 MiB resident
     * ({@code scripts/bench cold-start} prints it), so memory is not what limits a function. What is not measured here:
     * Lambda hands out CPU in proportion to memory (1,024 MB is about 0.58 of the full vCPU a function gets at
     * 1,769 MB), and the JVM's start and the SDK's first calls are CPU-bound. With SnapStart that start happens when a
     * version is published, so less may do: change it on the evidence of Duration and Max Memory Used from the
     * functions' REPORT lines (see the system log level in {@code GantryFunction}).
     */
    public static final int DEFAULT_MEMORY_MB = 1024;

    public static final int DEFAULT_TIMEOUT_SECONDS = 60;

    private final GantryConfig config;
    private final Path configFile;
    private final Path functionJar;
    private final ITable table;
    private final int memorySize;
    private final Duration timeout;
    private final RetentionDays logRetention;

    GantryFunctionProps(Builder<?> builder) {
        this.config = Objects.requireNonNull(builder.config, "config is required");
        this.configFile = Objects.requireNonNull(builder.configFile, "configFile is required");
        this.functionJar = Objects.requireNonNull(builder.functionJar, "functionJar is required");
        this.table = Objects.requireNonNull(builder.table, "table is required");
        this.memorySize = builder.memorySize;
        this.timeout = builder.timeout;
        this.logRetention = builder.logRetention;
    }

    /** The validated configuration; it decides what the functions watch and what they may touch. */
    public GantryConfig config() {
        return config;
    }

    /** The {@code gantry.yml} the functions load at init; shipped as-is, so it must be the file {@link #config()} came from. */
    public Path configFile() {
        return configFile;
    }

    /** The automation's shaded function jar. */
    public Path functionJar() {
        return functionJar;
    }

    /** The state table ({@link GantryStateTable}, or any table with the same key schema). */
    public ITable table() {
        return table;
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

    /**
     * Collects the shared settings for a subclass's builder; {@code B} is that builder, so a chain of calls keeps its
     * type and its own methods.
     */
    public abstract static class Builder<B extends Builder<B>> {
        private final int maxTimeoutSeconds;
        private final String timeoutLimitReason;
        private GantryConfig config;
        private Path configFile;
        private Path functionJar;
        private ITable table;
        private int memorySize = DEFAULT_MEMORY_MB;
        private Duration timeout = Duration.seconds(DEFAULT_TIMEOUT_SECONDS);
        private RetentionDays logRetention = RetentionDays.ONE_MONTH;

        /**
         * @param timeoutLimitReason why the limit is {@code maxTimeoutSeconds}, as a clause the error message carries
         *     after "seconds" (for example {@code " so that it ends well inside the 90 s release lease"}); empty when
         *     the limit is Lambda's own
         */
        Builder(int maxTimeoutSeconds, String timeoutLimitReason) {
            this.maxTimeoutSeconds = maxTimeoutSeconds;
            this.timeoutLimitReason = timeoutLimitReason;
        }

        abstract B self();

        public B config(GantryConfig config) {
            this.config = config;
            return self();
        }

        public B configFile(Path configFile) {
            this.configFile = configFile;
            return self();
        }

        public B functionJar(Path functionJar) {
            this.functionJar = functionJar;
            return self();
        }

        public B table(ITable table) {
            this.table = table;
            return self();
        }

        /** Default {@value GantryFunctionProps#DEFAULT_MEMORY_MB} MB; Lambda accepts 128 to 10240. */
        public B memorySize(int memorySize) {
            this.memorySize = requireMemory("memorySize", memorySize);
            return self();
        }

        /** Default {@value GantryFunctionProps#DEFAULT_TIMEOUT_SECONDS} s; at most what the subclass allows. */
        public B timeout(Duration timeout) {
            Objects.requireNonNull(timeout, "timeout");
            double seconds = timeout.toSeconds().doubleValue();
            if (seconds < 1 || seconds > maxTimeoutSeconds) {
                throw new IllegalArgumentException("timeout must be between 1 and " + maxTimeoutSeconds + " seconds"
                        + timeoutLimitReason + ", was " + timeout.toHumanString());
            }
            this.timeout = timeout;
            return self();
        }

        /** Default one month. */
        public B logRetention(RetentionDays logRetention) {
            this.logRetention = Objects.requireNonNull(logRetention, "logRetention");
            return self();
        }

        static int requireMemory(String name, int megabytes) {
            if (megabytes < 128 || megabytes > 10_240) {
                throw new IllegalArgumentException(name + " must be between 128 and 10240 MB, was " + megabytes);
            }
            return megabytes;
        }
    }
}
