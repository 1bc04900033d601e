/** The period report in headless Chromium: no script, no request, no overflow on screen or A4; screenshot + PDF as CI artefacts. */
import { existsSync, mkdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { chromium, type Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const CHROMIUM = "/usr/bin/chromium";
const ARTIFACTS = resolve("artifacts");
/** The committed period example (scripts/generate-reports.ts builds it from reports/ledger-sample/). */
const REPORT = resolve("reports/period/report.html");

describe.skipIf(!existsSync(CHROMIUM) && !process.env.CI)("period report.html in Chromium", () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run"] });
  });
  afterAll(async () => browser?.close());

  it("renders every section without script, request or overflow; saves a screenshot and a PDF", async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const problems: string[] = [];
    page.on("console", (m) => m.type() === "error" && problems.push(`console: ${m.text()}`));
    page.on("pageerror", (e) => problems.push(`pageerror: ${e.message}`));
    page.on("request", (r) => !r.url().startsWith("file:") && problems.push(`request: ${r.url()}`));
    await page.goto(pathToFileURL(REPORT).href, { waitUntil: "load" });
    expect(await page.locator("h2").allInnerTexts()).toEqual([
      "Summary",
      "Runs (the population)",
      "Failures and time to fix",
      "Waivers in force during the period",
      "Gaps in the record",
      "Admission control",
      "Sample for re-performance",
    ]);
    expect(await page.locator("#runs tbody tr").count()).toBe(13);
    expect(await page.locator(".days span").count()).toBe(14);
    expect(await page.locator("script").count()).toBe(0);
    const overflow = `[document.documentElement.scrollWidth - document.documentElement.clientWidth,
      ...[...document.querySelectorAll("table")].map((t) => t.getBoundingClientRect().right - t.parentElement.getBoundingClientRect().right)]
      .filter((d) => d > 1)`;
    for (const [width, media] of [
      [1280, "screen"],
      [800, "screen"],
      [690, "print"],
    ] as const) {
      await page.setViewportSize({ width, height: 900 });
      await page.emulateMedia({ media });
      expect(await page.evaluate(overflow), `${media} at ${width}px`).toEqual([]);
    }
    expect(problems).toEqual([]);
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.emulateMedia({ media: "screen" });
    await page.screenshot({ path: join(ARTIFACTS, "period-report.png"), fullPage: true });
    await page.pdf({ path: join(ARTIFACTS, "period-report.pdf"), format: "A4", printBackground: true });
    await page.close();
  });
});
