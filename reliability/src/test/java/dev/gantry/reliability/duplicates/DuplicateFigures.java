package dev.gantry.reliability.duplicates;

import dev.gantry.testing.ReliabilityFigures;

/**
 * One test's totals for the report, added to {@link ReliabilityFigures} once when the test ends: copies delivered
 * beyond the first of each event, the side effects seen and those one delivery of each event should have, and events
 * that were neither applied nor recognised as duplicates.
 */
final class DuplicateFigures {

    static final String PART = "duplicates and races";

    /** Rounds of each test: a few in every build, many from {@code scripts/reliability}. */
    static final int ROUNDS = ReliabilityFigures.scaled(3, 25);
    /** Copies of an event delivered at once. */
    static final int COPIES = ReliabilityFigures.scaled(8, 16);

    private long duplicatesSent;
    private long sideEffectsSeen;
    private long sideEffectsExpected;
    private long lostEvents;

    /**
     * @param deliveries how many times the round's events were delivered in all
     * @param events how many distinct events they were
     */
    void round(int deliveries, int events, long seen, long expected, long lost) {
        duplicatesSent += deliveries - events;
        sideEffectsSeen += seen;
        sideEffectsExpected += expected;
        lostEvents += lost;
    }

    void record() {
        ReliabilityFigures.add(PART, "duplicates sent", duplicatesSent);
        ReliabilityFigures.add(PART, "side effects seen", sideEffectsSeen);
        ReliabilityFigures.add(PART, "side effects expected", sideEffectsExpected);
        ReliabilityFigures.add(PART, ReliabilityFigures.LOST_EVENTS, lostEvents);
    }
}
