package dev.gantry.local;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gantry.testing.MutableClock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class InMemoryQueueTest {

    private final MutableClock clock = new MutableClock(Instant.parse("2026-11-23T10:00:00Z"));
    private final InMemoryQueue fifo = new InMemoryQueue("https://sqs.eu-west-1.amazonaws.com/111111111111/news.fifo", clock);

    @Test
    void deliversNothingOfAGroupWhileOneOfItsMessagesIsOut() {
        fifo.send("a1", Map.of(), "a", "a1");
        List<LocalQueue.Message> first = fifo.receive(10);
        fifo.send("a2", Map.of(), "a", "a2");
        fifo.send("b1", Map.of(), "b", "b1");

        assertThat(fifo.receive(10)).extracting(LocalQueue.Message::body).containsExactly("b1");
        fifo.delete(first.get(0));
        assertThat(fifo.receive(10)).extracting(LocalQueue.Message::body).containsExactly("a2");
    }

    @Test
    void deliversAGroupHandedBackAgainInItsOrderAfterAWait() {
        fifo.send("a1", Map.of(), "a", "a1");
        fifo.send("a2", Map.of(), "a", "a2");
        List<LocalQueue.Message> batch = fifo.receive(10);
        assertThat(batch).extracting(LocalQueue.Message::body).containsExactly("a1", "a2");

        // As chatops-notify reports a failed message and every later one of its group.
        fifo.retryLater(batch.get(0));
        fifo.retryLater(batch.get(1));

        assertThat(fifo.receive(10)).as("not visible again yet").isEmpty();
        clock.advance(InMemoryQueue.RETRY_AFTER);
        List<LocalQueue.Message> again = fifo.receive(10);
        assertThat(again).extracting(LocalQueue.Message::body).containsExactly("a1", "a2");
        assertThat(again.get(0).attributes()).containsEntry("ApproximateReceiveCount", "2").containsEntry("MessageGroupId", "a");
    }

    @Test
    void dropsAMessageWhoseDeduplicationIdItSawWithinFiveMinutes() {
        fifo.send("told", Map.of(), "a", "news-1");
        fifo.send("told again", Map.of(), "a", "news-1");
        List<LocalQueue.Message> received = fifo.receive(10);
        assertThat(received).extracting(LocalQueue.Message::body).containsExactly("told");
        fifo.delete(received.get(0));

        clock.advance(InMemoryQueue.DEDUPLICATION_WINDOW.plusSeconds(1));
        fifo.send("told much later", Map.of(), "a", "news-1");

        assertThat(fifo.receive(10)).extracting(LocalQueue.Message::body).containsExactly("told much later");
        assertThat(fifo.drained()).isFalse();
    }
}
