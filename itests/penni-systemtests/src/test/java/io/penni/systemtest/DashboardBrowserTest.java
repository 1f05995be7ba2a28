package io.penni.systemtest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The dashboard in a real browser (the Debian chromium, headless, through its chromedriver) against a real server:
 * a tiny job submitted through the Jobs page's form shows its progress changing without a reload; its Job page draws
 * the learning curves (non-blank SVG of the right size), a per-layer table that matches report.json, and every
 * figure report.json lists, loaded at its natural size. Screenshots go to target/dashboard-screenshots/.
 */
class DashboardBrowserTest {

    private static final Path CHROMIUM = Path.of(System.getProperty("penni.chromium", "/usr/bin/chromium"));
    private static final Path CHROMEDRIVER = Path.of(System.getProperty("penni.chromedriver", "/usr/bin/chromedriver"));
    private static final Path SHOTS = Path.of("target", "dashboard-screenshots");
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @Test
    void aJobSubmittedThroughTheFormIsFollowedLiveAndItsPageShowsCurvesTablesAndFigures() throws Exception {
        // not a skip: CI installs chromium (.ci/run), so a missing browser is a broken machine, not a reason to pass
        assertTrue(Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER), "the browser test needs "
                + CHROMIUM + " and " + CHROMEDRIVER + " (Debian packages chromium and chromium-driver)");
        Files.createDirectories(SHOTS);
        ServerProcess server = ServerProcess.prepare(dir.resolve("server"), dir.resolve("artifacts"), null).start();
        String base = "http://127.0.0.1:" + server.httpPort() + "/penni/";
        WebDriver browser = browser();
        try {
            String job = "browser-" + UUID.randomUUID().toString().substring(0, 8);
            browser.get(base);
            JavascriptExecutor js = (JavascriptExecutor) browser;
            js.executeScript("window.__sameDocument = true;"); // gone if anything reloads the page
            browser.findElement(By.cssSelector("#submit summary")).click();
            WebElement request = browser.findElement(By.id("request"));
            // big enough that retraining outlasts several progress intervals (1 s): with 512 images a stage of the
            // eager trainer ends within one interval, and the row shows one progress value per stage
            js.executeScript("arguments[0].value = arguments[1];", request, JobWatch.request(job, 4096, 2));
            browser.findElement(By.id("submit-button")).click();
            WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(30));
            wait.until(d -> !d.findElements(By.cssSelector("#submit-result .alert.ok")).isEmpty());

            // the job's row arrives by the jobs stream (the page loaded before the job existed), and soon
            String row = "tr[data-job='" + job + "']";
            new WebDriverWait(browser, Duration.ofSeconds(60)).withMessage("the job's row, by the jobs stream")
                    .until(d -> !d.findElements(By.cssSelector(row)).isEmpty());
            // progress, as the row shows it, must change while the page stays the same document
            Set<String> seen = new LinkedHashSet<>();
            long deadline = System.nanoTime() + Duration.ofMinutes(8).toNanos();
            String status = "";
            while (!status.equals("completed") && !status.equals("failed") && System.nanoTime() < deadline) {
                // read in one script: the rows are redrawn as events arrive, so element handles go stale
                @SuppressWarnings("unchecked")
                Map<String, Object> now = (Map<String, Object>) js.executeScript("const r = document.querySelector("
                        + "arguments[0]); if (!r) return null; const p = r.querySelector('.prog'); return {status: "
                        + "r.querySelector('.badge').textContent.trim(), progress: p ? p.dataset.progress : '', "
                        + "stage: r.children[2].textContent};", row);
                if (now != null) {
                    status = String.valueOf(now.get("status"));
                    seen.add(status + " | " + now.get("progress") + " | " + now.get("stage"));
                    if (seen.size() == 4) {
                        shot(browser, "dashboard-jobs-running.png");
                    }
                }
                Thread.sleep(250);
            }
            assertEquals("completed", status, "the job ended; the row went through " + seen);
            assertEquals(Boolean.TRUE, js.executeScript("return window.__sameDocument === true;"),
                    "the page was never reloaded");
            long runningStates = seen.stream().filter(s -> s.startsWith("running | 0.") || s.startsWith("running | 1"))
                    .map(s -> s.split(" \\| ")[1]).distinct().count();
            assertTrue(runningStates >= 2, "the running job's progress changed on the page at least once: " + seen);
            shot(browser, "dashboard-jobs.png");

            browser.findElement(By.cssSelector(row + " a")).click();
            new WebDriverWait(browser, Duration.ofSeconds(30))
                    .until(d -> !d.findElements(By.cssSelector("#layer-table tbody tr")).isEmpty());
            JsonNode report = JSON.readTree(get(base + "api/jobs/" + job + "/files/report.json"));
            checkCurves(browser);
            checkLayers(browser, report);
            checkFigures(browser, report);
            browser.manage().window().setSize(new Dimension(1400, 3000));
            shot(browser, "dashboard-job.png");
        } finally {
            browser.quit();
            assertEquals(0, server.stop());
        }
    }

    private static void checkCurves(WebDriver browser) {
        for (String chart : List.of("chart-accuracy", "chart-loss")) {
            WebElement svg = browser.findElement(By.cssSelector("#" + chart + " svg"));
            assertEquals("560", svg.getAttribute("width"), chart);
            assertEquals("260", svg.getAttribute("height"), chart);
            assertTrue(svg.getSize().getWidth() > 300 && svg.getSize().getHeight() > 120, chart + " is drawn at "
                    + svg.getSize());
            List<WebElement> lines = svg.findElements(By.cssSelector("path[data-series]"));
            assertEquals(List.of("train", "test"), lines.stream().map(p -> p.getAttribute("data-series")).toList(), chart);
            for (WebElement line : lines) {
                // one point per epoch over pretrain, retrain and finetune: at least three, so at least two segments
                String d = line.getAttribute("d");
                assertTrue(d.split("L").length >= 3, chart + " " + line.getAttribute("data-series") + " is drawn: " + d);
            }
        }
    }

    /** Every layer of report.json is a row with its widths, bases and coefficient counts before and after. */
    private static void checkLayers(WebDriver browser, JsonNode report) {
        JsonNode layers = report.get("layers");
        List<WebElement> rows = browser.findElements(By.cssSelector("#layer-table tbody tr[data-layer]"));
        assertEquals(layers.size(), rows.size(), "one row per layer");
        for (int i = 0; i < layers.size(); i++) {
            JsonNode l = layers.get(i);
            List<String> cells = new ArrayList<>();
            rows.get(i).findElements(By.tagName("td")).forEach(td -> cells.add(td.getText().trim()));
            assertEquals(l.get("name").asText(), cells.get(0));
            assertEquals(n(l.at("/width/before")) + " → " + n(l.at("/width/after")), cells.get(2));
            assertEquals(n(l.at("/basis/before")) + " → " + n(l.at("/basis/after")), cells.get(3));
            assertEquals(n(l.at("/coefs/nnz/before")) + " / " + n(l.at("/coefs/total/before")), cells.get(4));
            assertEquals(String.format(java.util.Locale.ROOT, "%.1f %%", l.at("/sparsity/before").asDouble()), cells.get(5));
            assertEquals(n(l.at("/coefs/nnz/after")) + " / " + n(l.at("/coefs/total/after")), cells.get(6));
        }
    }

    /** Only where report.json lists figures: each one loaded, at the size the report gives. */
    private static void checkFigures(WebDriver browser, JsonNode report) {
        JsonNode figures = report.path("figures");
        List<WebElement> images = browser.findElements(By.cssSelector("#job-figures img"));
        assertEquals(figures.size(), images.size(), "one image per listed figure, none otherwise");
        JavascriptExecutor js = (JavascriptExecutor) browser;
        for (int i = 0; i < figures.size(); i++) {
            WebElement img = images.get(i);
            js.executeScript("arguments[0].scrollIntoView();", img);
            new WebDriverWait(browser, Duration.ofSeconds(20)).until(d -> Boolean.TRUE.equals(
                    js.executeScript("return arguments[0].complete && arguments[0].naturalWidth > 0;", img)));
            @SuppressWarnings("unchecked")
            Map<String, Object> natural = (Map<String, Object>) js.executeScript(
                    "return {w: arguments[0].naturalWidth, h: arguments[0].naturalHeight};", img);
            assertEquals(figures.get(i).get("width").asLong(), ((Number) natural.get("w")).longValue(), "figure " + i);
            assertEquals(figures.get(i).get("height").asLong(), ((Number) natural.get("h")).longValue(), "figure " + i);
        }
    }

    private static String n(JsonNode v) {
        return String.format(java.util.Locale.US, "%,d", v.asLong());
    }

    private static WebDriver browser() {
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--hide-scrollbars", "--window-size=1400,900", "--force-device-scale-factor=1");
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile())
                .build();
        return new ChromeDriver(service, options);
    }

    private static void shot(WebDriver browser, String name) throws java.io.IOException {
        Path png = ((TakesScreenshot) browser).getScreenshotAs(OutputType.FILE).toPath();
        Files.copy(png, SHOTS.resolve(name), StandardCopyOption.REPLACE_EXISTING);
    }

    private static String get(String url) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url)).build(),
                HttpResponse.BodyHandlers.ofString()).body();
    }
}
