package dev.gantry.core.chatops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.gantry.core.image.ImageDigest;
import java.time.Instant;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Every verb's forms and defaults, and a clear answer for each mistake. */
class SlashCommandParserTest {

    private static final Instant NOW = Instant.parse("2026-11-23T10:00:00Z");
    private static final String DIGEST = "sha256:" + "a1".repeat(32);
    private static final ImageDigest A1 = ImageDigest.parse(DIGEST);

    private final SlashCommandParser parser = new SlashCommandParser(ChatOpsWorld.CONFIG);

    static Stream<Arguments> commands() {
        return Stream.of(
                row("", new SlashCommand.Help()),
                row("help", new SlashCommand.Help()),
                row("  HELP me  ", new SlashCommand.Help()),
                row("status payments-api", new SlashCommand.Status("payments-api")),
                row("Status   payments-api", new SlashCommand.Status("payments-api")),
                row("deploy payments-api 1.4.0", new SlashCommand.Deploy("payments-api", "staging", "1.4.0")),
                row("deploy payments-api 1.4.0 prod", new SlashCommand.Deploy("payments-api", "prod", "1.4.0")),
                row("deploy checkout-web release-42", new SlashCommand.Deploy("checkout-web", "staging", "release-42")),
                row("rollback payments-api prod", new SlashCommand.Rollback("payments-api", "prod")),
                row("rollback checkout-web", new SlashCommand.Rollback("checkout-web", "staging")),
                row("pin payments-api prod " + DIGEST, new SlashCommand.Pin("payments-api", "prod", A1, null, null, "")),
                row("pin payments-api prod 1.4.0", new SlashCommand.Pin("payments-api", "prod", null, "1.4.0", null, "")),
                row("pin payments-api prod 1.4.0 for 2h incident 4711",
                        new SlashCommand.Pin("payments-api", "prod", null, "1.4.0", Instant.parse("2026-11-23T12:00:00Z"), "incident 4711")),
                row("pin payments-api prod 1.4.0 until 2026-11-24T08:00Z quarter end",
                        new SlashCommand.Pin("payments-api", "prod", null, "1.4.0", Instant.parse("2026-11-24T08:00:00Z"), "quarter end")),
                row("pin payments-api prod 1.4.0 until 2026-11-24T09:00:00+01:00",
                        new SlashCommand.Pin("payments-api", "prod", null, "1.4.0", Instant.parse("2026-11-24T08:00:00Z"), "")),
                row("pin payments-api prod 1.4.0 waiting for the   release notes",
                        new SlashCommand.Pin("payments-api", "prod", null, "1.4.0", null, "waiting for the release notes")),
                row("unpin payments-api prod", new SlashCommand.Unpin("payments-api", "prod")),
                row("veto payments-api prod " + DIGEST + " leaks memory", new SlashCommand.Veto("payments-api", "prod", A1, "leaks memory")),
                row("rebuild golden-java21", new SlashCommand.Rebuild("golden-java21", "")),
                row("rebuild golden-java21 openssl CVE-2026-0001", new SlashCommand.Rebuild("golden-java21", "openssl CVE-2026-0001")),
                row("freeze on", new SlashCommand.Freeze(true, ManualFreeze.EVERY_ENVIRONMENT, null, "")),
                row("freeze on all incident 4711", new SlashCommand.Freeze(true, ManualFreeze.EVERY_ENVIRONMENT, null, "incident 4711")),
                row("freeze on prod", new SlashCommand.Freeze(true, "prod", null, "")),
                row("freeze ON prod until 4h incident 4711",
                        new SlashCommand.Freeze(true, "prod", Instant.parse("2026-11-23T14:00:00Z"), "incident 4711")),
                row("freeze on until 2026-11-24T00:00Z", new SlashCommand.Freeze(true, ManualFreeze.EVERY_ENVIRONMENT,
                        Instant.parse("2026-11-24T00:00:00Z"), "")),
                row("freeze off", new SlashCommand.Freeze(false, ManualFreeze.EVERY_ENVIRONMENT, null, "")),
                row("freeze off prod fixed", new SlashCommand.Freeze(false, "prod", null, "fixed")));
    }

    @ParameterizedTest(name = "/gantry {0}")
    @MethodSource("commands")
    void readsTheCommand(String text, SlashCommand expected) {
        assertThat(parser.parse(text, NOW)).isEqualTo(expected);
    }

    static Stream<Arguments> mistakes() {
        return Stream.of(
                mistake("launch payments-api", null, "unknown command 'launch'; the commands are: status, deploy, rollback, pin, unpin,"
                        + " veto, rebuild, freeze, help"),
                mistake("status", "status", "missing service"),
                mistake("status payments", "status", "no service 'payments'; services: payments-api, checkout-web"),
                mistake("status payments-api prod", "status", "unexpected 'prod'"),
                mistake("deploy payments-api", "deploy", "missing tag"),
                mistake("deploy payments-api 1.4.0 production", "deploy",
                        "service payments-api has no environment 'production'; it runs in staging, prod"),
                mistake("deploy payments-api 1.4.0 prod now", "deploy", "unexpected 'now'"),
                mistake("deploy payments-api " + DIGEST, "deploy", "deploy takes a tag, which Gantry pins to the digest it points at now;"
                        + " '" + DIGEST + "' is a digest. To hold an environment on a digest, use pin"),
                mistake("deploy payments-api 1.4.0:latest", "deploy",
                        "'1.4.0:latest' is not an image tag (letters, digits, '_', '.', '-'; at most 128)"),
                mistake("rollback payments-api", "rollback", "name the environment to roll back: payments-api runs in staging, prod"),
                mistake("pin payments-api prod", "pin", "missing digest or tag"),
                mistake("pin payments-api prod sha256:abc", "pin",
                        "image digest 'sha256:abc' must be 'sha256:' followed by 64 lower-case hex digits (found 3 characters)"),
                mistake("pin payments-api prod 1.4.0 for soon", "pin", "'soon' is not a duration: write e.g. 90s, 30m, 4h, 7d or PT30M"),
                mistake("pin payments-api prod 1.4.0 for 0m", "pin", "'0m' must be longer than zero"),
                mistake("pin payments-api prod 1.4.0 until", "pin", "missing time after 'until'"),
                mistake("pin payments-api prod 1.4.0 until 2026-11-23T09:00Z", "pin", "'2026-11-23T09:00Z' is not in the future (it is "
                        + NOW + ")"),
                mistake("pin payments-api prod 1.4.0 until tomorrow", "pin",
                        "'tomorrow' is neither a time with its offset (2026-11-23T18:00Z) nor a duration (90m, 4h, 2d)"),
                mistake("unpin payments-api", "unpin", "missing environment"),
                mistake("veto payments-api prod 1.4.0 bad", "veto",
                        "veto names a digest (sha256:...), never a tag: a tag can be moved to other bytes after the veto"),
                mistake("veto payments-api prod " + DIGEST, "veto", "say why: a veto's reason is shown to everyone whose release it refuses"),
                mistake("rebuild", "rebuild", "missing base image"),
                mistake("rebuild golden-java17", "rebuild", "no base image 'golden-java17'; base images: golden-java21"),
                mistake("freeze", "freeze", "missing on or off"),
                mistake("freeze maybe", "freeze", "freeze takes on or off, not 'maybe'"),
                mistake("freeze on incident 4711", "freeze",
                        "no environment 'incident'; write one of prod, staging, or all (a reason goes after the environment)"),
                mistake("freeze off prod until 4h", "freeze", "until only applies to freeze on: freeze off lifts the freeze now"));
    }

    @ParameterizedTest(name = "/gantry {0}")
    @MethodSource("mistakes")
    void namesWhatIsWrongAndGivesTheUsage(String text, String verb, String problem) {
        SlashCommandParser.CommandSyntaxException e = catchThrowableOfType(SlashCommandParser.CommandSyntaxException.class,
                () -> parser.parse(text, NOW));

        assertThat(e).isNotNull();
        assertThat(e.getMessage()).isEqualTo(problem);
        assertThat(e.verb()).isEqualTo(verb);
        assertThat(e.usage()).isEqualTo(verb == null ? String.join("\n", SlashCommandParser.USAGE.values()) : SlashCommandParser.USAGE.get(verb));
    }

    private static Arguments row(String text, SlashCommand expected) {
        return Arguments.of(text, expected);
    }

    private static Arguments mistake(String text, String verb, String problem) {
        return Arguments.of(text, verb, problem);
    }
}
