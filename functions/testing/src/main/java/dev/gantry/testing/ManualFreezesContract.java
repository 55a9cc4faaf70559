package dev.gantry.testing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gantry.core.chatops.ManualFreeze;
import dev.gantry.core.chatops.ManualFreezes;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** What every {@link ManualFreezes} must do: one freeze per scope, replaced by the next, gone when lifted. */
public abstract class ManualFreezesContract {

    protected static final Instant T0 = Instant.parse("2026-11-23T10:00:00Z");

    /** A fresh, empty store for each test. */
    protected abstract ManualFreezes freezes();

    @Test
    void keepsOneFreezePerScope() {
        ManualFreezes freezes = freezes();
        freezes.put(new ManualFreeze("prod", null, "incident 4711", "U1", T0));
        freezes.put(new ManualFreeze("prod", T0.plus(Duration.ofHours(2)), "incident 4711, until the fix", "U2", T0.plusSeconds(60)));
        freezes.put(new ManualFreeze(ManualFreeze.EVERY_ENVIRONMENT, null, "", "U3", T0));

        assertThat(freezes.all()).containsExactlyInAnyOrder(
                new ManualFreeze("prod", T0.plus(Duration.ofHours(2)), "incident 4711, until the fix", "U2", T0.plusSeconds(60)),
                new ManualFreeze(ManualFreeze.EVERY_ENVIRONMENT, null, "", "U3", T0));
    }

    @Test
    void liftsOnlyTheNamedScope() {
        ManualFreezes freezes = freezes();
        freezes.put(new ManualFreeze("prod", null, "incident", "U1", T0));
        freezes.put(new ManualFreeze("staging", null, "incident", "U1", T0));

        freezes.lift("prod");
        freezes.lift("nothing-here");

        assertThat(freezes.all()).extracting(ManualFreeze::scope).containsExactly("staging");
    }

    @Test
    void keepsEndedFreezesButHoldsNothingWithThem() {
        ManualFreezes freezes = freezes();
        freezes.put(new ManualFreeze("prod", T0.plusSeconds(60), "short", "U1", T0));

        assertThat(freezes.all()).hasSize(1);
        assertThat(freezes.activeFor("prod", T0.plusSeconds(59))).hasSize(1);
        assertThat(freezes.activeFor("prod", T0.plusSeconds(60))).isEmpty();
    }
}
