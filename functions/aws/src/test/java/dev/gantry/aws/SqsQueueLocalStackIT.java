package dev.gantry.aws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.Message;

/**
 * A standard queue in LocalStack, as the ChatOps request queue is used: attributes travel beside the body (and the
 * SDK checks LocalStack's digest of both), and a queue that is not there fails naming it.
 */
class SqsQueueLocalStackIT {

    private static final String COMMAND = "team_id=T0GANTRY1&user_id=U0ALICE01&command=%2Fgantry&text=status+payments-api";

    private static SqsClient sqs;
    private static String queueUrl;

    @BeforeAll
    static void createQueue() {
        if (!LocalStack.isRunning("sqs")) {
            // Every test is then skipped, saying why.
            return;
        }
        sqs = LocalStack.clients(Map.of()).sqs();
        queueUrl = sqs.createQueue(r -> r.queueName(LocalStack.uniqueName("gantry-chatops-requests-it"))).queueUrl();
    }

    @AfterAll
    static void deleteQueue() {
        if (sqs != null) {
            if (queueUrl != null) {
                sqs.deleteQueue(r -> r.queueUrl(queueUrl));
            }
            sqs.close();
        }
    }

    @BeforeEach
    void needsLocalStack() {
        LocalStack.assumeRunning("sqs");
    }

    @Test
    void sendsTheBodyWithItsAttributesAndLeavesUnsetOnesOut() {
        Map<String, String> attributes = new LinkedHashMap<>();
        attributes.put("kind", "command");
        attributes.put("slackRetryNum", null);

        String messageId = new SqsQueue(sqs, queueUrl).send(COMMAND, attributes);

        List<Message> received = sqs.receiveMessage(r -> r.queueUrl(queueUrl).waitTimeSeconds(2).messageAttributeNames("All")).messages();
        assertThat(received).singleElement().satisfies(message -> {
            assertThat(message.messageId()).isEqualTo(messageId);
            assertThat(message.body()).isEqualTo(COMMAND);
            assertThat(message.messageAttributes()).containsOnlyKeys("kind");
            assertThat(message.messageAttributes().get("kind").stringValue()).isEqualTo("command");
            sqs.deleteMessage(r -> r.queueUrl(queueUrl).receiptHandle(message.receiptHandle()));
        });
    }

    @Test
    void failsNamingAQueueThatIsNotThere() {
        String missing = queueUrl.substring(0, queueUrl.lastIndexOf('/') + 1) + LocalStack.uniqueName("gantry-no-such-queue");

        assertThatThrownBy(() -> new SqsQueue(sqs, missing).send(COMMAND, Map.of("kind", "command")))
                .isInstanceOf(SqsQueue.QueueException.class)
                .hasMessageStartingWith("SendMessage to " + missing + " failed");
    }
}
