package dev.gantry.core.chatops;

import dev.gantry.core.notify.ChatMessage;

/**
 * What one command came to, for the person (the message), the audit log and the request ledger (the summary).
 *
 * @param outcome done, refused or failed
 * @param summary one line: the audit entry's detail, and what a retried request is told
 * @param message the answer
 * @param environment the environment it acted on; null when none
 * @param digest the digest it acted on, when one was known; null otherwise
 * @param subject anything else it named (tag, base image, freeze scope); null when none
 */
record CommandOutcome(AuditEntry.Outcome outcome, String summary, ChatMessage message, String environment, String digest, String subject) {

    static CommandOutcome refused(String summary) {
        return new CommandOutcome(AuditEntry.Outcome.REFUSED, summary, ChatMessage.plain(summary), null, null, null);
    }

    static CommandOutcome failed(String summary) {
        return new CommandOutcome(AuditEntry.Outcome.FAILED, summary, ChatMessage.plain(summary), null, null, null);
    }
}
