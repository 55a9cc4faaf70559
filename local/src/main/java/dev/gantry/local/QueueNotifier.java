package dev.gantry.local;

import dev.gantry.aws.ReleaseNewsJson;
import dev.gantry.aws.SqsNotifier;
import dev.gantry.core.notify.Notifier;
import dev.gantry.core.notify.ReleaseNews;
import java.util.Map;

/**
 * The notify queue's in-memory stand-in as the functions' {@link Notifier}: news goes on the FIFO queue as
 * {@link SqsNotifier} puts it on SQS (the same JSON, the thread as message group, the news id as deduplication id), and
 * reaches chatops-notify through its {@link QueueTrigger}.
 */
final class QueueNotifier implements Notifier {

    private final InMemoryQueue queue;

    QueueNotifier(InMemoryQueue queue) {
        if (!queue.fifo()) {
            throw new IllegalArgumentException("the notify queue " + queue.url() + " must be FIFO: a thread's news must stay in order");
        }
        this.queue = queue;
    }

    @Override
    public void tell(ReleaseNews news) {
        queue.send(ReleaseNewsJson.write(news), Map.of(), SqsNotifier.groupOf(news.thread()), news.newsId());
    }
}
