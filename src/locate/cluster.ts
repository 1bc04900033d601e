import type { Locator } from "./types.js";

/**
 * An object read from a live API server has no file: its finding points at the object's
 * `cluster://<context>/<namespace>/<kind>/<name>` with the field path, never at a file on disk that
 * happens to carry the same name.
 */
export const locateCluster: Locator = ({ resource }) => ({ file: resource.source.file, line: 0, via: "cluster" });
