package dev.gantry.cdk;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awscdk.App;
import software.amazon.awscdk.AppProps;
import software.amazon.awscdk.assertions.Template;

/** Golden-image pipelines asked for with {@code -c goldenImagePipelines=...}. */
class GoldenImagePipelineContextTest {

    private static final Path CDK_DIR = Path.of("").toAbsolutePath();
    private static final Path EXAMPLE = CDK_DIR.getParent().resolve("examples/gantry.yml");

    @TempDir
    Path dir;

    private final Map<String, Object> context = new LinkedHashMap<>();

    @BeforeEach
    void jars() throws IOException {
        context.put(GantryApp.CONFIG_CONTEXT, EXAMPLE.toString());
        context.put(GantryApp.ECS_DEPLOY_JAR_CONTEXT, Files.writeString(dir.resolve("ecs.jar"), "stand-in").toString());
        context.put(GantryApp.RELEASE_GATE_JAR_CONTEXT, Files.writeString(dir.resolve("gate.jar"), "stand-in").toString());
        context.put(GantryApp.IMAGE_REBUILD_JAR_CONTEXT, Files.writeString(dir.resolve("rebuild.jar"), "stand-in").toString());
    }

    @Test
    void aGoldenImageGetsItsPipelineReadingTheSharedSourceBucket() {
        context.put(GantryApp.GOLDEN_IMAGE_PIPELINES_CONTEXT, "golden-java21");
        App app = new App(AppProps.builder().outdir(dir.resolve("cdk.out").toString()).context(context).build());

        int status = GantryApp.run(app, Map.of(), CDK_DIR, System.err);

        assertThat(status).isZero();
        GantryStack stack = (GantryStack) app.getNode().findChild("Gantry");
        assertThat(stack.getAutomation().getGoldenImagePipelines()).hasSize(1);
        assertThat(stack.getReleaseSourceBucket()).isPresent();
        Template template = Template.fromStack(stack);
        template.resourceCountIs("AWS::CodePipeline::Pipeline", 1);
        template.resourceCountIs("AWS::CodeBuild::Project", 1);
    }

    @Test
    void anImageGantryAlreadyRebuildsCannotHaveOneAndSynthesisSaysWhy() {
        // runtime/java is what the runtime-java-image project produces from the golden image.
        context.put(GantryApp.GOLDEN_IMAGE_PIPELINES_CONTEXT, "runtime-java");
        ByteArrayOutputStream err = new ByteArrayOutputStream();

        int status = GantryApp.run(new App(AppProps.builder().outdir(dir.resolve("cdk.out").toString()).context(context).build()),
                Map.of(), CDK_DIR, new PrintStream(err, true, StandardCharsets.UTF_8));

        assertThat(status).isEqualTo(1);
        assertThat(err.toString(StandardCharsets.UTF_8)).startsWith("-c goldenImagePipelines: ").contains("runtime-java")
                .doesNotContain("Exception");
        assertThat(dir.resolve("cdk.out/manifest.json")).doesNotExist();
    }
}
