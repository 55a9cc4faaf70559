package dev.gantry.core.config;

import com.cronutils.model.CronType;
import com.cronutils.model.definition.CronDefinitionBuilder;
import com.cronutils.parser.CronParser;
import dev.gantry.core.image.TagPolicy;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/** The checks that need the whole bound file: names, formats, references, cycles. */
final class ConfigValidator {

    // Formats as the AWS APIs document them, so a typo fails at synth rather than at the first deploy.
    private static final Pattern ECR_REPOSITORY =
            Pattern.compile("(?:[a-z0-9]+(?:[._-][a-z0-9]+)*/)*[a-z0-9]+(?:[._-][a-z0-9]+)*");
    private static final Pattern IMAGE_TAG = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}");
    private static final Pattern ACCOUNT = Pattern.compile("\\d{12}");
    private static final Pattern REGION = Pattern.compile("[a-z]{2}(-[a-z]+)+-\\d{1,2}");
    private static final Pattern ECS_NAME = Pattern.compile("[A-Za-z0-9_-]{1,255}");
    private static final Pattern ROLE_ARN = Pattern.compile("arn:aws[a-z-]*:iam::\\d{12}:role/[A-Za-z0-9+=,.@_/-]{1,512}");
    private static final Pattern CODEBUILD_PROJECT = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_-]{1,254}");
    private static final Pattern PIPELINE = Pattern.compile("[A-Za-z0-9.@_-]{1,100}");
    private static final Pattern IMAGE_PIPELINE_ARN = Pattern.compile(
            "arn:aws[a-z-]*:imagebuilder:[a-z]{2}(-[a-z]+)+-\\d{1,2}:\\d{12}:image-pipeline/[a-z0-9_-]{1,128}");
    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9_-]{0,62}");
    private static final Pattern SLACK_CHANNEL = Pattern.compile("#[a-z0-9_-]{1,80}|[CG][A-Z0-9]{8,}");
    private static final Pattern SLACK_USER = Pattern.compile("[UW][A-Z0-9]{6,}");
    private static final Pattern SLACK_USER_OR_GROUP = Pattern.compile("[UWS][A-Z0-9]{6,}");
    private static final Pattern SLACK_TEAM = Pattern.compile("T[A-Z0-9]{6,}");
    private static final Pattern SLACK_APP = Pattern.compile("A[A-Z0-9]{6,}");
    private static final CronParser UNIX_CRON = new CronParser(CronDefinitionBuilder.instanceDefinitionFor(CronType.UNIX));

    private final GantryConfig config;
    private final SourceLines lines;
    private final List<ConfigProblem> problems = new ArrayList<>();

    ConfigValidator(GantryConfig config, SourceLines lines) {
        this.config = config;
        this.lines = lines;
    }

    List<ConfigProblem> validate() {
        if (config.version() == null) {
            problem("/version", "missing: write 'version: 1'");
        } else if (config.version() != 1) {
            problem("/version", "unsupported version " + config.version() + "; this Gantry reads version 1");
        }
        validateGates();
        validateServices();
        validateBaseImages();
        validateRebuilds();
        validateSlack();
        return ConfigLoader.sorted(problems);
    }

    private void validateServices() {
        if (config.services().isEmpty() && config.baseImages().isEmpty()) {
            problem("", "nothing to do: declare at least one entry under 'services' or 'baseImages'");
        }
        Map<String, String> serviceByName = new HashMap<>();
        Map<String, String> ownerOfTarget = new HashMap<>();
        for (int i = 0; i < config.services().size(); i++) {
            ServiceConfig service = config.services().get(i);
            String at = "/services/" + i;
            if (required(at + "/name", service.name()) && matches(at + "/name", service.name(), NAME, "a lower-case name of letters, digits, '-' and '_'")) {
                String first = serviceByName.putIfAbsent(service.name(), at);
                if (first != null) {
                    problem(at + "/name", "duplicate service '" + service.name() + "' (first declared at line " + lines.lineOf(first) + ")");
                }
            }
            if (required(at + "/repository", service.repository())) {
                repository(at + "/repository", service.repository());
            }
            if (service.tagPolicy() == null) {
                problem(at + "/tagPolicy", "missing: say which tags are releases (semver, glob, regex, exact or track)");
            } else {
                validateTagPolicy(at + "/tagPolicy", service.tagPolicy());
            }
            if (service.environments().isEmpty()) {
                problem(at + "/environments", "missing: list at least one environment");
            }
            Set<String> environmentNames = new HashSet<>();
            for (int j = 0; j < service.environments().size(); j++) {
                EnvironmentConfig env = service.environments().get(j);
                String envAt = at + "/environments/" + j;
                validateEnvironment(envAt, env);
                if (env.name() != null && !environmentNames.add(env.name())) {
                    problem(envAt + "/name", "duplicate environment '" + env.name() + "' in service '" + service.name() + "'");
                }
                if (env.account() != null && env.region() != null && env.cluster() != null && env.service() != null) {
                    String target = env.account() + "/" + env.region() + "/" + env.cluster() + "/" + env.service();
                    String owner = ownerOfTarget.putIfAbsent(target, envAt);
                    if (owner != null) {
                        problem(envAt + "/service", "ECS service " + env.cluster() + "/" + env.service() + " in " + env.account()
                                + "/" + env.region() + " is already deployed by the environment at line " + lines.lineOf(owner));
                    }
                }
            }
        }
    }

    private void validateTagPolicy(String at, TagPolicyConfig policy) {
        if (policy.kindsSet() != 1) {
            problem(at, policy.kindsSet() == 0
                    ? "set one of: semver, glob, regex, exact, track"
                    : "set only one of: semver, glob, regex, exact, track");
            return;
        }
        if (policy.allowPrerelease() != null && policy.semver() == null) {
            problem(at + "/allowPrerelease", "only applies to a semver policy");
        }
        if (policy.regex() != null) {
            try {
                Pattern.compile(policy.regex());
            } catch (PatternSyntaxException e) {
                problem(at + "/regex", "invalid regular expression '" + policy.regex() + "': " + e.getDescription()
                        + " near index " + e.getIndex());
            }
        }
        if (policy.semver() != null && !TagPolicy.SemverRange.isValidRange(policy.semver())) {
            problem(at + "/semver", "invalid semver range '" + policy.semver() + "': write e.g. '>=1.2.0 <2.0.0', '^1.4' or '1.x'");
        }
        if (policy.glob() != null) {
            try {
                new TagPolicy.Glob(policy.glob()).matches("probe");
            } catch (IllegalArgumentException e) {
                problem(at + "/glob", "invalid glob '" + policy.glob() + "': " + e.getMessage());
            }
        }
        for (String[] literal : new String[][] {{"exact", policy.exact()}, {"track", policy.track()}}) {
            if (literal[1] != null) {
                matches(at + "/" + literal[0], literal[1], IMAGE_TAG, "an image tag (letters, digits, '_', '.', '-'; at most 128)");
            }
        }
    }

    private void validateEnvironment(String at, EnvironmentConfig env) {
        if (required(at + "/name", env.name())) {
            matches(at + "/name", env.name(), NAME, "a lower-case name of letters, digits, '-' and '_'");
        }
        if (required(at + "/account", env.account())) {
            matches(at + "/account", env.account(), ACCOUNT, "a 12-digit AWS account id, quoted");
        }
        if (required(at + "/region", env.region())) {
            matches(at + "/region", env.region(), REGION, "an AWS region such as eu-west-1");
        }
        if (required(at + "/cluster", env.cluster())) {
            matches(at + "/cluster", env.cluster(), ECS_NAME, "an ECS cluster name");
        }
        if (required(at + "/service", env.service())) {
            matches(at + "/service", env.service(), ECS_NAME, "an ECS service name");
        }
        Set<String> containers = new HashSet<>();
        for (int k = 0; k < env.containers().size(); k++) {
            String container = env.containers().get(k);
            if (matches(at + "/containers/" + k, container, ECS_NAME, "a container name") && !containers.add(container)) {
                problem(at + "/containers/" + k, "duplicate container '" + container + "'");
            }
        }
        if (env.taskRoleArn() != null) {
            matches(at + "/taskRoleArn", env.taskRoleArn(), ROLE_ARN, "an IAM role ARN");
        }
        if (env.executionRoleArn() != null) {
            matches(at + "/executionRoleArn", env.executionRoleArn(), ROLE_ARN, "an IAM role ARN");
        }
        if (env.gate() != null && config.gate(env.gate()).isPresent() && config.gate(env.gate()).get().soak() != null
                && at.endsWith("/environments/0")) {
            problem(at + "/gate", "gate '" + env.gate() + "' has a soak, but " + env.name()
                    + " is the service's first environment: a release soaks in the environment before the gated one");
        }
        if (env.gate() != null && config.gate(env.gate()).isEmpty()) {
            problem(at + "/gate", "no gate named '" + env.gate() + "' under 'gates'");
        }
        for (String command : EnvironmentConfig.Permissions.COMMANDS.stream().sorted().toList()) {
            permissionHolders(at + "/permissions/" + command, env.permissions().holdersOf(command));
        }
        if (env.keepRevisions() < EnvironmentConfig.MIN_KEEP_REVISIONS) {
            problem(at + "/keepRevisions", "must be at least " + EnvironmentConfig.MIN_KEEP_REVISIONS + ", was "
                    + env.keepRevisions() + ": the revision the service runs and the one a rollback returns to are always kept");
        }
        if (env.roleArn() != null && matches(at + "/roleArn", env.roleArn(), ROLE_ARN, "an IAM role ARN")
                && env.account() != null && ACCOUNT.matcher(env.account()).matches()) {
            String roleAccount = env.roleArn().split(":", 6)[4];
            if (!roleAccount.equals(env.account())) {
                problem(at + "/roleArn", "the role is in account " + roleAccount + ", but the environment is in account " + env.account()
                        + ": Gantry assumes this role to reach the environment's ECS service, so it must be in the same account");
            }
        }
    }

    private void validateBaseImages() {
        Map<String, String> baseByName = new HashMap<>();
        Map<String, String> baseByImage = new HashMap<>();
        Map<String, String> dependentByName = new HashMap<>();
        Map<String, List<Edge>> graph = new LinkedHashMap<>();
        Map<String, String> baseByImagePipeline = new HashMap<>();
        for (int i = 0; i < config.baseImages().size(); i++) {
            BaseImageConfig base = config.baseImages().get(i);
            String at = "/baseImages/" + i;
            if (required(at + "/name", base.name()) && matches(at + "/name", base.name(), NAME, "a lower-case name of letters, digits, '-' and '_'")) {
                String first = baseByName.putIfAbsent(base.name(), at);
                if (first != null) {
                    problem(at + "/name", "duplicate base image '" + base.name() + "' (first declared at line " + lines.lineOf(first) + ")");
                }
            }
            boolean repositoryValid = required(at + "/repository", base.repository()) && repository(at + "/repository", base.repository());
            matches(at + "/tag", base.tag(), IMAGE_TAG, "an image tag");
            if (repositoryValid) {
                String first = baseByImage.putIfAbsent(base.repository() + ":" + base.tag(), at);
                if (first != null) {
                    problem(at + "/repository", "duplicate base image " + base.repository() + ":" + base.tag()
                            + " (first declared at line " + lines.lineOf(first) + ")");
                }
            }
            if (base.dependents().isEmpty()) {
                problem(at + "/dependents", "missing: list the images built FROM this base");
            }
            if (base.schedule() != null) {
                validateCron(at + "/schedule/cron", base.schedule().cron());
            }
            for (int j = 0; j < base.imageBuilderPipelines().size(); j++) {
                String pipelineAt = at + "/imageBuilderPipelines/" + j;
                String arn = base.imageBuilderPipelines().get(j);
                if (required(pipelineAt, arn) && matches(pipelineAt, arn, IMAGE_PIPELINE_ARN,
                        "an EC2 Image Builder image pipeline ARN (arn:aws:imagebuilder:<region>:<account>:image-pipeline/<name>)")) {
                    // One pipeline's image can only be a new version of one base; two would rebuild against the wrong one.
                    String first = baseByImagePipeline.putIfAbsent(arn, pipelineAt);
                    if (first != null) {
                        problem(pipelineAt, "image pipeline " + arn + " is already listed at line " + lines.lineOf(first));
                    }
                }
            }
            for (int j = 0; j < base.dependents().size(); j++) {
                DependentConfig dependent = base.dependents().get(j);
                String depAt = at + "/dependents/" + j;
                if (required(depAt + "/name", dependent.name()) && matches(depAt + "/name", dependent.name(), NAME, "a lower-case name")) {
                    String first = dependentByName.putIfAbsent(dependent.name(), depAt);
                    if (first != null) {
                        problem(depAt + "/name", "duplicate dependent '" + dependent.name() + "' (first declared at line " + lines.lineOf(first) + ")");
                    }
                }
                if ((dependent.codebuild() == null) == (dependent.pipeline() == null)) {
                    problem(depAt, "set exactly one of: codebuild (a project name), pipeline (a pipeline name)");
                } else if (dependent.codebuild() != null) {
                    matches(depAt + "/codebuild", dependent.codebuild(), CODEBUILD_PROJECT, "a CodeBuild project name");
                } else {
                    matches(depAt + "/pipeline", dependent.pipeline(), PIPELINE, "a CodePipeline pipeline name");
                }
                if (required(depAt + "/produces", dependent.produces()) && repository(depAt + "/produces", dependent.produces()) && repositoryValid) {
                    graph.computeIfAbsent(base.repository(), r -> new ArrayList<>()).add(new Edge(dependent.produces(), depAt + "/produces"));
                }
            }
        }
        findCycle(graph);
    }

    private record Edge(String to, String pointer) {}

    /** Repositories form a graph (a base repository to each repository built from it); it must be acyclic. */
    private void findCycle(Map<String, List<Edge>> graph) {
        Map<String, Integer> state = new HashMap<>(); // absent: unvisited, 1: on the current path, 2: done
        for (String start : graph.keySet()) {
            List<String> path = new ArrayList<>();
            if (visit(start, graph, state, path)) {
                return; // one cycle at a time reads better than the same loop reported from every node
            }
        }
    }

    private boolean visit(String node, Map<String, List<Edge>> graph, Map<String, Integer> state, List<String> path) {
        Integer seen = state.get(node);
        if (seen != null) {
            return false;
        }
        state.put(node, 1);
        path.add(node);
        for (Edge edge : graph.getOrDefault(node, List.of())) {
            if (Integer.valueOf(1).equals(state.get(edge.to()))) {
                List<String> cycle = new ArrayList<>(path.subList(path.indexOf(edge.to()), path.size()));
                cycle.add(edge.to());
                problem(edge.pointer(), "dependency cycle: " + String.join(" -> ", cycle));
                return true;
            }
            if (visit(edge.to(), graph, state, path)) {
                return true;
            }
        }
        path.remove(path.size() - 1);
        state.put(node, 2);
        return false;
    }

    private void validateGates() {
        Map<String, String> gateByName = new HashMap<>();
        for (int i = 0; i < config.gates().size(); i++) {
            GateConfig gate = config.gates().get(i);
            String at = "/gates/" + i;
            if (required(at + "/name", gate.name()) && matches(at + "/name", gate.name(), NAME, "a lower-case name")) {
                String first = gateByName.putIfAbsent(gate.name(), at);
                if (first != null) {
                    problem(at + "/name", "duplicate gate '" + gate.name() + "' (first declared at line " + lines.lineOf(first) + ")");
                }
            }
            if (gate.alarms() == null && gate.soak() == null && gate.approvals() == null && gate.freezes().isEmpty() && gate.custom().isEmpty()) {
                problem(at, "a gate needs at least one check: alarms, soak, approvals, freezes or custom");
            }
            if (gate.alarms() != null && gate.alarms().names().isEmpty() && gate.alarms().prefixes().isEmpty()) {
                problem(at + "/alarms", "list alarm names or prefixes");
            }
            if (gate.alarms() != null) {
                for (int j = 0; j < gate.alarms().names().size(); j++) {
                    required(at + "/alarms/names/" + j, gate.alarms().names().get(j));
                }
                for (int j = 0; j < gate.alarms().prefixes().size(); j++) {
                    // An empty prefix would watch every alarm in the account, which nobody means.
                    required(at + "/alarms/prefixes/" + j, gate.alarms().prefixes().get(j));
                }
            }
            positive(at + "/soak", gate.soak());
            positive(at + "/timeout", gate.timeout());
            positive(at + "/interval", gate.interval());
            if (gate.minSteady().compareTo(gate.timeout()) >= 0) {
                problem(at + "/minSteady", "must be shorter than the gate's timeout (" + gate.timeout() + "), or the gate can never pass");
            }
            if (gate.minSteady().isNegative()) {
                problem(at + "/minSteady", "must not be negative");
            }
            GateConfig.Approvals approvals = gate.approvals();
            if (approvals != null) {
                if (approvals.required() == null || approvals.required() < 1) {
                    problem(at + "/approvals/required", "must be a whole number of at least 1");
                } else if (approvals.groups().isEmpty() && approvals.required() > approvals.users().size()) {
                    problem(at + "/approvals/required", approvals.required() + " approvals required but only "
                            + approvals.users().size() + " users may approve");
                }
                if (approvals.users().isEmpty() && approvals.groups().isEmpty()) {
                    problem(at + "/approvals", "list the users or groups who may approve");
                }
                positive(at + "/approvals/expiresAfter", approvals.expiresAfter());
            }
            for (int j = 0; j < gate.freezes().size(); j++) {
                validateFreeze(at + "/freezes/" + j, gate.freezes().get(j));
            }
            for (int j = 0; j < gate.custom().size(); j++) {
                GateConfig.CustomCheck check = gate.custom().get(j);
                String checkAt = at + "/custom/" + j;
                required(checkAt + "/name", check.name());
                if ((check.url() == null) == (check.lambda() == null)) {
                    problem(checkAt, "set exactly one of: url, lambda");
                } else if (check.url() != null && !check.url().startsWith("https://")) {
                    problem(checkAt + "/url", "must be an https:// URL");
                }
            }
        }
    }

    private void validateFreeze(String at, GateConfig.Freeze freeze) {
        boolean recurring = freeze.cron() != null || freeze.duration() != null;
        boolean oneOff = freeze.from() != null || freeze.until() != null;
        boolean calendar = freeze.changeCalendar() != null;
        int kinds = (recurring ? 1 : 0) + (oneOff ? 1 : 0) + (calendar ? 1 : 0);
        if (kinds != 1) {
            problem(at, "set exactly one of: cron with duration, from with until, changeCalendar");
            return;
        }
        if (recurring) {
            validateCron(at + "/cron", freeze.cron());
            if (freeze.duration() == null) {
                problem(at + "/duration", "missing: how long each freeze lasts, e.g. 62h");
            } else {
                positive(at + "/duration", freeze.duration());
            }
        }
        if (oneOff) {
            if (freeze.from() == null) {
                problem(at + "/from", "missing: when the freeze starts");
            } else if (freeze.until() == null) {
                problem(at + "/until", "missing: when the freeze ends");
            } else if (!freeze.until().isAfter(freeze.from())) {
                problem(at + "/until", "must be after 'from'");
            }
        }
    }

    private void validateCron(String pointer, String cron) {
        if (required(pointer, cron)) {
            try {
                UNIX_CRON.parse(cron).validate();
            } catch (IllegalArgumentException e) {
                problem(pointer, "invalid cron expression '" + cron + "': " + e.getMessage());
            }
        }
    }

    private void validateRebuilds() {
        int max = config.rebuilds().maxConcurrentBuilds();
        if (max < RebuildsConfig.MIN_CONCURRENT_BUILDS || max > RebuildsConfig.MAX_CONCURRENT_BUILDS) {
            problem("/rebuilds/maxConcurrentBuilds", "must be " + RebuildsConfig.MIN_CONCURRENT_BUILDS + " to "
                    + RebuildsConfig.MAX_CONCURRENT_BUILDS + ", was " + max + ": CodeBuild runs at most "
                    + RebuildsConfig.MAX_CONCURRENT_BUILDS + " builds at once in an account by default");
        }
    }

    private void validateSlack() {
        SlackConfig slack = config.slack();
        validateChatOpsWorkspace(slack);
        if (slack == null) {
            return;
        }
        if (required("/slack/defaultChannel", slack.defaultChannel())) {
            matches("/slack/defaultChannel", slack.defaultChannel(), SLACK_CHANNEL, "a channel such as #releases or a channel id");
        }
        slack.people().forEach((user, aliases) -> {
            if (!SLACK_USER.matcher(user).matches()) {
                problem("/slack/people/" + user, "'" + user + "' is not a Slack user id such as U024BE7LH");
            }
            if (aliases == null || aliases.isEmpty()) {
                problem("/slack/people/" + user, "list the other names this person goes by (commit e-mail, IAM ARN)");
            } else {
                // An empty entry names nobody, and a null one would break every lookup of who triggered a release.
                for (int k = 0; k < aliases.size(); k++) {
                    if (aliases.get(k) == null || aliases.get(k).isBlank()) {
                        problem("/slack/people/" + user + "/" + k, "missing: an empty name stands for nobody");
                    }
                }
            }
        });
        Set<String> services = new HashSet<>();
        config.services().forEach(s -> services.add(s.name()));
        slack.channels().forEach((service, channel) -> {
            String at = "/slack/channels/" + service;
            if (!services.contains(service)) {
                problem(at, "no service named '" + service + "'");
            }
            matches(at, channel, SLACK_CHANNEL, "a channel such as #releases or a channel id");
        });
    }

    /**
     * Permissions say who may act from Slack, which means nothing until Gantry knows whose Slack to listen to: a
     * permission without the workspace and app would look like access that every request is then refused.
     */
    private void validateChatOpsWorkspace(SlackConfig slack) {
        String firstPermissions = null;
        for (int i = 0; i < config.services().size() && firstPermissions == null; i++) {
            List<EnvironmentConfig> environments = config.services().get(i).environments();
            for (int j = 0; j < environments.size() && firstPermissions == null; j++) {
                if (!environments.get(j).permissions().namesNobody()) {
                    firstPermissions = "/services/" + i + "/environments/" + j + "/permissions";
                }
            }
        }
        if (slack == null) {
            if (firstPermissions != null) {
                problem(firstPermissions, "Slack permissions need a 'slack' section with teamId and appId: without them Gantry answers no"
                        + " Slack request");
            }
            return;
        }
        SlackConfig.Permissions permissions = slack.permissions();
        permissionHolders("/slack/permissions/pipelineApprovals", permissions.pipelineApprovals());
        permissionHolders("/slack/permissions/rebuild", permissions.rebuild());
        if (firstPermissions == null && !(permissions.rebuild().isEmpty() && permissions.pipelineApprovals().isEmpty())) {
            firstPermissions = "/slack/permissions";
        }
        if (slack.teamId() != null) {
            matches("/slack/teamId", slack.teamId(), SLACK_TEAM, "a Slack workspace id such as T0123ABCD (the team_id Slack sends)");
        }
        if (slack.appId() != null) {
            matches("/slack/appId", slack.appId(), SLACK_APP, "a Slack app id such as A0123ABCD (the api_app_id Slack sends)");
        }
        boolean wanted = slack.teamId() != null || slack.appId() != null || firstPermissions != null;
        if (wanted && slack.teamId() == null) {
            problem("/slack", "missing teamId: the Slack workspace (T...) whose requests Gantry answers; without it every Slack"
                    + " request is refused, whoever the permissions name");
        }
        if (wanted && slack.appId() == null) {
            problem("/slack", "missing appId: the Slack app (A...) Gantry's requests come through; without it every Slack request"
                    + " is refused, whoever the permissions name");
        }
    }

    private void permissionHolders(String pointer, List<String> holders) {
        for (int k = 0; k < holders.size(); k++) {
            String holder = holders.get(k);
            if (required(pointer + "/" + k, holder)) {
                matches(pointer + "/" + k, holder, SLACK_USER_OR_GROUP, "a Slack user id (U0123ABCD, W0123ABCD) or user-group id (S0123ABCD)");
            }
        }
    }

    private boolean repository(String pointer, String value) {
        if (value.length() < 2 || value.length() > 256) {
            problem(pointer, "'" + value + "' is not an ECR repository name (2 to 256 characters)");
            return false;
        }
        return matches(pointer, value, ECR_REPOSITORY, "an ECR repository name such as team/app (lower case)");
    }

    private void positive(String pointer, java.time.Duration duration) {
        if (duration != null && (duration.isZero() || duration.isNegative())) {
            problem(pointer, "must be longer than zero");
        }
    }

    private boolean required(String pointer, String value) {
        if (value == null || value.isBlank()) {
            problem(pointer, "missing");
            return false;
        }
        return true;
    }

    private boolean matches(String pointer, String value, Pattern pattern, String expected) {
        if (!pattern.matcher(value).matches()) {
            problem(pointer, "'" + value + "' is not " + expected);
            return false;
        }
        return true;
    }

    private void problem(String pointer, String message) {
        problems.add(new ConfigProblem(lines.lineOf(pointer), SourceLines.fieldOf(pointer), message));
    }
}
