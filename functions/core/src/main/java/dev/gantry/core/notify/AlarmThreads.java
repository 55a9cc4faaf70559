package dev.gantry.core.notify;

import dev.gantry.core.config.EnvironmentConfig;
import dev.gantry.core.config.GantryConfig;
import dev.gantry.core.config.GateConfig;
import dev.gantry.core.config.ServiceConfig;
import dev.gantry.core.gate.GateRecord;
import dev.gantry.core.gate.GateStore;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Which release threads an alarm's state change belongs in: those of the releases waiting at a gate that watches the
 * alarm, by name or by prefix. A release not waiting on the alarm gains nothing from hearing of it, and a channel that
 * hears of every alarm stops being read.
 */
public final class AlarmThreads {

    private final GantryConfig config;
    private final GateStore gates;

    public AlarmThreads(GantryConfig config, GateStore gates) {
        this.config = Objects.requireNonNull(config, "config");
        this.gates = Objects.requireNonNull(gates, "gates");
    }

    public List<ThreadKey> watching(String alarmName) {
        Set<ThreadKey> threads = new LinkedHashSet<>();
        for (ServiceConfig service : config.services()) {
            for (EnvironmentConfig environment : service.environments()) {
                if (environment.gate() == null) {
                    continue;
                }
                boolean watched = config.gate(environment.gate()).map(gate -> watches(gate, alarmName)).orElse(false);
                if (!watched) {
                    continue;
                }
                for (GateRecord waiting : gates.waiting(service.name(), environment.name())) {
                    threads.add(ThreadKey.release(service.name(), waiting.key().digest()));
                }
            }
        }
        return List.copyOf(threads);
    }

    static boolean watches(GateConfig gate, String alarmName) {
        GateConfig.Alarms alarms = gate.alarms();
        if (alarms == null) {
            return false;
        }
        return alarms.names().contains(alarmName) || alarms.prefixes().stream().anyMatch(alarmName::startsWith);
    }
}
