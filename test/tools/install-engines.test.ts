/**
 * scripts/install-engines.sh needs Go only to build: engines already built, or on PATH at their
 * pinned versions, are kept without Go; a missing or too old Go gets a hint that works on Debian.
 */
import { spawnSync } from "node:child_process";
import { appendFileSync, chmodSync, copyFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { createHash } from "node:crypto";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const SCRIPT = join(__dirname, "../../scripts/install-engines.sh");
const ENGINES = process.env.ERLMCP_AUDIT_ENGINES_DIR ?? "/root/.cache/erlmcp-audit/engines";
/** A PATH with the system tools and no Go (Go lives in /usr/local/go/bin on this image). */
const NO_GO = "/usr/bin:/bin";

function install(args: string[], env: Record<string, string>) {
  const r = spawnSync("bash", [SCRIPT, ...args], { encoding: "utf8", env: { HOME: process.env.HOME ?? "/root", ...env } });
  return { code: r.status, out: r.stdout + r.stderr };
}
const emptyDir = () => mkdtempSync(join(tmpdir(), "erlmcp-audit-engines-"));

describe("install-engines.sh without Go", () => {
  it("keeps the engines already built in the cache", () => {
    const r = install([], { PATH: NO_GO, ERLMCP_AUDIT_ENGINES_DIR: ENGINES });
    expect(r.out).toMatch(/^ok {6}helm v3\.22\.0/m);
    expect(r.code).toBe(0);
  });

  it("uses engines on PATH that report the pinned version", () => {
    const r = install(["opa", "helm", "kustomize"], { PATH: `${ENGINES}/bin:${NO_GO}`, ERLMCP_AUDIT_ENGINES_DIR: emptyDir() });
    expect(r.out).toContain(`ok      kustomize v5.8.1  ${ENGINES}/bin/kustomize (PATH)`);
    expect(r.code).toBe(0);
  });

  it("does not take an engine on PATH at another version, and says how to get Go on Debian", () => {
    const fake = emptyDir();
    writeFileSync(join(fake, "helm"), "#!/bin/sh\necho v3.11.0\n");
    chmodSync(join(fake, "helm"), 0o755);
    const r = install(["helm"], { PATH: `${fake}:${NO_GO}`, ERLMCP_AUDIT_ENGINES_DIR: emptyDir() });
    expect(r.code).toBe(3);
    expect(r.out).toContain("Go is needed to build helm v3.22.0 and is not installed");
    expect(r.out).toContain("https://go.dev/dl");
    expect(r.out).toContain("Debian's golang package is Go 1.19");
  });

  it("refuses a Go older than 1.26 before building, naming its version", () => {
    const fake = emptyDir();
    writeFileSync(join(fake, "go"), '#!/bin/sh\n[ "$1 $2" = "env GOVERSION" ] && echo go1.19.8\n');
    chmodSync(join(fake, "go"), 0o755);
    const r = install(["helm"], { PATH: `${fake}:${NO_GO}`, ERLMCP_AUDIT_ENGINES_DIR: emptyDir() });
    expect(r.code).toBe(3);
    expect(r.out).toContain("Go 1.19.8 is installed; building helm v3.22.0 needs Go >= 1.26");
  });
});

describe("engines.lock", () => {
  /** A cache holding a copy of the real opa. */
  const cacheWithOpa = () => {
    const cache = emptyDir();
    mkdirSync(join(cache, "bin"));
    copyFileSync(join(ENGINES, "bin/opa"), join(cache, "bin/opa"));
    return cache;
  };

  it("records the SHA-256 of each engine it keeps or builds, beside the cache", () => {
    const cache = cacheWithOpa();
    expect(install(["opa"], { PATH: NO_GO, ERLMCP_AUDIT_ENGINES_DIR: cache }).code).toBe(0);
    const digest = createHash("sha256")
      .update(readFileSync(join(cache, "bin/opa")))
      .digest("hex");
    expect(readFileSync(join(cache, "engines.lock"), "utf8")).toBe(`opa\tv1.22.3\t${digest}\n`);
  });

  it("refuses an engine that is no longer the recorded binary", () => {
    const cache = cacheWithOpa();
    expect(install(["opa"], { PATH: NO_GO, ERLMCP_AUDIT_ENGINES_DIR: cache }).code).toBe(0);
    appendFileSync(join(cache, "bin/opa"), "tampered");
    const r = install(["opa"], { PATH: NO_GO, ERLMCP_AUDIT_ENGINES_DIR: cache });
    expect(r.code).toBe(3);
    expect(r.out).toContain("is not the binary recorded in");
  });
});
