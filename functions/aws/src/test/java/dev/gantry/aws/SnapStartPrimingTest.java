package dev.gantry.aws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import dev.gantry.aws.SnapStartPriming.Outcome;
import java.lang.ref.WeakReference;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.crac.Core;
import org.junit.jupiter.api.Test;

class SnapStartPrimingTest {

    private final List<String> ran = new ArrayList<>();
    private final RecordingLog log = new RecordingLog();

    @Test
    void runsEveryStepOnceInOrder() {
        AtomicLong now = new AtomicLong();
        SnapStartPriming priming = SnapStartPriming.builder().log(log).nanoTime(now::get)
                .step("first", () -> { ran.add("first"); now.addAndGet(Duration.ofMillis(40).toNanos()); })
                .step("second", () -> ran.add("second"))
                .build();

        List<Outcome> outcomes = priming.prime();

        assertThat(ran).containsExactly("first", "second");
        assertThat(outcomes).allMatch(Outcome::primed);
        assertThat(log.lines).containsExactly("done: SnapStart priming: 2 of 2 steps primed in 40 ms");
    }

    @Test
    void logsAFailedStepAndRunsTheRest() {
        SnapStartPriming priming = SnapStartPriming.builder().log(log)
                .step("throws", () -> { throw new java.io.IOException("loopback AWS is down"); })
                .step("cannot load", () -> { throw new NoClassDefFoundError("software/amazon/awssdk/Missing"); })
                .step("last", () -> ran.add("last"))
                .build();

        List<Outcome> outcomes = priming.prime();

        assertThat(ran).containsExactly("last");
        assertThat(outcomes).extracting(Outcome::primed).containsExactly(false, false, true);
        assertThat(log.lines).startsWith("failed: throws: java.io.IOException: loopback AWS is down",
                "failed: cannot load: java.lang.NoClassDefFoundError: software/amazon/awssdk/Missing");
    }

    @Test
    void neverFailsTheSnapshotNotEvenWhenItsLogFails() {
        SnapStartPriming priming = SnapStartPriming.builder()
                .log(new RecordingLog() {
                    @Override
                    public void stepFailed(String step, Throwable cause) {
                        throw new IllegalStateException("the log is broken too");
                    }
                })
                .step("throws", () -> { throw new IllegalStateException("loopback AWS is down"); })
                .build();

        assertThatCode(() -> priming.beforeCheckpoint(Core.getGlobalContext())).doesNotThrowAnyException();
        assertThatCode(() -> priming.afterRestore(Core.getGlobalContext())).doesNotThrowAnyException();
    }

    @Test
    void skipsTheStepsLeftOnceItsTimeIsSpent() {
        AtomicLong now = new AtomicLong();
        SnapStartPriming priming = SnapStartPriming.builder().log(log).budget(Duration.ofSeconds(30)).nanoTime(now::get)
                .step("slow", () -> { ran.add("slow"); now.addAndGet(Duration.ofSeconds(31).toNanos()); })
                .step("never started", () -> ran.add("never started"))
                .build();

        List<Outcome> outcomes = priming.prime();

        assertThat(ran).containsExactly("slow");
        assertThat(outcomes).extracting(Outcome::skipped).containsExactly(false, true);
        assertThat(log.lines).contains("skipped: never started");
    }

    @Test
    void staysReachableOnceRegisteredThoughTheGlobalContextHoldsItWeakly() throws InterruptedException {
        WeakReference<SnapStartPriming> registered = new WeakReference<>(SnapStartPriming.builder().log(log).build().register());

        for (int i = 0; i < 5 && registered.get() != null; i++) {
            System.gc();
            Thread.sleep(10);
        }

        assertThat(registered.get()).isNotNull();
        assertThat(SnapStartPriming.isRegistered(registered.get())).isTrue();
    }

    private static class RecordingLog implements SnapStartPriming.Log {

        final List<String> lines = new ArrayList<>();

        @Override
        public void stepFailed(String step, Throwable cause) {
            lines.add("failed: " + step + ": " + cause);
        }

        @Override
        public void stepSkipped(String step) {
            lines.add("skipped: " + step);
        }

        @Override
        public void done(String summary) {
            lines.add("done: " + summary);
        }
    }
}
