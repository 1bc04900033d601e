import { spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { join } from "node:path";
import { describe, expect, it, vi } from "vitest";
import { run } from "../../src/cli/main.js";
import { tempTree } from "../helpers/tmp.js";
import { admissionReview, call, privilegedContainer, referencePod, referenceStatefulSet, selfSignedCert } from "./helpers.js";

const ENTRY = new URL("./cli-entry.ts", import.meta.url).pathname;
/** Waivers are approved in the past and run at most a year: dates around the real clock the webhook judges them by. */
const day = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);
const WAIVERS = `apiVersion: erlmcp-audit/v1
kind: WaiverList
waivers:
  - id: WVR-1
    control: pod-no-host-access
    messageId: hostNamespace
    match: { kind: Pod, namespace: monitoring, name: node-exporter }
    justification: The node exporter reads host metrics by design.
    owner: platform@example.com
    approver: security@example.com
    ticket: SEC-2
    approved: "${day(-1)}"
    expires: "${day(300)}"
`;
const dir = tempTree({ "erlmcp-audit.config.yaml": "profile: staging\nwaivers: [waivers.yaml]\n", "waivers.yaml": WAIVERS });
const { cert, key } = selfSignedCert(dir);

function serve(args: string[]) {
  const child = spawn(process.execPath, ["--import", "tsx", ENTRY, "serve", "--tls-cert", cert, "--tls-key", key, ...args], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  const lines: any[] = [];
  const waiters: Array<() => void> = [];
  createInterface({ input: child.stdout }).on("line", (line) => {
    lines.push(JSON.parse(line));
    waiters.splice(0).forEach((w) => w());
  });
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  const waitFor = async (msg: string) => {
    for (;;) {
      const found = lines.find((l) => l.msg === msg);
      if (found) return found;
      await new Promise<void>((resolve) => waiters.push(resolve));
    }
  };
  return { child, lines, exited, waitFor };
}

describe("erlmcp-audit serve (the CLI process)", () => {
  it("reads the config and its waiver file, serves until SIGTERM and exits 0", async () => {
    const server = serve([
      "--port",
      "0",
      "--host",
      "127.0.0.1",
      "-c",
      join(dir, "erlmcp-audit.config.yaml"),
      "--workers",
      "1",
      "--shutdown-delay",
      "0",
    ]);
    const { port } = await server.waitFor("listening");
    expect(await server.waitFor("policies loaded")).toMatchObject({ profile: "staging", waivers: 1 });
    expect((await call(port, cert, "/readyz")).status).toBe(200);
    const pod = {
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name: "node-exporter", namespace: "monitoring" },
      spec: { hostPID: true, containers: [] },
    };
    const reply = await call(port, cert, "/validate", { body: admissionReview("cli-1", pod) });
    expect(reply.json().response.allowed).toBe(true);
    server.child.kill("SIGTERM");
    expect(await server.exited).toBe(0);
    expect(server.lines.at(-1)).toMatchObject({ msg: "stopped" });
  });

  it("applies the limit flags: an object past one is denied before evaluation, even with --on-error allow", async () => {
    const server = serve([
      "--port",
      "0",
      "--host",
      "127.0.0.1",
      "--workers",
      "1",
      "--shutdown-delay",
      "0",
      "--on-error",
      "allow",
      "--max-containers",
      "2",
    ]);
    const { port } = await server.waitFor("listening");
    await server.waitFor("policies loaded");
    const pod = referencePod("hidden");
    (pod.spec as any).initContainers = [privilegedContainer("root-shell"), privilegedContainer("root-shell-2")];
    const denied = (await call(port, cert, "/validate", { body: admissionReview("cli-limit", pod) })).json().response;
    expect(denied.allowed).toBe(false);
    expect(denied.status.message).toBe(
      "erlmcp-audit denied Pod erlmcp/hidden without evaluating it: the object has 3 containers (containers, initContainers and ephemeralContainers), over the limit of 2 (--max-containers)",
    );
    expect((await call(port, cert, "/validate", { body: admissionReview("cli-good", referenceStatefulSet()) })).json().response).toEqual({
      uid: "cli-good",
      allowed: true,
    });
    server.child.kill("SIGTERM");
    expect(await server.exited).toBe(0);
  });

  it("refuses a limit below 1 as a usage error", async () => {
    const stderr: string[] = [];
    const saved = process.exitCode;
    const write = vi.spyOn(process.stderr, "write").mockImplementation((s) => (stderr.push(String(s)), true));
    try {
      await run(["serve", "--tls-cert", cert, "--tls-key", key, "--port", "0", "--max-depth", "0"]);
      expect(process.exitCode).toBe(2);
    } finally {
      write.mockRestore();
      process.exitCode = saved;
    }
    expect(stderr.join("")).toMatch(/--max-depth <n>.*expected a whole number >= 1/);
  });

  it("exits 2 with the file named when the config is invalid", async () => {
    const bad = tempTree({ "bad.yaml": "profile: [1]\n" });
    const stderr: string[] = [];
    const saved = process.exitCode;
    const write = vi.spyOn(process.stderr, "write").mockImplementation((s) => (stderr.push(String(s)), true));
    try {
      await run(["serve", "--tls-cert", cert, "--tls-key", key, "--port", "0", "-c", join(bad, "bad.yaml")]);
      expect(process.exitCode).toBe(2);
    } finally {
      write.mockRestore();
      process.exitCode = saved;
    }
    expect(stderr.join("")).toMatch(/bad\.yaml:1:1: profile: must be a string, got a list/);
  });
});
