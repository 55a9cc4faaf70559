package dev.gantry.local;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gantry.testing.Fixtures;
import java.io.InputStream;
import java.net.ServerSocket;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * {@code --localstack}: the same release with its state, queues and Slack secrets in LocalStack, reached by the real
 * adapters through {@code AWS_ENDPOINT_URL}. LocalStack itself needs containers; here a loopback server answers at one
 * port as its edge endpoint does (DynamoDB through DynamoDB Local, SQS and Secrets Manager in memory).
 */
class LocalStackModeIT {

    @Test
    void playsTheReleaseWithStateQueuesAndSecretsInLocalStackAndCleansUp() throws Exception {
        try (LoopbackLocalStack localStack = new LoopbackLocalStack(Set.of("dynamodb", "sqs", "secretsmanager"))) {
            LocalRunIT.Printed printed = new LocalRunIT.Printed();

            int exit = run(printed, "--auto-approve", "--no-synth", "--port", "0", "--localstack=" + localStack.endpoint());

            String output = printed.out();
            assertThat(exit).as(output).isZero();
            assertThat(output)
                    .contains("AWS: state, queues and secrets in LocalStack at " + localStack.endpoint() + " (DynamoDB table gantry-local-")
                    .contains("7. approval clicked: Approve by U0LOCAL0001 (slack-interactions answered 200)")
                    .contains("9. release thread complete");
            // The releases, gates and threads were kept in its DynamoDB.
            assertThat(localStack.operationsOf("dynamodb")).contains("CreateTable", "PutItem", "Query", "DeleteTable");
            // News went through its FIFO queue and clicks through the request queue, each received and deleted.
            assertThat(localStack.operationsOf("sqs")).contains("CreateQueue", "SendMessage", "ReceiveMessage", "DeleteMessage", "DeleteQueue");
            // slack-interactions read the signing secret, the ChatOps functions the bot token, both from its Secrets Manager.
            assertThat(localStack.operationsOf("secretsmanager")).contains("CreateSecret", "GetSecretValue", "DeleteSecret");
            assertThat(localStack.operationsOf("secretsmanager").stream().filter("GetSecretValue"::equals).count()).isGreaterThanOrEqualTo(2);
            assertThat(localStack.secrets()).as("the run's secrets are deleted when it ends").isEmpty();
            assertThat(localStack.queueUrls()).as("the run's queues are deleted when it ends").isEmpty();
        }
    }

    @Test
    void saysHowToStartLocalStackWhenNoneAnswers() throws Exception {
        int closed;
        try (ServerSocket socket = new ServerSocket(0)) {
            closed = socket.getLocalPort();
        }
        LocalRunIT.Printed printed = new LocalRunIT.Printed();

        int exit = run(printed, "--auto-approve", "--no-synth", "--port", "0", "--localstack=http://127.0.0.1:" + closed);

        assertThat(exit).isEqualTo(1);
        assertThat(printed.out()).contains("LocalStack: LocalStack is not reachable at http://127.0.0.1:" + closed)
                .contains("start LocalStack (`localstack start -d`").doesNotContain("1. golden image push");
    }

    @Test
    void namesTheServiceALocalStackLacks() throws Exception {
        try (LoopbackLocalStack localStack = new LoopbackLocalStack(Set.of("dynamodb", "secretsmanager"))) {
            LocalRunIT.Printed printed = new LocalRunIT.Printed();

            int exit = run(printed, "--auto-approve", "--no-synth", "--port", "0", "--localstack=" + localStack.endpoint());

            assertThat(exit).isEqualTo(1);
            assertThat(printed.out()).contains("does not offer sqs (absent)");
            assertThat(localStack.operations()).as("nothing was created in it").isEmpty();
        }
    }

    private static int run(LocalRunIT.Printed printed, String... args) {
        return new LocalRun(printed.out, printed.err, InputStream.nullInputStream(), Fixtures.root(), System.getenv("PATH"))
                .run(LocalRunIT.options(args));
    }
}
