package dev.gantry.infra;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gantry.core.config.GantryConfig;
import io.github.cdklabs.cdknag.AwsSolutionsChecks;
import io.github.cdklabs.cdknag.NagPackProps;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import software.amazon.awscdk.App;
import software.amazon.awscdk.Aspects;
import software.amazon.awscdk.Environment;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.StackProps;
import software.amazon.awscdk.assertions.Annotations;
import software.amazon.awscdk.assertions.Match;
import software.amazon.awscdk.assertions.Template;
import software.amazon.awscdk.cxapi.SynthesisMessage;

class GantryEnvironmentAccessTest {

    private static final String GANTRY_ACCOUNT = "111111111111";

    /** The same role in two regions of one account, and a second service beside it in the first region. */
    private static final String ONE_ROLE_TWO_REGIONS = """
            version: 1
            services:
              - name: orders
                repository: team/orders
                tagPolicy:
                  glob: "v*"
                environments:
                  - name: prod-us
                    account: "333333333333"
                    region: us-west-2
                    cluster: main
                    service: orders
                    taskRoleArn: arn:aws:iam::333333333333:role/orders-task
                    executionRoleArn: arn:aws:iam::333333333333:role/ecs-task-execution
                    roleArn: arn:aws:iam::333333333333:role/deploy/gantry-deployer
                  - name: prod-eu
                    account: "333333333333"
                    region: eu-west-1
                    cluster: main
                    service: orders
                    taskRoleArn: arn:aws:iam::333333333333:role/orders-task
                    roleArn: arn:aws:iam::333333333333:role/deploy/gantry-deployer
              - name: billing
                repository: team/billing
                tagPolicy:
                  exact: stable
                environments:
                  - name: prod
                    account: "333333333333"
                    region: eu-west-1
                    cluster: payments
                    service: billing
                    roleArn: arn:aws:iam::333333333333:role/deploy/gantry-deployer
            """;

    @Test
    void onlyAccountsReachedThroughARoleGetAStack() {
        GantryConfig config = TestConfigs.parse(TestConfigs.WITH_ROLES);

        // 222222222222 is reached with Gantry's own credentials: nothing to deploy there.
        assertThat(GantryEnvironmentAccess.environmentAccounts(config)).containsExactly("333333333333", "444444444444");
        assertThat(GantryEnvironmentAccess.environmentRegions(config, "333333333333")).containsExactly("us-west-2");
        assertThat(GantryEnvironmentAccess.environmentAccounts(TestConfigs.parse(TestConfigs.WITHOUT_ROLES))).isEmpty();
    }

    @Test
    void theRoleMayBeAssumedOnlyByGantrysFunctionRolesAndDoesOnlyWhatADeployDoes() {
        Template template = template(TestConfigs.WITH_ROLES, "333333333333", "us-west-2");

        template.resourceCountIs("AWS::IAM::Role", 2); // the deployer, and the one role EventBridge forwards with
        template.hasResourceProperties("AWS::IAM::Role", Map.of(
                "RoleName", "gantry-deployer",
                "Path", "/",
                "AssumeRolePolicyDocument", Map.of("Statement", List.of(Map.of(
                        "Action", "sts:AssumeRole",
                        "Effect", "Allow",
                        "Principal", Map.of("AWS", Match.anyValue()),
                        "Condition", Map.of("ArnLike", Map.of("aws:PrincipalArn",
                                Map.of("Fn::Join", List.of("", List.of("arn:", Map.of("Ref", "AWS::Partition"),
                                        ":iam::111111111111:role/Gantry-*"))))))))));
        String policy = policyJson(template);
        assertThat(policy)
                .contains("\"ecs:DescribeServices\",\"ecs:UpdateService\"")
                .contains(":ecs:us-west-2:333333333333:service/main/orders")
                .contains(":ecs:us-west-2:333333333333:service-revision/main/orders/*")
                .contains("{\"StringEquals\":{\"ecs:CreateAction\":\"RegisterTaskDefinition\"}}")
                .contains("\"Action\":\"iam:PassRole\",\"Condition\":{\"StringEquals\":{\"iam:PassedToService\":\"ecs-tasks.amazonaws.com\"}}")
                .contains("arn:aws:iam::333333333333:role/orders-task")
                // Another account's service, and the service reached with Gantry's own credentials, are not this role's.
                .doesNotContain("444444444444")
                .doesNotContain("222222222222")
                .doesNotContain("\"Action\":\"*\"")
                .doesNotContain("iam:*")
                .doesNotContain("ecs:*");
    }

    @Test
    void eventsOfTheServicesHereAreForwardedToGantrysBusWithADeadLetterQueue() {
        Template template = template(TestConfigs.WITH_ROLES, "333333333333", "us-west-2");

        template.resourceCountIs("AWS::Events::Rule", 3);
        Map<String, Object> busTarget = Map.of("Targets", List.of(Match.objectLike(Map.of(
                "Arn", Map.of("Fn::Join", List.of("", List.of("arn:", Map.of("Ref", "AWS::Partition"),
                        ":events:eu-west-1:111111111111:event-bus/default"))),
                "DeadLetterConfig", Match.objectLike(Map.of())))));
        template.resourcePropertiesCountIs("AWS::Events::Rule", busTarget, 3);
        template.hasResourceProperties("AWS::Events::Rule", Map.of("EventPattern", Map.of(
                "source", List.of("aws.ecs"),
                "detail-type", List.of("ECS Deployment State Change"),
                "resources", List.of(Map.of("Fn::Join", List.of("", List.of("arn:", Map.of("Ref", "AWS::Partition"),
                        ":ecs:us-west-2:333333333333:service/main/orders"))))),
                "State", "ENABLED"));
        template.hasResourceProperties("AWS::Events::Rule", Map.of("EventPattern", Map.of(
                "source", List.of("aws.ecr"),
                "detail-type", List.of("ECR Image Action"),
                "detail", Map.of("action-type", List.of("PUSH"), "result", List.of("SUCCESS"), "repository-name", List.of("team/orders")))));
        template.hasResourceProperties("AWS::Events::Rule", Map.of("EventPattern", Match.objectLike(Map.of(
                "detail-type", List.of("ECS Task State Change"),
                "detail", Match.objectLike(Map.of("lastStatus", List.of("STOPPED"), "group", List.of("service:orders")))))));
        template.hasResourceProperties("AWS::SQS::Queue", Map.of("SqsManagedSseEnabled", true, "MessageRetentionPeriod", 1_209_600));
    }

    @Test
    void aRoleSharedByTwoRegionsIsCreatedOnceInTheFirstAndHoldsBoth() {
        Template euWest = template(ONE_ROLE_TWO_REGIONS, "333333333333", "eu-west-1");
        Template usWest = template(ONE_ROLE_TWO_REGIONS, "333333333333", "us-west-2");

        euWest.resourcePropertiesCountIs("AWS::IAM::Role", Map.of("RoleName", "gantry-deployer", "Path", "/deploy/"), 1);
        usWest.resourcePropertiesCountIs("AWS::IAM::Role", Map.of("RoleName", "gantry-deployer"), 0);
        assertThat(policyJson(euWest))
                .contains(":ecs:eu-west-1:333333333333:service/main/orders")
                .contains(":ecs:us-west-2:333333333333:service/main/orders")
                .contains(":ecs:eu-west-1:333333333333:service/payments/billing");
        // Each region forwards its own events.
        usWest.resourceCountIs("AWS::Events::Rule", 3);
        assertThat(usWest.toJSON().toString()).doesNotContain("service/payments/billing");
    }

    @Test
    void onlyTheFindingsAnIamAndEventBridgeReaderWouldExpectRemain() {
        App app = new App();
        Stack stack = stack(app, TestConfigs.WITH_ROLES, "333333333333", "us-west-2");
        Aspects.of(app).add(new AwsSolutionsChecks(NagPackProps.builder().verbose(true).build()));
        app.synth();

        Map<String, String> findings = new TreeMap<>();
        for (SynthesisMessage message : Annotations.fromStack(stack).findError("*", Match.anyValue())) {
            String text = String.valueOf(message.getEntry().getData());
            findings.put(message.getId() + " " + text.substring(0, text.indexOf(": ")), text);
        }
        assertThat(findings.keySet()).containsExactlyInAnyOrder(
                // The Service Authorization Reference lists no resource type for the task-definition actions.
                "/Env/Access/Role-gantry-deployer/Resource AwsSolutions-IAM5[Resource::*]",
                // Revision ids exist only once a deployment starts; scoped to one cluster and service.
                "/Env/Access/Role-gantry-deployer/Resource AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:ecs:us-west-2:333333333333:service-revision/main/orders/*]",
                // Tagging is allowed only within RegisterTaskDefinition, whose revision numbers are not known.
                "/Env/Access/Role-gantry-deployer/Resource AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:ecs:us-west-2:333333333333:task-definition/*]",
                // The queue is itself the dead-letter queue of the forwarding rules.
                "/Env/Access/ForwardingDeadLetterQueue/Resource AwsSolutions-SQS3");
    }

    @Test
    void accountsMustBeTwelveDigitIds() {
        assertThatThrownBy(() -> GantryEnvironmentAccessProps.builder().config(TestConfigs.parse(TestConfigs.WITH_ROLES))
                .gantryAccount("gantry").gantryRegion("eu-west-1").account("333333333333").region("us-west-2").build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("gantryAccount must be a 12-digit AWS account id, was 'gantry'");
        assertThatThrownBy(() -> GantryEnvironmentAccessProps.builder().config(TestConfigs.parse(TestConfigs.WITH_ROLES))
                .gantryAccount(GANTRY_ACCOUNT).account("333333333333").region("us-west-2").build())
                .isInstanceOf(NullPointerException.class)
                .hasMessage("gantryRegion is required");
    }

    private static Template template(String yaml, String account, String region) {
        return Template.fromStack(stack(new App(), yaml, account, region));
    }

    private static Stack stack(App app, String yaml, String account, String region) {
        Stack stack = new Stack(app, "Env", StackProps.builder()
                .env(Environment.builder().account(account).region(region).build())
                .build());
        new GantryEnvironmentAccess(stack, "Access", GantryEnvironmentAccessProps.builder()
                .config(TestConfigs.parse(yaml))
                .gantryAccount(GANTRY_ACCOUNT)
                .gantryRegion("eu-west-1")
                .account(account)
                .region(region)
                .build());
        return stack;
    }

    private static String policyJson(Template template) {
        try {
            return new ObjectMapper().writeValueAsString(template.findResources("AWS::IAM::Role",
                    Map.of("Properties", Map.of("RoleName", "gantry-deployer"))).values().iterator().next());
        } catch (JsonProcessingException e) {
            throw new AssertionError(e);
        }
    }
}
