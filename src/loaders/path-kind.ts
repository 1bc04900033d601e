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

/** What the path is (or links to) when it is neither a file nor a folder: a FIFO, a socket or a device. */
export function specialKind(path: string): "a FIFO" | "a socket" | "a device" | undefined {
  try {
    const stats = statSync(path);
    if (stats.isFile() || stats.isDirectory()) return undefined;
    return stats.isFIFO() ? "a FIFO" : stats.isSocket() ? "a socket" : "a device";
  } catch {
    return undefined;
  }
}

/** Whether the path is (or links to) something other than a file or a folder: a FIFO, socket or device. */
export const isSpecial = (path: string): boolean => specialKind(path) !== undefined;
