package dev.gantry.fn.imagerebuild;

import java.time.Clock;
import java.util.Map;

/** The rebuild function's handler built as Lambda builds it, from an environment the test gives. */
public final class HandlersFromEnvironment {

    private HandlersFromEnvironment() {}

    public static ImageRebuildHandler imageRebuild(Map<String, String> environment) {
        ImageRebuildWiring.Wired wired = ImageRebuildWiring.fromEnvironment(environment);
        return new ImageRebuildHandler(wired.rebuilds(), wired.imageBuilder(), wired.notifier(), Clock.systemUTC());
    }
}
