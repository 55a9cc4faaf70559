package dev.gantry.core.gate;

import dev.gantry.core.config.GateConfig;
import java.time.Duration;
import java.util.Objects;

/**
 * Checks a team runs itself, behind an HTTPS endpoint or a Lambda function. Both receive the same JSON
 * question and give the same JSON answer, documented in {@code docs/configuration.md}.
 *
 * <p>Errors: {@link CustomCheckException} when the check gives no usable answer (unreachable, timed out,
 * an HTTP error, a body that is not an answer); the gate waits and asks again.
 */
public interface CustomChecks {

    CustomAnswer ask(GateConfig.CustomCheck check, CustomQuestion question);

    /** What a custom check is asked: which digest is about to enter which environment, past which gate. */
    record CustomQuestion(String service, String environment, String digest, String image, String tag, String gate) {}

    /**
     * @param verdict the check's answer
     * @param reason why, as people read it; may be null
     * @param retryAfter for {@link Verdict#WAIT}: when the check expects its answer may change; null when it
     *     does not say
     */
    record CustomAnswer(Verdict verdict, String reason, Duration retryAfter) {
        public CustomAnswer {
            Objects.requireNonNull(verdict, "verdict");
        }
    }

    enum Verdict { PASS, WAIT, FAIL }

    class CustomCheckException extends RuntimeException {
        public CustomCheckException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
