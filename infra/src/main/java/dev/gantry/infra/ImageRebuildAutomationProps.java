package dev.gantry.infra;

import software.amazon.awscdk.services.sqs.IQueue;

/**
 * What {@link ImageRebuildAutomation} deploys with. Immutable; build one with {@link #builder()}.
 *
 * <p>The shared settings and their defaults are those of {@link GantryFunctionProps}; the config's {@code baseImages}
 * decide what is watched, scheduled and allowed, {@code functionJar} is {@code gantry-image-rebuild-lambda.jar}, the
 * rebuild ledger lives in the table, and {@code timeout} is at most {@value #MAX_TIMEOUT_SECONDS} s. Optional: the two
 * queues; without them the construct creates its own, encrypted and kept 14 days.
 */
public final class ImageRebuildAutomationProps extends GantryFunctionProps {

    /**
     * A rebuild's start is leased for 90 s: an invocation still starting builds after that could see its start taken
     * over while it runs, so it must end well inside the lease, as the deploy function must inside its release lease.
     */
    public static final int MAX_TIMEOUT_SECONDS = EcsDeployAutomationProps.MAX_TIMEOUT_SECONDS;

    private final IQueue deliveryDeadLetterQueue;
    private final IQueue failedInvocationQueue;

    private ImageRebuildAutomationProps(Builder builder) {
        super(builder);
        this.deliveryDeadLetterQueue = builder.deliveryDeadLetterQueue;
        this.failedInvocationQueue = builder.failedInvocationQueue;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Where events EventBridge and Scheduler could not deliver go; null to have the construct create its own queue. */
    public IQueue deliveryDeadLetterQueue() {
        return deliveryDeadLetterQueue;
    }

    /** Where Lambda records failed invocations; null to have the construct create its own queue. */
    public IQueue failedInvocationQueue() {
        return failedInvocationQueue;
    }

    public static final class Builder extends GantryFunctionProps.Builder<Builder> {
        private IQueue deliveryDeadLetterQueue;
        private IQueue failedInvocationQueue;

        private Builder() {
            super(MAX_TIMEOUT_SECONDS, " so that it ends well inside the 90 s lease of a rebuild's start");
        }

        @Override
        Builder self() {
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

        public ImageRebuildAutomationProps build() {
            return new ImageRebuildAutomationProps(this);
        }
    }
}
