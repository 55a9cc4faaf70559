package dev.gantry.reliability.faults;

import java.util.Map;

/**
 * A function's first invocation in this JVM, before its campaign: the first call of each SDK client loads its classes,
 * which on a busy build machine takes longer than a call may take here, so a campaign's clean run could fail on class
 * loading alone. Lambda's functions do this before the first event too, in their SnapStart priming.
 */
final class FirstInvocation {

    private FirstInvocation() {}

    /** Delivers {@code scenario}'s event once, as its clean run would, and forgets how it went. */
    static void warmUp(FaultyAws aws, FaultScenario scenario) {
        Map<String, String> environment = aws.freshEnvironment(scenario);
        try {
            scenario.invoke(environment);
        } catch (Exception | AssertionError e) {
            // Only the classes it loaded matter; the campaign's clean run judges the outcome.
        }
    }
}
