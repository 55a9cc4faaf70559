package dev.gantry.fn.interactions;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.gantry.slack.SlackRequestVerifier;
import java.io.IOException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * The verifier for the signing secrets currently stored, rebuilt only when the stored value changes.
 *
 * <p>The secret's value is either the signing secret itself, or, while it is rotated, a JSON object
 * {@code {"signingSecret": "<new>", "previousSigningSecret": "<old>"}}: both are accepted until the previous one is
 * removed from the secret. Read with Jackson's streaming parser: data binding would start on the cold start for this.
 */
final class SlackSigningSecrets {

    static final String CURRENT = "signingSecret";
    static final String PREVIOUS = "previousSigningSecret";

    private static final JsonFactory JSON = new JsonFactory();

    private final Supplier<String> storedValue;
    private final Clock clock;
    private String verifiedFor;
    private SlackRequestVerifier verifier;

    SlackSigningSecrets(Supplier<String> storedValue, Clock clock) {
        this.storedValue = storedValue;
        this.clock = clock;
    }

    synchronized SlackRequestVerifier verifier() {
        String value = storedValue.get();
        if (!value.equals(verifiedFor)) {
            verifier = new SlackRequestVerifier(secretsIn(value), clock);
            verifiedFor = value;
        }
        return verifier;
    }

    static List<String> secretsIn(String value) {
        String stripped = value.strip();
        if (!stripped.startsWith("{")) {
            return List.of(stripped);
        }
        String current = null;
        String previous = null;
        try (JsonParser parser = JSON.createParser(stripped)) {
            parser.nextToken();
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String field = parser.currentName();
                if (parser.nextToken() != JsonToken.VALUE_STRING) {
                    parser.skipChildren();
                } else if (CURRENT.equals(field)) {
                    current = parser.getText();
                } else if (PREVIOUS.equals(field)) {
                    previous = parser.getText();
                }
            }
            if (parser.currentToken() != JsonToken.END_OBJECT) {
                throw new IOException("not a complete object");
            }
        } catch (IOException e) {
            // The message must not quote the value, nor the parser's message, which can: it is a secret.
            throw new IllegalStateException("the Slack signing secret looks like JSON but does not parse");
        }
        List<String> secrets = new ArrayList<>();
        if (current != null) {
            secrets.add(current);
        }
        if (previous != null && !previous.isBlank()) {
            secrets.add(previous);
        }
        if (secrets.isEmpty()) {
            throw new IllegalStateException("the Slack signing secret is a JSON object without \"" + CURRENT + "\"");
        }
        return secrets;
    }
}
