package dev.gantry.local;

import java.security.SecureRandom;
import java.util.HexFormat;

/**
 * The Slack app's secrets for one local run: made up at start, so no two runs share them and nothing real is ever
 * needed. Each says it is fake, and neither looks like a Slack token.
 *
 * @param signingSecret what the local channel page signs its requests with and slack-interactions checks them against
 * @param botToken what the functions call the local Slack Web API with
 */
record LocalSecrets(String signingSecret, String botToken) {

    static LocalSecrets generate() {
        SecureRandom random = new SecureRandom();
        return new LocalSecrets("fake-local-signing-secret-" + hex(random), "fake-local-bot-token-" + hex(random));
    }

    private static String hex(SecureRandom random) {
        byte[] bytes = new byte[16];
        random.nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }

    /** Never the values: a printed record must not carry them. */
    @Override
    public String toString() {
        return "LocalSecrets[generated for this run]";
    }
}
