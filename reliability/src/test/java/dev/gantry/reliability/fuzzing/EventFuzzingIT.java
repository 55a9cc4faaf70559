package dev.gantry.reliability.fuzzing;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.gantry.reliability.fuzzing.FuzzedHandlers.Handler;
import dev.gantry.reliability.fuzzing.FuzzedHandlers.SlackDelivery;
import dev.gantry.reliability.fuzzing.Outcome.Verdict;
import dev.gantry.reliability.harness.SlackSignature;
import dev.gantry.testing.Fixtures;
import dev.gantry.testing.PipelineArtifacts;
import dev.gantry.testing.ReliabilityFigures;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Every sample in {@code events/}, mutated thousands of times (fields removed, retyped, a megabyte long or in odd
 * Unicode, routing fields swapped, documents cut short or not JSON at all), sent to every handler that receives its
 * kind: each either takes the event or rejects it with one of Gantry's validation errors naming what is wrong; none
 * crashes, and none hides a crash in its log. Slack bodies go through the Function URL endpoint signed correctly, so
 * their parsing is what is fuzzed, and on to the worker as the queue delivers them.
 *
 * <p>The mutations come from a seeded {@link Random}: the seed is printed, {@code -Dgantry.fuzz.seed=<seed>} repeats a
 * run and {@code -Dgantry.fuzz.mutation=<n>} replays one mutation of it alone.
 */
class EventFuzzingIT {

    private static final String PART = "fuzzing";
    private static final String SEED_PROPERTY = "gantry.fuzz.seed";
    private static final String MUTATION_PROPERTY = "gantry.fuzz.mutation";
    private static final int MUTATIONS = ReliabilityFigures.scaled(2_000, 12_000);
    private static final int EXAMPLES_PER_KIND = 3;

    private static final String FUNCTION_URL_SAMPLE = "lambda-function-url-request.lambda-dev-guide.json";
    private static final String SNS_SAMPLE = "sns-lambda-event-envelope.lambda-dev-guide.json";
    private static final String DEPLOY_JOB_SAMPLE = "gantry-codepipeline-job-payments-api-staging.json";
    private static final String GATE_JOB_SAMPLE = "gantry-codepipeline-job-payments-api-prod-gate.json";

    /** Samples that are not events, and why nothing receives them as they are. */
    private static final Map<String, String> NOT_EVENTS = Map.of(
            "gantry-ecs-response-", "a canned ECS API response for scripts/bench's loopback ECS, read by the AWS SDK, not by Gantry",
            "ecs-describe-task-definition-output.", "an ECS API response from botocore's examples, read by the AWS SDK, not by Gantry");

    private static final Map<String, String> TEXTS = new ConcurrentHashMap<>();

    /** How a mutated sample travels to its handlers. */
    enum Carrier {
        /** As the event itself. */
        EVENT,
        /** As the message of an SNS notification. */
        SNS_MESSAGE,
        /** As the file of a pipeline job's input artifact. */
        PIPELINE_ARTIFACT,
        /** As the body Slack posts, signed, in a Function URL event. */
        SLACK_FORM,
        /** As the {@code payload} of an interaction Slack posts, signed, in a Function URL event. */
        SLACK_PAYLOAD,
        /** As the Function URL event itself, around a body signed before the mutation. */
        FUNCTION_URL_EVENT
    }

    record Route(String sample, Carrier carrier, List<Handler> handlers) {}

    /** One delivery that broke the rule, with what it takes to replay it. */
    record Failure(int mutation, String sample, String description, Handler handler, Outcome outcome) {}

    private static FuzzedHandlers handlers;
    private static String signedFunctionUrlEvent;

    @BeforeAll
    static void wire() {
        List<String> samples = samples();
        handlers = new FuzzedHandlers(
                samples.stream().filter(s -> s.contains("codepipeline-job-")).toList(),
                samples.stream().filter(s -> s.startsWith("gantry-ecs-lifecycle-hook-")).toList(),
                samples.stream().filter(s -> s.startsWith("gantry-ecs-deployment-")).toList());
        ObjectNode envelope = (ObjectNode) JsonMutations.read(text(FUNCTION_URL_SAMPLE));
        signedFunctionUrlEvent = signed(envelope, envelope.path("body").asText()).toString();
    }

    @AfterAll
    static void unwire() {
        if (handlers != null) {
            handlers.close();
        }
    }

    @Test
    void everySampleIsFuzzedOrSaysWhyItIsNot() {
        List<String> samples = samples();

        List<String> unrouted = samples.stream().filter(s -> route(s).isEmpty() && notAnEvent(s).isEmpty()).toList();

        assertThat(unrouted).as("samples in events/ that no handler receives and that are not listed as non-events").isEmpty();
        assertThat(samples.stream().filter(s -> route(s).isPresent())).hasSizeGreaterThan(40);
    }

    @Test
    void unmutatedSamplesNeverCrashTheirHandlers() {
        List<String> problems = new ArrayList<>();
        for (Route route : routes()) {
            for (Handler handler : route.handlers()) {
                Delivery delivery = deliver(route, handler, unchanged(route));
                delivery.lost().ifPresent(lost -> problems.add(route.sample() + " lost: " + lost));
                for (Map.Entry<Handler, Outcome> delivered : delivery.outcomes().entrySet()) {
                    Outcome outcome = delivered.getValue();
                    boolean crashed = outcome.verdict() == Verdict.UNHANDLED;
                    // A sample Gantry derived for its own configuration is one its handlers act on.
                    boolean refusedOwnSample = route.sample().startsWith("gantry-") && outcome.verdict() == Verdict.REJECTED
                            && outcome.mustName();
                    if (crashed || refusedOwnSample) {
                        problems.add(route.sample() + " -> " + delivered.getKey() + ": " + outcome.verdict() + " " + outcome.reason());
                    }
                }
            }
        }

        assertThat(problems).isEmpty();
    }

    @Test
    void mutatedEventsAreTakenOrRejectedNamingWhatIsWrong() {
        long seed = Long.getLong(SEED_PROPERTY, new SecureRandom().nextLong());
        Integer only = Integer.getInteger(MUTATION_PROPERTY);
        System.out.printf("fuzzing: seed %d (repeat with -D%s=%d), %,d mutations%s%n", seed, SEED_PROPERTY, seed, MUTATIONS,
                only == null ? "" : ", replaying mutation " + only + " alone");
        List<Route> routes = routes();
        Map<String, String> baselineReasons = baselineRejections(routes);
        Map<Handler, Map<Verdict, Long>> byHandler = new EnumMap<>(Handler.class);
        List<Failure> failures = new ArrayList<>();
        long delivered = 0;
        long rejected = 0;
        long accepted = 0;
        long unhandled = 0;
        long lost = 0;
        long mutations = 0;
        long started = System.nanoTime();
        long cpuStarted = ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime();

        for (int i = 0; i < MUTATIONS; i++) {
            if (only != null && i != only) {
                continue;
            }
            Route route = routes.get(i % routes.size());
            Mutation mutation = mutate(route, new Random(mix(seed, i)));
            mutations++;
            for (Handler handler : route.handlers()) {
                Delivery delivery = deliver(route, handler, mutation);
                if (delivery.lost().isPresent()) {
                    lost++;
                    failures.add(new Failure(i, route.sample(), mutation.description(), handler,
                            Outcome.unhandled("lost: " + delivery.lost().get(), null)));
                }
                for (Map.Entry<Handler, Outcome> entry : delivery.outcomes().entrySet()) {
                    Outcome outcome = entry.getValue();
                    delivered++;
                    // A sample rejected before it was mutated may keep that reason whatever else is damaged.
                    boolean unnamed = outcome.verdict() == Verdict.REJECTED && outcome.mustName() && !mutation.isNamedBy(outcome.reason())
                            && !sameReason(outcome.reason(), baselineReasons.get(route.sample() + " " + entry.getKey()));
                    Verdict counted = unnamed ? Verdict.UNHANDLED : outcome.verdict();
                    byHandler.computeIfAbsent(entry.getKey(), h -> new EnumMap<>(Verdict.class)).merge(counted, 1L, Long::sum);
                    switch (counted) {
                        case ACCEPTED -> accepted++;
                        case REJECTED -> rejected++;
                        case UNHANDLED -> {
                            unhandled++;
                            failures.add(new Failure(i, route.sample(), mutation.description(), entry.getKey(), unnamed
                                    ? Outcome.unhandled("rejected without naming what is wrong (" + mutation.names() + "): "
                                            + FuzzedHandlers.abbreviated(outcome.reason()), null)
                                    : outcome));
                        }
                    }
                }
            }
        }
        long millis = (System.nanoTime() - started) / 1_000_000;
        long cpuMillis = (ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime() - cpuStarted) / 1_000_000;

        ReliabilityFigures.add(PART, "events fuzzed", delivered);
        ReliabilityFigures.add(PART, "rejected with a reason", rejected);
        ReliabilityFigures.add(PART, "accepted", accepted);
        ReliabilityFigures.add(PART, "unhandled", unhandled);
        ReliabilityFigures.add(PART, ReliabilityFigures.LOST_EVENTS, lost);
        System.out.printf("fuzzing: %,d events from %,d mutations in %,d ms (%,d ms of CPU); by handler: %s%n", delivered, mutations,
                millis, cpuMillis, byHandler);
        assertThat(failures.size()).as(report(seed, failures)).isZero();
        assertThat(lost).isZero();
        if (only == null) {
            assertThat(delivered).isGreaterThanOrEqualTo(MUTATIONS);
            // Every parser was reached: each handler that reads its event rejected some of them and took others.
            byHandler.forEach((handler, verdicts) -> {
                if (handler == Handler.GATE_SWEEP) {
                    assertThat(verdicts).as("the gate sweep reads nothing of its event").containsOnlyKeys(Verdict.ACCEPTED);
                } else {
                    assertThat(verdicts).as(handler + " rejected some mutated events and took others")
                            .containsKeys(Verdict.ACCEPTED, Verdict.REJECTED);
                }
            });
            assertThat(byHandler).containsOnlyKeys(Handler.values());
        }
    }

    /** What each handler rejects each sample for before anything is mutated, by sample and handler. */
    private static Map<String, String> baselineRejections(List<Route> routes) {
        Map<String, String> reasons = new HashMap<>();
        for (Route route : routes) {
            for (Handler handler : route.handlers()) {
                deliver(route, handler, unchanged(route)).outcomes().forEach((reached, outcome) -> {
                    if (outcome.verdict() == Verdict.REJECTED) {
                        reasons.put(route.sample() + " " + reached, outcome.reason());
                    }
                });
            }
        }
        return reasons;
    }

    /** The same complaint about the same field, whatever values it quotes or parser detail it adds in brackets. */
    private static boolean sameReason(String reason, String baseline) {
        return baseline != null && gist(reason).equals(gist(baseline));
    }

    private static String gist(String reason) {
        return reason.replaceAll("\\(.*", "").replaceAll("'[^']*'", "''").strip();
    }

    private static Mutation unchanged(Route route) {
        return new Mutation(route.sample(), "unchanged", carried(route), Set.of());
    }

    /** The sample's routes: which handlers receive it, and how it travels there. */
    static Optional<Route> route(String sample) {
        List<Handler> handlers;
        Carrier carrier = Carrier.EVENT;
        if (sample.startsWith("ecr-image-") || sample.startsWith("gantry-ecr-push-")) {
            handlers = List.of(Handler.ECS_DEPLOY, Handler.IMAGE_REBUILD);
        } else if (sample.contains("codepipeline-job-")) {
            handlers = List.of(Handler.PIPELINE_DEPLOY, Handler.PIPELINE_GATE);
        } else if (sample.startsWith("gantry-imagedefinitions-") || sample.startsWith("gantry-imagedetail-")) {
            handlers = List.of(Handler.PIPELINE_DEPLOY, Handler.PIPELINE_GATE);
            carrier = Carrier.PIPELINE_ARTIFACT;
        } else if (Stream.of("ecs-deployment-state-change-", "gantry-ecs-deployment-", "ecs-task-state-change-", "gantry-ecs-task-state-change-",
                "ecs-service-action-").anyMatch(sample::startsWith)) {
            handlers = List.of(Handler.ROLLOUT);
        } else if (sample.startsWith("gantry-ecs-lifecycle-hook-")) {
            handlers = List.of(Handler.ECS_HOOK);
        } else if (sample.startsWith("gantry-scheduled-")) {
            handlers = List.of(Handler.GATE_SWEEP, Handler.IMAGE_REBUILD);
        } else if (sample.startsWith("gantry-imagebuilder-")) {
            handlers = List.of(Handler.IMAGE_REBUILD);
        } else if (sample.startsWith("codebuild-") || sample.startsWith("gantry-codebuild-")
                || sample.startsWith("codepipeline-pipeline-execution-") || sample.startsWith("gantry-codepipeline-execution-")) {
            handlers = List.of(Handler.IMAGE_REBUILD, Handler.CHATOPS_NOTIFY);
        } else if (sample.startsWith("codepipeline-stage-execution-") || sample.startsWith("codepipeline-action-execution-")
                || sample.startsWith("gantry-codepipeline-action-") || sample.startsWith("cloudwatch-alarm-") || sample.startsWith("gantry-cloudwatch-alarm-") || sample.equals(SNS_SAMPLE)) {
            handlers = List.of(Handler.CHATOPS_NOTIFY);
        } else if (sample.startsWith("codepipeline-manual-approval-sns-message")) {
            handlers = List.of(Handler.CHATOPS_NOTIFY);
            carrier = Carrier.SNS_MESSAGE;
        } else if (sample.endsWith(".form")) {
            handlers = List.of(Handler.SLACK_INTERACTIONS);
            carrier = Carrier.SLACK_FORM;
        } else if (sample.startsWith("gantry-slack-block-actions-")) {
            handlers = List.of(Handler.SLACK_INTERACTIONS);
            carrier = Carrier.SLACK_PAYLOAD;
        } else if (sample.equals(FUNCTION_URL_SAMPLE)) {
            handlers = List.of(Handler.SLACK_INTERACTIONS);
            carrier = Carrier.FUNCTION_URL_EVENT;
        } else {
            return Optional.empty();
        }
        return Optional.of(new Route(sample, carrier, handlers));
    }

    private static String text(String sample) {
        return TEXTS.computeIfAbsent(sample, Fixtures::eventText);
    }

    private static Optional<String> notAnEvent(String sample) {
        return NOT_EVENTS.entrySet().stream().filter(e -> sample.startsWith(e.getKey())).map(Map.Entry::getValue).findFirst();
    }

    private static List<String> samples() {
        try (Stream<Path> files = Files.list(Fixtures.root().resolve("events"))) {
            return files.map(f -> f.getFileName().toString()).filter(n -> n.endsWith(".json") || n.endsWith(".form")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static List<Route> routes() {
        return samples().stream().map(EventFuzzingIT::route).flatMap(Optional::stream).toList();
    }

    /** The document a route's mutations start from. */
    private static String original(Route route) {
        return route.carrier() == Carrier.FUNCTION_URL_EVENT ? signedFunctionUrlEvent : text(route.sample());
    }

    /** The sample as its carrier takes it when nothing is mutated. */
    private static byte[] carried(Route route) {
        byte[] original = original(route).getBytes(StandardCharsets.UTF_8);
        return route.carrier() == Carrier.SLACK_PAYLOAD
                ? ("payload=" + FormMutations.percentEncode(original)).getBytes(StandardCharsets.UTF_8)
                : original;
    }

    private static Mutation mutate(Route route, Random random) {
        String original = original(route);
        return switch (route.carrier()) {
            case SLACK_FORM -> FormMutations.mutate(route.sample(), original, random);
            case SLACK_PAYLOAD -> FormMutations.asInteraction(JsonMutations.mutate(route.sample(), original, random), original, random);
            default -> JsonMutations.mutate(route.sample(), original, random);
        };
    }

    /**
     * What the handlers made of one mutation, and what was lost on the way, if anything.
     *
     * @param outcomes by handler: a Slack request the endpoint queued goes on to the worker, so one mutation can reach two
     */
    record Delivery(Map<Handler, Outcome> outcomes, Optional<String> lost) {}

    /** Delivers {@code mutation} to {@code handler} the way its kind travels. */
    private static Delivery deliver(Route route, Handler handler, Mutation mutation) {
        Map<Handler, Outcome> outcomes = new LinkedHashMap<>();
        Optional<String> lost = Optional.empty();
        switch (route.carrier()) {
            case EVENT -> outcomes.put(handler, handlers.deliver(handler, mutation.bytes(), null));
            case SNS_MESSAGE -> {
                ObjectNode envelope = (ObjectNode) JsonMutations.read(text(SNS_SAMPLE));
                ((ObjectNode) envelope.at("/Records/0/Sns")).put("Message", new String(mutation.bytes(), StandardCharsets.UTF_8));
                outcomes.put(handler, handlers.deliver(handler, envelope.toString().getBytes(StandardCharsets.UTF_8), null));
            }
            case PIPELINE_ARTIFACT -> {
                String entry = route.sample().startsWith("gantry-imagedetail-") ? "imageDetail.json" : "imagedefinitions.json";
                byte[] zip = PipelineArtifacts.zipBytes(Map.of(entry, mutation.bytes()));
                String job = handler == Handler.PIPELINE_GATE ? GATE_JOB_SAMPLE : DEPLOY_JOB_SAMPLE;
                outcomes.put(handler, handlers.deliver(handler, text(job).getBytes(StandardCharsets.UTF_8), zip));
            }
            case SLACK_FORM, SLACK_PAYLOAD -> {
                String body = new String(mutation.bytes(), StandardCharsets.UTF_8);
                ObjectNode envelope = (ObjectNode) JsonMutations.read(text(FUNCTION_URL_SAMPLE));
                SlackDelivery slack = handlers.deliverToSlack(signed(envelope, body).toString().getBytes(StandardCharsets.UTF_8));
                outcomes.put(handler, slack.outcome());
                lost = lostOnTheWay(slack, body);
                slack.queued().forEach(queued -> outcomes.put(Handler.CHATOPS_WORKER,
                        handlers.deliver(Handler.CHATOPS_WORKER, FuzzedHandlers.queued(queued), null)));
            }
            case FUNCTION_URL_EVENT -> {
                SlackDelivery slack = handlers.deliverToSlack(mutation.bytes());
                outcomes.put(handler, slack.outcome());
                lost = lostOnTheWay(slack, null);
                slack.queued().forEach(queued -> outcomes.put(Handler.CHATOPS_WORKER,
                        handlers.deliver(Handler.CHATOPS_WORKER, FuzzedHandlers.queued(queued), null)));
            }
        }
        return new Delivery(outcomes, lost);
    }

    /**
     * A request the endpoint acknowledged must be on the queue exactly as signed, else it is lost; one it refused must
     * not, else someone acts who should not.
     */
    private static Optional<String> lostOnTheWay(SlackDelivery slack, String signedBody) {
        boolean acknowledged = slack.outcome().verdict() == Verdict.ACCEPTED;
        if (!acknowledged && !slack.queued().isEmpty()) {
            return Optional.of("refused with '" + slack.outcome().reason() + "' and still handed to the worker");
        }
        if (!acknowledged || (signedBody != null && signedBody.contains("ssl_check=1"))) {
            return Optional.empty();
        }
        if (slack.queued().size() != 1) {
            return Optional.of("acknowledged to Slack, and " + slack.queued().size() + " messages reached the queue");
        }
        if (signedBody != null && !slack.queued().get(0).equals(signedBody)) {
            return Optional.of("acknowledged to Slack, and the queue holds another body than the one signed");
        }
        return Optional.empty();
    }

    /** The Function URL event around {@code body}, signed as Slack signs it, now. */
    private static ObjectNode signed(ObjectNode envelope, String body) {
        long timestamp = FuzzedHandlers.NOW.getEpochSecond();
        ObjectNode headers = envelope.putObject("headers");
        headers.put("content-type", "application/x-www-form-urlencoded");
        headers.put("x-slack-request-timestamp", Long.toString(timestamp));
        headers.put("x-slack-signature", SlackSignature.of(FuzzedHandlers.SIGNING_SECRET, timestamp, body));
        envelope.put("body", body);
        envelope.put("isBase64Encoded", false);
        return envelope;
    }

    /** Each mutation its own stream of choices, so that one replays alone with the same seed. */
    private static long mix(long seed, int mutation) {
        long z = seed + 0x9E3779B97F4A7C15L * (mutation + 1L);
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** The failures by kind (handler and exception, or what was wrong), with the first of each kind in full. */
    private static String report(long seed, List<Failure> failures) {
        StringBuilder text = new StringBuilder(String.format("%,d deliveries broke the rule (seed %d)%n", failures.size(), seed));
        Map<String, List<Failure>> byKind = new TreeMap<>();
        for (Failure failure : failures) {
            Throwable cause = failure.outcome().failure();
            String kind = cause != null ? cause.getClass().getName() : failure.outcome().reason().replaceAll("[(:'].*", "");
            byKind.computeIfAbsent(failure.handler() + " " + kind, k -> new ArrayList<>()).add(failure);
        }
        byKind.forEach((kind, ofKind) -> {
            text.append(String.format("%,6d x %s%n", ofKind.size(), kind));
            for (Failure failure : ofKind.subList(0, Math.min(EXAMPLES_PER_KIND, ofKind.size()))) {
                text.append(String.format("    mutation %d (-D%s=%d -D%s=%d) of %s: %s%n      %s%n", failure.mutation(), SEED_PROPERTY, seed,
                        MUTATION_PROPERTY, failure.mutation(), failure.sample(), FuzzedHandlers.abbreviated(failure.description()),
                        FuzzedHandlers.abbreviated(failure.outcome().reason().replace('\n', ' '))));
                for (Throwable cause = failure.outcome().failure(); cause != null; cause = cause.getCause()) {
                    text.append("      ").append(FuzzedHandlers.abbreviated(cause.toString())).append('\n');
                    StackTraceElement[] frames = cause.getStackTrace();
                    for (int f = 0; f < Math.min(8, frames.length); f++) {
                        text.append("        at ").append(frames[f]).append('\n');
                    }
                }
            }
        });
        return text.toString();
    }
}
