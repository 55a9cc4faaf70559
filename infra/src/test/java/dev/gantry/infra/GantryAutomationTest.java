package dev.gantry.infra;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gantry.core.config.GantryConfig;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awscdk.App;
import software.amazon.awscdk.AppProps;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.assertions.Template;

class GantryAutomationTest {

    private static final String BOT_TOKEN_SECRET = "arn:aws:secretsmanager:eu-west-1:111111111111:secret:gantry/slack-bot-token-AbCdEf";
    private static final String SIGNING_SECRET = "arn:aws:secretsmanager:eu-west-1:111111111111:secret:gantry/slack-signing-AbCdEf";

    @TempDir
    Path dir;

    @Test
    void anotherAppAddsAllOfGantryUnderAnIdOfItsOwn() {
        Stack stack = new Stack(new App(), "Platform");
        GantryAutomation gantry = new GantryAutomation(stack, "Releases", example().build());
        Template template = Template.fromStack(stack);

        assertThat(gantry.getEcsDeploy()).isPresent();
        assertThat(gantry.getReleaseGates()).isPresent();
        assertThat(gantry.getImageRebuild()).isPresent();
        assertThat(gantry.getChatOps()).isEmpty();
        assertThat(gantry.getReleasePipelines()).isEmpty();
        template.resourceCountIs("AWS::DynamoDB::Table", 1);
        // Under another id the logical ids carry it: Gantry's own stack uses 'Default' so that its ids carry none.
        assertThat(template.findResources("AWS::DynamoDB::Table")).allSatisfy((id, table) -> assertThat(id).startsWith("ReleasesState"));
    }

    @Test
    void whatTheConfigurationDoesNotAskForIsNotBuilt() {
        Stack stack = new Stack(new App(), "Platform");
        GantryAutomation gantry = new GantryAutomation(stack, "Gantry", GantryAutomationProps.builder()
                .config(TestConfigs.parse(TestConfigs.WITHOUT_SERVICES))
                .configFile(TestConfigs.write(dir, "gantry.yml", TestConfigs.WITHOUT_SERVICES))
                .imageRebuildJar(TestConfigs.write(dir, "image-rebuild.jar", "stand-in"))
                .build());

        assertThat(gantry.getEcsDeploy()).isEmpty();
        assertThat(gantry.getReleaseGates()).isEmpty();
        assertThat(gantry.getImageRebuild()).isPresent();
        Template.fromStack(stack).resourceCountIs("AWS::Events::EventBusPolicy", 0);
    }

    @Test
    void eachAccountReachedThroughARoleMayPutEventsOnTheDefaultBus() {
        Stack stack = new Stack(new App(), "Platform");
        new GantryAutomation(stack, "Gantry", GantryAutomationProps.builder()
                .config(TestConfigs.parse(TestConfigs.WITH_ROLES))
                .configFile(TestConfigs.write(dir, "gantry.yml", TestConfigs.WITH_ROLES))
                .ecsDeployJar(TestConfigs.fakeJar(dir, "roles"))
                .build());
        Template template = Template.fromStack(stack);

        template.resourceCountIs("AWS::Events::EventBusPolicy", 2);
        for (String account : List.of("333333333333", "444444444444")) {
            template.hasResourceProperties("AWS::Events::EventBusPolicy", Map.of(
                    "EventBusName", "default",
                    "StatementId", "GantryEnvironment-" + account,
                    "Action", "events:PutEvents",
                    "Principal", account));
        }
    }

    @Test
    void aMissingJarIsNamedWithWhatNeedsIt() {
        assertThatThrownBy(() -> example().ecsDeployJar(null).build())
                .isInstanceOf(NullPointerException.class)
                .hasMessage("ecsDeployJar is required: the configuration declares services");
        assertThatThrownBy(() -> example().releaseGateJar(null).build())
                .hasMessage("releaseGateJar is required: an environment names a gate");
        assertThatThrownBy(() -> example().imageRebuildJar(null).build())
                .hasMessage("imageRebuildJar is required: the configuration declares base images");
        assertThatThrownBy(() -> example().slackBotTokenSecretArn(BOT_TOKEN_SECRET).slackSigningSecretArn(SIGNING_SECRET).build())
                .hasMessage("chatOpsJar is required with slackSigningSecretArn");
        assertThatThrownBy(() -> example().slackBotTokenSecretArn(BOT_TOKEN_SECRET).slackSigningSecretArn(SIGNING_SECRET)
                        .chatOpsJar(dir.resolve("chatops.jar")).build())
                .isInstanceOf(NullPointerException.class)
                .hasMessage("slackInteractionsJar is required with slackSigningSecretArn");
    }

    @Test
    void chatOpsShipsSlackInteractionsFromTheSlackInteractionsJar() {
        Path outdir = dir.resolve("cdk.out");
        Stack stack = new Stack(new App(AppProps.builder().outdir(outdir.toString()).build()), "Platform");
        Path interactionsJar = ChatOpsTest.fakeSlackInteractionsJar(dir);

        new GantryAutomation(stack, "Gantry", example()
                .slackBotTokenSecretArn(BOT_TOKEN_SECRET)
                .slackSigningSecretArn(SIGNING_SECRET)
                .chatOpsJar(ChatOpsTest.fakeChatOpsJar(dir))
                .slackInteractionsJar(interactionsJar)
                .build());

        TemplateJson json = new TemplateJson(Template.fromStack(stack));
        Object key = json.resources("AWS::Lambda::Function").values().stream().map(TemplateJson::properties)
                .filter(f -> ChatOps.INTERACTIONS_HANDLER.equals(f.get("Handler")))
                .map(f -> TemplateJson.map(f.get("Code")).get("S3Key"))
                .findFirst().orElseThrow();
        assertThat(outdir.resolve("asset." + key.toString().replace(".zip", "")).resolve("lib/" + ChatOps.INTERACTIONS_JAR_NAME))
                .hasSameBinaryContentAs(interactionsJar);
    }

    @Test
    void halfAChatOpsOrASecretValueIsRefusedWithoutRepeatingTheValue() {
        assertThatThrownBy(() -> example().slackSigningSecretArn(SIGNING_SECRET).chatOpsJar(dir.resolve("chatops.jar")).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("ChatOps needs slackBotTokenSecretArn beside slackSigningSecretArn");
        String pasted = "not-a-real-signing-secret-0123456789";
        assertThatThrownBy(() -> example().slackSigningSecretArn(pasted).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("never its value")
                .message().doesNotContain(pasted);
    }

    @Test
    void releasePipelineSourcesMustBeComplete() {
        assertThatThrownBy(() -> example().sourceRepositories(Map.of("payments-api", "acme/payments")).build())
                .hasMessage("sourceRepositories needs sourceConnectionArn, the connection to GitHub they are read through");
        assertThatThrownBy(() -> example().releasePipelines(List.of("payments-api"))
                .sourceConnectionArn("arn:aws:codestar-connections:eu-west-1:111111111111:connection/0000-example").build())
                .hasMessageContaining("missing for: payments-api");
        assertThatThrownBy(() -> example().releasePipelines(List.of("payments-api", "payments-api")).build())
                .hasMessage("releasePipelines names a service twice: payments-api,payments-api");
    }

    @Test
    void releasePipelinesShareOneSourceBucket() {
        Stack stack = new Stack(new App(), "Platform");
        GantryAutomation gantry = new GantryAutomation(stack, "Gantry", example().releasePipelines(List.of("payments-api")).build());

        assertThat(gantry.getReleasePipelines()).hasSize(1);
        assertThat(gantry.getReleaseSourceBucket()).isPresent();
        Template.fromStack(stack).resourceCountIs("AWS::CodePipeline::Pipeline", 1);
    }

    private GantryAutomationProps.Builder example() {
        GantryConfig config = TestConfigs.example();
        return GantryAutomationProps.builder()
                .config(config)
                .configFile(TestConfigs.EXAMPLE)
                .ecsDeployJar(TestConfigs.fakeJar(dir, "example"))
                .releaseGateJar(TestConfigs.fakeReleaseGateJar(dir, "example"))
                .imageRebuildJar(TestConfigs.write(dir, "gantry-image-rebuild-lambda.jar", "stand-in"));
    }
}
