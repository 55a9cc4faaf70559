package dev.gantry.core.gate;

import dev.gantry.core.chatops.ManualFreezes;
import dev.gantry.core.config.EnvironmentConfig;
import dev.gantry.core.config.GantryConfig;
import dev.gantry.core.config.GateConfig;
import dev.gantry.core.config.ServiceConfig;
import dev.gantry.core.deploy.DeployControls;
import dev.gantry.core.image.ImageDigest;
import dev.gantry.core.image.TagPolicy;
import dev.gantry.core.release.Release;
import dev.gantry.core.release.ReleaseKey;
import dev.gantry.core.release.ReleaseOrderPolicy;
import dev.gantry.core.release.ReleaseStore;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Brings releases to their environment's gate and decides them: the one place every entry point (Gantry's
 * own deploy flow, the CodePipeline gate action, the ECS lifecycle hook, the gate sweep, Slack) goes
 * through, so they all see the same answer for the same release.
 *
 * <ul>
 *   <li>One record per release (service, environment, digest), created when the release first reaches the
 *       gate. When a newer digest reaches the same environment's gate, the older ones still waiting there
 *       are superseded: only the newest release waits. Digests that arrive together (the containers of one
 *       ECS service revision) do not supersede one another, and a digest vetoed in the environment supersedes
 *       none: its own round fails on the veto (see {@link #withVetoes}).</li>
 *   <li>Checks run when the record is due: at the gate's next look, at most one sampling interval after the
 *       last run, or at once after a new decision. Asking more often (CodePipeline's continuation jobs, ECS
 *       re-invoking a hook) costs a read and no calls to AWS.</li>
 *   <li>Every change is a conditional replace; when two evaluations race, one stores its answer and the
 *       other returns it. A decided record never changes its status again.</li>
 * </ul>
 *
 * <p>Errors: {@link NoGateException} when the service environment has no gate or is not configured;
 * {@link GateNotFoundException} when a decision names a release that never reached its gate;
 * {@link GateStore.GateStoreException} from the store. Failing checks never throw: they are answers.
 */
public final class GateService {

    /** How long a passed release of Gantry's own deploy flow waits for its deploy before the sweep takes over. */
    public static final Duration HANDOFF_GRACE = Duration.ofMinutes(2);

    /**
     * The JSON log field holding the {@link GateStatus} of each evaluation stored, beside the line
     * {@code gate 'production' for <release>: WAITING (...)}: CloudWatch metric filters count gate answers by it. A
     * waiting release is logged again at each evaluation, so WAITING counts looks, not releases.
     */
    public static final String STATUS_LOG_FIELD = "gateStatus";

    /** The name a veto of the release's digest fails its round under, beside the gate's own checks. */
    static final String VETO_CHECK = "veto";
    /** What a refusal names when an execution's pass is older than it stands for. */
    static final String PASS_AGE = "pass";

    private static final int MAX_ATTEMPTS = 8;
    private static final Logger LOG = LoggerFactory.getLogger(GateService.class);

    private final GantryConfig config;
    private final GateStore store;
    private final ReleaseStore releases;
    private final AlarmStates alarms;
    private final ChangeCalendars calendars;
    private final CustomChecks custom;
    private final ApproverGroups groups;
    private final Clock clock;
    private final GateEngine engine = new GateEngine();
    private final AlarmCheck alarmCheck = new AlarmCheck();
    private final SoakCheck soakCheck = new SoakCheck();
    private final FreezeCheck freezeCheck;
    /** Null when only the configured freezes hold releases. */
    private final ManualFreezes manualFreezes;
    /** Null when nobody follows the records written. */
    private final Consumer<GateRecord> recordListener;
    /** Null when vetoes are left to the deploy, which refuses a vetoed digest whatever its gate said. */
    private final DeployControls vetoes;
    private final ApprovalPolicy approvalPolicy = new ApprovalPolicy();

    public GateService(GantryConfig config, GateStore store, ReleaseStore releases, AlarmStates alarms, ChangeCalendars calendars,
            CustomChecks custom, ApproverGroups groups, Clock clock) {
        this(config, store, releases, alarms, calendars, custom, groups, clock, null, null, null);
    }

    private GateService(GantryConfig config, GateStore store, ReleaseStore releases, AlarmStates alarms, ChangeCalendars calendars,
            CustomChecks custom, ApproverGroups groups, Clock clock, ManualFreezes manualFreezes, Consumer<GateRecord> recordListener,
            DeployControls vetoes) {
        this.manualFreezes = manualFreezes;
        this.vetoes = vetoes;
        this.recordListener = recordListener;
        this.freezeCheck = manualFreezes == null ? new FreezeCheck() : new FreezeCheck(manualFreezes);
        this.config = config;
        this.store = store;
        this.releases = releases;
        this.alarms = alarms;
        this.calendars = calendars;
        this.custom = custom;
        this.groups = groups;
        this.clock = clock;
    }

    /**
     * The same service, with the freezes people put on from Slack ({@code /gantry freeze on}) holding every gated
     * release of the environments they cover, as a configured freeze window does.
     */
    public GateService withManualFreezes(ManualFreezes freezes) {
        return new GateService(config, store, releases, alarms, calendars, custom, groups, clock, Objects.requireNonNull(freezes, "freezes"),
                recordListener, vetoes);
    }

    /**
     * The same service, handing {@code listener} every gate record it stores, as stored, once the store took it: a
     * release's arrival, each evaluation, decision, supersession and hand-off, whichever release it is about. A write that
     * lost a race to another writer is not handed over; the record that won is, by the service that wrote it. Replaces
     * any listener set before.
     *
     * <p>The listener runs on the caller's thread before the call returns. What it throws is logged and goes no further:
     * the record is stored by then, and the gate's answer stands whatever its followers make of it.
     */
    public GateService withRecordListener(Consumer<GateRecord> listener) {
        return new GateService(config, store, releases, alarms, calendars, custom, groups, clock, manualFreezes,
                Objects.requireNonNull(listener, "listener"), vetoes);
    }

    /**
     * The same service, with the digests operators and rollbacks vetoed in an environment ({@link DeployControls}) kept
     * from its gate: a vetoed release waiting there fails its round at the gate's next look, saying who vetoed it and why,
     * and never supersedes another release, so a hotfix pushed after it waits for its own answer. A veto that cannot be
     * read holds the round as a check that could not answer does.
     */
    public GateService withVetoes(DeployControls controls) {
        return new GateService(config, store, releases, alarms, calendars, custom, groups, clock, manualFreezes, recordListener,
                Objects.requireNonNull(controls, "controls"));
    }

    /** The gate a service environment must pass, if it has one. */
    public Optional<GateConfig> gateOf(String service, String environment) {
        return environment(service, environment).filter(EnvironmentConfig::gated).flatMap(e -> config.gate(e.gate()));
    }

    public Optional<GateRecord> find(ReleaseKey key) {
        return store.find(key);
    }

    /**
     * Whether {@code subject} goes on the pass its pipeline execution's gate action got rather than on {@code record}'s own
     * answer: a later action of that execution (its deploy action, or its gate action asked again), which opens no round of its
     * own, whatever round another execution bringing the same digest opened since. Such an action goes in only while {@link
     * #whyExecutionPassDoesNotHold} says nothing.
     *
     * @param record the round {@link #evaluate} answered {@code subject} with
     */
    public boolean entersOnExecutionPass(GateSubject subject, GateRecord record) {
        return record.passOf(subject.pipelineExecution()).isPresent() && subject.arrival() != null
                && !(record.status() == GateStatus.PASSED && subject.arrival().equals(record.arrival()));
    }

    /**
     * Why {@code subject}, entering on its execution's pass ({@link #entersOnExecutionPass}), may not go on. What the pass
     * earned stands (the soak, the steady minutes), and so do the approvals that let the release in: they are counted as of
     * the pass, against who triggered the round that passed, since {@code expiresAfter} bounds how long an approval waits
     * for the gate, not how long the pipeline takes after it, and nobody can approve a passed round again. A rejection of
     * the digest recorded since (in another execution's round of it) refuses, as does a veto. The gate's conditions about
     * the world now are asked again and must all pass: alarms, freezes (the configured windows and change calendars, and
     * manual ones) and custom checks. A check that waits or cannot answer does not hold either: a retried deploy must not go
     * in on what nobody can confirm. And a pass stands only for {@link #passStandsFor} after it was given: past that, what it
     * earned and the approvals it counted are too old to deploy on.
     *
     * @return the conditions that do not hold, saying that the execution's pass was not enough and what people can do: retry
     *     the stage once a freeze, an alarm or a custom check allows (while the pass stands), start a new pipeline execution
     *     when the pass is too old or approvals no longer hold, or bring a new digest when this one is rejected or vetoed;
     *     empty when the caller may go on, and whenever {@code subject} does not enter on its execution's pass ({@code
     *     record}'s own status then says what the gate answered)
     * @throws NoGateException when the service environment has no gate
     */
    public Optional<String> whyExecutionPassDoesNotHold(GateSubject subject, GateRecord record) {
        if (!entersOnExecutionPass(subject, record)) {
            return Optional.empty();
        }
        GateRecord.ExecutionPass pass = record.passOf(subject.pipelineExecution()).orElseThrow();
        GateConfig gate = gateOf(subject.key().service(), subject.key().environment())
                .orElseThrow(() -> new NoGateException(subject.key().service() + "/" + subject.key().environment() + " has no gate"));
        Instant now = clock.instant();
        Instant standsUntil = pass.at().plus(passStandsFor(gate));
        boolean tooOld = !now.isBefore(standsUntil);
        List<CheckResult> notHolding = runChecks(record, gate, now, pass).stream()
                .filter(check -> !(check instanceof CheckResult.Pass))
                .toList();
        String passed = "gate '" + gate.name() + "' passed " + record.key().digest().shortForm() + " for pipeline execution "
                + pass.execution() + " at " + pass.at();
        if (notHolding.isEmpty() && !tooOld) {
            LOG.info("{} ({}): it still holds, and {} enters on it", passed, record.key().id(), subject.arrival());
            return Optional.empty();
        }
        List<String> reasons = new ArrayList<>();
        if (tooOld) {
            reasons.add(PASS_AGE + ": too old: given at " + pass.at() + ", it stood until " + standsUntil + " ("
                    + (gate.approvals() != null ? "approvals.expiresAfter" : "timeout") + " after the pass)");
        }
        notHolding.forEach(check -> reasons.add(check.check() + ": " + reasonOf(check)));
        String why = passed + ", but that pass is not enough now: " + String.join("; ", reasons) + ". "
                + whatToDo(record.key(), notHolding, tooOld, standsUntil);
        LOG.warn("{} ({})", why, record.key().id());
        return Optional.of(why);
    }

    /**
     * How long an execution's pass stands after it was given. With approvals, their {@code expiresAfter}: the approvers
     * vouched for the release for that long, and the pass, which stands in for approvals nobody can renew, gets no longer
     * from the moment it was given. Without, the gate's {@code timeout}: how long the gate lets a release wait for its
     * conditions is how long what the soak and the steady minutes saw is trusted to wait for the deploy. Both default to a
     * day; a deploy stage retried later deploys nothing on the stale pass.
     */
    static Duration passStandsFor(GateConfig gate) {
        return gate.approvals() != null ? gate.approvals().expiresAfter() : gate.timeout();
    }

    private static String reasonOf(CheckResult check) {
        return switch (check) {
            case CheckResult.Fail fail -> fail.reason();
            case CheckResult.Wait wait -> wait.reason();
            case CheckResult.Pass pass -> "passes";
        };
    }

    /**
     * Only what can work. A rejection does not expire and the record keeps it across rounds, so every round of the digest
     * fails on it at its first evaluation, before anyone could change their decision: neither a retry nor a new execution
     * helps, nor with a veto. A pass too old, or approvals no longer enough (a changed {@code approvals} setting), come back
     * only through a new round: a passed round's approval card has no buttons left and its record takes no decision. A
     * freeze, an alarm or a custom check may come right while the pass stands.
     */
    private static String whatToDo(ReleaseKey key, List<CheckResult> notHolding, boolean tooOld, Instant standsUntil) {
        Set<String> checks = new LinkedHashSet<>();
        notHolding.forEach(check -> checks.add(check.check()));
        if (checks.contains(VETO_CHECK)) {
            return "A vetoed digest is not deployed to the environment: neither retrying this stage nor a new pipeline execution can"
                    + " help; only a new digest can go to " + key.environment();
        }
        boolean rejected = notHolding.stream().anyMatch(check -> check instanceof CheckResult.Fail && check.check().equals(ApprovalPolicy.CHECK));
        if (rejected) {
            return key.digest().shortForm() + " is rejected for " + key.environment() + ", and a rejection does not expire: every"
                    + " round of the digest fails on it, so neither retrying this stage nor a new pipeline execution can help; only"
                    + " a new digest can go to " + key.environment();
        }
        if (tooOld) {
            return "A pass stands for a bounded time after it was given, so retrying this stage cannot help: start a new pipeline"
                    + " execution to go through the gate again";
        }
        if (checks.contains(ApprovalPolicy.CHECK)) {
            return "No approval can be given to a round that passed, so retrying this stage cannot help: start a new pipeline"
                    + " execution to ask for approval again";
        }
        List<String> until = new ArrayList<>();
        if (checks.contains(FreezeCheck.CHECK)) {
            until.add("the freeze is over");
        }
        if (checks.contains(AlarmCheck.CHECK)) {
            until.add("the alarms are OK again");
        }
        checks.stream().filter(check -> check.startsWith("custom:")).forEach(check -> until.add(check + " passes"));
        return "The execution's pass stands, with its soak and steady minutes, until " + standsUntil + ": retry this stage once "
                + String.join(" and ", until) + ", if that is before then; otherwise start a new pipeline execution to go through"
                + " the gate again";
    }

    /**
     * Brings {@code subject} to its gate (or back to it) and answers where it stands, evaluating the checks
     * when the record is due.
     *
     * @throws NoGateException when the service environment has no gate
     */
    public GateRecord evaluate(GateSubject subject) {
        return evaluate(subject, Set.of());
    }

    /**
     * As {@link #evaluate(GateSubject)}, for one of several digests that reach the same gate together (the
     * containers of one ECS service revision): they do not supersede one another, because each must pass.
     *
     * @param arrivingTogether every digest arriving with {@code subject}, its own included
     * @throws NoGateException when the service environment has no gate
     */
    public GateRecord evaluate(GateSubject subject, Set<ImageDigest> arrivingTogether) {
        GateRecord record = bringToGate(subject, arrivingTogether, null);
        String execution = subject.pipelineExecution();
        if (record.status() != GateStatus.PASSED || execution == null || record.passOf(execution).isPresent()) {
            return record;
        }
        // It waited on a round another execution brought, and that round passed: the pass is this execution's too, or its
        // deploy action would meet the round as a new arrival.
        GateRecord joined = change(record.key(), current -> current.status() == GateStatus.PASSED && current.passOf(execution).isEmpty()
                ? current.passedFor(execution, clock.instant())
                : current);
        LOG.info("gate '{}' passed {} for pipeline execution {} too", joined.gate(), joined.key().id(), execution);
        return joined;
    }

    /**
     * @param decided the record as the decision left it, when a decision brings the release back: it is
     *     evaluated whatever the clocks say until some evaluation has seen the decision
     */
    private GateRecord bringToGate(GateSubject subject, Set<ImageDigest> arrivingTogether, GateRecord decided) {
        GateConfig gate = gateOf(subject.key().service(), subject.key().environment())
                .orElseThrow(() -> new NoGateException(subject.key().service() + "/" + subject.key().environment() + " has no gate"));
        GateRecord record = arrive(subject, gate, arrivingTogether);
        for (int attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
            Instant now = clock.instant();
            // Every later version was written from a record holding the decision; only this one may not have been evaluated with it.
            boolean decisionUnseen = decided != null && record.version() == decided.version();
            if (record.status().decided() || !(decisionUnseen || dueForChecks(record, gate, now))) {
                return record;
            }
            GateRecord evaluated = evaluated(record, gate, now, decided == null);
            if (replace(evaluated)) {
                log(evaluated);
                return evaluated;
            }
            record = reread(record.key());
        }
        throw new GateStore.GateStoreException("gate record " + subject.key().id() + " kept changing under " + MAX_ATTEMPTS
                + " evaluations in a row", null);
    }

    /**
     * Records a person's decision on a release at its gate, then evaluates the gate with it. A decision on a
     * release whose gate already decided is kept for the record and changes nothing.
     *
     * @throws GateNotFoundException when the release never reached its gate
     */
    public GateRecord decide(ReleaseKey key, Approval decision) {
        if (!decision.digest().equals(key.digest())) {
            throw new IllegalArgumentException("a decision on " + decision.digest().shortForm() + " cannot be recorded on " + key.id());
        }
        GateRecord updated = change(key, record -> record.withDecision(decision, clock.instant()));
        if (updated.status().decided()) {
            return updated;
        }
        return bringToGate(subjectOf(updated), Set.of(), updated);
    }

    /** Releases of Gantry's own deploy flow the sweep must act on now, earliest first. */
    public List<GateRecord> due(int limit) {
        return store.due(clock.instant(), limit);
    }

    /**
     * Notes what the deploy did with a passed release, so the sweep does not hand it over again. The first
     * answer stands: a later copy of the same deploy (a duplicate event) only finds it done.
     */
    public GateRecord recordHandoff(ReleaseKey key, String outcome) {
        return change(key, record -> record.handoff() != null ? record : record.handedOff(outcome, clock.instant()));
    }

    /** What a stored record asks of the gate again, for the sweep and for decisions. */
    public static GateSubject subjectOf(GateRecord record) {
        return new GateSubject(record.key(), record.image(), record.tag(), record.pushedAt(), record.triggeredBy(), record.origin(),
                record.arrival(), record.pipelineExecution());
    }

    private GateRecord arrive(GateSubject subject, GateConfig gate, Set<ImageDigest> arrivingTogether) {
        Optional<GateRecord> existing = store.find(subject.key());
        if (existing.isPresent()) {
            GateRecord record = existing.get();
            if (!isNewArrival(record, subject)) {
                return record;
            }
            GateRecord reopened = change(subject.key(), current -> isNewArrival(current, subject)
                    ? current.reopened(subject, clock.instant())
                    : current);
            if (reopened.status() == GateStatus.WAITING) {
                LOG.info("release {} is back at gate '{}' ({}): a new round", subject.key().id(), gate.name(), subject.arrival());
                return supersedeOrYield(reopened, arrivingTogether);
            }
            return reopened;
        }
        GateRecord fresh = GateRecord.arriving(subject, gate.name(), clock.instant());
        if (!create(fresh)) {
            return reread(subject.key());
        }
        LOG.info("release {} reached gate '{}'", subject.key().id(), gate.name());
        return supersedeOrYield(fresh, arrivingTogether);
    }

    /**
     * A decided round met by an arrival it did not answer: the gate must look again rather than repeat itself. Not so for an
     * action of a pipeline execution a round already passed: a pipeline's deploy action runs as a job of its own, after the
     * gate action of the same execution passed the release, and a new round there would wait out minSteady and the soak
     * again, and take the round from another execution that brought the same digest since. The execution's pass stands, and
     * what it earned with it, while the gate's conditions about the world now still hold ({@link
     * #whyExecutionPassDoesNotHold}). A new execution asks the gate afresh, and so does a retried gate action after a failure,
     * since a failed round is no pass.
     */
    private static boolean isNewArrival(GateRecord record, GateSubject subject) {
        return record.status().decided() && subject.arrival() != null && !subject.arrival().equals(record.arrival())
                && record.passOf(subject.pipelineExecution()).isEmpty();
    }

    /**
     * Only the newest release waits at an environment's gate. Newest is as the deploy path has it (decision 9, {@link
     * ReleaseOrderPolicy} under the service's tag policy: the higher version, else the later push), then by arrival at the
     * gate, digest breaking ties: every caller orders the same two records the same way, so when two arrive at once
     * exactly one of them keeps waiting, and a late, replayed event for an older digest, or a hotfix of an older line,
     * does not push the newer one out. A newer digest vetoed in the environment pushes nothing out: it can never deploy there.
     *
     * @return the arriving record as it stands afterwards: still waiting, or superseded by a newer one already there
     */
    private GateRecord supersedeOrYield(GateRecord arriving, Set<ImageDigest> arrivingTogether) {
        for (GateRecord other : store.waiting(arriving.key().service(), arriving.key().environment())) {
            if (other.key().equals(arriving.key()) || arrivingTogether.contains(other.key().digest())) {
                continue;
            }
            boolean otherIsNewer = newestLast(other, arriving) > 0;
            GateRecord older = otherIsNewer ? arriving : other;
            ImageDigest newer = otherIsNewer ? other.key().digest() : arriving.key().digest();
            if (vetoed(new ReleaseKey(older.key().service(), older.key().environment(), newer))) {
                // It can never deploy here: counting it as newer would hold a hotfix of an older line behind it, until its own
                // round ends on the veto.
                LOG.info("release {} at gate '{}' is not superseded by {}, which is vetoed there", older.key().id(), older.gate(),
                        newer.shortForm());
                continue;
            }
            GateRecord result = change(older.key(), record -> record.status().decided() ? record : record.superseded(newer, clock.instant()));
            if (result.status() == GateStatus.SUPERSEDED) {
                LOG.info("release {} at gate '{}' superseded by {}", older.key().id(), older.gate(), newer.shortForm());
            } else {
                LOG.info("release {} was decided ({}) before it could be superseded", older.key().id(), result.status());
            }
            if (otherIsNewer) {
                return result;
            }
        }
        return store.find(arriving.key()).orElse(arriving);
    }

    /**
     * Whether the digest is vetoed in the environment. One that cannot be read is ordered as any release: failing the arrival
     * would leave two releases waiting, and the round's own evaluation waits on the unread veto anyway.
     */
    private boolean vetoed(ReleaseKey key) {
        if (vetoes == null) {
            return false;
        }
        try {
            return vetoes.vetoOf(key.service(), key.environment(), key.digest()).isPresent();
        } catch (ReleaseStore.ReleaseStoreException e) {
            LOG.warn("could not read whether {} is vetoed; it is ordered at the gate as any release: {}", key.id(), e.getMessage());
            return false;
        }
    }

    /** Records of one service environment, the newer one the greater. */
    private int newestLast(GateRecord a, GateRecord b) {
        TagPolicy policy = config.services().stream().filter(s -> s.name().equals(a.key().service())).findFirst()
                .map(s -> s.tagPolicy().toPolicy()).orElse(null);
        int byRelease = ReleaseOrderPolicy.compare(policy, a.tag(), a.pushedAt(), b.tag(), b.pushedAt()).sign();
        if (byRelease != 0) {
            return byRelease;
        }
        int byArrival = a.createdAt().compareTo(b.createdAt());
        return byArrival != 0 ? byArrival : a.key().digest().value().compareTo(b.key().digest().value());
    }

    private boolean dueForChecks(GateRecord record, GateConfig gate, Instant now) {
        if (record.lastEvaluatedAt() == null || record.decidedSinceLastEvaluation()) {
            return true;
        }
        Instant byInterval = record.lastEvaluatedAt().plus(gate.interval());
        Instant byNextLook = record.nextLook() == null ? byInterval : record.nextLook();
        return !now.isBefore(byNextLook.isBefore(byInterval) ? byNextLook : byInterval);
    }

    /**
     * @param deployFollows whether the caller hands a passed release of Gantry's own deploy flow to the deploy
     *     itself; after a person's decision nobody does, so the sweep must take it at its next run
     */
    private GateRecord evaluated(GateRecord record, GateConfig gate, Instant now, boolean deployFollows) {
        List<CheckResult> results = runChecks(record, gate, now);
        GateVerdict verdict = engine.decide(gate, results, record.state(), now);
        GateStatus status = switch (verdict.outcome()) {
            case PASSED -> GateStatus.PASSED;
            case WAITING -> GateStatus.WAITING;
            case FAILED -> GateStatus.FAILED;
            case TIMED_OUT -> GateStatus.TIMED_OUT;
        };
        Instant nextLook = verdict.nextLook();
        Instant dueAt = null;
        if (record.origin() == GateOrigin.DEPLOY) {
            if (status == GateStatus.WAITING) {
                Instant byInterval = now.plus(gate.interval());
                dueAt = nextLook.isBefore(byInterval) ? nextLook : byInterval;
            } else if (status == GateStatus.PASSED && record.handoff() == null) {
                dueAt = deployFollows ? now.plus(HANDOFF_GRACE) : now;
            }
        }
        return record.evaluated(verdict, status, nextLook, dueAt, now);
    }

    private List<CheckResult> runChecks(GateRecord record, GateConfig gate, Instant now) {
        return runChecks(record, gate, now, null);
    }

    /**
     * @param pass the execution pass the checks confirm (see {@link #whyExecutionPassDoesNotHold}), which keeps what it earned
     *     at the soak and the approvals that let the release in; null for a round
     */
    private List<CheckResult> runChecks(GateRecord record, GateConfig gate, Instant now, GateRecord.ExecutionPass pass) {
        List<CheckResult> results = new ArrayList<>();
        Duration interval = gate.interval();
        if (vetoes != null) {
            vetoCheck(record.key(), now, interval).ifPresent(results::add);
        }
        List<AlarmStates.AlarmState> alarmStates = null;
        String alarmError = null;
        if (gate.alarms() != null) {
            try {
                alarmStates = alarms.describe(gate.alarms().names(), gate.alarms().prefixes());
            } catch (AlarmStates.AlarmStatesException e) {
                alarmError = e.getMessage();
            }
            results.add(alarmCheck.evaluate(gate.alarms(), alarmStates, alarmError, now, interval));
        }
        if (pass == null && gate.soak() != null) {
            String previous = previousEnvironment(record.key());
            List<Release> history = previous == null ? List.of() : releases.history(record.key().service(), previous);
            GateConfig.InsufficientData insufficientData = gate.alarms() == null ? GateConfig.InsufficientData.WAIT : gate.alarms().insufficientData();
            results.add(soakCheck.evaluate(record.key(), gate.soak(), previous, history, alarmStates, alarmError != null, insufficientData,
                    now, interval));
        }
        // An execution's pass is judged against who triggered its round, not whoever brought the digest to the gate since.
        Set<String> triggeredBy = slackUsersOf(pass == null ? record.triggeredBy() : pass.triggeredBy());
        Set<String> allowed = Set.of();
        Map<String, Set<String>> members = Map.of();
        if (gate.approvals() != null) {
            members = gate.approvals().groups().isEmpty() ? Map.of() : groups.members(gate.approvals().groups());
            allowed = allowedApprovers(gate.approvals(), members);
            results.add(pass == null
                    ? approvalPolicy.evaluate(gate.approvals(), record.decisions(), record.key().digest(), triggeredBy, members, now)
                    : approvalsOfPass(gate.approvals(), record, triggeredBy, members, pass, now));
        }
        if (!gate.freezes().isEmpty() || manualFreezes != null) {
            results.add(freezeCheck.evaluate(record.key().environment(), gate, readCalendars(gate), record.decisions(),
                    record.key().digest(), allowed, triggeredBy, now, interval));
        }
        for (GateConfig.CustomCheck check : gate.custom()) {
            results.add(ask(check, record, gate, now));
        }
        return results;
    }

    /**
     * The approvals as they counted when the round passed the execution, against who triggered that round, unless an allowed approver's standing decision is a
     * rejection now: a rejection recorded since, which another execution's round of the same digest can take, is a person's
     * no, and does not expire.
     */
    private CheckResult approvalsOfPass(GateConfig.Approvals approvals, GateRecord record, Set<String> triggeredBy,
            Map<String, Set<String>> members, GateRecord.ExecutionPass pass, Instant now) {
        CheckResult standingNow = approvalPolicy.evaluate(approvals, record.decisions(), record.key().digest(), triggeredBy, members, now);
        if (standingNow instanceof CheckResult.Fail) {
            return standingNow;
        }
        CheckResult atPass = approvalPolicy.evaluate(approvals, record.decisions(), record.key().digest(), triggeredBy, members, pass.at());
        return atPass instanceof CheckResult.Wait wait
                ? CheckResult.waitUntil(wait.check(), wait.reason() + " as they counted when the gate passed, at " + pass.at(), Instant.MAX,
                        wait.evidence())
                : atPass;
    }

    /**
     * A vetoed digest is never deployed to the environment, so its round ends, naming the veto, instead of waiting for a deploy
     * that cannot come. Not vetoed, it adds nothing: a veto is no check the gate was configured with, and every evaluation
     * would otherwise show it.
     */
    private Optional<CheckResult> vetoCheck(ReleaseKey key, Instant now, Duration interval) {
        try {
            return vetoes.vetoOf(key.service(), key.environment(), key.digest()).map(veto -> {
                String reason = key.digest().shortForm() + " is vetoed for " + key.environment() + " by " + veto.by() + " at " + veto.at()
                        + ": " + veto.reason();
                return CheckResult.fail(VETO_CHECK, reason, List.of(reason));
            });
        } catch (ReleaseStore.ReleaseStoreException e) {
            return Optional.of(CheckResult.unanswered(VETO_CHECK, "could not read whether it is vetoed: " + e.getMessage(),
                    now.plus(interval), List.of("vetoes unreadable: " + e.getMessage())));
        }
    }

    private Map<String, FreezeCheck.CalendarReading> readCalendars(GateConfig gate) {
        Map<String, FreezeCheck.CalendarReading> readings = new HashMap<>();
        for (GateConfig.Freeze freeze : gate.freezes()) {
            if (freeze.changeCalendar() != null && !readings.containsKey(freeze.changeCalendar())) {
                try {
                    readings.put(freeze.changeCalendar(), FreezeCheck.CalendarReading.of(calendars.state(freeze.changeCalendar())));
                } catch (ChangeCalendars.ChangeCalendarException e) {
                    readings.put(freeze.changeCalendar(), FreezeCheck.CalendarReading.failed(e.getMessage()));
                }
            }
        }
        return readings;
    }

    private CheckResult ask(GateConfig.CustomCheck check, GateRecord record, GateConfig gate, Instant now) {
        String name = "custom:" + check.name();
        CustomChecks.CustomQuestion question = new CustomChecks.CustomQuestion(record.key().service(), record.key().environment(),
                record.key().digest().value(), record.image(), record.tag(), gate.name());
        try {
            CustomChecks.CustomAnswer answer = custom.ask(check, question);
            String reason = answer.reason() == null || answer.reason().isBlank() ? "no reason given" : answer.reason();
            List<String> evidence = List.of(check.name() + " answered " + answer.verdict() + ": " + reason);
            return switch (answer.verdict()) {
                case PASS -> CheckResult.pass(name, evidence);
                case FAIL -> CheckResult.fail(name, reason, evidence);
                case WAIT -> CheckResult.waitUntil(name, reason,
                        now.plus(answer.retryAfter() == null ? gate.interval() : answer.retryAfter()), evidence);
            };
        } catch (CustomChecks.CustomCheckException e) {
            // No answer is not a "no": the gate asks again, and its timeout ends a check that never answers (with a
            // failure even under onTimeout: proceed, since nobody knows what the check would have said).
            return CheckResult.unanswered(name, "no answer: " + e.getMessage(), now.plus(gate.interval()),
                    List.of(check.name() + " gave no answer: " + e.getMessage()));
        }
    }

    private Set<String> allowedApprovers(GateConfig.Approvals approvals, Map<String, Set<String>> members) {
        Set<String> allowed = new LinkedHashSet<>(approvals.users());
        approvals.groups().forEach(g -> allowed.addAll(members.getOrDefault(g, Set.of())));
        return allowed;
    }

    /** The triggering identities as Slack user ids: listed people by any of their names, and ids given as such. */
    private Set<String> slackUsersOf(List<String> identities) {
        Set<String> users = new LinkedHashSet<>(identities);
        if (config.slack() != null) {
            users.addAll(config.slack().slackUsersFor(identities));
        }
        return users;
    }

    private String previousEnvironment(ReleaseKey key) {
        ServiceConfig service = config.services().stream().filter(s -> s.name().equals(key.service())).findFirst().orElseThrow();
        List<EnvironmentConfig> environments = service.environments();
        for (int i = 1; i < environments.size(); i++) {
            if (environments.get(i).name().equals(key.environment())) {
                return environments.get(i - 1).name();
            }
        }
        return null;
    }

    private Optional<EnvironmentConfig> environment(String service, String environment) {
        return config.services().stream()
                .filter(s -> s.name().equals(service))
                .flatMap(s -> s.environments().stream())
                .filter(e -> e.name().equals(environment))
                .findFirst();
    }

    private GateRecord change(ReleaseKey key, UnaryOperator<GateRecord> change) {
        for (int attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
            GateRecord current = store.find(key).orElseThrow(() -> new GateNotFoundException(key.id() + " has not reached its gate"));
            GateRecord changed = change.apply(current);
            if (changed == current || replace(changed)) {
                return changed;
            }
        }
        throw new GateStore.GateStoreException("gate record " + key.id() + " kept changing under " + MAX_ATTEMPTS + " attempts", null);
    }

    private boolean create(GateRecord record) {
        boolean created = store.create(record);
        if (created) {
            written(record);
        }
        return created;
    }

    private boolean replace(GateRecord record) {
        boolean replaced = store.replace(record);
        if (replaced) {
            written(record);
        }
        return replaced;
    }

    private void written(GateRecord record) {
        if (recordListener == null) {
            return;
        }
        try {
            recordListener.accept(record);
        } catch (RuntimeException e) {
            LOG.error("the listener of gate records failed on {} (version {}, {}); the record is stored and the gate's answer stands: {}",
                    record.key().id(), record.version(), record.status(), e.getMessage(), e);
        }
    }

    private GateRecord reread(ReleaseKey key) {
        return store.find(key).orElseThrow(() -> new GateStore.GateStoreException("gate record " + key.id() + " vanished", null));
    }

    private static void log(GateRecord record) {
        LOG.atInfo().addKeyValue(STATUS_LOG_FIELD, record.status().name())
                .log("gate '{}' for {}: {} ({})", record.gate(), record.key().id(), record.status(), record.reason());
    }


    /** The service environment has no gate, or is not in the configuration. */
    public static final class NoGateException extends RuntimeException {
        public NoGateException(String message) {
            super(message);
        }
    }

    /** A decision named a release that never reached its gate. */
    public static final class GateNotFoundException extends RuntimeException {
        public GateNotFoundException(String message) {
            super(message);
        }
    }
}
