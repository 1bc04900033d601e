/**
 * Reading a file a repository under audit may have planted as a link: the config and waiver files, a
 * baseline, a signing key, and the files of charts and overlays this tool reads itself (kustomizations, CRDs,
 * templates it scans, render keys). Such a name can lead to a FIFO (the run hangs waiting for a writer), to
 * `/dev/zero` (it reads until memory runs out) or to a file of `/proc` whose size
 * reads 0 (`/proc/self/environ`: the CI job's secrets, which a parse error would then quote). Only a regular
 * file within `maxBytes`, whose bytes are the ones its size announces, is read; anything else is a clear error.
 */
import { closeSync, constants, fstatSync, openSync, readSync } from "node:fs";

/** 16 MiB: far beyond any config, waiver file or baseline, far below what would strain memory. */
export const REGULAR_FILE_MAX_BYTES = 16 * 1024 * 1024;

/** Why a file was not read, for the caller's error (which names the file and its role). */
export class RegularFileError extends Error {}

/** The bytes of `file`, or a RegularFileError saying why it is not a file that can be read whole. */
export function readRegularFile(file: string, maxBytes = REGULAR_FILE_MAX_BYTES): Buffer {
  // Non-blocking: opening a FIFO no process writes to would otherwise wait forever.
  const fd = openSync(file, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOCTTY);
  try {
    const stats = fstatSync(fd);
    if (stats.isDirectory()) throw new RegularFileError("is a folder, not a file");
    if (!stats.isFile()) throw new RegularFileError("is not a regular file (a FIFO, socket or device)");
    if (stats.size > maxBytes) throw new RegularFileError(`is ${stats.size} bytes, over the ${maxBytes}-byte limit`);
    // One byte more than announced: a file that holds more than its size says (a pseudo-file) is refused.
    const buffer = Buffer.alloc(stats.size + 1);
    let read = 0;
    for (let n; read < buffer.length && (n = readSync(fd, buffer, read, buffer.length - read, null)) > 0;) read += n;
    if (read > stats.size)
      throw new RegularFileError(`holds more than the ${stats.size} bytes its size says (a pseudo-file such as those of /proc)`);
    return buffer.subarray(0, read);
  } finally {
    closeSync(fd);
  }
}

/** The UTF-8 text of `file` as readRegularFile reads it, or undefined when it cannot be read (its reader says why elsewhere). */
export function readRegularText(file: string, maxBytes = REGULAR_FILE_MAX_BYTES): string | undefined {
  try {
    return readRegularFile(file, maxBytes).toString("utf8");
  } catch {
    return undefined;
  }
}
