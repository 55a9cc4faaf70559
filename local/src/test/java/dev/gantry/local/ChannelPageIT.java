package dev.gantry.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import dev.gantry.testing.Fixtures;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.remote.RemoteWebDriver;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The local Slack channel page in headless Chromium (Debian's {@code chromium} and {@code chromium-driver}): a person
 * waits for the approval card, clicks Approve and confirms, and watches the release reach production and its thread
 * complete, while the local run, not auto-approving, plays the rest.
 */
class ChannelPageIT {

    static final Path SCREENSHOTS = Fixtures.root().resolve("local/target/screenshots");
    static final String HOW_TO_INSTALL = "the channel page test drives Debian's Chromium through its driver: install both with "
            + "`apt-get update && apt-get install -y chromium chromium-driver` (CI's .ci/run does)";
    private static final Duration WAIT = Duration.ofSeconds(90);

    @Test
    void approvingOnThePageDeploysToProductionAndCompletesTheThread() throws Exception {
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(printed, true, StandardCharsets.UTF_8);
        // The run keeps the page up after the story until Enter, as for someone at a terminal: here, until the page is seen.
        PipedOutputStream enter = new PipedOutputStream();
        LocalRun run = new LocalRun(out, out, new PipedInputStream(enter), Fixtures.root(), System.getenv("PATH"));
        CompletableFuture<Integer> exit = CompletableFuture.supplyAsync(
                () -> run.run(LocalRunIT.options("--no-synth", "--port", "0").holdingPage(true)));
        WebDriver browser = headlessChromium();
        try {
            browser.get(pageUrl(printed, exit));
            WebDriverWait wait = new WebDriverWait(browser, WAIT);
            wait.withMessage(() -> "the page's status line says '" + browser.findElement(By.id("status")).getText() + "'; the run printed:\n"
                    + printed.toString(StandardCharsets.UTF_8));

            wait.until(ExpectedConditions.elementToBeClickable(By.cssSelector("button[data-action-id='gantry.gate.approve']"))).click();
            assertThat(browser.findElement(By.id("confirm-title")).getText()).isEqualTo("Approve this digest?");
            wait.until(ExpectedConditions.elementToBeClickable(By.id("confirm-ok"))).click();
            wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("messages"), "Gate decided"));
            wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("messages"), "Deployed to prod"));
            screenshot(browser, "channel-page-approved.png");

            String page = browser.findElement(By.tagName("body")).getText();
            assertThat(page)
                    .contains("# releases")
                    .contains("Approve payments-api 1.4.0 for prod?")
                    .contains("Gate decided: PASSED")
                    .contains("approved by @U0LOCAL0001")
                    .contains("payments-api 1.4.0")
                    .contains("Deployed to prod")
                    .contains("(edited)")
                    .contains("slack-interactions answered HTTP 200");
            assertThat(browser.findElements(By.cssSelector("button[data-action-id='gantry.gate.approve']")))
                    .as("the decided card has no buttons left").isEmpty();

            browser.findElement(By.xpath("//div[@data-ts][contains(., 'Deployed to prod')]//a[@data-thread]")).click();
            wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("messages"), "prod: rollout completed"));
            screenshot(browser, "release-thread.png");
            assertThat(browser.findElement(By.id("messages")).getText())
                    .contains("staging: rollout completed")
                    .contains("prod gate production: \uD83D\uDC4D approved by @U0LOCAL0001")
                    .contains("revision payments-api-prod:1 → payments-api-prod:2");
        } finally {
            browser.quit();
            enter.write('\n');
            enter.close();
        }
        assertThat(exit.get(WAIT.toSeconds(), TimeUnit.SECONDS)).as(printed.toString(StandardCharsets.UTF_8)).isZero();
        assertThat(printed.toString(StandardCharsets.UTF_8))
                .contains("click Approve (you click as U0LOCAL0001)")
                .contains("7. approval clicked: Approve by U0LOCAL0001 (slack-interactions answered 200)")
                .contains("9. release thread complete");
    }

    /** The page's address, once the run prints it. */
    private static String pageUrl(ByteArrayOutputStream printed, CompletableFuture<Integer> exit) throws InterruptedException {
        Pattern page = Pattern.compile("Slack channel page: (http://localhost:\\d+/)");
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (System.nanoTime() < deadline) {
            Matcher found = page.matcher(printed.toString(StandardCharsets.UTF_8));
            if (found.find()) {
                return found.group(1);
            }
            if (exit.isDone()) {
                break;
            }
            Thread.sleep(100);
        }
        return fail("the run printed no channel page:%n%s", printed.toString(StandardCharsets.UTF_8));
    }

    static WebDriver headlessChromium() {
        Optional<Path> chromium = onPath(List.of("chromium", "chromium-browser"));
        Optional<Path> driver = onPath(List.of("chromedriver"));
        if (chromium.isEmpty() || driver.isEmpty()) {
            fail((chromium.isEmpty() ? "chromium" : "chromedriver") + " is not on the PATH: " + HOW_TO_INSTALL);
        }
        ChromeOptions options = new ChromeOptions();
        options.setBinary(chromium.get().toFile());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1280,1600");
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(driver.get().toFile()).usingAnyFreePort().build();
        try {
            service.start();
        } catch (IOException e) {
            return fail("chromedriver did not start: " + e.getMessage(), e);
        }
        // WebDriver alone, without the DevTools connection ChromeDriver also opens: the page needs none, and opening it
        // waits minutes for a timeout when Chromium is newer than this Selenium's DevTools support.
        return new ServiceStoppingDriver(service, options);
    }

    /** A remote session on the local chromedriver, which it stops when the session ends. */
    private static final class ServiceStoppingDriver extends RemoteWebDriver {
        private final ChromeDriverService service;

        ServiceStoppingDriver(ChromeDriverService service, ChromeOptions options) {
            super(service.getUrl(), options);
            this.service = service;
        }

        @Override
        public void quit() {
            try {
                super.quit();
            } finally {
                service.stop();
            }
        }
    }

    static void screenshot(WebDriver browser, String name) throws Exception {
        Files.createDirectories(SCREENSHOTS);
        File shot = ((TakesScreenshot) browser).getScreenshotAs(OutputType.FILE);
        Files.copy(shot.toPath(), SCREENSHOTS.resolve(name), StandardCopyOption.REPLACE_EXISTING);
    }

    private static Optional<Path> onPath(List<String> names) {
        for (String directory : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            for (String name : names) {
                Path candidate = Path.of(directory.isBlank() ? "." : directory, name);
                if (Files.isExecutable(candidate)) {
                    return Optional.of(candidate);
                }
            }
        }
        return Optional.empty();
    }
}
