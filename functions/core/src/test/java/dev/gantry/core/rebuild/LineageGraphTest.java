package dev.gantry.core.rebuild;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gantry.core.config.BaseImageConfig;
import dev.gantry.core.config.ConfigLoader;
import dev.gantry.core.config.DependentConfig;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class LineageGraphTest {

    /**
     * base/os -> golden-java (golden/java21), tools; golden/java21:latest -> runtime (runtime/java), batch;
     * golden/java21:debug -> debug-tools (runtime/java too); runtime/java -> api, web.
     */
    private static final LineageGraph GRAPH = LineageGraph.of(ConfigLoader.parse("""
            version: 1
            baseImages:
              - name: os
                repository: base/os
                dependents:
                  - name: golden-java
                    codebuild: golden-java
                    produces: golden/java21
                  - name: tools
                    codebuild: tools
                    produces: tools/cli
              - name: golden-java21
                repository: golden/java21
                imageBuilderPipelines:
                  - arn:aws:imagebuilder:eu-west-1:111111111111:image-pipeline/golden-java21
                dependents:
                  - name: runtime
                    codebuild: runtime
                    produces: runtime/java
                  - name: batch
                    pipeline: batch-release
                    produces: apps/batch
              - name: runtime-java
                repository: runtime/java
                dependents:
                  - name: api
                    codebuild: api
                    produces: apps/api
                  - name: web
                    codebuild: web
                    produces: apps/web
              - name: golden-java21-debug
                repository: golden/java21
                tag: debug
                dependents:
                  - name: debug-tools
                    codebuild: debug-tools
                    produces: runtime/java
            """, "gantry.yml"));

    @Test
    void listsTheWavesBelowABaseInFileOrder() {
        BaseImageConfig os = GRAPH.base("os").orElseThrow();

        List<List<String>> waves = GRAPH.waves(os).stream().map(w -> w.stream().map(DependentConfig::name).toList()).toList();

        // golden-java produces golden/java21, whose every tag is a base: both of them form the second wave.
        assertThat(waves).containsExactly(
                List.of("golden-java", "tools"),
                List.of("runtime", "batch", "debug-tools"),
                List.of("api", "web"));
    }

    @ParameterizedTest(name = "below {1} in {0}'s cascade, {2} ended already: {3}")
    @CsvSource(delimiter = ';', value = {
            "os; golden-java; ''; runtime,batch,debug-tools,api,web",
            "golden-java21; runtime; ''; api,web",
            "golden-java21-debug; debug-tools; ''; api,web",
            "os; tools; ''; ''",
            "os; api; ''; ''",
            "os; no-such-dependent; ''; ''",
            "golden-java21; debug-tools; ''; ''",
            "os; debug-tools; runtime; api,web",
            "os; runtime; debug-tools; api,web",
            "os; runtime; golden-java; ''",
    })
    void listsTheImagesOfTheCascadeEveryPathToWhichPassesThroughTheDependent(String root, String dependent, String endedAlready,
            String below) {
        Set<String> ended = endedAlready.isEmpty() ? Set.of() : Set.of(endedAlready.split(","));

        assertThat(GRAPH.below(GRAPH.base(root).orElseThrow(), dependent, ended)).extracting(DependentConfig::name)
                .containsExactlyElementsOf(below.isEmpty() ? List.of() : List.of(below.split(",")));
    }

    @Test
    void losesNoImageAnotherProducerOfItsBasesRepositoryCanStillReach() {
        // runtime and debug-tools both push to runtime/java: api and web wait for debug-tools' push
        assertThat(GRAPH.below(GRAPH.base("os").orElseThrow(), "runtime")).isEmpty();
    }

    @Test
    void losesTheImagesBelowTwoProducersOfOneRepositoryUnderTwoTagsOnlyOnceBothEnded() {
        LineageGraph graph = LineageGraph.of(ConfigLoader.parse("""
                version: 1
                baseImages:
                  - name: golden-java
                    repository: golden/java
                    dependents:
                      - { name: runtime-java21, codebuild: runtime-java21, produces: runtime/java }
                      - { name: runtime-java25, codebuild: runtime-java25, produces: runtime/java }
                  - name: runtime-java21
                    repository: runtime/java
                    tag: java21
                    dependents:
                      - { name: api, codebuild: api, produces: apps/api }
                  - name: runtime-java25
                    repository: runtime/java
                    tag: java25
                    dependents:
                      - { name: web, codebuild: web, produces: apps/web }
                """, "gantry.yml"));
        BaseImageConfig root = graph.base("golden-java").orElseThrow();

        assertThat(graph.below(root, "runtime-java25")).isEmpty();
        assertThat(graph.below(root, "runtime-java21", Set.of("runtime-java25"))).extracting(DependentConfig::name)
                .containsExactly("api", "web");
    }

    @ParameterizedTest(name = "{0}: {1} waves, {2} images")
    @CsvSource({
            "os, 3, 7",
            "golden-java21, 2, 4",
            "runtime-java, 1, 2",
            "golden-java21-debug, 2, 3",
    })
    void countsWavesAndDescendantsOfEachBase(String base, int waves, int images) {
        BaseImageConfig config = GRAPH.base(base).orElseThrow();

        assertThat(GRAPH.depth(config)).isEqualTo(waves);
        assertThat(GRAPH.descendants(config)).hasSize(images);
    }

    @ParameterizedTest(name = "{1} is in wave {2} below {0}")
    @CsvSource({
            "os, golden-java, 1",
            "os, runtime, 2",
            "os, web, 3",
            "golden-java21, web, 2",
            "runtime-java, api, 1",
    })
    void placesADependentInItsWave(String root, String dependent, int wave) {
        assertThat(GRAPH.waveOf(GRAPH.base(root).orElseThrow(), dependent)).contains(wave);
    }

    @Test
    void placesADependentBelowTheLongestPathToIt() {
        // shortcut reaches runtime/java in one step, runtime in two: api must wait for the longer path
        LineageGraph graph = LineageGraph.of(ConfigLoader.parse("""
                version: 1
                baseImages:
                  - name: os
                    repository: base/os
                    dependents:
                      - name: java
                        codebuild: java
                        produces: golden/java
                      - name: shortcut
                        codebuild: shortcut
                        produces: runtime/java
                  - name: java
                    repository: golden/java
                    dependents:
                      - name: runtime
                        codebuild: runtime
                        produces: runtime/java
                  - name: runtime
                    repository: runtime/java
                    dependents:
                      - name: api
                        codebuild: api
                        produces: apps/api
                """, "gantry.yml"));

        assertThat(graph.waveOf(graph.base("os").orElseThrow(), "api")).contains(3);
    }

    @Test
    void placesNoDependentOutsideItsBaseInAWave() {
        assertThat(GRAPH.waveOf(GRAPH.base("runtime-java").orElseThrow(), "tools")).isEmpty();
        assertThat(GRAPH.waves(GRAPH.base("runtime-java").orElseThrow())).hasSize(1);
    }

    @Test
    void findsABaseByRepositoryAndTagAndByImagePipeline() {
        assertThat(GRAPH.base("golden/java21", "latest")).map(BaseImageConfig::name).contains("golden-java21");
        assertThat(GRAPH.base("golden/java21", "debug")).map(BaseImageConfig::name).contains("golden-java21-debug");
        assertThat(GRAPH.base("golden/java21", "1.0")).isEmpty();
        assertThat(GRAPH.basesOfRepository("golden/java21")).hasSize(2);
        assertThat(GRAPH.baseOfImagePipeline("arn:aws:imagebuilder:eu-west-1:111111111111:image-pipeline/golden-java21"))
                .map(BaseImageConfig::name).contains("golden-java21");
        assertThat(GRAPH.baseOfImagePipeline("arn:aws:imagebuilder:eu-west-1:111111111111:image-pipeline/other")).isEmpty();
    }

    @Test
    void tellsWhichDependentsProduceARepositoryAndWhatTheyAreBuiltFrom() {
        assertThat(GRAPH.producersOf("runtime/java")).extracting(DependentConfig::name).containsExactly("runtime", "debug-tools");
        assertThat(GRAPH.producersOf("apps/unknown")).isEmpty();
        assertThat(GRAPH.baseOf("runtime")).map(BaseImageConfig::name).contains("golden-java21");
        assertThat(GRAPH.dependent("batch")).map(DependentConfig::pipeline).contains("batch-release");
    }
}
