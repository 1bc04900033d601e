/**
 * Whether another user could change what is at a path: what we run (engines) or trust (cache entries)
 * is only as safe as the folders it sits in. Like OpenSSH's StrictModes: the path and every folder above
 * it belong to this user (or root) and are writable by no one else; a folder above may be writable by
 * others when it is sticky (`/tmp`), since they cannot rename or remove what is not theirs there. Always
 * undefined where there are no user IDs (Windows).
 */
import { statSync, type Stats } from "node:fs";
import { dirname, resolve } from "node:path";

const WRITABLE_BY_OTHERS = 0o022;
const STICKY = 0o1000;

/** `0777`, `1777`: the permission bits as `ls -l` would count them. */
export const modeText = (stats: Stats): string => (stats.mode & 0o7777).toString(8).padStart(4, "0");

export interface PrivatePathOptions {
  /** This process's user ID (`process.getuid()`); undefined: nothing is checked. */
  uid?: number | undefined;
  /** The path itself must belong to this user, not to root (a folder we write into). Default: this user or root. */
  ownedBySelf?: boolean;
  /** The path must be a folder. */
  folder?: boolean;
}

/** Why `stats` (of `path`) lets another user change it, or undefined. */
export function statsProblem(path: string, stats: Stats, uid: number, ownedBySelf = false): string | undefined {
  if (stats.uid !== uid && (ownedBySelf || stats.uid !== 0)) return `${path} belongs to user ${stats.uid}, not to this user (${uid})`;
  if (stats.mode & WRITABLE_BY_OTHERS) return `${path} is writable by other users (mode ${modeText(stats)})`;
  return undefined;
}

/**
 * Why another user could change `path` or what is under it, or undefined when no one else can. A part
 * of the path that does not exist yet is skipped (whoever creates it makes it private).
 */
export function privatePathProblem(
  path: string,
  { uid = process.getuid?.(), ownedBySelf = false, folder = false }: PrivatePathOptions = {},
): string | undefined {
  if (uid === undefined) return undefined;
  const target = resolve(path);
  for (let current = target; ; current = dirname(current)) {
    let stats: Stats | undefined;
    try {
      stats = statSync(current);
    } catch {
      stats = undefined;
    }
    if (stats) {
      const own = current === target;
      if ((own ? folder : true) && !stats.isDirectory()) return `${current} is not a folder`;
      const problem = statsProblem(current, stats, uid, own && ownedBySelf);
      if (problem && !(problem.includes("writable") && !own && stats.mode & STICKY)) return problem;
    }
    if (dirname(current) === current) return undefined;
  }
}
