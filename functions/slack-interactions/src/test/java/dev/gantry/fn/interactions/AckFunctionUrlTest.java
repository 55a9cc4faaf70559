package dev.gantry.fn.interactions;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gantry.testing.Fixtures;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AckFunctionUrlTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void readsMethodHeadersAndBodyOfThePublishedSampleAndSkipsTheRest() throws Exception {
        AckFunctionUrl.Request request;
        try (InputStream event = Files.newInputStream(Fixtures.event("lambda-function-url-request.lambda-dev-guide.json"))) {
            request = AckFunctionUrl.read(event);
        }

        assertThat(request.method()).isEqualTo("POST");
        assertThat(request.headers()).containsExactly(Map.entry("header1", "value1"), Map.entry("header2", "value1,value2"));
        assertThat(request.body()).isEqualTo("Hello from client!");
        assertThat(request.isBase64Encoded()).isFalse();
        assertThat(request.header("HEADER2")).isEqualTo("value1,value2");
        assertThat(request.header("header3")).isNull();
    }

    @Test
    void readsMissingOrNullFieldsAsEmpty() throws Exception {
        AckFunctionUrl.Request request = read("{\"headers\":null,\"body\":null,\"requestContext\":{\"http\":{}}}");

        assertThat(request.method()).isEmpty();
        assertThat(request.headers()).isEmpty();
        assertThat(request.body()).isEmpty();
        assertThat(request.isBase64Encoded()).isFalse();
    }

    @Test
    void refusesAnEventThatIsNotAnObject() {
        assertThatThrownBy(() -> read("[]")).isInstanceOf(IOException.class);
    }

    @Test
    void writesTheAnswerTheFunctionUrlExpects() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();

        AckFunctionUrl.write(out, new AckFunctionUrl.Response(200, "{\"text\":\"Working on it…\"}"));

        JsonNode answer = JSON.readTree(out.toString(StandardCharsets.UTF_8));
        assertThat(answer.path("statusCode").asInt()).isEqualTo(200);
        assertThat(answer.at("/headers/Content-Type").asText()).isEqualTo("application/json");
        assertThat(answer.path("body").asText()).isEqualTo("{\"text\":\"Working on it…\"}");
    }

    private static AckFunctionUrl.Request read(String event) throws IOException {
        return AckFunctionUrl.read(new ByteArrayInputStream(event.getBytes(StandardCharsets.UTF_8)));
    }
}
