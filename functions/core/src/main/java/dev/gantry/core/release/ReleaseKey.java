package dev.gantry.core.release;

import dev.gantry.core.image.ImageDigest;

/** A digest entering one environment of one service: the unit Gantry deploys exactly once. */
public record ReleaseKey(String service, String environment, ImageDigest digest) {

    /** Stable, readable id for logs and Slack: {@code payments-api/staging/7f5b2640fe6f}. */
    public String id() {
        return service + "/" + environment + "/" + digest.shortForm();
    }
}
