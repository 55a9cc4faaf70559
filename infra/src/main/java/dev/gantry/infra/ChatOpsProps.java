package dev.gantry.infra;

import dev.gantry.core.chatops.ChatOpsService;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;
import software.amazon.awscdk.Duration;
import software.amazon.awscdk.services.codepipeline.IPipeline;
import software.amazon.awscdk.services.sns.ITopic;
import software.amazon.awscdk.services.sqs.IQueue;

/**
 * What {@link ChatOps} deploys with. Immutable; build one with {@link #builder()}.
 *
 * <p>The shared settings and their defaults are those of {@link GantryFunctionProps}: {@code config} must have a
 * {@code slack} section, and its gates, pipelines and projects decide what is watched; {@code functionJar} is the ChatOps
 * jar ({@value ChatOps#JAR_NAME}) of chatops-worker and chatops-notify; {@code memorySize} and {@code timeout} (at least
 * {@value #MIN_TIMEOUT_SECONDS} s, at most {@value #MAX_TIMEOUT_SECONDS} s) size those two. Also required: {@code interactionsJar}, slack-interactions' own jar
 * ({@value ChatOps#INTERACTIONS_JAR_NAME}); {@code slackSigningSecretArn}; {@code slackBotTokenSecretArn}.
 * Optional, with defaults: {@code interactionsMemorySize} {@value #DEFAULT_INTERACTIONS_MEMORY_MB} MB,
 * {@code approvalPipelines} none, and the two queues of {@link EcsDeployAutomation}: without them the construct creates
 * its own, encrypted and kept 14 days.
 */
public final class ChatOpsProps extends GantryFunctionProps {

    /**
     * slack-interactions' default memory. Slack gives up on a slash command or a button click after three seconds, and a
     * cold start is inside those three seconds: starting the JVM, loading the SDK and the first TLS handshakes are CPU
     * work, and Lambda hands out CPU in proportion to memory (one full vCPU at 1,769 MB). 2,048 MB is a whole vCPU for
     * the request thread with some of a second left for the JIT compiler and the GC. The function runs for milliseconds
     * per click, so the price of the headroom is small.
     */
    public static final int DEFAULT_INTERACTIONS_MEMORY_MB = 2048;

    /**
     * The worker deploys and rolls back like ecs-deploy, under the same 90 s release lease, so its invocation must end
     * well before the lease does (see {@link EcsDeployAutomationProps#MAX_TIMEOUT_SECONDS}). ChatOps counts on it too:
     * a click writes the missing audit entry of a gate decision only once the decision is older than the worker's
     * longest run can explain ({@link ChatOpsService#AUDIT_BACKFILL_GRACE}), so both read the one constant.
     */
    public static final int MAX_TIMEOUT_SECONDS = ChatOpsService.WORKER_MAX_TIMEOUT_SECONDS;

    /**
     * The shortest worker timeout: a click whose worker stopped after recording a gate decision, before its audit entry,
     * is delivered again, each time asking to be retried while the decision is younger than
     * {@link ChatOpsService#AUDIT_BACKFILL_GRACE}. Its last delivery ({@link ChatOps#REQUEST_MAX_RECEIVES} receives, a
     * visibility timeout of {@link ChatOps#VISIBILITY_TIMEOUTS_PER_FUNCTION_TIMEOUT} worker timeouts apart, counted from
     * the end of the first run) must come after the grace, or the click lands in the dead-letter queue with the entry
     * never written.
     */
    public static final int MIN_TIMEOUT_SECONDS = (int) (ChatOpsService.AUDIT_BACKFILL_GRACE.toSeconds()
            / ((ChatOps.REQUEST_MAX_RECEIVES - 1) * ChatOps.VISIBILITY_TIMEOUTS_PER_FUNCTION_TIMEOUT - 1)) + 1;

    // arn:<partition>:secretsmanager:<region>:<account>:secret:<name>-<6 characters>. The suffix is not checked: a
    // partial ARN is still an ARN, but only the complete one matches the policy the function gets.
    private static final Pattern SECRET_ARN = Pattern.compile("arn:[a-z-]+:secretsmanager:[a-z0-9-]+:\\d{12}:secret:.+");

    private final Path interactionsJar;
    private final String slackSigningSecretArn;
    private final String slackBotTokenSecretArn;
    private final IQueue deliveryDeadLetterQueue;
    private final IQueue failedInvocationQueue;
    private final List<IPipeline> approvalPipelines;
    private final ITopic approvalTopic;
    private final int interactionsMemorySize;

    private ChatOpsProps(Builder builder) {
        super(builder);
        this.interactionsJar = Objects.requireNonNull(builder.interactionsJar, "interactionsJar is required");
        this.slackSigningSecretArn = Objects.requireNonNull(builder.slackSigningSecretArn, "slackSigningSecretArn is required");
        this.slackBotTokenSecretArn = Objects.requireNonNull(builder.slackBotTokenSecretArn, "slackBotTokenSecretArn is required");
        this.deliveryDeadLetterQueue = builder.deliveryDeadLetterQueue;
        this.failedInvocationQueue = builder.failedInvocationQueue;
        this.approvalPipelines = List.copyOf(builder.approvalPipelines);
        this.approvalTopic = builder.approvalTopic;
        this.interactionsMemorySize = builder.interactionsMemorySize;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Whether {@code value} reads as a Secrets Manager secret ARN, the only form in which Gantry takes a Slack secret. */
    public static boolean isSecretArn(String value) {
        return value != null && SECRET_ARN.matcher(value).matches();
    }

    /** slack-interactions' shaded jar, shipped in a package of its own without {@code gantry.yml}. */
    public Path interactionsJar() {
        return interactionsJar;
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

    public static final class Builder extends GantryFunctionProps.Builder<Builder> {
        private Path interactionsJar;
        private String slackSigningSecretArn;
        private String slackBotTokenSecretArn;
        private IQueue deliveryDeadLetterQueue;
        private IQueue failedInvocationQueue;
        private List<IPipeline> approvalPipelines = List.of();
        private ITopic approvalTopic;
        private int interactionsMemorySize = DEFAULT_INTERACTIONS_MEMORY_MB;

        private Builder() {
            super(MAX_TIMEOUT_SECONDS, " so that a deploy from Slack ends well inside the 90 s release lease");
        }

        @Override
        Builder self() {
            return this;
        }

        /**
         * @throws IllegalArgumentException when under {@value ChatOpsProps#MIN_TIMEOUT_SECONDS} s or over
         *     {@value ChatOpsProps#MAX_TIMEOUT_SECONDS} s
         */
        @Override
        public Builder timeout(Duration timeout) {
            super.timeout(timeout);
            if (timeout.toSeconds().doubleValue() < MIN_TIMEOUT_SECONDS) {
                throw new IllegalArgumentException("timeout must be at least " + MIN_TIMEOUT_SECONDS + " seconds, was "
                        + timeout.toHumanString() + ": a click is delivered " + ChatOps.REQUEST_MAX_RECEIVES + " times, "
                        + ChatOps.VISIBILITY_TIMEOUTS_PER_FUNCTION_TIMEOUT + " timeouts apart, and its last delivery must come after "
                        + "ChatOpsService.AUDIT_BACKFILL_GRACE (" + ChatOpsService.AUDIT_BACKFILL_GRACE.toSeconds() + " s) to write a "
                        + "missing audit entry");
            }
            return this;
        }

        public Builder interactionsJar(Path interactionsJar) {
            this.interactionsJar = interactionsJar;
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
    }
}
