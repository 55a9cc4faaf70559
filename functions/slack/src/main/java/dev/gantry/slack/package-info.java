/**
 * The Slack adapter: the Slack Web API calls Gantry makes, behind ports of {@code dev.gantry.core}. Today that is the
 * directory of the user groups a gate lets approve ({@link dev.gantry.slack.SlackApproverGroups}); release threads,
 * approval cards and the verification of Slack's signed requests belong here too.
 */
package dev.gantry.slack;
