/** The package's own version, and the date an audit is made on. */
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { PACKAGE_ROOT } from "./paths.js";

/** The version in the package's package.json. */
export function packageVersion(): string {
  return (JSON.parse(readFileSync(resolve(PACKAGE_ROOT, "package.json"), "utf8")) as { version: string }).version;
}

/** `SOURCE_DATE_EPOCH` (reproducible builds) when set, else now. */
export function auditDate(env: NodeJS.ProcessEnv = process.env): Date {
  const epoch = env.SOURCE_DATE_EPOCH;
  return epoch && /^\d+$/.test(epoch) ? new Date(Number(epoch) * 1000) : new Date();
}
