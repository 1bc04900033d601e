/**
 * The published CRDs the test cluster serves custom kinds with (scripts/engines/crds.lock): a missing or
 * altered installed file is refused by name, never used; scripts/install-crds.sh replaces an altered one
 * with the pinned bytes from the Go module proxy.
 */
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { describe, expect, it } from "vitest";
import { PACKAGE_ROOT } from "../../src/paths.js";
import { installedPath, pinnedCrdFiles, publishedCrds } from "../helpers/published-crds.js";
import { tempTree } from "../helpers/tmp.js";

const INSTALL = join(PACKAGE_ROOT, "scripts", "install-crds.sh");
const goInstalled = (() => {
  try {
    execFileSync("go", ["version"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
})();

describe("published CRDs of the test cluster", () => {
  const [first] = pinnedCrdFiles();

  it("pins every file with a module version and a SHA-256", () => {
    expect(pinnedCrdFiles().length).toBeGreaterThan(10);
    for (const file of pinnedCrdFiles()) {
      expect(file.module).toMatch(/^[a-z0-9.-]+(\/[\w.-]+)*@v\d+\.\d+\.\d+$/);
      expect(file.sha256).toMatch(/^[0-9a-f]{64}$/);
    }
  });

  it("a file not installed is an error naming it and the install command", () => {
    const env = { ERLMCP_AUDIT_ENGINES_DIR: tempTree({}) };
    expect(() => publishedCrds(env)).toThrow(`${installedPath(first!, env)} is not installed: run scripts/install-engines.sh --cluster`);
  });

  it("an installed file whose SHA-256 differs from the pin is refused, not parsed", () => {
    const dir = tempTree({});
    const env = { ERLMCP_AUDIT_ENGINES_DIR: dir };
    const path = installedPath(first!, env);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\n");
    expect(() => publishedCrds(env)).toThrow(`${path} has SHA-256`);
    expect(() => publishedCrds(env)).toThrow(`crds.lock pins ${first!.sha256}`);
  });

  it.runIf(goInstalled)(
    "scripts/install-crds.sh installs the pinned files and replaces an altered one with the pinned bytes",
    () => {
      const env = { ...process.env, ERLMCP_AUDIT_ENGINES_DIR: tempTree({}) };
      execFileSync("bash", [INSTALL], { env, stdio: "pipe" });
      const altered = installedPath(first!, env);
      writeFileSync(altered, "tampered\n");
      const out = execFileSync("bash", [INSTALL], { env, encoding: "utf8" });
      expect(out).toContain(`fetched crd ${first!.name} ${first!.path.split("/").pop()}`);
      expect(out.match(/^ok {6}crd /gm)).toHaveLength(pinnedCrdFiles().length - 1);
      expect(createHash("sha256").update(readFileSync(altered)).digest("hex")).toBe(first!.sha256);
      expect(publishedCrds(env).get("security.istio.io/PeerAuthentication")?.source).toMatch(/^istio\.io\/api@/);
    },
    300_000,
  );
});
