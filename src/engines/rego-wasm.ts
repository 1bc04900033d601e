/**
 * The compiled policy bundle (policies/dist/policy.wasm + manifest.json) in one wasm instance. The
 * only file that knows opa-wasm's internals: objects are parsed into the wasm heap once and every
 * object-scope control is evaluated against them with only `input.parameters` changed
 * (LoadedPolicy.evaluate would re-parse the whole input for every control).
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type * as OpaWasm from "@open-policy-agent/opa-wasm";
import type { LoadedPolicy } from "@open-policy-agent/opa-wasm";
import { POLICIES_DIR } from "../paths.js";
import type { K8sObject, ResourceRef, Violation } from "../types.js";

export interface BundleManifest {
  opaVersion: string;
  wasmSha256: string;
  entrypoints: Record<string, string>;
  sources: Record<string, string>;
}

interface RegoViolation {
  msg?: string;
  details?: { messageId?: string; data?: Violation["data"]; resource?: ResourceRef; path?: Violation["path"] };
}

/** `$ERLMCP_AUDIT_POLICY_DIST`, else policies/dist of the package. */
export function defaultBundleDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.ERLMCP_AUDIT_POLICY_DIST || join(POLICIES_DIR, "dist");
}

export function readBundleManifest(dir = defaultBundleDir()): BundleManifest {
  return JSON.parse(readFileSync(join(dir, "manifest.json"), "utf8")) as BundleManifest;
}

/** The violations of one entrypoint's result set; `fallback` is the object judged (object scope). */
export function toViolations(result: unknown, fallback: ResourceRef | undefined, controlId: string): Violation[] {
  const set = (Array.isArray(result) ? (result[0] as { result?: unknown })?.result : undefined) ?? [];
  if (!Array.isArray(set)) throw new Error(`${controlId}: violation is not a set`);
  return (set as RegoViolation[]).map((v) => {
    const resource = v.details?.resource ?? fallback;
    if (!v.details?.messageId || !resource)
      throw new Error(`${controlId}: violation without details.messageId/resource: ${JSON.stringify(v)}`);
    const path = v.details.path;
    return { messageId: v.details.messageId, data: v.details.data ?? {}, resource, ...(path?.length ? { path } : {}) };
  });
}

interface OpaExports {
  opa_malloc(size: number): number;
  opa_json_parse(address: number, length: number): number;
  opa_json_dump(value: number): number;
  opa_heap_ptr_set(address: number): void;
  opa_heap_ptr_get(): number;
  opa_value_add_path(base: number, path: number, value: number): number;
  opa_eval_ctx_new(): number;
  opa_eval_ctx_set_input(ctx: number, value: number): void;
  opa_eval_ctx_set_data(ctx: number, value: number): void;
  opa_eval_ctx_set_entrypoint(ctx: number, entrypoint: number): void;
  eval(ctx: number): number;
  opa_eval_ctx_get_result(ctx: number): number;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();
/**
 * opa-wasm's loadPolicySync, imported when a bundle is first loaded: a run whose every unit comes from the
 * cache never loads the package (and the builtins it imports, ~15 ms). Its ES module exports loadPolicySync
 * only on its default export (its types declare it named).
 */
const opaWasm = async () => ((await import("@open-policy-agent/opa-wasm")) as unknown as { default: typeof OpaWasm }).default;

/**
 * Compiled policy.wasm modules by the SHA-256 of their bytes. Threads given this thread's modules
 * (shareCompiledModules) instantiate the same module, so they share the machine code V8 optimizes
 * while any of them runs: each thread compiling its own copy would pay the optimizing compiler again.
 */
const compiledModules = new Map<string, CompiledPolicy>();

/** The modules this thread compiled or was given, for the workerData of the threads it starts. */
export function compiledPolicyModules(): Array<[string, CompiledPolicy]> {
  return [...compiledModules];
}

/** Lets this thread use modules another thread compiled (they are keyed by the SHA-256 of their bytes). */
export function shareCompiledModules(modules: ReadonlyArray<[string, CompiledPolicy]>): void {
  for (const [sha, module] of modules) compiledModules.set(sha, module);
}

/** A compiled WebAssembly.Module (the project's TypeScript lib does not declare WebAssembly). */
export type CompiledPolicy = object;

const wasmApi = (globalThis as unknown as { WebAssembly: { compile(bytes: Uint8Array): Promise<CompiledPolicy> } }).WebAssembly;

async function compiledModule(bytes: Buffer): Promise<CompiledPolicy> {
  const sha = createHash("sha256").update(bytes).digest("hex");
  let module = compiledModules.get(sha);
  if (!module) {
    module = await wasmApi.compile(bytes);
    compiledModules.set(sha, module);
  }
  return module;
}
const PARAMETERS_PATH = encoder.encode('["parameters"]');
const RESOURCES_PATH = encoder.encode('["resources"]');
/** opa_value's type tag of an array (wasm/src/value.h). */
const OPA_ARRAY = 5;
const OBJECT_PREFIX = encoder.encode('{"parameters":{},"review":{"object":');
/** For an object checked to hold no null-valued key: policies then skip their own walk for them (lib.k8s reviewed_object). */
const NULL_FREE_OBJECT_PREFIX = encoder.encode('{"parameters":{},"review":{"nullFree":true,"object":');
const OBJECT_SUFFIX = encoder.encode("}}");
const COMMA = encoder.encode(",");

/** Each object's JSON as UTF-8, made once: its object-scope input and every set-scope input holding it reuse it. */
const objectJson = new WeakMap<object, Uint8Array>();

/** An object's JSON (UTF-8), made once per object: what the bundle parses of it. */
export function jsonOf(object: K8sObject): Uint8Array {
  let bytes = objectJson.get(object);
  if (!bytes) objectJson.set(object, (bytes = encoder.encode(JSON.stringify(object))));
  return bytes;
}

/** An object's JSON for packParts: its bytes when made before, else its text (encoded once, where it is packed). */
export function jsonPartOf(object: K8sObject): Uint8Array | string {
  return objectJson.get(object) ?? JSON.stringify(object);
}

/** opa-wasm's aborts are not always Errors (opa_abort throws its message). */
const errorText = (error: unknown) => (error instanceof Error ? error.message : String(error));

/**
 * The parts one after the other in one buffer (`allocate`: a SharedArrayBuffer for a thread), a text as
 * UTF-8, and where each starts, the end last: part i is at [offsets[i], offsets[i + 1]). `bytes` holds
 * exactly the parts; its buffer may be longer (by half at most) when a text held characters beyond ASCII.
 */
export function packParts<B extends ArrayBufferLike = ArrayBuffer>(
  parts: ReadonlyArray<Uint8Array | string>,
  allocate: (length: number) => B = (length) => new ArrayBuffer(length) as B,
): { bytes: Uint8Array<B>; offsets: number[] } {
  // Texts are encoded straight into the buffer, sized first as if they were ASCII (one byte per UTF-16 unit,
  // the fewest UTF-8 takes): a text that does not fit grows it by half at least (so that many texts beyond
  // ASCII grow it a few times, not once each), to hold that text and one byte per unit of the rest.
  let rest = 0;
  for (const part of parts) rest += part.length;
  let buffer = new Uint8Array(allocate(rest));
  const offsets = [0];
  let at = 0;
  const encodeAt = (text: string): number => {
    for (;;) {
      const { read, written } = encoder.encodeInto(text, buffer.subarray(at));
      if (read === text.length) return written;
      const needed = at + Buffer.byteLength(text, "utf8") + rest;
      const larger = new Uint8Array(allocate(Math.max(needed, Math.ceil(buffer.length * 1.5))));
      larger.set(buffer.subarray(0, at));
      buffer = larger;
    }
  };
  for (const part of parts) {
    rest -= part.length;
    if (typeof part === "string") at += encodeAt(part);
    else {
      buffer.set(part, at);
      at += part.length;
    }
    offsets.push(at);
  }
  return { bytes: buffer.subarray(0, at), offsets };
}

const concat = (parts: readonly Uint8Array[]): Uint8Array<ArrayBuffer> => packParts(parts).bytes;

/**
 * The instance's initial memory, in 64 KiB pages: 512 MiB of address space (V8 reserves several GiB per
 * wasm memory anyway), of which only the pages the policies touch become resident. OPA's allocator grows
 * the memory a page at a time as an evaluation needs it, and each growth costs milliseconds once the
 * memory is large: a first set-scope evaluation that grew it from 4 to 88 MiB took 3.4 s of CPU against
 * 0.3 s with the memory already there (net-mesh-edge-coherent, 10,000 resources).
 */
const INITIAL_PAGES = 8192;
const PAGE_BYTES = 65536;
/** wasm32's limit: 65,536 pages of 64 KiB. */
const MAX_PAGES = 65536;

/**
 * One instance of the bundle. Not re-entrant: one per thread.
 *
 * A unit's set-scope controls read overlapping inputs (at 10,000 resources their inputs held 41,700
 * objects, about 4 per object), so each object of a set-scope input is parsed into the heap once per unit
 * and kept there (`resident`, below `mark`); each input is an array of those parsed objects. OPA's
 * wasm exports no array constructor: the array is parsed as `[0,0,…]` and its elements' value pointers
 * are set to the resident objects (`opa_array_t`, wasm/src/value.h). `sharesParsedObjects` says
 * whether that layout was found at load (checked by a round trip through opa_json_dump); without it,
 * each input is parsed from JSON as a whole.
 */
export class RegoBundle {
  private readonly exports: OpaExports;
  private readonly memory: { buffer: ArrayBuffer };
  private readonly dataAddress: number;
  private readonly heapStart: number;
  private readonly entrypointIds: Record<string, number>;
  /** Whether set-scope inputs are built from resident objects (see the class comment). */
  readonly sharesParsedObjects: boolean;
  /** The unit (its resources array) whose objects are resident, and their addresses. */
  private residentScope: WeakRef<object> | undefined;
  private resident = new WeakMap<object, number>();
  /** The heap pointer above the resident objects: every evaluation allocates from here. */
  private mark: number;

  private constructor(
    policy: LoadedPolicy,
    readonly manifest: BundleManifest,
    readonly dir: string,
  ) {
    const internals = policy as unknown as {
      wasmInstance: { exports: unknown };
      mem: { buffer: ArrayBuffer };
      dataAddr: number;
      dataHeapPtr: number;
    };
    this.exports = internals.wasmInstance.exports as OpaExports;
    this.memory = internals.mem;
    this.dataAddress = internals.dataAddr;
    this.heapStart = internals.dataHeapPtr;
    this.entrypointIds = policy.entrypoints as Record<string, number>;
    this.mark = this.heapStart;
    this.sharesParsedObjects = this.arrayLayoutHolds();
  }

  /** Loads the bundle; fails naming the controls it lacks (a stale bundle). */
  static async load(controlIds: readonly string[], dir = defaultBundleDir(), initialPages = INITIAL_PAGES): Promise<RegoBundle> {
    const manifest = readBundleManifest(dir);
    const missing = controlIds.filter((id) => !manifest.entrypoints[id]);
    if (missing.length)
      throw new Error(`The policy bundle ${dir}/policy.wasm lacks ${missing.join(", ")}. Run \`npm run build:policies\`.`);
    // Synchronously, from the compiled module: the asynchronous loadPolicy reads the global `Response`,
    // which makes Node load its fetch implementation (~20 ms of each process and thread that evaluates).
    const { loadPolicySync } = await opaWasm();
    const policy = loadPolicySync((await compiledModule(readFileSync(join(dir, "policy.wasm")))) as ArrayBuffer, { initial: initialPages });
    const bundle = new RegoBundle(policy, manifest, dir);
    for (const id of controlIds) bundle.entrypointOf(id);
    return bundle;
  }

  /**
   * Evaluates a set-scope control on `{resources, parameters}`. With `scope` (the unit's resources array),
   * the objects are parsed once for all the controls evaluated on that scope; a new scope releases them.
   */
  evaluateSet(controlId: string, input: { resources: K8sObject[]; parameters: unknown }, scope?: object): Violation[] {
    return this.evaluateSetOf(controlId, input.resources, jsonOf, input.parameters, scope);
  }

  /**
   * evaluateSet on items given by their JSON (`bytesOf`, UTF-8): a thread that holds the objects' JSON and not
   * the objects (src/evaluation/rego-thread.ts). Each item is parsed once per `scope`, like an object.
   */
  evaluateSetOf<T extends object>(
    controlId: string,
    items: readonly T[],
    bytesOf: (item: T) => Uint8Array,
    parameters: unknown,
    scope?: object,
  ): Violation[] {
    const entrypoint = this.entrypointOf(controlId);
    const parametersJson = JSON.stringify(parameters);
    if (!scope || !this.sharesParsedObjects) {
      this.release();
      this.exports.opa_heap_ptr_set(this.heapStart);
      const parts: Uint8Array[] = [encoder.encode(`{"parameters":${parametersJson},"resources":[`)];
      items.forEach((item, i) => (i ? parts.push(COMMA, bytesOf(item)) : parts.push(bytesOf(item))));
      parts.push(encoder.encode("]}"));
      return toViolations(this.run(this.parse(concat(parts)), entrypoint), undefined, controlId);
    }
    const addresses = this.residentAddresses(items, bytesOf, scope);
    this.reserveHeadroom();
    const array = this.parse(encoder.encode(addresses.length ? `[${"0,".repeat(addresses.length - 1)}0]` : "[]"));
    this.pointElementsAt(array, addresses);
    const value = this.parse(encoder.encode(`{"parameters":${parametersJson}}`));
    if (this.exports.opa_value_add_path(value, this.parse(RESOURCES_PATH), array) !== 0) throw new Error("cannot set input.resources");
    return toViolations(this.run(value, entrypoint), undefined, controlId);
  }

  /** Parses the items not yet resident for `scope` (releasing another scope's) and returns every item's address. */
  private residentAddresses<T extends object>(items: readonly T[], bytesOf: (item: T) => Uint8Array, scope: object): number[] {
    if (this.residentScope?.deref() !== scope) {
      this.release();
      this.residentScope = new WeakRef(scope);
    }
    this.exports.opa_heap_ptr_set(this.mark);
    this.reserveHeadroom();
    try {
      const addresses = items.map((item) => {
        let address = this.resident.get(item);
        if (address === undefined) this.resident.set(item, (address = this.parse(bytesOf(item))));
        return address;
      });
      this.mark = this.exports.opa_heap_ptr_get();
      return addresses;
    } catch (error) {
      // The objects parsed before the failure lie above the mark, where the next evaluation writes: forget them all.
      this.release();
      throw new Error(`the wasm policy could not read an object of the input: ${errorText(error)}`);
    }
  }

  /**
   * Grows the memory in one step, by half at least, to twice the heap in use when less than half of it
   * is free. OPA's allocator grows it a page at a time as it needs, and V8 answers each growth of a
   * large memory with garbage-collection work: net-mesh-edge-coherent at 50,000 resources grew the
   * memory 704 times and took 1.4 s against 0.65 s with the memory already there. The growth is asked
   * of OPA's allocator (an allocation from the top of the memory, then the heap pointer put back), so
   * that its idea of the memory's end moves with it. Pages never written take no memory.
   */
  private reserveHeadroom(): void {
    const used = this.exports.opa_heap_ptr_get();
    const size = this.memory.buffer.byteLength;
    if (size - used >= used) return;
    const target = Math.max(2 * used, size + size / 2);
    const pages = Math.min(Math.ceil((target - size) / PAGE_BYTES), MAX_PAGES - 1 - size / PAGE_BYTES);
    if (pages < 2) return;
    try {
      this.exports.opa_heap_ptr_set(size);
      this.exports.opa_malloc((pages - 1) * PAGE_BYTES);
    } catch {
      // No room to grow further: OPA's allocator grows as it needs (and fails loudly) as before.
    } finally {
      this.exports.opa_heap_ptr_set(used);
    }
  }

  /** Drops the resident objects: the heap is reused from its start. */
  private release(): void {
    this.residentScope = undefined;
    this.resident = new WeakMap();
    this.mark = this.heapStart;
  }

  /** Sets the elements of a parsed array of `addresses.length` numbers to the values at `addresses`. */
  private pointElementsAt(array: number, addresses: readonly number[]): void {
    const view = new DataView(this.memory.buffer);
    if (view.getUint8(array) !== OPA_ARRAY || view.getUint32(array + 8, true) !== addresses.length)
      throw new Error("the wasm policy's array layout is not the one this engine writes");
    const elements = view.getUint32(array + 4, true);
    addresses.forEach((address, i) => view.setUint32(elements + 8 * i + 4, address, true));
  }

  /** Whether pointElementsAt builds what opa_json_dump reads back as the array of those values. */
  private arrayLayoutHolds(): boolean {
    try {
      this.exports.opa_heap_ptr_set(this.heapStart);
      const array = this.parse(encoder.encode("[0,0]"));
      this.pointElementsAt(array, [this.parse(encoder.encode('{"a":[1,"x"]}')), this.parse(encoder.encode("null"))]);
      return this.dump(array) === '[{"a":[1,"x"]},null]';
    } catch {
      return false;
    } finally {
      this.exports.opa_heap_ptr_set(this.heapStart);
    }
  }

  /**
   * Evaluates object-scope controls on one object (`input.review.object`) given by its JSON (UTF-8), parsing it
   * once; `nullFree`: the object holds no null-valued key. Returns, per control, its violations or the error it raised.
   */
  evaluateObjectJson(
    json: Uint8Array,
    nullFree: boolean,
    ref: ResourceRef,
    controls: ReadonlyArray<{ controlId: string; paramsJson: Uint8Array }>,
  ): Array<Violation[] | Error> {
    this.exports.opa_heap_ptr_set(this.mark);
    const prefix = nullFree ? NULL_FREE_OBJECT_PREFIX : OBJECT_PREFIX;
    let input: number;
    let path: number;
    try {
      input = this.parse(concat([prefix, json, OBJECT_SUFFIX]));
      path = this.parse(PARAMETERS_PATH);
    } catch (error) {
      // Each control's verdict on this object is that error; the other objects are still judged.
      const failure = new Error(`the wasm policy could not read the object: ${errorText(error)}`);
      return controls.map(() => failure);
    }
    return controls.map(({ controlId, paramsJson }) => {
      try {
        return toViolations(this.evaluateAt(input, path, paramsJson, this.entrypointOf(controlId)), ref, controlId);
      } catch (error) {
        return error instanceof Error ? error : new Error(String(error));
      }
    });
  }

  private entrypointOf(controlId: string): number {
    const name = this.manifest.entrypoints[controlId];
    const id = name === undefined ? undefined : this.entrypointIds[name];
    if (id === undefined) throw new Error(`${this.dir}/policy.wasm has no entrypoint for ${controlId} (manifest.json is stale).`);
    return id;
  }

  private evaluateAt(input: number, path: number, paramsJson: Uint8Array, entrypoint: number): unknown {
    if (this.exports.opa_value_add_path(input, path, this.parse(paramsJson)) !== 0) throw new Error("cannot set input.parameters");
    return this.run(input, entrypoint);
  }

  private run(input: number, entrypoint: number): unknown {
    const e = this.exports;
    const ctx = e.opa_eval_ctx_new();
    e.opa_eval_ctx_set_input(ctx, input);
    e.opa_eval_ctx_set_data(ctx, this.dataAddress);
    e.opa_eval_ctx_set_entrypoint(ctx, entrypoint);
    e.eval(ctx);
    return JSON.parse(this.dump(e.opa_eval_ctx_get_result(ctx)));
  }

  private dump(value: number): string {
    const text = this.exports.opa_json_dump(value);
    const bytes = new Uint8Array(this.memory.buffer);
    return decoder.decode(bytes.subarray(text, bytes.indexOf(0, text)));
  }

  private parse(json: Uint8Array): number {
    const address = this.exports.opa_malloc(json.length);
    new Uint8Array(this.memory.buffer).set(json, address);
    const value = this.exports.opa_json_parse(address, json.length);
    if (!value) throw new Error("the wasm policy could not parse its input");
    return value;
  }
}
