package dev.gantry.reliability.faults;

import java.util.Map;
import java.util.function.Function;

/**
 * A function's handler as Lambda keeps it between invocations: built from an environment once, then invoked again
 * and again. Each play of a campaign has an environment of its own, so each gets its own warm handler.
 */
final class WarmHandler<H> {

    private final Function<Map<String, String>, H> wiring;
    private Map<String, String> builtFor;
    private H handler;

    WarmHandler(Function<Map<String, String>, H> wiring) {
        this.wiring = wiring;
    }

    H of(Map<String, String> environment) {
        if (environment != builtFor) {
            handler = wiring.apply(environment);
            builtFor = environment;
        }
        return handler;
    }
}
