package dev.gantry.core.config;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;

/**
 * One place a service runs.
 *
 * @param name environment name, unique within the service (e.g. {@code staging}, {@code prod})
 * @param account 12-digit AWS account id of the ECS service
 * @param region AWS region of the ECS service
 * @param cluster ECS cluster name
 * @param service ECS service name
 * @param containers containers whose image Gantry replaces; when absent, every container whose image
 *     comes from the service's repository
 * @param taskRoleArn the task role the task definition names; Gantry may pass only this role
 * @param executionRoleArn the execution role the task definition names; Gantry may pass only this role
 * @param gate name of the gate a release must pass before deploying here; none when absent
 * @param keepRevisions how many of the newest revisions of the task-definition family survive the cleanup
 *     after a deploy; default {@value #DEFAULT_KEEP_REVISIONS}, at least {@value #MIN_KEEP_REVISIONS}
 * @param autoDeploy whether a pushed release deploys here by itself; {@code true} when absent. When
 *     {@code false}, only an explicit deploy (a pipeline's deploy action, an operator) enters it
 * @param roleArn an IAM role in {@code account} that Gantry assumes to reach this environment's ECS service;
 *     when absent, Gantry uses its own credentials
 * @param permissions who may run which Slack commands here; {@link Permissions#NONE} when absent, so nobody may
 *     run a command that changes this environment until someone is named
 */
public record EnvironmentConfig(
        String name,
        String account,
        String region,
        String cluster,
        String service,
        List<String> containers,
        String taskRoleArn,
        String executionRoleArn,
        String gate,
        Integer keepRevisions,
        String roleArn,
        Boolean autoDeploy,
        Permissions permissions) {

    /** Revisions kept when {@code keepRevisions} is absent: enough history to roll back by hand for weeks of releases. */
    public static final int DEFAULT_KEEP_REVISIONS = 10;

    /** The revision a service runs and the one a rollback returns to: fewer would leave nothing to roll back to. */
    public static final int MIN_KEEP_REVISIONS = 2;

    public EnvironmentConfig {
        containers = containers == null ? List.of() : List.copyOf(containers);
        keepRevisions = keepRevisions == null ? DEFAULT_KEEP_REVISIONS : keepRevisions;
        autoDeploy = autoDeploy == null ? Boolean.TRUE : autoDeploy;
        permissions = permissions == null ? Permissions.NONE : permissions;
    }

    public EnvironmentConfig(String name, String account, String region, String cluster, String service, List<String> containers,
            String taskRoleArn, String executionRoleArn, String gate, Integer keepRevisions, String roleArn, Boolean autoDeploy) {
        this(name, account, region, cluster, service, containers, taskRoleArn, executionRoleArn, gate, keepRevisions, roleArn,
                autoDeploy, null);
    }

    public boolean gated() {
        return gate != null;
    }

    /**
     * Who may run each Slack command that changes an environment. Every entry is a Slack user id ({@code U…} or
     * {@code W…}) or a Slack user-group id ({@code S…}, its members resolved as for gate approvals). A command with no
     * list, or an empty one, is open to nobody here: a new environment is safe until someone is named. Reading
     * ({@code status}, {@code help}) needs no permission.
     *
     * @param deploy who may {@code deploy} a tag here
     * @param rollback who may {@code rollback} here
     * @param pin who may {@code pin} and {@code unpin} here
     * @param veto who may {@code veto} a digest here
     * @param freeze who may turn a manual freeze of this environment {@code on} or {@code off}
     */
    public record Permissions(List<String> deploy, List<String> rollback, List<String> pin, List<String> veto, List<String> freeze) {

        /** The names of the commands, as written in {@code gantry.yml}. */
        public static final Set<String> COMMANDS = Set.of("deploy", "rollback", "pin", "veto", "freeze");

        /** Nobody may run anything. */
        public static final Permissions NONE = new Permissions(null, null, null, null, null);

        public Permissions {
            deploy = copy(deploy);
            rollback = copy(rollback);
            pin = copy(pin);
            veto = copy(veto);
            freeze = copy(freeze);
        }

        // Not List.copyOf: it throws on a null entry ('deploy: [~]'), which the validator reports with its line instead.
        private static List<String> copy(List<String> holders) {
            return holders == null ? List.of() : Collections.unmodifiableList(new ArrayList<>(holders));
        }

        /**
         * The users and groups who may run {@code command}.
         *
         * @throws IllegalArgumentException when {@code command} is not one of {@link #COMMANDS}
         */
        public List<String> holdersOf(String command) {
            return switch (command) {
                case "deploy" -> deploy;
                case "rollback" -> rollback;
                case "pin" -> pin;
                case "veto" -> veto;
                case "freeze" -> freeze;
                default -> throw new IllegalArgumentException("no permission for '" + command + "'; commands: " + COMMANDS);
            };
        }

        /** Whether nobody at all is named. Not {@code isEmpty}: the YAML binder would take that for a key. */
        public boolean namesNobody() {
            return deploy.isEmpty() && rollback.isEmpty() && pin.isEmpty() && veto.isEmpty() && freeze.isEmpty();
        }
    }
}
