package dev.gantry.aws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class ClassPrimingTest {

    static final AtomicInteger INITIALIZED = new AtomicInteger();
    static final AtomicInteger LOADED_ONLY_INITIALIZED = new AtomicInteger();

    static final class InitializedByTheList {
        static {
            INITIALIZED.incrementAndGet();
        }
    }

    static final class LoadedOnly {
        static {
            LOADED_ONLY_INITIALIZED.incrementAndGet();
        }
    }

    static final class ThrowsAsItInitializes {
        static {
            if (INITIALIZED.get() >= 0) {
                throw new IllegalStateException("this class cannot be initialized");
            }
        }
    }

    private static final ClassLoader LOADER = ClassPrimingTest.class.getClassLoader();

    @Test
    void initializesWhatTheEventsInitializedLoadsTheRestAndCountsWhatTheJarLacks() {
        ClassPriming.Loaded loaded = ClassPriming.load(LOADER, "class-priming/list.txt");

        // The JDK's SplittableRandom is loaded and left uninitialized: it draws a seed shared by every later instance.
        assertThat(loaded).isEqualTo(new ClassPriming.Loaded(1, 2, 1, 1));
        assertThat(INITIALIZED.get()).isEqualTo(1);
        assertThat(LOADED_ONLY_INITIALIZED.get()).isZero();
        assertThat(loaded.toString()).isEqualTo("1 loaded and 2 initialized as listed, 1 not found, 1 failed to initialize");
    }

    @Test
    void refusesALineThatSaysNeitherInitNorLoad() {
        assertThatThrownBy(() -> ClassPriming.load(LOADER, "class-priming/malformed.txt"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("class-priming/malformed.txt line 2: expected 'init NAME' or 'load NAME', got "
                        + "'dev.gantry.aws.ClassPrimingTest$LoadedOnly'");
    }

    @Test
    void saysWhereTheListComesFromWhenTheJarHasNone() {
        assertThatThrownBy(() -> ClassPriming.load(LOADER, "class-priming/absent.txt"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("no class-priming/absent.txt in this jar: scripts/priming-classes writes it");
    }

    @Test
    void theStepLoadsTheWholeListThenFailsSayingHowItWentWhenTheJarLacksAClass() {
        SnapStartPriming.Step step = ClassPriming.step(LOADER, "class-priming/list.txt");

        assertThatThrownBy(() -> step.action().run())
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("1 loaded and 2 initialized as listed, 1 not found, 1 failed to initialize; "
                        + "scripts/priming-classes writes the list again");
        assertThat(INITIALIZED.get()).isEqualTo(1);
    }

    @Test
    void loadsTheListLastAndFailsThatStepAloneWhenTheJarHasNone() {
        // gantry-aws's own classes carry no list: only function jars do.
        SnapStartPriming priming = SnapStartPriming.builder().loadListedClasses().step("a read added later", () -> {}).build();

        assertThat(priming.prime()).satisfiesExactly(
                read -> assertThat(read.primed()).isTrue(),
                classes -> {
                    assertThat(classes.step()).isEqualTo("classes listed in META-INF/gantry/priming-classes.txt");
                    assertThat(classes.failure()).hasMessageContaining("scripts/priming-classes writes it");
                });
    }
}
