package dev.gantry.fn.interactions;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.gantry.aws.ExpiringValue;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Duration;
import java.util.function.Supplier;

/**
 * One secret's {@code SecretString} through Secrets Manager GetSecretValue over {@link AckAwsJsonClient}: what
 * {@code dev.gantry.aws.SecretsManagerSecret} does with the SDK client, for the acknowledgement path. Read on first
 * use (never at init, so nothing secret is captured in a snapshot) and kept for {@link #CACHE_FOR}, so a rotated
 * secret is picked up without a redeploy.
 *
 * <p>Errors: a refused or failed call, or a secret without a {@code SecretString}, throws {@link
 * SecretUnavailableException} naming the secret and AWS's error code, never the value; the next call tries again.
 */
final class AckSecretsManager implements Supplier<String> {

    /** As {@code SecretsManagerSecret.CACHE_FOR}; not read from it, so this path never loads that class's SDK client. */
    static final Duration CACHE_FOR = Duration.ofMinutes(15);

    private static final JsonFactory JSON = new JsonFactory();

    private final AckAwsJsonClient secretsManager;
    private final String secretArn;
    private final ExpiringValue<String> value;

    AckSecretsManager(AckAwsJsonClient secretsManager, String secretArn, Clock clock) {
        this.secretsManager = secretsManager;
        this.secretArn = secretArn;
        this.value = new ExpiringValue<>(this::fetch, CACHE_FOR, clock);
    }

    @Override
    public String get() {
        return value.get();
    }

    private String fetch() {
        byte[] answer;
        try {
            answer = secretsManager.call("GetSecretValue", request());
        } catch (AckAwsJsonClient.CallFailed e) {
            throw new SecretUnavailableException("Secrets Manager GetSecretValue for " + secretArn + " " + e.reason(), e);
        }
        String secretString = secretString(answer);
        if (secretString == null) {
            throw new SecretUnavailableException("secret " + secretArn + " has no SecretString; binary secrets are not read", null);
        }
        return secretString;
    }

    private byte[] request() {
        ByteArrayOutputStream out = new ByteArrayOutputStream(secretArn.length() + 16);
        try (JsonGenerator json = JSON.createGenerator(out)) {
            json.writeStartObject();
            json.writeStringField("SecretId", secretArn);
            json.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    private String secretString(byte[] answer) {
        try (JsonParser parser = JSON.createParser(answer)) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                throw unreadable(null);
            }
            String found = null;
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String field = parser.currentName();
                if (parser.nextToken() == JsonToken.VALUE_STRING && "SecretString".equals(field)) {
                    found = parser.getText();
                } else {
                    parser.skipChildren();
                }
            }
            return found;
        } catch (IOException e) {
            // The parser's message can quote the answer, and the answer holds the secret: only the type is kept.
            throw unreadable(e.getClass().getSimpleName());
        }
    }

    private SecretUnavailableException unreadable(String why) {
        return new SecretUnavailableException("Secrets Manager answered GetSecretValue for " + secretArn
                + " with something that is not a JSON object" + (why == null ? "" : " (" + why + ")"), null);
    }

    /** Its own, not the SDK adapter's of the same name: that one's class names the Secrets Manager client this jar leaves out. */
    static final class SecretUnavailableException extends RuntimeException {
        SecretUnavailableException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
