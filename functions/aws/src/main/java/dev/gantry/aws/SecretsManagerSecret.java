package dev.gantry.aws;

import java.time.Clock;
import java.time.Duration;
import java.util.function.Supplier;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;
import software.amazon.awssdk.services.secretsmanager.model.GetSecretValueResponse;

/**
 * A secret's {@code SecretString}, read through Secrets Manager GetSecretValue on first use (never at init, so
 * nothing secret is captured in a snapshot) and kept for {@link #CACHE_FOR}, so a rotated secret is picked up
 * without a redeploy.
 *
 * <p>Errors: a refused or failed call, or a secret without a {@code SecretString}, throws
 * {@link SecretUnavailableException} naming the secret, never carrying its value; the next call tries again.
 */
public final class SecretsManagerSecret implements Supplier<String> {

    public static final Duration CACHE_FOR = Duration.ofMinutes(15);

    private final SecretsManagerClient secretsManager;
    private final String secretArn;
    private final ExpiringValue<String> value;

    public SecretsManagerSecret(SecretsManagerClient secretsManager, String secretArn) {
        this(secretsManager, secretArn, Clock.systemUTC());
    }

    public SecretsManagerSecret(SecretsManagerClient secretsManager, String secretArn, Clock clock) {
        this.secretsManager = secretsManager;
        this.secretArn = secretArn;
        this.value = new ExpiringValue<>(this::fetch, CACHE_FOR, clock);
    }

    @Override
    public String get() {
        return value.get();
    }

    /**
     * Drops the value read, so that the next {@link #get} reads the secret again: for a value its user was refused with,
     * such as a Slack token rotated since it was read, which would otherwise be used for up to {@link #CACHE_FOR}.
     */
    public void forget() {
        value.forget();
    }

    private String fetch() {
        GetSecretValueResponse response;
        try {
            response = secretsManager.getSecretValue(r -> r.secretId(secretArn));
        } catch (AwsServiceException e) {
            throw new SecretUnavailableException("Secrets Manager GetSecretValue for " + secretArn + " was refused: " + reason(e), e);
        } catch (SdkException e) {
            // The SDK's message can quote the answer (a parse error names the token it tripped over), and the answer holds
            // the secret: only the exceptions' types are kept, and none is chained.
            throw new SecretUnavailableException("Secrets Manager GetSecretValue for " + secretArn + " failed: " + typesOf(e), null);
        }
        if (response.secretString() == null) {
            throw new SecretUnavailableException("secret " + secretArn + " has no SecretString; binary secrets are not read", null);
        }
        return response.secretString();
    }

    /** {@code SdkClientException, caused by SocketTimeoutException}: what failed, without what any of them says. */
    private static String typesOf(Throwable e) {
        StringBuilder types = new StringBuilder(e.getClass().getSimpleName());
        int depth = 0;
        for (Throwable cause = e.getCause(); cause != null && cause != e && depth < 8; cause = cause.getCause(), depth++) {
            types.append(", caused by ").append(cause.getClass().getSimpleName());
        }
        return types.toString();
    }

    /** An error without a code (a proxy's or load balancer's page, say) still says which HTTP status came back. */
    private static String reason(AwsServiceException e) {
        String code = e.awsErrorDetails() == null ? null : e.awsErrorDetails().errorCode();
        if (code == null || code.isBlank()) {
            return "HTTP " + e.statusCode();
        }
        String message = e.awsErrorDetails().errorMessage();
        return message == null || message.isBlank() ? code : code + ": " + message;
    }

    /** A secret that could not be read; its message names the secret and never holds a secret value. */
    public static final class SecretUnavailableException extends RuntimeException {
        public SecretUnavailableException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
