package dev.gantry.core.config;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Reads and validates {@code gantry.yml}. The CDK app and every function load the file through this one
 * class, so a file that synthesizes is a file the functions accept.
 *
 * <p>Errors: {@link InvalidConfigException} listing every problem with its line and field: unknown keys,
 * missing fields, values of the wrong type, bad regular expressions or cron expressions, duplicate
 * names, references to things that do not exist, and dependency cycles.
 */
public final class ConfigLoader {

    /** Environment variable naming the configuration file the functions load at init. */
    public static final String CONFIG_ENV = "GANTRY_CONFIG";

    // Duplicate keys are an error: YAML's default, the later key silently replacing the earlier, would
    // drop a whole 'services:' list without a word.
    private static final YAMLFactory YAML = YAMLFactory.builder().enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();
    private static final ObjectMapper MAPPER = JsonMapper.builder(YAML)
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            // Counts are whole numbers: 'required: 1.5' is a mistake to report, not a 1 to guess.
            .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
            .enable(MapperFeature.ACCEPT_CASE_INSENSITIVE_ENUMS)
            .addModule(new SimpleModule("gantry-config")
                    .addDeserializer(Duration.class, new TextDeserializer<>(Duration.class, Durations::parse))
                    .addDeserializer(ZoneId.class, new TextDeserializer<>(ZoneId.class, ConfigLoader::zone))
                    .addDeserializer(Instant.class, new TextDeserializer<>(Instant.class, ConfigLoader::instant)))
            .build();

    private ConfigLoader() {}

    /** Loads the file named by {@value #CONFIG_ENV}. */
    public static GantryConfig fromEnvironment(Map<String, String> environment) {
        String file = environment.get(CONFIG_ENV);
        if (file == null || file.isBlank()) {
            throw new InvalidConfigException(CONFIG_ENV, List.of(new ConfigProblem(0, "",
                    "the environment variable is not set; it must name the gantry.yml file to load")));
        }
        return load(Path.of(file));
    }

    public static GantryConfig load(Path file) {
        String yaml;
        try {
            yaml = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new InvalidConfigException(file.toString(), List.of(new ConfigProblem(0, "", "no such file")));
        } catch (IOException e) {
            throw new InvalidConfigException(file.toString(), List.of(new ConfigProblem(0, "", "cannot be read: " + e.getMessage())));
        }
        return parse(yaml, file.getFileName().toString());
    }

    /**
     * @param sourceName how errors name the file, e.g. {@code gantry.yml}
     */
    public static GantryConfig parse(String yaml, String sourceName) {
        if (yaml.isBlank()) {
            throw new InvalidConfigException(sourceName, List.of(new ConfigProblem(0, "", "the file is empty")));
        }
        SourceLines lines = SourceLines.scan(YAML, yaml);
        GantryConfig config;
        try {
            config = lines.isEmpty() || (lines.size() <= 1 && hasNoContent(yaml)) ? null : MAPPER.readValue(yaml, GantryConfig.class);
        } catch (JsonProcessingException e) {
            throw new InvalidConfigException(sourceName, List.of(translate(e, lines, yaml)));
        }
        if (config == null) {
            throw new InvalidConfigException(sourceName, List.of(new ConfigProblem(0, "", "the file has no content (only comments or a null document)")));
        }
        List<ConfigProblem> problems = new ConfigValidator(config, lines).validate();
        if (!problems.isEmpty()) {
            throw new InvalidConfigException(sourceName, problems);
        }
        return config;
    }

    private static ConfigProblem translate(JsonProcessingException e, SourceLines lines, String yaml) {
        // A syntax error can arrive wrapped in a mapping error; SnakeYAML's own exception knows the line
        // of the problem and says what it is, where Jackson only knows its last good token.
        for (Throwable cause = e; cause != null; cause = cause.getCause()) {
            if (cause instanceof MarkedYAMLException syntax) {
                return new ConfigProblem(syntaxErrorLine(syntax, e, yaml), "", "not valid YAML: " + syntax.getProblem());
            }
        }
        if (!(e instanceof JsonMappingException mapping)) {
            String message = firstLine(e.getOriginalMessage());
            if (message.startsWith("Duplicate field ")) {
                return new ConfigProblem(lineOf(e.getLocation()), "", "duplicate key " + message.substring("Duplicate field ".length())
                        + ": the second would silently replace the first");
            }
            return new ConfigProblem(lineOf(e.getLocation()), "", "not valid YAML: " + message);
        }
        // Jackson's location is wherever the parser stood when it gave up, often the line after the
        // offending key; the key's own line comes from the scan.
        String pointer = pointerOf(mapping.getPath());
        int line = lines.lineOf(pointer);
        if (line == 0) {
            line = lineOf(e.getLocation());
        }
        String field = SourceLines.fieldOf(pointer);
        if (e instanceof UnrecognizedPropertyException unknown) {
            String known = known(unknown.getKnownPropertyIds());
            return new ConfigProblem(line, field, "unknown key '" + unknown.getPropertyName() + "'" + known);
        }
        if (e instanceof InvalidFormatException invalid && invalid.getTargetType() != null && invalid.getTargetType().isEnum()) {
            String allowed = List.of(invalid.getTargetType().getEnumConstants()).stream()
                    .map(c -> c.toString().toLowerCase()).collect(Collectors.joining(", "));
            return new ConfigProblem(line, field, "'" + invalid.getValue() + "' is not one of: " + allowed);
        }
        if (e instanceof InvalidFormatException invalid && invalid.getTargetType() != null
                && TextDeserializer.PARSED_TYPES.contains(invalid.getTargetType())) {
            return new ConfigProblem(line, field, firstLine(invalid.getOriginalMessage()));
        }
        if (e instanceof MismatchedInputException mismatched && mismatched.getTargetType() != null) {
            return new ConfigProblem(line, field, "expected " + describe(mismatched.getTargetType()));
        }
        return new ConfigProblem(line, field, firstLine(e.getOriginalMessage()));
    }

    /** A document of only {@code ---}, {@code ~} or {@code null}: YAML for "nothing". */
    private static boolean hasNoContent(String yaml) {
        try {
            com.fasterxml.jackson.databind.JsonNode root = MAPPER.readTree(yaml);
            return root == null || root.isMissingNode() || root.isNull() || (root.isTextual() && root.asText().isEmpty());
        } catch (JsonProcessingException e) {
            return false;
        }
    }

    /**
     * Where the problem is, unless SnakeYAML only noticed it at the end of the input (an unclosed quote):
     * then where the unfinished thing started.
     */
    private static int syntaxErrorLine(MarkedYAMLException syntax, JsonProcessingException e, String yaml) {
        Mark problem = syntax.getProblemMark();
        Mark context = syntax.getContextMark();
        if (problem == null) {
            return context != null ? context.getLine() + 1 : lineOf(e.getLocation());
        }
        boolean atEndOfInput = yaml.substring(Math.min(problem.getIndex(), yaml.length())).isBlank();
        return atEndOfInput && context != null ? context.getLine() + 1 : problem.getLine() + 1;
    }

    private static String describe(Class<?> type) {
        if (type == Integer.class || type == int.class || type == Long.class) {
            return "a whole number";
        }
        if (type == Boolean.class || type == boolean.class) {
            return "true or false";
        }
        if (type == String.class) {
            return "a single text value";
        }
        if (List.class.isAssignableFrom(type) || Collection.class.isAssignableFrom(type)) {
            return "a list";
        }
        return "a mapping of keys to values";
    }

    private static String known(Collection<Object> knownIds) {
        if (knownIds == null || knownIds.isEmpty()) {
            return "";
        }
        return "; expected one of: " + knownIds.stream().map(Object::toString).sorted().collect(Collectors.joining(", "));
    }

    private static String pointerOf(List<JsonMappingException.Reference> path) {
        StringBuilder pointer = new StringBuilder();
        for (JsonMappingException.Reference ref : path) {
            pointer.append('/').append(ref.getFieldName() != null ? ref.getFieldName() : String.valueOf(ref.getIndex()));
        }
        return pointer.toString();
    }

    private static int lineOf(JsonLocation location) {
        return location == null ? 0 : Math.max(location.getLineNr(), 0);
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "invalid value";
        }
        int newline = message.indexOf('\n');
        return newline < 0 ? message : message.substring(0, newline);
    }

    private static ZoneId zone(String text) {
        try {
            return ZoneId.of(text);
        } catch (DateTimeException e) {
            throw new IllegalArgumentException("'" + text + "' is not a time zone: write a region id such as Europe/Berlin or UTC");
        }
    }

    private static Instant instant(String text) {
        try {
            return Instant.parse(text);
        } catch (DateTimeException e) {
            throw new IllegalArgumentException("'" + text + "' is not a UTC timestamp: write e.g. 2026-12-22T00:00:00Z");
        }
    }

    /** Parses a scalar with a function whose IllegalArgumentException message is shown to the user. */
    private static final class TextDeserializer<T> extends JsonDeserializer<T> {
        static final List<Class<?>> PARSED_TYPES = List.of(Duration.class, ZoneId.class, Instant.class);

        private final Class<T> type;
        private final java.util.function.Function<String, T> parse;

        TextDeserializer(Class<T> type, java.util.function.Function<String, T> parse) {
            this.type = type;
            this.parse = parse;
        }

        @Override
        public T deserialize(JsonParser parser, DeserializationContext context) throws IOException {
            String text = parser.getValueAsString();
            if (text == null) {
                return type.cast(context.handleUnexpectedToken(type, parser));
            }
            try {
                return parse.apply(text);
            } catch (IllegalArgumentException e) {
                throw InvalidFormatException.from(parser, e.getMessage(), text, type);
            }
        }
    }

    static List<ConfigProblem> sorted(List<ConfigProblem> problems) {
        List<ConfigProblem> copy = new ArrayList<>(problems);
        copy.sort(java.util.Comparator.comparingInt(ConfigProblem::line));
        return copy;
    }
}
