/** What a path is, following links: a missing or unreadable path is neither a file nor a folder. */
import { statSync } from "node:fs";

/** Whether the path is (or links to) a regular file. */
export function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/** Whether the path is (or links to) a folder. */
export function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/** Whether the path is (or links to) something other than a file or a folder: a FIFO, socket or device. */
export function isSpecial(path: string): boolean {
  try {
    const stats = statSync(path);
    return !stats.isFile() && !stats.isDirectory();
  } catch {
    return false;
  }
}
