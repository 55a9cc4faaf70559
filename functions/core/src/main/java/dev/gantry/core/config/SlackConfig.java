package dev.gantry.core.config;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Slack routing, and who is who.
 *
 * @param defaultChannel channel for services without their own; required when {@code slack} is present
 * @param failureMention who is mentioned when a release fails, e.g. {@code @platform-oncall}; optional
 * @param channels per-service channel overrides, keyed by service name; each key must name a service
 * @param people the other names a Slack user goes by, keyed by Slack user id: commit e-mail addresses, IAM
 *     user or role ARNs, Git display names. Gates use them to recognise the person who triggered a release
 *     when they try to approve it from Slack
 */
public record SlackConfig(String defaultChannel, String failureMention, Map<String, String> channels,
        Map<String, List<String>> people) {

    public SlackConfig {
        channels = channels == null ? Map.of() : Map.copyOf(channels);
        people = people == null ? Map.of() : Map.copyOf(people);
    }

    public SlackConfig(String defaultChannel, String failureMention, Map<String, String> channels) {
        this(defaultChannel, failureMention, channels, null);
    }

    public String channelFor(String service) {
        return channels.getOrDefault(service, defaultChannel);
    }

    /**
     * The Slack user ids of the people behind {@code identities}: an identity that is itself a listed user
     * id, or one of a user's other names. Names compare without regard to case, because Git and IAM do not
     * agree on it for e-mail addresses.
     */
    public Set<String> slackUsersFor(Iterable<String> identities) {
        Set<String> users = new TreeSet<>();
        for (String identity : identities) {
            if (identity == null || identity.isBlank()) {
                continue;
            }
            String wanted = identity.strip().toLowerCase(Locale.ROOT);
            people.forEach((user, aliases) -> {
                if (user.equalsIgnoreCase(wanted) || aliases.stream().anyMatch(a -> a.strip().toLowerCase(Locale.ROOT).equals(wanted))) {
                    users.add(user);
                }
            });
        }
        return users;
    }
}
