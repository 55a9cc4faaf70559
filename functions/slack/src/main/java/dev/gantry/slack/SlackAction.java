package dev.gantry.slack;

/**
 * A click on a button in one of Gantry's messages (an interaction payload of type {@code block_actions}).
 *
 * @param value the button's value; null for a link button, whose click Slack reports too
 * @param channelId the channel of the message the button is in
 * @param messageTs the timestamp of that message, which identifies it for an update
 */
public record SlackAction(
        String teamId,
        String apiAppId,
        String userId,
        String actionId,
        String blockId,
        String value,
        String responseUrl,
        String triggerId,
        String channelId,
        String messageTs) implements SlackPayload {}
