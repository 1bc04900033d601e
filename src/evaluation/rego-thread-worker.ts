/** The Rego thread (src/evaluation/rego-thread.ts): the bundle's verdicts on the JSON it is sent. */
import { workerData } from "node:worker_threads";
import { objectControlVerdicts, setControlVerdicts } from "../engines/rego.js";
import { RegoBundle, shareCompiledModules } from "../engines/rego-wasm.js";
import type { ControlVerdict } from "../engines/types.js";
import { serveTasks } from "../tools/thread-pool.js";
import { claimedSlices, type RegoThreadAnswer, type RegoThreadData, type RegoUnitRequest } from "./rego-thread.js";

const data = workerData as RegoThreadData;
shareCompiledModules(data.compiled);
const bundle = await RegoBundle.load(data.controlIds, data.dir);
if (bundle.manifest.wasmSha256 !== data.wasmSha256)
  throw new Error(`${data.dir}/policy.wasm changed while the audit ran (${bundle.manifest.wasmSha256}, not ${data.wasmSha256})`);

serveTasks<RegoUnitRequest, RegoThreadAnswer>((request) => {
  const bytes = new Uint8Array(request.json);
  const items = request.offsets.slice(0, -1).map((from, i) => ({ json: bytes.subarray(from, request.offsets[i + 1]) }));
  // One scope per unit: each item is parsed into the heap once for all its set-scope controls.
  const sets = setControlVerdicts(
    bundle,
    request.sets.map((c) => ({ ...c, inputs: c.inputs.map((input) => input.map((i) => items[i]!)) })),
    (item) => item.json,
    items,
  );
  const objects: Array<ControlVerdict[] | null> = request.objects.map(() => null);
  for (const [from, to] of claimedSlices(request))
    for (let i = from; i < to; i++) {
      const { item, nullFree, ref, checks } = request.objects[i]!;
      objects[i] = objectControlVerdicts(bundle, items[item]!.json, nullFree, ref, request.checkLists[checks]!);
    }
  return { objects, sets };
});
