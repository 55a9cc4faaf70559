package dev.gantry.fn.interactions;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The Function URL's event (payload format 2.0) as far as the acknowledgement path reads it, and the answer it writes
 * back, with Jackson's streaming parser and generator: a tree through {@code ObjectMapper} starts Jackson's data binding
 * on the cold start for four fields. Measured (fresh JVM, loopback AWS, runs interleaved, medians): the handler answered
 * 463 ms from process start with the tree, 248 ms without. {@code scripts/bench slack-ack} hardly shows it, because its
 * runner pretty-prints the answer with data binding after the handler returns; Lambda does not.
 */
final class AckFunctionUrl {

    private static final JsonFactory JSON = new JsonFactory();

    private AckFunctionUrl() {}

    /**
     * @param headers as the Function URL gave them (it lower-cases names; callers match ignoring case anyway)
     * @param body the raw body, never null
     */
    record Request(String method, Map<String, String> headers, String body, boolean isBase64Encoded) {

        /** The header's value, its name matched ignoring case; null when absent. */
        String header(String name) {
            for (Map.Entry<String, String> header : headers.entrySet()) {
                if (header.getKey().equalsIgnoreCase(name)) {
                    return header.getValue();
                }
            }
            return null;
        }
    }

    /** @param body the response body as text, a JSON document or empty */
    record Response(int statusCode, String body) {}

    /** Fields that are missing or not of the expected type read as empty, as a tree's {@code asText("")} would. */
    static Request read(InputStream event) throws IOException {
        String method = "";
        Map<String, String> headers = new LinkedHashMap<>();
        String body = "";
        boolean base64 = false;
        try (JsonParser parser = JSON.createParser(event)) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                throw new IOException("the Function URL event is not a JSON object");
            }
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String field = parser.currentName();
                JsonToken value = parser.nextToken();
                switch (field) {
                    case "requestContext" -> method = httpMethod(parser);
                    case "headers" -> readHeaders(parser, headers);
                    case "body" -> body = value.isScalarValue() ? parser.getValueAsString("") : skip(parser, "");
                    case "isBase64Encoded" -> base64 = value.isBoolean() ? parser.getBooleanValue() : skip(parser, false);
                    default -> parser.skipChildren();
                }
            }
        }
        return new Request(method, headers, body, base64);
    }

    static void write(OutputStream output, Response response) throws IOException {
        try (JsonGenerator json = JSON.createGenerator(output)) {
            json.writeStartObject();
            json.writeNumberField("statusCode", response.statusCode());
            json.writeObjectFieldStart("headers");
            json.writeStringField("Content-Type", "application/json");
            json.writeEndObject();
            json.writeStringField("body", response.body());
            json.writeEndObject();
        }
    }

    /** {@code requestContext.http.method}, the parser on the start of {@code requestContext}. */
    private static String httpMethod(JsonParser parser) throws IOException {
        String method = "";
        if (parser.currentToken() != JsonToken.START_OBJECT) {
            return skip(parser, method);
        }
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
            boolean http = "http".equals(parser.currentName());
            if (parser.nextToken() == JsonToken.START_OBJECT && http) {
                while (parser.nextToken() == JsonToken.FIELD_NAME) {
                    boolean isMethod = "method".equals(parser.currentName());
                    if (parser.nextToken() == JsonToken.VALUE_STRING && isMethod) {
                        method = parser.getText();
                    } else {
                        parser.skipChildren();
                    }
                }
            } else {
                parser.skipChildren();
            }
        }
        return method;
    }

    private static void readHeaders(JsonParser parser, Map<String, String> headers) throws IOException {
        if (parser.currentToken() != JsonToken.START_OBJECT) {
            parser.skipChildren();
            return;
        }
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
            String name = parser.currentName();
            if (parser.nextToken().isScalarValue()) {
                headers.put(name, parser.getValueAsString(""));
            } else {
                parser.skipChildren();
            }
        }
    }

    private static <T> T skip(JsonParser parser, T empty) throws IOException {
        parser.skipChildren();
        return empty;
    }
}
