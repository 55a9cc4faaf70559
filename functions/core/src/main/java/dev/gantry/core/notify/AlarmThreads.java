package dev.gantry.core.notify;

import dev.gantry.core.config.EnvironmentConfig;
import dev.gantry.core.config.GantryConfig;
import dev.gantry.core.config.GateConfig;
import dev.gantry.core.config.ServiceConfig;
import dev.gantry.core.gate.GateRecord;
import dev.gantry.core.gate.GateStore;
import dev.gantry.core.release.MalformedEventException;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Which threads an alarm's state change belongs in: those of the releases waiting at a gate that watches the alarm, by
 * name or by prefix, and, for one of Gantry's own alarms, that alarm's {@link ThreadKey.Kind#OPERATIONS} thread. A
 * release not waiting on the alarm gains nothing from hearing of it, and a channel that hears of every alarm stops being
 * read.
 *
 * <p>Gantry's own alarms are the ones whose name starts with the operations prefix (every alarm of the infrastructure's
 * {@code GantryOperations} construct does). Without a prefix, no alarm is Gantry's own and only gates' alarms are told.
 */
public final class AlarmThreads {

    private final GantryConfig config;
    private final GateStore gates;
    private final String operationsPrefix;

    /** Tells the alarms gates watch; none of Gantry's own. */
    public AlarmThreads(GantryConfig config, GateStore gates) {
        this(config, gates, null);
    }

    /**
     * @param operationsPrefix what the names of Gantry's own alarms start with, e.g. {@code Gantry-}; null for none
     * @throws IllegalArgumentException when the prefix is blank: it would make every alarm in the account Gantry's own
     */
    public AlarmThreads(GantryConfig config, GateStore gates, String operationsPrefix) {
        this.config = Objects.requireNonNull(config, "config");
        this.gates = Objects.requireNonNull(gates, "gates");
        if (operationsPrefix != null && operationsPrefix.isBlank()) {
            throw new IllegalArgumentException("the prefix of Gantry's own alarms is blank: it would claim every alarm in the account");
        }
        this.operationsPrefix = operationsPrefix;
    }

    /**
     * @param region the alarm's region, as its event says
     * @throws MalformedEventException when one of Gantry's own alarms comes without its region, which its thread is
     *     keyed by
     */
    public List<ThreadKey> threadsOf(String alarmName, String region) {
        Set<ThreadKey> threads = new LinkedHashSet<>(watching(alarmName));
        if (operationsPrefix != null && alarmName.startsWith(operationsPrefix)) {
            if (region == null || region.isBlank()) {
                throw new MalformedEventException("region: missing, and Gantry's own alarm " + alarmName + " is told by its region");
            }
            threads.add(ThreadKey.operations(alarmName, region));
        }
        return List.copyOf(threads);
    }

    private List<ThreadKey> watching(String alarmName) {
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
