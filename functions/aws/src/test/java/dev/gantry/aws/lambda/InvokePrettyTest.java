package dev.gantry.aws.lambda;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import org.junit.jupiter.api.Test;

class InvokePrettyTest {

    @Test
    void reindentsAHandlersJsonAnswerAsDataBindingWould() throws Exception {
        String answer = "{\"statusCode\":200,\"headers\":{\"content-type\":\"application/json\"},"
                + "\"body\":\"{\\\"ok\\\":true}\",\"cookies\":[],\"n\":[1,2.5,null,false]}";

        String expected = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
                .writeValueAsString(new ObjectMapper().readTree(answer));

        assertThat(Invoke.pretty(answer)).isEqualTo(expected).contains("\n");
    }

    @Test
    void leavesWhatIsNotOneJsonValueAsItIs() {
        assertThat(Invoke.pretty("released payments-api")).isEqualTo("released payments-api");
        assertThat(Invoke.pretty("{\"a\":1} trailing")).isEqualTo("{\"a\":1} trailing");
        assertThat(Invoke.pretty("{\"a\":")).isEqualTo("{\"a\":");
        assertThat(Invoke.pretty("")).isEmpty();
    }
}
