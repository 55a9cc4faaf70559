package dev.gantry.local;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * What the local Slack holds: its channels and the messages posted there (replies in threads, edits in place), the
 * answers only one person sees, and the clicks sent from the page. Every change moves {@link #version()} on, which the
 * page waits for.
 */
final class SlackWorkspace {

    record Channel(String id, String name) {}

    /**
     * A message as Slack keeps it.
     *
     * @param threadTs the thread it replies in; null for a top-level message
     * @param blocks its Block Kit blocks as posted; an empty array when it has only text
     * @param edits how often it was updated in place
     */
    record Message(String channelId, String ts, String threadTs, String text, JsonNode blocks, int edits, Instant postedAt) {

        Message edited(String newText, JsonNode newBlocks) {
            return new Message(channelId, ts, threadTs, newText, newBlocks, edits + 1, postedAt);
        }
    }

    /** An answer only {@code userId} sees, under the message whose button they clicked. */
    record Note(String channelId, String messageTs, String userId, String text, JsonNode blocks, Instant at) {}

    /** A button clicked on the page, and how slack-interactions answered the signed request it became. */
    record Click(String userId, String actionId, String value, String channelId, String messageTs, int status, Instant at) {}

    /** Refused as Slack refuses it, with Slack's error code. */
    static final class SlackError extends RuntimeException {
        private final String code;

        SlackError(String code, String message) {
            super(message);
            this.code = code;
        }

        String code() {
            return code;
        }
    }

    private final Clock clock;
    private final Map<String, Channel> channelsById = new LinkedHashMap<>();
    private final List<Message> messages = new ArrayList<>();
    private final List<Note> notes = new ArrayList<>();
    private final List<Click> clicks = new ArrayList<>();
    private long version;
    private long lastTsMicros;

    SlackWorkspace(Clock clock) {
        this.clock = clock;
    }

    /**
     * The channel {@code reference} names: an id, or a name with or without {@code #}. A name not seen before is a new
     * channel, as if the app had been invited to it.
     *
     * @throws SlackError {@code channel_not_found} for an id no channel has
     */
    synchronized Channel channel(String reference) {
        if (reference == null || reference.isBlank()) {
            throw new SlackError("channel_not_found", "no channel given");
        }
        Channel byId = channelsById.get(reference);
        if (byId != null) {
            return byId;
        }
        String name = reference.startsWith("#") ? reference.substring(1) : reference;
        for (Channel channel : channelsById.values()) {
            if (channel.name().equals(name)) {
                return channel;
            }
        }
        if (!reference.startsWith("#")) {
            throw new SlackError("channel_not_found", "no channel " + reference);
        }
        Channel created = new Channel("C0LOCAL%03d".formatted(channelsById.size() + 1), name);
        channelsById.put(created.id(), created);
        changed();
        return created;
    }

    synchronized Message post(String channelReference, String text, JsonNode blocks, String threadTs) {
        Channel channel = channel(channelReference);
        if (threadTs != null && find(m -> m.channelId().equals(channel.id()) && m.ts().equals(threadTs) && m.threadTs() == null).isEmpty()) {
            throw new SlackError("thread_not_found", "no message " + threadTs + " to reply to in #" + channel.name());
        }
        Message message = new Message(channel.id(), nextTs(), threadTs, text, blocks, 0, clock.instant());
        messages.add(message);
        changed();
        return message;
    }

    synchronized Message update(String channelId, String ts, String text, JsonNode blocks) {
        for (int i = 0; i < messages.size(); i++) {
            Message message = messages.get(i);
            if (message.channelId().equals(channelId) && message.ts().equals(ts)) {
                Message edited = message.edited(text, blocks);
                messages.set(i, edited);
                changed();
                return edited;
            }
        }
        throw new SlackError("message_not_found", "no message " + ts + " in channel " + channelId);
    }

    synchronized void note(String channelId, String messageTs, String userId, String text, JsonNode blocks) {
        notes.add(new Note(channelId, messageTs, userId, text, blocks, clock.instant()));
        changed();
    }

    synchronized void clicked(Click click) {
        clicks.add(click);
        changed();
    }

    synchronized Optional<Message> find(Predicate<Message> which) {
        return messages.stream().filter(which).findFirst();
    }

    synchronized List<Channel> channels() {
        return List.copyOf(channelsById.values());
    }

    synchronized List<Message> messages() {
        return List.copyOf(messages);
    }

    synchronized List<Note> notes() {
        return List.copyOf(notes);
    }

    synchronized List<Click> clicks() {
        return List.copyOf(clicks);
    }

    synchronized long version() {
        return version;
    }

    /** Waits until the version is past {@code seen}, at most {@code wait}; answers the version then. */
    synchronized long awaitChange(long seen, Duration wait) throws InterruptedException {
        long until = System.nanoTime() + wait.toNanos();
        while (version <= seen) {
            long left = until - System.nanoTime();
            if (left <= 0) {
                break;
            }
            wait(Math.max(1, left / 1_000_000));
        }
        return version;
    }

    private void changed() {
        version++;
        notifyAll();
    }

    /** Slack's message timestamps: seconds and microseconds, unique in a channel and growing. */
    private String nextTs() {
        Instant now = clock.instant();
        long micros = Math.max(now.getEpochSecond() * 1_000_000 + now.getNano() / 1_000, lastTsMicros + 1);
        lastTsMicros = micros;
        return "%d.%06d".formatted(micros / 1_000_000, micros % 1_000_000);
    }
}
