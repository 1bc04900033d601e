/** The input files of a load, each hashed once and named by its path relative to the working directory. */
import { readRegularFile } from "../tools/read-regular-file.js";
import { sha256 } from "../digest.js";
import { readdirSync } from "node:fs";
import { join, relative } from "node:path";
import type { InputFile } from "../types.js";

/** A file larger than this is left out of the input list (a render or parse refuses it and says so). */
const MAX_REGISTERED_FILE_BYTES = 256 * 1024 * 1024;
/** Records what a load read, for the input list (path, SHA-256, size) of the report and the evidence. */
export interface InputRegister {
  /** `path` relative to the working directory; `.` for the directory itself. */
  relative(path: string): string;
  /**
   * Records a file once: the bytes just read when `data` is given (`digest`: their SHA-256, when the caller
   * has it), else the file on disk. A file that cannot be read is left out; it is reported where it is read.
   */
  addFile(path: string, data?: Buffer, digest?: string): void;
  /** Records every file below `dir`. */
  addTree(dir: string): void;
  /** Records text that has no file (stdin) under `name`. */
  addText(name: string, text: string): void;
  /** Every recorded input, by path. */
  list(): InputFile[];
}

function filesUnder(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const entry of readdirSync(d, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const path = join(d, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.isFile()) out.push(path);
    }
  };
  walk(dir);
  return out;
}

/** An empty register for a load that runs in `cwd`. */
export function inputRegister(cwd: string): InputRegister {
  const inputs = new Map<string, InputFile>();
  const rel = (path: string) => relative(cwd, path) || ".";
  const addFile = (path: string, data?: Buffer, digest?: string) => {
    const key = rel(path);
    if (inputs.has(key)) return;
    try {
      const bytes = data ?? readRegularFile(path, MAX_REGISTERED_FILE_BYTES);
      inputs.set(key, { path: key, sha256: (data && digest) || sha256(bytes), bytes: bytes.length });
    } catch {
      /* reported where the file is read */
    }
  };
  return {
    relative: rel,
    addFile,
    addTree: (dir) => {
      for (const file of filesUnder(dir)) addFile(file);
    },
    addText: (name, text) => {
      inputs.set(name, { path: name, sha256: sha256(text), bytes: Buffer.byteLength(text) });
    },
    list: () => [...inputs.values()].sort((a, b) => a.path.localeCompare(b.path)),
  };
}
