package dev.gantry.reliability.faults;

import java.util.List;
import java.util.Map;

/**
 * One event a function handles, played against {@link FaultyAws}: how the services answer normally, how the handler is
 * built and invoked (from the environment, as Lambda builds it), and what "done" means for that event.
 */
interface FaultScenario {

    /** E.g. {@code "ecs-deploy: payments-api 1.4.0 pushed"}. */
    String name();

    /** Answers every call of the path normally. DynamoDB is answered already. */
    void stubServices(FaultyAws aws);

    /**
     * One delivery of the event to a handler built from {@code environment}. Throwing is how the function fails an
     * invocation, which Lambda hands to the failure destination or the queue's redrive with the message as the reason.
     */
    void invoke(Map<String, String> environment) throws Exception;

    /** What is still missing from the event's effect; empty when the job is done. */
    List<String> missing(FaultyAws aws, Map<String, String> environment);

    /**
     * Calls with side effects, each of which must take place exactly once however many deliveries it took, e.g.
     * {@code RegisterTaskDefinition}.
     */
    List<String> exactlyOnce();

    /** Calls whose failure the function reports and survives, e.g. cleaning up old revisions. */
    default boolean survivesFailureOf(Operation operation) {
        return false;
    }
}
