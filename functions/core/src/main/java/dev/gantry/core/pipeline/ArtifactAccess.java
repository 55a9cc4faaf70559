package dev.gantry.core.pipeline;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The short-lived credentials a pipeline job hands over for reading its artifacts. Core treats them as
 * an opaque value: it passes them to {@link ArtifactReader} and never reads them. They are never
 * printed: {@link #toString()} redacts them, and {@link #scrub} removes them from any text before that
 * text leaves Gantry.
 *
 * @param accessKeyId the job's access key id
 * @param secretAccessKey the job's secret access key
 * @param sessionToken the job's session token
 */
public record ArtifactAccess(String accessKeyId, String secretAccessKey, String sessionToken) {

    static final String REDACTED = "[redacted]";

    /**
     * {@code text} with every occurrence of these credentials replaced: the last guard before a message
     * reaches CodePipeline, whatever an SDK or a server put into an exception message.
     */
    public String scrub(String text) {
        if (text == null) {
            return null;
        }
        List<String> secrets = new ArrayList<>();
        for (String value : new String[] {accessKeyId, secretAccessKey, sessionToken}) {
            if (value != null && !value.isBlank()) {
                secrets.add(value);
            }
        }
        // Longest first, so a credential that contains another is removed whole.
        secrets.sort(Comparator.comparingInt(String::length).reversed());
        String scrubbed = text;
        for (String secret : secrets) {
            scrubbed = scrubbed.replace(secret, REDACTED);
        }
        return scrubbed;
    }

    @Override
    public String toString() {
        return "ArtifactAccess[" + REDACTED + "]";
    }
}
