package dev.gantry.core.chatops;

/**
 * A slash command as Slack sent it, its signature already checked by the adapter.
 *
 * @param teamId the workspace it came from ({@code team_id})
 * @param appId the app it was sent to ({@code api_app_id})
 * @param userId who ran it ({@code user_id})
 * @param userName their handle ({@code user_name}), for messages and the audit log only: never for permissions
 * @param command the command as typed, e.g. {@code /gantry}
 * @param text everything after the command
 * @param responseUrl where the answer goes
 * @param triggerId Slack's id for this invocation: a retry of the same request carries the same one, so it keys the
 *     request's one effect
 * @param channelId where it was run
 */
public record ChatCommand(String teamId, String appId, String userId, String userName, String command, String text, String responseUrl,
        String triggerId, String channelId) {

    public ChatCommand {
        text = text == null ? "" : text;
    }
}
