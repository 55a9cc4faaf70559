package dev.gantry.core.gate;

import java.util.Collection;
import java.util.Map;
import java.util.Set;

/** Who belongs to the user groups a gate lets approve (Slack user groups). */
public interface ApproverGroups {

    /**
     * Members of each group that could be resolved, by group id; a group that could not be resolved is
     * absent, and the approvals check names it as unknown rather than guessing its members.
     */
    Map<String, Set<String>> members(Collection<String> groupIds);

    /** No directory: every group counts as unknown, so only users listed by id may approve. */
    static ApproverGroups none() {
        return groupIds -> Map.of();
    }
}
