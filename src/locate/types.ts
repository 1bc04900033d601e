/** What the locators of src/locate/ share: a finding's field → the line a person edits. */
import type { ResultCache } from "../cache/store.js";
import type { FieldPath } from "../k8s/field-path.js";
import type { HelmOptions } from "../loaders/render.js";
import type { AuditUnit, FieldLocation, Resource } from "../types.js";
import type { YamlFiles } from "./yaml-file.js";

/** One field to place: the path of a violation in one resource of one unit. */
export interface LocateRequest {
  unit: AuditUnit;
  resource: Resource;
  /** JSON path in `resource.object`; `[]` is the object as a whole. */
  path: FieldPath;
}

/** Per run: the working directory and the YAML files read so far (each parsed once, only when a finding needs it). */
export interface LocateContext {
  cwd: string;
  files: YamlFiles;
  /** Per-run caches of the locators (e.g. a unit's re-render), by a key each locator prefixes with its name. */
  memo: Map<string, unknown>;
  /** The options the loader rendered Helm charts with; absent when no chart was rendered. */
  helm?: HelmOptions;
  /** Runs a render (an external process) within the run's limit on parallel renders, timing it as render time. */
  render?<T>(task: () => Promise<T>): Promise<T>;
  /** `--cache`: the tagged renders are read from and stored in it as the loader's renders are. */
  cache?: ResultCache;
  /** Called once placing is done (temporary folders the locators share); without it, each locator cleans up after itself. */
  cleanup?: Array<() => void>;
}

/** Places one field of one kind of unit; undefined when it cannot (the caller falls back to the object's source). */
export type Locator = (request: LocateRequest, context: LocateContext) => Promise<FieldLocation | undefined> | FieldLocation | undefined;
