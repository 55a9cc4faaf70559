package dev.gantry.cdk;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gantry.testing.ReliabilityFigures;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awscdk.App;
import software.amazon.awscdk.AppProps;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.assertions.Template;

/**
 * Every identity policy of every stack, with everything turned on and an environment in another account: no action
 * wildcard, a resource wildcard only for the actions listed with their reasons, and {@code iam:PassRole} only to ECS
 * tasks. Key policies are resource policies and are left to cdk-nag: the CDK gives the account's root {@code kms:*} on a
 * key it creates, without which the key could not be managed at all.
 */
class IamPolicyTest {

    private static final Path CDK_DIR = Path.of("").toAbsolutePath();
    private static final Path EXAMPLE = CDK_DIR.getParent().resolve("examples/gantry.yml");

    private static final String NO_RESOURCE_TYPE = "the Service Authorization Reference lists no resource type for it: AWS "
            + "evaluates it against \"*\" only";

    /** The actions allowed on "*", each with the reason. */
    private static final Map<String, String> ACTIONS_ON_ANY_RESOURCE = Map.ofEntries(
            Map.entry("ecs:DescribeTaskDefinition", NO_RESOURCE_TYPE + "; a deploy copies the running revision"),
            Map.entry("ecs:RegisterTaskDefinition", NO_RESOURCE_TYPE + "; a deploy registers the copy pinned to the digest"),
            Map.entry("ecs:ListTaskDefinitions", NO_RESOURCE_TYPE + "; the cleanup lists a family's revisions"),
            Map.entry("ecs:DeregisterTaskDefinition", NO_RESOURCE_TYPE + "; the cleanup keeps keepRevisions of them"),
            Map.entry("codepipeline:PutJobSuccessResult", NO_RESOURCE_TYPE + "; the job id names the job"),
            Map.entry("codepipeline:PutJobFailureResult", NO_RESOURCE_TYPE + "; the job id names the job"),
            Map.entry("cloudwatch:DescribeAlarms", "CloudWatch returns composite alarms only to a permission on \"*\", and a gate "
                    + "watching a prefix must see every alarm under it, composite ones included"),
            Map.entry("ecr:GetAuthorizationToken", NO_RESOURCE_TYPE + "; the build's push itself is allowed on its one repository"),
            Map.entry("lambda:ListFunctions", NO_RESOURCE_TYPE + "; the CDK's CodePipeline Lambda invoke action needs it"),
            Map.entry("xray:PutTraceSegments", NO_RESOURCE_TYPE + "; active tracing sends the functions' segments"),
            Map.entry("xray:PutTelemetryRecords", NO_RESOURCE_TYPE + "; active tracing sends the X-Ray daemon's telemetry"));

    @TempDir
    static Path dir;

    private static final List<Map<String, Object>> statements = new ArrayList<>();

    @BeforeAll
    static void synthesizeEverything() throws IOException {
        String example = Files.readString(EXAMPLE);
        String checkoutStaging = "        taskRoleArn: arn:aws:iam::111111111111:role/checkout-web-task\n"
                + "        executionRoleArn: arn:aws:iam::111111111111:role/ecs-task-execution\n";
        assertThat(example).contains(checkoutStaging);
        Path config = Files.writeString(dir.resolve("gantry.yml"), example.replace(checkoutStaging, checkoutStaging
                + "      - name: prod\n"
                + "        account: \"222222222222\"\n"
                + "        region: us-east-1\n"
                + "        cluster: prod\n"
                + "        service: checkout-web\n"
                + "        taskRoleArn: arn:aws:iam::222222222222:role/checkout-web-task\n"
                + "        roleArn: arn:aws:iam::222222222222:role/gantry-deployer\n"));
        Map<String, Object> context = new LinkedHashMap<>();
        context.put(GantryApp.CONFIG_CONTEXT, config.toString());
        for (String jar : new String[] {GantryApp.ECS_DEPLOY_JAR_CONTEXT, GantryApp.RELEASE_GATE_JAR_CONTEXT,
                GantryApp.IMAGE_REBUILD_JAR_CONTEXT, GantryApp.CHATOPS_JAR_CONTEXT, GantryApp.SLACK_INTERACTIONS_JAR_CONTEXT}) {
            context.put(jar, Files.writeString(dir.resolve(jar + ".jar"), "stand-in").toString());
        }
        context.put(GantryApp.SLACK_SIGNING_SECRET_CONTEXT, "arn:aws:secretsmanager:eu-west-1:111111111111:secret:gantry/slack-signing-AbCdEf");
        context.put(GantryApp.SLACK_BOT_TOKEN_SECRET_CONTEXT, "arn:aws:secretsmanager:eu-west-1:111111111111:secret:gantry/slack-bot-token-AbCdEf");
        context.put(ReleasePipelineSettings.SERVICES_CONTEXT, "payments-api");
        context.put(GantryApp.GOLDEN_IMAGE_PIPELINES_CONTEXT, "golden-java21");
        context.put(GantryApp.GANTRY_ACCOUNT_CONTEXT, "111111111111");
        context.put(GantryApp.GANTRY_REGION_CONTEXT, "eu-west-1");
        App app = new App(AppProps.builder().outdir(dir.resolve("cdk.out").toString()).context(context).build());
        assertThat(GantryApp.run(app, Map.of(), CDK_DIR, System.err)).isZero();

        List<Stack> stacks = app.getNode().getChildren().stream().filter(Stack.class::isInstance).map(Stack.class::cast).toList();
        assertThat(stacks).extracting(Stack::getStackName).containsExactlyInAnyOrder("Gantry", "Gantry-222222222222-us-east-1");
        for (Stack stack : stacks) {
            @SuppressWarnings("unchecked")
            Map<String, Map<String, Object>> resources = (Map<String, Map<String, Object>>) Template.fromStack(stack).toJSON().get("Resources");
            for (Map<String, Object> resource : resources.values()) {
                Map<?, ?> properties = (Map<?, ?>) resource.getOrDefault("Properties", Map.of());
                if ("AWS::IAM::Policy".equals(resource.get("Type"))) {
                    addStatements(properties.get("PolicyDocument"));
                } else if ("AWS::IAM::Role".equals(resource.get("Type")) && properties.get("Policies") instanceof List<?> inline) {
                    inline.forEach(policy -> addStatements(((Map<?, ?>) policy).get("PolicyDocument")));
                }
            }
        }
        assertThat(statements).hasSizeGreaterThan(50);
    }

    @SuppressWarnings("unchecked")
    private static void addStatements(Object document) {
        for (Object statement : (List<Object>) ((Map<String, Object>) document).get("Statement")) {
            statements.add((Map<String, Object>) statement);
        }
    }

    @Test
    void noStatementGrantsAnActionWildcard() {
        List<String> wildcards = statements.stream().flatMap(s -> actions(s).stream())
                .filter(action -> action.equals("*") || action.endsWith(":*")).toList();

        assertThat(wildcards).isEmpty();
        ReliabilityFigures.add("least privilege", "policy statements checked", statements.size());
        ReliabilityFigures.add("least privilege", "action wildcards", wildcards.size());
    }

    @Test
    void aResourceWildcardIsOnlyForActionsWithoutResourceLevelPermissions() {
        TreeSet<String> onAnyResource = new TreeSet<>();
        statements.stream().filter(s -> asList(s.get("Resource")).contains("*")).forEach(s -> onAnyResource.addAll(actions(s)));

        assertThat(onAnyResource).containsExactlyInAnyOrderElementsOf(ACTIONS_ON_ANY_RESOURCE.keySet());
        ReliabilityFigures.add("least privilege", "actions on any resource, each with its reason", onAnyResource.size());
    }

    @Test
    void passRoleIsOnlyToEcsTasks() {
        List<Map<String, Object>> passRole = statements.stream().filter(s -> actions(s).contains("iam:PassRole")).toList();

        assertThat(passRole).isNotEmpty().allSatisfy(s -> {
            assertThat(actions(s)).containsExactly("iam:PassRole");
            assertThat(s.get("Condition")).isEqualTo(Map.of("StringEquals", Map.of("iam:PassedToService", "ecs-tasks.amazonaws.com")));
            assertThat(asList(s.get("Resource"))).doesNotContain("*");
        });
        ReliabilityFigures.add("least privilege", "PassRole statements, all conditioned", passRole.size());
    }

    private static List<String> actions(Map<String, Object> statement) {
        return asList(statement.get("Action")).stream().map(String.class::cast).toList();
    }

    private static List<Object> asList(Object value) {
        return value instanceof List<?> list ? List.copyOf(list) : value == null ? List.of() : List.of(value);
    }
}
