/**
 * The type check of each parsed object: an object the API server would reject is an input error at the
 * field's line, and the object is not evaluated (a control would otherwise judge a guess); so is an object
 * whose kind is ambiguous (src/catalog/match.ts ambiguousKind) or that holds a string no client carries
 * (src/k8s/unicode.ts).
 */
import { ambiguousKind } from "../catalog/match.js";
import { KUBERNETES_SCHEMA_VERSION } from "../k8s/schema/registry.js";
import { displayable, loneSurrogatePath } from "../k8s/unicode.js";
import { checkObjectTypes, type SchemaProblem } from "../k8s/schema/validate.js";
import type { InputError, K8sObject, Resource } from "../types.js";
import { inputError } from "./errors.js";
import type { FieldLocator, ParseResult } from "./yaml.js";

/** Most input errors reported for one object; the rest are counted in the last message. */
export const MAX_PROBLEMS_PER_OBJECT = 10;

/** `spec.template.spec.containers[0].securityContext.privileged` */
export function fieldPath(path: ReadonlyArray<string | number>): string {
  return path
    .map((p, i) => (typeof p === "number" ? `[${p}]` : /^[A-Za-z_$][\w$-]*$/.test(p) ? `${i ? "." : ""}${p}` : `[${JSON.stringify(p)}]`))
    .join("");
}

function objectName(object: K8sObject): string {
  const name = typeof object.metadata?.name === "string" ? object.metadata.name : "<unnamed>";
  const namespace = typeof object.metadata?.namespace === "string" ? `${object.metadata.namespace}/` : "";
  return displayable(`${object.kind} ${namespace}${name}`);
}

function hint(problem: SchemaProblem): string {
  return problem.message.startsWith("unknown field")
    ? "remove or correct the field: kubectl apply (strict field validation is its default) and server-side apply reject unknown fields"
    : `give the field a value of the type the Kubernetes ${KUBERNETES_SCHEMA_VERSION} API (or the resource's CRD) declares; see docs/inputs.md (Types)`;
}

/** Input errors (code `SCHEMA`) for the fields of `object` the API server would reject; `known` is false when no shipped schema knows its kind. */
export async function schemaInputErrors(
  object: K8sObject,
  file: string,
  line: number,
  locate: FieldLocator = () => undefined,
): Promise<{ errors: InputError[]; known: boolean }> {
  const { problems, unknownKind } = await checkObjectTypes(object);
  const shown = problems.slice(0, MAX_PROBLEMS_PER_OBJECT);
  const errors = shown.map((problem, i) => {
    const more = i === shown.length - 1 && problems.length > shown.length ? ` (and ${problems.length - shown.length} more)` : "";
    const at = locate(problem.path);
    return inputError(
      "SCHEMA",
      file,
      `${objectName(object)}: ${fieldPath(problem.path) || "(object)"}: ${problem.message} (the API server would reject this object)${more}`,
      { line: at?.line ?? line, ...(at ? { column: at.column } : {}), hint: hint(problem) },
    );
  });
  return { errors, known: !unknownKind };
}

/** The resources of one parsed stream after the type check, and the `apiVersion/kind`s no shipped schema knows. */
export interface TypeChecked {
  resources: Resource[];
  unvalidatedKinds: string[];
}

/**
 * Checks every resource of `parsed` (parsed with `locateFields`) once: those the API server would
 * reject become input errors (appended to `errors`) and are left out; the others are returned.
 */
export async function typeCheckParsed(parsed: ParseResult, errors: InputError[]): Promise<TypeChecked> {
  const resources: Resource[] = [];
  const unvalidated = new Set<string>();
  for (const resource of parsed.resources) {
    const { object, source } = resource;
    const ambiguous = ambiguousKind(object);
    if (ambiguous) {
      errors.push(
        inputError("AMBIGUOUS_KIND", source.file, `${objectName(object)}: ${ambiguous}; not evaluated`, {
          line: source.line,
          hint: "give the custom resource a kind name of its own; erlmcp-audit judges custom resources that run pods as workloads",
        }),
      );
      continue;
    }
    const surrogate = loneSurrogatePath(object);
    if (surrogate) {
      const at = parsed.locators?.get(resource)?.(surrogate);
      errors.push(
        inputError(
          "INVALID_UNICODE",
          source.file,
          `${objectName(object)}: ${displayable(fieldPath(surrogate)) || "(object)"}: a lone UTF-16 surrogate escape (\\ud800-\\udfff without its pair); not evaluated`,
          {
            line: at?.line ?? source.line,
            ...(at ? { column: at.column } : {}),
            hint: "kubectl rejects it (found invalid Unicode character escape code): write the character itself or its full surrogate pair",
          },
        ),
      );
      continue;
    }
    const checked = await schemaInputErrors(object, source.file, source.line, parsed.locators?.get(resource));
    if (!checked.known) unvalidated.add(`${resource.ref.apiVersion}/${resource.ref.kind}`);
    if (checked.errors.length) errors.push(...checked.errors);
    else resources.push(resource);
  }
  return { resources, unvalidatedKinds: [...unvalidated].sort() };
}
