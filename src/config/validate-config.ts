/**
 * The checks of a config file and waiver files that need the catalog: control IDs, profile names and
 * parameters. They run on data that may also fail the JSON Schema, so they skip what has the wrong shape
 * (the schema check reports it).
 */
import type { ParamsOwner, ParamLayer } from "./validate-params.js";
import { paramIssues } from "./validate-params.js";
import { PROFILES } from "./profiles.js";
import { didYouMean } from "./validate-schema.js";
import type { Issue, KeyPath } from "./validate-yaml.js";
import { isRecord } from "../records.js";

/** The control fields the config checks need (a loaded `Control` has them). */
export type CatalogEntry = ParamsOwner & {
  profiles?: Record<string, { params?: Record<string, unknown> }>;
  /** Message IDs of the control (its `messages`), which a waiver's `messageId` must name. */
  messages?: Record<string, string>;
};

type Data = Record<string, unknown>;

function profileIssue(path: KeyPath, name: unknown): Issue[] {
  if (typeof name !== "string" || (PROFILES as readonly string[]).includes(name)) return [];
  return [{ path, problem: `unknown profile '${name}'${didYouMean(name, PROFILES)}; profiles: ${PROFILES.join(", ")}` }];
}

/** `unknown control 'x'; did you mean 'y'?` for an ID not in the catalog. */
export function unknownControlIssue(path: KeyPath, id: string, catalog: ReadonlyMap<string, CatalogEntry>): Issue[] {
  if (catalog.has(id)) return [];
  const hint = didYouMean(id, [...catalog.keys()]) || "; `erlmcp-audit controls` lists them";
  return [{ path, problem: `unknown control '${id}'${hint}` }];
}

/** The override mappings of the config: `controls` and each `profiles.<p>.controls`, with their paths. */
function overrideMaps(config: Data): Array<{ path: KeyPath; profile?: string; overrides: Data }> {
  const maps: Array<{ path: KeyPath; profile?: string; overrides: Data }> = [];
  if (isRecord(config.controls)) maps.push({ path: ["controls"], overrides: config.controls });
  if (isRecord(config.profiles))
    for (const [profile, settings] of Object.entries(config.profiles))
      if (isRecord(settings) && isRecord(settings.controls))
        maps.push({ path: ["profiles", profile, "controls"], profile, overrides: settings.controls });
  return maps;
}

/** Params of the override of `id` in one override mapping, when given as a mapping. */
function overrideParams(overrides: Data, id: string): Data | undefined {
  const override = overrides[id];
  return isRecord(override) && isRecord(override.params) ? override.params : undefined;
}

/**
 * Issues of a parsed config against the catalog: unknown profile names (`profile`, `inputs[].profile`,
 * `profiles` keys), unknown control IDs in `controls` and `profiles.<p>.controls`, and for each overridden
 * control and each profile the parameters (see `paramIssues`) of control defaults → control profile →
 * config `controls` → config `profiles.<p>.controls`.
 */
export function configCatalogIssues(config: unknown, catalog: ReadonlyMap<string, CatalogEntry>): Issue[] {
  if (!isRecord(config)) return [];
  const issues: Issue[] = [...profileIssue(["profile"], config.profile)];
  if (Array.isArray(config.inputs))
    config.inputs.forEach((input, i) => isRecord(input) && issues.push(...profileIssue(["inputs", i, "profile"], input.profile)));
  if (isRecord(config.profiles)) for (const name of Object.keys(config.profiles)) issues.push(...profileIssue(["profiles", name], name));

  const maps = overrideMaps(config);
  const overridden = new Set<string>();
  for (const { path, overrides } of maps)
    for (const id of Object.keys(overrides)) {
      const unknown = unknownControlIssue([...path, id], id, catalog);
      issues.push(...unknown);
      if (!unknown.length && overrideParams(overrides, id)) overridden.add(id);
    }

  const profiles = [...new Set([...PROFILES, ...maps.flatMap((m) => m.profile ?? [])])];
  for (const id of [...overridden].sort()) {
    const control = catalog.get(id)!;
    for (const profile of profiles) {
      const layers: ParamLayer[] = [];
      if (control.params) layers.push({ params: control.params.defaults });
      const profileParams = control.profiles?.[profile]?.params;
      if (profileParams) layers.push({ params: profileParams });
      for (const map of maps) {
        const params = overrideParams(map.overrides, id);
        if (params && (map.profile === undefined || map.profile === profile)) layers.push({ path: [...map.path, id, "params"], params });
      }
      if (layers.some((l) => l.path)) issues.push(...paramIssues(control, layers));
    }
  }
  return issues;
}

/** `unknown message ID 'x' of control c; did you mean 'y'?` when the control declares its messages. */
function unknownMessageIssue(path: KeyPath, control: CatalogEntry, messageId: unknown): Issue[] {
  const known = Object.keys(control.messages ?? {});
  if (typeof messageId !== "string" || !control.messages || known.includes(messageId)) return [];
  return [
    {
      path,
      problem: `unknown message ID '${messageId}' of ${control.id}${didYouMean(messageId, known)}; message IDs: ${known.join(", ")}`,
    },
  ];
}

/**
 * Issues of a parsed waiver file against the catalog: each waiver's `control` must be a known control ID
 * and its `messageId` one of that control's messages.
 */
export function waiverCatalogIssues(file: unknown, catalog: ReadonlyMap<string, CatalogEntry>): Issue[] {
  if (!isRecord(file) || !Array.isArray(file.waivers)) return [];
  return file.waivers.flatMap((waiver, i) => {
    if (!isRecord(waiver) || typeof waiver.control !== "string") return [];
    const unknown = unknownControlIssue(["waivers", i, "control"], waiver.control, catalog);
    return unknown.length ? unknown : unknownMessageIssue(["waivers", i, "messageId"], catalog.get(waiver.control)!, waiver.messageId);
  });
}
