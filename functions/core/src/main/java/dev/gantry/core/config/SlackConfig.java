package dev.gantry.core.config;

import java.util.ArrayList;
import java.util.Collections;
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
 * @param teamId the Slack workspace ({@code T…}) whose slash commands and button clicks Gantry answers; requests from
 *     any other workspace are refused. When absent, every Slack request is refused: Gantry acts on nobody's word until
 *     it knows whose word counts
 * @param appId the Slack app ({@code A…}) those requests must come through; absent: every request is refused
 * @param permissions who may run the Slack commands that are not about one environment; {@link Permissions#NONE}
 *     when absent
 */
public record SlackConfig(String defaultChannel, String failureMention, Map<String, String> channels,
        Map<String, List<String>> people, String teamId, String appId, Permissions permissions) {

    public SlackConfig {
        channels = channels == null ? Map.of() : Map.copyOf(channels);
        people = people == null ? Map.of() : Map.copyOf(people);
        permissions = permissions == null ? Permissions.NONE : permissions;
    }

    public SlackConfig(String defaultChannel, String failureMention, Map<String, String> channels,
            Map<String, List<String>> people) {
        this(defaultChannel, failureMention, channels, people, null, null, null);
    }

    public SlackConfig(String defaultChannel, String failureMention, Map<String, String> channels) {
        this(defaultChannel, failureMention, channels, null);
    }

    /** Whether Slack requests can be answered at all: the expected workspace and app are both named. */
    public boolean answersRequests() {
        return teamId != null && appId != null;
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

    /**
     * Who may run Slack commands that are not about one environment. Entries are Slack user ids ({@code U…},
     * {@code W…}) or user-group ids ({@code S…}); an absent or empty list names nobody.
     *
     * @param rebuild who may {@code rebuild} a base image's dependents
     * @param pipelineApprovals who may approve or reject a CodePipeline manual approval from its Slack card (a
     *     pipeline's manual approval says nothing about a service, so it has no environment to take permissions from)
     */
    public record Permissions(List<String> rebuild, List<String> pipelineApprovals) {

        public static final Permissions NONE = new Permissions(null, null);

        public Permissions {
            rebuild = copy(rebuild);
            pipelineApprovals = copy(pipelineApprovals);
        }

        // Not List.copyOf: it throws on a null entry, which the validator reports with its line instead.
        private static List<String> copy(List<String> holders) {
            return holders == null ? List.of() : Collections.unmodifiableList(new ArrayList<>(holders));
        }
    }
}
