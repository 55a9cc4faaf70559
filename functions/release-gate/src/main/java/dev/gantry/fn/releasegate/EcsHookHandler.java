package dev.gantry.fn.releasegate;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.gantry.aws.events.EcsLifecycleHookEvent;
import dev.gantry.core.gate.EcsHookGateService;
import dev.gantry.core.gate.EcsHookGateService.HookAnswer;
import dev.gantry.core.gate.EcsHookGateService.HookStatus;
import dev.gantry.core.release.MalformedEventException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;
import software.amazon.lambda.powertools.logging.PowertoolsLogging;

/**
 * Entry point for an ECS deployment lifecycle hook: answers {@code {"hookStatus": ..., "callBackDelay": ...}}
 * from the gate of the environment being deployed. The release's thread is told each answer the gate stores, by the
 * gate service the wiring gives it.
 *
 * <p>ECS rolls a deployment back when the hook fails or answers nothing usable, so this handler always answers:
 * a payload it cannot read is FAILED (the reason is in the log: the hook was wired to something that is not a
 * deployment Gantry can gate), and a passing fault (the gate records could not be read) is IN_PROGRESS, so ECS
 * asks again instead of rolling back a release over a blip.
 */
public final class EcsHookHandler implements RequestStreamHandler {

    private static final ObjectMapper JSON = JsonMapper.builder().build();
    private static final Logger LOG = LoggerFactory.getLogger(EcsHookHandler.class);
    private static final Duration RETRY_AFTER_FAULT = Duration.ofSeconds(30);

    private final EcsHookGateService hooks;

    /** Used by Lambda: wires the real adapters from the environment, once per cold start. */
    public EcsHookHandler() {
        this(ReleaseGateWiring.ecsHook(System.getenv()));
    }

    private EcsHookHandler(ReleaseGateWiring.EcsHook wired) {
        this(wired.hooks());
        wired.priming().register();
    }

    public EcsHookHandler(EcsHookGateService hooks) {
        this.hooks = hooks;
    }

    @Override
    public void handleRequest(InputStream input, OutputStream output, Context context) throws IOException {
        byte[] payload = input.readAllBytes();
        HookAnswer answer = PowertoolsLogging.withLogging(context, () -> answer(payload));
        ObjectNode body = JSON.createObjectNode().put("hookStatus", answer.status().name());
        if (answer.callBackDelay() != null) {
            body.put("callBackDelay", answer.callBackDelay().toSeconds());
        }
        JSON.writeValue(output, body);
    }

    private HookAnswer answer(byte[] payload) {
        EcsLifecycleHookEvent.Hook hook;
        try {
            hook = EcsLifecycleHookEvent.parse(new ByteArrayInputStream(payload));
        } catch (MalformedEventException e) {
            LOG.error("lifecycle hook payload rejected, answering FAILED: {}", e.getMessage());
            return new HookAnswer(HookStatus.FAILED, null, e.getMessage());
        }
        if (hook.executionId() != null) {
            MDC.put("correlation_id", hook.executionId());
        }
        try {
            HookAnswer answer = hooks.answer(hook.serviceArn(), hook.targetServiceRevisionArn(), hook.lifecycleStage());
            LOG.info("lifecycle hook {} at {}: {} ({})", hook.targetServiceRevisionArn(), hook.lifecycleStage(), answer.status(), answer.reason());
            return answer;
        } catch (IllegalArgumentException e) {
            LOG.error("lifecycle hook for {} cannot be gated, answering FAILED: {}", hook.serviceArn(), e.getMessage());
            return new HookAnswer(HookStatus.FAILED, null, e.getMessage());
        } catch (RuntimeException e) {
            LOG.error("lifecycle hook for {} could not be decided now; ECS asks again", hook.serviceArn(), e);
            return new HookAnswer(HookStatus.IN_PROGRESS, RETRY_AFTER_FAULT, "could not be decided now: " + e.getMessage());
        }
    }
}
