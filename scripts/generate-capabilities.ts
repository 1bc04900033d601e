/**
 * Writes policies/capabilities.json: the builtins of the pinned `opa` that the opa-wasm SDK can run
 * (natively in OPA's wasm runtime, or in the SDK's JavaScript builtins). `opa build --capabilities`
 * then rejects any policy that would fail at evaluation time in Node.
 */
import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { findTool } from "../src/tools/find.js";

// internal/compiler/wasm builtinsFunctions of OPA v1.22.3 (natively implemented in wasm).
const NATIVE = `abs all and any array.concat array.flatten array.reverse array.slice assign base64.decode
base64.encode base64.is_valid base64url.decode base64url.encode bits.and bits.negate bits.or bits.lsh
bits.rsh bits.xor ceil concat contains count div endswith eq equal floor format_int glob.match gt gte
indexof internal.template_string intersection is_array is_boolean is_null is_number is_object is_set
is_string json.filter json.is_valid json.marshal json.remove json.unmarshal lt lte lower max
internal.member_2 internal.member_3 min minus mul net.cidr_contains net.cidr_intersects net.cidr_overlap
neq numbers.range object.filter object.get object.keys object.remove object.union object.union_n or plus
product graph.reachable regex.find_all_string_submatch_n regex.is_valid regex.match re_match rem replace
strings.replace_n round set_diff sort split startswith strings.reverse substring sum to_number trim
trim_left trim_prefix trim_right trim_space trim_suffix type_name union upper walk`.split(/\s+/);
// @open-policy-agent/opa-wasm 1.10.0 src/builtins (JavaScript implementations).
const SDK = ["sprintf", "regex.split", "json.is_valid", "yaml.is_valid", "yaml.marshal", "yaml.unmarshal"];

const opa = findTool("opa");
const current = JSON.parse(execFileSync(opa, ["capabilities", "--current"], { encoding: "utf8" }));
const allowed = new Set([...NATIVE, ...SDK]);
current.builtins = current.builtins
  .filter((b: { name: string }) => allowed.has(b.name))
  .sort((a: { name: string }, b: { name: string }) => a.name.localeCompare(b.name));
const missing = [...allowed].filter((n) => !current.builtins.some((b: { name: string }) => b.name === n));
if (missing.length) throw new Error(`builtins not known to ${opa}: ${missing.join(", ")}`);
writeFileSync(new URL("../policies/capabilities.json", import.meta.url), JSON.stringify(current, null, 2) + "\n");
console.log(`policies/capabilities.json: ${current.builtins.length} builtins`);
