package dev.gantry.fn.chatops;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
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
 * removed from the secret.
 */
final class SlackSigningSecrets {

    static final String CURRENT = "signingSecret";
    static final String PREVIOUS = "previousSigningSecret";

    private static final ObjectMapper JSON = new ObjectMapper();

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
        JsonNode object;
        try {
            object = JSON.readTree(stripped);
        } catch (IOException e) {
            // The message must not quote the value: it is a secret.
            throw new IllegalStateException("the Slack signing secret looks like JSON but does not parse");
        }
        List<String> secrets = new ArrayList<>();
        if (object.path(CURRENT).isTextual()) {
            secrets.add(object.path(CURRENT).asText());
        }
        if (object.path(PREVIOUS).isTextual() && !object.path(PREVIOUS).asText().isBlank()) {
            secrets.add(object.path(PREVIOUS).asText());
        }
        if (secrets.isEmpty()) {
            throw new IllegalStateException("the Slack signing secret is a JSON object without \"" + CURRENT + "\"");
        }
        return secrets;
    }
}
