package dev.gantry.aws.events;

import static org.assertj.core.api.Assertions.assertThatCode;

import dev.gantry.aws.SnapStartPriming;
import java.util.List;
import org.junit.jupiter.api.Test;

class PrimingEventsTest {

    @Test
    void readsEveryBuiltInEventWithoutFault() {
        List<SnapStartPriming.Step> steps = List.of(PrimingEvents.imagePush(), PrimingEvents.pipelineJob(),
                PrimingEvents.deploymentStateChange(), PrimingEvents.taskStateChange(), PrimingEvents.lifecycleHook(),
                PrimingEvents.buildStateChange(), PrimingEvents.imageBuilderStateChange());

        for (SnapStartPriming.Step step : steps) {
            assertThatCode(() -> step.action().run()).as(step.name()).doesNotThrowAnyException();
        }
    }
}
