package dev.gantry.core.chatops;

import java.time.Instant;
import java.util.Objects;

/**
 * One line of the ChatOps audit trail: who asked for what, on which release, and what came of it.
 *
 * @param id identifies the request this entry records, so a retried request is recorded once: {@code command#<team>#<trigger id>}
 *     for a command, {@code click#<pending approval id>#<user>} for a pipeline decision,
 *     {@code decision#<service>#<environment>#<digest>#<user>#<APPROVE|REJECT>@<at>} for a decision recorded on a gate (so
 *     whichever click finds it standing without one writes the same entry), {@code click#<pending approval id>#<user>#<trigger id>}
 *     for a gate click that recorded none, {@code refused#<trigger id>} for a refusal
 * @param at when Gantry answered; for a decision's entry written late by a later click, when the decision was recorded
 * @param teamId the Slack workspace the request came from
 * @param userId who asked (Slack user id)
 * @param userName their handle as Slack sent it; informational
 * @param action what was asked: {@code deploy}, {@code rollback}, {@code pin}, {@code unpin}, {@code veto}, {@code rebuild},
 *     {@code freeze on}, {@code freeze off}, {@code approve} or {@code reject}
 * @param service the service it concerns; null when none (a rebuild, a pipeline approval, a freeze)
 * @param environment the environment, or {@link ManualFreeze#EVERY_ENVIRONMENT}; null when none
 * @param digest the image digest ({@code sha256:...}) it concerns; null when none or not known
 * @param subject anything else it names: a tag, a base image, a pipeline's {@code pipeline/stage/action}; null when none
 * @param outcome whether it was done, refused or failed
 * @param detail one line as the person was told it
 */
public record AuditEntry(String id, Instant at, String teamId, String userId, String userName, String action, String service,
        String environment, String digest, String subject, Outcome outcome, String detail) {

    public AuditEntry {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(at, "at");
        Objects.requireNonNull(action, "action");
        Objects.requireNonNull(outcome, "outcome");
        detail = detail == null ? "" : detail;
    }

    public enum Outcome {
        /** Gantry did what was asked (which may be to find it already done, or held by a gate: the detail says). */
        DONE,
        /** Gantry would not: wrong workspace or app, not permitted, self-approval, an unknown or expired approval. */
        REFUSED,
        /** Gantry tried and something failed; the cause is in the logs. */
        FAILED
    }
}
