/**
 * Engines are verified before use: one in the cache must be the binary the installer recorded in
 * engines.lock; one on PATH must report its pinned version (or, when the user accepts it, warn).
 */
import { createHash } from "node:crypto";
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, statSync, utimesSync, writeFileSync, appendFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import {
  ALLOW_VERSION_MISMATCH_ENV,
  contentStamp,
  EngineUnverifiedError,
  EngineVersionMismatchError,
  findTool,
  TOOL_PINS,
  TOOL_VERSION_CHECKS,
  type ToolName,
} from "../../src/tools/find.js";
import { runCli } from "../helpers/cli.js";
import { tempTree } from "../helpers/tmp.js";

const REAL_ENGINES = process.env.ERLMCP_AUDIT_ENGINES_DIR ?? "/root/.cache/erlmcp-audit/engines";
const sha256 = (path: string) => createHash("sha256").update(readFileSync(path)).digest("hex");
const dir = () => mkdtempSync(join(tmpdir(), "erlmcp-audit-find-"));

function script(folder: string, name: string, body: string): string {
  mkdirSync(folder, { recursive: true });
  const path = join(folder, name);
  writeFileSync(path, `#!/bin/sh\n${body}\n`);
  chmodSync(path, 0o755);
  return path;
}

/** An engine cache holding a stand-in binary for `tool`, and its lock line when given. */
function cacheWith(tool: ToolName, lock?: (path: string) => string, under?: string) {
  const cache = under ? join(under, "engines") : dir();
  const binary = script(join(cache, "bin"), tool, `echo ${tool}`);
  if (lock) writeFileSync(join(cache, "engines.lock"), lock(binary));
  return { cache, binary, env: { ERLMCP_AUDIT_ENGINES_DIR: cache, PATH: "/usr/bin:/bin" } };
}

describe("engine pins", () => {
  it("match scripts/install-engines.sh, version command and expected text included", () => {
    const installer = readFileSync(join(__dirname, "../../scripts/install-engines.sh"), "utf8");
    for (const tool of Object.keys(TOOL_PINS) as ToolName[]) {
      const line = new RegExp(`"${tool}\\|([^|]+)\\|[^|]+\\|([^|]+)\\|([^"]+)"`).exec(installer);
      expect(line, tool).not.toBeNull();
      expect([line![1], line![2], line![3]], tool).toEqual([
        TOOL_PINS[tool],
        TOOL_VERSION_CHECKS[tool].args.join(" "),
        TOOL_VERSION_CHECKS[tool].expect,
      ]);
    }
  });
});

describe("an engine in the cache", () => {
  it("is used when engines.lock records its SHA-256 at the pinned version", () => {
    const { binary, env } = cacheWith("helm", (b) => `helm\tv3.22.0\t${sha256(b)}\n`);
    expect(findTool("helm", env)).toBe(binary);
  });

  it("is refused when it is not the recorded binary, naming both digests and the fix", () => {
    const { binary, env } = cacheWith("helm", (b) => `helm\tv3.22.0\t${sha256(b)}\n`);
    const recorded = sha256(binary);
    appendFileSync(binary, "# changed\n");
    expect(() => findTool("helm", env)).toThrow(EngineUnverifiedError);
    expect(() => findTool("helm", env)).toThrow(`recorded ${recorded}`);
    expect(() => findTool("helm", env)).toThrow("npx erlmcp-audit engines install helm");
  });

  it("is refused when engines.lock does not record it", () => {
    const { env } = cacheWith("opa", () => "helm\tv3.22.0\t00\n");
    expect(() => findTool("opa", env)).toThrow(/is not recorded in .*engines\.lock/);
    expect(() => findTool("kustomize", cacheWith("kustomize").env)).toThrow(EngineUnverifiedError);
  });

  it.runIf(process.getuid !== undefined)(
    "is refused while another user could rewrite it or its record: the binary, engines.lock, or a folder above them",
    () => {
      for (const loosen of [
        (c: { cache: string; binary: string }) => chmodSync(c.binary, 0o777),
        (c: { cache: string; binary: string }) => chmodSync(join(c.cache, "engines.lock"), 0o666),
        (c: { cache: string; binary: string }) => chmodSync(join(c.cache, "bin"), 0o777),
        (c: { cache: string; binary: string }) => chmodSync(c.cache, 0o775),
      ]) {
        const c = cacheWith("helm", (b) => `helm\tv3.22.0\t${sha256(b)}\n`);
        expect(findTool("helm", c.env)).toBe(c.binary);
        loosen(c);
        expect(() => findTool("helm", c.env)).toThrow(EngineUnverifiedError);
        expect(() => findTool("helm", c.env)).toThrow(
          /is writable by other users \(mode 0(777|666|775)\): another user could replace .*\(chmod go-w\)/,
        );
      }
      const sticky = cacheWith("helm", (b) => `helm\tv3.22.0\t${sha256(b)}\n`, join(dir(), "shared"));
      chmodSync(join(sticky.cache, ".."), 0o1777);
      expect(findTool("helm", sticky.env), "a sticky folder above (like /tmp) is fine").toBe(sticky.binary);
      chmodSync(join(sticky.cache, ".."), 0o777);
      expect(() => findTool("helm", sticky.env), "a folder above that others can write is not").toThrow(
        /shared is writable by other users/,
      );
    },
  );

  it("is checked against engines.verified, the stamp of the binary last hashed, instead of hashed again", async () => {
    const { cache, binary, env } = cacheWith("helm", (b) => `helm\tv3.22.0\t${sha256(b)}\n`);
    const recorded = sha256(binary);
    expect(findTool("helm", env)).toBe(binary);
    const stamps = join(cache, "engines.verified");
    expect(readFileSync(stamps, "utf8")).toBe(`helm\t${recorded}\t${contentStamp(binary)}\n`);
    expect(statSync(stamps).mode & 0o777).toBe(0o600);

    // Rewritten in place, same size, modification time set back: its change time moved, so it is hashed and refused.
    const { mtime, atime } = statSync(binary);
    writeFileSync(binary, readFileSync(binary, "utf8").replace("echo helm", "echo mleh"));
    utimesSync(binary, atime, mtime);
    const fresh = async () => {
      vi.resetModules();
      return (await import("../../src/tools/find.js")).findTool;
    };
    expect(() => findTool("helm", env)).toThrow(EngineUnverifiedError);
    expect(() => findTool("helm", env)).toThrow(`recorded ${recorded}`);
    expect(await fresh().then((f) => () => f("helm", env))).toThrow(`recorded ${recorded}`);

    // The record is what a later run trusts: a stamp for the changed binary in a private record is taken
    // (whoever can write it can write engines.lock too), the same stamp in a record others can write is not.
    writeFileSync(stamps, `helm\t${recorded}\t${contentStamp(binary)}\n`, { mode: 0o600 });
    expect((await fresh())("helm", env)).toBe(binary);
    chmodSync(stamps, 0o666);
    expect(await fresh().then((f) => () => f("helm", env))).toThrow(`recorded ${recorded}`);
  });

  it("is refused when it was recorded at another version", () => {
    const { env } = cacheWith("kustomize", (b) => `kustomize\tv5.0.0\t${sha256(b)}\n`);
    expect(() => findTool("kustomize", env)).toThrow("was built as kustomize v5.0.0, not the pinned v5.8.1");
  });
});

describe("an engine on PATH", () => {
  afterEach(() => vi.restoreAllMocks());
  const onPath = (version: string) => {
    const bin = dir();
    const binary = script(bin, "helm", `echo ${version}`);
    return { binary, env: { ERLMCP_AUDIT_ENGINES_DIR: dir(), PATH: `${bin}:/usr/bin:/bin` } };
  };

  it("is used at the pinned version", () => {
    const { binary, env } = onPath("v3.22.0+g1234");
    expect(findTool("helm", env)).toBe(binary);
  });

  it("is refused at another version, with the three ways out", () => {
    const { env } = onPath("v3.11.0");
    expect(() => findTool("helm", env)).toThrow(EngineVersionMismatchError);
    expect(() => findTool("helm", env)).toThrow(
      /reports 'v3\.11\.0', not the pinned v3\.22\.0.*engines install helm.*--allow-engine-version-mismatch/,
    );
  });

  it("is used with a warning when the mismatch is allowed", () => {
    const { binary, env } = onPath("v3.12.0");
    const stderr = vi.spyOn(process.stderr, "write").mockImplementation(() => true);
    expect(findTool("helm", { ...env, [ALLOW_VERSION_MISMATCH_ENV]: "1" })).toBe(binary);
    expect(String(stderr.mock.calls[0]?.[0])).toContain("warning: helm on PATH");
  });
});

describe("erlmcp-audit with a helm on PATH at another version", () => {
  const chart = tempTree({
    "chart/Chart.yaml": "apiVersion: v2\nname: demo\nversion: 0.1.0\n",
    "chart/values.yaml": "{}\n",
    "chart/templates/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: demo\n  namespace: demo\ndata: {}\n",
  });
  const saved = { PATH: process.env.PATH, ERLMCP_AUDIT_ENGINES_DIR: process.env.ERLMCP_AUDIT_ENGINES_DIR };
  afterEach(() => {
    Object.assign(process.env, saved);
    delete process.env[ALLOW_VERSION_MISMATCH_ENV];
    vi.restoreAllMocks();
  });
  /** A helm that claims v3.11.0 and renders with the real one. */
  const oldHelm = () => {
    const bin = dir();
    script(bin, "helm", `[ "$1 $2" = "version --short" ] && { echo v3.11.0; exit 0; }\nexec ${REAL_ENGINES}/bin/helm "$@"`);
    process.env.PATH = `${bin}:/usr/bin:/bin`;
    process.env.ERLMCP_AUDIT_ENGINES_DIR = dir();
  };

  it("fails the input with the version error (exit 2)", async () => {
    oldHelm();
    const r = await runCli([join(chart, "chart"), "--no-config", "-f", "json"]);
    expect(r.code).toBe(2);
    const report = JSON.parse(r.stdout) as { inputErrors: { code: string; message: string }[] };
    expect(report.inputErrors.map((e) => e.code)).toEqual(["TOOL_MISSING"]);
    expect(report.inputErrors[0]!.message).toContain("not the pinned v3.22.0");
  });

  it("renders with a warning under --allow-engine-version-mismatch", async () => {
    oldHelm();
    const stderr = vi.spyOn(process.stderr, "write").mockImplementation(() => true);
    const r = await runCli([join(chart, "chart"), "--no-config", "--allow-engine-version-mismatch", "-f", "json"]);
    const report = JSON.parse(r.stdout) as { inputErrors: unknown[] };
    expect(report.inputErrors).toEqual([]);
    expect(stderr.mock.calls.map((c) => String(c[0])).join("")).toContain("warning: helm on PATH");
  });
});
