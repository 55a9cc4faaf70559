package dev.gantry.infra;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** {@code infra/slack/manifest.yml}, the Slack app people create from it, against what the stack and the functions expect. */
class ChatOpsSlackManifestTest {

    private static final Path MANIFEST = Path.of("slack/manifest.yml");
    private static final Path REPOSITORY = Path.of("..");

    // Slack's limits for the fields below, from its manifest reference.
    private static final int MAX_APP_NAME = 35;
    private static final int MAX_APP_DESCRIPTION = 140;

    private static JsonNode manifest;

    @BeforeAll
    static void read() throws IOException {
        manifest = new ObjectMapper(new YAMLFactory()).readTree(MANIFEST.toFile());
    }

    @Test
    void botMayDoExactlyWhatGantryCalls() {
        assertThat(texts(manifest.at("/oauth_config/scopes/bot")))
                .containsExactlyInAnyOrder("chat:write", "chat:write.public", "commands", "usergroups:read", "channels:history",
                        "groups:history", "channels:read", "groups:read");
        assertThat(manifest.at("/oauth_config/scopes/user").isMissingNode()).as("no user token: Gantry acts as its bot only").isTrue();
    }

    @Test
    void slashCommandIsGantrySentToTheInteractivityUrlListingEveryVerb() {
        JsonNode commands = manifest.at("/features/slash_commands");

        assertThat(commands).hasSize(1);
        JsonNode gantry = commands.get(0);
        assertThat(gantry.get("command").asText()).isEqualTo("/gantry");
        assertThat(gantry.get("url").asText()).isEqualTo(ChatOps.INTERACTIVITY_URL_PLACEHOLDER);
        assertThat(gantry.get("should_escape").isBoolean()).isTrue();
        assertThat(gantry.get("should_escape").asBoolean()).isFalse();
        assertThat(gantry.get("description").asText()).isNotBlank();
        assertThat(gantry.get("usage_hint").asText().split("\\s*\\|\\s*"))
                .containsExactly("status", "deploy", "rollback", "pin", "unpin", "veto", "rebuild", "freeze", "help");
    }

    @Test
    void interactivityIsOnAtTheSameUrlAndNothingElseListens() {
        assertThat(manifest.at("/settings/interactivity/is_enabled").asBoolean()).isTrue();
        assertThat(manifest.at("/settings/interactivity/request_url").asText()).isEqualTo(ChatOps.INTERACTIVITY_URL_PLACEHOLDER);
        assertThat(manifest.at("/settings/socket_mode_enabled").isBoolean()).isTrue();
        assertThat(manifest.at("/settings/socket_mode_enabled").asBoolean()).isFalse();
        assertThat(manifest.at("/settings/org_deploy_enabled").asBoolean()).isFalse();
        assertThat(manifest.at("/settings/token_rotation_enabled").asBoolean())
                .as("a rotating token would expire inside the secret the functions read").isFalse();
        assertThat(manifest.at("/settings/event_subscriptions").isMissingNode()).isTrue();
    }

    @Test
    void appIsGantryWithABotThatIsNotAlwaysOnline() {
        assertThat(manifest.at("/display_information/name").asText()).isEqualTo("Gantry").hasSizeLessThanOrEqualTo(MAX_APP_NAME);
        assertThat(manifest.at("/display_information/description").asText()).isNotBlank().hasSizeLessThanOrEqualTo(MAX_APP_DESCRIPTION);
        assertThat(manifest.at("/features/bot_user/display_name").asText()).isEqualTo("gantry");
        assertThat(manifest.at("/features/bot_user/always_online").isBoolean()).isTrue();
        assertThat(manifest.at("/features/bot_user/always_online").asBoolean()).isFalse();
    }

    @Test
    void everyPlaceholderTheDocumentationShowsIsTheOneTheManifestUses() throws IOException {
        List<String> placeholders = new ArrayList<>();
        try (Stream<Path> docs = Stream.concat(Stream.of(REPOSITORY.resolve("README.md")), Files.list(REPOSITORY.resolve("docs")))) {
            for (Path doc : docs.filter(p -> p.toString().endsWith(".md")).toList()) {
                Matcher matcher = Pattern.compile("https://REPLACE-WITH-[^\\s`)\"'>]*").matcher(Files.readString(doc));
                while (matcher.find()) {
                    placeholders.add(matcher.group());
                }
            }
        }
        Matcher inManifest = Pattern.compile("https://REPLACE-WITH-[^\\s]*").matcher(Files.readString(MANIFEST));
        List<String> manifestPlaceholders = new ArrayList<>();
        while (inManifest.find()) {
            manifestPlaceholders.add(inManifest.group());
        }

        assertThat(manifestPlaceholders).containsExactly(ChatOps.INTERACTIVITY_URL_PLACEHOLDER, ChatOps.INTERACTIVITY_URL_PLACEHOLDER);
        assertThat(placeholders).allSatisfy(placeholder -> assertThat(placeholder).isEqualTo(ChatOps.INTERACTIVITY_URL_PLACEHOLDER));
    }

    private static List<String> texts(JsonNode array) {
        return StreamSupport.stream(array.spliterator(), false).map(JsonNode::asText).toList();
    }
}
