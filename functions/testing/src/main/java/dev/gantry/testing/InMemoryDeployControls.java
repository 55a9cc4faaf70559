package dev.gantry.testing;

import dev.gantry.core.deploy.DeployControls;
import dev.gantry.core.image.ImageDigest;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/** Vetoes and pins in memory. */
public final class InMemoryDeployControls implements DeployControls {

    private final Map<String, Veto> vetoes = new HashMap<>();
    private final Map<String, Pin> pins = new HashMap<>();

    @Override
    public synchronized void veto(Veto veto) {
        vetoes.put(key(veto.service(), veto.environment()) + "#" + veto.digest(), veto);
    }

    @Override
    public synchronized void liftVeto(String service, String environment, ImageDigest digest) {
        vetoes.remove(key(service, environment) + "#" + digest);
    }

    @Override
    public synchronized Optional<Veto> vetoOf(String service, String environment, ImageDigest digest) {
        return Optional.ofNullable(vetoes.get(key(service, environment) + "#" + digest));
    }

    @Override
    public synchronized void pin(Pin pin) {
        pins.put(key(pin.service(), pin.environment()), pin);
    }

    @Override
    public synchronized void unpin(String service, String environment) {
        pins.remove(key(service, environment));
    }

    @Override
    public synchronized Optional<Pin> pinOf(String service, String environment) {
        return Optional.ofNullable(pins.get(key(service, environment)));
    }

    private static String key(String service, String environment) {
        return service + "/" + environment;
    }
}
