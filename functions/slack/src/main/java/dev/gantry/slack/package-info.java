/**
 * The Slack adapter: Slack behind ports of {@code dev.gantry.core}. {@link dev.gantry.slack.SlackWebApi} posts and
 * updates Gantry's messages and answers interactions ({@code ChatGateway}), rendered into Block Kit by
 * {@link dev.gantry.slack.BlockKitRenderer}; {@link dev.gantry.slack.SlackRequestVerifier} checks that a request
 * came from Slack before {@link dev.gantry.slack.SlackPayloads} reads it; {@link dev.gantry.slack.SlackApproverGroups}
 * resolves the user groups a gate lets approve.
 */
package dev.gantry.slack;
