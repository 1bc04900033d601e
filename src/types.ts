/** Public data contracts of erlmcp-audit. Everything here is plain JSON-serialisable data. */

export type Severity = "critical" | "high" | "medium" | "low";
export const SEVERITIES: readonly Severity[] = ["critical", "high", "medium", "low"];

export type Scope = "object" | "set";
export type EngineName = "rego" | "typescript" | "kyverno" | "gator" | "trivy";
export type FindingStatus = "pass" | "fail" | "waived" | "error";
export type FrameworkId = "soc2" | "iso27001";

/** A Kubernetes object as parsed from YAML or JSON. */
export interface K8sObject {
  apiVersion?: string;
  kind?: string;
  metadata?: {
    name?: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    [key: string]: unknown;
  };
  [key: string]: unknown;
}

/** How a rendered resource came to be. */
export interface RenderOrigin {
  tool: "helm" | "kustomize";
  /** Chart or kustomization directory, relative to the working directory. */
  path: string;
  /** Helm values file used for this render. */
  values?: string;
  /** Helm template file that produced the object (from the `# Source:` comment). */
  template?: string;
}

export interface SourceLocation {
  /** File the object was read from (for rendered objects: the chart/overlay directory). */
  file: string;
  /** 1-based line of the document's first content line (in the rendered stream for rendered input). */
  line: number;
  /** 0-based index of the YAML document in its file or stream. */
  documentIndex: number;
  /** Where the object sits inside its document when a List carried it (`["items", 2]`); absent for a whole document. */
  itemPath?: Array<string | number>;
  renderedFrom?: RenderOrigin;
}

/**
 * How a finding's location was found:
 * - `field`: the field's own key (or list item) in the file that declares the object;
 * - `parent`: the field is not written there (a missing field): its closest existing parent;
 * - `object`: the field could not be placed (e.g. stdin): the object's first line;
 * - `kustomize-patch`: the line of a Kustomize patch (strategic-merge or JSON 6902) that sets it;
 * - `kustomize-transformer`: the line of a kustomization field that sets it (`replicas`, `images`, `namePrefix`, ...);
 * - `helm-template` / `helm-helper`: the template line that renders it, in the template or in a `define` it includes.
 */
/** How a location was found; `cluster`: the object read from a live API server, which has no file or line. */
export type LocationVia =
  "field" | "parent" | "object" | "kustomize-patch" | "kustomize-transformer" | "helm-template" | "helm-helper" | "cluster";

/** The line to change for a finding, in the file its author edits. */
export interface FieldLocation {
  file: string;
  /** 1-based. */
  line: number;
  /** 1-based column of the field's key (or list item); absent when only the line is known. */
  column?: number;
  via: LocationVia;
  /** The first and last line of the object in `file`, when `file` declares the object. */
  objectLines?: [number, number];
  /** Helm: the values file and key whose value the template renders there. */
  values?: { file: string; key: string; line?: number };
}

export interface ResourceRef {
  apiVersion: string;
  kind: string;
  namespace: string;
  name: string;
}

/** A parsed object together with where it came from. */
export interface Resource {
  ref: ResourceRef;
  object: K8sObject;
  source: SourceLocation;
}

/**
 * One group of resources evaluated together (the "manifest set" of set-scope controls):
 * a directory of plain YAML, one Helm render (chart x values file) or one Kustomize build.
 */
/** What a unit was read from; `cluster`: the objects of a live API server (`erlmcp-audit cluster`). */
export type AuditUnitKind = "files" | "helm" | "kustomize" | "stdin" | "cluster";

export interface AuditUnit {
  /** Stable, human-readable ID, e.g. `manifests/helm/erlmcp@values-production.yaml`. */
  id: string;
  kind: AuditUnitKind;
  /** Path of the chart, overlay, directory or file. */
  path: string;
  resources: Resource[];
  /** Profile the unit is audited with. */
  profile: string;
  /** The config's `scopes` (system boundary) that name this unit. */
  scopes?: string[];
}

export interface InputFile {
  path: string;
  sha256: string;
  bytes: number;
}

/** A control's parameters: defaults, profile values and config overrides merged (validated against its `params.schema`). */
export type Params = Record<string, any>;

/** A violation as an engine or validator reports it, before metadata is attached. */
export interface Violation {
  messageId: string;
  data: Record<string, string | number | boolean>;
  resource: ResourceRef;
  /**
   * JSON path (keys and list indexes) of the field to change in `resource`, or of its closest existing
   * parent when the field is missing; `[]` (or absent) is the object as a whole.
   */
  path?: Array<string | number>;
}

export interface WaiverRef {
  id: string;
  justification: string;
  owner: string;
  approver: string;
  ticket: string;
  expires: string;
}

export interface Finding {
  controlId: string;
  messageId: string;
  message: string;
  data: Record<string, string | number | boolean>;
  severity: Severity;
  status: FindingStatus;
  resource: ResourceRef;
  source: SourceLocation;
  engine: EngineName;
  unit: string;
  /** JSON path of the field to change in `resource` (or of its closest existing parent), e.g. `spec.template.spec.containers[0].securityContext.privileged`; absent for the object as a whole. */
  path?: string;
  /** The line to change (see FieldLocation); `source` stays where the object itself came from. */
  location?: FieldLocation;
  waiver?: WaiverRef;
  /** With `--baseline`: `existing` findings are in the baseline and do not fail the gate. */
  baseline?: "new" | "existing";
}

/** Why a file under an input path was not audited as a manifest. */
export type NotAuditedReason =
  /** Version-control metadata (.git, .hg, .svn) or node_modules/: the default skip set. */
  | "defaultSkip"
  /** Matched an `exclude` pattern of the config. */
  | "excluded"
  /** Not YAML or JSON (by extension), so kubectl apply -f would not read it either. */
  | "notManifest"
  /** The config or a waiver file this run uses. */
  | "runConfig"
  /** Part of a Helm chart that Helm reads as something other than a template (values files, Chart.yaml, helpers, tests, NOTES). */
  | "chartFile"
  /** Part of a kustomization that kustomize reads as something other than a resource (patches, generator sources). */
  | "kustomizeFile"
  /** Could not be read (permissions, a dangling link): also an input error. */
  | "unreadable";

/** A file under an input path that was not audited, and why: every such file is listed, none is skipped silently. */
export interface NotAuditedFile {
  path: string;
  reason: NotAuditedReason;
  /** The exclude pattern, the chart or kustomization, or what made it unreadable. */
  detail?: string;
}

/** Why a notice was given (see docs/inputs.md). */
export type NoticeCode =
  /** A Helm template calls `lookup`, which returns nothing under `helm template`. */
  | "HELM_LOOKUP"
  /** A Helm template branches on `.Capabilities.APIVersions`: the branch audited is the one the `--api-versions` passed select. */
  | "HELM_CAPABILITIES"
  /** A Helm template reads `.Capabilities.KubeVersion` (or `.Capabilities` whole): the branch audited is the one `--kube-version` selects. */
  | "HELM_KUBE_VERSION"
  /** A Helm template branches on the release (`.Release.IsUpgrade`, `.Revision`, its name or namespace in a condition): audited as a first install. */
  | "HELM_RELEASE"
  /** A symbolic link to a folder under a named folder: kubectl apply -R -f does not follow it, so its files are a set of their own. */
  | "SYMLINKED_FOLDER"
  /** `entrypoints` narrowed the kustomizations rendered on their own; the others are in `notAudited`. */
  | "KUSTOMIZE_ENTRYPOINTS"
  /** `entrypoints` is set but names no kustomization among the inputs: every kustomization is rendered. */
  | "KUSTOMIZE_NO_ENTRYPOINT";

/** How an input was audited, when the reader must know it to trust the result; a notice never fails the run. */
export interface Notice {
  code: NoticeCode;
  /** The template, kustomization or config file the notice is about. */
  file: string;
  message: string;
}

export interface InputError {
  code: string;
  message: string;
  file: string;
  line?: number;
  column?: number;
  /** What the user can do about it. */
  hint?: string;
}
