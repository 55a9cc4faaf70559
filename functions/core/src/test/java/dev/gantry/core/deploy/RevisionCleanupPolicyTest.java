package dev.gantry.core.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class RevisionCleanupPolicyTest {

    private static final String FAMILY = "app";

    /**
     * One row: the family's revisions (by number), how many to keep, which are in use and which are protected, the
     * limit, and what must come out.
     */
    record Case(String name, List<Integer> revisions, int keep, Set<Integer> inUse, Set<Integer> protectedRevisions, int limit,
            List<Integer> deregistered, Set<Integer> spared, int deferred) {

        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Case> cases() {
        return Stream.of(
                new Case("fewer revisions than kept: nothing goes",
                        range(1, 5), 10, Set.of(), Set.of(5, 4), 10, List.of(), Set.of(), 0),
                new Case("exactly as many as kept: nothing goes",
                        range(1, 10), 10, Set.of(), Set.of(10, 9), 10, List.of(), Set.of(), 0),
                new Case("one more than kept: the oldest goes",
                        range(1, 11), 10, Set.of(), Set.of(11, 10), 10, List.of(1), Set.of(), 0),
                new Case("newest are kept by revision number, whatever the listing order",
                        shuffled(range(1, 12)), 10, Set.of(), Set.of(12, 11), 10, List.of(1, 2), Set.of(), 0),
                new Case("an old revision a service still runs stays",
                        range(1, 12), 10, Set.of(1), Set.of(12, 11), 10, List.of(2), Set.of(1), 0),
                new Case("the replaced revision stays however old: it is the rollback target",
                        range(1, 12), 10, Set.of(), Set.of(12, 1), 10, List.of(2), Set.of(1), 0),
                new Case("the revision just registered stays even when newer ones push it out of the newest",
                        range(1, 5), 2, Set.of(), Set.of(3, 2), 10, List.of(1), Set.of(3, 2), 0),
                new Case("in use and protected at once is spared once",
                        range(1, 13), 10, Set.of(2), Set.of(13, 2), 10, List.of(1, 3), Set.of(2), 0),
                new Case("the minimum of two keeps the running revision and its predecessor",
                        range(1, 4), 2, Set.of(), Set.of(4, 3), 10, List.of(1, 2), Set.of(), 0),
                new Case("beyond the limit the oldest go first and the rest wait",
                        range(1, 25), 10, Set.of(), Set.of(25, 24), 10, range(1, 10), Set.of(), 5),
                new Case("spared revisions do not count against the limit",
                        range(1, 14), 10, Set.of(1, 2), Set.of(14, 13), 1, List.of(3), Set.of(1, 2), 1),
                new Case("revisions in use among the newest change nothing",
                        range(1, 11), 10, Set.of(11, 5), Set.of(11, 10), 10, List.of(1), Set.of(), 0));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void decidesWhichRevisionsToDeregister(Case c) {
        RevisionCleanupPolicy.Plan plan = RevisionCleanupPolicy.plan(FAMILY, arns(c.revisions()), c.keep(), arnSet(c.inUse()),
                arnSet(c.protectedRevisions()), c.limit());

        assertThat(plan.deregister()).containsExactlyElementsOf(arns(c.deregistered()));
        assertThat(plan.spared().keySet()).containsExactlyInAnyOrderElementsOf(arnSet(c.spared()));
        assertThat(plan.deferred()).isEqualTo(c.deferred());
        assertThat(plan.isEmpty()).isEqualTo(c.deregistered().isEmpty());
    }

    @Test
    void neverTouchesAFamilyThatMerelySharesThePrefix() {
        List<String> listed = new ArrayList<>(arns(range(1, 11)));
        listed.add("arn:aws:ecs:eu-west-1:111111111111:task-definition/app-worker:1");
        listed.add("arn:aws:ecs:eu-west-1:111111111111:task-definition/app_2:1");

        RevisionCleanupPolicy.Plan plan = RevisionCleanupPolicy.plan(FAMILY, listed, 10, Set.of(), Set.of(arn(11)), 10);

        assertThat(plan.deregister()).containsExactly(arn(1));
    }

    @Test
    void ignoresWhatIsNoRevisionArnAndCountsDuplicatesOnce() {
        List<String> listed = new ArrayList<>(arns(range(1, 11)));
        listed.add(arn(1));
        listed.add("app:3");
        listed.add("arn:aws:ecs:eu-west-1:111111111111:service/main/app");

        RevisionCleanupPolicy.Plan plan = RevisionCleanupPolicy.plan(FAMILY, listed, 10, Set.of(), Set.of(), 10);

        assertThat(plan.deregister()).containsExactly(arn(1));
    }

    @Test
    void saysWhyEachSparedRevisionStays() {
        RevisionCleanupPolicy.Plan plan = RevisionCleanupPolicy.plan(FAMILY, arns(range(1, 12)), 10, Set.of(arn(1)), Set.of(arn(2)), 10);

        assertThat(plan.spared()).containsEntry(arn(1), "in use by a service deployment")
                .containsEntry(arn(2), "protected: the revision just registered or the one it replaced");
    }

    @Test
    void refusesToKeepFewerThanTwo() {
        assertThatThrownBy(() -> RevisionCleanupPolicy.plan(FAMILY, arns(range(1, 3)), 1, Set.of(), Set.of(), 10))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("at least 2");
    }

    @Test
    void refusesALimitBelowOne() {
        assertThatThrownBy(() -> RevisionCleanupPolicy.plan(FAMILY, arns(range(1, 3)), 2, Set.of(), Set.of(), 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("limit");
    }

    private static String arn(int revision) {
        return "arn:aws:ecs:eu-west-1:111111111111:task-definition/" + FAMILY + ":" + revision;
    }

    private static List<String> arns(List<Integer> revisions) {
        return revisions.stream().map(RevisionCleanupPolicyTest::arn).toList();
    }

    private static Set<String> arnSet(Set<Integer> revisions) {
        return revisions.stream().map(RevisionCleanupPolicyTest::arn).collect(Collectors.toSet());
    }

    private static List<Integer> range(int from, int to) {
        return IntStream.rangeClosed(from, to).boxed().toList();
    }

    // A fixed seed: the order is scrambled, and the same on every run.
    private static List<Integer> shuffled(List<Integer> revisions) {
        List<Integer> copy = new ArrayList<>(revisions);
        Collections.shuffle(copy, new Random(42));
        return copy;
    }
}
