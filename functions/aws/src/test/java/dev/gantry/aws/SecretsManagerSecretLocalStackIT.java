package dev.gantry.aws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.gantry.aws.SecretsManagerSecret.SecretUnavailableException;
import dev.gantry.testing.Fixtures;
import dev.gantry.testing.MutableClock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;

/**
 * The Slack bot token read from a secret in LocalStack's Secrets Manager, by ARN, as the gate functions build the
 * reader from {@value GateAdapters#SLACK_TOKEN_SECRET_ARN_ENV}; a rotation is picked up once the cached value is
 * fifteen minutes old.
 */
class SecretsManagerSecretLocalStackIT {

    private static final String FAKE_TOKEN = "fake-slack-bot-token-not-real";
    private static final String FAKE_ROTATED_TOKEN = "fake-slack-bot-token-rotated-not-real";

    private static final List<String> CREATED = new ArrayList<>();

    private static SecretsManagerClient secretsManager;

    @BeforeAll
    static void connect() {
        if (!LocalStack.isRunning("secretsmanager")) {
            // Every test is then skipped, saying why.
            return;
        }
        secretsManager = LocalStack.clients(Map.of()).secretsManager();
    }

    @AfterAll
    static void deleteSecrets() {
        if (secretsManager != null) {
            CREATED.forEach(arn -> secretsManager.deleteSecret(r -> r.secretId(arn).forceDeleteWithoutRecovery(true)));
            secretsManager.close();
        }
    }

    @BeforeEach
    void needsLocalStack() {
        LocalStack.assumeRunning("secretsmanager");
    }

    @Test
    void readsTheBotTokenFromTheSecretTheEnvironmentNames() {
        String secretArn = secret(FAKE_TOKEN);
        Supplier<String> botToken = GateAdapters.slackBotToken(Fixtures.exampleConfig(),
                LocalStack.clients(Map.of(GateAdapters.SLACK_TOKEN_SECRET_ARN_ENV, secretArn))).orElseThrow();

        String token = botToken.get();

        assertThat(token).isEqualTo(FAKE_TOKEN);
    }

    @Test
    void picksUpARotatedValueOnceTheCachedOneIsFifteenMinutesOld() {
        String secretArn = secret(FAKE_TOKEN);
        MutableClock clock = MutableClock.at("2026-11-23T10:00:00Z");
        SecretsManagerSecret secret = new SecretsManagerSecret(secretsManager, secretArn, clock);
        String before = secret.get();

        secretsManager.putSecretValue(r -> r.secretId(secretArn).secretString(FAKE_ROTATED_TOKEN));
        clock.advance(Duration.ofMinutes(15).minusSeconds(1));
        String cached = secret.get();
        clock.advance(Duration.ofSeconds(1));
        String reread = secret.get();

        assertThat(before).isEqualTo(FAKE_TOKEN);
        assertThat(cached).isEqualTo(FAKE_TOKEN);
        assertThat(reread).isEqualTo(FAKE_ROTATED_TOKEN);
    }

    @Test
    void namesASecretThatIsNotThereWithoutAnyValue() {
        String secretArn = secret(FAKE_TOKEN);
        String missingArn = secretArn.substring(0, secretArn.lastIndexOf(':') + 1) + "gantry/" + LocalStack.uniqueName("no-such-secret");

        Throwable failure = catchThrowable(new SecretsManagerSecret(secretsManager, missingArn)::get);

        assertThat(failure).isInstanceOf(SecretUnavailableException.class)
                .hasMessageContaining("GetSecretValue for " + missingArn + " was refused")
                .hasMessageContaining("ResourceNotFoundException");
        assertThat(failure.getMessage()).doesNotContain(FAKE_TOKEN);
    }

    /** A new secret holding {@code value}, deleted after the class. */
    private static String secret(String value) {
        String arn = secretsManager.createSecret(r -> r.name("gantry/" + LocalStack.uniqueName("slack-bot-token-it")).secretString(value)).arn();
        CREATED.add(arn);
        return arn;
    }
}
