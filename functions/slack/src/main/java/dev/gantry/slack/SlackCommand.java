package dev.gantry.slack;

/**
 * A slash command, e.g. {@code /gantry approve payments-api prod}.
 *
 * @param userName the handle Slack sends alongside the id; display only, never an identity
 * @param command the command as typed, with its slash
 * @param text everything after the command; empty when nothing was
 */
public record SlackCommand(
        String teamId,
        String apiAppId,
        String userId,
        String userName,
        String command,
        String text,
        String responseUrl,
        String triggerId,
        String channelId) implements SlackPayload {}
