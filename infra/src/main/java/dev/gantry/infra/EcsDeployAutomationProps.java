package dev.gantry.infra;

/**
 * What {@link EcsDeployAutomation} deploys with. Immutable; build one with {@link #builder()}.
 *
 * <p>The shared settings and their defaults are those of {@link GantryFunctionProps}; {@code functionJar} is
 * {@code gantry-ecs-deploy-lambda.jar}, and {@code timeout} is at most {@value #MAX_TIMEOUT_SECONDS} s. Optional:
 * {@code slackBotTokenSecretArn}.
 */
public final class EcsDeployAutomationProps extends GantryFunctionProps {

    /**
     * The function holds a 90 s release lease while it deploys. An invocation must end well before the lease
     * expires, or a retry could take over a release its earlier attempt is still changing.
     */
    public static final int MAX_TIMEOUT_SECONDS = 75;

    private final String slackBotTokenSecretArn;

    private EcsDeployAutomationProps(Builder builder) {
        super(builder);
        this.slackBotTokenSecretArn = builder.slackBotTokenSecretArn;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The Secrets Manager secret holding the Slack bot token, read by gates that let Slack user groups approve; null when none. */
    public String slackBotTokenSecretArn() {
        return slackBotTokenSecretArn;
    }

    public static final class Builder extends GantryFunctionProps.Builder<Builder> {
        private String slackBotTokenSecretArn;

        private Builder() {
            super(MAX_TIMEOUT_SECONDS, " so that it ends well inside the 90 s release lease");
        }

        @Override
        Builder self() {
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

        public EcsDeployAutomationProps build() {
            return new EcsDeployAutomationProps(this);
        }
    }
}
