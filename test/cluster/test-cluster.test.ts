/**
 * scripts/test-cluster.sh: start answers /readyz with the admin certificate of the kubeconfig it prints,
 * stop kills the recorded processes and removes the folder; bad uses fail with a clear message.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { describe, expect, it } from "vitest";
import { PACKAGE_ROOT } from "../../src/paths.js";
import { clusterTestsEnabled, startTestCluster, stopTestCluster } from "../helpers/cluster.js";

const SCRIPT = join(PACKAGE_ROOT, "scripts", "test-cluster.sh");
const script = (args: string[], env: NodeJS.ProcessEnv = {}) =>
  spawnSync("bash", [SCRIPT, ...args], { encoding: "utf8", env: { ...process.env, ...env } });
/** A live process; a zombie (killed, not yet reaped by PID 1) is not. */
const running = (pid: number) => {
  const state = spawnSync("ps", ["-o", "stat=", "-p", String(pid)], { encoding: "utf8" }).stdout.trim();
  return state !== "" && !state.startsWith("Z");
};

describe("scripts/test-cluster.sh refuses bad uses", () => {
  it("stop refuses a folder it did not create, and leaves it", () => {
    const dir = mkdtempSync(join(tmpdir(), "erlmcp-audit-not-a-cluster-"));
    const result = script(["stop", dir]);
    expect(result.status).toBe(3);
    expect(result.stderr).toContain("is not a test cluster directory");
    expect(existsSync(dir)).toBe(true);
  });

  it("start refuses a folder that is not empty, and an unknown command prints the usage", () => {
    const dir = mkdtempSync(join(tmpdir(), "erlmcp-audit-busy-"));
    writeFileSync(join(dir, "keep.txt"), "mine");
    const result = script(["start", dir]);
    expect(result.status).toBe(3);
    expect(result.stderr).toContain("is not empty");
    expect(readFileSync(join(dir, "keep.txt"), "utf8")).toBe("mine");
    const usage = script(["restart"]);
    expect(usage.status).toBe(2);
    expect(usage.stderr).toContain("test-cluster.sh start [DIR]");
  });

  it("start without the binaries names them and the install command", () => {
    const result = script(["start"], {
      ERLMCP_AUDIT_ENGINES_DIR: mkdtempSync(join(tmpdir(), "erlmcp-audit-no-engines-")),
      PATH: "/usr/bin:/bin",
    });
    if (existsSync("/usr/bin/etcd") && existsSync("/usr/bin/kube-apiserver")) return;
    expect(result.status).toBe(3);
    expect(result.stderr).toContain("scripts/install-engines.sh --cluster");
  });
});

const enabled = clusterTestsEnabled("test/cluster/test-cluster.test.ts (the test cluster script)");

describe.runIf(enabled)("scripts/test-cluster.sh start and stop", () => {
  it("starts a ready API server in seconds, prints its kubeconfig, and stop ends both processes and removes the folder", async () => {
    const started = Date.now();
    const cluster = await startTestCluster();
    const seconds = (Date.now() - started) / 1000;
    expect(cluster.kubeconfig).toBe(join(cluster.dir, "kubeconfig"));
    expect(readFileSync(cluster.kubeconfig, "utf8")).toContain(`server: ${cluster.server}`);
    const ready = await cluster.request("GET", "/readyz");
    expect(ready.status).toBe(200);
    expect(ready.body).toBe("ok");
    const version = await cluster.request("GET", "/version");
    expect(version.body.gitVersion).toBe("v1.34.4");
    const names = ["etcd", "kube-apiserver", ...(cluster.controllerManager ? ["kube-controller-manager"] : [])];
    const pids = names.map((n) => Number(readFileSync(join(cluster.dir, `${n}.pid`), "utf8")));
    expect(pids.every(running)).toBe(true);
    stopTestCluster(cluster);
    expect(pids.some(running)).toBe(false);
    expect(existsSync(cluster.dir)).toBe(false);
    console.log(`test cluster ready in ${seconds.toFixed(1)} s`);
  }, 180_000);

  it("retries with new ports when a port picked free is taken before etcd binds it", () => {
    // An etcd that fails like a taken port the first time, then runs the real one.
    const engines = mkdtempSync(join(tmpdir(), "erlmcp-audit-engines-"));
    mkdirSync(join(engines, "bin"));
    const real = (name: string) => join(process.env.ERLMCP_AUDIT_ENGINES_DIR ?? join(PACKAGE_ROOT, ".engines"), "bin", name);
    const etcd = existsSync(real("etcd")) ? real("etcd") : execFileSync("bash", ["-c", "command -v etcd"], { encoding: "utf8" }).trim();
    const apiserver = existsSync(real("kube-apiserver"))
      ? real("kube-apiserver")
      : execFileSync("bash", ["-c", "command -v kube-apiserver"], { encoding: "utf8" }).trim();
    writeFileSync(
      join(engines, "bin", "etcd"),
      `#!/usr/bin/env bash\nif [ ! -f "${engines}/tried" ]; then touch "${engines}/tried"; echo "listen tcp 127.0.0.1:1: bind: address already in use" >&2; exit 1; fi\nexec "${etcd}" "$@"\n`,
      { mode: 0o755 },
    );
    symlinkSync(apiserver, join(engines, "bin", "kube-apiserver"));
    const result = script(["start"], { ERLMCP_AUDIT_ENGINES_DIR: engines });
    expect(result.status, result.stderr).toBe(0);
    expect(existsSync(join(engines, "tried"))).toBe(true);
    const dir = dirname(result.stdout.trim());
    expect(readFileSync(join(dir, "etcd.log"), "utf8")).not.toContain("address already in use");
    expect(script(["stop", dir]).status).toBe(0);
    expect(existsSync(dir)).toBe(false);
    rmSync(engines, { recursive: true, force: true });
  }, 120_000);

  it("when the API server cannot become ready, fails within the timeout with the tail of both logs and stops etcd", () => {
    // kube-apiserver needs several seconds for its start-up hooks (RBAC bootstrap, ...): 1 s is too short.
    const dir = join(mkdtempSync(join(tmpdir(), "erlmcp-audit-timeout-")), "cluster");
    const result = script(["start", dir], { ERLMCP_AUDIT_CLUSTER_TIMEOUT: "1" });
    expect(result.status).toBe(3);
    expect(result.stderr).toContain("did not become ready within 1s");
    expect(result.stderr).toMatch(/--- kube-apiserver \((running|exited)\), last lines of/);
    expect(result.stderr).toMatch(/--- etcd \((running|exited)\), last lines of/);
    expect(existsSync(dir)).toBe(false);
    // `[/]tmp/...`: a pattern that does not match the pgrep command line itself.
    const pattern = `[${dir[0]}]${dir.slice(1)}/`;
    expect(execFileSync("bash", ["-c", `pgrep -f -- '${pattern}' || true`], { encoding: "utf8" }).trim()).toBe("");
  }, 60_000);
});
