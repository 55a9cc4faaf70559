package dev.gantry.aws;

import static dev.gantry.aws.DynamoDbLocal.freshTable;
import static org.assertj.core.api.Assertions.assertThat;

import dev.gantry.core.config.ConfigLoader;
import dev.gantry.core.config.GantryConfig;
import dev.gantry.core.image.ImageDigest;
import dev.gantry.core.image.ImagePush;
import dev.gantry.core.rebuild.Rebuild;
import dev.gantry.core.rebuild.RebuildKey;
import dev.gantry.core.rebuild.RebuildLedger;
import dev.gantry.core.rebuild.RebuildLedger.SlotResult;
import dev.gantry.core.rebuild.RebuildService;
import dev.gantry.core.rebuild.RebuildStatus;
import dev.gantry.core.rebuild.RunKey;
import dev.gantry.testing.InMemoryBuildRunner;
import dev.gantry.testing.InMemoryImageLabels;
import dev.gantry.testing.InMemoryImageRegistry;
import dev.gantry.testing.MutableClock;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * The rebuild service over the DynamoDB ledger (DynamoDB Local) while a newer base digest's pushes and the ends of an
 * older digest's builds arrive at once: each dependent is rebuilt once per digest, no more builds run than the bound,
 * and no rebuild of the older digest takes its slot after its dependent's rebuild on the newer one was queued.
 */
class RebuildSupersedingIT {

    private static final int FLEET_SIZE = 8;
    private static final int MAX_BUILDS = 3;
    private static final GantryConfig CONFIG = ConfigLoader.parse("""
            version: 1
            rebuilds:
              maxConcurrentBuilds: %d
            baseImages:
              - name: golden-os
                repository: golden/os
                tag: stable
                dependents:
            %s
            """.formatted(MAX_BUILDS, IntStream.rangeClosed(1, FLEET_SIZE)
                    .mapToObj(i -> "          - { name: fleet-%02d, codebuild: fleet-%02d, produces: fleet/app-%02d }".formatted(i, i, i))
                    .reduce((a, b) -> a + "\n" + b).orElseThrow()), "gantry.yml");
    private static final ImageDigest OLDER = digest("os-1");
    private static final ImageDigest NEWER = digest("os-2");

    private static final DynamoDbClient dynamo = DynamoDbLocal.client();

    private final MutableClock clock = MutableClock.at("2026-11-23T10:00:00Z");
    private final InMemoryBuildRunner builds = new InMemoryBuildRunner(clock);
    private final RebuildLedger ledger = new DynamoDbRebuildLedger(dynamo, freshTable());
    private final Sequence sequence = new Sequence();
    private final RebuildService service = new RebuildService(CONFIG, sequence.watching(ledger), builds, new InMemoryImageLabels(),
            new InMemoryImageRegistry(), "111111111111", "eu-west-1", clock);

    @Test
    void startsNoOlderRebuildOnceItsNewerIsQueuedWhenNewerPushesAndOlderBuildEndsArriveAtOnce() throws Exception {
        service.onImagePush(push(OLDER));
        clock.advance(Duration.ofMinutes(1));
        List<String> olderBuilds = List.copyOf(builds.running());
        List<Callable<Object>> events = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            events.add(() -> service.onImagePush(push(NEWER)));
        }
        for (String buildId : olderBuilds) {
            events.add(() -> {
                builds.finish(buildId);
                return service.onBuildFinished(buildId, true, null);
            });
        }

        atOnce(events);
        finishEveryBuild();

        List<Rebuild> older = ledger.run(new RunKey("golden/os", OLDER, RebuildKey.ON_NEW_BASE));
        List<Rebuild> newer = ledger.run(new RunKey("golden/os", NEWER, RebuildKey.ON_NEW_BASE));
        assertThat(older).hasSize(FLEET_SIZE).allSatisfy(r -> assertThat(r.status()).isIn(RebuildStatus.SUCCEEDED, RebuildStatus.SUPERSEDED));
        assertThat(newer).hasSize(FLEET_SIZE).allSatisfy(r -> assertThat(r.status()).isEqualTo(RebuildStatus.SUCCEEDED));
        assertThat(older).filteredOn(r -> r.status() == RebuildStatus.SUPERSEDED).isNotEmpty()
                .allSatisfy(r -> assertThat(r.buildId()).isNull());
        assertThat(older).filteredOn(r -> r.buildId() != null).allSatisfy(r -> assertThat(sequence.tookSlotAfterQueued(r.key(),
                new RebuildKey(r.dependent(), NEWER, RebuildKey.ON_NEW_BASE))).as(r.dependent()).isFalse());
        assertThat(builds.peakRunning()).isLessThanOrEqualTo(MAX_BUILDS);
        assertThat(builds.starts()).extracting(InMemoryBuildRunner.Start::idempotencyToken).doesNotHaveDuplicates();
        assertThat(ledger.inFlightCount()).isZero();
        assertThat(ledger.pending(2 * FLEET_SIZE)).isEmpty();
    }

    /** Plays the build service until nothing runs: each build ends, oldest first, and its end is told. */
    private void finishEveryBuild() {
        for (int events = 0; !builds.running().isEmpty(); events++) {
            assertThat(events).as("build ends told").isLessThan(4 * FLEET_SIZE);
            String buildId = builds.running().stream().sorted().findFirst().orElseThrow();
            builds.finish(buildId);
            service.onBuildFinished(buildId, true, null);
        }
    }

    private static void atOnce(List<Callable<Object>> events) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(events.size());
        try {
            CyclicBarrier together = new CyclicBarrier(events.size());
            List<Future<Object>> answers = new ArrayList<>();
            for (Callable<Object> event : events) {
                answers.add(pool.submit(() -> {
                    together.await(10, TimeUnit.SECONDS);
                    return event.call();
                }));
            }
            for (Future<Object> answer : answers) {
                answer.get(60, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    /**
     * Numbers the ledger calls that matter here: when each slot that was taken began to be asked for, and when each
     * enqueue that created a rebuild had returned. A slot asked for after the newer rebuild's enqueue returned was
     * certainly taken after it was queued.
     */
    private static final class Sequence {
        private final AtomicLong clock = new AtomicLong();
        private final Map<RebuildKey, Long> slotAsked = new ConcurrentHashMap<>();
        private final Map<RebuildKey, Long> queued = new ConcurrentHashMap<>();

        RebuildLedger watching(RebuildLedger ledger) {
            return (RebuildLedger) Proxy.newProxyInstance(RebuildLedger.class.getClassLoader(), new Class<?>[] {RebuildLedger.class},
                    (proxy, method, args) -> {
                        long before = clock.incrementAndGet();
                        Object answer;
                        try {
                            answer = method.invoke(ledger, args);
                        } catch (InvocationTargetException e) {
                            throw e.getCause();
                        }
                        long after = clock.incrementAndGet();
                        if (method.getName().equals("takeSlot") && answer == SlotResult.TAKEN) {
                            slotAsked.put(((Rebuild) args[0]).key(), before);
                        } else if (method.getName().equals("enqueue") && Boolean.TRUE.equals(answer)) {
                            queued.put(((Rebuild) args[0]).key(), after);
                        }
                        return answer;
                    });
        }

        boolean tookSlotAfterQueued(RebuildKey took, RebuildKey wasQueued) {
            Long asked = slotAsked.get(took);
            Long enqueued = queued.get(wasQueued);
            return asked != null && enqueued != null && asked > enqueued;
        }
    }

    private static ImagePush push(ImageDigest digest) {
        return new ImagePush("event-" + digest.shortForm(), "111111111111", "eu-west-1", "golden/os", "stable", digest.value(), "PUSH",
                "SUCCESS", Instant.parse("2026-11-23T09:59:00Z"));
    }

    private static ImageDigest digest(String seed) {
        return new ImageDigest("sha256:" + "%064x".formatted(new BigInteger(1, seed.getBytes(StandardCharsets.UTF_8))));
    }
}
