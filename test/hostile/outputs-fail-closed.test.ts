/**
 * Hostile data in the outputs and the evidence package. Terminal escapes, CR, a bidi override, CI
 * workflow commands, Markdown links and mentions planted in the input beside a privileged container
 * must not act on a terminal, a CI log or a pull-request comment, nor hide the finding. The evidence
 * writer never writes through a symbolic link and reads Git without running what the audited
 * repository configures; `verify` keeps to the package folder and says when nobody checked the
 * signature.
 */
import { execFileSync } from "node:child_process";
import { createHash, generateKeyPairSync } from "node:crypto";
import {
  chmodSync,
  cpSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";
import { parse as parseJunit } from "junit2json";
import { beforeAll, describe, expect, it } from "vitest";
import type { Evidence } from "../../src/evidence/index.js";
import type { AuditReport } from "../../src/report/types.js";
import { runCli } from "../helpers/cli.js";
import { CONFIGMAP, tempTree } from "../helpers/tmp.js";

// YAML double-quoted escapes: \e ESC, \a BEL, \x9B the one-byte CSI, \u202E RIGHT-TO-LEFT OVERRIDE.
const PLANTED =
  "busybox:1.36\\e[2J\\e]8;;https://evil.example\\a\\x9B31m\\r\\n::error file=x::pwned\\u202E " +
  "[click](https://evil.example) ![i](https://evil.example/i.png) <img src=x onerror=alert(1)> @attacker #1 www.evil.example ##[add-mask]x";
const PRIVILEGED = `apiVersion: v1
kind: Pod
metadata:
  name: evil
  namespace: erlmcp
spec:
  containers:
    - name: shell
      image: "${PLANTED}"
      securityContext:
        privileged: true
`;
const HOSTILE_DIR = "x\u001b[31m\r::error::pwned\u202e";
// eslint-disable-next-line no-control-regex
const RAW_CONTROL = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F\u202A-\u202E\u2066-\u2069]/;

const root = tempTree({ "good/cm.yaml": CONFIGMAP("survivor"), [`case/${HOSTILE_DIR}/pod.yaml`]: PRIVILEGED });
const INPUTS = [join(root, "case"), join(root, "good")];
const ARGS = ["--no-config", "--controls", "pod-no-host-access,chg-image-digest"];

const auditAs = (format: string) => runCli([...INPUTS, ...ARGS, "--format", format]);
const privilegedFinding = (r: AuditReport) =>
  r.findings.filter((f) => f.controlId === "pod-no-host-access" && f.status === "fail" && f.resource.name === "evil");

describe("outputs: planted escapes, workflow commands and Markdown stay inert", () => {
  let report: AuditReport;
  beforeAll(async () => {
    const r = await auditAs("json");
    expect(r.code, r.stderr).toBe(1);
    report = JSON.parse(r.stdout) as AuditReport;
  });

  it("the privileged container is reported and the good manifest audited; JSON keeps the data, escaped", async () => {
    expect(privilegedFinding(report)).toHaveLength(1);
    expect(report.units.flatMap((u) => u.resources.map((r) => r.name))).toContain("survivor");
    const digest = report.findings.find((f) => f.controlId === "chg-image-digest")!;
    expect(digest.message).toContain("\u001b[2J"); // the machine-readable report keeps the data as it is
    for (const format of ["json", "sarif", "codequality"]) {
      const r = await auditAs(format);
      expect(r.code).toBe(1);
      expect(r.stdout, format).not.toMatch(RAW_CONTROL);
      expect(() => JSON.parse(r.stdout)).not.toThrow();
    }
  });

  it("text: one line per finding, no raw control character, no line a CI runner would execute", async () => {
    const { code, stdout } = await auditAs("text");
    expect(code).toBe(1);
    expect(stdout).not.toMatch(RAW_CONTROL);
    const lines = stdout.trimEnd().split("\n");
    for (const line of lines) {
      expect(line).not.toMatch(/^\s*::/);
      expect(line).not.toMatch(/##[a-z]*\[/i);
    }
    expect(lines.filter((l) => /^ {2}\S+:\d+(:\d+)? {2}(CRITICAL|HIGH|MEDIUM|LOW) {2}/.test(l))).toHaveLength(report.findings.length);
    expect(lines.filter((l) => l.includes("::error file=x::pwned"))).toHaveLength(1);
    expect(stdout).toContain("\\x1B[2J");
    expect(stdout).toContain("\\u202E");
    expect(stdout).toMatch(/^ {2}\S+:\d+(:\d+)? {2}CRITICAL {2}pod-no-host-access {2}Container shell runs `privileged: true`\.$/m);
    expect(lines.find((l) => l.includes("Container shell runs `privileged: true`."))).toBeDefined();
    expect(stdout).toMatch(/^FAIL /m);
  });

  it("github: only our own annotations are commands, one per finding, with the data escaped inside", async () => {
    const { code, stdout } = await auditAs("github");
    expect(code).toBe(1);
    expect(stdout).not.toMatch(RAW_CONTROL);
    const lines = stdout.trimEnd().split("\n");
    const commands = lines.filter((l) => /^\s*::/.test(l));
    expect(commands).toHaveLength(report.findings.length);
    for (const c of commands) expect(c).toMatch(/^::(error|warning|notice) (file=[^:,]*,)?(line=\d+,)?(col=\d+,)?title=[^:,]*::/);
    expect(lines.filter((l) => !/^::/.test(l))).toEqual([expect.stringMatching(/^erlmcp-audit FAIL: /)]);
    expect(commands.filter((c) => /title=pod-no-host-access \(critical\)::Pod erlmcp\/evil: /.test(c))).toHaveLength(1);
    expect(stdout).not.toMatch(/##[a-z]*\[/i);
  });

  it("markdown: no link, image, HTML, mention or issue reference from the input", async () => {
    const { code, stdout } = await auditAs("markdown");
    expect(code).toBe(1);
    expect(stdout).not.toMatch(RAW_CONTROL);
    expect(stdout).not.toMatch(/\]\(|https:\/\/evil|www\.evil|<img/);
    expect(stdout).not.toMatch(/(?<!<code>)[@#](attacker|1\b)/);
    expect(stdout).toContain("<code>@</code>attacker");
    for (const line of stdout.split("\n")) expect(line).not.toMatch(/^\s*::/);
    expect(stdout).toMatch(/<b>pod-no-host-access<\/b> \(critical\) .* 1 failing<\/summary>/);
  });

  it("junit: well-formed XML with no raw control character, the failure still there", async () => {
    const { code, stdout } = await auditAs("junit");
    expect(code).toBe(1);
    expect(stdout).not.toMatch(RAW_CONTROL);
    const parsed = (await parseJunit(stdout)) as { failures?: number };
    expect(parsed.failures).toBeGreaterThanOrEqual(2);
  });
});

describe("evidence --out: never written through a symbolic link", () => {
  const evidence = (out: string) => runCli(["evidence", ...INPUTS, "--out", out, "--no-git"]);

  it("refuses an --out folder that is a symbolic link, and writes nothing through it", async () => {
    mkdirSync(join(root, "real"));
    symlinkSync(join(root, "real"), join(root, "link"));
    const r = await evidence(join(root, "link"));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/link is a symbolic link: refusing to write through it/);
    expect(readdirSync(join(root, "real"))).toEqual([]);
    symlinkSync(join(root, "nowhere"), join(root, "dangling"));
    expect((await evidence(join(root, "dangling"))).code).toBe(2);
    expect(existsSync(join(root, "nowhere"))).toBe(false);
  });

  it("refuses a package file that is a symbolic link, and leaves its target alone", async () => {
    const out = join(root, "out-with-link");
    expect((await evidence(out)).code).toBe(1);
    writeFileSync(join(root, "victim.txt"), "keep me");
    rmSync(join(out, "report.html"));
    symlinkSync(join(root, "victim.txt"), join(out, "report.html"));
    const r = await evidence(out);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/report\.html is a symbolic link/);
    expect(readFileSync(join(root, "victim.txt"), "utf8")).toBe("keep me");
  });
});

describe("evidence: Git metadata without running the audited repository's configuration", () => {
  const repo = tempTree({ "app/pod.yaml": PRIVILEGED.replace(PLANTED, "busybox:1.36"), "app/cm.yaml": CONFIGMAP("survivor") });
  const marker = join(repo, ".git", "executed");
  const git = (...args: string[]) =>
    execFileSync("git", ["-C", repo, "-c", "user.name=t", "-c", "user.email=t@example.com", "-c", "commit.gpgsign=false", ...args], {
      encoding: "utf8",
    }).trim();
  const evidenceOf = async (name: string) => {
    const r = await runCli(["evidence", join(repo, "app"), "--out", join(root, name)]);
    return { ...r, evidence: JSON.parse(readFileSync(join(root, name, "evidence.json"), "utf8")) as Evidence };
  };

  beforeAll(() => {
    git("init", "-q");
    git("add", ".");
    git("commit", "-qm", "manifests");
    const script = join(repo, ".git", "evil.sh");
    writeFileSync(script, `#!/bin/sh\necho "$0 $*" >> "${marker}"\ncat\n`);
    chmodSync(script, 0o755);
    git("config", "core.fsmonitor", script);
    git("config", "filter.evil=x.clean", script);
    git("config", "filter.evil=x.process", script);
    git("config", "core.hooksPath", join(repo, ".git", "hooks-evil"));
    mkdirSync(join(repo, ".git", "hooks-evil"));
    cpSync(script, join(repo, ".git", "hooks-evil", "post-index-change"));
    writeFileSync(join(repo, ".git", "info", "attributes"), "* filter=evil=x\n");
    // A changed timestamp makes `git status` hash the file again, through the clean filter.
    const later = new Date(Date.now() + 5_000);
    utimesSync(join(repo, "app", "pod.yaml"), later, later);
  });

  it("runs no fsmonitor, clean filter or hook of the audited repository", async () => {
    const { code, stderr } = await evidenceOf("evidence-git-1");
    expect(code, stderr).toBe(1);
    expect(existsSync(marker) ? readFileSync(marker, "utf8") : "nothing ran").toBe("nothing ran");
  });

  it("still records the commit and the worktree state", async () => {
    const { evidence } = await evidenceOf("evidence-git-2");
    expect(evidence.scope.git).toEqual({ commit: git("rev-parse", "HEAD"), dirty: false });
    writeFileSync(join(repo, "app", "cm.yaml"), CONFIGMAP("changed"));
    expect((await evidenceOf("evidence-git-3")).evidence.scope.git?.dirty).toBe(true);
    expect(existsSync(marker)).toBe(false);
  });
});

describe("verify: inside the folder, complete, and loud about an unchecked signature", () => {
  const keys = generateKeyPairSync("ed25519");
  const keyFile = join(root, "sign.pem");
  const pubFile = join(root, "sign.pub.pem");
  const fingerprint = createHash("sha256")
    .update(keys.publicKey.export({ type: "spki", format: "der" }))
    .digest("hex");
  const unsigned = join(root, "pkg-unsigned");
  const signed = join(root, "pkg-signed");
  beforeAll(async () => {
    writeFileSync(keyFile, keys.privateKey.export({ type: "pkcs8", format: "pem" }));
    writeFileSync(pubFile, keys.publicKey.export({ type: "spki", format: "pem" }));
    expect((await runCli(["evidence", ...INPUTS, "--out", unsigned, "--no-git"])).code).toBe(1);
    expect((await runCli(["evidence", ...INPUTS, "--out", signed, "--no-git", "--sign-key", keyFile])).code).toBe(1);
  });

  const tampered = (name: string, mutate: (dir: string, manifest: { files: object[] }) => void) => {
    const dir = join(root, name);
    cpSync(unsigned, dir, { recursive: true });
    const manifest = JSON.parse(readFileSync(join(dir, "manifest.json"), "utf8"));
    mutate(dir, manifest);
    writeFileSync(join(dir, "manifest.json"), JSON.stringify(manifest));
    return runCli(["verify", dir, "--allow-unverified"]);
  };

  it("an unsigned package is UNVERIFIED and fails, unless --allow-unverified", async () => {
    const strict = await runCli(["verify", unsigned]);
    expect(strict.code).toBe(1);
    expect(strict.stdout).toContain("signature UNVERIFIED: the package is not signed");
    expect(strict.stdout).toMatch(/^FAILED: 5 files intact, but nothing proves who produced them/m);
    const allowed = await runCli(["verify", unsigned, "--allow-unverified"]);
    expect(allowed).toMatchObject({ code: 0, stdout: expect.stringMatching(/^OK: 5 files intact \(signature UNVERIFIED/m) });
  });

  it("a signed package without a key is UNVERIFIED with the signer's fingerprint; with the key, the fingerprint checked", async () => {
    const noKey = await runCli(["verify", signed]);
    expect(noKey.code).toBe(1);
    expect(noKey.stdout).toContain(`signature UNVERIFIED: no --public-key given; the manifest names signer key SHA-256 ${fingerprint}`);
    expect((await runCli(["verify", signed, "--allow-unverified"])).code).toBe(0);
    const withKey = await runCli(["verify", signed, "--public-key", pubFile]);
    expect(withKey).toMatchObject({
      code: 0,
      stdout: expect.stringContaining(`signature valid, checked with public key SHA-256 ${fingerprint}`),
    });
    const other = join(root, "other.pub.pem");
    writeFileSync(other, generateKeyPairSync("ed25519").publicKey.export({ type: "spki", format: "pem" }));
    const wrongKey = await runCli(["verify", signed, "--public-key", other]);
    expect(wrongKey.code).toBe(1);
    expect(wrongKey.stdout).toContain("signature INVALID");
  });

  it("a manifest path outside the folder fails, and nothing outside is read as part of the package", async () => {
    const outside = "planted outside the package";
    writeFileSync(join(root, "x"), outside);
    const sha256 = createHash("sha256").update(outside).digest("hex");
    const dotdot = await tampered("pkg-dotdot", (_, m) => m.files.push({ path: "../x", sha256, bytes: outside.length }));
    expect(dotdot.code).toBe(1);
    expect(dotdot.stderr).toContain("../x: leaves the package folder");
    const absolute = await tampered("pkg-absolute", (_, m) => m.files.push({ path: join(root, "x"), sha256, bytes: outside.length }));
    expect(absolute.code).toBe(1);
    expect(absolute.stderr).toContain("an absolute path");
  });

  it("a symbolic link in the package fails even when its target has the right hash", async () => {
    const r = await tampered("pkg-link", (dir) => {
      cpSync(join(dir, "findings.csv"), join(root, "findings-copy.csv"));
      rmSync(join(dir, "findings.csv"));
      symlinkSync(join(root, "findings-copy.csv"), join(dir, "findings.csv"));
    });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("findings.csv: findings.csv is a symbolic link");
  });

  it("a required file dropped from both the folder and the manifest fails", async () => {
    const r = await tampered("pkg-incomplete", (dir, m) => {
      rmSync(join(dir, "report.html"));
      m.files = m.files.filter((f) => (f as { path: string }).path !== "report.html");
    });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("report.html: required, but not in the manifest");
  });

  it("a planted path is printed escaped", async () => {
    const r = await tampered("pkg-escape", (_, m) => m.files.push({ path: "\u001b[2J\u202eevil", sha256: "0".repeat(64), bytes: 0 }));
    expect(r.code).toBe(1);
    expect(r.stderr).not.toMatch(RAW_CONTROL);
    expect(r.stderr).toContain("\\x1B[2J\\u202Eevil: missing");
  });
});
