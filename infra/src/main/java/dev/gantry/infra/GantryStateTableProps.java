package dev.gantry.infra;

import java.util.Objects;
import software.amazon.awscdk.RemovalPolicy;

/**
 * Options for {@link GantryStateTable}. Every option has a default, so {@code GantryStateTableProps.builder().build()}
 * is the production table.
 */
public final class GantryStateTableProps {

    private final RemovalPolicy removalPolicy;

    private GantryStateTableProps(Builder builder) {
        this.removalPolicy = builder.removalPolicy;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The production defaults. */
    public static GantryStateTableProps defaults() {
        return builder().build();
    }

    /**
     * What happens to the table when it leaves the stack. Default {@link RemovalPolicy#RETAIN}: the table holds the
     * release audit trail, which must outlive any stack.
     */
    public RemovalPolicy removalPolicy() {
        return removalPolicy;
    }

    public static final class Builder {
        private RemovalPolicy removalPolicy = RemovalPolicy.RETAIN;

        private Builder() {}

        /** Default {@link RemovalPolicy#RETAIN}; a throw-away test stack may choose {@code DESTROY}. */
        public Builder removalPolicy(RemovalPolicy removalPolicy) {
            this.removalPolicy = Objects.requireNonNull(removalPolicy, "removalPolicy");
            return this;
        }

        public GantryStateTableProps build() {
            return new GantryStateTableProps(this);
        }
    }
}
