package dev.gantry.core.rebuild;

import dev.gantry.core.config.BaseImageConfig;
import dev.gantry.core.config.DependentConfig;
import dev.gantry.core.config.GantryConfig;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The declared lineage of images: which dependents are built FROM which base, and how chains continue when a
 * dependent's {@code produces} repository is itself a base image's repository.
 *
 * <p>Built once from a validated configuration, whose base images form no cycle. Lists keep file order, so plans and
 * reports read the same on every run.
 */
public final class LineageGraph {

    private final List<BaseImageConfig> bases;
    private final Map<String, BaseImageConfig> baseByName = new LinkedHashMap<>();
    private final Map<String, BaseImageConfig> baseByDependent = new HashMap<>();
    private final Map<String, DependentConfig> dependentByName = new LinkedHashMap<>();

    private LineageGraph(List<BaseImageConfig> bases) {
        this.bases = List.copyOf(bases);
        for (BaseImageConfig base : bases) {
            baseByName.put(base.name(), base);
            for (DependentConfig dependent : base.dependents()) {
                dependentByName.put(dependent.name(), dependent);
                baseByDependent.put(dependent.name(), base);
            }
        }
    }

    public static LineageGraph of(GantryConfig config) {
        return new LineageGraph(config.baseImages());
    }

    public Optional<BaseImageConfig> base(String name) {
        return Optional.ofNullable(baseByName.get(name));
    }

    /** The base image whose new versions are pushed to {@code repository} under {@code tag}. */
    public Optional<BaseImageConfig> base(String repository, String tag) {
        return bases.stream().filter(b -> b.repository().equals(repository) && b.tag().equals(tag)).findFirst();
    }

    /** The base images of {@code repository}, whatever their tag: a repository may hold several (java21, java25). */
    public List<BaseImageConfig> basesOfRepository(String repository) {
        return bases.stream().filter(b -> b.repository().equals(repository)).toList();
    }

    /** The base image whose new versions {@code pipelineArn}, an EC2 Image Builder image pipeline, builds. */
    public Optional<BaseImageConfig> baseOfImagePipeline(String pipelineArn) {
        return bases.stream().filter(b -> b.imageBuilderPipelines().contains(pipelineArn)).findFirst();
    }

    public Optional<DependentConfig> dependent(String name) {
        return Optional.ofNullable(dependentByName.get(name));
    }

    /** The base image {@code dependentName} is built FROM. */
    public Optional<BaseImageConfig> baseOf(String dependentName) {
        return Optional.ofNullable(baseByDependent.get(dependentName));
    }

    /** The dependents that push their rebuilt image to {@code repository}: how a pushed child finds its parent. */
    public List<DependentConfig> producersOf(String repository) {
        return dependentByName.values().stream().filter(d -> repository.equals(d.produces())).toList();
    }

    /** The images built directly FROM {@code base}: the first wave. */
    public List<DependentConfig> dependents(BaseImageConfig base) {
        return base.dependents();
    }

    /**
     * The rebuild waves below {@code base}: the first is its direct dependents; each next one, the dependents of the
     * base images the previous wave produces. A dependent reachable along paths of different lengths is in the wave of
     * the longest, so it rebuilds only after every image it is built from.
     */
    public List<List<DependentConfig>> waves(BaseImageConfig base) {
        Map<String, Integer> depthByDependent = new LinkedHashMap<>();
        assignDepths(base, 1, depthByDependent, new LinkedHashSet<>());
        int deepest = depthByDependent.values().stream().mapToInt(Integer::intValue).max().orElse(0);
        List<List<DependentConfig>> waves = new ArrayList<>();
        for (int wave = 1; wave <= deepest; wave++) {
            int current = wave;
            waves.add(dependentByName.values().stream()
                    .filter(d -> depthByDependent.getOrDefault(d.name(), 0) == current)
                    .toList());
        }
        return waves;
    }

    private void assignDepths(BaseImageConfig base, int depth, Map<String, Integer> depthByDependent, Set<String> path) {
        if (!path.add(base.name())) {
            return; // a cycle; the validator rejects them, and a graph built from anything else must still end
        }
        for (DependentConfig dependent : base.dependents()) {
            depthByDependent.merge(dependent.name(), depth, Math::max);
            if (dependent.produces() != null) {
                for (BaseImageConfig next : basesOfRepository(dependent.produces())) {
                    assignDepths(next, depth + 1, depthByDependent, path);
                }
            }
        }
        path.remove(base.name());
    }

    /** How many waves a change of {@code base} rebuilds; 0 when nothing is built from it. */
    public int depth(BaseImageConfig base) {
        return waves(base).size();
    }

    /** Every dependent a change of {@code base} eventually rebuilds, wave by wave, in file order inside a wave. */
    public List<DependentConfig> descendants(BaseImageConfig base) {
        return waves(base).stream().flatMap(List::stream).toList();
    }

    /**
     * The images of {@code root}'s cascade that are lost when {@code dependentName}'s rebuild leaves no image to
     * continue it: those every path to which from {@code root} passes through it, each once, in wave order. The
     * configuration does not say under which tag a dependent pushes its image, so an image built on any base of a
     * repository that another producer, still live, also pushes to is not lost: that producer's push may rebuild it.
     * The answer can therefore be low (that producer pushes under another tag), never high. Empty when the dependent
     * is not in the cascade, or an unknown one.
     */
    public List<DependentConfig> below(BaseImageConfig root, String dependentName) {
        return below(root, dependentName, Set.of());
    }

    /**
     * As {@link #below(BaseImageConfig, String)}, once the rebuilds of {@code endedAlready} have ended without an image
     * too: the images lost only now, so that the ended rebuilds' answers, each taken with the ones ended before it,
     * never count an image twice. Empty when {@code dependentName} is itself lost already.
     */
    public List<DependentConfig> below(BaseImageConfig root, String dependentName, Set<String> endedAlready) {
        Set<String> reachable = reachableAvoiding(root, endedAlready);
        if (!reachable.contains(dependentName)) {
            return List.of();
        }
        Set<String> avoiding = new LinkedHashSet<>(endedAlready);
        avoiding.add(dependentName);
        reachable.removeAll(reachableAvoiding(root, avoiding));
        reachable.remove(dependentName);
        return descendants(root).stream().filter(d -> reachable.contains(d.name())).toList();
    }

    /** The dependents below {@code root} some path reaches without passing through any of {@code avoiding}. */
    private Set<String> reachableAvoiding(BaseImageConfig root, Set<String> avoiding) {
        Set<String> reached = new LinkedHashSet<>();
        Set<String> basesSeen = new LinkedHashSet<>();
        List<BaseImageConfig> toVisit = new ArrayList<>(List.of(root));
        while (!toVisit.isEmpty()) {
            BaseImageConfig base = toVisit.removeLast();
            if (!basesSeen.add(base.name())) {
                continue;
            }
            for (DependentConfig dependent : base.dependents()) {
                if (avoiding.contains(dependent.name()) || !reached.add(dependent.name()) || dependent.produces() == null) {
                    continue;
                }
                toVisit.addAll(basesOfRepository(dependent.produces()));
            }
        }
        return reached;
    }

    /** In which wave below {@code root} {@code dependentName} rebuilds; empty when it is not a descendant of it. */
    public Optional<Integer> waveOf(BaseImageConfig root, String dependentName) {
        List<List<DependentConfig>> waves = waves(root);
        for (int i = 0; i < waves.size(); i++) {
            if (waves.get(i).stream().anyMatch(d -> d.name().equals(dependentName))) {
                return Optional.of(i + 1);
            }
        }
        return Optional.empty();
    }
}
