import { resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** Root of the installed package (the folder holding package.json, policies/ and dist/ or src/). */
export const PACKAGE_ROOT = resolve(fileURLToPath(new URL(".", import.meta.url)), "..");
export const POLICIES_DIR = resolve(PACKAGE_ROOT, "policies");
