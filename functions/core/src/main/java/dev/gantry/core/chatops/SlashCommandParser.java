package dev.gantry.core.chatops;

import dev.gantry.core.config.Durations;
import dev.gantry.core.config.EnvironmentConfig;
import dev.gantry.core.config.GantryConfig;
import dev.gantry.core.config.ServiceConfig;
import dev.gantry.core.image.ImageDigest;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Reads the text of a {@code /gantry} command into a {@link SlashCommand}, checking every name against the
 * configuration so that a typo is answered at once, naming what is wrong, instead of failing half-way.
 *
 * <p>Defaults: {@code deploy} without an environment goes to the service's first environment (the start of its
 * promotion order); {@code rollback} may leave the environment out only when the service has just one, because rolling
 * back the wrong environment is a production change nobody meant; {@code freeze} without an environment (or with
 * {@code all}) covers every environment. An empty command is {@code help}.
 *
 * <p>Times: {@code until} takes an ISO-8601 time with its offset ({@code 2026-11-23T18:00Z},
 * {@code 2026-11-23T18:00:00+01:00}) or a duration from now ({@code 90m}, {@code 4h}, {@code 2d}, {@code PT30M});
 * {@code for} takes a duration. Either must end after now.
 *
 * <p>Errors: {@link CommandSyntaxException}, whose message names the problem and whose {@link CommandSyntaxException#usage()}
 * is the usage line of the verb (every verb's, for an unknown one).
 */
public final class SlashCommandParser {

    /** Each verb's usage line, in the order help lists them. */
    public static final Map<String, String> USAGE = usage();

    private static final Pattern IMAGE_TAG = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}");
    private static final String ALL = "all";

    private final GantryConfig config;

    public SlashCommandParser(GantryConfig config) {
        this.config = config;
    }

    /**
     * @param now the time relative durations count from
     * @throws CommandSyntaxException naming what is wrong
     */
    public SlashCommand parse(String text, Instant now) {
        List<String> words = text == null || text.isBlank() ? List.of() : Arrays.asList(text.strip().split("\\s+"));
        if (words.isEmpty()) {
            return new SlashCommand.Help();
        }
        String verb = words.get(0).toLowerCase(Locale.ROOT);
        Words args = new Words(verb, words.subList(1, words.size()));
        return switch (verb) {
            case "status" -> status(args);
            case "deploy" -> deploy(args);
            case "rollback" -> rollback(args);
            case "pin" -> pin(args, now);
            case "unpin" -> unpin(args);
            case "veto" -> veto(args);
            case "rebuild" -> rebuild(args);
            case "freeze" -> freeze(args, now);
            case "help" -> new SlashCommand.Help();
            default -> throw new CommandSyntaxException(null, "unknown command '" + words.get(0) + "'; the commands are: "
                    + String.join(", ", USAGE.keySet()), String.join("\n", USAGE.values()));
        };
    }

    /** Every usage line, with what the defaults are, as {@code help} shows it. */
    public static List<String> help() {
        List<String> lines = new ArrayList<>(USAGE.values());
        lines.add("deploy goes to the service's first environment when none is named; rollback needs the environment when the service has"
                + " several; freeze without an environment (or with 'all') covers every environment.");
        lines.add("until takes a time with its offset (2026-11-23T18:00Z) or a duration from now (90m, 4h, 2d); for takes a duration.");
        return lines;
    }

    private SlashCommand status(Words args) {
        ServiceConfig service = service(args, "service");
        args.end();
        return new SlashCommand.Status(service.name());
    }

    private SlashCommand deploy(Words args) {
        ServiceConfig service = service(args, "service");
        String tag = args.next("tag");
        if (tag.startsWith("sha256:")) {
            throw args.wrong("deploy takes a tag, which Gantry pins to the digest it points at now; '" + shorten(tag)
                    + "' is a digest. To hold an environment on a digest, use pin");
        }
        if (!IMAGE_TAG.matcher(tag).matches()) {
            throw args.wrong("'" + shorten(tag) + "' is not an image tag (letters, digits, '_', '.', '-'; at most 128)");
        }
        String environment = args.hasNext() ? environment(service, args.next("environment"), args).name()
                : service.environments().get(0).name();
        args.end();
        return new SlashCommand.Deploy(service.name(), environment, tag);
    }

    private SlashCommand rollback(Words args) {
        ServiceConfig service = service(args, "service");
        String environment;
        if (args.hasNext()) {
            environment = environment(service, args.next("environment"), args).name();
        } else if (service.environments().size() == 1) {
            environment = service.environments().get(0).name();
        } else {
            throw args.wrong("name the environment to roll back: " + service.name() + " runs in " + environmentNames(service));
        }
        args.end();
        return new SlashCommand.Rollback(service.name(), environment);
    }

    private SlashCommand pin(Words args, Instant now) {
        ServiceConfig service = service(args, "service");
        EnvironmentConfig environment = environment(service, args.next("environment"), args);
        String target = args.next("digest or tag");
        ImageDigest digest = null;
        String tag = null;
        if (target.startsWith("sha256:")) {
            digest = digest(target, args);
        } else if (IMAGE_TAG.matcher(target).matches()) {
            tag = target;
        } else {
            throw args.wrong("'" + shorten(target) + "' is neither a digest (sha256:...) nor an image tag");
        }
        Instant until = null;
        if (args.peekIs("for")) {
            args.next("for");
            until = now.plus(duration(args.next("duration after 'for'"), args));
        } else if (args.peekIs("until")) {
            args.next("until");
            until = time(args.next("time after 'until'"), now, args);
        }
        return new SlashCommand.Pin(service.name(), environment.name(), digest, tag, until, args.rest());
    }

    private SlashCommand unpin(Words args) {
        ServiceConfig service = service(args, "service");
        EnvironmentConfig environment = environment(service, args.next("environment"), args);
        args.end();
        return new SlashCommand.Unpin(service.name(), environment.name());
    }

    private SlashCommand veto(Words args) {
        ServiceConfig service = service(args, "service");
        EnvironmentConfig environment = environment(service, args.next("environment"), args);
        String target = args.next("digest");
        if (!target.startsWith("sha256:")) {
            throw args.wrong("veto names a digest (sha256:...), never a tag: a tag can be moved to other bytes after the veto");
        }
        ImageDigest digest = digest(target, args);
        String reason = args.rest();
        if (reason.isEmpty()) {
            throw args.wrong("say why: a veto's reason is shown to everyone whose release it refuses");
        }
        return new SlashCommand.Veto(service.name(), environment.name(), digest, reason);
    }

    private SlashCommand rebuild(Words args) {
        String base = args.next("base image");
        if (config.baseImages().stream().noneMatch(b -> b.name().equals(base))) {
            throw args.wrong("no base image '" + shorten(base) + "'; base images: " + names(config.baseImages().stream().map(b -> b.name()).toList()));
        }
        return new SlashCommand.Rebuild(base, args.rest());
    }

    private SlashCommand freeze(Words args, Instant now) {
        String state = args.next("on or off").toLowerCase(Locale.ROOT);
        if (!state.equals("on") && !state.equals("off")) {
            throw args.wrong("freeze takes on or off, not '" + shorten(state) + "'");
        }
        boolean on = state.equals("on");
        String scope = ManualFreeze.EVERY_ENVIRONMENT;
        if (args.hasNext() && !args.peekIs("until")) {
            String named = args.next("environment");
            if (!named.equalsIgnoreCase(ALL)) {
                List<String> known = allEnvironmentNames();
                if (!known.contains(named)) {
                    throw args.wrong("no environment '" + shorten(named) + "'; write one of " + names(known)
                            + ", or all (a reason goes after the environment)");
                }
                scope = named;
            }
        }
        Instant until = null;
        if (args.peekIs("until")) {
            if (!on) {
                throw args.wrong("until only applies to freeze on: freeze off lifts the freeze now");
            }
            args.next("until");
            until = time(args.next("time after 'until'"), now, args);
        }
        return new SlashCommand.Freeze(on, scope, until, args.rest());
    }

    private ServiceConfig service(Words args, String what) {
        String name = args.next(what);
        return config.services().stream().filter(s -> s.name().equals(name)).findFirst()
                .orElseThrow(() -> args.wrong("no service '" + shorten(name) + "'; services: "
                        + names(config.services().stream().map(ServiceConfig::name).toList())));
    }

    private static EnvironmentConfig environment(ServiceConfig service, String name, Words args) {
        return service.environments().stream().filter(e -> e.name().equals(name)).findFirst()
                .orElseThrow(() -> args.wrong("service " + service.name() + " has no environment '" + shorten(name) + "'; it runs in "
                        + environmentNames(service)));
    }

    private List<String> allEnvironmentNames() {
        return config.services().stream().flatMap(s -> s.environments().stream()).map(EnvironmentConfig::name).distinct().sorted().toList();
    }

    private static ImageDigest digest(String text, Words args) {
        try {
            return ImageDigest.parse(text);
        } catch (ImageDigest.InvalidDigestException e) {
            throw args.wrong(e.getMessage());
        }
    }

    private static Duration duration(String text, Words args) {
        Duration duration;
        try {
            duration = Durations.parse(text);
        } catch (IllegalArgumentException e) {
            throw args.wrong(e.getMessage());
        }
        if (duration.isZero() || duration.isNegative()) {
            throw args.wrong("'" + shorten(text) + "' must be longer than zero");
        }
        return duration;
    }

    private static Instant time(String text, Instant now, Words args) {
        Instant until = parseTime(text).orElse(null);
        if (until == null) {
            try {
                until = now.plus(Durations.parse(text));
            } catch (IllegalArgumentException e) {
                throw args.wrong("'" + shorten(text) + "' is neither a time with its offset (2026-11-23T18:00Z) nor a duration (90m, 4h, 2d)");
            }
        }
        if (!until.isAfter(now)) {
            throw args.wrong("'" + shorten(text) + "' is not in the future (it is " + now + ")");
        }
        return until;
    }

    /** ISO-8601 with an offset; seconds may be left out, as CodePipeline and people both do. */
    static Optional<Instant> parseTime(String text) {
        try {
            return Optional.of(Instant.parse(text));
        } catch (DateTimeException e) {
            try {
                return Optional.of(OffsetDateTime.parse(text).toInstant());
            } catch (DateTimeException again) {
                return Optional.empty();
            }
        }
    }

    private static String environmentNames(ServiceConfig service) {
        return names(service.environments().stream().map(EnvironmentConfig::name).toList());
    }

    private static String names(List<String> names) {
        return names.isEmpty() ? "none configured" : String.join(", ", names);
    }

    /** Echoes a user's word without letting a pasted essay fill the answer. */
    private static String shorten(String word) {
        return word.length() <= 80 ? word : word.substring(0, 77) + "...";
    }

    private static Map<String, String> usage() {
        Map<String, String> usage = new LinkedHashMap<>();
        usage.put("status", "`/gantry status <service>`: what each environment runs, its pin, vetoes, freezes and gate");
        usage.put("deploy", "`/gantry deploy <service> <tag> [env]`: deploy the digest the tag points at now");
        usage.put("rollback", "`/gantry rollback <service> [env]`: deploy the last release before the current one that completed its rollout");
        usage.put("pin", "`/gantry pin <service> <env> <digest|tag> [for <duration>|until <time>] [reason...]`: hold the environment on one digest");
        usage.put("unpin", "`/gantry unpin <service> <env>`: lift the pin");
        usage.put("veto", "`/gantry veto <service> <env> <digest> <reason...>`: never deploy the digest there");
        usage.put("rebuild", "`/gantry rebuild <base image> [reason...]`: rebuild the images built from the base on its current digest");
        usage.put("freeze", "`/gantry freeze on|off [env|all] [until <time|duration>] [reason...]`: hold every gated release of the"
                + " environment, whatever the service");
        usage.put("help", "`/gantry help`: this list");
        return Collections.unmodifiableMap(usage);
    }

    /** The arguments after the verb, consumed left to right. */
    private static final class Words {
        private final String verb;
        private final List<String> words;
        private int next;

        Words(String verb, List<String> words) {
            this.verb = verb;
            this.words = words;
        }

        boolean hasNext() {
            return next < words.size();
        }

        boolean peekIs(String keyword) {
            return hasNext() && words.get(next).equalsIgnoreCase(keyword);
        }

        String next(String what) {
            if (!hasNext()) {
                throw wrong("missing " + what);
            }
            return words.get(next++);
        }

        /** Everything left, as one line: a free-text reason. */
        String rest() {
            String rest = String.join(" ", words.subList(next, words.size()));
            next = words.size();
            return rest;
        }

        void end() {
            if (hasNext()) {
                throw wrong("unexpected '" + shorten(String.join(" ", words.subList(next, words.size()))) + "'");
            }
        }

        CommandSyntaxException wrong(String problem) {
            return new CommandSyntaxException(verb, problem, USAGE.get(verb));
        }
    }

    /** A command Gantry cannot read. The message says what is wrong; {@link #usage()} how to write it. */
    public static final class CommandSyntaxException extends RuntimeException {
        private final String verb;
        private final String usage;

        public CommandSyntaxException(String verb, String problem, String usage) {
            super(problem);
            this.verb = verb;
            this.usage = usage;
        }

        /** The verb as understood; null when it was not one. */
        public String verb() {
            return verb;
        }

        public String usage() {
            return usage;
        }
    }
}
