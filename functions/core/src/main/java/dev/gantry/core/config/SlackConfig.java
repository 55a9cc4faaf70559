package dev.gantry.core.config;

import java.util.Map;

/**
 * Slack routing.
 *
 * @param defaultChannel channel for services without their own; required when {@code slack} is present
 * @param failureMention who is mentioned when a release fails, e.g. {@code @platform-oncall}; optional
 * @param channels per-service channel overrides, keyed by service name; each key must name a service
 */
public record SlackConfig(String defaultChannel, String failureMention, Map<String, String> channels) {

    public SlackConfig {
        channels = channels == null ? Map.of() : Map.copyOf(channels);
    }

    public String channelFor(String service) {
        return channels.getOrDefault(service, defaultChannel);
    }
}
