package dev.gantry.aws;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gantry.core.config.ConfigLoader;
import dev.gantry.core.config.GantryConfig;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** When the gate functions look for the Slack bot token: only when a gate lets user groups approve and the stack named the secret. */
class GateAdaptersTest {

    private static final String SECRET_ARN = "arn:aws:secretsmanager:eu-west-1:111122223333:secret:gantry/slack-bot-token-AbCdEf";

    @Test
    void readsTheTokenWhenAGateListsGroupsAndTheSecretIsNamed() {
        assertThat(GateAdapters.slackBotToken(config("groups: [S0EXAMPLE1]"), clients(SECRET_ARN))).isPresent();
    }

    @Test
    void doesWithoutWhenTheSecretIsNotNamed() {
        assertThat(GateAdapters.slackBotToken(config("groups: [S0EXAMPLE1]"), clients(null))).isEmpty();
    }

    @Test
    void doesWithoutWhenNoGateListsGroupsEvenIfTheSecretIsNamed() {
        assertThat(GateAdapters.slackBotToken(config("users: [U0EXAMPLE1]"), clients(SECRET_ARN))).isEmpty();
    }

    private static AwsClients clients(String secretArn) {
        Map<String, String> environment = new HashMap<>(Map.of("AWS_REGION", "eu-west-1", "AWS_ACCESS_KEY_ID", "testaccesskey",
                "AWS_SECRET_ACCESS_KEY", "test-secret-key"));
        if (secretArn != null) {
            environment.put(GateAdapters.SLACK_TOKEN_SECRET_ARN_ENV, secretArn);
        }
        return new AwsClients(environment);
    }

    private static GantryConfig config(String approvers) {
        return ConfigLoader.parse("""
                version: 1
                services:
                  - name: orders
                    repository: team/orders
                    tagPolicy: { glob: "v*" }
                    environments:
                      - { name: prod, account: "111122223333", region: eu-west-1, cluster: main, service: orders, gate: approved }
                gates:
                  - name: approved
                    approvals: { required: 1, %s }
                """.formatted(approvers), "gantry.yml");
    }
}
