package dev.gantry.aws;

import dev.gantry.core.notify.NewsTeller;
import dev.gantry.core.notify.Notifier;
import dev.gantry.core.notify.ReleaseNews;
import dev.gantry.core.notify.ThreadKey;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * Tells news by putting it on the FIFO notify queue, as {@link ReleaseNewsJson}: the message group is the news'
 * thread, so one thread's news reaches the notify function in the order told while other threads go on, and the
 * deduplication id is the news id, so a retried invocation telling the same news again within five minutes adds no
 * message.
 *
 * <p>Never throws: news is told after the work it reports is done (a deploy already moved the service), and failing
 * the invocation over it would retry that work, not the telling. A send that failed is logged as an error with the
 * news id and thread, and counted.
 */
public final class SqsNotifier implements Notifier {

    /** URL of the FIFO notify queue; unset when Slack is not configured, and then nothing is told. */
    public static final String QUEUE_URL_ENV = "GANTRY_NOTIFY_QUEUE_URL";

    /** SQS's limit for message group and deduplication ids. */
    static final int MAX_ID_LENGTH = 128;

    /** What SQS accepts in those ids: alphanumerics and ASCII punctuation. */
    private static final Pattern SQS_ID = Pattern.compile("[A-Za-z0-9!\"#$%&'()*+,\\-./:;<=>?@\\[\\\\\\]^_`{|}~]{1," + MAX_ID_LENGTH + "}");

    private static final Logger LOG = LoggerFactory.getLogger(SqsNotifier.class);

    private final SqsQueue queue;
    private final AtomicLong failedSends = new AtomicLong();

    /** @throws IllegalArgumentException when {@code queue} is not FIFO: a standard queue would reorder a thread's news */
    public SqsNotifier(SqsQueue queue) {
        if (!queue.isFifo()) {
            throw new IllegalArgumentException("the notify queue " + queue.queueUrl() + " is not a FIFO queue (.fifo): a standard queue"
                    + " would deliver a thread's news out of order");
        }
        this.queue = queue;
    }

    /** The notifier over the queue {@value #QUEUE_URL_ENV} names, or {@link Notifier#NONE} when it is unset. */
    public static Notifier fromEnvironment(AwsClients aws) {
        return aws.optional(QUEUE_URL_ENV)
                .<Notifier>map(url -> new SqsNotifier(new SqsQueue(aws.sqs(), url.trim())))
                .orElse(Notifier.NONE);
    }

    /** As {@link #fromEnvironment(AwsClients)}, with a rehearsed send through the queue's own client added to {@code priming}. */
    public static Notifier fromEnvironment(AwsClients aws, SnapStartPriming.Builder priming) {
        Optional<String> url = aws.optional(QUEUE_URL_ENV).map(String::trim);
        if (url.isEmpty()) {
            return Notifier.NONE;
        }
        SqsClient sqs = aws.sqs();
        priming.step(PrimingCalls.queueSend(sqs, url.get()));
        return new SqsNotifier(new SqsQueue(sqs, url.get()));
    }

    @Override
    public void tell(ReleaseNews news) {
        String group = null;
        try {
            group = groupOf(news.thread());
            queue.send(ReleaseNewsJson.write(news), Map.of(), group, deduplicationIdOf(news.newsId()));
        } catch (RuntimeException e) {
            long failed = failedSends.incrementAndGet();
            // No metrics library in the functions: this line's field is what Gantry's operations count and alarm on.
            LOG.atError().addKeyValue(NewsTeller.UNTOLD_LOG_FIELD, news.newsId()).setCause(e)
                    .log("notify send failed: news {} of thread {} (group {}) was not queued for Slack ({} failed in this instance): {}",
                            news.newsId(), news.thread().describe(), group, failed, e.getMessage());
        }
    }

    /** Sends that failed since this instance started. */
    public long failedSends() {
        return failedSends.get();
    }

    /**
     * The message group of a thread: {@code release/payments-api/sha256:...}, the same string for the same thread
     * whoever tells it; the hash of that string when SQS would not take it (too long, or characters it refuses).
     */
    public static String groupOf(ThreadKey thread) {
        return sqsId(thread.kind().name().toLowerCase(Locale.ROOT) + "/" + thread.name() + "/" + thread.id());
    }

    static String deduplicationIdOf(String newsId) {
        return sqsId(newsId);
    }

    private static String sqsId(String value) {
        if (SQS_ID.matcher(value).matches()) {
            return value;
        }
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.UTF_8));
            return "sha256-" + HexFormat.of().formatHex(hash);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    }
}
