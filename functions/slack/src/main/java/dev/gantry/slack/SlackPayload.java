package dev.gantry.slack;

/** What a verified request from Slack asks for: a slash command or a click in a message. */
public sealed interface SlackPayload permits SlackCommand, SlackAction {

    String teamId();

    String apiAppId();

    String userId();

    /** Where to answer, for 30 minutes; whoever holds it can post, so it is not logged. */
    String responseUrl();

    String triggerId();
}
