package dev.gantry.core.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gantry.core.deploy.DeployOutcome.Result;
import dev.gantry.core.image.ImageReference;
import dev.gantry.testing.Fixtures;
import dev.gantry.testing.InMemoryDeployControls;
import dev.gantry.testing.InMemoryEcsGateway;
import dev.gantry.testing.InMemoryReleaseStore;
import dev.gantry.testing.MutableClock;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The report listener: who hears of a requested deploy, and that hearing never changes it. */
class DeployServiceReportListenerTest {

    private static final String REGISTRY = "111111111111.dkr.ecr.eu-west-1.amazonaws.com";
    private static final String DIGEST = "sha256:07348c1177395e36a0630834b693a5318a854ba216a887b7c7244eefa4b0efcd";
    private static final EcsServiceRef STAGING = new EcsServiceRef("111111111111", "eu-west-1", "staging", "payments-api");

    private final InMemoryEcsGateway ecs = new InMemoryEcsGateway();
    private final InMemoryReleaseStore releases = new InMemoryReleaseStore();
    private final MutableClock clock = MutableClock.at("2026-11-23T10:00:00Z");
    private final DeployService service = new DeployService(Fixtures.exampleConfig(), ecs, releases, new InMemoryDeployControls(), clock);
    private final List<DeployReport> heard = new ArrayList<>();

    @BeforeEach
    void givenRunningStaging() {
        ecs.givenService(STAGING, "payments-api-staging", List.of(new ContainerImage("app", REGISTRY + "/payments-api:1.3.0")));
    }

    @Test
    void handsTheListenerEachDeploysReportOnceThroughLaterCopies() {
        // given
        DeployService listened = service.withReportListener(heard::add).withGates(null);

        // when
        DeployReport report = listened.deploy(toStaging(), "inv-1");

        // then
        assertThat(report.outcomes()).singleElement().extracting(DeployOutcome::result).isEqualTo(Result.DEPLOYED);
        assertThat(heard).singleElement().isSameAs(report);
    }

    @Test
    void tellsTheListenerNothingInADryRun() {
        // given
        DeployService dryRun = service.withReportListener(heard::add).dryRun();

        // when
        DeployReport report = dryRun.deploy(toStaging(), "inv-1");

        // then
        assertThat(report.outcomes()).singleElement().extracting(DeployOutcome::result).isEqualTo(Result.PLANNED);
        assertThat(heard).isEmpty();
        assertThat(ecs.calls("UpdateService")).isEmpty();
    }

    @Test
    void returnsTheReportUnchangedWhenTheListenerThrows() {
        // given
        DeployService listened = service.withReportListener(report -> {
            heard.add(report);
            throw new IllegalStateException("the queue is down");
        });

        // when
        DeployReport report = listened.deploy(toStaging(), "inv-1");

        // then
        assertThat(heard).singleElement().isSameAs(report);
        assertThat(report.outcomes()).singleElement().extracting(DeployOutcome::result).isEqualTo(Result.DEPLOYED);
        assertThat(ecs.calls("UpdateService")).singleElement().satisfies(call -> assertThat(call.service()).isEqualTo(STAGING));
    }

    private static DeployRequest toStaging() {
        return new DeployRequest("payments-api", "staging", ImageReference.parse(REGISTRY + "/payments-api@" + DIGEST), "1.4.0",
                "chat-1", null);
    }
}
