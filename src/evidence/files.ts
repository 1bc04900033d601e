/** The names of the files of an evidence package. */

/** SHA-256 and size of every other file. */
export const MANIFEST_FILE = "manifest.json";
/** Detached Ed25519 signature of manifest.json. */
export const SIGNATURE_FILE = "manifest.sig";
/** The files every package holds besides manifest.json (and manifest.sig when signed). */
export const PACKAGE_FILES = ["assessment-results.json", "controls.csv", "evidence.json", "findings.csv", "report.html"] as const;
