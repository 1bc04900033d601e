/**
 * Where a report goes when its path is not a file. Renaming the report over its path (the defence against a
 * planted `results.sarif -> ~/.bashrc`, test/hostile/output-links.test.ts) turned `/dev/null` and
 * `/dev/stdout` into regular files when run as root: every process of the machine lost them. A FIFO, the
 * null device and a terminal are written to, `/dev/stdout`-like names are this process's descriptor, and
 * any other device, a socket or a folder is refused before the audit runs.
 * These tests never name /dev/null or /dev/stdout themselves: a regression would break the machine they
 * run on. They use links to the devices and /proc/self/fd, where a wrong rename replaces only the link or fails.
 */
import { spawn, spawnSync } from "node:child_process";
import { closeSync, existsSync, lstatSync, mkdirSync, openSync, readFileSync, readlinkSync, statSync, symlinkSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { UsageError } from "../../src/errors.js";
import { descriptorOf, outputTarget, refuseLinkedFolder, writeOutputFile } from "../../src/tools/write-output.js";
import { runCli } from "../helpers/cli.js";
import { SURVIVOR_DEPLOYMENT, tempTree } from "../helpers/tmp.js";

const BIN = join(import.meta.dirname, "../../bin/erlmcp-audit.js");
const hasDevices = existsSync("/dev/null") && existsSync("/dev/zero") && process.platform === "linux";

/**
 * Writes to a FIFO once `cat` has opened it (writeOutputFile refuses a FIFO no process reads yet). `cat` writes
 * to a file, not to a pipe to this process, which does not read while it writes synchronously.
 */
async function throughFifo(fifo: string, write: () => void): Promise<string> {
  const copy = `${fifo}.copy`;
  const reader = spawn("sh", ["-c", 'cat "$0" > "$1"', fifo, copy], { stdio: "ignore" });
  const closed = new Promise((done) => reader.on("close", done));
  for (let tries = 0; ; tries++) {
    try {
      write();
      break;
    } catch (error) {
      if (!(error instanceof UsageError) || tries > 250) {
        reader.kill();
        throw error;
      }
      await new Promise((r) => setTimeout(r, 20));
    }
  }
  await closed;
  return readFileSync(copy, "utf8");
}

describe("output paths that are not files", () => {
  it("names descriptors 1 and 2 by their conventional paths, and refuses any other", () => {
    expect(descriptorOf("/dev/stdout")).toBe(1);
    expect(descriptorOf("/dev/stderr")).toBe(2);
    expect(descriptorOf("/dev/fd/1")).toBe(1);
    expect(descriptorOf("/proc/self/fd/2")).toBe(2);
    expect(descriptorOf("/dev/fd/0")).toBe(false);
    expect(descriptorOf("/dev/fd/5")).toBe(false);
    expect(descriptorOf("/proc/self/fd/10")).toBe(false);
    expect(descriptorOf("/dev/stdout.json")).toBeUndefined();
    expect(descriptorOf("/tmp/dev/stdout")).toBeUndefined();
    expect(() => outputTarget("/dev/fd/7")).toThrow(/descriptor other than 1 \(stdout\) or 2 \(stderr\)/);
  });

  it.runIf(hasDevices)("writes through a link to the null device and leaves both in place", () => {
    const root = tempTree({});
    const link = join(root, "results.json");
    symlinkSync("/dev/null", link);
    const before = statSync("/dev/null");
    writeOutputFile(link, ["{", "}\n"]);
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
    expect(readlinkSync(link)).toBe("/dev/null");
    const after = statSync("/dev/null");
    expect(after.isCharacterDevice()).toBe(true);
    expect(after.rdev).toBe(before.rdev);
  });

  it.runIf(hasDevices)("refuses a link to another device without touching it, naming the path", () => {
    const root = tempTree({});
    const link = join(root, "results.sarif");
    symlinkSync("/dev/zero", link);
    expect(() => writeOutputFile(link, "x")).toThrow(`${link} is a device other than /dev/null or a terminal`);
    expect(readlinkSync(link)).toBe("/dev/zero");
    expect(statSync("/dev/zero").isCharacterDevice()).toBe(true);
  });

  it("refuses a folder, and replaces a link to a folder without writing into it", () => {
    const root = tempTree({ "reports/keep.txt": "k" });
    expect(() => writeOutputFile(join(root, "reports"), "x")).toThrow(/is a folder: refusing to write to it/);
    expect(readFileSync(join(root, "reports/keep.txt"), "utf8")).toBe("k");
    symlinkSync(join(root, "reports"), join(root, "link"));
    writeOutputFile(join(root, "link"), "report");
    expect(lstatSync(join(root, "link")).isFile()).toBe(true);
    expect(readFileSync(join(root, "link"), "utf8")).toBe("report");
    expect(spawnSync("ls", [join(root, "reports")]).stdout.toString()).toBe("keep.txt\n");
  });

  it.runIf(hasDevices)("writes every chunk to a FIFO and to a link to one, past a full pipe, and leaves them FIFOs", async () => {
    const root = tempTree({});
    const fifo = join(root, "report.fifo");
    expect(spawnSync("mkfifo", [fifo]).status).toBe(0);
    symlinkSync(fifo, join(root, "link.json"));
    // 3 × 200 KB: more than a pipe holds, so the non-blocking writes wait for the reader.
    const chunks = ["a", "b", "c"].map((c) => c.repeat(200_000));
    for (const path of [fifo, join(root, "link.json")]) {
      expect(await throughFifo(path, () => writeOutputFile(path, chunks))).toBe(chunks.join(""));
      expect(lstatSync(fifo).isFIFO()).toBe(true);
    }
    expect(lstatSync(join(root, "link.json")).isSymbolicLink()).toBe(true);
  });

  it.runIf(hasDevices)("refuses a FIFO no process reads at once instead of hanging, and leaves it a FIFO", () => {
    const root = tempTree({});
    const fifo = join(root, "report.fifo");
    expect(spawnSync("mkfifo", [fifo]).status).toBe(0);
    expect(() => writeOutputFile(fifo, "x")).toThrow(`${fifo} is a FIFO no process reads`);
    expect(lstatSync(fifo).isFIFO()).toBe(true);
  });
});

describe("the CLI's outputs", () => {
  it("refuses a report path through a folder link inside the working folder, and not one above it", () => {
    const root = tempTree({ "in/app.yaml": SURVIVOR_DEPLOYMENT, "elsewhere/keep.txt": "k", "real/x": "" });
    symlinkSync(join(root, "elsewhere"), join(root, "reports"));
    expect(() => outputTarget("reports/out.json", root)).toThrow("reports/out.json: reports is a symbolic link inside the working folder");
    expect(() => outputTarget("reports/new/out.json", root)).toThrow(/reports is a symbolic link/);
    expect(outputTarget("real/out.json", root)).toEqual({ kind: "file" });
    expect(outputTarget("..reports/out.json", root)).toEqual({ kind: "file" });
    // Above the working folder the path is the user's own.
    expect(outputTarget(join(root, "reports/out.json"), join(root, "in"))).toEqual({ kind: "file" });
    const run = spawnSync(process.execPath, [BIN, "in", "--no-config", "--format", "json", "--output", "reports/out.json"], {
      cwd: root,
      encoding: "utf8",
    });
    expect(run.status).toBe(2);
    expect(run.stderr).toContain("reports is a symbolic link inside the working folder");
    expect(spawnSync("ls", [join(root, "elsewhere")]).stdout.toString()).toBe("keep.txt\n");
  });

  it("fails on a folder given as --output or --write-baseline before auditing anything", async () => {
    const root = tempTree({ "out/keep.txt": "k" });
    for (const option of ["--output", "--write-baseline"]) {
      // The input does not exist: had the audit run, that would be the error.
      const run = await runCli([join(root, "missing"), "--no-config", option, join(root, "out")]);
      expect(run.code).toBe(2);
      expect(run.stderr).toContain(`${join(root, "out")} is a folder`);
      expect(run.stderr).not.toContain("missing");
    }
  });

  it("refuses to write a report or baseline over a file it audited, directly or through a link, and writes nothing", async () => {
    const root = tempTree({ "in/app.yaml": SURVIVOR_DEPLOYMENT });
    symlinkSync(join(root, "in/app.yaml"), join(root, "link.json"));
    for (const [option, path] of [
      ["--output", join(root, "in/app.yaml")],
      ["--write-baseline", join(root, "in/app.yaml")],
      ["--output", join(root, "link.json")],
    ] as const) {
      const run = await runCli([join(root, "in"), "--no-config", "--format", "json", option, path]);
      expect(run.code).toBe(2);
      expect(run.stderr).toContain(`${path} is a file this run audited`);
      expect(readFileSync(join(root, "in/app.yaml"), "utf8")).toBe(SURVIVOR_DEPLOYMENT);
    }
    // A report beside the inputs is fine.
    const beside = await runCli([join(root, "in"), "--no-config", "--format", "json", "--output", join(root, "in/report.json")]);
    expect(beside.stderr).toBe("");
    expect(readFileSync(join(root, "in/report.json"), "utf8")).toContain('"summary"');
  });

  it.runIf(hasDevices)(
    "writes --output /proc/self/fd/1 where stdout points, at its offset (a file opened to append keeps its text)",
    () => {
      const root = tempTree({ "in/app.yaml": SURVIVOR_DEPLOYMENT, "log.txt": "before\n" });
      const toStdout = (output: string) => [BIN, join(root, "in"), "--no-config", "--quiet", "--format", "json", "--output", output];
      const fd = openSync(join(root, "log.txt"), "a");
      const run = spawnSync(process.execPath, toStdout("/proc/self/fd/1"), { stdio: ["ignore", fd, "pipe"] });
      closeSync(fd);
      expect(run.stderr.toString()).toBe("");
      expect(run.status).toBe(1);
      const log = readFileSync(join(root, "log.txt"), "utf8");
      expect(log.startsWith("before\n{")).toBe(true);
      expect(JSON.parse(log.slice("before\n".length)).summary.exitCode).toBe(1);
      const piped = spawnSync(process.execPath, toStdout("/dev/fd/1"));
      expect(JSON.parse(piped.stdout.toString()).summary.exitCode).toBe(1);
    },
  );
});

describe("folders written into (evidence package, ledger, period report)", () => {
  it("are refused behind a folder link inside the working folder, before anything is written", () => {
    const root = tempTree({ "in/app.yaml": SURVIVOR_DEPLOYMENT, "elsewhere/keep.txt": "k" });
    symlinkSync(join(root, "elsewhere"), join(root, "out"));
    expect(() => refuseLinkedFolder("out/evidence", "--out", root)).toThrow(
      "--out out/evidence: out is a symbolic link inside the working folder",
    );
    expect(() => refuseLinkedFolder("out", "--ledger", root)).toThrow(/out is a symbolic link/);
    expect(() => refuseLinkedFolder("in", "--out", root)).not.toThrow();
    for (const args of [
      ["evidence", "in", "--no-config", "--out", "out/evidence"],
      ["in", "--no-config", "--format", "json", "--ledger", "out/ledger"],
    ]) {
      const run = spawnSync(process.execPath, [BIN, ...args], { cwd: root, encoding: "utf8" });
      expect(run.status, args.join(" ")).toBe(2);
      expect(run.stderr).toContain("out is a symbolic link inside the working folder");
    }
    expect(spawnSync("ls", [join(root, "elsewhere")]).stdout.toString()).toBe("keep.txt\n");
  });
});

describe("init never writes over or through what is in the folder", () => {
  it("refuses a dangling link at a file's name and a link at one of its folders, writing nothing", async () => {
    const root = tempTree({});
    const dir = join(root, "deploy");
    mkdirSync(dir);
    symlinkSync(join(root, "created-by-the-link"), join(dir, "erlmcp-audit.config.yaml"));
    const dangling = await runCli(["init", dir, "--form", "standalone"]);
    expect(dangling.code).toBe(2);
    expect(dangling.stderr).toContain("erlmcp-audit.config.yaml");
    expect(existsSync(join(root, "created-by-the-link"))).toBe(false);

    const other = join(root, "other");
    mkdirSync(join(root, "elsewhere"));
    mkdirSync(other);
    symlinkSync(join(root, "elsewhere"), join(other, "standalone"));
    const throughFolder = await runCli(["init", other, "--form", "standalone"]);
    expect(throughFolder.code).toBe(2);
    expect(throughFolder.stderr).toContain("standalone/");
    expect(spawnSync("ls", ["-A", join(root, "elsewhere")]).stdout.toString()).toBe("");
  });
});
