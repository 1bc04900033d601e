/** report.html in headless Chromium: hostile input never executes, the real report renders; screenshot + PDF as CI artefacts. */
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { chromium, type Browser, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { audit } from "../../src/audit.js";
import { renderEvidencePackage } from "../../src/evidence/index.js";
import { tempTree } from "../helpers/tmp.js";
import { HOSTILE_MANIFEST, HOSTILE_WAIVERS, PAYLOAD } from "./fixtures.js";

const CHROMIUM = "/usr/bin/chromium";
const ARTIFACTS = resolve("artifacts");
const NOW = new Date("2026-01-01T00:00:00Z");

describe.skipIf(!existsSync(CHROMIUM) && !process.env.CI)("report.html in Chromium", () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
      ],
    });
  });
  afterAll(async () => browser?.close());

  /** Opens the file and collects everything that would show script ran or the page broke. */
  async function open(file: string): Promise<{ page: Page; problems: string[] }> {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const problems: string[] = [];
    page.on("dialog", (d) => {
      problems.push(`dialog: ${d.message()}`);
      void d.dismiss();
    });
    page.on("console", (m) => m.type() === "error" && problems.push(`console: ${m.text()}`));
    page.on("pageerror", (e) => problems.push(`pageerror: ${e.message}`));
    page.on("request", (r) => !r.url().startsWith("file:") && !r.url().startsWith("data:") && problems.push(`request: ${r.url()}`));
    await page.goto(pathToFileURL(file).href, { waitUntil: "load" });
    return { page, problems };
  }

  it("runs nothing planted in names, annotations, messages and waivers", async () => {
    const root = tempTree({ "app/shop.yaml": HOSTILE_MANIFEST, "waivers.yaml": HOSTILE_WAIVERS });
    const report = await audit([join(root, "app")], { now: NOW, config: false, waivers: [join(root, "waivers.yaml")], cwd: root });
    const file = join(root, "report.html");
    writeFileSync(file, renderEvidencePackage(report, { paths: ["app"] }).files["report.html"]!);
    const { page, problems } = await open(file);
    for (const selector of ["th", "td", "a", "code", "span"]) {
      const handles = await page.$$(selector);
      for (const h of handles.slice(0, 40)) await h.hover({ force: true, timeout: 1000 }).catch(() => undefined);
    }
    await page.waitForTimeout(200);
    expect(await page.evaluate("typeof window.__pwned")).toBe("undefined");
    expect(problems).toEqual([]);
    expect(await page.locator("script, img, iframe, object, embed").count()).toBe(0);
    expect(await page.locator('[href^="javascript" i], [src^="javascript" i]').count()).toBe(0);
    const handlers = await page.evaluate(
      `[...document.querySelectorAll("*")].flatMap((el) => [...el.attributes].map((a) => a.name).filter((n) => n.startsWith("on")))`,
    );
    expect(handlers).toEqual([]);
    expect(await page.locator("#waivers td").allInnerTexts()).toContain(`${PAYLOAD} javascript:window.__pwned=3`);
    await page.close();
  });

  it("fits the page on screen and in print: long names and paths wrap, no table overflows", async () => {
    const long = "a".repeat(120);
    const dir = `app/${"deeply-nested-folder/".repeat(6)}${long}`;
    const root = tempTree({
      [`${dir}/pod.yaml`]: `apiVersion: v1\nkind: Pod\nmetadata: {name: ${long}, namespace: ${"n".repeat(60)}}\nspec:\n  hostNetwork: true\n  containers: [{name: ${"c".repeat(60)}, image: "registry.example.com/${long}:1"}]\n`,
    });
    const report = await audit([join(root, "app")], { now: NOW, config: false, cwd: root });
    const file = join(root, "report.html");
    writeFileSync(file, renderEvidencePackage(report, { paths: ["app"] }).files["report.html"]!);
    const overflow = `[document.documentElement.scrollWidth - document.documentElement.clientWidth,
      ...[...document.querySelectorAll("table")].map((t) => t.getBoundingClientRect().right - t.parentElement.getBoundingClientRect().right)]
      .filter((d) => d > 1)`;
    for (const [width, media] of [
      [1280, "screen"],
      [800, "screen"],
      [690, "print"], // A4 less the 14 mm page margins, at 96 dpi
    ] as const) {
      const { page, problems } = await open(file);
      await page.setViewportSize({ width, height: 900 });
      await page.emulateMedia({ media });
      expect(await page.evaluate(overflow), `${media} at ${width}px`).toEqual([]);
      expect(problems).toEqual([]);
      await page.close();
    }
    const { page } = await open(file);
    const fix = await page.locator("#findings p.fix").first();
    expect(await fix.innerText()).not.toContain("`");
    expect(await fix.locator("code").count()).toBeGreaterThan(0);
    await page.close();
  });

  it("renders the report of manifests/ with every key section; saves a screenshot and a PDF", async () => {
    const report = await audit(["manifests"], { now: NOW, profile: "production" });
    mkdirSync(ARTIFACTS, { recursive: true });
    const file = join(ARTIFACTS, "evidence-report.html");
    writeFileSync(file, renderEvidencePackage(report, { paths: ["manifests"] }).files["report.html"]!);
    const { page, problems } = await open(file);
    const headings = await page.locator("h2").allInnerTexts();
    expect(headings).toEqual([
      "Summary",
      "Limitations",
      "Scope and inputs",
      "Population",
      "Control matrix: SOC 2 Trust Services Criteria",
      "Control matrix: ISO/IEC 27001:2022 Annex A",
      "Controls",
      "Configuration of each control",
      "Exceptions",
      "Failures",
      "Waiver register",
      "Tool identity and verification",
    ]);
    await expect(page.locator(".verdict").innerText()).resolves.toContain("PASS");
    // The first page says loudly that this package is not signed.
    await expect(page.locator("header.cover p.custody.bad").innerText()).resolves.toMatch(/^Unsigned package:/);
    expect(await page.locator("#exceptions tbody tr").first().innerText()).toContain("WVR-0001");
    expect(await page.locator("#waivers tbody tr").first().innerText()).toContain("WVR-0001");
    expect(await page.locator("#matrix-soc2 tbody tr").count()).toBeGreaterThan(10);
    const charts = await page.locator('figure.chart svg[role="img"]').evaluateAll((svgs) => svgs.map((s) => s.getAttribute("aria-label")));
    expect(charts).toHaveLength(2);
    expect(charts[0]).toMatch(/SOC 2: \d+ automated checks passed, \d+ passed with exceptions/);
    expect(problems).toEqual([]);
    await page.screenshot({ path: join(ARTIFACTS, "evidence-report.png"), fullPage: false });
    await page.emulateMedia({ media: "print" });
    const pdf = await page.pdf({ path: join(ARTIFACTS, "evidence-report.pdf"), format: "A4", printBackground: true });
    expect(pdf.subarray(0, 5).toString()).toBe("%PDF-");
    await page.close();
  });
});
