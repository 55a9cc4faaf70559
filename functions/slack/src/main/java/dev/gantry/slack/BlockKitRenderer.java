package dev.gantry.slack;

import com.google.gson.FieldNamingPolicy;
import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.reflect.TypeToken;
import com.slack.api.model.block.ActionsBlock;
import com.slack.api.model.block.ContextBlock;
import com.slack.api.model.block.ContextBlockElement;
import com.slack.api.model.block.DividerBlock;
import com.slack.api.model.block.HeaderBlock;
import com.slack.api.model.block.LayoutBlock;
import com.slack.api.model.block.SectionBlock;
import com.slack.api.model.block.composition.ConfirmationDialogObject;
import com.slack.api.model.block.composition.MarkdownTextObject;
import com.slack.api.model.block.composition.PlainTextObject;
import com.slack.api.model.block.composition.TextObject;
import com.slack.api.model.block.element.BlockElement;
import com.slack.api.model.block.element.ButtonElement;
import com.slack.api.util.json.GsonBlockElementFactory;
import com.slack.api.util.json.GsonContextBlockElementFactory;
import com.slack.api.util.json.GsonLayoutBlockFactory;
import com.slack.api.util.json.GsonTextObjectFactory;
import dev.gantry.core.notify.ChatMessage;
import dev.gantry.core.notify.ChatMessage.Actions;
import dev.gantry.core.notify.ChatMessage.Block;
import dev.gantry.core.notify.ChatMessage.Button;
import dev.gantry.core.notify.ChatMessage.Confirm;
import dev.gantry.core.notify.ChatMessage.Context;
import dev.gantry.core.notify.ChatMessage.Divider;
import dev.gantry.core.notify.ChatMessage.Fields;
import dev.gantry.core.notify.ChatMessage.Header;
import dev.gantry.core.notify.ChatMessage.Section;
import java.lang.reflect.Type;
import java.util.ArrayList;
import java.util.List;

/**
 * Renders a {@link ChatMessage} into Slack Block Kit with the Slack SDK's model classes, and those into the JSON the
 * Web API takes as {@code blocks}.
 *
 * <p>Slack refuses a whole message for one block over its limits ({@code invalid_blocks}), so the renderer keeps
 * every message inside them. Text people read is shortened with an ellipsis: a header to {@value #MAX_HEADER_CHARS}
 * characters, a section to {@value #MAX_SECTION_CHARS}, a field to {@value #MAX_FIELD_CHARS}, button and dialog labels
 * to theirs. More than {@value #MAX_FIELDS_PER_SECTION} fields, or more than {@value #MAX_CONTEXT_ELEMENTS} context
 * lines, continue in further blocks of the same kind. A message of more than {@value #MAX_BLOCKS} blocks keeps the
 * first {@code MAX_BLOCKS - 1} and ends with a context line saying how many were left out. Blocks with nothing to
 * show (a blank section, no fields, no buttons) are left out, because Slack refuses them.
 *
 * <p>What a machine reads back is never shortened: an {@code action_id}, {@code block_id}, button {@code value} or
 * {@code url} over Slack's limit, or more than {@value #MAX_BUTTONS_PER_ACTIONS} buttons in one block, is an
 * {@link IllegalArgumentException}, because a cut reference would point at something else.
 */
public final class BlockKitRenderer {

    public static final int MAX_BLOCKS = 50;
    public static final int MAX_HEADER_CHARS = 150;
    public static final int MAX_SECTION_CHARS = 3000;
    public static final int MAX_FIELDS_PER_SECTION = 10;
    public static final int MAX_FIELD_CHARS = 2000;
    public static final int MAX_CONTEXT_ELEMENTS = 10;
    public static final int MAX_BUTTONS_PER_ACTIONS = 25;
    public static final int MAX_BUTTON_TEXT_CHARS = 75;
    public static final int MAX_BUTTON_VALUE_CHARS = 2000;
    public static final int MAX_URL_CHARS = 3000;
    public static final int MAX_ID_CHARS = 255;
    public static final int MAX_CONFIRM_TITLE_CHARS = 100;
    public static final int MAX_CONFIRM_TEXT_CHARS = 300;
    public static final int MAX_CONFIRM_BUTTON_CHARS = 30;

    private static final String ELLIPSIS = "…";
    private static final Type BLOCK_LIST = new TypeToken<List<LayoutBlock>>() {}.getType();

    private final Gson gson;

    public BlockKitRenderer() {
        // The SDK's own GsonFactory lives in its API client, which Gantry does not carry; this is the part of it
        // that blocks need: snake_case names and the adapters that write each block by its concrete type.
        this.gson = new GsonBuilder()
                .setFieldNamingPolicy(FieldNamingPolicy.LOWER_CASE_WITH_UNDERSCORES)
                .registerTypeAdapter(LayoutBlock.class, new GsonLayoutBlockFactory(false))
                .registerTypeAdapter(TextObject.class, new GsonTextObjectFactory(false))
                .registerTypeAdapter(ContextBlockElement.class, new GsonContextBlockElementFactory(false))
                .registerTypeAdapter(BlockElement.class, new GsonBlockElementFactory(false))
                // Gson writes < > & = as Unicode escapes by default: the same JSON to Slack, but mrkdwn links such
                // as <https://host/r?a=1&b=2|label> turn unreadable wherever the body is looked at.
                .disableHtmlEscaping()
                .create();
    }

    /** The message's blocks as Slack's model, within Slack's limits. */
    public List<LayoutBlock> render(ChatMessage message) {
        List<LayoutBlock> blocks = new ArrayList<>();
        for (Block block : message.blocks()) {
            switch (block) {
                case Header header -> header(header, blocks);
                case Section section -> section(section, blocks);
                case Fields fields -> fields(fields, blocks);
                case Context context -> context(context, blocks);
                case Actions actions -> actions(actions, blocks);
                case Divider divider -> blocks.add(DividerBlock.builder().build());
            }
        }
        if (blocks.size() <= MAX_BLOCKS) {
            return List.copyOf(blocks);
        }
        List<LayoutBlock> kept = new ArrayList<>(blocks.subList(0, MAX_BLOCKS - 1));
        int leftOut = blocks.size() - kept.size();
        kept.add(contextBlock(List.of(markdown("_" + leftOut + " more blocks left out: Slack shows at most "
                + MAX_BLOCKS + " in a message._"))));
        return List.copyOf(kept);
    }

    /** Blocks as the JSON array the Web API takes in {@code blocks}. */
    public String toJson(List<LayoutBlock> blocks) {
        return gson.toJson(blocks, BLOCK_LIST);
    }

    /** {@link #render} then {@link #toJson}. */
    public String renderJson(ChatMessage message) {
        return toJson(render(message));
    }

    private static void header(Header header, List<LayoutBlock> blocks) {
        if (isBlank(header.text())) {
            return;
        }
        blocks.add(HeaderBlock.builder().text(plain(header.text(), MAX_HEADER_CHARS)).build());
    }

    private static void section(Section section, List<LayoutBlock> blocks) {
        if (isBlank(section.markdown())) {
            return;
        }
        blocks.add(SectionBlock.builder().text(markdown(truncate(section.markdown(), MAX_SECTION_CHARS))).build());
    }

    private static void fields(Fields fields, List<LayoutBlock> blocks) {
        List<TextObject> texts = new ArrayList<>();
        for (String field : fields.markdown()) {
            if (!isBlank(field)) {
                texts.add(markdown(truncate(field, MAX_FIELD_CHARS)));
            }
        }
        for (int from = 0; from < texts.size(); from += MAX_FIELDS_PER_SECTION) {
            List<TextObject> chunk = texts.subList(from, Math.min(from + MAX_FIELDS_PER_SECTION, texts.size()));
            blocks.add(SectionBlock.builder().fields(new ArrayList<>(chunk)).build());
        }
    }

    private static void context(Context context, List<LayoutBlock> blocks) {
        List<ContextBlockElement> elements = new ArrayList<>();
        for (String line : context.markdown()) {
            if (!isBlank(line)) {
                elements.add(markdown(line));
            }
        }
        for (int from = 0; from < elements.size(); from += MAX_CONTEXT_ELEMENTS) {
            blocks.add(contextBlock(elements.subList(from, Math.min(from + MAX_CONTEXT_ELEMENTS, elements.size()))));
        }
    }

    private static ContextBlock contextBlock(List<ContextBlockElement> elements) {
        return ContextBlock.builder().elements(new ArrayList<>(elements)).build();
    }

    private static void actions(Actions actions, List<LayoutBlock> blocks) {
        if (actions.buttons().isEmpty()) {
            return;
        }
        if (actions.buttons().size() > MAX_BUTTONS_PER_ACTIONS) {
            throw new IllegalArgumentException("actions block " + actions.blockId() + " has " + actions.buttons().size()
                    + " buttons; Slack takes at most " + MAX_BUTTONS_PER_ACTIONS);
        }
        List<BlockElement> buttons = new ArrayList<>();
        for (Button button : actions.buttons()) {
            buttons.add(button(button));
        }
        blocks.add(ActionsBlock.builder()
                .blockId(limited("block_id", actions.blockId(), MAX_ID_CHARS))
                .elements(buttons)
                .build());
    }

    private static ButtonElement button(Button button) {
        return ButtonElement.builder()
                .actionId(limited("action_id", button.actionId(), MAX_ID_CHARS))
                .text(plain(button.text(), MAX_BUTTON_TEXT_CHARS))
                .value(limited("value of button " + button.actionId(), button.value(), MAX_BUTTON_VALUE_CHARS))
                .url(limited("url of button " + button.actionId(), button.url(), MAX_URL_CHARS))
                .style(style(button.style()))
                .confirm(button.confirm() == null ? null : confirm(button.confirm(), button.style()))
                .build();
    }

    private static ConfirmationDialogObject confirm(Confirm confirm, ChatMessage.Style style) {
        return ConfirmationDialogObject.builder()
                .title(plain(orDefault(confirm.title(), "Are you sure?"), MAX_CONFIRM_TITLE_CHARS))
                .text(plain(orDefault(confirm.text(), "Are you sure?"), MAX_CONFIRM_TEXT_CHARS))
                .confirm(plain(orDefault(confirm.confirm(), "Yes"), MAX_CONFIRM_BUTTON_CHARS))
                .deny(plain(orDefault(confirm.deny(), "Cancel"), MAX_CONFIRM_BUTTON_CHARS))
                // A dangerous button's dialog confirms in red too; Slack's default is its primary green.
                .style(style == ChatMessage.Style.DANGER ? "danger" : null)
                .build();
    }

    private static String style(ChatMessage.Style style) {
        return switch (style) {
            case PRIMARY -> "primary";
            case DANGER -> "danger";
            case DEFAULT -> null;
        };
    }

    private static PlainTextObject plain(String text, int maxChars) {
        return PlainTextObject.builder().text(truncate(text, maxChars)).build();
    }

    private static MarkdownTextObject markdown(String text) {
        return MarkdownTextObject.builder().text(text).build();
    }

    private static String limited(String what, String value, int maxChars) {
        if (value != null && value.length() > maxChars) {
            throw new IllegalArgumentException(what + " is " + value.length() + " characters; Slack takes at most "
                    + maxChars);
        }
        return value;
    }

    /** Cuts to at most {@code maxChars} UTF-16 units, ellipsis included, never between the halves of a surrogate pair. */
    static String truncate(String text, int maxChars) {
        if (text.length() <= maxChars) {
            return text;
        }
        int end = maxChars - ELLIPSIS.length();
        if (Character.isHighSurrogate(text.charAt(end - 1))) {
            end--;
        }
        return text.substring(0, end) + ELLIPSIS;
    }

    private static String orDefault(String text, String fallback) {
        return isBlank(text) ? fallback : text;
    }

    private static boolean isBlank(String text) {
        return text == null || text.isBlank();
    }
}
