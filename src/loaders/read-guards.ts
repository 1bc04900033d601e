/** Reads a manifest file only when it is safe to parse: it can be read, is within the size limit and is not binary. */
import { closeSync, openSync, readFileSync, readSync, statSync } from "node:fs";
import type { InputError } from "../types.js";
import { inputError } from "./errors.js";

/** The head of a file that is searched for a NUL byte, the mark of a binary file. */
const BINARY_PROBE_BYTES = 8192;

/** The bytes of a file, or the input error that kept it unread. */
export type GuardedRead = { data: Buffer; error?: undefined } | { data?: undefined; error: InputError };

function readHead(path: string, bytes: number): Buffer {
  const fd = openSync(path, "r");
  try {
    const buffer = Buffer.alloc(bytes);
    const n = readSync(fd, buffer, 0, bytes, 0);
    return buffer.subarray(0, n);
  } finally {
    closeSync(fd);
  }
}

/**
 * Reads `file` (reported as `name`) unless it cannot be found or read, is a symbolic link loop, is
 * larger than `maxFileBytes` (refused unread) or has a NUL byte in its head.
 */
export function readManifestBytes(file: string, name: string, maxFileBytes: number): GuardedRead {
  let size: number;
  try {
    size = statSync(file).size;
  } catch (error) {
    const loop = (error as NodeJS.ErrnoException).code === "ELOOP";
    return {
      error: loop
        ? inputError("SYMLINK_LOOP", name, "symbolic link loop", { hint: "fix or remove the link" })
        : inputError("UNREADABLE", name, `cannot read: ${(error as Error).message}`, {
            hint: "check the file exists and is readable",
          }),
    };
  }
  if (size > maxFileBytes) {
    return {
      error: inputError("FILE_TOO_LARGE", name, `is ${size} bytes, over the ${maxFileBytes}-byte limit`, {
        hint: "split it, or raise --max-file-size",
      }),
    };
  }
  try {
    if (readHead(file, BINARY_PROBE_BYTES).includes(0)) {
      return { error: inputError("BINARY_FILE", name, "is a binary file, not YAML or JSON", { hint: "remove it from the audited paths" }) };
    }
    return { data: readFileSync(file) };
  } catch (error) {
    return { error: inputError("UNREADABLE", name, `cannot read: ${(error as Error).message}`, { hint: "check its permissions" }) };
  }
}
