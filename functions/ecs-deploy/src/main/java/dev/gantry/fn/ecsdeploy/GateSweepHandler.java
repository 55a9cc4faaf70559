package dev.gantry.fn.ecsdeploy;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import software.amazon.lambda.powertools.logging.PowertoolsLogging;
import dev.gantry.core.deploy.GateSweepService;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * Entry point for the gate sweep's schedule: every minute, releases of Gantry's own deploy flow that wait at
 * a gate are looked at again, and the ones whose gate passed are deployed; their release threads are told how each
 * gate stands and what was deployed. The scheduled event itself carries nothing the sweep needs, so it is not read.
 *
 * <p>One release failing is reported in the answer and stays due for the next run; the invocation fails only
 * when the gate records cannot be read at all, so the failure reaches the failure queue.
 */
public final class GateSweepHandler implements RequestStreamHandler {

    private static final ObjectMapper JSON = JsonMapper.builder().build();

    private final GateSweepService sweep;
    private final GateSweepNews news;

    /** Used by Lambda: wires the real adapters from the environment, once per cold start. */
    public GateSweepHandler() {
        this(GateSweepWiring.fromEnvironment(System.getenv()));
    }

    private GateSweepHandler(GateSweepWiring.Wired wired) {
        this(wired.sweep(), wired.news());
        wired.priming().register();
    }

    /** Tells no news. */
    public GateSweepHandler(GateSweepService sweep) {
        this(sweep, GateSweepNews.NONE);
    }

    /** @param news tells the gate news of {@code sweep} when its gate service is {@link GateSweepNews#following} it */
    public GateSweepHandler(GateSweepService sweep, GateSweepNews news) {
        this.sweep = sweep;
        this.news = news;
    }

    @Override
    public void handleRequest(InputStream input, OutputStream output, Context context) throws IOException {
        input.readAllBytes();
        GateSweepService.SweepReport report = PowertoolsLogging.withLogging(context, () -> {
            try {
                return sweep.sweep(context.getAwsRequestId());
            } finally {
                // A sweep that failed part-way may still have handed releases to the deploy: their threads are told.
                news.afterSweep();
            }
        });
        JSON.writeValue(output, report);
    }
}
