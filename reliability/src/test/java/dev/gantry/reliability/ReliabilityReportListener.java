package dev.gantry.reliability;

import dev.gantry.testing.ReliabilityFigures;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestPlan;

/** Prints what the suite proved in this test run, once the last test has finished. */
public final class ReliabilityReportListener implements TestExecutionListener {

    @Override
    public void testPlanExecutionFinished(TestPlan testPlan) {
        if (ReliabilityFigures.recorded().isEmpty()) {
            return;
        }
        System.out.println();
        System.out.println("Gantry reliability (" + (ReliabilityFigures.full() ? "full" : "shortened; scripts/reliability runs it in full") + ")");
        System.out.print(ReliabilityFigures.summary());
    }
}
