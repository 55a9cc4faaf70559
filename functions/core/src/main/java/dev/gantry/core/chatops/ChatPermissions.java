package dev.gantry.core.chatops;

import dev.gantry.core.config.EnvironmentConfig;
import dev.gantry.core.config.GantryConfig;
import dev.gantry.core.config.GateConfig;
import dev.gantry.core.config.ServiceConfig;
import dev.gantry.core.config.SlackConfig;
import dev.gantry.core.gate.ApproverGroups;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Who may ask Gantry for what from Slack, as {@code gantry.yml} says.
 *
 * <ul>
 *   <li>Every request must come from {@code slack.teamId} through {@code slack.appId}; without both configured, every
 *       request is refused.</li>
 *   <li>Commands that change an environment need that environment's {@code permissions} entry for the command
 *       ({@code unpin} is {@code pin}'s); a freeze needs {@code freeze} in every environment it covers, of every service
 *       running there, because it holds all of them. {@code rebuild} needs {@code slack.permissions.rebuild}. Nobody is
 *       named by default.</li>
 *   <li>{@code status} and {@code help} are open to everyone in the workspace.</li>
 *   <li>Gate approvals: the gate's approvers ({@code approvals.users} and members of {@code approvals.groups}), never the
 *       person who triggered the release. CodePipeline approvals: {@code slack.permissions.pipelineApprovals}.</li>
 * </ul>
 * Entries naming a user group ({@code S…}) are resolved through {@link ApproverGroups}; a group it cannot resolve names
 * nobody.
 */
public final class ChatPermissions {

    private final GantryConfig config;
    private final ApproverGroups groups;

    public ChatPermissions(GantryConfig config, ApproverGroups groups) {
        this.config = config;
        this.groups = groups;
    }

    /** Why a request from this workspace and app is refused; empty when it is the expected one. */
    public Optional<String> workspaceRefusal(String teamId, String appId) {
        SlackConfig slack = config.slack();
        if (slack == null || !slack.answersRequests()) {
            return Optional.of("Gantry answers no Slack requests until slack.teamId and slack.appId name the workspace and app it listens to");
        }
        if (!slack.teamId().equals(teamId)) {
            return Optional.of("this Gantry does not answer requests from this Slack workspace");
        }
        if (!slack.appId().equals(appId)) {
            return Optional.of("this Gantry does not answer requests sent through this Slack app");
        }
        return Optional.empty();
    }

    /** Whether {@code userId} may run {@code command}; the workspace is checked before. */
    public boolean mayRun(SlashCommand command, String userId) {
        return switch (command) {
            case SlashCommand.Status status -> true;
            case SlashCommand.Help help -> true;
            case SlashCommand.Deploy deploy -> holds(deploy.service(), deploy.environment(), "deploy", userId);
            case SlashCommand.Rollback rollback -> holds(rollback.service(), rollback.environment(), "rollback", userId);
            case SlashCommand.Pin pin -> holds(pin.service(), pin.environment(), "pin", userId);
            case SlashCommand.Unpin unpin -> holds(unpin.service(), unpin.environment(), "pin", userId);
            case SlashCommand.Veto veto -> holds(veto.service(), veto.environment(), "veto", userId);
            case SlashCommand.Rebuild rebuild -> config.slack() != null && names(config.slack().permissions().rebuild(), userId);
            case SlashCommand.Freeze freeze -> mayFreeze(freeze.scope(), userId);
        };
    }

    /** Whether {@code userId} may approve or reject CodePipeline manual approvals from Slack. */
    public boolean mayDecidePipelineApprovals(String userId) {
        return config.slack() != null && names(config.slack().permissions().pipelineApprovals(), userId);
    }

    /** The people a gate's approvals allow, groups resolved. */
    public Set<String> gateApprovers(GateConfig.Approvals approvals) {
        Set<String> allowed = new LinkedHashSet<>(approvals.users());
        if (!approvals.groups().isEmpty()) {
            groups.members(approvals.groups()).values().forEach(allowed::addAll);
        }
        return allowed;
    }

    /**
     * The Slack users behind the identities a release was triggered by: ids given as such, and people listed under
     * {@code slack.people} by any of their names. The gate service matches them the same way.
     */
    public Set<String> triggeringUsers(List<String> identities) {
        Set<String> users = new LinkedHashSet<>(identities);
        if (config.slack() != null) {
            users.addAll(config.slack().slackUsersFor(identities));
        }
        return users;
    }

    private boolean mayFreeze(String scope, String userId) {
        List<Scoped> covered = config.services().stream()
                .flatMap(s -> s.environments().stream().map(e -> new Scoped(s, e)))
                .filter(se -> scope.equals(ManualFreeze.EVERY_ENVIRONMENT) || se.environment().name().equals(scope))
                .toList();
        return !covered.isEmpty() && covered.stream().allMatch(se -> names(se.environment().permissions().freeze(), userId));
    }

    private record Scoped(ServiceConfig service, EnvironmentConfig environment) {}

    private boolean holds(String service, String environment, String command, String userId) {
        return config.services().stream()
                .filter(s -> s.name().equals(service))
                .flatMap(s -> s.environments().stream())
                .filter(e -> e.name().equals(environment))
                .findFirst()
                .map(e -> names(e.permissions().holdersOf(command), userId))
                .orElse(false);
    }

    private boolean names(Collection<String> holders, String userId) {
        if (userId == null || userId.isBlank()) {
            return false;
        }
        if (holders.contains(userId)) {
            return true;
        }
        List<String> groupIds = holders.stream().filter(h -> h != null && h.startsWith("S")).toList();
        return !groupIds.isEmpty() && groups.members(groupIds).values().stream().anyMatch(members -> members.contains(userId));
    }
}
