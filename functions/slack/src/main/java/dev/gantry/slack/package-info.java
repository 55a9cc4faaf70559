/**
 * The Slack adapter: Web API client, Block Kit rendering of release threads and approval cards, and
 * verification of Slack's signed requests. It implements the notification ports of {@code dev.gantry.core}.
 */
package dev.gantry.slack;
