package dev.gantry.testing;

import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Collection;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * A function module's deployment jar, {@code functions/<module>/target/gantry-<module>-lambda.jar}, as its tests read it:
 * its size, the AWS SDK service modules in it, and the classes its own code names that it lacks.
 */
public final class LambdaJar {

    private static final String SERVICES = "software/amazon/awssdk/services/";
    private static final Pattern DESCRIPTOR_CLASS = Pattern.compile("L([^;<>]+);");

    private final Path path;
    private final long size;
    private final Map<String, byte[]> classes;
    private final Set<String> entries;

    private LambdaJar(Path path, long size, Map<String, byte[]> classes, Set<String> entries) {
        this.path = path;
        this.size = size;
        this.classes = classes;
        this.entries = entries;
    }

    /** @throws AssertionError when the jar was not built: run {@code package} before the integration tests */
    public static LambdaJar of(String module) {
        Path path = Fixtures.root().resolve("functions/" + module + "/target/gantry-" + module + "-lambda.jar");
        if (!Files.isRegularFile(path)) {
            throw new AssertionError(path + " was not built; ./mvnw verify builds it before the integration tests");
        }
        Map<String, byte[]> classes = new HashMap<>();
        Set<String> entries = new HashSet<>();
        try (ZipFile zip = new ZipFile(path.toFile())) {
            for (ZipEntry entry : zip.stream().toList()) {
                entries.add(entry.getName());
                if (entry.getName().endsWith(".class") && !entry.getName().startsWith("META-INF/")) {
                    try (InputStream in = zip.getInputStream(entry)) {
                        classes.put(entry.getName().substring(0, entry.getName().length() - ".class".length()), in.readAllBytes());
                    }
                }
            }
            return new LambdaJar(path, Files.size(path), classes, entries);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public Path path() {
        return path;
    }

    public long size() {
        return size;
    }

    public int classCount() {
        return classes.size();
    }

    /** The AWS SDK service modules in the jar, by package name: {@code dynamodb}, {@code ecs}, ... */
    public Set<String> awsServices() {
        Set<String> services = new TreeSet<>();
        for (String entry : entries) {
            if (entry.startsWith(SERVICES)) {
                String rest = entry.substring(SERVICES.length());
                int slash = rest.indexOf('/');
                if (slash > 0) {
                    services.add(rest.substring(0, slash));
                }
            }
        }
        return services;
    }

    /** Whether any entry's path starts with {@code prefix}, e.g. {@code "io/netty/"}. */
    public boolean contains(String prefix) {
        return entries.stream().anyMatch(entry -> entry.startsWith(prefix));
    }

    /**
     * The classes that Gantry code reachable from {@code roots} names, in its code, and that neither the jar nor the JDK
     * has, by the Gantry class naming them. Reachable: the classes under the {@code roots} packages (a function module's
     * own, say), and every {@code dev/gantry} class those name, and so on; libraries are taken as the jar ships them.
     *
     * <p>The JVM loads a class that a method names when that method first runs, so a class naming a missing one works as
     * long as it never runs that code. {@code factories} are the Gantry classes built that way on purpose, one method per
     * AWS service, each function calling only those for the services it ships: what they name is neither reported nor
     * followed, so a class only they name (the S3 artifact reader, say) is checked in the functions whose code names it.
     */
    public Map<String, Set<String>> missingReferences(Collection<String> roots, Set<String> factories) {
        Map<String, Set<String>> missing = new TreeMap<>();
        Set<String> seen = new HashSet<>();
        Deque<String> queue = new ArrayDeque<>();
        for (String name : classes.keySet()) {
            if (roots.stream().anyMatch(name::startsWith)) {
                seen.add(name);
                queue.add(name);
            }
        }
        while (!queue.isEmpty()) {
            String name = queue.poll();
            if (factories.contains(name)) {
                continue;
            }
            for (String referenced : referencedClasses(classes.get(name))) {
                if (classes.containsKey(referenced)) {
                    if (referenced.startsWith("dev/gantry/") && seen.add(referenced)) {
                        queue.add(referenced);
                    }
                } else if (!inJdk(referenced)) {
                    missing.computeIfAbsent(name, n -> new TreeSet<>()).add(referenced);
                }
            }
        }
        return missing;
    }

    private static boolean inJdk(String name) {
        return ClassLoader.getPlatformClassLoader().getResource(name + ".class") != null;
    }

    /**
     * The classes a class file's code uses: its constant pool's class entries and the types in the descriptors of the
     * fields and methods it refers to. Not generic signatures, which the JVM never loads.
     */
    static Set<String> referencedClasses(byte[] classFile) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(classFile))) {
            in.skipNBytes(8);
            int count = in.readUnsignedShort();
            String[] utf8 = new String[count];
            int[] classNames = new int[count];
            int[] descriptors = new int[count];
            int classEntries = 0;
            int descriptorEntries = 0;
            for (int i = 1; i < count; i++) {
                int tag = in.readUnsignedByte();
                switch (tag) {
                    case 1 -> utf8[i] = in.readUTF();
                    case 7 -> classNames[classEntries++] = in.readUnsignedShort();
                    case 12 -> {
                        in.readUnsignedShort();
                        descriptors[descriptorEntries++] = in.readUnsignedShort();
                    }
                    case 16 -> descriptors[descriptorEntries++] = in.readUnsignedShort();
                    case 3, 4, 9, 10, 11, 17, 18 -> in.skipNBytes(4);
                    case 5, 6 -> {
                        in.skipNBytes(8);
                        i++;
                    }
                    case 8, 19, 20 -> in.skipNBytes(2);
                    case 15 -> in.skipNBytes(3);
                    default -> throw new IllegalStateException("unknown constant pool tag " + tag);
                }
            }
            Set<String> names = new HashSet<>();
            for (int i = 0; i < classEntries; i++) {
                String name = utf8[classNames[i]];
                names.add(name.startsWith("[") ? elementClass(name) : name);
            }
            for (int i = 0; i < descriptorEntries; i++) {
                Matcher types = DESCRIPTOR_CLASS.matcher(utf8[descriptors[i]]);
                while (types.find()) {
                    names.add(types.group(1));
                }
            }
            names.remove(null);
            return names;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String elementClass(String arrayDescriptor) {
        Matcher type = DESCRIPTOR_CLASS.matcher(arrayDescriptor);
        return type.find() ? type.group(1) : null;
    }
}
