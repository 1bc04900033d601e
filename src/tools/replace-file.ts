/**
 * Writing a file we were told to write (a report, a baseline, an evidence file) into a folder an audited
 * repository may have filled: a symbolic link planted at that name (`report.sarif -> ~/.bashrc`) must be
 * replaced, never written through.
 */
import { closeSync, constants, lstatSync, openSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { randomBytes } from "node:crypto";

/**
 * Writes `content` to a new temporary file beside `path` (created with O_EXCL|O_NOFOLLOW) and renames it
 * over `path`: a link at `path` is replaced by the file, and its target is left alone. A regular file
 * already there keeps its permission bits; a new one gets `mode`. `content` may come in chunks (written one
 * after the other as they are made); a chunk that fails to be made leaves `path` as it was.
 */
export function replaceFile(path: string, content: string | Uint8Array | Iterable<string>, mode = 0o644): void {
  let existing: number | undefined;
  try {
    const stats = lstatSync(path);
    if (stats.isFile()) existing = stats.mode & 0o777;
  } catch {
    existing = undefined;
  }
  const temp = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString("hex")}.tmp`);
  const fd = openSync(temp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | (constants.O_NOFOLLOW ?? 0), existing ?? mode);
  try {
    if (typeof content === "string" || content instanceof Uint8Array) writeFileSync(fd, content);
    else for (const chunk of content) writeFileSync(fd, chunk);
  } catch (error) {
    closeSync(fd);
    rmSync(temp, { force: true });
    throw error;
  }
  closeSync(fd);
  try {
    renameSync(temp, path);
  } catch (error) {
    rmSync(temp, { force: true });
    throw error;
  }
}
