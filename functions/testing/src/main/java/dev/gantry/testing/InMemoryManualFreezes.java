package dev.gantry.testing;

import dev.gantry.core.chatops.ManualFreeze;
import dev.gantry.core.chatops.ManualFreezes;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Manual freezes in memory, one per scope; tests can make reading them fail. */
public final class InMemoryManualFreezes implements ManualFreezes {

    private final Map<String, ManualFreeze> byScope = new TreeMap<>();
    private String failure;

    @Override
    public synchronized void put(ManualFreeze freeze) {
        byScope.put(freeze.scope(), freeze);
    }

    @Override
    public synchronized void lift(String scope) {
        byScope.remove(scope);
    }

    @Override
    public synchronized List<ManualFreeze> all() {
        if (failure != null) {
            throw new ManualFreezesException(failure, null);
        }
        return List.copyOf(byScope.values());
    }

    /** Every read fails with {@code message} until {@link #recover()}. */
    public synchronized void failWith(String message) {
        this.failure = message;
    }

    public synchronized void recover() {
        this.failure = null;
    }
}
