package dev.gantry.aws;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gantry.core.deploy.DeployOutcome;
import dev.gantry.core.image.ImageDigest;
import dev.gantry.core.notify.Notifier;
import dev.gantry.core.notify.ReleaseNews;
import dev.gantry.core.notify.ReleaseNews.DeployDeclined;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.MessageSystemAttributeName;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/**
 * The notifier as the functions build it from {@value SqsNotifier#QUEUE_URL_ENV}, on a FIFO queue in LocalStack: news
 * told again arrives once, and one thread's news arrives in the order told.
 */
class SqsNotifierLocalStackIT {

    private static final ImageDigest DIGEST = new ImageDigest("sha256:07348c1177395e36a0630834b693a5318a854ba216a887b7c7244eefa4b0efcd");
    private static final Instant AT = Instant.parse("2026-11-23T10:00:00Z");

    private static SqsClient sqs;
    private static String queueUrl;
    private static Notifier notifier;

    @BeforeAll
    static void createQueue() {
        if (!LocalStack.isRunning("sqs")) {
            // Every test is then skipped, saying why.
            return;
        }
        sqs = LocalStack.clients(Map.of()).sqs();
        queueUrl = sqs.createQueue(r -> r.queueName(LocalStack.uniqueName("gantry-notify-it") + ".fifo")
                .attributes(Map.of(QueueAttributeName.FIFO_QUEUE, "true"))).queueUrl();
        notifier = SqsNotifier.fromEnvironment(LocalStack.clients(Map.of(SqsNotifier.QUEUE_URL_ENV, queueUrl)));
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
    void queuesNewsToldTwiceOnceInItsThreadsGroup() {
        ReleaseNews held = declined("HELD", "held at gate 'production'");

        notifier.tell(held);
        notifier.tell(held);

        List<Message> received = drain();
        assertThat(received).singleElement().satisfies(message -> {
            assertThat(ReleaseNewsJson.read(message.body())).isEqualTo(held);
            assertThat(message.attributes().get(MessageSystemAttributeName.MESSAGE_GROUP_ID)).isEqualTo("release/payments-api/" + DIGEST.value());
        });
        assertThat(((SqsNotifier) notifier).failedSends()).isZero();
    }

    @Test
    void deliversOneThreadsNewsInTheOrderTold() {
        List<ReleaseNews> told = List.of(
                declined("HELD", "held at gate 'production'"),
                declined("REFUSED", "vetoed by alice@example.com"),
                declined("HELD", "pinned to sha256:5c9f0e1d2a3b by bob@example.com"));

        told.forEach(notifier::tell);

        assertThat(drain()).extracting(message -> ReleaseNewsJson.read(message.body())).containsExactlyElementsOf(told);
    }

    private static ReleaseNews declined(String result, String reason) {
        return new DeployDeclined("declined/payments-api/prod/07348c117739/" + result + "/" + UUID.randomUUID(), AT, "payments-api",
                "prod", DIGEST, "1.4.0", DeployOutcome.Result.valueOf(result), reason);
    }

    /**
     * Everything on the queue, in delivery order, deleted as it is read: a FIFO queue holds back a group's next message
     * while an earlier one is in flight.
     */
    private static List<Message> drain() {
        List<Message> all = new ArrayList<>();
        for (int round = 0; round < 20; round++) {
            List<Message> batch = sqs.receiveMessage(r -> r.queueUrl(queueUrl).maxNumberOfMessages(10).waitTimeSeconds(1)
                    .messageSystemAttributeNames(MessageSystemAttributeName.MESSAGE_GROUP_ID)).messages();
            if (batch.isEmpty()) {
                return all;
            }
            all.addAll(batch);
            batch.forEach(message -> sqs.deleteMessage(r -> r.queueUrl(queueUrl).receiptHandle(message.receiptHandle())));
        }
        throw new AssertionError("the queue was still not empty after 20 receives: " + all.size() + " messages so far");
    }
}
