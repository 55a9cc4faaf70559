package dev.gantry.infra;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class SchedulerCronTest {

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', value = {
            "0 3 * * *        | cron(0 3 * * ? *)",
            "30 2 * * 0       | cron(30 2 ? * 1 *)",
            "30 2 * * 7       | cron(30 2 ? * 1 *)",
            "0 4 * * SUN      | cron(0 4 ? * 1 *)",
            "0 6 * * 1-5      | cron(0 6 ? * 2-6 *)",
            "0 6 * * mon-fri  | cron(0 6 ? * 2-6 *)",
            "0 6 * * 5-7      | cron(0 6 ? * 1,6,7 *)",
            "0 6 * * */2      | cron(0 6 ? * 1,3,5,7 *)",
            "0 6 * * 1,3      | cron(0 6 ? * 2,4 *)",
            "*/15 * * * *     | cron(0/15 * * * ? *)",
            "5/20 1-3 * * *   | cron(5/20 1-3 * * ? *)",
            "0 0 1 * *        | cron(0 0 1 * ? *)",
            "0 0 1,15 JAN,jul * | cron(0 0 1,15 1,7 ? *)",
            "0 0,12 */10 * *  | cron(0 0,12 1/10 * ? *)"})
    void rewritesUnixCronInSchedulersSixFieldForm(String unix, String scheduler) {
        assertThat(SchedulerCron.fromUnix(unix)).isEqualTo(scheduler);
    }

    @ParameterizedTest
    @ValueSource(strings = {"0 3 1 * MON", "@daily", "0 3 * *", "0 0 3 * * *", "0 3 L * *", "0 3 * * 5#2", "0 3 ? * *",
            "0 25 * * *", "0 5-3 * * *", "0 */0 * * *", ""})
    void rejectsWhatSchedulerCannotRunWithTheCronInTheMessage(String unix) {
        assertThatThrownBy(() -> SchedulerCron.fromUnix(unix))
                .isInstanceOf(SchedulerCron.UnconvertibleCronException.class)
                .hasMessageContaining("cannot be run by EventBridge Scheduler");
    }

    @org.junit.jupiter.api.Test
    void explainsWhyBothDayFieldsCannotBeSet() {
        assertThatThrownBy(() -> SchedulerCron.fromUnix("0 3 1 * MON"))
                .hasMessageContaining("names both a day of month and a day of week");
    }
}
