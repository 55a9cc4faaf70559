package dev.gantry.testing;

import dev.gantry.core.notify.ChatGateway;
import dev.gantry.core.notify.ChatMessage;
import dev.gantry.core.notify.PostingMarker;
import dev.gantry.core.notify.ThreadKey;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * A chat service that records every call and answers as Slack would: a channel name is answered with its id, every
 * post with a new, increasing timestamp, and a headline lookup with the headline posted under that thread and marker.
 * Tests make it fail chosen calls ({@link #failNext}, {@link #failCall}), take a call and lose its answer
 * ({@link #loseAnswerOfNext}), refuse a channel for good ({@link #rejectChannel}) or refuse only to be read
 * ({@link #refuseLookups}). Failed calls are counted in {@link #attempts()}, not recorded.
 */
public final class RecordingChatGateway implements ChatGateway {

    /**
     * One call, as made. {@code threadTs} is null for a top-level post; {@code ts} is the message's, for posts and
     * updates; {@code thread} and {@code marker} are what a headline carries, null for every other call.
     */
    public record Call(Kind kind, String channel, String ts, String threadTs, ChatMessage message, ThreadKey thread, PostingMarker marker) {
        public enum Kind { POST, UPDATE, RESPOND }
    }

    /** One headline lookup, as asked: {@code found} is the timestamp answered, null when none was there. */
    public record Lookup(String channel, ThreadKey thread, PostingMarker marker, String found) {}

    private final List<Call> calls = new ArrayList<>();
    private final List<Lookup> lookups = new ArrayList<>();
    private final Deque<RuntimeException> failures = new ArrayDeque<>();
    private final Map<Integer, RuntimeException> failuresAt = new HashMap<>();
    private RuntimeException lostAnswer;
    private String lookupRefusal;
    private int attempts;
    private final Map<String, String> rejectedChannels = new HashMap<>();
    private long nextTs = 1_795_428_000_000_100L;

    /** The id Slack gives the channel named {@code channel}; an id is its own id. */
    public static String channelId(String channel) {
        return channel.startsWith("#") ? "C" + channel.substring(1).replaceAll("[^A-Za-z0-9]", "").toUpperCase(Locale.ROOT) : channel;
    }

    /** The next calls throw these, one each, in order, without being recorded. */
    public synchronized RecordingChatGateway failNext(RuntimeException... exceptions) {
        failures.addAll(List.of(exceptions));
        return this;
    }

    /** The {@code n}-th call from now (1 is the next one) throws {@code exception}, without being recorded. */
    public synchronized RecordingChatGateway failCall(int n, RuntimeException exception) {
        failuresAt.put(attempts + n, exception);
        return this;
    }

    /**
     * The next call takes effect, and then throws {@code exception} instead of answering: a timeout after Slack took a
     * post, as the caller sees it.
     */
    public synchronized RecordingChatGateway loseAnswerOfNext(RuntimeException exception) {
        lostAnswer = exception;
        return this;
    }

    /** Every headline lookup is refused with {@code error}, e.g. {@code not_in_channel}: a bot that may post but not read. */
    public synchronized RecordingChatGateway refuseLookups(String error) {
        lookupRefusal = error;
        return this;
    }

    /** Calls made, failed ones included. */
    public synchronized int attempts() {
        return attempts;
    }

    /** Every call to {@code channel} (name or id) is refused with {@code error}, as Slack refuses an unknown channel. */
    public synchronized RecordingChatGateway rejectChannel(String channel, String error) {
        rejectedChannels.put(channelId(channel), error);
        return this;
    }

    @Override
    public synchronized Posted post(String channel, ChatMessage message, String threadTs) {
        failIfAsked(channel);
        String ts = nextTs();
        String id = channelId(channel);
        calls.add(new Call(Call.Kind.POST, id, ts, threadTs, message, null, null));
        return answer(new Posted(id, ts));
    }

    @Override
    public synchronized Posted postHeadline(String channel, ChatMessage message, ThreadKey thread, PostingMarker marker) {
        failIfAsked(channel);
        String ts = nextTs();
        String id = channelId(channel);
        calls.add(new Call(Call.Kind.POST, id, ts, null, message, thread, marker));
        return answer(new Posted(id, ts));
    }

    @Override
    public synchronized Optional<Posted> findHeadline(String channel, ThreadKey thread, PostingMarker marker) {
        failIfAsked(channel);
        if (lookupRefusal != null) {
            throw new RejectedException(lookupRefusal, "the chat service refused to be read: " + lookupRefusal);
        }
        String id = channelId(channel);
        Optional<Posted> found = calls.stream()
                .filter(c -> c.kind() == Call.Kind.POST && c.threadTs() == null && c.channel().equals(id))
                .filter(c -> thread.equals(c.thread()) && marker.equals(c.marker()))
                .map(c -> new Posted(c.channel(), c.ts()))
                .findFirst();
        lookups.add(new Lookup(id, thread, marker, found.map(Posted::ts).orElse(null)));
        return found;
    }

    @Override
    public synchronized void update(String channelId, String ts, ChatMessage message) {
        failIfAsked(channelId);
        calls.add(new Call(Call.Kind.UPDATE, channelId, ts, null, message, null, null));
        answer(null);
    }

    @Override
    public synchronized void respond(String responseUrl, ChatMessage message, boolean replaceOriginal, boolean ephemeral) {
        failIfAsked(null);
        calls.add(new Call(Call.Kind.RESPOND, responseUrl, null, null, message, null, null));
        answer(null);
    }

    public synchronized List<Call> calls() {
        return List.copyOf(calls);
    }

    /** Headline lookups answered, in order. */
    public synchronized List<Lookup> lookups() {
        return List.copyOf(lookups);
    }

    /** Top-level messages posted. */
    public synchronized List<Call> headlinePosts() {
        return calls.stream().filter(c -> c.kind() == Call.Kind.POST && c.threadTs() == null).toList();
    }

    public synchronized List<Call> updates() {
        return calls.stream().filter(c -> c.kind() == Call.Kind.UPDATE).toList();
    }

    /** Replies posted in the thread of the message at {@code threadTs}. */
    public synchronized List<Call> replies(String threadTs) {
        return calls.stream().filter(c -> c.kind() == Call.Kind.POST && threadTs.equals(c.threadTs())).toList();
    }

    /** What the message at {@code ts} shows now: its post, or its latest update. */
    public synchronized ChatMessage shown(String ts) {
        ChatMessage shown = null;
        for (Call call : calls) {
            if (ts.equals(call.ts()) && call.kind() != Call.Kind.RESPOND) {
                shown = call.message();
            }
        }
        return shown;
    }

    private void failIfAsked(String channel) {
        attempts++;
        RuntimeException planned = failuresAt.remove(attempts);
        if (planned != null) {
            throw planned;
        }
        if (!failures.isEmpty()) {
            throw failures.removeFirst();
        }
        String error = channel == null ? null : rejectedChannels.get(channelId(channel));
        if (error != null) {
            throw new RejectedException(error, "the chat service refused the call: " + error);
        }
    }

    private <T> T answer(T answer) {
        RuntimeException lost = lostAnswer;
        lostAnswer = null;
        if (lost != null) {
            throw lost;
        }
        return answer;
    }

    private String nextTs() {
        long value = nextTs++;
        return value / 1_000_000 + "." + String.format("%06d", value % 1_000_000);
    }
}
