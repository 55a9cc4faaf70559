package dev.gantry.infra;

import dev.gantry.core.config.GantryConfig;
import java.nio.file.Path;
import java.util.Objects;
import software.amazon.awscdk.Duration;
import software.amazon.awscdk.services.dynamodb.ITable;
import software.amazon.awscdk.services.logs.RetentionDays;

/**
 * What {@link EcsDeployAutomation} deploys with. Immutable; build one with {@link #builder()}.
 *
 * <p>Required: {@code config}, {@code configFile}, {@code functionJar}, {@code table}. Optional, with defaults:
 * {@code memorySize} 1024 MB, {@code timeout} 60 s (at most {@value #MAX_TIMEOUT_SECONDS} s),
 * {@code logRetention} one month.
 */
public final class EcsDeployAutomationProps {

    /** Default memory: the JVM's JIT and the SDK's cold start are CPU-bound, and Lambda CPU grows with memory. */
    public static final int DEFAULT_MEMORY_MB = 1024;

    public static final int DEFAULT_TIMEOUT_SECONDS = 60;

    /**
     * The function holds a 90 s release lease while it deploys. An invocation must end well before the lease
     * expires, or a retry could take over a release its earlier attempt is still changing.
     */
    public static final int MAX_TIMEOUT_SECONDS = 75;

    private final GantryConfig config;
    private final Path configFile;
    private final Path functionJar;
    private final ITable table;
    private final int memorySize;
    private final Duration timeout;
    private final RetentionDays logRetention;
    private final String slackBotTokenSecretArn;

    private EcsDeployAutomationProps(Builder builder) {
        this.config = Objects.requireNonNull(builder.config, "config is required");
        this.configFile = Objects.requireNonNull(builder.configFile, "configFile is required");
        this.functionJar = Objects.requireNonNull(builder.functionJar, "functionJar is required");
        this.table = Objects.requireNonNull(builder.table, "table is required");
        this.memorySize = builder.memorySize;
        this.timeout = builder.timeout;
        this.logRetention = builder.logRetention;
        this.slackBotTokenSecretArn = builder.slackBotTokenSecretArn;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The validated configuration; it decides which repositories are watched and what the function may touch. */
    public GantryConfig config() {
        return config;
    }

    /** The {@code gantry.yml} the function loads at init; shipped as-is, so it must be the file {@link #config()} came from. */
    public Path configFile() {
        return configFile;
    }

    /** The shaded function jar ({@code gantry-ecs-deploy-lambda.jar}). */
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

    /** How long the function's logs are kept; default one month. */
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

        /** Default {@value EcsDeployAutomationProps#DEFAULT_MEMORY_MB} MB; Lambda accepts 128 to 10240. */
        public Builder memorySize(int memorySize) {
            if (memorySize < 128 || memorySize > 10_240) {
                throw new IllegalArgumentException("memorySize must be between 128 and 10240 MB, was " + memorySize);
            }
            this.memorySize = memorySize;
            return this;
        }

        /** Default {@value EcsDeployAutomationProps#DEFAULT_TIMEOUT_SECONDS} s; at most {@value EcsDeployAutomationProps#MAX_TIMEOUT_SECONDS} s. */
        public Builder timeout(Duration timeout) {
            Objects.requireNonNull(timeout, "timeout");
            double seconds = timeout.toSeconds().doubleValue();
            if (seconds < 1 || seconds > MAX_TIMEOUT_SECONDS) {
                throw new IllegalArgumentException("timeout must be between 1 and " + MAX_TIMEOUT_SECONDS
                        + " seconds so that it ends well inside the 90 s release lease, was " + timeout.toHumanString());
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

        public EcsDeployAutomationProps build() {
            return new EcsDeployAutomationProps(this);
        }
    }
}
