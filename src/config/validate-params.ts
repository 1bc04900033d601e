/**
 * Checks control parameters against the control's `params.schema`: the defaults and profile values of
 * `control.yaml` (at catalog load) and the overrides of the config file.
 *
 * A parameter is known only if the schema declares it under `properties`, whatever the schema says about
 * `additionalProperties`: the policies read only declared parameters, so any other name is a typo.
 */
import { readRegularFile } from "../tools/read-regular-file.js";
import type { Ajv, ValidateFunction } from "ajv";
import type { ControlSpec } from "../catalog/types.js";
import { didYouMean, schemaIssues } from "./validate-schema.js";
import { formatIssue, parseYamlSource, sortIssues, type Issue, type KeyPath } from "./validate-yaml.js";
import { isRecord } from "../records.js";
import { createAjv } from "../tools/ajv.js";

let ajv: Ajv | undefined;

/** Compiled validators by schema text: each distinct params schema is compiled once per process. */
const validators = new Map<string, ValidateFunction | Error>();

function paramsValidator(schema: Record<string, unknown>): ValidateFunction | Error {
  const key = JSON.stringify(schema);
  let validator = validators.get(key);
  if (!validator) {
    try {
      validator = (ajv ??= createAjv({ allErrors: true, strict: false, verbose: true })).compile(schema);
    } catch (error) {
      validator = error as Error;
    }
    validators.set(key, validator);
  }
  return validator;
}

/** The control fields parameter checks need. */
export type ParamsOwner = Pick<ControlSpec, "id" | "params">;

/**
 * One source of parameter values, lowest precedence first: control defaults, control profile, config
 * `controls`, config `profiles.<p>.controls`. Issues are reported only for layers with a `path`.
 */
export interface ParamLayer {
  /** Key path of the `params` mapping in its file; none: checked elsewhere (the catalog), not reported. */
  path?: KeyPath;
  params: Record<string, unknown>;
}

/**
 * Issues of the layers: parameters given to a control without parameters, unknown parameter names, and
 * values that make the merged parameters (later layers win) violate the schema, reported at the layer
 * that set the offending value.
 */
export function paramIssues(control: ParamsOwner, layers: readonly ParamLayer[]): Issue[] {
  const reported = layers.filter((l): l is Required<ParamLayer> => l.path !== undefined);
  if (!control.params) return reported.map((l) => ({ path: l.path, problem: `control ${control.id} has no parameters; remove params` }));
  const validate = paramsValidator(control.params.schema);
  if (validate instanceof Error) return [];
  const known = Object.keys((control.params.schema.properties as Record<string, unknown> | undefined) ?? {});
  const issues: Issue[] = [];
  for (const layer of reported)
    for (const name of Object.keys(layer.params).filter((n) => !known.includes(n)))
      issues.push({
        path: [...layer.path, name],
        problem: `unknown parameter '${name}' of ${control.id}${didYouMean(name, known)}; parameters: ${known.join(", ") || "none"}`,
      });
  const merged: Record<string, unknown> = {};
  const setBy = new Map<string, ParamLayer>();
  for (const layer of layers)
    for (const [name, value] of Object.entries(layer.params))
      if (known.includes(name)) {
        merged[name] = value;
        setBy.set(name, layer);
      }
  if (validate(merged)) return issues;
  for (const issue of schemaIssues(validate.errors, merged, [], "parameter")) {
    const [name, ...rest] = issue.path;
    // A missing required parameter is the defaults' fault; any other error is the value's setter's.
    const layer = issue.problem.startsWith("required ") ? layers[0] : setBy.get(String(name));
    if (layer?.path) issues.push({ path: [...layer.path, String(name), ...rest], problem: issue.problem });
  }
  return issues;
}

/**
 * Checks a control.yaml's `params` (its schema compiles; its defaults satisfy it) and each
 * `profiles.<p>.params` (known parameters; merged over the defaults, they satisfy the schema).
 * Returns one `file:line:column: key: problem` line per issue, none when the control is valid.
 * @param file the control.yaml to locate keys in; @param shown its name in messages.
 */
export function controlParamsErrors(spec: ControlSpec, file: string, shown: string): string[] {
  const issues: Issue[] = [];
  const validate = spec.params ? paramsValidator(spec.params.schema) : undefined;
  if (validate instanceof Error) issues.push({ path: ["params", "schema"], problem: `invalid JSON Schema: ${validate.message}` });
  else {
    const defaults: ParamLayer[] = spec.params ? [{ path: ["params", "defaults"], params: spec.params.defaults }] : [];
    issues.push(...paramIssues(spec, defaults));
    for (const [profile, settings] of Object.entries(spec.profiles ?? {}))
      if (isRecord(settings.params))
        issues.push(...paramIssues(spec, [...defaults, { path: ["profiles", profile, "params"], params: settings.params }]));
  }
  if (!issues.length) return [];
  const source = parseYamlSource(readRegularFile(file).toString("utf8"), shown);
  return sortIssues(issues.map(source.locate)).map(formatIssue);
}
