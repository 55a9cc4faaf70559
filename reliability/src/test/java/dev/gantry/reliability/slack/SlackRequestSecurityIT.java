package dev.gantry.reliability.slack;

import static dev.gantry.reliability.slack.ChatOpsLoopback.APP;
import static dev.gantry.reliability.slack.ChatOpsLoopback.APPROVER_1;
import static dev.gantry.reliability.slack.ChatOpsLoopback.APPROVER_2;
import static dev.gantry.reliability.slack.ChatOpsLoopback.CHANNEL;
import static dev.gantry.reliability.slack.ChatOpsLoopback.CHECKOUT_APPROVER;
import static dev.gantry.reliability.slack.ChatOpsLoopback.DEV;
import static dev.gantry.reliability.slack.ChatOpsLoopback.DEV_EMAIL;
import static dev.gantry.reliability.slack.ChatOpsLoopback.GROUP_APPROVER;
import static dev.gantry.reliability.slack.ChatOpsLoopback.OPS;
import static dev.gantry.reliability.slack.ChatOpsLoopback.REVIEWER;
import static dev.gantry.reliability.slack.ChatOpsLoopback.STRANGER;
import static dev.gantry.reliability.slack.ChatOpsLoopback.TEAM;
import static dev.gantry.reliability.slack.SlackRequests.SIGNING_SECRET;

import dev.gantry.core.chatops.ApprovalCards;
import dev.gantry.core.chatops.PendingApproval;
import dev.gantry.core.gate.GateStatus;
import dev.gantry.reliability.slack.ChatOpsLoopback.Delivery;
import dev.gantry.reliability.slack.ChatOpsLoopback.Reply;
import dev.gantry.reliability.slack.SlackRequests.Click;
import dev.gantry.testing.ReliabilityFigures;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Nobody acts through Slack who should not: requests sent as Slack sends them to {@code slack-interactions}' Function
 * URL, what it queues delivered to the ChatOps worker, everything on loopback servers and DynamoDB Local
 * ({@link ChatOpsLoopback}). A request that is not Slack's, not recent, not the one signed, or from someone who may not
 * do what it asks is refused with its reason and changes nothing: nothing queued (when the signature is what is wrong),
 * no approval sent or recorded, no state written but the refusal's audit entry, no Slack message but an ephemeral
 * answer to the person. The same bodies correctly signed, from the people allowed, do take effect, once.
 *
 * <p>Bodies come from the Slack samples under {@code events/}, as they are or with who, what and which card replaced.
 * Random choices are seeded, so a failure repeats.
 */
class SlackRequestSecurityIT {

    private static final Duration WINDOW = Duration.ofMinutes(5);
    /** The acknowledgement path keeps the secret it read this long (AckSecretsManager.CACHE_FOR), and no longer. */
    private static final Duration SECRET_CACHE = Duration.ofMinutes(15);

    private static ChatOpsLoopback loopback;
    private final SecurityTally tally = new SecurityTally();

    @BeforeAll
    static void start() {
        loopback = new ChatOpsLoopback();
    }

    @AfterAll
    static void stop() {
        loopback.close();
    }

    @BeforeEach
    void reset() {
        loopback.reset();
    }

    @Test
    void refusesEveryForgedRequestAtTheEndpointAndQueuesNothing() {
        Random random = new Random(4_2001);
        int rounds = ReliabilityFigures.scaled(1, 10);
        for (int round = 0; round < rounds; round++) {
            // given: bodies that would take effect if they were accepted, and Slack's own samples as they are
            loopback.freshState();
            List<Potent> potent = potentRequests(round);
            List<String> bodies = new ArrayList<>(potent.stream().map(Potent::body).toList());
            bodies.addAll(List.of(SlackRequests.sample(SlackRequests.COMMAND_SAMPLE), SlackRequests.sampleClick(),
                    SlackRequests.sample(SlackRequests.SLACKS_EXAMPLE)));

            // when / then: each forged every way
            for (String body : bodies) {
                for (EndpointForgery forgery : EndpointForgery.values()) {
                    Delivery delivery = loopback.deliver(forgery.forge(body, now(), random));
                    tally.forged(forgery + " of " + abbreviated(body), delivery, forgery.refusedAsExpected(delivery),
                            delivery.sideEffects(false));
                }
            }

            // then: the same bodies, signed as Slack signs them, act: the forgeries were refused for their forgery alone
            for (Potent request : potent) {
                Delivery delivery = loopback.deliver(SlackRequests.signedEvent(request.body(), SIGNING_SECRET, now()));
                tally.valid(request.what(), delivery, request.tookEffect().test(delivery));
            }
        }

        tally.recordAndAssert();
    }

    @Test
    void actsOnceOnARequestReplayedWithinFiveMinutesAndRefusesItAfter() {
        Random random = new Random(4_2002);
        int rounds = ReliabilityFigures.scaled(1, 20);
        for (int round = 0; round < rounds; round++) {
            // given: requests captured as they were first sent, and taking effect then
            loopback.freshState();
            Instant signedAt = now();
            Map<Potent, String> captured = new LinkedHashMap<>();
            Map<Potent, Reply> firstReplies = new LinkedHashMap<>();
            for (Potent request : potentRequests(round)) {
                String event = SlackRequests.signedEvent(request.body(), SIGNING_SECRET, signedAt);
                Delivery first = loopback.deliver(event);
                tally.valid(request.what(), first, request.tookEffect().test(first));
                captured.put(request, event);
                firstReplies.put(request, first.replies().isEmpty() ? null : first.replies().get(0));
            }

            // when: replayed as they are, as Slack retries them, and at the window's last second
            long withinFirst = random.nextInt(150);
            long withinSecond = withinFirst + random.nextInt(150);
            for (long offset : new long[] {withinFirst, withinSecond, WINDOW.toSeconds()}) {
                advanceTo(signedAt.plusSeconds(offset));
                boolean asSlackRetries = offset == withinSecond;
                for (Map.Entry<Potent, String> request : captured.entrySet()) {
                    String event = asSlackRetries ? slackRetryOf(request.getValue()) : request.getValue();
                    Delivery replay = loopback.deliver(event);
                    // then: the endpoint cannot tell a replay from Slack's own retry; the worker acts on neither
                    Reply first = firstReplies.get(request.getKey());
                    boolean actedOn = replay.status() == 200 && replay.queued() == 1;
                    tally.forged("replay after " + offset + " s of " + request.getKey().what(), replay,
                            actedOn && (answeredOnlyTheAsker(replay) || redrewAsBefore(replay, first)), replayEffects(replay, first));
                }
            }
            advanceTo(signedAt.plus(WINDOW).plusSeconds(1 + random.nextInt(3_600)));
            for (Map.Entry<Potent, String> request : captured.entrySet()) {
                Delivery replay = loopback.deliver(request.getValue());
                tally.forged("replay after the window of " + request.getKey().what(), replay, refusedAtTheEndpoint(replay, "STALE"),
                        replay.sideEffects(false));
            }
        }

        tally.recordAndAssert();
    }

    @Test
    void acceptsTheOldSecretOnlyWhileItIsStoredBesideTheNewOne() {
        int rounds = ReliabilityFigures.scaled(3, 30);
        String current = SIGNING_SECRET;
        for (int round = 0; round < rounds; round++) {
            loopback.freshState();
            String next = "test-signing-secret-rotated-" + round + "-not-real";

            // given / then: the next secret is refused until it is stored
            refusedAsBadlySigned("signed with a secret not stored yet", commandBody(OPS, vetoText(round)), next);

            // when: rotating, both are stored; each is accepted
            rotateTo("{\"signingSecret\":\"" + next + "\",\"previousSigningSecret\":\"" + current + "\"}");
            accepted("command signed with the previous secret while rotating", commandBody(OPS, vetoText(round)), current,
                    this::actedOnState);
            accepted("command signed with the new secret while rotating", commandBody(OPS, vetoText(round)), next, this::actedOnState);

            // when: the previous one is removed (each of the ways the stored value can say so)
            String[] removed = {"{\"signingSecret\":\"" + next + "\"}",
                "{\"signingSecret\":\"" + next + "\",\"previousSigningSecret\":\"\"}", next};
            rotateTo(removed[round % removed.length]);

            // then: it is refused for a command and for a click; the new one is accepted
            refusedAsBadlySigned("command signed with the removed secret", commandBody(OPS, vetoText(round)), current);
            PendingApproval card = loopback.pipelineCard();
            refusedAsBadlySigned("click signed with the removed secret", clickBody(OPS, ApprovalCards.PIPELINE_APPROVE, card.id(), card),
                    current);
            accepted("click signed with the new secret", clickBody(OPS, ApprovalCards.PIPELINE_APPROVE, card.id(), card), next,
                    d -> actedOnce(d) && d.pipelineDecisions() == 1);
            current = next;
        }

        tally.recordAndAssert();
    }

    @Test
    void refusesWhoeverMayNotDecideOrActAndButtonsNamingAnotherApproval() {
        Random random = new Random(4_2004);
        int rounds = ReliabilityFigures.scaled(1, 25);
        for (int round = 0; round < rounds; round++) {
            // given: two CodePipeline approvals, a payments-api release at its gate set going by two of its own approvers
            // (one named by the e-mail address they push with, one by Slack id), and a checkout-web release at a gate
            // payments-api's approvers have no say in
            loopback.freshState();
            PendingApproval pipeline = loopback.pipelineCard();
            PendingApproval otherPipeline = loopback.pipelineCard();
            PendingApproval gate = loopback.gateCard("payments-api", List.of(DEV_EMAIL, APPROVER_2));
            PendingApproval checkout = loopback.gateCard("checkout-web", List.of("someone@example.com"));
            String mayNotDecidePipelines = "You may not decide CodePipeline approvals from Slack";
            String notProductionApprover = "You are not among the approvers of gate 'production'";
            String notCheckoutApprover = "You are not among the approvers of gate 'checkout-production'";
            String notThisApproval = "This button does not belong to the approval it names";
            String noSuchApproval = "This button names no approval Gantry asked for";
            String selfApproval = "You triggered this release, so someone else must approve it";

            // when / then: people who may not decide
            refusedClick(STRANGER, ApprovalCards.PIPELINE_APPROVE, pipeline.id(), pipeline, mayNotDecidePipelines);
            refusedClick(APPROVER_1, ApprovalCards.PIPELINE_APPROVE, pipeline.id(), pipeline, mayNotDecidePipelines);
            refusedClick(GROUP_APPROVER, ApprovalCards.PIPELINE_REJECT, pipeline.id(), pipeline, mayNotDecidePipelines);
            refusedClick(DEV, ApprovalCards.PIPELINE_APPROVE, pipeline.id(), pipeline, mayNotDecidePipelines);
            refusedClick(OPS, ApprovalCards.GATE_APPROVE, gate.id(), gate, notProductionApprover);
            refusedClick(STRANGER, ApprovalCards.GATE_REJECT, gate.id(), gate, notProductionApprover);
            refusedClick(REVIEWER, ApprovalCards.GATE_APPROVE, gate.id(), gate, notProductionApprover);
            refusedClick(CHECKOUT_APPROVER, ApprovalCards.GATE_APPROVE, gate.id(), gate, notProductionApprover);
            refusedClick(APPROVER_1, ApprovalCards.GATE_APPROVE, checkout.id(), checkout, notCheckoutApprover);
            // the release's authors
            refusedClick(DEV, ApprovalCards.GATE_APPROVE, gate.id(), gate, selfApproval);
            refusedClick(APPROVER_2, ApprovalCards.GATE_APPROVE, gate.id(), gate, selfApproval);

            // buttons whose value names another approval than their card's, or none Gantry issued
            refusedClick(APPROVER_1, ApprovalCards.GATE_APPROVE, checkout.id(), gate, notThisApproval);
            refusedClick(CHECKOUT_APPROVER, ApprovalCards.GATE_APPROVE, gate.id(), checkout, notThisApproval);
            // even one the clicker could decide on its own card
            refusedClick(APPROVER_1, ApprovalCards.GATE_APPROVE, gate.id(), checkout, notThisApproval);
            refusedClick(OPS, ApprovalCards.PIPELINE_APPROVE, otherPipeline.id(), pipeline, notThisApproval);
            refusedClick(OPS, ApprovalCards.PIPELINE_APPROVE, gate.id(), pipeline, notThisApproval);
            refusedClick(APPROVER_1, ApprovalCards.GATE_APPROVE, pipeline.id(), gate, notThisApproval);
            refusedClick(OPS, ApprovalCards.PIPELINE_APPROVE, "pa_" + hex(random, 16), pipeline, noSuchApproval);
            refusedClick(APPROVER_1, ApprovalCards.GATE_APPROVE, "ga_" + hex(random, 16), gate, noSuchApproval);
            refusedClick(OPS, ApprovalCards.PIPELINE_APPROVE, "", pipeline, noSuchApproval);
            refusedClick(OPS, "gantry.deploy.everything", pipeline.id(), pipeline, "Gantry has no button 'gantry.deploy.everything'");

            // commands from people who may not run them
            refusedCommand(STRANGER, vetoText(round), "Refused: you may not veto payments-api in staging");
            refusedCommand(DEV, "freeze on staging until 1h round " + round, "Refused: you may not freeze on staging");
            refusedCommand(APPROVER_1, "pin payments-api prod " + loopback.freshDigest().value() + " for 1h",
                    "Refused: you may not pin payments-api in prod");
            refusedCommand(REVIEWER, "veto payments-api prod " + loopback.freshDigest().value() + " not this one",
                    "Refused: you may not veto payments-api in prod");

            // signed with Gantry's secret, sent from another workspace or through another app
            refused("command from another workspace", SlackRequests.command("T0ELSEWHERE", APP, OPS, vetoText(round), loopback.triggerId(),
                    loopback.responseUrl()), "does not answer requests from this Slack workspace");
            refused("click through another app", SlackRequests.click(new Click(TEAM, "A0OTHERAPP", OPS, ApprovalCards.PIPELINE_APPROVE,
                    pipeline.id(), CHANNEL, pipeline.messageTs(), loopback.triggerId(), loopback.responseUrl())),
                    "does not answer requests sent through this Slack app");

            // and the people who may, on their own cards, act
            accepted("pipeline approval by " + OPS, clickBody(OPS, ApprovalCards.PIPELINE_APPROVE, otherPipeline.id(), otherPipeline),
                    SIGNING_SECRET, d -> actedOnce(d) && d.pipelineDecisions() == 1);
            accepted("gate approval by " + APPROVER_1, clickBody(APPROVER_1, ApprovalCards.GATE_APPROVE, gate.id(), gate), SIGNING_SECRET,
                    d -> actedOnce(d) && actedOnState(d));

            // buttons naming an approval already decided, clicked on another card
            refusedClick(STRANGER, ApprovalCards.PIPELINE_APPROVE, otherPipeline.id(), pipeline, notThisApproval);
            refusedClick(OPS, ApprovalCards.PIPELINE_REJECT, otherPipeline.id(), pipeline, notThisApproval);
            refusedClick(round % 2 == 0 ? DEV : APPROVER_2, ApprovalCards.GATE_APPROVE, gate.id(), gate, selfApproval);

            accepted("gate approval by " + GROUP_APPROVER + " of S0APPROVE",
                    clickBody(GROUP_APPROVER, ApprovalCards.GATE_APPROVE, gate.id(), gate), SIGNING_SECRET,
                    d -> actedOnce(d) && actedOnState(d) && loopback.gateOf(gate).status() == GateStatus.PASSED);
            accepted("pipeline rejection by " + REVIEWER + " of S0REVIEWRS",
                    clickBody(REVIEWER, ApprovalCards.PIPELINE_REJECT, pipeline.id(), pipeline), SIGNING_SECRET,
                    d -> actedOnce(d) && d.pipelineDecisions() == 1);
            accepted("gate approval by " + CHECKOUT_APPROVER,
                    clickBody(CHECKOUT_APPROVER, ApprovalCards.GATE_APPROVE, checkout.id(), checkout), SIGNING_SECRET,
                    d -> actedOnce(d) && loopback.gateOf(checkout).status() == GateStatus.PASSED);

            refusedClick(CHECKOUT_APPROVER, ApprovalCards.GATE_APPROVE, gate.id(), checkout, notThisApproval);
            refusedClick(STRANGER, ApprovalCards.GATE_REJECT, checkout.id(), pipeline, notThisApproval);
        }

        tally.recordAndAssert();
    }

    /** A request that would act if it were accepted, and how to tell that it did, once. */
    private record Potent(String what, String body, Predicate<Delivery> tookEffect) {}

    /** Commands from someone allowed to run them, and clicks from approvers on the cards they may decide. */
    private List<Potent> potentRequests(int round) {
        PendingApproval pipeline = loopback.pipelineCard();
        PendingApproval gate = loopback.gateCard("payments-api", List.of(DEV_EMAIL));
        return List.of(
                new Potent("veto by " + OPS, commandBody(OPS, vetoText(round)), this::actedOnState),
                new Potent("pin by " + OPS,
                        commandBody(OPS, "pin payments-api staging " + loopback.freshDigest().value() + " for 2h hold round " + round),
                        this::actedOnState),
                new Potent("freeze by " + OPS, commandBody(OPS, "freeze on staging until 2h round " + round), this::actedOnState),
                new Potent("pipeline approval by " + OPS, clickBody(OPS, ApprovalCards.PIPELINE_APPROVE, pipeline.id(), pipeline),
                        d -> actedOnce(d) && d.pipelineDecisions() == 1),
                new Potent("gate approval by " + APPROVER_1, clickBody(APPROVER_1, ApprovalCards.GATE_APPROVE, gate.id(), gate),
                        d -> actedOnce(d) && actedOnState(d)));
    }

    private String vetoText(int round) {
        return "veto payments-api staging " + loopback.freshDigest().value() + " found bad in round " + round;
    }

    private String commandBody(String user, String text) {
        return SlackRequests.command(TEAM, APP, user, text, loopback.triggerId(), loopback.responseUrl());
    }

    /** A click on {@code card}'s message, its button carrying {@code value}. */
    private String clickBody(String user, String actionId, String value, PendingApproval card) {
        return SlackRequests.click(new Click(TEAM, APP, user, actionId, value, card.channelId(), card.messageTs(), loopback.triggerId(),
                loopback.responseUrl()));
    }

    private void refusedClick(String user, String actionId, String value, PendingApproval clickedCard, String... reasons) {
        refused(user + " clicking " + actionId + " with " + value, clickBody(user, actionId, value, clickedCard), reasons);
    }

    private void refusedCommand(String user, String text, String reason) {
        refused(user + " running " + text, commandBody(user, text), reason);
    }

    /** Signed correctly, so the endpoint hands it on; the worker refuses it, telling only the person why. */
    private void refused(String what, String body, String... reasons) {
        Delivery delivery = loopback.deliver(SlackRequests.signedEvent(body, SIGNING_SECRET, now()));
        boolean told = delivery.replies().size() == 1 && List.of(reasons).stream().anyMatch(delivery.replies().get(0).text()::contains);
        tally.forged(what, delivery, delivery.status() == 200 && delivery.queued() == 1 && answeredOnlyTheAsker(delivery) && told,
                delivery.sideEffects(true));
    }

    private void refusedAsBadlySigned(String what, String body, String secret) {
        Delivery delivery = loopback.deliver(SlackRequests.signedEvent(body, secret, now()));
        tally.forged(what, delivery, refusedAtTheEndpoint(delivery, "BAD_SIGNATURE"), delivery.sideEffects(false));
    }

    private static boolean refusedAtTheEndpoint(Delivery delivery, String reason) {
        return delivery.status() == 401 && delivery.refusalLogged() != null
                && delivery.refusalLogged().startsWith("Slack request refused (" + reason + ")");
    }

    private void accepted(String what, String body, String secret, Predicate<Delivery> tookEffect) {
        Delivery delivery = loopback.deliver(SlackRequests.signedEvent(body, secret, now()));
        tally.valid(what, delivery, tookEffect.test(delivery));
    }

    private void rotateTo(String storedValue) {
        loopback.storedSecret(storedValue);
        loopback.clock.advance(SECRET_CACHE.plusMinutes(1));
    }

    /** Handed on, handled without failing, answered once for the channel to see (a change announced, a card redrawn). */
    private boolean actedOnce(Delivery delivery) {
        return delivery.status() == 200 && delivery.queued() == 1 && delivery.workerFailures().isEmpty() && delivery.replies().size() == 1
                && !delivery.replies().get(0).onlyToTheAsker() && delivery.pipelineDecisions() <= 1 && delivery.slackCalls() == 0;
    }

    /** Acted once, and wrote Gantry's state beyond the request's own bookkeeping. */
    private boolean actedOnState(Delivery delivery) {
        return actedOnce(delivery) && delivery.stateChanges().stream()
                .anyMatch(change -> !change.startsWith("added AUDIT") && !change.contains("CHAT_REQUEST#"));
    }

    private static boolean answeredOnlyTheAsker(Delivery delivery) {
        return delivery.workerFailures().isEmpty() && delivery.replies().size() == 1 && delivery.replies().get(0).onlyToTheAsker();
    }

    /** The card redrawn as the first click left it: a double click on a decided card shows the decision again. */
    private static boolean redrewAsBefore(Delivery replay, Reply first) {
        return replay.workerFailures().isEmpty() && replay.replies().size() == 1 && first != null && first.replaceOriginal()
                && replay.replies().get(0).replaceOriginal() && replay.replies().get(0).text().equals(first.text());
    }

    /**
     * What a replay changed. Redrawing the card the first click already redrew, with what the first click showed, tells
     * nothing new and changes nothing: it is not counted.
     */
    private static int replayEffects(Delivery replay, Reply first) {
        return replay.sideEffects(true) - (redrewAsBefore(replay, first) ? 1 : 0);
    }

    /** The captured event as Slack sends it again when the first answer was late: the same signed body, with retry headers. */
    private static String slackRetryOf(String event) {
        return event.replace("\"headers\":{", "\"headers\":{\"x-slack-retry-num\":\"1\",\"x-slack-retry-reason\":\"http_timeout\",");
    }

    private Instant now() {
        return loopback.clock.instant();
    }

    private void advanceTo(Instant at) {
        Duration ahead = Duration.between(now(), at);
        if (!ahead.isNegative()) {
            loopback.clock.advance(ahead);
        }
    }

    private static String hex(Random random, int bytes) {
        byte[] value = new byte[bytes];
        random.nextBytes(value);
        return HexFormat.of().formatHex(value);
    }

    private static String abbreviated(String body) {
        return body.length() <= 60 ? body : body.substring(0, 60) + "…";
    }
}
