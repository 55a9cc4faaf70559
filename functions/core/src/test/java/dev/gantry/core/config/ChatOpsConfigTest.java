package dev.gantry.core.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The ChatOps keys of {@code gantry.yml}: {@code slack.teamId}, {@code slack.appId}, {@code slack.permissions}, environments' {@code permissions}. */
class ChatOpsConfigTest {

    /** {@code %1$s}: keys under slack, from line 4, indented; {@code %2$s}: keys under the environment, after {@code keepRevisions}. */
    private static final String TEMPLATE = """
            version: 1
            slack:
              defaultChannel: "#releases"
            %1$s
            services:
              - name: app
                repository: team/app
                tagPolicy:
                  exact: stable
                environments:
                  - name: prod
                    account: "111111111111"
                    region: eu-west-1
                    cluster: main
                    service: app
                    keepRevisions: 5
            %2$s""";

    private static final String WORKSPACE = "  teamId: T0GANTRY1\n  appId: A0GANTRY1";

    @Test
    void readsTheWorkspaceAndEveryPermission() {
        GantryConfig config = parse(WORKSPACE + "\n  permissions:\n    rebuild: [U0OPS0001]\n    pipelineApprovals: [S0REVIEWRS]", """
                        permissions:
                          deploy: [U0DEV0001, S0DEVTEAM]
                          rollback: [U0OPS0001]
                          pin: [W0ENTERPRS]
                          veto: [U0OPS0001]
                          freeze: [U0OPS0001]
                """);

        assertThat(config.slack().teamId()).isEqualTo("T0GANTRY1");
        assertThat(config.slack().appId()).isEqualTo("A0GANTRY1");
        assertThat(config.slack().answersRequests()).isTrue();
        assertThat(config.slack().permissions()).isEqualTo(new SlackConfig.Permissions(List.of("U0OPS0001"), List.of("S0REVIEWRS")));
        EnvironmentConfig.Permissions permissions = config.services().get(0).environments().get(0).permissions();
        assertThat(permissions.holdersOf("deploy")).containsExactly("U0DEV0001", "S0DEVTEAM");
        assertThat(permissions.holdersOf("pin")).containsExactly("W0ENTERPRS");
        assertThat(permissions.namesNobody()).isFalse();
    }

    @Test
    void namesNobodyAndAnswersNoRequestWhenNothingIsConfigured() {
        GantryConfig config = parse("", "");

        assertThat(config.slack().answersRequests()).isFalse();
        assertThat(config.slack().permissions()).isEqualTo(SlackConfig.Permissions.NONE);
        EnvironmentConfig.Permissions permissions = config.services().get(0).environments().get(0).permissions();
        assertThat(permissions).isEqualTo(EnvironmentConfig.Permissions.NONE);
        assertThat(EnvironmentConfig.Permissions.COMMANDS).allSatisfy(command -> assertThat(permissions.holdersOf(command)).isEmpty());
    }

    @Test
    void rejectsAPermissionEntryThatIsNoSlackIdAtItsLine() {
        InvalidConfigException e = rejected(WORKSPACE, """
                        permissions:
                          deploy: [U0DEV0001, jane@example.com]
                """);

        assertThat(e.problems()).containsExactly(new ConfigProblem(19, "services[0].environments[0].permissions.deploy[1]",
                "'jane@example.com' is not a Slack user id (U0123ABCD, W0123ABCD) or user-group id (S0123ABCD)"));
    }

    @Test
    void rejectsAnUnknownCommandUnderPermissions() {
        InvalidConfigException e = rejected(WORKSPACE, """
                        permissions:
                          deplyo: [U0DEV0001]
                """);

        assertThat(e.problems()).singleElement().satisfies(p -> {
            assertThat(p.line()).isEqualTo(19);
            assertThat(p.message()).isEqualTo("unknown key 'deplyo'; expected one of: deploy, freeze, pin, rollback, veto");
        });
    }

    @Test
    void rejectsMalformedWorkspaceAndAppIds() {
        InvalidConfigException e = rejected("  teamId: workspace\n  appId: B0GANTRY1", "");

        assertThat(e.problems()).containsExactly(
                new ConfigProblem(4, "slack.teamId", "'workspace' is not a Slack workspace id such as T0123ABCD (the team_id Slack sends)"),
                new ConfigProblem(5, "slack.appId", "'B0GANTRY1' is not a Slack app id such as A0123ABCD (the api_app_id Slack sends)"));
    }

    @Test
    void rejectsPermissionsWithoutTheWorkspaceAndApp() {
        InvalidConfigException e = rejected("", """
                        permissions:
                          deploy: [U0DEV0001]
                """);

        assertThat(e.problems()).containsExactly(
                new ConfigProblem(2, "slack", "missing teamId: the Slack workspace (T...) whose requests Gantry answers; without it every"
                        + " Slack request is refused, whoever the permissions name"),
                new ConfigProblem(2, "slack", "missing appId: the Slack app (A...) Gantry's requests come through; without it every Slack"
                        + " request is refused, whoever the permissions name"));
    }

    @Test
    void rejectsAnAppWithoutItsWorkspace() {
        InvalidConfigException e = rejected("  appId: A0GANTRY1", "");

        assertThat(e.problems()).extracting(ConfigProblem::message).singleElement().asString().startsWith("missing teamId");
    }

    @Test
    void rejectsSlackPermissionEntriesAtTheirLine() {
        InvalidConfigException e = rejected(WORKSPACE + "\n  permissions:\n    rebuild: [U0OPS0001, ~]", "");

        assertThat(e.problems()).containsExactly(new ConfigProblem(7, "slack.permissions.rebuild[1]", "missing"));
    }

    @Test
    void keepsTheFormerConstructorsWorking() {
        SlackConfig slack = new SlackConfig("#releases", null, Map.of(), Map.of("U024BE7LH", List.of("dev@example.com")));
        EnvironmentConfig environment = new EnvironmentConfig("prod", "111111111111", "eu-west-1", "main", "app", null, null, null, null, null,
                null, null);

        assertThat(slack.teamId()).isNull();
        assertThat(slack.permissions()).isEqualTo(SlackConfig.Permissions.NONE);
        assertThat(environment.permissions()).isEqualTo(EnvironmentConfig.Permissions.NONE);
    }

    private static GantryConfig parse(String slackKeys, String environmentKeys) {
        return ConfigLoader.parse(TEMPLATE.formatted(slackKeys, environmentKeys), "gantry.yml");
    }

    private static InvalidConfigException rejected(String slackKeys, String environmentKeys) {
        InvalidConfigException e = catchThrowableOfType(InvalidConfigException.class, () -> parse(slackKeys, environmentKeys));
        assertThat(e).as("the document should have been rejected").isNotNull();
        return e;
    }
}
