package dev.gantry.testing;

import dev.gantry.core.notify.ChatGateway;
import dev.gantry.core.notify.ChatMessage;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A chat service that records every call and answers as Slack would: a channel name is answered with its id, and
 * every post with a new, increasing timestamp. Tests make it fail chosen calls ({@link #failNext}, {@link #failCall}) or
 * refuse a channel for good ({@link #rejectChannel}). Failed calls are counted in {@link #attempts()}, not recorded.
 */
public final class RecordingChatGateway implements ChatGateway {

    /** One call, as made. {@code threadTs} is null for a top-level post; {@code ts} is the message's, for posts and updates. */
    public record Call(Kind kind, String channel, String ts, String threadTs, ChatMessage message) {
        public enum Kind { POST, UPDATE, RESPOND }
    }

    private final List<Call> calls = new ArrayList<>();
    private final Deque<RuntimeException> failures = new ArrayDeque<>();
    private final Map<Integer, RuntimeException> failuresAt = new HashMap<>();
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
        calls.add(new Call(Call.Kind.POST, id, ts, threadTs, message));
        return new Posted(id, ts);
    }

    @Override
    public synchronized void update(String channelId, String ts, ChatMessage message) {
        failIfAsked(channelId);
        calls.add(new Call(Call.Kind.UPDATE, channelId, ts, null, message));
    }

    @Override
    public synchronized void respond(String responseUrl, ChatMessage message, boolean replaceOriginal, boolean ephemeral) {
        failIfAsked(null);
        calls.add(new Call(Call.Kind.RESPOND, responseUrl, null, null, message));
    }

    public synchronized List<Call> calls() {
        return List.copyOf(calls);
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

    private String nextTs() {
        long value = nextTs++;
        return value / 1_000_000 + "." + String.format("%06d", value % 1_000_000);
    }
}
