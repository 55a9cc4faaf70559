/**
 * The ChatOps functions behind Slack's one public endpoint (slack-interactions, in its own module): {@code
 * chatops-worker} (acts on the commands and button clicks it hands over) and {@code chatops-notify} (keeps each
 * release's Slack thread up to date).
 */
package dev.gantry.fn.chatops;
