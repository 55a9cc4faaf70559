package dev.gantry.local;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Renders a message as Slack shows it, from the Block Kit JSON the functions posted: header, section (text and fields),
 * context, actions (buttons, with their confirmation dialog as data for the page) and divider blocks; Slack's mrkdwn
 * with bold, italic, strike, code, code blocks, quotes, links, mentions and the emoji Gantry uses. A message without
 * blocks shows its text. Anything else is shown as its text, never dropped.
 */
final class BlockKitHtml {

    private static final Pattern ANGLE = Pattern.compile("<([^<>]+)>");
    private static final Pattern INLINE_CODE = Pattern.compile("`([^`\\n]+)`");
    private static final Pattern BOLD = Pattern.compile("(?<![\\w*])\\*(?=\\S)([^*\\n]*?\\S)\\*(?![\\w*])");
    private static final Pattern ITALIC = Pattern.compile("(?<![\\w_])_(?=\\S)([^_\\n]*?\\S)_(?![\\w_])");
    private static final Pattern STRIKE = Pattern.compile("(?<![\\w~])~(?=\\S)([^~\\n]*?\\S)~(?![\\w~])");
    private static final Pattern EMOJI = Pattern.compile(":([a-z0-9_+-]+):");
    private static final Map<String, String> EMOJI_BY_NAME = Map.ofEntries(
            Map.entry("white_check_mark", "\u2705"),
            Map.entry("arrows_counterclockwise", "\uD83D\uDD04"),
            Map.entry("x", "\u274C"),
            Map.entry("rotating_light", "\uD83D\uDEA8"),
            Map.entry("rewind", "\u23EA"),
            Map.entry("no_entry", "\u26D4"),
            Map.entry("hourglass_flowing_sand", "\u23F3"),
            Map.entry("black_square_for_stop", "\u23F9"),
            Map.entry("rocket", "\uD83D\uDE80"),
            Map.entry("package", "\uD83D\uDCE6"),
            Map.entry("large_blue_circle", "\uD83D\uDD35"),
            Map.entry("grey_question", "\u2754"),
            Map.entry("fire_extinguisher", "\uD83E\uDDEF"),
            Map.entry("fast_forward", "\u23E9"),
            Map.entry("double_vertical_bar", "\u23F8"),
            Map.entry("clipboard", "\uD83D\uDCCB"),
            Map.entry("+1", "\uD83D\uDC4D"),
            Map.entry("-1", "\uD83D\uDC4E"),
            Map.entry("warning", "\u26A0\uFE0F"));

    private BlockKitHtml() {}

    /** The message's body: its blocks, or its text when it has none. */
    static String message(String text, JsonNode blocks) {
        if (blocks == null || !blocks.isArray() || blocks.isEmpty()) {
            return "<div class=\"section\"><div class=\"text\">" + mrkdwn(text == null ? "" : text) + "</div></div>";
        }
        StringBuilder html = new StringBuilder();
        for (JsonNode block : blocks) {
            html.append(block(block));
        }
        return html.toString();
    }

    private static String block(JsonNode block) {
        String type = block.path("type").asText();
        return switch (type) {
            case "header" -> "<div class=\"header\">" + text(block.path("text")) + "</div>";
            case "section" -> section(block);
            case "context" -> context(block);
            case "actions" -> actions(block);
            case "divider" -> "<hr class=\"divider\">";
            default -> "<div class=\"section unknown\">" + escape(block.toString()) + "</div>";
        };
    }

    private static String section(JsonNode block) {
        StringBuilder html = new StringBuilder("<div class=\"section\">");
        if (block.has("text")) {
            html.append("<div class=\"text\">").append(text(block.path("text"))).append("</div>");
        }
        if (block.path("fields").isArray() && !block.path("fields").isEmpty()) {
            html.append("<div class=\"fields\">");
            for (JsonNode field : block.path("fields")) {
                html.append("<div class=\"field\">").append(text(field)).append("</div>");
            }
            html.append("</div>");
        }
        if (block.path("accessory").path("type").asText().equals("button")) {
            html.append(button(block.path("accessory"), block.path("block_id").asText("")));
        }
        return html.append("</div>").toString();
    }

    private static String context(JsonNode block) {
        List<String> parts = new ArrayList<>();
        for (JsonNode element : block.path("elements")) {
            parts.add(element.path("type").asText().equals("image") ? escape(element.path("alt_text").asText()) : text(element));
        }
        return "<div class=\"context\">" + String.join("<span class=\"dot\"> \u00B7 </span>", parts) + "</div>";
    }

    private static String actions(JsonNode block) {
        StringBuilder html = new StringBuilder("<div class=\"actions\">");
        for (JsonNode element : block.path("elements")) {
            if (element.path("type").asText().equals("button")) {
                html.append(button(element, block.path("block_id").asText("")));
            }
        }
        return html.append("</div>").toString();
    }

    /**
     * A link button opens its URL; an action button carries what the page sends when it is clicked, and its confirmation
     * dialog, which the page shows first.
     */
    private static String button(JsonNode button, String blockId) {
        String style = button.path("style").asText("");
        String label = text(button.path("text"));
        if (button.hasNonNull("url")) {
            return "<a class=\"button " + escape(style) + "\" href=\"" + escape(button.path("url").asText()) + "\" target=\"_blank\""
                    + " rel=\"noopener\">" + label + "</a>";
        }
        StringBuilder html = new StringBuilder("<button class=\"button ").append(escape(style)).append("\"")
                .append(attribute("data-action-id", button.path("action_id").asText()))
                .append(attribute("data-block-id", blockId))
                .append(attribute("data-value", button.path("value").asText("")));
        JsonNode confirm = button.path("confirm");
        if (confirm.isObject()) {
            html.append(attribute("data-confirm-title", confirm.path("title").path("text").asText()))
                    .append(attribute("data-confirm-text", confirm.path("text").path("text").asText()))
                    .append(attribute("data-confirm-ok", confirm.path("confirm").path("text").asText("Confirm")))
                    .append(attribute("data-confirm-deny", confirm.path("deny").path("text").asText("Cancel")));
        }
        return html.append(">").append(label).append("</button>").toString();
    }

    private static String attribute(String name, String value) {
        return " " + name + "=\"" + escape(value) + "\"";
    }

    /** A text object: mrkdwn rendered, plain text escaped (its emoji shown). */
    private static String text(JsonNode text) {
        if (text.path("type").asText().equals("mrkdwn")) {
            return mrkdwn(text.path("text").asText());
        }
        return emoji(escape(text.path("text").asText()));
    }

    /** Slack's mrkdwn: code blocks first, then quotes line by line, then the inline formats. */
    static String mrkdwn(String text) {
        StringBuilder html = new StringBuilder();
        String[] parts = text.split("```", -1);
        for (int i = 0; i < parts.length; i++) {
            if (i % 2 == 1 && i < parts.length - 1) {
                html.append("<pre>").append(escape(unescapeSlack(parts[i].replaceFirst("^\\n", "")))).append("</pre>");
            } else {
                html.append(lines(i % 2 == 1 ? "```" + parts[i] : parts[i]));
            }
        }
        return html.toString();
    }

    private static String lines(String text) {
        StringBuilder html = new StringBuilder();
        String[] lines = text.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i];
            if (line.startsWith(">") || line.startsWith("&gt;")) {
                html.append("<blockquote>").append(inline(line.substring(line.startsWith(">") ? 1 : 4))).append("</blockquote>");
            } else {
                html.append(inline(line));
                if (i < lines.length - 1) {
                    html.append("<br>");
                }
            }
        }
        return html.toString();
    }

    /** Code spans are shown as they are; the rest is split at Slack's {@code <...>} references. */
    private static String inline(String text) {
        StringBuilder html = new StringBuilder();
        Matcher code = INLINE_CODE.matcher(text);
        int at = 0;
        while (code.find()) {
            html.append(references(text.substring(at, code.start())));
            html.append("<code>").append(escape(unescapeSlack(code.group(1)))).append("</code>");
            at = code.end();
        }
        return html.append(references(text.substring(at))).toString();
    }

    private static String references(String text) {
        StringBuilder html = new StringBuilder();
        Matcher reference = ANGLE.matcher(text);
        int at = 0;
        while (reference.find()) {
            html.append(formatted(text.substring(at, reference.start())));
            html.append(reference(reference.group(1)));
            at = reference.end();
        }
        return html.append(formatted(text.substring(at))).toString();
    }

    /** {@code <@U123>} a person, {@code <#C123|name>} a channel, {@code <!here>} a broadcast, anything else a link. */
    private static String reference(String inside) {
        int bar = inside.indexOf('|');
        String target = bar < 0 ? inside : inside.substring(0, bar);
        String label = bar < 0 ? null : inside.substring(bar + 1);
        if (target.startsWith("@")) {
            return "<span class=\"mention\">@" + escape(label != null ? label : target.substring(1)) + "</span>";
        }
        if (target.startsWith("#")) {
            return "<span class=\"mention\">#" + escape(label != null ? label : target.substring(1)) + "</span>";
        }
        if (target.startsWith("!")) {
            String special = target.substring(1);
            if (special.startsWith("subteam^")) {
                special = special.substring("subteam^".length());
            }
            return "<span class=\"mention\">@" + escape(label != null ? label : special) + "</span>";
        }
        String url = unescapeSlack(target);
        if (!url.matches("(?i)(https?|mailto):.*")) {
            return escape("<" + unescapeSlack(inside) + ">");
        }
        return "<a href=\"" + escape(url) + "\" target=\"_blank\" rel=\"noopener\">" + formatted(label != null ? label : target) + "</a>";
    }

    private static String formatted(String slackText) {
        String html = escape(unescapeSlack(slackText));
        html = BOLD.matcher(html).replaceAll("<b>$1</b>");
        html = ITALIC.matcher(html).replaceAll("<i>$1</i>");
        html = STRIKE.matcher(html).replaceAll("<s>$1</s>");
        return emoji(html);
    }

    private static String emoji(String html) {
        return EMOJI.matcher(html).replaceAll(m -> Matcher.quoteReplacement(EMOJI_BY_NAME.getOrDefault(m.group(1), m.group())));
    }

    /** Slack escapes exactly these three in message text. */
    private static String unescapeSlack(String text) {
        return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&");
    }

    static String escape(String text) {
        StringBuilder out = new StringBuilder(text.length());
        for (char c : text.toCharArray()) {
            switch (c) {
                case '&' -> out.append("&amp;");
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '"' -> out.append("&quot;");
                case '\'' -> out.append("&#39;");
                default -> out.append(c);
            }
        }
        return out.toString();
    }
}
