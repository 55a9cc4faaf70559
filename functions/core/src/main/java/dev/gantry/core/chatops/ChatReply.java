package dev.gantry.core.chatops;

import dev.gantry.core.notify.ChatMessage;

/**
 * What Gantry answers a command or a click with, sent through the request's {@code response_url}.
 *
 * @param message what to send; null for nothing (a click on a link button only opens its link)
 * @param replaceOriginal replace the message the click came from: an approval card showing its outcome
 * @param ephemeral shown only to the person who asked: refusals, help, status. Changes are announced to the channel
 * @param retryLater the request is not done yet: once the person is answered, the request is to be delivered again, and
 *     the delivery finishes it (a decision recorded that CodePipeline could not be told yet)
 */
public record ChatReply(ChatMessage message, boolean replaceOriginal, boolean ephemeral, boolean retryLater) {

    /** Nothing to send. */
    public static final ChatReply NOTHING = new ChatReply(null, false, true, false);

    /** An answer only the asker sees. */
    public static ChatReply privately(ChatMessage message) {
        return new ChatReply(message, false, true, false);
    }

    /** An answer only the asker sees, to a request that is to be delivered again to be finished. */
    public static ChatReply privatelyRetryingLater(String text) {
        return new ChatReply(ChatMessage.plain(text), false, true, true);
    }

    /** This answer, to a request that is to be delivered again to be finished. */
    public ChatReply retryingLater() {
        return new ChatReply(message, replaceOriginal, ephemeral, true);
    }

    public static ChatReply privately(String text) {
        return privately(ChatMessage.plain(text));
    }

    /** An answer the whole channel sees: something changed, and the people there should know who changed it. */
    public static ChatReply toChannel(ChatMessage message) {
        return new ChatReply(message, false, false, false);
    }

    /** The clicked message, redrawn: an approval card with its outcome. */
    public static ChatReply replacingCard(ChatMessage message) {
        return new ChatReply(message, true, false, false);
    }
}
