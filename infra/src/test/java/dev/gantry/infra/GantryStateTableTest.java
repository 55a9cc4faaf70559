package dev.gantry.infra;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awscdk.App;
import software.amazon.awscdk.RemovalPolicy;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.assertions.Template;

class GantryStateTableTest {

    // The logical id of a table created as "State" directly in a stack, as GantryStack does. A new logical id means
    // a new, empty table and an orphaned audit trail: if this fails, undo the change rather than update the value.
    private static final String PINNED_LOGICAL_ID = "StateEEDB6EBF";

    private static Template template;

    @BeforeAll
    static void synthesize() {
        Stack stack = new Stack(new App(), "Test");
        new GantryStateTable(stack, "State");
        template = Template.fromStack(stack);
    }

    @Test
    void logicalIdIsPinned() {
        assertThat(template.findResources("AWS::DynamoDB::Table")).containsOnlyKeys(PINNED_LOGICAL_ID);
    }

    @Test
    void keysArePkAndSkStrings() {
        template.hasResourceProperties("AWS::DynamoDB::Table", Map.of(
                "KeySchema", List.of(
                        Map.of("AttributeName", "pk", "KeyType", "HASH"),
                        Map.of("AttributeName", "sk", "KeyType", "RANGE")),
                "AttributeDefinitions", List.of(
                        Map.of("AttributeName", "pk", "AttributeType", "S"),
                        Map.of("AttributeName", "sk", "AttributeType", "S"))));
    }

    @Test
    void billsPerRequestWithPointInTimeRecoveryAndExpiresAtTtl() {
        template.hasResourceProperties("AWS::DynamoDB::Table", Map.of(
                "BillingMode", "PAY_PER_REQUEST",
                "PointInTimeRecoverySpecification", Map.of("PointInTimeRecoveryEnabled", true),
                "TimeToLiveSpecification", Map.of("AttributeName", "expiresAt", "Enabled", true)));
    }

    @Test
    void encryptedWithTheAwsManagedKey() {
        template.hasResourceProperties("AWS::DynamoDB::Table", Map.of(
                "SSESpecification", Map.of("SSEEnabled", true)));
        template.resourceCountIs("AWS::KMS::Key", 0);
    }

    @Test
    void retainedOnRemovalAndReplacement() {
        template.hasResource("AWS::DynamoDB::Table", Map.of(
                "DeletionPolicy", "Retain",
                "UpdateReplacePolicy", "Retain"));
    }

    @Test
    void removalPolicyCanBeRelaxedForThrowAwayStacks() {
        Stack stack = new Stack(new App(), "Scratch");
        new GantryStateTable(stack, "State", GantryStateTableProps.builder().removalPolicy(RemovalPolicy.DESTROY).build());

        Template.fromStack(stack).hasResource("AWS::DynamoDB::Table", Map.of("DeletionPolicy", "Delete"));
    }
}
