package dev.gantry.aws;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * The last step of a function's SnapStart priming: loads, before the snapshot, the classes its first events load that
 * the other steps have not, as listed in its jar by {@code scripts/priming-classes} (decision 33).
 *
 * <p>The list replays, line by line and in the order the function's events did them, {@code load NAME} (the class is
 * loaded) and {@code init NAME} (its static initializer runs). The order is the point: the SDK has classes whose static
 * fields read each other's, and initialized in another order than the one its own code takes they keep a null for
 * good. A class is initialized only where an event initialized it, so priming runs no initializer the first event would
 * not. The JDK's own classes are loaded and never initialized, whatever their line says: some draw process-wide random
 * seeds as they initialize ({@code ThreadLocalRandom}, {@code SplittableRandom}), which a snapshot would copy into
 * every environment restored from it.
 *
 * <p>A name the jar no longer has is counted and passed over: a list a step behind the code only primes less.
 */
public final class ClassPriming {

    /** Where a function jar keeps its list. */
    public static final String RESOURCE = "META-INF/gantry/priming-classes.txt";

    /**
     * How a list went, in lines: {@code load} lines loaded, {@code init} lines initialized (the JDK's count in neither),
     * names the jar no longer has, and initializers that threw (the first event would have met the same error, so
     * priming only counts it).
     */
    public record Loaded(int loaded, int initialized, int missing, int failed) {
        @Override
        public String toString() {
            return loaded + " loaded and " + initialized + " initialized as listed, " + missing + " not found, "
                    + failed + " failed to initialize";
        }
    }

    private ClassPriming() {}

    /**
     * The priming step that loads this jar's list. It fails, which priming logs and passes over, when the jar has no list
     * or the list names classes the jar no longer has: the warning says the list wants writing again.
     */
    public static SnapStartPriming.Step step() {
        return step(ClassPriming.class.getClassLoader(), RESOURCE);
    }

    static SnapStartPriming.Step step(ClassLoader loader, String resource) {
        return new SnapStartPriming.Step("classes listed in " + resource, () -> {
            Loaded loaded = load(loader, resource);
            if (loaded.missing() > 0 || loaded.failed() > 0) {
                throw new IllegalStateException(loaded + "; scripts/priming-classes writes the list again");
            }
        });
    }

    /**
     * @param loader the function's class loader, which resolves both the list and the classes it names
     * @throws IllegalStateException when there is no list, or a line is neither {@code init NAME} nor {@code load NAME}
     */
    public static Loaded load(ClassLoader loader, String resource) {
        InputStream in = loader.getResourceAsStream(resource);
        if (in == null) {
            throw new IllegalStateException("no " + resource + " in this jar: scripts/priming-classes writes it");
        }
        int loaded = 0;
        int initialized = 0;
        int missing = 0;
        int failed = 0;
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            String line;
            int number = 0;
            while ((line = lines.readLine()) != null) {
                number++;
                if (line.isBlank() || line.startsWith("#")) {
                    continue;
                }
                int space = line.indexOf(' ');
                String how = space < 0 ? line : line.substring(0, space);
                if (space < 0 || !(how.equals("init") || how.equals("load"))) {
                    throw new IllegalStateException(resource + " line " + number + ": expected 'init NAME' or 'load NAME', got '" + line + "'");
                }
                String name = line.substring(space + 1).trim();
                Class<?> type;
                try {
                    type = Class.forName(name, false, loader);
                } catch (ClassNotFoundException | LinkageError e) {
                    missing++;
                    continue;
                }
                if (how.equals("load")) {
                    loaded++;
                } else if (!isJdkClass(type)) {
                    try {
                        Class.forName(name, true, loader);
                        initialized++;
                    } catch (ClassNotFoundException | LinkageError e) {
                        failed++;
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + resource, e);
        }
        return new Loaded(loaded, initialized, missing, failed);
    }

    private static boolean isJdkClass(Class<?> type) {
        ClassLoader definedBy = type.getClassLoader();
        return definedBy == null || definedBy == ClassLoader.getPlatformClassLoader();
    }
}
