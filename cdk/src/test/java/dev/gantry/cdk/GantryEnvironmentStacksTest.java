package dev.gantry.cdk;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awscdk.App;
import software.amazon.awscdk.AppProps;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.assertions.Template;

/** The app's stacks for a configuration whose production runs in other accounts, reached through roles. */
class GantryEnvironmentStacksTest {

    private static final Path CDK_DIR = Path.of("").toAbsolutePath();

    /** Staging in Gantry's account; production in two other accounts, one of them in two regions. */
    private static final String MULTI_ACCOUNT = """
            version: 1
            services:
              - name: orders
                repository: team/orders
                tagPolicy:
                  glob: "v*"
                environments:
                  - name: staging
                    account: "111111111111"
                    region: eu-west-1
                    cluster: staging
                    service: orders
                  - name: prod-eu
                    account: "333333333333"
                    region: eu-west-1
                    cluster: prod
                    service: orders
                    roleArn: arn:aws:iam::333333333333:role/gantry-deployer
                  - name: prod-us
                    account: "333333333333"
                    region: us-east-1
                    cluster: prod
                    service: orders
                    roleArn: arn:aws:iam::333333333333:role/gantry-deployer
              - name: billing
                repository: team/billing
                tagPolicy:
                  exact: stable
                environments:
                  - name: prod
                    account: "444444444444"
                    region: eu-west-1
                    cluster: prod
                    service: billing
                    roleArn: arn:aws:iam::444444444444:role/gantry-deployer
            """;

    @TempDir
    Path dir;

    private Path config;
    private Path ecsDeployJar;

    @BeforeEach
    void files() throws IOException {
        config = Files.writeString(dir.resolve("gantry.yml"), MULTI_ACCOUNT);
        ecsDeployJar = Files.writeString(dir.resolve("ecs-deploy.jar"), "stand-in for the shaded jar");
    }

    @Test
    void eachAccountAndRegionReachedThroughARoleGetsAStackBesideGantrys() {
        App app = app(Map.of(GantryApp.GANTRY_ACCOUNT_CONTEXT, "111111111111", GantryApp.GANTRY_REGION_CONTEXT, "eu-west-1"));

        int status = GantryApp.run(app, Map.of(), CDK_DIR, System.err);

        assertThat(status).isZero();
        List<Stack> stacks = app.getNode().getChildren().stream().filter(Stack.class::isInstance).map(Stack.class::cast).toList();
        assertThat(stacks).extracting(Stack::getStackName).containsExactly(
                "Gantry-333333333333-eu-west-1", "Gantry-333333333333-us-east-1", "Gantry-444444444444-eu-west-1", "Gantry");
        Stack euWest = stacks.get(0);
        assertThat(euWest.getAccount()).isEqualTo("333333333333");
        assertThat(euWest.getRegion()).isEqualTo("eu-west-1");
        // The shared role is created once, in its first region; each region forwards its own events.
        Template.fromStack(euWest).resourcePropertiesCountIs("AWS::IAM::Role", Map.of("RoleName", "gantry-deployer"), 1);
        Template.fromStack(stacks.get(1)).resourcePropertiesCountIs("AWS::IAM::Role", Map.of("RoleName", "gantry-deployer"), 0);
        Template.fromStack(stacks.get(1)).resourceCountIs("AWS::Events::Rule", 3);
        // Gantry's own stack accepts their events and lives where the context says.
        Stack gantry = stacks.get(3);
        assertThat(gantry.getAccount()).isEqualTo("111111111111");
        Template.fromStack(gantry).resourceCountIs("AWS::Events::EventBusPolicy", 2);
    }

    @Test
    void noStackLooksAnythingUpSoTheCommittedContextFileStaysEmpty() throws IOException {
        App app = app(Map.of(GantryApp.GANTRY_ACCOUNT_CONTEXT, "111111111111", GantryApp.GANTRY_REGION_CONTEXT, "eu-west-1"));
        GantryApp.run(app, Map.of(), CDK_DIR, System.err);

        // A lookup would make the CLI write its answer into cdk.context.json, and a synth would then depend on the account
        // it first ran against. Everything comes from gantry.yml instead.
        assertThat(app.synth().getManifest().getMissing()).isNullOrEmpty();
        assertThat(Files.readString(CDK_DIR.resolve("cdk.context.json")).strip()).isEqualTo("{}");
    }

    @Test
    void withoutGantrysAccountTheRolesCannotBeWrittenAndSynthesisSaysHowToNameIt() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();

        int status = GantryApp.run(app(Map.of()), Map.of(), CDK_DIR, new PrintStream(err, true, StandardCharsets.UTF_8));

        assertThat(status).isEqualTo(1);
        assertThat(err.toString(StandardCharsets.UTF_8))
                .contains("account(s) 333333333333, 444444444444 through a roleArn")
                .contains("-c gantryAccount=<12-digit id> -c gantryRegion=<region>")
                .doesNotContain("Exception");
        assertThat(dir.resolve("cdk.out/manifest.json")).doesNotExist();
    }

    @Test
    void theCliDefaultsNameGantrysAccountWhenNoContextDoes() {
        App app = app(Map.of());

        int status = GantryApp.run(app, Map.of("CDK_DEFAULT_ACCOUNT", "111111111111", "CDK_DEFAULT_REGION", "eu-west-1"), CDK_DIR,
                System.err);

        assertThat(status).isZero();
        assertThat(app.getNode().getChildren().stream().filter(Stack.class::isInstance)).hasSize(4);
    }

    @Test
    void aMalformedGantryAccountIsRefusedByName() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();

        int status = GantryApp.run(app(Map.of(GantryApp.GANTRY_ACCOUNT_CONTEXT, "gantry", GantryApp.GANTRY_REGION_CONTEXT, "eu-west-1")),
                Map.of(), CDK_DIR, new PrintStream(err, true, StandardCharsets.UTF_8));

        assertThat(status).isEqualTo(1);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("-c gantryAccount must be a 12-digit AWS account id, was 'gantry'");
    }

    private App app(Map<String, String> extra) {
        Map<String, Object> context = new LinkedHashMap<>();
        context.put(GantryApp.CONFIG_CONTEXT, config.toString());
        context.put(GantryApp.ECS_DEPLOY_JAR_CONTEXT, ecsDeployJar.toString());
        context.putAll(extra);
        return new App(AppProps.builder().outdir(dir.resolve("cdk.out").toString()).context(context).build());
    }
}
