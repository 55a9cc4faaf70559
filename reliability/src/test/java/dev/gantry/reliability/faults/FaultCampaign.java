package dev.gantry.reliability.faults;

import dev.gantry.testing.ReliabilityFigures;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Plays a scenario once cleanly, learns every call it makes from the request journal, then replays it with each call
 * failing in each way: once (the retry inside the call should absorb it) and for good (the invocation should fail
 * with a reason, and the redelivery after the outage should finish the job). Any event that ends neither done nor
 * failed with a reason, or that a redelivery cannot finish, is lost.
 */
final class FaultCampaign {

    static final String PART = "fault injection";

    /** How many times Lambda or the queue delivers a failed event again in these runs, as the redrive would. */
    private static final int REDELIVERIES = 2;

    /** The functions' default timeout (GantryFunctionProps). */
    private static final long FUNCTION_TIMEOUT_MS = 60_000;

    private final FaultyAws aws;
    private final List<String> findings = new ArrayList<>();
    private final List<String> reasons = new ArrayList<>();
    private long injected;
    private long handled;
    private long failedWithReasonThenFinished;
    private long lost;
    private long longestInvocationMs;

    FaultCampaign(FaultyAws aws) {
        this.aws = aws;
    }

    /** Every fault on every call in full; in the shortened form each call gets one fault, rotating through them. */
    void run(FaultScenario scenario) throws Exception {
        List<Operation> operations = cleanRun(scenario);
        int rotation = 0;
        for (Operation operation : operations) {
            Set<Fault> faults = ReliabilityFigures.full() ? EnumSet.complementOf(EnumSet.of(Fault.SLOW_RESPONSE))
                    : EnumSet.of(shortFormFault(rotation++));
            for (Fault fault : faults) {
                play(scenario, operation, fault, 1);
                play(scenario, operation, fault, Integer.MAX_VALUE);
            }
        }
        play(scenario, operations.get(0), Fault.SLOW_RESPONSE, Integer.MAX_VALUE);
    }

    private static Fault shortFormFault(int rotation) {
        Fault[] choices = {Fault.THROTTLING, Fault.CONNECTION_RESET, Fault.SERVICE_UNAVAILABLE, Fault.SERVER_ERROR, Fault.TIMEOUT};
        return choices[rotation % choices.length];
    }

    private List<Operation> cleanRun(FaultScenario scenario) throws Exception {
        // Once to warm the JIT, DynamoDB Local and the connections, so the first measured call is not the slowest.
        deliver(scenario, aws.freshEnvironment(scenario));
        Map<String, String> environment = aws.freshEnvironment(scenario);
        scenario.invoke(environment);
        List<String> missing = scenario.missing(aws, environment);
        if (!missing.isEmpty()) {
            throw new AssertionError(scenario.name() + ": even without faults the job is not done: " + missing);
        }
        List<Operation> operations = aws.operations();
        if (operations.isEmpty()) {
            throw new AssertionError(scenario.name() + ": made no call that could fail");
        }
        return operations;
    }

    private void play(FaultScenario scenario, Operation operation, Fault fault, int times) throws Exception {
        Map<String, String> environment = aws.freshEnvironment(scenario);
        aws.inject(operation, fault, times);
        injected++;
        String caseName = scenario.name() + " / " + operation + " / " + fault + (times == 1 ? " once" : " for good");

        String failure = deliver(scenario, environment);
        if (failure == null) {
            List<String> missing = scenario.missing(aws, environment);
            if (!missing.isEmpty()) {
                lost(caseName + ": the invocation succeeded but the job is not done: " + missing);
            } else if (sideEffectsOnce(scenario, caseName)) {
                handled++;
            }
            return;
        }
        if (!clear(failure)) {
            lost(caseName + ": failed without a reason that names what went wrong: '" + failure + "'");
            return;
        }
        reasons.add(caseName + " -> " + failure);

        aws.heal();
        for (int delivery = 0; delivery < REDELIVERIES; delivery++) {
            if (deliver(scenario, environment) == null) {
                break;
            }
        }
        List<String> missing = scenario.missing(aws, environment);
        if (!missing.isEmpty()) {
            lost(caseName + ": redelivered after the outage, the job is still not done: " + missing);
        } else if (sideEffectsOnce(scenario, caseName)) {
            failedWithReasonThenFinished++;
        }
    }

    /** One invocation; the failure's message, or null when it returned. */
    private String deliver(FaultScenario scenario, Map<String, String> environment) {
        long started = System.nanoTime();
        try {
            scenario.invoke(environment);
            return null;
        } catch (Exception | AssertionError e) {
            return e.getClass().getSimpleName() + ": " + e.getMessage();
        } finally {
            longestInvocationMs = Math.max(longestInvocationMs, (System.nanoTime() - started) / 1_000_000);
        }
    }

    private boolean sideEffectsOnce(FaultScenario scenario, String caseName) {
        for (String operation : scenario.exactlyOnce()) {
            long times = aws.succeeded(operation);
            if (times != 1) {
                lost(caseName + ": " + operation + " took effect " + times + " times, not once");
                return false;
            }
        }
        return true;
    }

    /** A reason an operator can act on: it says more than an exception's name. */
    private static boolean clear(String failure) {
        String message = failure.substring(failure.indexOf(':') + 1).strip();
        return !message.isEmpty() && !message.equals("null") && message.length() >= 15;
    }

    private void lost(String finding) {
        lost++;
        findings.add(finding);
    }

    /**
     * Adds this campaign's totals to the report and returns what went wrong, for the test to assert empty. An
     * invocation that outlasts the function's default timeout would be ended by Lambda without its reason.
     */
    List<String> record() {
        if (longestInvocationMs > FUNCTION_TIMEOUT_MS) {
            findings.add("an invocation under faults took " + longestInvocationMs + " ms, beyond the function timeout of "
                    + FUNCTION_TIMEOUT_MS + " ms");
        }
        ReliabilityFigures.add(PART, "faults injected", injected);
        ReliabilityFigures.add(PART, "faults survived", handled + failedWithReasonThenFinished);
        ReliabilityFigures.add(PART, "handled despite the fault", handled);
        ReliabilityFigures.add(PART, "failed with a reason, finished on redelivery", failedWithReasonThenFinished);
        ReliabilityFigures.add(PART, ReliabilityFigures.LOST_EVENTS, lost);
        System.out.println(PART + ": longest invocation " + longestInvocationMs + " ms; sample reasons:");
        reasons.stream().limit(6).forEach(reason -> System.out.println("  " + reason));
        return List.copyOf(findings);
    }
}
