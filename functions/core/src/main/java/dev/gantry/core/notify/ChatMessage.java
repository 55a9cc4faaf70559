package dev.gantry.core.notify;

import java.util.List;
import java.util.Objects;

/**
 * A chat message as Gantry means it, before any chat tool's format: the Slack adapter renders it into Block Kit with
 * the Slack SDK's model classes. Core builds these; it never sees Slack's JSON.
 *
 * @param text the plain-text fallback: notifications and screen readers show it, so it says the whole news in a line
 * @param blocks the message's layout, top to bottom
 */
public record ChatMessage(String text, List<Block> blocks) {

    public ChatMessage {
        Objects.requireNonNull(text, "text");
        blocks = blocks == null ? List.of() : List.copyOf(blocks);
    }

    public static ChatMessage plain(String text) {
        return new ChatMessage(text, List.of(new Section(text)));
    }

    /** One piece of a message's layout. Markdown is Slack's mrkdwn subset: *bold*, _italic_, `code`, <url|label>. */
    public sealed interface Block permits Header, Section, Fields, Context, Actions, Divider {}

    /** A title line, plain text. */
    public record Header(String text) implements Block {}

    /** A paragraph of markdown. */
    public record Section(String markdown) implements Block {}

    /** Short label/value pairs shown two abreast, each markdown, e.g. {@code *Environment*\nprod}. */
    public record Fields(List<String> markdown) implements Block {
        public Fields {
            markdown = List.copyOf(markdown);
        }
    }

    /** Small print under the content: times, links, who did what. */
    public record Context(List<String> markdown) implements Block {
        public Context {
            markdown = List.copyOf(markdown);
        }
    }

    /**
     * Buttons.
     *
     * @param blockId names the block, so a click can be traced to the message part it came from
     */
    public record Actions(String blockId, List<Button> buttons) implements Block {
        public Actions {
            buttons = List.copyOf(buttons);
        }
    }

    public record Divider() implements Block {}

    /**
     * A button. A click sends {@code actionId} and {@code value} back to Gantry's interactions endpoint.
     *
     * @param value what the click is about; for approvals, a reference Gantry issued (never trusted on its own: the
     *     worker looks it up)
     * @param confirm asked before the click counts; null for none
     * @param url a link button opens this instead of sending anything; null for an action button
     */
    public record Button(String actionId, String text, String value, Style style, Confirm confirm, String url) {
        public Button {
            Objects.requireNonNull(actionId, "actionId");
            Objects.requireNonNull(text, "text");
            style = style == null ? Style.DEFAULT : style;
        }
    }

    public enum Style { DEFAULT, PRIMARY, DANGER }

    /** The "are you sure?" dialog before a button counts. */
    public record Confirm(String title, String text, String confirm, String deny) {}
}
