/**
 * The ChatOps functions: {@code slack-interactions} (Slack's one public endpoint: verify, hand off, acknowledge),
 * {@code chatops-worker} (acts on commands and button clicks) and {@code chatops-notify} (keeps each release's Slack
 * thread up to date).
 */
package dev.gantry.fn.chatops;
