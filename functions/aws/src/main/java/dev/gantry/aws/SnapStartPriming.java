package dev.gantry.aws;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.LongSupplier;
import org.crac.Context;
import org.crac.Core;
import org.crac.Resource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Gantry function's SnapStart runtime hook: before Lambda snapshots the initialized function, it runs the function's
 * priming steps, so the snapshot already holds what the first invocation after a restore would otherwise load: the
 * function's event parsing, Jackson's introspection of its records, and its SDK clients' request path. Each function's
 * wiring chooses its steps; decision 17 says which calls a step may make (reads that change nothing; never a secret,
 * never Slack).
 *
 * <p>Priming only saves time, so it never fails the snapshot: each step runs once, in order, and one that throws is
 * logged and passed over. Steps that would start once its budget ({@link #DEFAULT_BUDGET}) is spent are skipped: Lambda
 * counts this hook against the function's init time limit. After a restore there is nothing to refresh (decision 17 says why), so
 * {@link #afterRestore} does nothing.
 */
public final class SnapStartPriming implements Resource {

    /** How long priming may take before the steps not yet started are skipped. */
    public static final Duration DEFAULT_BUDGET = Duration.ofSeconds(30);

    // The global context holds what is registered with it weakly: a hook that only the context referenced could be
    // collected before the snapshot and never run. A function registers once per JVM, so this list stays that short.
    private static final List<SnapStartPriming> REGISTERED = new CopyOnWriteArrayList<>();

    /** One priming action. It may throw; the steps after it still run. */
    @FunctionalInterface
    public interface Action {
        void run() throws Exception;
    }

    /** @param name what the step does, for the log: "ECS DescribeServices of staging/payments-api" */
    public record Step(String name, Action action) {
        public Step {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(action, "action");
        }
    }

    /** What became of a step: primed when {@code failure} is null; {@code skipped} when the budget ran out before it. */
    public record Outcome(String step, Throwable failure, boolean skipped) {
        public boolean primed() {
            return failure == null && !skipped;
        }
    }

    /** Where priming says how it went: each step that failed or was skipped, then a summary. */
    public interface Log {
        void stepFailed(String step, Throwable cause);

        void stepSkipped(String step);

        void done(String summary);
    }

    private final List<Step> steps;
    private final Log log;
    private final Duration budget;
    private final LongSupplier nanoTime;

    private SnapStartPriming(List<Step> steps, Log log, Duration budget, LongSupplier nanoTime) {
        this.steps = List.copyOf(steps);
        this.log = log;
        this.budget = budget;
        this.nanoTime = nanoTime;
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * Registers this hook with the global CRaC context, which Lambda's runtime calls before it takes the snapshot, and
     * keeps it reachable for as long as the function runs. Outside Lambda registering does nothing.
     *
     * @return this
     */
    public SnapStartPriming register() {
        REGISTERED.add(this);
        Core.getGlobalContext().register(this);
        return this;
    }

    static boolean isRegistered(SnapStartPriming priming) {
        return REGISTERED.stream().anyMatch(registered -> registered == priming);
    }

    /**
     * Runs the priming of every hook registered in this JVM, as Lambda does before it takes a snapshot: for runs outside
     * Lambda that play what a restored function has already done ({@code Invoke --primed}).
     */
    public static void primeRegistered() {
        REGISTERED.forEach(SnapStartPriming::prime);
    }

    @Override
    public void beforeCheckpoint(Context<? extends Resource> context) {
        try {
            prime();
        } catch (RuntimeException | LinkageError e) {
            // Only the log can throw here; the snapshot is still worth taking, primed as far as it got.
        }
    }

    /**
     * Nothing primed goes stale in a snapshot: no secret or Slack answer is read before it, so every {@link ExpiringValue}
     * and approver-group cache is still empty; the SDK's credential providers and the JDK's keep-alive cache judge age
     * by the wall clock, which the restore sets; jitter is drawn from {@code SecureRandom}. Decision 17 has the detail.
     */
    @Override
    public void afterRestore(Context<? extends Resource> context) {
    }

    /** Runs every step once, in order, and never throws. */
    public List<Outcome> prime() {
        long started = nanoTime.getAsLong();
        long budgetNanos = budget.toNanos();
        List<Outcome> outcomes = new ArrayList<>(steps.size());
        for (Step step : steps) {
            if (nanoTime.getAsLong() - started >= budgetNanos) {
                log.stepSkipped(step.name());
                outcomes.add(new Outcome(step.name(), null, true));
                continue;
            }
            Throwable failure = null;
            try {
                step.action().run();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                failure = e;
            } catch (Exception | LinkageError e) {
                failure = e;
            }
            if (failure != null) {
                log.stepFailed(step.name(), failure);
            }
            outcomes.add(new Outcome(step.name(), failure, false));
        }
        long primed = outcomes.stream().filter(Outcome::primed).count();
        log.done("SnapStart priming: " + primed + " of " + outcomes.size() + " steps primed in "
                + Duration.ofNanos(nanoTime.getAsLong() - started).toMillis() + " ms");
        return List.copyOf(outcomes);
    }

    public static final class Builder {

        private final List<Step> steps = new ArrayList<>();
        private Log log;
        private Duration budget = DEFAULT_BUDGET;
        private LongSupplier nanoTime = System::nanoTime;
        private boolean loadListedClasses;

        private Builder() {}

        /**
         * Ends priming with the classes the jar lists for it ({@link ClassPriming}): last, so that the list adds only what
         * the other steps did not load, whatever order they were added in.
         */
        public Builder loadListedClasses() {
            this.loadListedClasses = true;
            return this;
        }

        public Builder step(String name, Action action) {
            return step(new Step(name, action));
        }

        public Builder step(Step step) {
            steps.add(Objects.requireNonNull(step, "step"));
            return this;
        }

        public Builder steps(List<Step> more) {
            more.forEach(this::step);
            return this;
        }

        /** Default: SLF4J, as the other Gantry functions log. */
        public Builder log(Log log) {
            this.log = Objects.requireNonNull(log, "log");
            return this;
        }

        /** Default {@link #DEFAULT_BUDGET}. */
        public Builder budget(Duration budget) {
            this.budget = Objects.requireNonNull(budget, "budget");
            return this;
        }

        Builder nanoTime(LongSupplier nanoTime) {
            this.nanoTime = Objects.requireNonNull(nanoTime, "nanoTime");
            return this;
        }

        public SnapStartPriming build() {
            List<Step> all = new ArrayList<>(steps);
            if (loadListedClasses) {
                all.add(ClassPriming.step());
            }
            // Built only when no log was given, so a function that logs without SLF4J never starts it for this.
            return new SnapStartPriming(all, log != null ? log : new Slf4jLog(), budget, nanoTime);
        }
    }

    private static final class Slf4jLog implements Log {

        private static final Logger LOG = LoggerFactory.getLogger(SnapStartPriming.class);

        @Override
        public void stepFailed(String step, Throwable cause) {
            LOG.warn("SnapStart priming step '{}' failed; the snapshot is taken without it: {}", step, cause.toString());
        }

        @Override
        public void stepSkipped(String step) {
            LOG.warn("SnapStart priming step '{}' skipped: priming ran out of time", step);
        }

        @Override
        public void done(String summary) {
            LOG.info(summary);
        }
    }
}
