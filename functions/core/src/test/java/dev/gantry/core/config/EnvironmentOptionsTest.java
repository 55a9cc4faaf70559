package dev.gantry.core.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.assertj.core.api.Assertions.tuple;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The per-environment options of {@code gantry.yml}: {@code keepRevisions} and {@code roleArn}. */
class EnvironmentOptionsTest {

    /** One service in one environment; {@code %s} is replaced by extra environment keys (line 12 onwards). */
    private static final String TEMPLATE = """
            version: 1
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
            %s""";

    @Test
    void keepsTenRevisionsWhenTheKeyIsAbsent() {
        EnvironmentConfig env = environment(parse(""));

        assertThat(env.keepRevisions()).isEqualTo(10);
    }

    @ParameterizedTest(name = "keepRevisions: {0}")
    @CsvSource({"2", "3", "50"})
    void acceptsTwoOrMoreRevisions(int keep) {
        EnvironmentConfig env = environment(parse("        keepRevisions: " + keep + "\n"));

        assertThat(env.keepRevisions()).isEqualTo(keep);
    }

    @ParameterizedTest(name = "keepRevisions: {0}")
    @CsvSource({"1", "0", "-5"})
    void rejectsFewerThanTwoRevisionsAtTheKeysLine(int keep) {
        InvalidConfigException e = rejected("        keepRevisions: " + keep + "\n");

        assertThat(e.problems()).containsExactly(new ConfigProblem(13, "services[0].environments[0].keepRevisions",
                "must be at least 2, was " + keep + ": the revision the service runs and the one a rollback returns to are always kept"));
        assertThat(e.getMessage()).contains("gantry.yml:13: services[0].environments[0].keepRevisions: must be at least 2");
    }

    @Test
    void rejectsKeepRevisionsThatIsNotAWholeNumber() {
        InvalidConfigException e = rejected("        keepRevisions: ten\n");

        assertThat(e.problems()).singleElement().satisfies(p -> {
            assertThat(p.line()).isEqualTo(13);
            assertThat(p.field()).isEqualTo("services[0].environments[0].keepRevisions");
            assertThat(p.message()).contains("whole number");
        });
    }

    @Test
    void usesGantrysOwnCredentialsWhenNoRoleIsNamed() {
        EnvironmentConfig env = environment(parse(""));

        assertThat(env.roleArn()).isNull();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
            "arn:aws:iam::111111111111:role/gantry-deployer",
            "arn:aws:iam::111111111111:role/platform/gantry-deployer",
            "arn:aws-cn:iam::111111111111:role/gantry-deployer"})
    void acceptsARoleInTheEnvironmentsAccount(String roleArn) {
        EnvironmentConfig env = environment(parse("        roleArn: " + roleArn + "\n"));

        assertThat(env.roleArn()).isEqualTo(roleArn);
    }

    @Test
    void rejectsARoleInAnotherAccountNamingBothAccounts() {
        InvalidConfigException e = rejected("        roleArn: arn:aws:iam::222222222222:role/gantry-deployer\n");

        assertThat(e.problems()).containsExactly(new ConfigProblem(13, "services[0].environments[0].roleArn",
                "the role is in account 222222222222, but the environment is in account 111111111111: Gantry assumes this role "
                        + "to reach the environment's ECS service, so it must be in the same account"));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
            "arn:aws:iam::111111111111:user/gantry",
            "arn:aws:iam::1111:role/gantry-deployer",
            "gantry-deployer",
            "arn:aws:sts::111111111111:assumed-role/gantry-deployer/session"})
    void rejectsWhatIsNotAnIamRoleArn(String roleArn) {
        InvalidConfigException e = rejected("        roleArn: " + roleArn + "\n");

        assertThat(e.problems()).containsExactly(new ConfigProblem(13, "services[0].environments[0].roleArn",
                "'" + roleArn + "' is not an IAM role ARN"));
    }

    @Test
    void reportsBothOptionsProblemsAtOnceSortedByLine() {
        InvalidConfigException e = rejected("""
                        keepRevisions: 1
                        roleArn: arn:aws:iam::222222222222:role/gantry-deployer
                """);

        assertThat(e.problems()).extracting(ConfigProblem::line, ConfigProblem::field).containsExactly(
                tuple(13, "services[0].environments[0].keepRevisions"),
                tuple(14, "services[0].environments[0].roleArn"));
    }

    @Test
    void leavesTheRoleAccountCheckToTheAccountRuleWhenTheAccountIsInvalid() {
        String yaml = TEMPLATE.replace("account: \"111111111111\"", "account: \"1111\"")
                .formatted("        roleArn: arn:aws:iam::111111111111:role/gantry-deployer\n");

        InvalidConfigException e = catchThrowableOfType(InvalidConfigException.class, () -> ConfigLoader.parse(yaml, "gantry.yml"));

        assertThat(e.problems()).extracting(ConfigProblem::field).containsExactly("services[0].environments[0].account");
    }

    @Test
    void theExampleConfigurationUsesTheDefaults() {
        GantryConfig example = ConfigLoader.load(Path.of("../../examples/gantry.yml"));

        List<EnvironmentConfig> environments = example.services().stream().flatMap(s -> s.environments().stream()).toList();
        assertThat(environments).isNotEmpty().allSatisfy(env -> {
            assertThat(env.keepRevisions()).isEqualTo(EnvironmentConfig.DEFAULT_KEEP_REVISIONS);
            assertThat(env.roleArn()).isNull();
        });
    }

    private static GantryConfig parse(String extra) {
        return ConfigLoader.parse(TEMPLATE.formatted(extra), "gantry.yml");
    }

    private static InvalidConfigException rejected(String extra) {
        InvalidConfigException e = catchThrowableOfType(InvalidConfigException.class, () -> parse(extra));
        assertThat(e).as("expected the configuration to be rejected").isNotNull();
        return e;
    }

    private static EnvironmentConfig environment(GantryConfig config) {
        return config.services().get(0).environments().get(0);
    }

    @Test
    void rejectsADecimalWhereAWholeNumberIsExpected() {
        String yaml = """
                version: 1
                services:
                  - name: app
                    repository: team/app
                    tagPolicy: { exact: stable }
                    environments:
                      - name: staging
                        account: "111111111111"
                        region: eu-west-1
                        cluster: main
                        service: app
                        keepRevisions: 2.5
                """;

        InvalidConfigException e = org.assertj.core.api.Assertions.catchThrowableOfType(InvalidConfigException.class,
                () -> ConfigLoader.parse(yaml, "gantry.yml"));

        org.assertj.core.api.Assertions.assertThat(e.problems()).singleElement().satisfies(p -> {
            org.assertj.core.api.Assertions.assertThat(p.line()).isEqualTo(12);
            org.assertj.core.api.Assertions.assertThat(p.field()).isEqualTo("services[0].environments[0].keepRevisions");
            org.assertj.core.api.Assertions.assertThat(p.message()).isEqualTo("expected a whole number");
        });
    }
}
