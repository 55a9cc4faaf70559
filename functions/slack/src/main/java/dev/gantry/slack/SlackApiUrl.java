package dev.gantry.slack;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Optional;

/**
 * Where Slack's Web API is. Its own class, not part of {@link SlackWebApi}, so that functions which only resolve
 * approver groups load nothing of the Block Kit model.
 */
public final class SlackApiUrl {

    /** Set when the Web API is not at Slack itself: GovSlack workspaces use {@code https://slack-gov.com}. */
    public static final String ENV = "GANTRY_SLACK_API_URL";
    public static final URI SLACK = URI.create("https://slack.com");

    private SlackApiUrl() {}

    /** The address configured, else Slack itself; one that is not an http(s) address is refused, naming it. */
    public static URI from(Optional<String> configured) {
        if (configured.isEmpty()) {
            return SLACK;
        }
        String value = configured.get().strip();
        try {
            URI uri = new URI(value);
            if (("https".equals(uri.getScheme()) || "http".equals(uri.getScheme())) && uri.getHost() != null) {
                return uri;
            }
        } catch (URISyntaxException e) {
            // Named below with the value that was given.
        }
        throw new IllegalArgumentException(ENV + " must be an http(s) address such as https://slack-gov.com, not '" + value + "'");
    }
}
