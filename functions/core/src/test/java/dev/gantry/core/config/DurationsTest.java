package dev.gantry.core.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class DurationsTest {

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "90s   | PT1M30S",
        "30m   | PT30M",
        "4h    | PT4H",
        "7d    | PT168H",
        "62h   | PT62H",
        "PT30M | PT30M",
        "P1D   | PT24H",
        "' 30m ' | PT30M",
    })
    void readsShortAndIsoForms(String text, String expected) {
        Duration duration = Durations.parse(text);

        assertThat(duration).isEqualTo(Duration.parse(expected));
    }

    @ParameterizedTest
    @ValueSource(strings = {"30 minutes", "1w", "30", "30M", "-5m", "abc", "", "PT"})
    void rejectsAnythingElseListingTheForms(String text) {
        assertThatIllegalArgumentException()
                .isThrownBy(() -> Durations.parse(text))
                .withMessage("'" + text + "' is not a duration: write e.g. 90s, 30m, 4h, 7d or PT30M");
    }
}
