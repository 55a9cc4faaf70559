package dev.gantry.core.chatops;

/**
 * A button click as Slack sent it ({@code block_actions}), its signature already checked by the adapter.
 *
 * @param teamId the workspace it came from
 * @param appId the app whose message held the button
 * @param userId who clicked
 * @param actionId which button: one of {@link ApprovalCards}' action ids
 * @param value what the button carried: for approvals, the opaque id of a {@link PendingApproval}, never trusted beyond
 *     looking it up
 * @param responseUrl where the answer goes; it can replace the message the click came from
 * @param triggerId Slack's id for this click
 * @param channelId the channel of the message
 * @param messageTs the message's timestamp
 */
public record ChatAction(String teamId, String appId, String userId, String actionId, String value, String responseUrl, String triggerId,
        String channelId, String messageTs) {}
