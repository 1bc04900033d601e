/**
 * Writing a file the user named (`--output`, `--write-baseline`, `cluster --output`). A regular file or a
 * link there is replaced (src/tools/replace-file.ts: a link an audited repository planted, `results.sarif ->
 * ~/.bashrc`, is never written through). What is not a file is written to, as a shell's `>` would, never
 * replaced: renaming a file over `/dev/null` or `/dev/stdout` (as root) turned them into regular files for
 * every process of the machine. So `/dev/stdout`, `/dev/stderr`, `/dev/fd/N` and `/proc/self/fd/N` are this
 * process's descriptor (1 or 2), written where the shell pointed it (a pipe, a terminal, a file at its
 * offset); a FIFO, `/dev/null` and a terminal, named or behind a link, are opened and written to; any other
 * device (never opened: opening some has effects), a socket and a folder are refused before anything is written.
 */
import { closeSync, constants, fstatSync, lstatSync, mkdirSync, openSync, realpathSync, statSync, writeSync, type Stats } from "node:fs";
import { dirname, isAbsolute, join, relative, resolve, sep } from "node:path";
import { isatty } from "node:tty";
import { UsageError } from "../errors.js";
import { replaceFile } from "./replace-file.js";

type Content = string | Uint8Array | Iterable<string>;

/** How a path is written: replaced by a new file, written to as a stream, or this process's open descriptor. */
export type OutputTarget = { kind: "file" } | { kind: "stream" } | { kind: "descriptor"; fd: number };

/**
 * The descriptor an absolute path names by convention: `/dev/stdout` and `/dev/stderr`, `/dev/fd/N` and
 * `/proc/self/fd/N` for N of 1 or 2; `false` for another N (a descriptor of Node's own, or one the shell did not
 * open, is not written); undefined for any other path.
 */
export function descriptorOf(absolute: string): number | false | undefined {
  if (absolute === "/dev/stdout") return 1;
  if (absolute === "/dev/stderr") return 2;
  const m = /^\/(?:dev\/fd|proc\/self\/fd)\/(\d+)$/.exec(absolute);
  if (!m) return undefined;
  const fd = Number(m[1]);
  return fd === 1 || fd === 2 ? fd : false;
}

/** The character devices a report may go to: the null device and terminals (this process's and /dev/tty). */
function sinkDevices(): Set<number> {
  const devices = new Set<number>();
  for (const path of ["/dev/null", "/dev/tty"])
    try {
      const stats = statSync(path);
      if (stats.isCharacterDevice()) devices.add(stats.rdev);
    } catch {
      // absent here
    }
  for (const fd of [0, 1, 2])
    try {
      if (isatty(fd)) devices.add(fstatSync(fd).rdev);
    } catch {
      // closed
    }
  return devices;
}

/** Whether a non-file may take a report: a FIFO, the null device or a terminal. No other device is opened. */
function isSink(stats: Stats): boolean {
  return stats.isFIFO() || (stats.isCharacterDevice() && sinkDevices().has(stats.rdev));
}

function kindOf(stats: Stats): string {
  if (stats.isDirectory()) return "a folder";
  if (stats.isBlockDevice()) return "a block device";
  if (stats.isCharacterDevice()) return "a device other than /dev/null or a terminal";
  if (stats.isSocket()) return "a socket";
  return "not a file";
}

function refused(path: string, what: string): UsageError {
  return new UsageError(`${path} is ${what}: refusing to write to it; name a file, a FIFO, /dev/null or /dev/stdout.`);
}

/**
 * How `path` would be written now, or a UsageError naming why it cannot be. Called before the audit runs (a
 * folder given as `--output` fails at once, not after the audit) and again when writing.
 */
export function outputTarget(path: string, cwd = process.cwd()): OutputTarget {
  const absolute = resolve(cwd, path);
  const fd = descriptorOf(absolute);
  if (fd === false) throw refused(path, "a descriptor other than 1 (stdout) or 2 (stderr)");
  if (fd !== undefined) return { kind: "descriptor", fd };
  const link = linkedFolderBelow(cwd, absolute);
  if (link)
    throw new UsageError(
      `${path}: ${relative(cwd, link)} is a symbolic link inside the working folder, which an audited repository may have planted: refusing to write through it; name a path without one.`,
    );
  let own: Stats;
  try {
    own = lstatSync(absolute);
  } catch {
    return { kind: "file" };
  }
  if (own.isFile()) return { kind: "file" };
  let target = own;
  if (own.isSymbolicLink()) {
    try {
      target = statSync(absolute);
    } catch {
      return { kind: "file" }; // a dangling link (or a loop): replaced
    }
    // A link to a file or a folder is replaced, never followed.
    if (target.isFile() || target.isDirectory()) return { kind: "file" };
  }
  if (isSink(target)) return { kind: "stream" };
  throw refused(path, kindOf(target));
}

/**
 * A folder of `absolute` below `cwd` (the part of the path an audited repository holds) that is a symbolic
 * link: `reports -> ~/.ssh` would put the report where the repository chose. Folders above `cwd` are the user's.
 */
function linkedFolderBelow(cwd: string, absolute: string): string | undefined {
  const inside = relative(cwd, dirname(absolute));
  if (!inside || inside === ".." || inside.startsWith(`..${sep}`) || isAbsolute(inside)) return undefined;
  let at = cwd;
  for (const part of inside.split(sep)) {
    at = join(at, part);
    try {
      if (lstatSync(at).isSymbolicLink()) return at;
    } catch {
      return undefined; // not there yet: created as a folder
    }
  }
  return undefined;
}

/**
 * Refuses a folder to write into (an evidence package, a ledger, a period report) when it or one of its
 * folders below `cwd` is a symbolic link, for the reason linkedFolderBelow gives; `what` names the option.
 */
export function refuseLinkedFolder(folder: string, what: string, cwd = process.cwd()): void {
  const link = linkedFolderBelow(cwd, join(resolve(cwd, folder), "_"));
  if (link)
    throw new UsageError(
      `${what} ${folder}: ${relative(cwd, link)} is a symbolic link inside the working folder, which an audited repository may have planted: refusing to write through it.`,
    );
}

/** Writes `content` to `path` as outputTarget says; a missing parent folder is created. */
export function writeOutputFile(path: string, content: Content): void {
  const target = outputTarget(path);
  if (target.kind === "descriptor") return writeAll(target.fd, content, path);
  if (target.kind === "file") {
    const absolute = resolve(path);
    mkdirSync(dirname(absolute), { recursive: true });
    return replaceFile(absolute, content);
  }
  writeStream(path, content);
}

function writeStream(path: string, content: Content): void {
  let fd: number;
  try {
    // Never created or truncated here; non-blocking, so that a FIFO no process reads fails instead of hanging.
    fd = openSync(resolve(path), constants.O_WRONLY | constants.O_NOCTTY | constants.O_NONBLOCK);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENXIO") throw new UsageError(`${path} is a FIFO no process reads: nothing was written.`);
    throw error;
  }
  try {
    const stats = fstatSync(fd);
    // Swapped for a file since it was looked at: replaced like any file.
    if (stats.isFile()) {
      closeSync(fd);
      fd = -1;
      return writeOutputFile(path, content);
    }
    if (!isSink(stats)) throw refused(path, kindOf(stats));
    writeAll(fd, content, path);
  } finally {
    if (fd >= 0) closeSync(fd);
  }
}

const pause = new Int32Array(new SharedArrayBuffer(4));

/** Every byte of every chunk, waiting while a pipe is full (a descriptor may be non-blocking). */
function writeAll(fd: number, content: Content, path: string): void {
  const chunks = typeof content === "string" || content instanceof Uint8Array ? [content] : content;
  for (const chunk of chunks) {
    const bytes = typeof chunk === "string" ? Buffer.from(chunk, "utf8") : chunk;
    let at = 0;
    while (at < bytes.length) {
      try {
        at += writeSync(fd, bytes, at, bytes.length - at);
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (code === "EAGAIN") Atomics.wait(pause, 0, 0, 2);
        else if (code === "EBADF") throw new UsageError(`${path}: descriptor ${fd} is not open for writing.`);
        else throw error;
      }
    }
  }
}

const realOrResolved = (path: string) => {
  try {
    return realpathSync(path);
  } catch {
    return resolve(path);
  }
};

/**
 * The first of `outputs` that is (or links to) one of the files the run audited, `inputs` (paths relative to
 * the working directory): writing a report there would replace a manifest with it.
 */
export function outputOverInput(outputs: readonly string[], inputs: readonly string[]): string | undefined {
  const audited = new Set(inputs.map(realOrResolved));
  return outputs.find((o) => audited.has(realOrResolved(o)));
}
