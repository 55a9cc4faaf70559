package dev.gantry.infra;

import java.util.Objects;
import software.amazon.awscdk.services.sqs.IQueue;

/**
 * What {@link ReleaseGates} deploys with. Immutable; build one with {@link #builder()}.
 *
 * <p>The shared settings and their defaults are those of {@link GantryFunctionProps}; {@code functionJar} is the
 * release-gate jar ({@value ReleaseGates#JAR_NAME}), the table is where gate records live, and {@code timeout} is at most
 * {@value #MAX_TIMEOUT_SECONDS} s. Also required: {@code failedInvocationQueue}. Optional:
 * {@code slackBotTokenSecretArn}.
 */
public final class ReleaseGatesProps extends GantryFunctionProps {

    /** Lambda's own limit: the gate functions hold no release lease, so nothing tighter applies. */
    public static final int MAX_TIMEOUT_SECONDS = 900;

    private final IQueue failedInvocationQueue;
    private final String slackBotTokenSecretArn;

    private ReleaseGatesProps(Builder builder) {
        super(builder);
        this.failedInvocationQueue = Objects.requireNonNull(builder.failedInvocationQueue, "failedInvocationQueue is required");
        this.slackBotTokenSecretArn = builder.slackBotTokenSecretArn;
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * Where Lambda records the functions' failed asynchronous invocations; {@link EcsDeployAutomation#getFailedInvocationQueue()}
     * keeps one place to watch.
     */
    public IQueue failedInvocationQueue() {
        return failedInvocationQueue;
    }

    /** The Secrets Manager secret holding the Slack bot token, read by gates that let Slack user groups approve; null when none. */
    public String slackBotTokenSecretArn() {
        return slackBotTokenSecretArn;
    }

    public static final class Builder extends GantryFunctionProps.Builder<Builder> {
        private IQueue failedInvocationQueue;
        private String slackBotTokenSecretArn;

        private Builder() {
            super(MAX_TIMEOUT_SECONDS, "");
        }

        @Override
        Builder self() {
            return this;
        }

        public Builder failedInvocationQueue(IQueue failedInvocationQueue) {
            this.failedInvocationQueue = failedInvocationQueue;
            return this;
        }

        /** @param slackBotTokenSecretArn the ARN of the secret holding the Slack bot token; optional */
        public Builder slackBotTokenSecretArn(String slackBotTokenSecretArn) {
            if (slackBotTokenSecretArn != null && !slackBotTokenSecretArn.startsWith("arn:")) {
                throw new IllegalArgumentException("slackBotTokenSecretArn must be a Secrets Manager secret ARN, not '"
                        + slackBotTokenSecretArn + "'");
            }
            this.slackBotTokenSecretArn = slackBotTokenSecretArn;
            return this;
        }

        public ReleaseGatesProps build() {
            return new ReleaseGatesProps(this);
        }
    }
}
