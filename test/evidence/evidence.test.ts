import { generateKeyPairSync } from "node:crypto";
import { appendFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, unlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Ajv } from "ajv";
import addFormatsImport from "ajv-formats";
import { parse } from "yaml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { audit } from "../../src/audit.js";
import { buildProgram } from "../../src/cli/main.js";
import { loadCatalog } from "../../src/catalog/load.js";
import {
  createEvidencePackage,
  csvCell,
  FRAMEWORK_IDS,
  gitState,
  loadFramework,
  renderEvidencePackage,
  uuidv5,
  verifyEvidencePackage,
  type Evidence,
  type EvidencePackage,
} from "../../src/evidence/index.js";
import { tempTree } from "../helpers/tmp.js";
import { HOSTILE_MANIFEST, HOSTILE_WAIVERS, JS_URL } from "./fixtures.js";

const addFormats = addFormatsImport as unknown as (ajv: Ajv) => Ajv;
const NOW = new Date("2026-01-01T00:00:00Z");
const dirs: string[] = [];
const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), "erlmcp-evidence-"));
  dirs.push(d);
  return d;
};
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

const keys = generateKeyPairSync("ed25519");
const privatePem = keys.privateKey.export({ type: "pkcs8", format: "pem" }).toString();
const publicPem = keys.publicKey.export({ type: "spki", format: "pem" }).toString();

const readPackage = (dir: string) => Object.fromEntries(readdirSync(dir).map((f) => [f, readFileSync(join(dir, f))]));
const criterion = (e: Evidence, fw: string, id: string) => e.frameworks.find((f) => f.id === fw)!.criteria.find((c) => c.id === id)!;

describe("evidence package of manifests/", () => {
  let dir: string;
  let pkg: EvidencePackage;
  beforeAll(async () => {
    dir = tempDir();
    pkg = await createEvidencePackage(["manifests"], dir, { now: NOW, profile: "production", signKey: privatePem });
  });

  it("writes every file, and the OSCAL assessment-results validate against the OSCAL 1.1.3 schema", () => {
    expect(readdirSync(dir).sort()).toEqual([
      "assessment-results.json",
      "controls.csv",
      "evidence.json",
      "findings.csv",
      "manifest.json",
      "manifest.sig",
      "report.html",
    ]);
    const ajv = addFormats(new Ajv({ unicodeRegExp: true, strict: false, allErrors: true }));
    const validate = ajv.compile(JSON.parse(readFileSync("test/schemas/oscal_complete_schema-1.1.3.json", "utf8")));
    const oscal = JSON.parse(readFileSync(join(dir, "assessment-results.json"), "utf8"));
    expect(validate(oscal), JSON.stringify(validate.errors?.slice(0, 5))).toBe(true);
    const result = oscal["assessment-results"].results[0];
    const risk = result.risks.find((r: { title: string }) => r.title.startsWith("Waiver WVR-0001"));
    expect(risk).toMatchObject({ status: "deviation-approved", deadline: "2027-05-31T23:59:59Z" });
    expect(risk["related-observations"].length).toBeGreaterThan(0);
    const cc61 = result.findings.find((f: { target: { "target-id": string } }) => f.target["target-id"] === "CC6.1");
    expect(cc61.target.status.state).toBe("satisfied");
    expect(oscal["assessment-results"]["back-matter"].resources.map((r: { title: string }) => r.title)).toContain(
      "manifests/standalone/workload.yaml",
    );
  });

  it("maps every criterion our controls name, with status, basis and rationale", () => {
    const e = pkg.evidence;
    for (const control of loadCatalog())
      for (const fw of FRAMEWORK_IDS)
        for (const m of control.frameworks[fw])
          expect(
            loadFramework(fw).criteria.map((c) => c.id),
            `${control.id} → ${m.id}`,
          ).toContain(m.id);
    // The public edge's exposure is waived (WVR-0001): the criterion passed its checks with that exception, listed.
    expect(criterion(e, "soc2", "CC6.6")).toMatchObject({ status: "met-with-exceptions", automated: "satisfied" });
    expect(criterion(e, "soc2", "CC6.6").exceptions).toEqual([
      expect.objectContaining({ waiver: "WVR-0001", controlId: "net-external-exposure", approver: expect.any(String), ticket: "SEC-1423" }),
    ]);
    expect(criterion(e, "soc2", "CC6.6").exceptions[0]!.findings).toBeGreaterThan(0);
    expect(criterion(e, "soc2", "CC6.6").controls.find((c) => c.id === "net-default-deny")).toMatchObject({ basis: ["A", "J"] });
    expect(criterion(e, "soc2", "CC8.1")).toMatchObject({ status: "needs-external-evidence", automated: "satisfied" });
    expect(criterion(e, "soc2", "A1.3")).toMatchObject({ status: "needs-external-evidence", automated: "none", controls: [] });
    expect(criterion(e, "iso27001", "A.5.1").status).toBe("needs-external-evidence");
    expect(e.reconciliation.resources).toBe(pkg.report.summary.resources);
    expect(e.scope.git?.commit).toMatch(/^[0-9a-f]{40}$/);
    const csv = readFileSync(join(dir, "controls.csv"), "utf8");
    expect(csv.split("\r\n")[0]).toBe(
      '"framework","criterion","criterion_title","criterion_status","control_id","control_title","control_status","basis","rationale","external_evidence","disabled_by_config"',
    );
    expect(csv).toContain('"soc2","A1.3","Recovery procedures are tested","needs-external-evidence","","","","",""');
  });

  it("verifies, with and without the public key, and names every changed, missing or extra file", () => {
    expect(verifyEvidencePackage(dir)).toMatchObject({ ok: true, signature: "unchecked", files: 5 });
    expect(verifyEvidencePackage(dir, { publicKey: publicPem })).toMatchObject({ ok: true, signature: "valid" });
    const other = generateKeyPairSync("ed25519").publicKey;
    expect(verifyEvidencePackage(dir, { publicKey: other })).toMatchObject({ ok: false, signature: "invalid" });

    const copy = (mutate: (d: string) => void) => {
      const d = tempDir();
      for (const [f, data] of Object.entries(readPackage(dir))) writeFileSync(join(d, f), data);
      mutate(d);
      return verifyEvidencePackage(d, { publicKey: publicPem });
    };
    const flipped = copy((d) => {
      const html = readFileSync(join(d, "report.html"));
      html.writeUInt8(html.readUInt8(html.length - 2) ^ 1, html.length - 2);
      writeFileSync(join(d, "report.html"), html);
    });
    expect(flipped.ok).toBe(false);
    expect(flipped.errors.join()).toContain("report.html: changed");
    expect(copy((d) => appendFileSync(join(d, "findings.csv"), "\n")).errors.join()).toContain("findings.csv: changed");
    expect(copy((d) => unlinkSync(join(d, "controls.csv"))).errors).toEqual(["controls.csv: missing"]);
    expect(copy((d) => writeFileSync(join(d, "notes.txt"), "")).errors).toEqual(["notes.txt: not in the manifest"]);
    expect(copy((d) => unlinkSync(join(d, "manifest.sig"))).ok).toBe(false);
    const reSigned = copy((d) => {
      const manifest = JSON.parse(readFileSync(join(d, "manifest.json"), "utf8"));
      manifest.files[0].bytes++;
      writeFileSync(join(d, "manifest.json"), JSON.stringify(manifest));
    });
    expect(reSigned).toMatchObject({ ok: false, signature: "invalid" });
  });

  it("is byte-identical across runs with the same audit date, signature included", async () => {
    const again = tempDir();
    await createEvidencePackage(["manifests"], again, { now: NOW, profile: "production", signKey: privatePem });
    expect(readPackage(again)).toEqual(readPackage(dir));
    const later = renderEvidencePackage(await audit(["manifests"], { now: new Date("2026-02-01T00:00:00Z"), profile: "production" }), {
      paths: ["manifests"],
    });
    expect(later.evidence.id).not.toBe(pkg.evidence.id);
    expect(readFileSync(join(dir, "evidence.json"), "utf8")).not.toMatch(/\/(tmp|root|home|work)\//);
  });
});

describe("evidence of a failing, hostile manifest set", () => {
  const root = tempTree({ "app/shop.yaml": HOSTILE_MANIFEST, "waivers.yaml": HOSTILE_WAIVERS });
  let pkg: EvidencePackage;
  beforeAll(async () => {
    const report = await audit([join(root, "app")], { now: NOW, config: false, waivers: [join(root, "waivers.yaml")], cwd: root });
    pkg = renderEvidencePackage(report, { paths: ["app"], frameworks: ["soc2"] });
  });

  it("reports failing criteria as not satisfied, even where external evidence is also needed", () => {
    expect(pkg.evidence.frameworks.map((f) => f.id)).toEqual(["soc2"]);
    expect(criterion(pkg.evidence, "soc2", "CC6.8")).toMatchObject({ status: "not-satisfied", automated: "not-satisfied" });
    expect(criterion(pkg.evidence, "soc2", "CC8.1").status).toBe("not-satisfied");
    expect(pkg.report.summary.exitCode).toBe(1);
  });

  it("writes findings.csv with file:line and defuses spreadsheet formulas", () => {
    const rows = pkg.files["findings.csv"]!.split("\r\n");
    const hostNetwork = rows.find((r) => r.startsWith('"pod-no-host-access"'))!;
    expect(hostNetwork).toContain(`"'=HYPERLINK(""${JS_URL}"")"`);
    expect(hostNetwork).toMatch(/"app\/shop\.yaml:\d+:\d+"/);
    expect(csvCell("-1+2")).toBe(`"'-1+2"`);
    expect(csvCell('a "b"')).toBe(`"a ""b"""`);
  });

  it("escapes every manifest-derived string in report.html", () => {
    const html = pkg.files["report.html"]!;
    expect(html).not.toMatch(/<script|<img|<svg onload|<b |<a (?!href="#[a-z0-9-]+")/i);
    expect(html).not.toMatch(/href="javascript/i);
    expect(html).toContain("edge&lt;script&gt;window.__pwned=1&lt;/script&gt;");
    expect(html).toContain("Content-Security-Policy");
  });
});

describe("helpers", () => {
  it("derives RFC 9562 UUID v5", () => {
    expect(uuidv5("www.example.com", "6ba7b810-9dad-11d1-80b4-00c04fd430c8")).toBe("2ed6657d-e927-568b-95e1-2665a8aea6a2");
  });

  it("records the Git commit only inside a repository", () => {
    expect(gitState(["manifests"], process.cwd())?.commit).toMatch(/^[0-9a-f]{40}$/);
    expect(gitState(["."], tempDir())).toBeUndefined();
  });

  it("keeps the framework lists to IDs and short titles", () => {
    for (const fw of FRAMEWORK_IDS) {
      const raw = parse(readFileSync(`policies/_frameworks/${fw === "soc2" ? "soc2" : "iso27001-2022"}.yaml`, "utf8"));
      for (const c of raw.criteria) expect(c.title.length, c.id).toBeLessThanOrEqual(80);
    }
  });
});

describe("CLI", () => {
  const runCli = async (argv: string[]) => {
    const out: string[] = [];
    const err: string[] = [];
    let code = 0;
    await buildProgram(argv, { stdout: (s) => out.push(s), stderr: (s) => err.push(s), setExit: (c) => (code = c) }).parseAsync(argv, {
      from: "user",
    });
    return { code, out: out.join(""), err: err.join("") };
  };

  it("writes a signed package with the key from the environment, verifies it and fails on tampering", async () => {
    const dir = tempDir();
    const keyFile = join(tempDir(), "key.pem");
    const pubFile = join(tempDir(), "key.pub.pem");
    writeFileSync(keyFile, privatePem);
    writeFileSync(pubFile, publicPem);
    process.env.ERLMCP_AUDIT_SIGN_KEY = keyFile;
    const made = await runCli(["evidence", "manifests/standalone", "--out", dir, "--framework", "iso27001", "--no-git"]).finally(
      () => delete process.env.ERLMCP_AUDIT_SIGN_KEY,
    );
    expect(made.code).toBe(0);
    expect(made.out).toContain("(signed)");
    const evidence = JSON.parse(readFileSync(join(dir, "evidence.json"), "utf8")) as Evidence;
    expect(evidence.frameworks.map((f) => f.id)).toEqual(["iso27001"]);
    expect(evidence.scope.git).toBeUndefined();
    expect(await runCli(["verify", dir, "--public-key", pubFile])).toMatchObject({
      code: 0,
      out: expect.stringContaining("signature valid"),
    });
    writeFileSync(join(dir, "extra.json"), "{}");
    const failed = await runCli(["verify", dir]);
    expect(failed.code).toBe(1);
    expect(failed.err).toContain("extra.json: not in the manifest");
  });

  it("refuses to write into a folder holding other files", async () => {
    const dir = tempDir();
    writeFileSync(join(dir, "keep.txt"), "mine");
    await expect(runCli(["evidence", "manifests/standalone", "--out", dir])).rejects.toThrow(/keep\.txt/);
  });
});
