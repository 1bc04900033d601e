import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { PACKAGE_ROOT } from "../../src/paths.js";
import { CONFIGMAP, tempTree } from "../helpers/tmp.js";

beforeAll(() => {
  if (!existsSync(join(PACKAGE_ROOT, "dist/cli/main.js"))) throw new Error("dist/ is missing: run `npm run build` first");
});

describe("the built CLI with an invalid config", () => {
  it("exits 2 and prints every problem as file:line:column: key: problem", () => {
    const root = tempTree({
      "erlmcp-audit.config.yaml": 'profile: production\ncontrols:\n  avl-quorum-replicas: { params: { minReplicas: "three", bogus: 1 } }\n',
      "cm.yaml": CONFIGMAP("settings"),
    });
    const r = spawnSync(process.execPath, [join(PACKAGE_ROOT, "bin/erlmcp-audit.js"), ".", "--quiet"], { cwd: root, encoding: "utf8" });
    expect(r.status, r.stderr).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr).toContain(
      'erlmcp-audit.config.yaml:3:36: controls.avl-quorum-replicas.params.minReplicas: must be an integer, got "three"',
    );
    expect(r.stderr).toContain("erlmcp-audit.config.yaml:3:58: controls.avl-quorum-replicas.params.bogus: unknown parameter 'bogus'");
  });

  it("keeps input-borne terminal escapes and workflow commands out of its error lines", () => {
    const name = "bad\u001b[31m\n::error::owned.yaml";
    const root = tempTree({ "cm.yaml": CONFIGMAP("settings") });
    const r = spawnSync(process.execPath, [join(PACKAGE_ROOT, "bin/erlmcp-audit.js"), ".", "--quiet", "--baseline", name], {
      cwd: root,
      encoding: "utf8",
    });
    expect(r.status, r.stderr).toBe(2);
    expect(r.stderr).toContain("bad\\x1B[31m");
    expect(r.stderr).not.toContain("\u001b");
    expect(r.stderr.split("\n").some((line) => line.startsWith("::"))).toBe(false);
  });
});
