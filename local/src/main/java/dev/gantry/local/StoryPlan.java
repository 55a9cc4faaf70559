package dev.gantry.local;

import dev.gantry.core.config.BaseImageConfig;
import dev.gantry.core.config.DependentConfig;
import dev.gantry.core.config.EnvironmentConfig;
import dev.gantry.core.config.GantryConfig;
import dev.gantry.core.config.GateConfig;
import dev.gantry.core.config.ServiceConfig;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * Who and what the local story is about, read from the configuration: a service with an environment that deploys
 * straight away and a later one behind a gate that takes approvals, a base image one of whose dependents produces that
 * service's image, and a Slack workspace and app to click from.
 *
 * @param approvers who may approve at the gate (user ids): the people the channel page lets you click as
 */
record StoryPlan(GantryConfig config, ServiceConfig service, EnvironmentConfig first, EnvironmentConfig gated, GateConfig gate,
        BaseImageConfig base, DependentConfig producer, List<String> approvers) {

    /** @throws UnplayableConfigException saying what the configuration lacks for the story */
    static StoryPlan of(GantryConfig config, Path file) {
        if (config.slack() == null || !config.slack().answersRequests()) {
            throw new UnplayableConfigException(file + " names no Slack workspace and app (slack.teamId, slack.appId): Gantry answers no"
                    + " click without them, so the approval could never be given; local/gantry.yml shows the keys");
        }
        for (ServiceConfig service : config.services()) {
            Optional<StoryPlan> plan = planFor(config, service);
            if (plan.isPresent()) {
                return plan.get();
            }
        }
        throw new UnplayableConfigException(file + " has no service the story can follow: it needs one whose first environment has no"
                + " gate and a later one whose gate takes approvals from users listed by id, and a base image with a dependent"
                + " that produces the service's repository; local/gantry.yml is such a configuration");
    }

    private static Optional<StoryPlan> planFor(GantryConfig config, ServiceConfig service) {
        List<EnvironmentConfig> environments = service.environments();
        if (environments.size() < 2 || environments.get(0).gated()) {
            return Optional.empty();
        }
        for (EnvironmentConfig environment : environments.subList(1, environments.size())) {
            if (!environment.gated()) {
                continue;
            }
            Optional<GateConfig> gate = config.gate(environment.gate());
            if (gate.isEmpty() || gate.get().approvals() == null || gate.get().approvals().users().isEmpty()) {
                continue;
            }
            for (BaseImageConfig base : config.baseImages()) {
                for (DependentConfig dependent : base.dependents()) {
                    if (service.repository().equals(dependent.produces())) {
                        return Optional.of(new StoryPlan(config, service, environments.get(0), environment, gate.get(), base, dependent,
                                gate.get().approvals().users()));
                    }
                }
            }
        }
        return Optional.empty();
    }

    /** How many approvals the gate wants. */
    int approvalsRequired() {
        Integer required = gate.approvals().required();
        return required == null ? 1 : required;
    }

    /** The configuration lacks something the story needs. */
    static final class UnplayableConfigException extends RuntimeException {
        UnplayableConfigException(String message) {
            super(message);
        }
    }
}
