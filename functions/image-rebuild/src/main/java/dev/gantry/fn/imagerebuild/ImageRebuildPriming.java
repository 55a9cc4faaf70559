package dev.gantry.fn.imagerebuild;

import dev.gantry.aws.SnapStartPriming;
import dev.gantry.aws.events.PrimingEvents;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The events the rebuild function is primed with before a SnapStart snapshot: each kind it routes, read the way {@link
 * ImageRebuildHandler} reads it, by its detail-type first. The samples are built in and name nothing that exists.
 */
final class ImageRebuildPriming {

    static final String PIPELINE_EXECUTION_STATE_CHANGE = """
            {"version":"0","id":"00000000-0000-0000-0000-000000000011","detail-type":"CodePipeline Pipeline Execution State Change",
             "source":"aws.codepipeline","account":"000000000000","time":"2026-01-01T00:00:00Z","region":"eu-west-1",
             "detail":{"pipeline":"gantry-snapstart-priming","execution-id":"00000000-0000-0000-0000-000000000000",
              "state":"SUCCEEDED","version":1}}""";

    static final String SCHEDULED_REBUILD = """
            {"version":"0","id":"00000000-0000-0000-0000-000000000012","detail-type":"Gantry Scheduled Rebuild",
             "source":"gantry.schedule","account":"000000000000","time":"2026-01-01T00:00:00Z","region":"eu-west-1",
             "detail":{"base":"gantry-snapstart-priming"}}""";

    private ImageRebuildPriming() {}

    static List<SnapStartPriming.Step> events() {
        return List.of(
                new SnapStartPriming.Step("read the detail-type of an event", () -> ScheduleEvents.detailTypeOf(bytes(SCHEDULED_REBUILD))),
                PrimingEvents.imagePush(),
                PrimingEvents.imageBuilderStateChange(),
                PrimingEvents.buildStateChange(),
                new SnapStartPriming.Step("read a CodePipeline Pipeline Execution State Change event",
                        () -> PipelineExecutionStateChange.parse(bytes(PIPELINE_EXECUTION_STATE_CHANGE))),
                new SnapStartPriming.Step("read a Gantry Scheduled Rebuild event",
                        () -> ScheduleEvents.scheduledRebuild(bytes(SCHEDULED_REBUILD))));
    }

    private static byte[] bytes(String sample) {
        return sample.getBytes(StandardCharsets.UTF_8);
    }
}
