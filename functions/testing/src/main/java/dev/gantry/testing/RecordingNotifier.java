package dev.gantry.testing;

import dev.gantry.core.notify.Notifier;
import dev.gantry.core.notify.ReleaseNews;
import java.util.ArrayList;
import java.util.List;

/** Keeps the news a service told, in order, for a test to read. */
public final class RecordingNotifier implements Notifier {

    private final List<ReleaseNews> told = new ArrayList<>();

    @Override
    public synchronized void tell(ReleaseNews news) {
        told.add(news);
    }

    public synchronized List<ReleaseNews> told() {
        return List.copyOf(told);
    }

    public synchronized <T extends ReleaseNews> List<T> told(Class<T> kind) {
        return told.stream().filter(kind::isInstance).map(kind::cast).toList();
    }
}
