package dev.gantry.testing;

import dev.gantry.core.config.GateConfig;
import dev.gantry.core.gate.CustomChecks;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Custom checks in memory, answering by check name, with every question recorded. A check given no answer
 * behaves as an endpoint that cannot be reached: it gives no answer, which the gate treats as a wait.
 */
public final class InMemoryCustomChecks implements CustomChecks {

    /** A question a check was asked. */
    public record Asked(String check, CustomQuestion question) {}

    private final Map<String, CustomAnswer> answers = new HashMap<>();
    private final Map<String, String> failures = new HashMap<>();
    private final List<Asked> asked = new ArrayList<>();

    public synchronized void givenPass(String check, String reason) {
        givenAnswer(check, new CustomAnswer(Verdict.PASS, reason, null));
    }

    public synchronized void givenWait(String check, String reason, Duration retryAfter) {
        givenAnswer(check, new CustomAnswer(Verdict.WAIT, reason, retryAfter));
    }

    public synchronized void givenFail(String check, String reason) {
        givenAnswer(check, new CustomAnswer(Verdict.FAIL, reason, null));
    }

    /** {@code check} answers {@code answer} from now on, and no longer fails. */
    public synchronized void givenAnswer(String check, CustomAnswer answer) {
        failures.remove(check);
        answers.put(check, answer);
    }

    /** {@code check} gives no usable answer from now on, for the reason {@code message}. */
    public synchronized void givenNoAnswer(String check, String message) {
        failures.put(check, message);
    }

    public synchronized List<Asked> asked() {
        return List.copyOf(asked);
    }

    public synchronized int calls() {
        return asked.size();
    }

    @Override
    public synchronized CustomAnswer ask(GateConfig.CustomCheck check, CustomQuestion question) {
        asked.add(new Asked(check.name(), question));
        String failure = failures.get(check.name());
        if (failure != null) {
            throw new CustomCheckException(failure, null);
        }
        CustomAnswer answer = answers.get(check.name());
        if (answer == null) {
            throw new CustomCheckException("custom check " + check.name() + " cannot be reached", null);
        }
        return answer;
    }
}
