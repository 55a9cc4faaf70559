package dev.gantry.infra;

import dev.gantry.core.config.GantryConfig;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;
import software.amazon.awscdk.Duration;
import software.amazon.awscdk.services.codepipeline.IPipeline;
import software.amazon.awscdk.services.dynamodb.ITable;
import software.amazon.awscdk.services.logs.RetentionDays;
import software.amazon.awscdk.services.sns.ITopic;
import software.amazon.awscdk.services.sqs.IQueue;

/**
 * What {@link ChatOps} deploys with. Immutable; build one with {@link #builder()}.
 *
 * <p>Required: {@code config} (with a {@code slack} section), {@code configFile}, {@code functionJar}, {@code table},
 * {@code slackSigningSecretArn}, {@code slackBotTokenSecretArn}. Optional, with defaults: {@code interactionsMemorySize}
 * {@value #DEFAULT_INTERACTIONS_MEMORY_MB} MB, {@code memorySize} {@value #DEFAULT_MEMORY_MB} MB and {@code timeout}
 * {@value #DEFAULT_TIMEOUT_SECONDS} s (at most {@value #MAX_TIMEOUT_SECONDS} s) for chatops-worker and chatops-notify,
 * {@code logRetention} one month, {@code approvalPipelines} none, and the two queues of {@link EcsDeployAutomation}:
 * without them the construct creates its own, encrypted and kept 14 days.
 */
public final class ChatOpsProps {

    /**
     * slack-interactions' default memory. Slack gives up on a slash command or a button click after three seconds, and a
     * cold start is inside those three seconds: starting the JVM, loading the SDK and the first TLS handshakes are CPU
     * work, and Lambda hands out CPU in proportion to memory (one full vCPU at 1,769 MB). 2,048 MB is a whole vCPU for
     * the request thread with some of a second left for the JIT compiler and the GC. The function runs for milliseconds
     * per click, so the price of the headroom is small.
     */
    public static final int DEFAULT_INTERACTIONS_MEMORY_MB = 2048;

    /** chatops-worker's and chatops-notify's default memory, as for the deploy functions: a JVM cold start is CPU-bound. */
    public static final int DEFAULT_MEMORY_MB = EcsDeployAutomationProps.DEFAULT_MEMORY_MB;

    public static final int DEFAULT_TIMEOUT_SECONDS = 60;

    /**
     * The worker deploys and rolls back like ecs-deploy, under the same 90 s release lease, so its invocation must end
     * well before the lease does (see {@link EcsDeployAutomationProps#MAX_TIMEOUT_SECONDS}).
     */
    public static final int MAX_TIMEOUT_SECONDS = EcsDeployAutomationProps.MAX_TIMEOUT_SECONDS;

    // arn:<partition>:secretsmanager:<region>:<account>:secret:<name>-<6 characters>. The suffix is not checked: a
    // partial ARN is still an ARN, but only the complete one matches the policy the function gets.
    private static final Pattern SECRET_ARN = Pattern.compile("arn:[a-z-]+:secretsmanager:[a-z0-9-]+:\\d{12}:secret:.+");

    private final GantryConfig config;
    private final Path configFile;
    private final Path functionJar;
    private final ITable table;
    private final String slackSigningSecretArn;
    private final String slackBotTokenSecretArn;
    private final IQueue deliveryDeadLetterQueue;
    private final IQueue failedInvocationQueue;
    private final List<IPipeline> approvalPipelines;
    private final ITopic approvalTopic;
    private final int interactionsMemorySize;
    private final int memorySize;
    private final Duration timeout;
    private final RetentionDays logRetention;

    private ChatOpsProps(Builder builder) {
        this.config = Objects.requireNonNull(builder.config, "config is required");
        this.configFile = Objects.requireNonNull(builder.configFile, "configFile is required");
        this.functionJar = Objects.requireNonNull(builder.functionJar, "functionJar is required");
        this.table = Objects.requireNonNull(builder.table, "table is required");
        this.slackSigningSecretArn = Objects.requireNonNull(builder.slackSigningSecretArn, "slackSigningSecretArn is required");
        this.slackBotTokenSecretArn = Objects.requireNonNull(builder.slackBotTokenSecretArn, "slackBotTokenSecretArn is required");
        this.deliveryDeadLetterQueue = builder.deliveryDeadLetterQueue;
        this.failedInvocationQueue = builder.failedInvocationQueue;
        this.approvalPipelines = List.copyOf(builder.approvalPipelines);
        this.approvalTopic = builder.approvalTopic;
        this.interactionsMemorySize = builder.interactionsMemorySize;
        this.memorySize = builder.memorySize;
        this.timeout = builder.timeout;
        this.logRetention = builder.logRetention;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Whether {@code value} reads as a Secrets Manager secret ARN, the only form in which Gantry takes a Slack secret. */
    public static boolean isSecretArn(String value) {
        return value != null && SECRET_ARN.matcher(value).matches();
    }

    /** The validated configuration; its {@code slack} section must be there, and its gates, pipelines and projects decide what is watched. */
    public GantryConfig config() {
        return config;
    }

    /** The {@code gantry.yml} the functions load at init; shipped as-is, so it must be the file {@link #config()} came from. */
    public Path configFile() {
        return configFile;
    }

    /** The shaded ChatOps jar ({@value ChatOps#JAR_NAME}). */
    public Path functionJar() {
        return functionJar;
    }

    /** The state table ({@link GantryStateTable}, or any table with the same key schema). */
    public ITable table() {
        return table;
    }

    /** The Secrets Manager secret holding the Slack app's signing secret, which slack-interactions checks every request against. */
    public String slackSigningSecretArn() {
        return slackSigningSecretArn;
    }

    /** The Secrets Manager secret holding the Slack bot token, which chatops-worker and chatops-notify post with. */
    public String slackBotTokenSecretArn() {
        return slackBotTokenSecretArn;
    }

    /** Where events EventBridge and SNS could not deliver go; null to have the construct create its own queue. */
    public IQueue deliveryDeadLetterQueue() {
        return deliveryDeadLetterQueue;
    }

    /** Where Lambda records chatops-notify's failed invocations; null to have the construct create its own queue. */
    public IQueue failedInvocationQueue() {
        return failedInvocationQueue;
    }

    /**
     * Pipelines beyond those {@code gantry.yml} names whose manual approvals may be answered from Slack, and whose runs
     * are told in Slack: usually the stack's release pipelines. Empty by default.
     */
    public List<IPipeline> approvalPipelines() {
        return approvalPipelines;
    }

    /**
     * The topic CodePipeline manual approvals notify, when it must exist before ChatOps: a pipeline's approval action
     * names its topic when it is built, and ChatOps is built after the pipelines it may approve. Null: ChatOps creates
     * its own.
     */
    public ITopic approvalTopic() {
        return approvalTopic;
    }

    /** slack-interactions' memory in MB; default {@value #DEFAULT_INTERACTIONS_MEMORY_MB}. */
    public int interactionsMemorySize() {
        return interactionsMemorySize;
    }

    /** chatops-worker's and chatops-notify's memory in MB; default {@value #DEFAULT_MEMORY_MB}. */
    public int memorySize() {
        return memorySize;
    }

    /** chatops-worker's and chatops-notify's timeout; default {@value #DEFAULT_TIMEOUT_SECONDS} s. */
    public Duration timeout() {
        return timeout;
    }

    /** How long the functions' logs are kept; default one month. */
    public RetentionDays logRetention() {
        return logRetention;
    }

    public static final class Builder {
        private GantryConfig config;
        private Path configFile;
        private Path functionJar;
        private ITable table;
        private String slackSigningSecretArn;
        private String slackBotTokenSecretArn;
        private IQueue deliveryDeadLetterQueue;
        private IQueue failedInvocationQueue;
        private List<IPipeline> approvalPipelines = List.of();
        private ITopic approvalTopic;
        private int interactionsMemorySize = DEFAULT_INTERACTIONS_MEMORY_MB;
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

        /** @throws IllegalArgumentException when the value is not a Secrets Manager secret ARN */
        public Builder slackSigningSecretArn(String slackSigningSecretArn) {
            this.slackSigningSecretArn = requireSecretArn("slackSigningSecretArn", slackSigningSecretArn);
            return this;
        }

        /** @throws IllegalArgumentException when the value is not a Secrets Manager secret ARN */
        public Builder slackBotTokenSecretArn(String slackBotTokenSecretArn) {
            this.slackBotTokenSecretArn = requireSecretArn("slackBotTokenSecretArn", slackBotTokenSecretArn);
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

        /** Optional; see {@link ChatOpsProps#approvalPipelines()}. */
        public Builder approvalPipelines(List<? extends IPipeline> approvalPipelines) {
            this.approvalPipelines = List.copyOf(Objects.requireNonNull(approvalPipelines, "approvalPipelines"));
            return this;
        }

        /** Optional; see {@link ChatOpsProps#approvalTopic()}. */
        public Builder approvalTopic(ITopic approvalTopic) {
            this.approvalTopic = approvalTopic;
            return this;
        }

        /** Default {@value ChatOpsProps#DEFAULT_INTERACTIONS_MEMORY_MB} MB; Lambda accepts 128 to 10240. */
        public Builder interactionsMemorySize(int interactionsMemorySize) {
            this.interactionsMemorySize = requireMemory("interactionsMemorySize", interactionsMemorySize);
            return this;
        }

        /** Default {@value ChatOpsProps#DEFAULT_MEMORY_MB} MB; Lambda accepts 128 to 10240. */
        public Builder memorySize(int memorySize) {
            this.memorySize = requireMemory("memorySize", memorySize);
            return this;
        }

        /** Default {@value ChatOpsProps#DEFAULT_TIMEOUT_SECONDS} s; at most {@value ChatOpsProps#MAX_TIMEOUT_SECONDS} s. */
        public Builder timeout(Duration timeout) {
            Objects.requireNonNull(timeout, "timeout");
            double seconds = timeout.toSeconds().doubleValue();
            if (seconds < 1 || seconds > MAX_TIMEOUT_SECONDS) {
                throw new IllegalArgumentException("timeout must be between 1 and " + MAX_TIMEOUT_SECONDS
                        + " seconds so that a deploy from Slack ends well inside the 90 s release lease, was " + timeout.toHumanString());
            }
            this.timeout = timeout;
            return this;
        }

        /** Default one month. */
        public Builder logRetention(RetentionDays logRetention) {
            this.logRetention = Objects.requireNonNull(logRetention, "logRetention");
            return this;
        }

        public ChatOpsProps build() {
            return new ChatOpsProps(this);
        }

        private static String requireSecretArn(String name, String value) {
            if (value != null && !isSecretArn(value)) {
                // The value is not repeated: someone may have pasted the secret itself, and the message ends up in
                // terminals and CI logs.
                throw new IllegalArgumentException(name + " must be a Secrets Manager secret ARN "
                        + "(arn:aws:secretsmanager:<region>:<account>:secret:<name>); the value given is not one");
            }
            return value;
        }

        private static int requireMemory(String name, int megabytes) {
            if (megabytes < 128 || megabytes > 10_240) {
                throw new IllegalArgumentException(name + " must be between 128 and 10240 MB, was " + megabytes);
            }
            return megabytes;
        }
    }
}
