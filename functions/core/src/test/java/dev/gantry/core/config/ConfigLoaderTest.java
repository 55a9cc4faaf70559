package dev.gantry.core.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.assertj.core.api.Assertions.tuple;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Disabled;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ConfigLoaderTest {

    // Tests run in the module directory; the example is the file the local run and `cdk synth` use.
    private static final Path EXAMPLE = Path.of("../../examples/gantry.yml");

    @Test
    void loadsTheExampleServicesInFileOrder() {
        GantryConfig config = ConfigLoader.load(EXAMPLE);

        assertThat(config.version()).isEqualTo(1);
        assertThat(config.services()).extracting(ServiceConfig::name).containsExactly("payments-api", "checkout-web");
        assertThat(config.services()).extracting(ServiceConfig::repository).containsExactly("payments-api", "checkout-web");
        assertThat(config.services()).extracting(s -> s.tagPolicy().toPolicy().describe())
                .containsExactly("semver >=1.0.0 <2.0.0", "glob release-*");
    }

    @Test
    void keepsTheExampleEnvironmentsInPromotionOrder() {
        GantryConfig config = ConfigLoader.load(EXAMPLE);

        ServiceConfig payments = config.services().get(0);
        assertThat(payments.environments()).extracting(EnvironmentConfig::name).containsExactly("staging", "prod");
        EnvironmentConfig staging = payments.environments().get(0);
        EnvironmentConfig prod = payments.environments().get(1);
        assertThat(staging.gated()).isFalse();
        assertThat(prod.gate()).isEqualTo("production");
        assertThat(prod.account()).isEqualTo("111111111111");
        assertThat(prod.region()).isEqualTo("eu-west-1");
        assertThat(prod.cluster()).isEqualTo("prod");
        assertThat(prod.service()).isEqualTo("payments-api");
        assertThat(prod.containers()).containsExactly("app");
        assertThat(prod.taskRoleArn()).isEqualTo("arn:aws:iam::111111111111:role/payments-api-task");
        assertThat(prod.executionRoleArn()).isEqualTo("arn:aws:iam::111111111111:role/ecs-task-execution");
        EnvironmentConfig checkoutStaging = config.services().get(1).environments().get(0);
        assertThat(checkoutStaging.containers()).as("containers left out mean: every container from the repository").isEmpty();
    }

    @Test
    void readsTheExampleGate() {
        GantryConfig config = ConfigLoader.load(EXAMPLE);

        assertThat(config.gates()).extracting(GateConfig::name).containsExactly("production");
        GateConfig gate = config.gate("production").orElseThrow();
        assertThat(gate.alarms().names()).containsExactly("payments-api-5xx");
        assertThat(gate.alarms().prefixes()).containsExactly("payments-api-");
        assertThat(gate.alarms().insufficientData()).isEqualTo(GateConfig.InsufficientData.WAIT);
        assertThat(gate.soak()).isEqualTo(Duration.ofMinutes(30));
        assertThat(gate.approvals().required()).isEqualTo(2);
        assertThat(gate.approvals().users()).containsExactly("U0EXAMPLE1", "U0EXAMPLE2", "U0EXAMPLE3");
        assertThat(gate.approvals().groups()).containsExactly("S0EXAMPLEOPS");
        assertThat(gate.approvals().expiresAfter()).isEqualTo(Duration.ofHours(24));
        assertThat(gate.freezes()).containsExactly(
                new GateConfig.Freeze("0 18 * * FRI", Duration.ofHours(62), ZoneId.of("Europe/Berlin"), null, null, null),
                new GateConfig.Freeze(null, null, ZoneId.of("UTC"),
                        Instant.parse("2026-12-22T00:00:00Z"), Instant.parse("2027-01-04T00:00:00Z"), null));
        assertThat(gate.custom()).isEmpty();
        assertThat(gate.minSteady()).isZero();
        assertThat(gate.timeout()).isEqualTo(Duration.ofHours(4));
    }

    @Test
    void readsTheExampleBaseImageChainAndSlackRouting() {
        GantryConfig config = ConfigLoader.load(EXAMPLE);

        assertThat(config.baseImages()).extracting(BaseImageConfig::name, BaseImageConfig::repository, BaseImageConfig::tag)
                .containsExactly(
                        tuple("golden-java21", "golden/java21", "latest"),
                        tuple("runtime-java", "runtime/java", "latest"));
        assertThat(config.baseImages().get(0).dependents()).containsExactly(
                new DependentConfig("runtime-java", "runtime-java-image", null, "runtime/java"));
        assertThat(config.baseImages().get(1).dependents()).containsExactly(
                new DependentConfig("payments-api-image", "payments-api-image", null, "payments-api"),
                new DependentConfig("checkout-web-image", null, "checkout-web-release", "checkout-web"));
        assertThat(config.slack().channelFor("payments-api")).isEqualTo("#payments-releases");
        assertThat(config.slack().channelFor("checkout-web")).isEqualTo("#releases");
        assertThat(config.slack().failureMention()).isEqualTo("@platform-oncall");
    }

    @Test
    void loadsTheFileNamedByGantryConfig() {
        GantryConfig config = ConfigLoader.fromEnvironment(Map.of(ConfigLoader.CONFIG_ENV, EXAMPLE.toString()));

        assertThat(config).isEqualTo(ConfigLoader.load(EXAMPLE));
    }

    @Test
    void appliesDefaultsForOmittedOptions() {
        String yaml = """
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
                        gate: production
                baseImages:
                  - name: golden
                    repository: golden/java21
                    dependents:
                      - name: app-image
                        codebuild: app-image
                        produces: team/app
                gates:
                  - name: production
                    alarms:
                      names: [app-5xx]
                    approvals:
                      required: 1
                      users: [U0EXAMPLE1]
                    freezes:
                      - from: 2026-12-22T00:00:00Z
                        until: 2027-01-04T00:00:00Z
                """;

        GantryConfig config = ConfigLoader.parse(yaml, "gantry.yml");

        assertThat(config.baseImages().get(0).tag()).isEqualTo("latest");
        GateConfig gate = config.gates().get(0);
        assertThat(gate.timeout()).isEqualTo(Duration.ofHours(24));
        assertThat(gate.minSteady()).isZero();
        assertThat(gate.soak()).isNull();
        assertThat(gate.approvals().expiresAfter()).isEqualTo(Duration.ofHours(24));
        assertThat(gate.approvals().groups()).isEmpty();
        assertThat(gate.alarms().insufficientData()).isEqualTo(GateConfig.InsufficientData.WAIT);
        assertThat(gate.alarms().prefixes()).isEmpty();
        assertThat(gate.freezes().get(0).timezone()).isEqualTo(ZoneId.of("UTC"));
        assertThat(config.slack()).isNull();
        assertThat(config.services().get(0).environments().get(0).containers()).isEmpty();
        assertThat(config.services().get(0).tagPolicy().toPolicy().describe()).isEqualTo("exact tag stable");
    }

    @Test
    void aTagPolicyIsParsedOnceForEveryLoadOfTheSameConfiguration() {
        // given: the example loaded twice, as two functions in one JVM would
        TagPolicyConfig first = ConfigLoader.load(EXAMPLE).services().get(0).tagPolicy();
        TagPolicyConfig again = ConfigLoader.load(EXAMPLE).services().get(0).tagPolicy();

        // when / then
        assertThat(again.toPolicy()).isSameAs(first.toPolicy());
        assertThat(new TagPolicyConfig("^2.0", null, null, null, null, null).toPolicy())
                .isNotSameAs(first.toPolicy())
                .satisfies(policy -> assertThat(policy.matches("2.1.0")).isTrue());
    }

    @Test
    void rejectsUnknownTopLevelKeyNamingItsLineAndTheExpectedKeys() {
        String yaml = """
                version: 1
                servics: []
                services:
                  - name: app
                    repository: team/app
                    tagPolicy:
                      exact: stable
                    environments:
                      - name: staging
                        account: "111111111111"
                        region: eu-west-1
                        cluster: main
                        service: app
                """;

        assertRejectedWith(yaml, new ConfigProblem(2, "servics",
                "unknown key 'servics'; expected one of: baseImages, gates, rebuilds, services, slack, version"));
    }

    @Test
    void rejectsUnknownNestedKeyNamingItsLineAndTheExpectedKeys() {
        String yaml = """
                version: 1
                services:
                  - name: app
                    repository: team/app
                    tagPolicy:
                      exact: stable
                    environments:
                      - name: staging
                        clustr: main
                        account: "111111111111"
                        region: eu-west-1
                        service: app
                """;

        assertRejectedWith(yaml, new ConfigProblem(9, "services[0].environments[0].clustr",
                "unknown key 'clustr'; expected one of: account, autoDeploy, cluster, containers, executionRoleArn, gate, keepRevisions, "
                        + "name, permissions, region, roleArn, service, taskRoleArn"));
    }

    @Test
    void rejectsEnvironmentWithoutClusterAtTheEnvironmentsLine() {
        String yaml = """
                version: 1
                services:
                  - name: app
                    repository: team/app
                    tagPolicy:
                      exact: stable
                    environments:
                      - name: staging
                        account: "111111111111"
                        region: eu-west-1
                        service: app
                """;

        assertRejectedWith(yaml, new ConfigProblem(8, "services[0].environments[0].cluster", "missing"));
    }

    @Test
    void rejectsServiceWithoutEnvironments() {
        String yaml = """
                version: 1
                services:
                  - name: app
                    repository: team/app
                    tagPolicy:
                      exact: stable
                """;

        assertRejectedWith(yaml, new ConfigProblem(3, "services[0].environments", "missing: list at least one environment"));
    }

    @Test
    void rejectsListWhereTextIsExpected() {
        String yaml = """
                version: 1
                services:
                  - name: app
                    repository: [team/app]
                    tagPolicy:
                      exact: stable
                    environments:
                      - name: staging
                        account: "111111111111"
                        region: eu-west-1
                        cluster: main
                        service: app
                """;

        assertRejectedWith(yaml, new ConfigProblem(4, "services[0].repository", "expected a single text value"));
    }

    @Test
    void rejectsVersionThatIsNotANumber() {
        String yaml = """
                version: abc
                services:
                  - name: app
                    repository: team/app
                    tagPolicy:
                      exact: stable
                    environments:
                      - name: staging
                        account: "111111111111"
                        region: eu-west-1
                        cluster: main
                        service: app
                """;

        assertRejectedWith(yaml, new ConfigProblem(1, "version", "expected a whole number"));
    }

    @Test
    void rejectsVersionThisGantryDoesNotRead() {
        String yaml = """
                version: 2
                services:
                  - name: app
                    repository: team/app
                    tagPolicy:
                      exact: stable
                    environments:
                      - name: staging
                        account: "111111111111"
                        region: eu-west-1
                        cluster: main
                        service: app
                """;

        assertRejectedWith(yaml, new ConfigProblem(1, "version", "unsupported version 2; this Gantry reads version 1"));
    }

    @Test
    void rejectsInvalidRegexNamingItAndTheReason() {
        String yaml = """
                version: 1
                services:
                  - name: app
                    repository: team/app
                    tagPolicy:
                      regex: 'release-(\\d+'
                    environments:
                      - name: staging
                        account: "111111111111"
                        region: eu-west-1
                        cluster: main
                        service: app
                """;

        assertRejectedWith(yaml, new ConfigProblem(6, "services[0].tagPolicy.regex",
                "invalid regular expression 'release-(\\d+': Unclosed group near index 12"));
    }

    @Test
    void rejectsInvalidSemverRange() {
        String yaml = """
                version: 1
                services:
                  - name: app
                    repository: team/app
                    tagPolicy:
                      semver: ">=abc"
                    environments:
                      - name: staging
                        account: "111111111111"
                        region: eu-west-1
                        cluster: main
                        service: app
                """;

        assertRejectedWith(yaml, new ConfigProblem(6, "services[0].tagPolicy.semver",
                "invalid semver range '>=abc': write e.g. '>=1.2.0 <2.0.0', '^1.4' or '1.x'"));
    }

    @Test
    void rejectsTagPolicyWithTwoKinds() {
        String yaml = """
                version: 1
                services:
                  - name: app
                    repository: team/app
                    tagPolicy:
                      exact: stable
                      glob: "release-*"
                    environments:
                      - name: staging
                        account: "111111111111"
                        region: eu-west-1
                        cluster: main
                        service: app
                """;

        assertRejectedWith(yaml, new ConfigProblem(5, "services[0].tagPolicy", "set only one of: semver, glob, regex, exact, track"));
    }

    @Test
    void rejectsTagPolicyWithoutAKind() {
        String yaml = """
                version: 1
                services:
                  - name: app
                    repository: team/app
                    tagPolicy:
                      allowPrerelease: true
                    environments:
                      - name: staging
                        account: "111111111111"
                        region: eu-west-1
                        cluster: main
                        service: app
                """;

        assertRejectedWith(yaml, new ConfigProblem(5, "services[0].tagPolicy", "set one of: semver, glob, regex, exact, track"));
    }

    @Test
    void rejectsDuplicateServiceNamingTheLineOfTheFirst() {
        String yaml = """
                version: 1
                services:
                  - name: app
                    repository: team/app
                    tagPolicy:
                      exact: stable
                    environments:
                      - name: staging
                        account: "111111111111"
                        region: eu-west-1
                        cluster: main
                        service: app
                  - name: app
                    repository: team/other
                    tagPolicy:
                      exact: stable
                    environments:
                      - name: staging
                        account: "111111111111"
                        region: eu-west-1
                        cluster: main
                        service: other
                """;

        assertRejectedWith(yaml, new ConfigProblem(13, "services[1].name", "duplicate service 'app' (first declared at line 3)"));
    }

    @Test
    void rejectsDuplicateEnvironmentInAService() {
        String yaml = """
                version: 1
                services:
                  - name: app
                    repository: team/app
                    tagPolicy:
                      exact: stable
                    environments:
                      - name: staging
                        account: "111111111111"
                        region: eu-west-1
                        cluster: main
                        service: app
                      - name: staging
                        account: "111111111111"
                        region: eu-west-1
                        cluster: other
                        service: app
                """;

        assertRejectedWith(yaml, new ConfigProblem(13, "services[0].environments[1].name",
                "duplicate environment 'staging' in service 'app'"));
    }

    @Test
    void rejectsTwoEnvironmentsDeployingTheSameEcsService() {
        String yaml = """
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
                  - name: app-canary
                    repository: team/app
                    tagPolicy:
                      glob: "canary-*"
                    environments:
                      - name: prod
                        account: "111111111111"
                        region: eu-west-1
                        cluster: main
                        service: app
                """;

        assertRejectedWith(yaml, new ConfigProblem(22, "services[1].environments[0].service",
                "ECS service main/app in 111111111111/eu-west-1 is already deployed by the environment at line 8"));
    }

    @Test
    void rejectsDependencyCycleNamingThePath() {
        String yaml = """
                version: 1
                baseImages:
                  - name: a
                    repository: base/a
                    dependents:
                      - name: b-image
                        codebuild: build-b
                        produces: base/b
                  - name: b
                    repository: base/b
                    dependents:
                      - name: a-image
                        codebuild: build-a
                        produces: base/a
                """;

        assertRejectedWith(yaml, new ConfigProblem(14, "baseImages[1].dependents[0].produces",
                "dependency cycle: base/a -> base/b -> base/a"));
    }

    @Test
    void rejectsBaseImageThatRebuildsItself() {
        String yaml = """
                version: 1
                baseImages:
                  - name: a
                    repository: base/a
                    dependents:
                      - name: a-again
                        codebuild: build-a
                        produces: base/a
                """;

        assertRejectedWith(yaml, new ConfigProblem(8, "baseImages[0].dependents[0].produces", "dependency cycle: base/a -> base/a"));
    }

    @Test
    void rejectsGateThatIsNotDeclared() {
        String yaml = """
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
                        gate: production
                """;

        assertRejectedWith(yaml, new ConfigProblem(13, "services[0].environments[0].gate", "no gate named 'production' under 'gates'"));
    }

    @Test
    void rejectsSlackChannelForUnknownService() {
        String yaml = """
                version: 1
                services:
                  - name: app
                    repository: team/app
                    tagPolicy:
                      exact: stable
                    environments:
                      - name: staging
                        account: "111111111111"
                        region: eu-west-1
                        cluster: main
                        service: app
                slack:
                  defaultChannel: "#releases"
                  channels:
                    ap: "#ap-releases"
                """;

        assertRejectedWith(yaml, new ConfigProblem(16, "slack.channels.ap", "no service named 'ap'"));
    }

    @Test
    void rejectsContainerNamedTwiceInAnEnvironment() {
        String yaml = """
                version: 1
                services:
                  - name: app
                    repository: team/app
                    tagPolicy:
                      exact: stable
                    environments:
                      - name: staging
                        account: "111111111111"
                        region: eu-west-1
                        cluster: main
                        service: app
                        containers: [app, app]
                """;

        InvalidConfigException e = rejected(yaml);

        assertThat(e.problems()).singleElement().satisfies(p -> {
            assertThat(p.line()).isEqualTo(13);
            assertThat(p.field()).startsWith("services[0].environments[0].containers");
            assertThat(p.message()).contains("duplicate").contains("app");
        });
    }

    @Test
    void rejectsDurationWrittenInWords() {
        String yaml = """
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
                        gate: production
                gates:
                  - name: production
                    soak: 30 minutes
                """;

        assertRejectedWith(yaml, new ConfigProblem(16, "gates[0].soak",
                "'30 minutes' is not a duration: write e.g. 90s, 30m, 4h, 7d or PT30M"));
    }

    @Test
    void rejectsUnknownTimeZone() {
        String yaml = """
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
                        gate: production
                gates:
                  - name: production
                    freezes:
                      - cron: "0 18 * * FRI"
                        duration: 62h
                        timezone: Mars/Olympus
                """;

        assertRejectedWith(yaml, new ConfigProblem(19, "gates[0].freezes[0].timezone",
                "'Mars/Olympus' is not a time zone: write a region id such as Europe/Berlin or UTC"));
    }

    @Test
    void rejectsInvalidCronNamingItAndTheReason() {
        String yaml = """
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
                        gate: production
                gates:
                  - name: production
                    freezes:
                      - cron: "0 25 * * FRI"
                        duration: 62h
                """;

        // The reason is cron-utils' wording; only its gist is pinned.
        assertRejected(yaml, 17, "gates[0].freezes[0].cron", "invalid cron expression '0 25 * * FRI': ", "25", "[0, 23]");
    }

    @Test
    void rejectsFreezeWithBothCronAndDates() {
        String yaml = """
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
                        gate: production
                gates:
                  - name: production
                    freezes:
                      - cron: "0 18 * * FRI"
                        duration: 62h
                        from: 2026-12-22T00:00:00Z
                        until: 2027-01-04T00:00:00Z
                """;

        assertRejectedWith(yaml, new ConfigProblem(17, "gates[0].freezes[0]",
                "set exactly one of: cron with duration, from with until, changeCalendar"));
    }

    @Test
    void rejectsFreezeEndingBeforeItStarts() {
        String yaml = """
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
                        gate: production
                gates:
                  - name: production
                    freezes:
                      - from: 2027-01-04T00:00:00Z
                        until: 2026-12-22T00:00:00Z
                """;

        assertRejectedWith(yaml, new ConfigProblem(18, "gates[0].freezes[0].until", "must be after 'from'"));
    }

    @Test
    void rejectsMoreRequiredApprovalsThanUsersWhenNoGroupMayApprove() {
        String yaml = """
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
                        gate: production
                gates:
                  - name: production
                    approvals:
                      required: 3
                      users: [U0EXAMPLE1, U0EXAMPLE2]
                """;

        assertRejectedWith(yaml, new ConfigProblem(17, "gates[0].approvals.required",
                "3 approvals required but only 2 users may approve"));
    }

    @Test
    void acceptsMoreRequiredApprovalsThanUsersWhenAGroupMayApprove() {
        String yaml = """
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
                        gate: production
                gates:
                  - name: production
                    approvals:
                      required: 3
                      users: [U0EXAMPLE1, U0EXAMPLE2]
                      groups: [S0EXAMPLEOPS]
                """;

        GantryConfig config = ConfigLoader.parse(yaml, "gantry.yml");

        assertThat(config.gates().get(0).approvals().required()).isEqualTo(3);
    }

    @Test
    void rejectsAccountIdThatIsNotTwelveDigitsAskingForQuotes() {
        String yaml = """
                version: 1
                services:
                  - name: app
                    repository: team/app
                    tagPolicy:
                      exact: stable
                    environments:
                      - name: staging
                        account: 11111111111
                        region: eu-west-1
                        cluster: main
                        service: app
                """;

        assertRejectedWith(yaml, new ConfigProblem(9, "services[0].environments[0].account",
                "'11111111111' is not a 12-digit AWS account id, quoted"));
    }

    // YAML reads an unquoted account id as a number; a leading zero must survive that.
    @ParameterizedTest
    @ValueSource(strings = {"111111111111", "012345678901"})
    void readsUnquotedAccountIdAsItsDigits(String account) {
        String yaml = """
                version: 1
                services:
                  - name: app
                    repository: team/app
                    tagPolicy:
                      exact: stable
                    environments:
                      - name: staging
                        account: %s
                        region: eu-west-1
                        cluster: main
                        service: app
                """.formatted(account);

        GantryConfig config = ConfigLoader.parse(yaml, "gantry.yml");

        assertThat(config.services().get(0).environments().get(0).account()).isEqualTo(account);
    }

    @Test
    void rejectsMalformedRegion() {
        String yaml = """
                version: 1
                services:
                  - name: app
                    repository: team/app
                    tagPolicy:
                      exact: stable
                    environments:
                      - name: staging
                        account: "111111111111"
                        region: eu-west1
                        cluster: main
                        service: app
                """;

        assertRejectedWith(yaml, new ConfigProblem(10, "services[0].environments[0].region",
                "'eu-west1' is not an AWS region such as eu-west-1"));
    }

    @Test
    void rejectsUpperCaseEcrRepository() {
        String yaml = """
                version: 1
                services:
                  - name: app
                    repository: Team/App
                    tagPolicy:
                      exact: stable
                    environments:
                      - name: staging
                        account: "111111111111"
                        region: eu-west-1
                        cluster: main
                        service: app
                """;

        assertRejectedWith(yaml, new ConfigProblem(4, "services[0].repository",
                "'Team/App' is not an ECR repository name such as team/app (lower case)"));
    }

    @Test
    void rejectsMalformedRoleArn() {
        String yaml = """
                version: 1
                services:
                  - name: app
                    repository: team/app
                    tagPolicy:
                      exact: stable
                    environments:
                      - name: staging
                        account: "111111111111"
                        region: eu-west-1
                        cluster: main
                        service: app
                        taskRoleArn: arn:aws:iam::1111:role/app-task
                """;

        assertRejectedWith(yaml, new ConfigProblem(13, "services[0].environments[0].taskRoleArn",
                "'arn:aws:iam::1111:role/app-task' is not an IAM role ARN"));
    }

    @Test
    void rejectsInvalidYamlNamingItsLine() {
        String yaml = """
                version: 1
                baseImages: "golden/java21
                """;

        InvalidConfigException e = rejected(yaml);

        assertThat(e.problems()).singleElement().satisfies(p -> {
            assertThat(p.line()).isEqualTo(2);
            assertThat(p.field()).isEmpty();
            assertThat(p.message()).startsWith("not valid YAML: ");
        });
        assertThat(e.getMessage()).contains("gantry.yml:2: not valid YAML: ");
    }

    @Test
    
    void namesTheOffendingLineAndReasonOfAYamlSyntaxError() {
        String yaml = "version: 1\n\tservices: []\n";

        InvalidConfigException e = rejected(yaml);

        assertThat(e.problems()).singleElement().satisfies(p -> {
            assertThat(p.line()).isEqualTo(2);
            assertThat(p.message()).startsWith("not valid YAML: ").contains("TAB");
        });
    }

    @Test
    
    void reportsSyntaxErrorInsideAServiceAsInvalidYaml() {
        String yaml = """
                version: 1
                services:
                  - name: app
                   repository: team/app
                """;

        InvalidConfigException e = rejected(yaml);

        assertThat(e.problems()).singleElement().satisfies(p -> {
            assertThat(p.line()).isEqualTo(4);
            assertThat(p.message()).startsWith("not valid YAML: ");
        });
    }

    @Test
    void rejectsEmptyFile() {
        InvalidConfigException e = rejected("  \n\n");

        assertThat(e.problems()).containsExactly(new ConfigProblem(0, "", "the file is empty"));
        assertThat(e.getMessage()).isEqualTo("gantry.yml is invalid:\n  gantry.yml: the file is empty");
    }

    @ParameterizedTest
    @ValueSource(strings = {"---\n", "~\n", "null\n"})
    
    void rejectsDocumentWithoutContent(String yaml) {
        InvalidConfigException e = rejected(yaml);

        assertThat(e.problems()).singleElement().extracting(ConfigProblem::line).isEqualTo(0);
    }

    @Test
    void rejectsMissingFile(@TempDir Path dir) {
        Path missing = dir.resolve("gantry.yml");

        InvalidConfigException e = catchThrowableOfType(InvalidConfigException.class, () -> ConfigLoader.load(missing));

        assertThat(e.source()).isEqualTo(missing.toString());
        assertThat(e.problems()).containsExactly(new ConfigProblem(0, "", "no such file"));
        assertThat(e.getMessage()).isEqualTo(missing + " is invalid:\n  " + missing + ": no such file");
    }

    @Test
    void namesALoadedFileByItsFileName(@TempDir Path dir) throws IOException {
        Path file = Files.writeString(dir.resolve("gantry.yml"), "version: abc\n");

        InvalidConfigException e = catchThrowableOfType(InvalidConfigException.class, () -> ConfigLoader.load(file));

        assertThat(e.source()).isEqualTo("gantry.yml");
        assertThat(e.getMessage()).contains("gantry.yml:1: version: expected a whole number");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", " "})
    void rejectsEnvironmentWithoutGantryConfig(String value) {
        Map<String, String> environment = value.isEmpty() ? Map.of() : Map.of(ConfigLoader.CONFIG_ENV, value);

        InvalidConfigException e = catchThrowableOfType(InvalidConfigException.class,
                () -> ConfigLoader.fromEnvironment(environment));

        assertThat(e.source()).isEqualTo("GANTRY_CONFIG");
        assertThat(e.problems()).containsExactly(new ConfigProblem(0, "",
                "the environment variable is not set; it must name the gantry.yml file to load"));
    }

    @Test
    void rejectsAMinSteadyTheTimeoutNeverLeavesTimeFor() {
        String yaml = """
                version: 1
                services:
                  - name: app
                    repository: team/app
                    tagPolicy: { exact: stable }
                    environments:
                      - { name: staging, account: "111122223333", region: eu-west-1, cluster: c, service: app }
                      - { name: prod, account: "111122223333", region: eu-west-1, cluster: p, service: app, gate: production }
                gates:
                  - name: production
                    alarms: { names: [app-5xx] }
                    minSteady: 2h
                    timeout: 2h
                """;

        InvalidConfigException e = rejected(yaml);

        assertThat(e.problems()).containsExactly(new ConfigProblem(12, "gates[0].minSteady",
                "must be shorter than the gate's timeout (PT2H), or the gate can never pass"));
    }

    @Test
    void rejectsBlankAlarmNamesAndPrefixes() {
        String yaml = """
                version: 1
                services:
                  - name: app
                    repository: team/app
                    tagPolicy: { exact: stable }
                    environments:
                      - { name: staging, account: "111122223333", region: eu-west-1, cluster: c, service: app }
                      - { name: prod, account: "111122223333", region: eu-west-1, cluster: p, service: app, gate: production }
                gates:
                  - name: production
                    alarms:
                      names: [app-5xx, ""]
                      prefixes: [""]
                """;

        InvalidConfigException e = rejected(yaml);

        assertThat(e.problems()).containsExactly(
                new ConfigProblem(12, "gates[0].alarms.names[1]", "missing"),
                new ConfigProblem(13, "gates[0].alarms.prefixes[0]", "missing"));
    }

    @Test
    void reportsEveryProblemSortedByLine() {
        // Gates are checked before services, so only sorting puts the gate's problem last.
        String yaml = """
                version: 1
                services:
                  - name: app
                    repository: Team/App
                    tagPolicy:
                      exact: stable
                    environments:
                      - name: staging
                        account: "12345"
                        region: eu-west-1
                        service: app
                        gate: production
                gates:
                  - name: production
                    alarms:
                      names: [app-5xx]
                    interval: 0s
                """;

        InvalidConfigException e = rejected(yaml);

        assertThat(e.problems()).containsExactly(
                new ConfigProblem(4, "services[0].repository", "'Team/App' is not an ECR repository name such as team/app (lower case)"),
                new ConfigProblem(8, "services[0].environments[0].cluster", "missing"),
                new ConfigProblem(9, "services[0].environments[0].account", "'12345' is not a 12-digit AWS account id, quoted"),
                new ConfigProblem(17, "gates[0].interval", "must be longer than zero"));
        assertThat(e.getMessage()).isEqualTo("""
                gantry.yml is invalid (4 problems):
                  gantry.yml:4: services[0].repository: 'Team/App' is not an ECR repository name such as team/app (lower case)
                  gantry.yml:8: services[0].environments[0].cluster: missing
                  gantry.yml:9: services[0].environments[0].account: '12345' is not a 12-digit AWS account id, quoted
                  gantry.yml:17: gates[0].interval: must be longer than zero""");
    }

    private static final String ONE_GATED_ENVIRONMENT = """
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
                    gate: production
            gates:
              - name: production
                alarms:
                  names: [app-5xx]
            """;

    @Test
    void defaultsTheGateIntervalToOneMinuteAndTheTimeoutActionToFail() {
        GantryConfig config = ConfigLoader.parse(ONE_GATED_ENVIRONMENT, "gantry.yml");

        GateConfig gate = config.gates().get(0);
        assertThat(gate.interval()).isEqualTo(Duration.ofMinutes(1));
        assertThat(gate.onTimeout()).isEqualTo(GateConfig.TimeoutAction.FAIL);
    }

    @Test
    void readsTheGateIntervalAndTimeoutAction() {
        String yaml = ONE_GATED_ENVIRONMENT + """
                    interval: 30s
                    onTimeout: proceed
                """;

        GantryConfig config = ConfigLoader.parse(yaml, "gantry.yml");

        GateConfig gate = config.gates().get(0);
        assertThat(gate.interval()).isEqualTo(Duration.ofSeconds(30));
        assertThat(gate.onTimeout()).isEqualTo(GateConfig.TimeoutAction.PROCEED);
    }

    @ParameterizedTest
    @ValueSource(strings = {"fail", "FAIL", "Fail"})
    void readsTheTimeoutActionInAnyCase(String action) {
        String yaml = ONE_GATED_ENVIRONMENT + "    onTimeout: " + action + "\n";

        GantryConfig config = ConfigLoader.parse(yaml, "gantry.yml");

        assertThat(config.gates().get(0).onTimeout()).isEqualTo(GateConfig.TimeoutAction.FAIL);
    }

    @Test
    void rejectsTimeoutActionThatIsNeitherFailNorProceed() {
        String yaml = ONE_GATED_ENVIRONMENT + "    onTimeout: skip\n";

        assertRejectedWith(yaml, new ConfigProblem(18, "gates[0].onTimeout", "'skip' is not one of: fail, proceed"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"0s", "PT0S", "PT-1M"})
    void rejectsIntervalThatIsNotLongerThanZero(String interval) {
        String yaml = ONE_GATED_ENVIRONMENT + "    interval: " + interval + "\n";

        assertRejectedWith(yaml, new ConfigProblem(18, "gates[0].interval", "must be longer than zero"));
    }

    @Test
    void rejectsSoakOnTheServicesFirstEnvironment() {
        String yaml = """
                version: 1
                services:
                  - name: app
                    repository: team/app
                    tagPolicy:
                      exact: stable
                    environments:
                      - name: staging
                        account: "111111111111"
                        region: eu-west-1
                        cluster: main
                        service: app-staging
                        gate: production
                      - name: prod
                        account: "111111111111"
                        region: eu-west-1
                        cluster: main
                        service: app
                        gate: production
                gates:
                  - name: production
                    soak: 30m
                """;

        assertRejectedWith(yaml, new ConfigProblem(13, "services[0].environments[0].gate",
                "gate 'production' has a soak, but staging is the service's first environment: "
                        + "a release soaks in the environment before the gated one"));
    }

    @Test
    void rejectsSoakOnlyWhereItIsTheFirstEnvironmentOfItsOwnService() {
        String yaml = """
                version: 1
                services:
                  - name: app
                    repository: team/app
                    tagPolicy:
                      exact: stable
                    environments:
                      - name: staging
                        account: "111111111111"
                        region: eu-west-1
                        cluster: main
                        service: app-staging
                      - name: prod
                        account: "111111111111"
                        region: eu-west-1
                        cluster: main
                        service: app
                        gate: production
                  - name: worker
                    repository: team/worker
                    tagPolicy:
                      exact: stable
                    environments:
                      - name: prod
                        account: "111111111111"
                        region: eu-west-1
                        cluster: main
                        service: worker
                        gate: production
                gates:
                  - name: production
                    soak: 30m
                """;

        assertRejectedWith(yaml, new ConfigProblem(29, "services[1].environments[0].gate",
                "gate 'production' has a soak, but prod is the service's first environment: "
                        + "a release soaks in the environment before the gated one"));
    }

    @Test
    void acceptsSoakAfterAnEarlierEnvironment() {
        String yaml = """
                version: 1
                services:
                  - name: app
                    repository: team/app
                    tagPolicy:
                      exact: stable
                    environments:
                      - name: staging
                        account: "111111111111"
                        region: eu-west-1
                        cluster: main
                        service: app-staging
                        gate: checked
                      - name: prod
                        account: "111111111111"
                        region: eu-west-1
                        cluster: main
                        service: app
                        gate: production
                gates:
                  - name: checked
                    alarms:
                      names: [app-staging-5xx]
                  - name: production
                    soak: 30m
                """;

        GantryConfig config = ConfigLoader.parse(yaml, "gantry.yml");

        assertThat(config.gate("production").orElseThrow().soak()).isEqualTo(Duration.ofMinutes(30));
    }

    private static final String SLACK_PEOPLE = """
            version: 1
            services:
              - name: app
                repository: team/app
                tagPolicy:
                  exact: stable
                environments:
                  - name: staging
                    account: "111111111111"
                    region: eu-west-1
                    cluster: main
                    service: app
            slack:
              defaultChannel: "#releases"
              people:
            """;

    @Test
    void readsTheOtherNamesOfSlackUsers() {
        String yaml = SLACK_PEOPLE + """
                    U024BE7LH:
                      - jane.doe@example.com
                      - arn:aws:iam::111111111111:role/jane
                    W012A3CDE: [ci-bot]
                """;

        GantryConfig config = ConfigLoader.parse(yaml, "gantry.yml");

        assertThat(config.slack().people()).containsOnly(
                Map.entry("U024BE7LH", List.of("jane.doe@example.com", "arn:aws:iam::111111111111:role/jane")),
                Map.entry("W012A3CDE", List.of("ci-bot")));
        assertThat(config.slack().slackUsersFor(List.of("Jane.Doe@Example.com"))).containsExactly("U024BE7LH");
    }

    @Test
    void slackPeopleAreOptional() {
        String yaml = SLACK_PEOPLE.replace("  people:\n", "");

        GantryConfig config = ConfigLoader.parse(yaml, "gantry.yml");

        assertThat(config.slack().people()).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"u024be7lh", "jane", "U024", "C024BE7LH", "U024BE7L-H"})
    void rejectsPeopleKeyedByWhatIsNotASlackUserId(String user) {
        String yaml = SLACK_PEOPLE + "    " + user + ": [jane.doe@example.com]\n";

        assertRejectedWith(yaml, new ConfigProblem(16, "slack.people." + user, "'" + user + "' is not a Slack user id such as U024BE7LH"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"[]", "[ ]"})
    void rejectsPersonWithoutOtherNames(String aliases) {
        String yaml = SLACK_PEOPLE + "    U024BE7LH: " + aliases + "\n";

        assertRejectedWith(yaml, new ConfigProblem(16, "slack.people.U024BE7LH",
                "list the other names this person goes by (commit e-mail, IAM ARN)"));
    }

    @Test
    void reportsBothProblemsOfAPersonWithABadIdAndNoOtherNames() {
        String yaml = SLACK_PEOPLE + "    jane: []\n";

        InvalidConfigException e = rejected(yaml);

        assertThat(e.problems()).containsExactlyInAnyOrder(
                new ConfigProblem(16, "slack.people.jane", "'jane' is not a Slack user id such as U024BE7LH"),
                new ConfigProblem(16, "slack.people.jane", "list the other names this person goes by (commit e-mail, IAM ARN)"));
    }

    // A null name used to pass validation and then fail every gate evaluation that looked up who triggered a release.
    @ParameterizedTest
    @ValueSource(strings = {"~", "''", "'  '"})
    void rejectsAnEmptyOtherName(String name) {
        String yaml = SLACK_PEOPLE + """
                    U024BE7LH:
                      - jane.doe@example.com
                      - %s
                """.formatted(name);

        assertRejectedWith(yaml, new ConfigProblem(18, "slack.people.U024BE7LH[1]", "missing: an empty name stands for nobody"));
    }

    private static final String REBUILD_BASE = """
            version: 1
            baseImages:
              - name: golden
                repository: golden/java21
                dependents:
                  - name: app-image
                    codebuild: app-image
                    produces: team/app
            """;

    @Test
    void readsRebuildScheduleImagePipelinesAndConcurrency() {
        String yaml = """
                version: 1
                rebuilds:
                  maxConcurrentBuilds: 25
                baseImages:
                  - name: golden
                    repository: golden/java21
                    schedule:
                      cron: "0 3 * * MON"
                      timezone: Europe/Berlin
                    imageBuilderPipelines:
                      - arn:aws:imagebuilder:eu-west-1:111111111111:image-pipeline/golden-java21
                    dependents:
                      - name: app-image
                        codebuild: app-image
                        produces: team/app
                """;

        GantryConfig config = ConfigLoader.parse(yaml, "gantry.yml");

        BaseImageConfig base = config.baseImages().get(0);
        assertThat(base.schedule()).isEqualTo(new BaseImageConfig.Schedule("0 3 * * MON", ZoneId.of("Europe/Berlin")));
        assertThat(base.imageBuilderPipelines()).containsExactly("arn:aws:imagebuilder:eu-west-1:111111111111:image-pipeline/golden-java21");
        assertThat(config.rebuilds().maxConcurrentBuilds()).isEqualTo(25);
    }

    @Test
    void appliesRebuildDefaults() {
        GantryConfig config = ConfigLoader.parse(REBUILD_BASE, "gantry.yml");

        assertThat(config.rebuilds().maxConcurrentBuilds()).isEqualTo(10);
        assertThat(config.baseImages().get(0).schedule()).isNull();
        assertThat(config.baseImages().get(0).imageBuilderPipelines()).isEmpty();
        assertThat(new BaseImageConfig.Schedule("0 3 * * MON", null).timezone()).isEqualTo(ZoneId.of("UTC"));
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 61, -1})
    void rejectsConcurrentBuildsOutsideWhatCodeBuildRuns(int max) {
        String yaml = REBUILD_BASE + """
                rebuilds:
                  maxConcurrentBuilds: %d
                """.formatted(max);

        assertRejectedWith(yaml, new ConfigProblem(10, "rebuilds.maxConcurrentBuilds", "must be 1 to 60, was " + max
                + ": CodeBuild runs at most 60 builds at once in an account by default"));
    }

    @Test
    void rejectsInvalidRebuildScheduleNamingItsLine() {
        String yaml = """
                version: 1
                baseImages:
                  - name: golden
                    repository: golden/java21
                    schedule:
                      cron: "0 3 * *"
                    dependents:
                      - name: app-image
                        codebuild: app-image
                        produces: team/app
                """;

        assertRejected(yaml, 6, "baseImages[0].schedule.cron", "invalid cron expression '0 3 * *': ");
    }

    @Test
    void rejectsRebuildScheduleWithoutCron() {
        String yaml = """
                version: 1
                baseImages:
                  - name: golden
                    repository: golden/java21
                    schedule:
                      timezone: UTC
                    dependents:
                      - name: app-image
                        codebuild: app-image
                        produces: team/app
                """;

        // A missing key has no line of its own: the problem points at the block that lacks it.
        assertRejectedWith(yaml, new ConfigProblem(5, "baseImages[0].schedule.cron", "missing"));
    }

    @Test
    void rejectsImageBuilderPipelineThatIsNotAPipelineArn() {
        String yaml = """
                version: 1
                baseImages:
                  - name: golden
                    repository: golden/java21
                    imageBuilderPipelines:
                      - arn:aws:imagebuilder:eu-west-1:111111111111:image/golden-java21/1.0.0/4
                    dependents:
                      - name: app-image
                        codebuild: app-image
                        produces: team/app
                """;

        assertRejectedWith(yaml, new ConfigProblem(6, "baseImages[0].imageBuilderPipelines[0]",
                "'arn:aws:imagebuilder:eu-west-1:111111111111:image/golden-java21/1.0.0/4' is not an EC2 Image Builder image "
                        + "pipeline ARN (arn:aws:imagebuilder:<region>:<account>:image-pipeline/<name>)"));
    }

    @Test
    void rejectsImageBuilderPipelineListedForTwoBaseImages() {
        String yaml = """
                version: 1
                baseImages:
                  - name: golden
                    repository: golden/java21
                    imageBuilderPipelines:
                      - arn:aws:imagebuilder:eu-west-1:111111111111:image-pipeline/golden
                    dependents:
                      - name: app-image
                        codebuild: app-image
                        produces: team/app
                  - name: golden-debug
                    repository: golden/java21
                    tag: debug
                    imageBuilderPipelines:
                      - arn:aws:imagebuilder:eu-west-1:111111111111:image-pipeline/golden
                    dependents:
                      - name: debug-image
                        codebuild: debug-image
                        produces: team/debug
                """;

        assertRejectedWith(yaml, new ConfigProblem(15, "baseImages[1].imageBuilderPipelines[0]",
                "image pipeline arn:aws:imagebuilder:eu-west-1:111111111111:image-pipeline/golden is already listed at line 6"));
    }

    private static InvalidConfigException rejected(String yaml) {
        InvalidConfigException e = catchThrowableOfType(InvalidConfigException.class, () -> ConfigLoader.parse(yaml, "gantry.yml"));
        assertThat(e).as("the document should have been rejected").isNotNull();
        assertThat(e.source()).isEqualTo("gantry.yml");
        return e;
    }

    /** The document has exactly this one problem, and the message says so as a person reads it. */
    private static void assertRejectedWith(String yaml, ConfigProblem expected) {
        InvalidConfigException e = rejected(yaml);

        assertThat(e.problems()).containsExactly(expected);
        assertThat(e.getMessage()).isEqualTo("gantry.yml is invalid:\n  gantry.yml:" + expected.line() + ": "
                + expected.field() + ": " + expected.message());
    }

    /** For messages partly worded by a library: the line and field exactly, the words as fragments. */
    private static void assertRejected(String yaml, int line, String field, String... words) {
        InvalidConfigException e = rejected(yaml);

        assertThat(e.problems()).singleElement().satisfies(p -> {
            assertThat(p.line()).isEqualTo(line);
            assertThat(p.field()).isEqualTo(field);
            assertThat(p.message()).contains(List.of(words));
        });
        assertThat(e.getMessage()).contains("gantry.yml:" + line + ": " + field + ": ").contains(List.of(words));
    }
}
