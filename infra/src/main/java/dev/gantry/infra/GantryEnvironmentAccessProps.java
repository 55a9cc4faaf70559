package dev.gantry.infra;

import dev.gantry.core.config.GantryConfig;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * What {@link GantryEnvironmentAccess} is built from. Immutable; build one with {@link #builder()}.
 *
 * <p>Required: {@code config}, {@code gantryAccount} and {@code gantryRegion} (where Gantry's own stack is deployed: its
 * default event bus receives the forwarded events), {@code account} and
 * {@code region} (where this construct's stack is deployed: the environments it serves). Optional:
 * {@code gantryRoleNamePrefix}, default {@value #DEFAULT_GANTRY_ROLE_NAME_PREFIX}: the names of the function roles in
 * Gantry's account that may assume the environments' roles. CloudFormation names a role it creates
 * {@code <stack name>-<logical id>-<suffix>}, and Gantry's stack is named {@code Gantry}.
 */
public final class GantryEnvironmentAccessProps {

    public static final String DEFAULT_GANTRY_ROLE_NAME_PREFIX = "Gantry-";

    private static final Pattern ACCOUNT = Pattern.compile("\\d{12}");

    private final GantryConfig config;
    private final String gantryAccount;
    private final String gantryRegion;
    private final String account;
    private final String region;
    private final String gantryRoleNamePrefix;

    private GantryEnvironmentAccessProps(Builder builder) {
        this.config = Objects.requireNonNull(builder.config, "config is required");
        this.gantryAccount = requireAccount("gantryAccount", builder.gantryAccount);
        this.gantryRegion = Objects.requireNonNull(builder.gantryRegion, "gantryRegion is required");
        this.account = requireAccount("account", builder.account);
        this.region = Objects.requireNonNull(builder.region, "region is required");
        this.gantryRoleNamePrefix = builder.gantryRoleNamePrefix;
    }

    private static String requireAccount(String name, String value) {
        Objects.requireNonNull(value, name + " is required");
        if (!ACCOUNT.matcher(value).matches()) {
            throw new IllegalArgumentException(name + " must be a 12-digit AWS account id, was '" + value + "'");
        }
        return value;
    }

    public static Builder builder() {
        return new Builder();
    }

    public GantryConfig config() {
        return config;
    }

    public String gantryAccount() {
        return gantryAccount;
    }

    public String gantryRegion() {
        return gantryRegion;
    }

    public String account() {
        return account;
    }

    public String region() {
        return region;
    }

    public String gantryRoleNamePrefix() {
        return gantryRoleNamePrefix;
    }

    public static final class Builder {
        private GantryConfig config;
        private String gantryAccount;
        private String gantryRegion;
        private String account;
        private String region;
        private String gantryRoleNamePrefix = DEFAULT_GANTRY_ROLE_NAME_PREFIX;

        private Builder() {}

        public Builder config(GantryConfig config) {
            this.config = config;
            return this;
        }

        public Builder gantryAccount(String gantryAccount) {
            this.gantryAccount = gantryAccount;
            return this;
        }

        public Builder gantryRegion(String gantryRegion) {
            this.gantryRegion = gantryRegion;
            return this;
        }

        public Builder account(String account) {
            this.account = account;
            return this;
        }

        public Builder region(String region) {
            this.region = region;
            return this;
        }

        /** Default {@value GantryEnvironmentAccessProps#DEFAULT_GANTRY_ROLE_NAME_PREFIX}. */
        public Builder gantryRoleNamePrefix(String gantryRoleNamePrefix) {
            this.gantryRoleNamePrefix = Objects.requireNonNull(gantryRoleNamePrefix, "gantryRoleNamePrefix");
            return this;
        }

        /**
         * @throws NullPointerException naming a required value that is missing
         * @throws IllegalArgumentException when an account is not a 12-digit id
         */
        public GantryEnvironmentAccessProps build() {
            return new GantryEnvironmentAccessProps(this);
        }
    }
}
