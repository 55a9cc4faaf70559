package dev.gantry.core.image;


/**
 * A content digest, {@code sha256:} and 64 lower-case hex digits: the only thing Gantry deploys or
 * approves, because a tag can be moved and a digest cannot.
 */
public record ImageDigest(String value) {

    private static final String PREFIX = "sha256:";
    private static final int LENGTH = PREFIX.length() + 64;

    public ImageDigest {
        if (!isSha256(value)) {
            throw new InvalidDigestException(value);
        }
    }

    // The same test as the pattern sha256:[0-9a-f]{64}, spelled out: every push builds several digests, and with the
    // functions' C1-only JIT the regex was 8% of a push's decisions in `scripts/bench core`.
    private static boolean isSha256(String value) {
        if (value == null || value.length() != LENGTH || !value.startsWith(PREFIX)) {
            return false;
        }
        for (int i = PREFIX.length(); i < LENGTH; i++) {
            char c = value.charAt(i);
            if (!(c >= '0' && c <= '9' || c >= 'a' && c <= 'f')) {
                return false;
            }
        }
        return true;
    }

    public static ImageDigest parse(String value) {
        return new ImageDigest(value);
    }

    /** The first 12 hex digits, as people read digests in logs and Slack. */
    public String shortForm() {
        return value.substring("sha256:".length(), "sha256:".length() + 12);
    }

    @Override
    public String toString() {
        return value;
    }

    /** A digest that ECS would refuse in {@code repository@digest}. */
    public static final class InvalidDigestException extends IllegalArgumentException {
        InvalidDigestException(String value) {
            super(describe(value));
        }

        private static String describe(String value) {
            if (value == null) {
                return "the image digest is missing";
            }
            String hex = value.startsWith("sha256:") ? value.substring(7) : null;
            if (hex == null) {
                return "image digest '" + value + "' does not start with 'sha256:'";
            }
            return "image digest '" + value + "' must be 'sha256:' followed by 64 lower-case hex digits (found "
                    + hex.length() + " characters)";
        }
    }
}
