package dev.gantry.core.notify;

import dev.gantry.core.deploy.DeployOutcome;
import dev.gantry.core.deploy.TaskDefinitionArn;
import dev.gantry.core.gate.GateStatus;
import dev.gantry.core.notify.ChatMessage.Block;
import dev.gantry.core.notify.ReleaseNews.AlarmChanged;
import dev.gantry.core.notify.ReleaseNews.BuildChanged;
import dev.gantry.core.notify.ReleaseNews.DeployDeclined;
import dev.gantry.core.notify.ReleaseNews.DeployStarted;
import dev.gantry.core.notify.ReleaseNews.GateChanged;
import dev.gantry.core.notify.ReleaseNews.GateDecided;
import dev.gantry.core.notify.ReleaseNews.PipelineChanged;
import dev.gantry.core.notify.ReleaseNews.RebuildChanged;
import dev.gantry.core.notify.ReleaseNews.RolloutChanged;
import dev.gantry.core.rebuild.RebuildStatus;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/**
 * One Slack thread's story, folded from the news told in it: what the top-level message shows (updated in place as the
 * story moves on) and the details still to be posted as replies in the thread.
 *
 * <p>Immutable: {@link #apply} returns the next state, or this same state when the news changes nothing (news already
 * applied, or news older than what the thread knows: a late IN_PROGRESS after COMPLETED). Applied news ids are kept,
 * the newest {@value #MAX_RECENT_NEWS} of them, which is far more news than one release, rebuild or pipeline run makes.
 *
 * <p>{@link #revision()} moves on only when the headline's content changes, so a delivery knows whether the posted
 * message needs an update. Replies wait in {@link #pendingReplies()} until {@link #replyPosted} takes them out.
 *
 * <p>The state is plain values (strings, numbers, instants, lists of records), so a store can keep it as it likes.
 *
 * @param key which thread this is
 * @param failureMention who the headline mentions when the story fails (Slack mrkdwn, e.g. {@code @platform-oncall}
 *     or {@code <!subteam^S0123>}); null for nobody
 * @param revision the headline's revision: how many times its content changed
 * @param tag the release's tag, as the first news naming it said; null when none did
 * @param previousTag the tag the first deployed environment ran before; null when unknown
 * @param previousDigest the digest it ran before, whole or its first 12 hex digits; null when unknown
 * @param environments per environment, where the digest stands, in the order the news first named them
 * @param steps pipeline stages, builds and alarms, by name, the newest state of each
 * @param links console links, by label
 * @param rebuilds how the rebuilds on a base digest stand; null for other threads
 * @param pendingReplies details not yet posted in the thread, oldest first
 * @param recentNewsIds the ids of the newest news applied, oldest first
 * @param updatedAt the newest news' time; null before any
 */
public record ReleaseThread(
        ThreadKey key,
        String failureMention,
        long revision,
        String tag,
        String previousTag,
        String previousDigest,
        List<Environment> environments,
        List<Step> steps,
        List<Link> links,
        Rebuilds rebuilds,
        List<Reply> pendingReplies,
        List<String> recentNewsIds,
        Instant updatedAt) {

    /** Applied news ids kept for dedupe: a release thread hears a few dozen pieces of news. */
    public static final int MAX_RECENT_NEWS = 200;

    static final int MAX_STEPS = 20;
    /** Slack shows at most 10 elements in a context block. */
    static final int MAX_LINKS = 10;
    static final int MAX_REPLY_LINES = 25;
    /** Slack refuses a section over 3,000 characters and a header over 150. */
    static final int MAX_SECTION = 2900;
    static final int MAX_HEADER = 150;

    private static final DateTimeFormatter SINCE = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'").withZone(ZoneOffset.UTC);

    private static final Pattern SLACK_USER = Pattern.compile("[UW][A-Z0-9]{2,}");
    private static final Set<String> STEP_FAILED = Set.of("FAILED", "FAULT", "TIMED_OUT");
    private static final Set<String> STEP_RUNNING = Set.of("STARTED", "IN_PROGRESS", "RESUMED", "STOPPING");
    private static final Set<String> STEP_STOPPED = Set.of("STOPPED", "CANCELED", "SUPERSEDED");

    public ReleaseThread {
        Objects.requireNonNull(key, "key");
        environments = environments == null ? List.of() : List.copyOf(environments);
        steps = steps == null ? List.of() : List.copyOf(steps);
        links = links == null ? List.of() : List.copyOf(links);
        pendingReplies = pendingReplies == null ? List.of() : List.copyOf(pendingReplies);
        recentNewsIds = recentNewsIds == null ? List.of() : List.copyOf(recentNewsIds);
    }

    /** A thread before its first news. */
    public static ReleaseThread open(ThreadKey key, String failureMention) {
        return new ReleaseThread(key, failureMention, 0, null, null, null, List.of(), List.of(), List.of(),
                key.kind() == ThreadKey.Kind.REBUILD ? Rebuilds.NONE : null, List.of(), List.of(), null);
    }

    /** Where the digest stands in one environment. */
    public record Environment(String name, Phase phase, String detail, Instant at) {
        public Environment {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(phase, "phase");
            detail = detail == null ? "" : detail;
        }
    }

    /**
     * An environment's progress. The order of the ranks is the order a release moves in; a phase of a lower rank
     * never replaces one of a higher rank (news arrives late), and a final phase is replaced only by a rollback that
     * turned out to follow a failure.
     */
    public enum Phase {
        HELD(0, false, ":double_vertical_bar:", "held"),
        GATE_WAITING(1, false, ":hourglass_flowing_sand:", "waiting at the gate"),
        GATE_PASSED(2, false, ":white_check_mark:", "gate passed"),
        DEPLOYING(3, false, ":arrows_counterclockwise:", "deploying"),
        ROLLING_OUT(4, false, ":arrows_counterclockwise:", "rolling out"),
        DEPLOYED(5, true, ":white_check_mark:", "deployed"),
        FAILED(5, true, ":x:", "failed"),
        ROLLED_BACK(6, true, ":rewind:", "rolled back"),
        GATE_FAILED(2, true, ":no_entry:", "stopped at the gate"),
        REFUSED(0, true, ":no_entry:", "refused"),
        SUPERSEDED(2, true, ":fast_forward:", "superseded");

        private final int rank;
        private final boolean ends;
        private final String emoji;
        private final String word;

        Phase(int rank, boolean ends, String emoji, String word) {
            this.rank = rank;
            this.ends = ends;
            this.emoji = emoji;
            this.word = word;
        }

        public String emoji() {
            return emoji;
        }

        public String word() {
            return word;
        }

        /** Whether the environment's story has ended here. */
        public boolean ends() {
            return ends;
        }

        /** Whether this phase may be recorded over {@code current}. */
        public boolean mayFollow(Phase current) {
            if (current == null || current == this) {
                return true;
            }
            if (current.ends) {
                return current == FAILED && this == ROLLED_BACK;
            }
            return rank >= current.rank;
        }
    }

    /**
     * A pipeline stage, a build or an alarm, with the state it was last seen in.
     *
     * @param state the source's own word: SUCCEEDED, FAILED, IN_PROGRESS, ALARM, OK...
     */
    public record Step(String name, String state, String detail, Instant at) {
        public Step {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(state, "state");
            detail = detail == null ? "" : detail;
        }
    }

    public record Link(String label, String url) {
        public Link {
            Objects.requireNonNull(label, "label");
            Objects.requireNonNull(url, "url");
        }
    }

    /**
     * The rebuilds a base digest started, added up across reports.
     *
     * @param wave the deepest wave reported so far, from 1
     * @param waves how many waves the cascade has
     * @param images how many images the base's change rebuilds
     * @param dependents each dependent's rebuild status, in the order first reported
     */
    public record Rebuilds(int wave, int waves, int images, List<DependentStatus> dependents) {
        public static final Rebuilds NONE = new Rebuilds(0, 0, 0, List.of());

        public Rebuilds {
            dependents = dependents == null ? List.of() : List.copyOf(dependents);
        }

        public long count(Predicate<RebuildStatus> which) {
            return dependents.stream().filter(d -> which.test(RebuildStatus.valueOf(d.status()))).count();
        }

        /**
         * The images the cascade will not rebuild, by why, in the order first reported: those below the dependents
         * whose rebuild left no image to continue it. Never more than the images not reported yet, so an image reported
         * after all (its base image was pushed again) is not counted twice.
         */
        public Map<String, Integer> notRebuilt() {
            int left = Math.max(0, images - dependents.size());
            Map<String, Integer> notRebuilt = new LinkedHashMap<>();
            for (DependentStatus dependent : dependents) {
                int counted = Math.min(left, dependent.notRebuiltBelow());
                if (counted > 0) {
                    notRebuilt.merge(dependent.notRebuiltBecause(), counted, Integer::sum);
                    left -= counted;
                }
            }
            return notRebuilt;
        }

        /** How many images the cascade will not rebuild: the sum of {@link #notRebuilt()}. */
        public int notRebuiltCount() {
            return notRebuilt().values().stream().mapToInt(Integer::intValue).sum();
        }
    }

    /**
     * @param status a {@link RebuildStatus} name
     * @param notRebuiltBelow how many images below this dependent the cascade will not rebuild; 0 when none, or not
     *     known (a thread saved before Gantry told it)
     * @param notRebuiltBecause why, completing "N not rebuilt: ..."; null when none
     */
    public record DependentStatus(String name, String status, int notRebuiltBelow, String notRebuiltBecause) {
        public DependentStatus {
            notRebuiltBelow = Math.max(0, notRebuiltBelow);
            notRebuiltBecause = notRebuiltBelow == 0 ? null : notRebuiltBecause;
        }

        public DependentStatus(String name, String status) {
            this(name, status, 0, null);
        }
    }

    /**
     * A detail to post in the thread once.
     *
     * @param id the news it came from
     * @param text the plain-text fallback
     * @param markdown the reply, Slack mrkdwn
     */
    public record Reply(String id, String text, String markdown) {
        public Reply {
            Objects.requireNonNull(id, "id");
            Objects.requireNonNull(text, "text");
            Objects.requireNonNull(markdown, "markdown");
        }

        public ChatMessage message() {
            return new ChatMessage(text, List.of(new ChatMessage.Section(markdown)));
        }
    }

    /** How the story stands as a whole. */
    public enum Status {
        STARTED(":large_blue_circle:"),
        IN_PROGRESS(":arrows_counterclockwise:"),
        WAITING(":hourglass_flowing_sand:"),
        SUCCEEDED(":white_check_mark:"),
        FAILED(":x:"),
        ROLLED_BACK(":rewind:"),
        STOPPED(":black_square_for_stop:"),
        /** One of Gantry's own alarms is firing. */
        ALARM(":rotating_light:");

        private final String emoji;

        Status(String emoji) {
            this.emoji = emoji;
        }

        public String emoji() {
            return emoji;
        }

        /** Whether the failure group is told. */
        public boolean failed() {
            return this == FAILED || this == ROLLED_BACK || this == ALARM;
        }
    }

    /**
     * The thread after {@code news}.
     *
     * @throws IllegalArgumentException when the news belongs to another thread
     */
    public ReleaseThread apply(ReleaseNews news) {
        if (!news.thread().equals(key)) {
            throw new IllegalArgumentException("news " + news.newsId() + " belongs to " + news.thread().describe() + ", not " + key.describe());
        }
        if (recentNewsIds.contains(news.newsId())) {
            return this;
        }
        Fold fold = new Fold(this);
        switch (news) {
            case DeployStarted deploy -> fold.deployStarted(deploy);
            case DeployDeclined declined -> fold.deployDeclined(declined);
            case RolloutChanged rollout -> fold.rollout(rollout);
            case GateChanged gate -> fold.gate(gate);
            case GateDecided decision -> fold.decision(decision);
            case PipelineChanged pipeline -> fold.pipeline(pipeline);
            case BuildChanged build -> fold.build(build);
            case RebuildChanged rebuild -> fold.rebuild(rebuild);
            case AlarmChanged alarm -> fold.alarm(alarm);
        }
        return fold.result(news);
    }

    /** Whether news with this id was applied (among the newest {@value #MAX_RECENT_NEWS}). */
    public boolean applied(String newsId) {
        return recentNewsIds.contains(newsId);
    }

    /** The thread once the reply with this id was posted; the same thread when it is not pending. */
    public ReleaseThread replyPosted(String replyId) {
        List<Reply> left = pendingReplies.stream().filter(r -> !r.id().equals(replyId)).toList();
        return left.size() == pendingReplies.size() ? this
                : new ReleaseThread(key, failureMention, revision, tag, previousTag, previousDigest, environments, steps, links, rebuilds,
                        left, recentNewsIds, updatedAt);
    }

    /** The details not yet posted, oldest first, as they are posted in the thread. */
    public List<ChatMessage> newReplies() {
        return pendingReplies.stream().map(Reply::message).toList();
    }

    public Status status() {
        return standing().status();
    }

    /** The one top-level message of the thread, updated in place as the story moves on. */
    public ChatMessage headline() {
        Standing standing = standing();
        if (key.kind() == ThreadKey.Kind.OPERATIONS) {
            return operationsHeadline(standing);
        }
        List<Block> blocks = new ArrayList<>();
        String title = title();
        blocks.add(new ChatMessage.Header(clip(title, MAX_HEADER)));
        blocks.add(new ChatMessage.Section(clip(statusLine(standing, ""), MAX_SECTION)));
        if (!environments.isEmpty()) {
            blocks.add(new ChatMessage.Section(clip(progressLine(), MAX_SECTION)));
        }
        versionLine().ifPresent(line -> blocks.add(new ChatMessage.Section(line)));
        failureLine().ifPresent(line -> blocks.add(new ChatMessage.Section(clip(line, MAX_SECTION))));
        if (rebuilds != null && rebuilds.images() > 0) {
            blocks.add(new ChatMessage.Section(rebuildLine()));
        }
        if (!steps.isEmpty()) {
            blocks.add(new ChatMessage.Section(clip(String.join("\n", steps.stream().map(ReleaseThread::stepLine).toList()), MAX_SECTION)));
        }
        if (!links.isEmpty()) {
            blocks.add(new ChatMessage.Context(links.stream().map(l -> "<" + l.url() + "|" + l.label() + ">").toList()));
        }
        return new ChatMessage(title + ": " + standing.line(), blocks);
    }

    /**
     * One of Gantry's own alarms: its state and since when, CloudWatch's reason, and the way to the alarm. What to do
     * about it is the thread's first reply, so that the message people glance at stays short.
     */
    private ChatMessage operationsHeadline(Standing standing) {
        List<Block> blocks = new ArrayList<>();
        String title = title();
        blocks.add(new ChatMessage.Header(clip(title, MAX_HEADER)));
        Optional<Step> alarm = steps.stream().reduce((a, b) -> b);
        String since = alarm.map(Step::at).map(at -> " since " + SINCE.format(at)).orElse("");
        blocks.add(new ChatMessage.Section(clip(statusLine(standing, since), MAX_SECTION)));
        alarm.filter(step -> !step.detail().isBlank()).ifPresent(step -> blocks.add(new ChatMessage.Section(clip(step.detail(), MAX_SECTION))));
        if (!links.isEmpty()) {
            blocks.add(new ChatMessage.Context(links.stream().map(l -> "<" + l.url() + "|" + l.label() + ">").toList()));
        }
        return new ChatMessage(title + ": " + standing.line(), blocks);
    }

    /** The standing in bold, and the failure group when the story failed. */
    private String statusLine(Standing standing, String suffix) {
        String line = standing.status().emoji() + " *" + standing.line() + "*" + suffix;
        if (standing.status().failed() && failureMention != null && !failureMention.isBlank()) {
            line += "\n" + failureMention;
        }
        return line;
    }

    private String title() {
        return switch (key.kind()) {
            case RELEASE -> key.name() + (tag == null ? "" : " " + tag) + " · " + key.shortId();
            case REBUILD -> "Rebuilds on " + key.name() + " · " + key.shortId();
            case PIPELINE -> key.name() + " · execution " + key.shortId();
            case OPERATIONS -> key.name();
        };
    }

    private record Standing(Status status, String line) {}

    private Standing standing() {
        if (key.kind() == ThreadKey.Kind.REBUILD) {
            return rebuildStanding();
        }
        if (key.kind() == ThreadKey.Kind.OPERATIONS) {
            return operationsStanding();
        }
        Optional<Environment> rolledBack = last(e -> e.phase() == Phase.ROLLED_BACK);
        if (rolledBack.isPresent()) {
            return new Standing(Status.ROLLED_BACK, "Rolled back in " + rolledBack.get().name());
        }
        Optional<Environment> failed = last(e -> e.phase() == Phase.FAILED || e.phase() == Phase.GATE_FAILED || e.phase() == Phase.REFUSED);
        if (failed.isPresent()) {
            Environment env = failed.get();
            return new Standing(Status.FAILED, switch (env.phase()) {
                case GATE_FAILED -> "Stopped at the " + env.name() + " gate";
                case REFUSED -> "Refused in " + env.name();
                default -> "Failed in " + env.name();
            });
        }
        Optional<Step> failedStep = steps.stream().filter(s -> STEP_FAILED.contains(s.state())).reduce((a, b) -> b);
        if (failedStep.isPresent()) {
            return new Standing(Status.FAILED, capitalized(failedStep.get().name()) + " failed");
        }
        Optional<Environment> moving = last(e -> e.phase() == Phase.DEPLOYING || e.phase() == Phase.ROLLING_OUT);
        if (moving.isPresent()) {
            return new Standing(Status.IN_PROGRESS, (moving.get().phase() == Phase.DEPLOYING ? "Deploying to " : "Rolling out to ")
                    + moving.get().name());
        }
        Optional<Environment> waiting = last(e -> e.phase() == Phase.GATE_WAITING || e.phase() == Phase.HELD);
        if (waiting.isPresent()) {
            Environment env = waiting.get();
            return new Standing(Status.WAITING, env.phase() == Phase.HELD ? "Held in " + env.name() : "Waiting at the " + env.name() + " gate");
        }
        Optional<Environment> passed = last(e -> e.phase() == Phase.GATE_PASSED);
        if (passed.isPresent()) {
            return new Standing(Status.IN_PROGRESS, "Gate passed in " + passed.get().name());
        }
        Optional<Environment> deployed = last(e -> e.phase() == Phase.DEPLOYED);
        if (deployed.isPresent()) {
            return new Standing(Status.SUCCEEDED, "Deployed to " + deployed.get().name());
        }
        Optional<Environment> superseded = last(e -> e.phase() == Phase.SUPERSEDED);
        if (superseded.isPresent()) {
            return new Standing(Status.STOPPED, "Superseded in " + superseded.get().name());
        }
        return stepStanding();
    }

    private Standing stepStanding() {
        Optional<Step> execution = steps.stream().filter(s -> s.name().startsWith("pipeline ")).reduce((a, b) -> b);
        Optional<Step> latest = execution.isPresent() ? execution : steps.stream().reduce((a, b) -> b);
        if (latest.isEmpty()) {
            return new Standing(Status.STARTED, "Started");
        }
        Step step = latest.get();
        if (STEP_RUNNING.contains(step.state()) || steps.stream().anyMatch(s -> STEP_RUNNING.contains(s.state()))) {
            return new Standing(Status.IN_PROGRESS, "In progress");
        }
        if (STEP_STOPPED.contains(step.state())) {
            return new Standing(Status.STOPPED, capitalized(step.name()) + " " + step.state().toLowerCase(Locale.ROOT));
        }
        return new Standing(Status.SUCCEEDED, "Succeeded");
    }

    private Standing rebuildStanding() {
        Rebuilds r = rebuilds == null ? Rebuilds.NONE : rebuilds;
        long failed = r.count(s -> s == RebuildStatus.FAILED);
        long running = r.count(s -> !s.isFinal());
        if (failed > 0) {
            return new Standing(Status.FAILED, failed + " of " + r.images() + (r.images() == 1 ? " rebuild" : " rebuilds") + " failed");
        }
        // The images below a rebuild that left no image to continue its cascade are never reported: they are waited
        // for no longer once the news says so.
        if (running > 0 || r.dependents().size() + r.notRebuiltCount() < r.images()) {
            return new Standing(Status.IN_PROGRESS, "Rebuilding: wave " + r.wave() + " of " + r.waves());
        }
        if (r.images() == 0) {
            return new Standing(Status.STARTED, "Started");
        }
        long succeeded = r.count(s -> s == RebuildStatus.SUCCEEDED);
        if (succeeded == r.images()) {
            return new Standing(Status.SUCCEEDED, "Rebuilt " + r.images() + (r.images() == 1 ? " image" : " images"));
        }
        // A base digest whose rebuilds a newer digest took over, or that was revoked, built less than it planned: the
        // headline must not read as if every image were rebuilt on it, nor as a failure nobody needs to look at.
        String notBuilt = notBuilt(r);
        return succeeded == 0
                ? new Standing(Status.STOPPED, "Nothing rebuilt; " + notBuilt)
                : new Standing(Status.SUCCEEDED, "Rebuilt " + succeeded + " of " + r.images() + " images; " + notBuilt);
    }

    private static String notBuilt(Rebuilds r) {
        List<String> why = new ArrayList<>();
        long superseded = r.count(s -> s == RebuildStatus.SUPERSEDED);
        long blocked = r.count(s -> s == RebuildStatus.BLOCKED);
        if (superseded > 0) {
            why.add(superseded + " superseded by a newer digest of the base");
        }
        if (blocked > 0) {
            why.add(blocked + " blocked");
        }
        r.notRebuilt().forEach((because, count) -> why.add(count + " not rebuilt: " + because));
        return String.join(", ", why);
    }

    private Standing operationsStanding() {
        Optional<Step> alarm = steps.stream().reduce((a, b) -> b);
        if (alarm.isEmpty()) {
            return new Standing(Status.STARTED, "Started");
        }
        String state = alarm.get().state();
        return switch (state) {
            case "ALARM" -> new Standing(Status.ALARM, "In ALARM");
            case "OK" -> new Standing(Status.SUCCEEDED, "OK");
            default -> new Standing(Status.WAITING, capitalized(state.toLowerCase(Locale.ROOT).replace('_', ' ')));
        };
    }

    private Optional<Environment> last(Predicate<Environment> which) {
        return environments.stream().filter(which).reduce((a, b) -> b);
    }

    private String progressLine() {
        List<String> parts = new ArrayList<>();
        for (Environment env : environments) {
            String detail = env.phase() == Phase.GATE_WAITING || env.phase() == Phase.HELD ? env.detail() : "";
            parts.add("*" + env.name() + "* " + env.phase().emoji() + " " + env.phase().word()
                    + (detail.isBlank() ? "" : " (" + clip(detail, 80) + ")"));
        }
        return String.join("  →  ", parts);
    }

    private Optional<String> versionLine() {
        if (key.kind() != ThreadKey.Kind.RELEASE) {
            return Optional.empty();
        }
        String now = (tag == null ? "" : "*" + tag + "* ") + "`" + key.shortId() + "`";
        if (previousTag == null && previousDigest == null) {
            return Optional.of(now);
        }
        String before = (previousTag == null ? "" : previousTag + " ") + (previousDigest == null ? "" : "`" + shortDigest(previousDigest) + "`");
        return Optional.of(before.strip() + " → " + now);
    }

    private Optional<String> failureLine() {
        return last(e -> (e.phase() == Phase.ROLLED_BACK || e.phase() == Phase.FAILED || e.phase() == Phase.GATE_FAILED)
                && !e.detail().isBlank())
                .map(e -> "*" + capitalized(e.phase().word()) + " in " + e.name() + ":* " + e.detail());
    }

    private String rebuildLine() {
        return rebuilds.images() + (rebuilds.images() == 1 ? " image" : " images")
                + " · wave " + rebuilds.wave() + " of " + rebuilds.waves()
                + " · " + rebuilds.count(RebuildStatus::inFlight) + " started"
                + " · " + rebuilds.count(s -> s == RebuildStatus.PENDING) + " pending"
                + " · " + rebuilds.count(s -> s == RebuildStatus.SUCCEEDED) + " succeeded"
                + " · " + rebuilds.count(s -> s == RebuildStatus.FAILED) + " failed"
                + (rebuilds.count(s -> s == RebuildStatus.BLOCKED) == 0 ? "" : " · " + rebuilds.count(s -> s == RebuildStatus.BLOCKED) + " blocked")
                + (rebuilds.count(s -> s == RebuildStatus.SUPERSEDED) == 0 ? ""
                        : " · " + rebuilds.count(s -> s == RebuildStatus.SUPERSEDED) + " superseded")
                + (rebuilds.notRebuiltCount() == 0 ? "" : " · " + rebuilds.notRebuiltCount() + " not rebuilt");
    }

    private static String stepLine(Step step) {
        return stepEmoji(step.state()) + " " + step.name() + ": " + step.state().toLowerCase(Locale.ROOT).replace('_', ' ')
                + (step.detail().isBlank() ? "" : " (" + clip(step.detail(), 120) + ")");
    }

    private static String stepEmoji(String state) {
        if (STEP_FAILED.contains(state)) {
            return ":x:";
        }
        if (STEP_RUNNING.contains(state)) {
            return ":arrows_counterclockwise:";
        }
        if (STEP_STOPPED.contains(state)) {
            return ":black_square_for_stop:";
        }
        return switch (state) {
            case "ALARM" -> ":rotating_light:";
            case "INSUFFICIENT_DATA" -> ":grey_question:";
            default -> ":white_check_mark:";
        };
    }

    /** The fold of one piece of news: a mutable copy of the story, made immutable again by {@link #result}. */
    private static final class Fold {
        private final ReleaseThread before;
        private String tag;
        private String previousTag;
        private String previousDigest;
        private final List<Environment> environments;
        private final List<Step> steps;
        private final List<Link> links;
        private Rebuilds rebuilds;
        private final List<Reply> replies = new ArrayList<>();

        Fold(ReleaseThread before) {
            this.before = before;
            this.tag = before.tag;
            this.previousTag = before.previousTag;
            this.previousDigest = before.previousDigest;
            this.environments = new ArrayList<>(before.environments);
            this.steps = new ArrayList<>(before.steps);
            this.links = new ArrayList<>(before.links);
            this.rebuilds = before.rebuilds;
        }

        void deployStarted(DeployStarted news) {
            tagIfUnknown(news.tag());
            if (previousTag == null && previousDigest == null) {
                previousTag = news.previousTag();
                previousDigest = news.previousDigest();
            }
            String revision = TaskDefinitionArn.familyOf(news.taskDefinitionArn()).isPresent()
                    ? TaskDefinitionArn.parse(news.taskDefinitionArn()).toString() : "";
            // A deploy started after the environment's story ended is this digest deployed there again (a rollback to
            // it): a new story. A late copy of the first deploy's news never gets here, its id having been applied.
            if (!move(news.environment(), Phase.DEPLOYING, revision.isEmpty() ? "" : "revision " + revision, news.at())) {
                restart(news.environment(), Phase.DEPLOYING, revision.isEmpty() ? "" : "revision " + revision, news.at());
            }
            ConsoleLinks.ecsService(news.region(), news.cluster(), news.ecsService())
                    .ifPresent(url -> link("ECS service (" + news.environment() + ")", url));
            Optional<String> taskDefinition = ConsoleLinks.taskDefinition(news.taskDefinitionArn());
            taskDefinition.ifPresent(url -> link("task definition (" + news.environment() + ")", url));

            String what = "*" + news.environment() + "*: deploying " + (news.tag() == null ? "" : "`" + news.tag() + "` ")
                    + "`" + news.digest().shortForm() + "`";
            StringBuilder reply = new StringBuilder(":rocket: " + what);
            if (!news.triggeredBy().isEmpty()) {
                reply.append(", set going by ").append(String.join(", ", news.triggeredBy().stream().map(ReleaseThread::person).toList()));
            }
            if (!news.changes().isEmpty()) {
                reply.append("\n```\n").append(String.join("\n", capped(news.changes()))).append("\n```");
            }
            if (news.taskDefinitionArn() != null) {
                String from = revisionLink(news.previousTaskDefinitionArn());
                String to = revisionLink(news.taskDefinitionArn());
                reply.append("\nrevision ").append(from.isEmpty() ? to : from + " → " + to);
            }
            reply(news, news.environment() + ": deploying " + (news.tag() == null ? "" : news.tag() + " ") + news.digest().shortForm(),
                    reply.toString());
        }

        void deployDeclined(DeployDeclined news) {
            tagIfUnknown(news.tag());
            Phase phase = news.result() == DeployOutcome.Result.REFUSED ? Phase.REFUSED : Phase.HELD;
            if (move(news.environment(), phase, news.reason(), news.at())) {
                reply(news, news.environment() + ": " + phase.word() + ": " + news.reason(),
                        phase.emoji() + " *" + news.environment() + "*: " + phase.word() + ": " + news.reason());
            }
        }

        void rollout(RolloutChanged news) {
            Phase phase = switch (news.status()) {
                case PENDING, IN_PROGRESS -> Phase.ROLLING_OUT;
                case COMPLETED -> Phase.DEPLOYED;
                case FAILED -> Phase.FAILED;
                case ROLLED_BACK -> Phase.ROLLED_BACK;
            };
            String reason = news.reason() == null ? "" : news.reason();
            if (!move(news.environment(), phase, phase.ends() ? reason : "", news.at())) {
                return;
            }
            switch (phase) {
                case DEPLOYED -> reply(news, news.environment() + ": rollout completed",
                        Phase.DEPLOYED.emoji() + " *" + news.environment() + "*: rollout completed");
                case FAILED, ROLLED_BACK -> {
                    String word = phase == Phase.FAILED ? "rollout failed" : "rolled back";
                    reply(news, news.environment() + ": " + word + (reason.isBlank() ? "" : ": " + reason),
                            phase.emoji() + " *" + news.environment() + "*: " + word + (reason.isBlank() ? "" : ": " + reason) + mention());
                }
                default -> {
                    // A rollout under way shows in the headline; the thread gets its end.
                }
            }
        }

        void gate(GateChanged news) {
            tagIfUnknown(news.tag());
            Phase phase = switch (news.status()) {
                case WAITING -> Phase.GATE_WAITING;
                case PASSED -> Phase.GATE_PASSED;
                case FAILED, TIMED_OUT -> Phase.GATE_FAILED;
                case SUPERSEDED -> Phase.SUPERSEDED;
            };
            String detail = news.status() == GateStatus.WAITING && news.approvalsRequired() > 0 && news.approvals() < news.approvalsRequired()
                    ? news.approvals() + " of " + news.approvalsRequired() + " approvals"
                    : news.reason();
            if (!move(news.environment(), phase, detail, news.at())) {
                return;
            }
            String where = "*" + news.environment() + "* gate `" + news.gate() + "`";
            String said = switch (news.status()) {
                case WAITING -> "waiting: " + news.reason();
                case PASSED -> "passed";
                case FAILED -> "failed: " + news.reason();
                case TIMED_OUT -> "timed out: " + news.reason();
                case SUPERSEDED -> news.reason();
            };
            StringBuilder reply = new StringBuilder(phase.emoji() + " " + where + ": " + said);
            if (!news.evidence().isEmpty()) {
                reply.append('\n').append(String.join("\n", capped(news.evidence()).stream().map(ReleaseThread::evidenceLine).toList()));
            }
            if (phase == Phase.GATE_FAILED) {
                reply.append(mention());
            }
            reply(news, news.environment() + " gate " + news.gate() + ": " + said, reply.toString());
        }

        void decision(GateDecided news) {
            String verb = switch (news.decision()) {
                case APPROVE -> ":+1: approved by ";
                case REJECT -> ":-1: rejected by ";
                case BREAK_GLASS -> ":fire_extinguisher: freeze broken by ";
            };
            String comment = news.comment() == null || news.comment().isBlank() ? "" : ": " + news.comment();
            reply(news, news.environment() + " gate: " + verb.substring(verb.indexOf(' ') + 1) + news.by() + comment,
                    "*" + news.environment() + "* gate `" + news.gate() + "`: " + verb + person(news.by()) + comment);
        }

        void pipeline(PipelineChanged news) {
            String name = news.stage() == null ? "pipeline " + news.pipeline() : "stage " + news.stage();
            ConsoleLinks.pipelineExecution(news.region(), news.pipeline(), news.executionId())
                    .ifPresent(url -> link("pipeline " + news.pipeline(), url));
            if (!step(name, news.state(), "", news.at())) {
                return;
            }
            boolean failed = STEP_FAILED.contains(news.state());
            boolean ended = news.stage() == null && news.state().equals("SUCCEEDED");
            if (failed || ended || STEP_STOPPED.contains(news.state())) {
                String said = name + " " + news.state().toLowerCase(Locale.ROOT);
                String link = ConsoleLinks.pipelineExecution(news.region(), news.pipeline(), news.executionId())
                        .map(url -> " <" + url + "|execution " + news.executionId() + ">").orElse("");
                reply(news, said, stepEmoji(news.state()) + " " + said + link + (failed ? mention() : ""));
            }
        }

        void build(BuildChanged news) {
            String name = "build " + news.project();
            Optional<String> logs = Optional.ofNullable(news.logsUrl())
                    .or(() -> ConsoleLinks.build(news.region(), news.account(), news.project(), news.buildId()));
            logs.ifPresent(url -> link("build logs (" + news.project() + ")", url));
            if (!step(name, news.status(), news.buildId(), news.at())) {
                return;
            }
            if (STEP_FAILED.contains(news.status()) || STEP_STOPPED.contains(news.status())) {
                boolean failed = STEP_FAILED.contains(news.status());
                String said = "build " + news.buildId() + " " + news.status().toLowerCase(Locale.ROOT).replace('_', ' ');
                reply(news, said, stepEmoji(news.status()) + " " + said + logs.map(url -> " <" + url + "|logs>").orElse("")
                        + (failed ? mention() : ""));
            }
        }

        void rebuild(RebuildChanged news) {
            Rebuilds current = rebuilds == null ? Rebuilds.NONE : rebuilds;
            Map<String, DependentStatus> statuses = new LinkedHashMap<>();
            current.dependents().forEach(d -> statuses.put(d.name(), d));
            boolean newFailure = false;
            for (RebuildChanged.Dependent dependent : news.dependents()) {
                DependentStatus known = statuses.get(dependent.name());
                String status = dependent.status();
                if (known != null && RebuildStatus.valueOf(known.status()).isFinal() && !RebuildStatus.valueOf(status).isFinal()) {
                    status = known.status();
                }
                newFailure |= status.equals(RebuildStatus.FAILED.name()) && (known == null || !status.equals(known.status()));
                // Only the report that ended the dependent's cascade knows the images below it; a later one (its build's
                // end after its push) must not take them back.
                DependentStatus below = known != null && known.notRebuiltBelow() >= dependent.notRebuiltBelow() ? known
                        : new DependentStatus(dependent.name(), status, dependent.notRebuiltBelow(), dependent.notRebuiltBecause());
                statuses.put(dependent.name(),
                        new DependentStatus(dependent.name(), status, below.notRebuiltBelow(), below.notRebuiltBecause()));
            }
            rebuilds = new Rebuilds(Math.max(current.wave(), news.wave()), Math.max(current.waves(), news.waves()),
                    Math.max(current.images(), news.images()), List.copyOf(statuses.values()));
            List<String> lines = news.dependents().stream().map(d -> d.line() == null ? d.name() + ": " + d.status() : d.line()).toList();
            StringBuilder reply = new StringBuilder(":package: " + news.summary());
            if (!lines.isEmpty()) {
                reply.append('\n').append(String.join("\n", capped(lines).stream().map(l -> "• " + l).toList()));
            }
            if (newFailure) {
                reply.append(mention());
            }
            reply(news, news.summary(), reply.toString());
        }

        void alarm(AlarmChanged news) {
            if (before.key.kind() == ThreadKey.Kind.OPERATIONS) {
                operationsAlarm(news);
                return;
            }
            String name = "alarm " + news.alarmName();
            Optional<String> previous = steps.stream().filter(s -> s.name().equals(name)).map(Step::state).findFirst();
            ConsoleLinks.alarm(news.region(), news.alarmName()).ifPresent(url -> link(name, url));
            if (!step(name, news.state(), news.reason(), news.at())) {
                return;
            }
            if (news.state().equals("ALARM")) {
                reply(news, name + " is in ALARM: " + news.reason(),
                        ":rotating_light: alarm `" + news.alarmName() + "` is in ALARM" + (news.reason().isBlank() ? "" : ": " + news.reason()));
            } else if (news.state().equals("OK") && previous.filter("ALARM"::equals).isPresent()) {
                reply(news, name + " is OK again", ":white_check_mark: alarm `" + news.alarmName() + "` is OK again");
            }
        }

        /**
         * Gantry's own alarm, alone in its thread: the headline shows its state; the thread says what to do when it first
         * fires, and each time it fires again (mentioning the failure group, whom an edited headline would not notify) or
         * recovers. An alarm that never fired opens no thread: every new alarm reports OK or INSUFFICIENT_DATA once it is
         * created, and a message for each of them on every deploy would bury the ones that matter.
         */
        void operationsAlarm(AlarmChanged news) {
            String name = "alarm " + news.alarmName();
            Optional<String> previous = steps.stream().filter(s -> s.name().equals(name)).map(Step::state).findFirst();
            if (previous.isEmpty() && !news.state().equals("ALARM")) {
                return;
            }
            ConsoleLinks.alarm(news.region(), news.alarmName()).ifPresent(url -> link("alarm in CloudWatch", url));
            if (!step(name, news.state(), news.reason(), news.at())) {
                return;
            }
            String reason = news.reason().isBlank() ? "" : ": " + news.reason();
            if (previous.isEmpty()) {
                if (!news.description().isBlank()) {
                    reply(news, "What to do: " + news.description(), ":clipboard: *What to do:* " + news.description());
                }
            } else if (news.state().equals("ALARM")) {
                reply(news, news.alarmName() + " is in ALARM again" + reason, ":rotating_light: in ALARM again" + reason + mention());
            } else if (news.state().equals("OK") && previous.get().equals("ALARM")) {
                reply(news, news.alarmName() + " is OK again", ":white_check_mark: OK again");
            }
        }

        private void tagIfUnknown(String newTag) {
            if (tag == null && newTag != null && !newTag.isBlank()) {
                tag = newTag;
            }
        }

        /** Records the environment's new phase when it may follow the current one; false when it changes nothing. */
        private boolean move(String environment, Phase phase, String detail, Instant at) {
            for (int i = 0; i < environments.size(); i++) {
                Environment current = environments.get(i);
                if (current.name().equals(environment)) {
                    if (!phase.mayFollow(current.phase())) {
                        return false;
                    }
                    Environment next = new Environment(environment, phase, detail, at);
                    if (current.phase() == phase && current.detail().equals(next.detail())) {
                        return false;
                    }
                    environments.set(i, next);
                    return true;
                }
            }
            environments.add(new Environment(environment, phase, detail, at));
            return true;
        }

        /** Starts the environment's story again when its last one ended before {@code at}. */
        private void restart(String environment, Phase phase, String detail, Instant at) {
            for (int i = 0; i < environments.size(); i++) {
                Environment current = environments.get(i);
                if (current.name().equals(environment) && current.phase().ends() && current.at().isBefore(at)) {
                    environments.set(i, new Environment(environment, phase, detail, at));
                }
            }
        }

        /** Records a step's state unless the thread knows a newer one; false when it changes nothing. */
        private boolean step(String name, String state, String detail, Instant at) {
            for (int i = 0; i < steps.size(); i++) {
                Step current = steps.get(i);
                if (current.name().equals(name)) {
                    if (current.at() != null && at.isBefore(current.at())) {
                        return false;
                    }
                    Step next = new Step(name, state, detail, at);
                    if (current.state().equals(state) && current.detail().equals(next.detail())) {
                        return false;
                    }
                    steps.set(i, next);
                    return true;
                }
            }
            steps.add(new Step(name, state, detail, at));
            if (steps.size() > MAX_STEPS) {
                steps.removeFirst();
            }
            return true;
        }

        private void link(String label, String url) {
            for (int i = 0; i < links.size(); i++) {
                if (links.get(i).label().equals(label)) {
                    links.set(i, new Link(label, url));
                    return;
                }
            }
            links.add(new Link(label, url));
            if (links.size() > MAX_LINKS) {
                links.removeFirst();
            }
        }

        private void reply(ReleaseNews news, String text, String markdown) {
            replies.add(new Reply(news.newsId(), clip(text, MAX_SECTION), clip(markdown, MAX_SECTION)));
        }

        /**
         * The failure group, mentioned in the failure's reply too: Slack notifies people of a mention in a new
         * message, not of one an edit adds to the headline.
         */
        private String mention() {
            return before.failureMention == null || before.failureMention.isBlank() ? "" : "\n" + before.failureMention;
        }

        ReleaseThread result(ReleaseNews news) {
            ReleaseThread story = new ReleaseThread(before.key, before.failureMention, before.revision, tag, previousTag, previousDigest,
                    environments, steps, links, rebuilds, before.pendingReplies, before.recentNewsIds, before.updatedAt);
            if (story.equals(before) && replies.isEmpty()) {
                // Nothing new (late or repeated in other words): not even the id is kept, so the thread stays as it was.
                return before;
            }
            List<Reply> pending = new ArrayList<>(before.pendingReplies);
            pending.addAll(replies);
            List<String> ids = new ArrayList<>(before.recentNewsIds);
            ids.add(news.newsId());
            while (ids.size() > MAX_RECENT_NEWS) {
                ids.removeFirst();
            }
            Instant updated = before.updatedAt == null || news.at().isAfter(before.updatedAt) ? news.at() : before.updatedAt;
            long revision = story.headline().equals(before.headline()) ? before.revision : before.revision + 1;
            return new ReleaseThread(before.key, before.failureMention, revision, tag, previousTag, previousDigest, environments, steps,
                    links, rebuilds, pending, ids, updated);
        }
    }

    private static String revisionLink(String taskDefinitionArn) {
        if (taskDefinitionArn == null || TaskDefinitionArn.familyOf(taskDefinitionArn).isEmpty()) {
            return "";
        }
        String name = TaskDefinitionArn.parse(taskDefinitionArn).toString();
        return ConsoleLinks.taskDefinition(taskDefinitionArn).map(url -> "<" + url + "|" + name + ">").orElse(name);
    }

    private static String evidenceLine(String line) {
        return line.startsWith("  ") ? "    ◦ " + line.strip() : "• " + line;
    }

    /** A Slack user id becomes a mention; anything else (an e-mail address, an IAM ARN) is shown as it is. */
    private static String person(String who) {
        return SLACK_USER.matcher(who).matches() ? "<@" + who + ">" : who;
    }

    private static List<String> capped(List<String> lines) {
        if (lines.size() <= MAX_REPLY_LINES) {
            return lines;
        }
        List<String> kept = new ArrayList<>(lines.subList(0, MAX_REPLY_LINES));
        kept.add("… and " + (lines.size() - MAX_REPLY_LINES) + " more");
        return kept;
    }

    private static String shortDigest(String digest) {
        String hex = digest.startsWith("sha256:") ? digest.substring(7) : digest;
        return hex.substring(0, Math.min(12, hex.length()));
    }

    private static String capitalized(String text) {
        return text.isEmpty() ? text : Character.toUpperCase(text.charAt(0)) + text.substring(1);
    }

    private static String clip(String text, int max) {
        return text.length() <= max ? text : text.substring(0, max - 1) + "…";
    }
}
