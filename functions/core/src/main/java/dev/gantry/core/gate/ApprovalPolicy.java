package dev.gantry.core.gate;

import dev.gantry.core.config.GateConfig;
import dev.gantry.core.image.ImageDigest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Decides the approvals check of a gate: whether enough of the right people approved this digest recently.
 *
 * <ul>
 *   <li>Allowed approvers are the gate's {@code users} plus the members of its {@code groups}, as the caller
 *       resolved them; a person listed and also in a group counts once. A group missing from the members
 *       map counts as empty and is named in the evidence.</li>
 *   <li>Only decisions on the release's digest count; decisions on another digest are named and ignored.</li>
 *   <li>Each person's latest decision on the digest stands: a later approval replaces an earlier reject and
 *       the other way round, so duplicates from one person count once.</li>
 *   <li>An allowed person whose standing decision is a reject fails the check, whoever triggered the
 *       release (a person withdrawing their own release only makes it safer). Rejects do not expire.</li>
 *   <li>The person who triggered the release never counts as an approver, so nobody approves their own
 *       change; the evidence says so. Unknown triggering person (empty set): nobody is excluded.</li>
 *   <li>An approval counts while {@code now} is before its time plus {@code expiresAfter} (default
 *       {@link GateConfig.Approvals#DEFAULT_EXPIRY}); at that exact instant it has expired. An approval
 *       recorded after {@code now} (clock skew) is not counted yet.</li>
 * </ul>
 *
 * <p>PASS when at least {@code required} distinct approvals count. Otherwise WAIT, saying "n of N
 * approvals", with the next look at the earliest expiry of a counted approval (the moment the answer can
 * change by time alone), or {@link Instant#MAX} when none counts: only a new approval can change it then.
 *
 * <p>Errors: null config, approvals, digest, groups map or {@code now} throw {@link NullPointerException};
 * a {@code required} below 1 throws {@link IllegalArgumentException} (the configuration validator rejects it
 * first).
 */
public final class ApprovalPolicy {

    static final String CHECK = "approvals";

    /**
     * @param config the gate's approvals
     * @param recorded every decision recorded on the release, in any order
     * @param digest the digest the release would deploy
     * @param triggeredBy the Slack user ids of the people who triggered the release, as far as the event
     *     tells; empty when unknown
     * @param groupMembers members of the allowed groups, by group id, as the caller resolved them
     * @param now the evaluation time
     */
    public CheckResult evaluate(GateConfig.Approvals config, List<Approval> recorded, ImageDigest digest, Set<String> triggeredBy,
            Map<String, Set<String>> groupMembers, Instant now) {
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(recorded, "recorded");
        Objects.requireNonNull(digest, "digest");
        Objects.requireNonNull(groupMembers, "groupMembers");
        Objects.requireNonNull(triggeredBy, "triggeredBy");
        Objects.requireNonNull(now, "now");
        int required = config.required() == null ? 1 : config.required();
        if (required < 1) {
            throw new IllegalArgumentException("approvals.required must be at least 1, was " + required);
        }

        List<String> evidence = new ArrayList<>();
        Set<String> allowed = allowedApprovers(config, groupMembers, evidence);

        Map<String, Approval> standing = new LinkedHashMap<>();
        recorded.stream()
                .filter(approval -> approval.decision() != Approval.Decision.BREAK_GLASS)
                .sorted(Comparator.comparing(Approval::at))
                .forEach(approval -> {
                    if (!approval.digest().equals(digest)) {
                        evidence.add("not counted: " + approval.userId() + " decided on " + approval.digest().shortForm()
                                + ", not on this digest " + digest.shortForm());
                    } else if (approval.at().isAfter(now)) {
                        evidence.add("not counted: " + approval.userId() + "'s decision at " + approval.at() + " is later than " + now);
                    } else {
                        standing.put(approval.userId(), approval);
                    }
                });

        List<Approval> rejects = new ArrayList<>();
        List<Approval> counted = new ArrayList<>();
        for (Approval approval : standing.values()) {
            String user = approval.userId();
            if (!allowed.contains(user)) {
                evidence.add("not counted: " + user + " is not an allowed approver");
            } else if (approval.decision() == Approval.Decision.REJECT) {
                rejects.add(approval);
            } else if (triggeredBy.contains(user)) {
                evidence.add("not counted: " + user + " triggered the release and cannot approve it");
            } else {
                Instant expiry = approval.at().plus(config.expiresAfter());
                if (now.isBefore(expiry)) {
                    counted.add(approval);
                    evidence.add("approved: " + user + " at " + approval.at() + ", valid until " + expiry);
                } else {
                    evidence.add("not counted: " + user + "'s approval at " + approval.at() + " expired at " + expiry);
                }
            }
        }

        if (!rejects.isEmpty()) {
            rejects.forEach(r -> evidence.add("rejected: " + r.userId() + " at " + r.at() + (r.comment() == null ? "" : ": " + r.comment())));
            String reason = "rejected by " + String.join(", ", rejects.stream().map(ApprovalPolicy::rejection).toList());
            return CheckResult.fail(CHECK, reason, evidence);
        }
        String tally = counted.size() + " of " + required + " approvals";
        if (counted.size() >= required) {
            return CheckResult.pass(CHECK, withTally(tally, evidence));
        }
        Instant nextLook = counted.stream()
                .map(a -> a.at().plus(config.expiresAfter()))
                .min(Comparator.naturalOrder())
                .orElse(Instant.MAX);
        return CheckResult.waitUntil(CHECK, tally, nextLook, withTally(tally, evidence));
    }

    private static Set<String> allowedApprovers(GateConfig.Approvals config, Map<String, Set<String>> groupMembers, List<String> evidence) {
        Set<String> allowed = new LinkedHashSet<>(config.users());
        for (String group : config.groups()) {
            Set<String> members = groupMembers.get(group);
            if (members == null) {
                evidence.add("group " + group + ": members unknown, none counted");
            } else {
                allowed.addAll(members);
            }
        }
        return allowed;
    }

    private static String rejection(Approval reject) {
        return reject.userId() + (reject.comment() == null ? "" : " (" + reject.comment() + ")");
    }

    private static List<String> withTally(String tally, List<String> evidence) {
        List<String> all = new ArrayList<>();
        all.add(tally);
        all.addAll(evidence);
        return all;
    }
}
