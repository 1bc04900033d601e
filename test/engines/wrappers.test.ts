/**
 * Kyverno and the test cluster's engines (etcd, kube-apiserver, kube-controller-manager) build from wrapper
 * modules committed in scripts/engines/<tool>-wrapper: each go.mod requires the version pinned in
 * scripts/install-engines.sh, and its go.sum covers every module of the build, so the installer builds
 * with -mod=readonly and never resolves anything (`go mod tidy`) at install time.
 */
import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { describe, expect, it } from "vitest";

const SCRIPTS = join(__dirname, "../../scripts");
const GO = ["/usr/local/go/bin/go", "/usr/bin/go"].find((g) => spawnSync(g, ["version"]).status === 0) ?? "go";

/** The `tool|version|package|…` pins of scripts/install-engines.sh. */
function installerPin(tool: string): { version: string; pkg: string } {
  const line = readFileSync(join(SCRIPTS, "install-engines.sh"), "utf8")
    .split("\n")
    .find((l) => l.trim().startsWith(`"${tool}|`));
  if (!line) throw new Error(`scripts/install-engines.sh pins no ${tool}`);
  const [, version, pkg] = line.trim().replace(/^"|"$/g, "").split("|");
  return { version: version!, pkg: pkg! };
}

const WRAPPERS = [
  { tool: "kyverno", module: "github.com/kyverno/kyverno" },
  { tool: "etcd", module: "go.etcd.io/etcd/server/v3" },
  { tool: "kube-apiserver", module: "k8s.io/kubernetes" },
  { tool: "kube-controller-manager", module: "k8s.io/kubernetes" },
];

describe.each(WRAPPERS)("the committed $tool wrapper module", ({ tool, module }) => {
  const dir = join(SCRIPTS, "engines", `${tool}-wrapper`);
  const { version, pkg } = installerPin(tool);

  it("requires the pinned version, and for Kubernetes every staging module at its release", () => {
    const goMod = readFileSync(join(dir, "go.mod"), "utf8");
    expect(goMod).toContain(`\nrequire ${module} ${version}\n`);
    expect(readFileSync(join(dir, "tools.go"), "utf8")).toContain(`import _ "${pkg}"`);
    if (module === "k8s.io/kubernetes") {
      const staging = version.replace(/^v1\./, "v0.");
      for (const m of ["api", "apiserver", "client-go", "kube-controller-manager"])
        expect(goMod).toContain(`\tk8s.io/${m} => k8s.io/${m} ${staging}\n`);
    }
  });

  it("loads every package of the build with -mod=readonly: go.sum is complete, nothing to tidy", () => {
    const copy = mkdtempSync(join(tmpdir(), `erlmcp-audit-${tool}-`));
    try {
      cpSync(dir, copy, { recursive: true });
      const r = spawnSync(GO, ["list", "-deps", pkg], {
        cwd: copy,
        encoding: "utf8",
        env: { ...process.env, GOFLAGS: "-mod=readonly", GOTOOLCHAIN: "local" },
        maxBuffer: 64 * 1024 * 1024,
      });
      expect(r.stderr).toBe("");
      expect(r.status).toBe(0);
      expect(r.stdout.split("\n")).toContain(pkg);
      expect(readFileSync(join(copy, "go.sum"), "utf8")).toBe(readFileSync(join(dir, "go.sum"), "utf8"));
      expect(readFileSync(join(copy, "go.mod"), "utf8")).toBe(readFileSync(join(dir, "go.mod"), "utf8"));
    } finally {
      rmSync(copy, { recursive: true, force: true });
    }
  }, 180_000);
});

describe("install-engines.sh with a wrapper module that does not match the pin", () => {
  it("refuses to build and names the command that re-resolves it", () => {
    const copy = mkdtempSync(join(tmpdir(), "erlmcp-audit-wrapper-pin-"));
    try {
      cpSync(join(SCRIPTS, "install-engines.sh"), join(copy, "scripts/install-engines.sh"));
      cpSync(join(SCRIPTS, "engines"), join(copy, "scripts/engines"), { recursive: true });
      const goMod = join(copy, "scripts/engines/etcd-wrapper/go.mod");
      const { version } = installerPin("etcd");
      writeFileSync(
        goMod,
        readFileSync(goMod, "utf8").replace(`require go.etcd.io/etcd/server/v3 ${version}`, "require go.etcd.io/etcd/server/v3 v3.5.0"),
      );
      const r = spawnSync("bash", [join(copy, "scripts/install-engines.sh"), "etcd"], {
        encoding: "utf8",
        // Only Go and the system tools on PATH: no etcd at the pin to fall back on.
        env: { ...process.env, PATH: `${dirname(GO)}:/usr/bin:/bin`, ERLMCP_AUDIT_ENGINES_DIR: join(copy, "engines") },
      });
      expect(r.status).toBe(3);
      expect(r.stderr).toContain(`does not require go.etcd.io/etcd/server/v3 ${version}; run scripts/install-engines.sh --resolve etcd`);
      expect(existsSync(join(copy, "engines/bin/etcd"))).toBe(false);
    } finally {
      rmSync(copy, { recursive: true, force: true });
    }
  });
});
