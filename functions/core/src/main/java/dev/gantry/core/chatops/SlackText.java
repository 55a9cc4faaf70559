package dev.gantry.core.chatops;

import java.util.Collection;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/** Pieces of Slack markdown (mrkdwn) the chat messages share. */
final class SlackText {

    private SlackText() {}

    private static final Pattern USER = Pattern.compile("[UW][A-Z0-9]{6,}");
    private static final Pattern GROUP = Pattern.compile("S[A-Z0-9]{6,}");

    /**
     * A mention of a user ({@code U…}, {@code W…}) or user group ({@code S…}), which Slack shows by name; anything else
     * (Gantry itself, an e-mail address) as plain text.
     */
    static String mention(String id) {
        if (id == null || id.isBlank()) {
            return "someone";
        }
        if (USER.matcher(id).matches()) {
            return "<@" + id + ">";
        }
        return GROUP.matcher(id).matches() ? "<!subteam^" + id + ">" : escape(id);
    }

    static boolean isUserId(String id) {
        return id != null && USER.matcher(id).matches();
    }

    static String mentions(Collection<String> ids) {
        return ids.isEmpty() ? "nobody" : ids.stream().map(SlackText::mention).collect(Collectors.joining(", "));
    }

    /**
     * Text from outside Slack (a pipeline's instructions, a configured name) made inert: mrkdwn reads {@code <...>} as a
     * link or mention, so a pipeline's custom data could otherwise ping a channel.
     */
    static String escape(String text) {
        return text == null ? "" : text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }

    static String code(String text) {
        return "`" + (text == null ? "" : text.replace("`", "'")) + "`";
    }
}
