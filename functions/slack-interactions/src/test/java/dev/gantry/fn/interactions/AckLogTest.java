package dev.gantry.fn.interactions;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gantry.aws.lambda.LocalContext;
import java.util.Map;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

class AckLogTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-11-23T10:00:00.123456Z"), ZoneOffset.UTC);

    private final ByteArrayOutputStream written = new ByteArrayOutputStream();

    @Test
    void writesOneJsonLineWithPowertoolsFieldNames() throws Exception {
        LocalContext context = new LocalContext("slack-interactions", 3_000);

        log(AckLog.Level.INFO).info(context, "Slack command handed to the worker");

        JsonNode line = JSON.readTree(written.toString(StandardCharsets.UTF_8));
        assertThat(line.path("level").asText()).isEqualTo("INFO");
        assertThat(line.path("message").asText()).isEqualTo("Slack command handed to the worker");
        assertThat(line.path("service").asText()).isEqualTo("gantry-slack-interactions");
        assertThat(line.path("function_name").asText()).isEqualTo("slack-interactions");
        assertThat(line.path("function_request_id").asText()).isEqualTo(context.getAwsRequestId());
        assertThat(line.path("timestamp").asText()).isEqualTo("2026-11-23T10:00:00.123Z");
    }

    @Test
    void keepsAMessageWithQuotesAndLineBreaksOnOneLine() throws Exception {
        log(AckLog.Level.INFO).error(null, "refused: \"x\"\nsecond line");

        String out = written.toString(StandardCharsets.UTF_8);
        assertThat(out.lines()).hasSize(1);
        assertThat(JSON.readTree(out).path("message").asText()).isEqualTo("refused: \"x\"\nsecond line");
    }

    @Test
    void writesNothingBelowItsLevel() {
        AckLog log = log(AckLog.Level.WARN);

        log.info(null, "handed to the worker");
        log.warn(null, "refused");

        assertThat(written.toString(StandardCharsets.UTF_8).lines()).hasSize(1).first().asString().contains("\"WARN\"");
    }

    @Test
    void followsTheLevelLambdaSetsUnlessPowertoolsIsToldOtherwise() {
        assertThat(AckLog.levelFrom(Map.of("AWS_LAMBDA_LOG_LEVEL", "WARN"))).isEqualTo(AckLog.Level.WARN);
        assertThat(AckLog.levelFrom(Map.of("AWS_LAMBDA_LOG_LEVEL", "WARN", "POWERTOOLS_LOG_LEVEL", "DEBUG")))
                .isEqualTo(AckLog.Level.DEBUG);
        assertThat(AckLog.levelFrom(Map.of())).isEqualTo(AckLog.Level.INFO);
    }

    @Test
    void readsPowertoolsLevelNames() {
        assertThat(AckLog.level("warn")).isEqualTo(AckLog.Level.WARN);
        assertThat(AckLog.level("WARNING")).isEqualTo(AckLog.Level.WARN);
        assertThat(AckLog.level(" ERROR ")).isEqualTo(AckLog.Level.ERROR);
        assertThat(AckLog.level("chatty")).isEqualTo(AckLog.Level.INFO);
        assertThat(AckLog.level(null)).isEqualTo(AckLog.Level.INFO);
    }

    private AckLog log(AckLog.Level level) {
        return new AckLog(level, "gantry-slack-interactions", new PrintStream(written, true, StandardCharsets.UTF_8), CLOCK);
    }
}
