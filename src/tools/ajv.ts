/**
 * ajv with its formats, loaded when the first validator is compiled: a run whose config and catalog come
 * from their generated validators and stored copies compiles none, and loading ajv costs ~15 ms of every
 * process (src/config/validate-params.ts, src/catalog/load.ts).
 */
import { createRequire } from "node:module";
import type { Ajv, Options } from "ajv";

const require = createRequire(import.meta.url);

/** A new ajv instance with ajv-formats added. */
export function createAjv(options: Options): Ajv {
  const { Ajv: AjvClass } = require("ajv") as typeof import("ajv");
  const addFormats = require("ajv-formats") as (ajv: Ajv) => Ajv;
  return addFormats(new AjvClass(options));
}
