package dev.bisenet.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The demo page in a real browser: Debian's chromium and chromium-driver, headless, driven by
 * Selenium. Skips with a message where they are not installed ({@code apt-get install chromium
 * chromium-driver}). With {@code -Dbisenet.demo.screenshot=PATH} it also saves the screenshot there
 * (docs/serve-demo.png was made so); it always saves one under target/.
 */
class DemoPageTest {

    static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    static final Path DRIVER = Path.of("/usr/bin/chromedriver");
    static final Set<String> CAMVID = Set.of("Sky", "Building", "Pole", "Road", "Pavement", "Tree", "SignSymbol",
            "Fence", "Car", "Pedestrian", "Bicyclist");

    @TempDir
    Path dir;

    @BeforeAll
    static void needsChromium() {
        Assumptions.assumeTrue(Files.isExecutable(CHROMIUM) && Files.isExecutable(DRIVER),
                "SKIPPED: the demo page test needs Debian's chromium and chromium-driver (" + CHROMIUM + ", " + DRIVER
                        + "); install them with 'apt-get install chromium chromium-driver'");
    }

    WebDriver browser() throws Exception {
        // Selenium Manager must not look for (or download) drivers or browsers: both are given.
        System.setProperty("webdriver.chrome.driver", DRIVER.toString());
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(DRIVER.toFile()).usingAnyFreePort().build();
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
                "--user-data-dir=" + Files.createDirectories(dir.resolve("chromium-profile")), "--window-size=1280,1000");
        return new ChromeDriver(service, options);
    }

    static Path sampleFile(Path dir) throws Exception {
        Path camvid = TestImages.camvidSample();
        if (camvid != null) return camvid.toRealPath(); // the driver takes canonical paths only
        Path p = dir.resolve("scene.png").toAbsolutePath();
        Files.write(p, TestImages.png(360, 480, 77));
        return p;
    }

    @Test
    void aPickedImageShowsTheOverlayTheLegendAndTheTime() throws Exception {
        Path sample = sampleFile(dir);
        try (SegmentServer server = ServerKit.start()) {
            WebDriver driver = browser();
            try {
                driver.get("http://127.0.0.1:" + server.port() + "/");
                WebDriverWait wait = new WebDriverWait(driver, Duration.ofSeconds(60));
                wait.until(d -> d.findElement(By.id("model")).getText().contains("ready"));
                driver.findElement(By.id("file")).sendKeys(sample.toString());
                wait.until(d -> "true".equals(d.findElement(By.id("status")).getDomAttribute("data-done"))
                        || d.findElement(By.id("status")).getAttribute("class").contains("error"));
                String status = driver.findElement(By.id("status")).getText();
                assertTrue(status.matches("Done in \\d+ ms .*"), status);

                var img = RequestImages.decode(Files.readAllBytes(sample), Long.MAX_VALUE);
                JavascriptExecutor js = (JavascriptExecutor) driver;
                wait.until(d -> ((Number) js.executeScript("return document.getElementById('overlay').naturalWidth")).intValue() > 0);
                assertEquals(img.width(), ((Number) js.executeScript("return document.getElementById('overlay').naturalWidth")).intValue());
                assertEquals(img.height(), ((Number) js.executeScript("return document.getElementById('overlay').naturalHeight")).intValue());

                List<WebElement> rows = driver.findElements(By.cssSelector("#legend tr.legend-row"));
                assertTrue(!rows.isEmpty(), "a legend of the classes present");
                double total = 0;
                Set<String> names = new HashSet<>();
                for (WebElement row : rows) {
                    String name = row.findElement(By.className("name")).getText();
                    String share = row.findElement(By.className("share")).getText();
                    assertTrue(CAMVID.contains(name), name);
                    assertTrue(names.add(name), "each class once: " + name);
                    assertTrue(share.endsWith("%"), share);
                    total += Double.parseDouble(share.replace("%", "").trim());
                }
                assertEquals(100, total, 0.1 * rows.size() + 0.01, "the shares add up to the whole image");
                screenshot(driver);
            } finally {
                driver.quit();
            }
        }
    }

    @Test
    void withAnApiKeyThePageAsksForItAndSendsIt() throws Exception {
        String key = "demo-key-0123456789abcdef";
        Path keyFile = Files.writeString(dir.resolve("key"), key);
        Path sample = dir.resolve("small.png").toAbsolutePath();
        Files.write(sample, TestImages.png(64, 96, 5));
        try (SegmentServer server = ServerKit.start("--api-key-file", keyFile.toString())) {
            WebDriver driver = browser();
            try {
                driver.get("http://127.0.0.1:" + server.port() + "/");
                WebDriverWait wait = new WebDriverWait(driver, Duration.ofSeconds(60));
                wait.until(d -> d.findElement(By.id("key")).isDisplayed());
                assertTrue(driver.findElement(By.id("model")).getText().toLowerCase(Locale.ROOT).contains("api key"));
                driver.findElement(By.id("file")).sendKeys(sample.toString());
                wait.until(d -> d.findElement(By.id("status")).getText().contains("key"));
                driver.findElement(By.id("key")).sendKeys("wrong-key-0123456789");
                driver.findElement(By.id("file")).sendKeys(sample.toString());
                wait.until(d -> d.findElement(By.id("status")).getText().contains("401"));
                driver.findElement(By.id("key")).clear();
                driver.findElement(By.id("key")).sendKeys(key);
                driver.findElement(By.id("file")).sendKeys(sample.toString());
                wait.until(d -> "true".equals(d.findElement(By.id("status")).getDomAttribute("data-done")));
                assertTrue(driver.findElement(By.id("status")).getText().startsWith("Done in"));
            } finally {
                driver.quit();
            }
        }
    }

    private static void screenshot(WebDriver driver) throws Exception {
        File shot = ((TakesScreenshot) driver).getScreenshotAs(OutputType.FILE);
        Path target = Files.createDirectories(Path.of("target")).resolve("serve-demo.png");
        Files.copy(shot.toPath(), target, StandardCopyOption.REPLACE_EXISTING);
        String keep = System.getProperty("bisenet.demo.screenshot");
        if (keep != null && !keep.isBlank()) {
            Files.copy(shot.toPath(), Path.of(keep), StandardCopyOption.REPLACE_EXISTING);
        }
    }
}
