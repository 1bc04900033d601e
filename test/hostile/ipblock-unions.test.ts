/**
 * Issue 13 (CIDRs as numbers), unions of ipBlocks: the internet admitted without any /0, in the shapes an
 * attacker would pick (halves spread over rules and hidden behind excepts, thousands of small blocks, an
 * egress except refilled by another block), through the CLI with the Rego (wasm) and TypeScript engines:
 * each is found, both engines agree, and near-covers that leave a gap stay silent.
 */
import { describe, expect, it } from "vitest";
import type { AuditReport } from "../../src/report/types.js";
import { auditTree, failingFindings } from "../helpers/audit-tree.js";

type Block = { cidr: string; except?: string[] };

/** A NetworkPolicy whose rules (ingress `from` or egress `to`, on 443) list the given ipBlocks. */
function policy(name: string, direction: "ingress" | "egress", rules: Block[][]): string {
  const peers = direction === "ingress" ? "from" : "to";
  const body = rules
    .map((blocks) => {
      const list = blocks.map((b) => `        - ipBlock: ${JSON.stringify(b)}`).join("\n");
      return `    - ${peers}:\n${list}\n      ports:\n        - {port: 443, protocol: TCP}`;
    })
    .join("\n");
  const type = direction === "ingress" ? "Ingress" : "Egress";
  return `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: ${name}, namespace: erlmcp}
spec:
  podSelector: {}
  policyTypes: [${type}]
  ${direction}:
${body}
`;
}

/** Every IPv4 /12 (4096 blocks), written with host bits, spread over two rules. */
const SLASH_TWELVES: Block[] = Array.from({ length: 4096 }, (_, i) => ({ cidr: `${i >> 4}.${((i & 15) << 4) | 7}.1.2/12` }));

const failing = (report: AuditReport) => failingFindings(report, (f) => `${f.resource.name} ${f.messageId}`);

describe("ipBlocks that together admit the internet are found by both engines", () => {
  it("halves behind excepts in two rules, IPv6 halves, 4096 /12s, an egress hole refilled: all found; near-covers pass", async () => {
    const { code, report } = await auditTree(
      {
        "halves.yaml": policy("halves", "ingress", [
          [{ cidr: "0.0.0.0/1", except: ["10.0.0.0/8", "0.0.0.0/2"] }, { cidr: "192.168.0.0/16" }],
          [{ cidr: "128.0.0.0/1", except: ["128.0.0.0/1"] }],
        ]),
        "v6.yaml": policy("v6", "ingress", [[{ cidr: "8000::/1" }, { cidr: "0:0::1/1" }]]),
        "many.yaml": policy("many", "ingress", [SLASH_TWELVES.slice(0, 2000), SLASH_TWELVES.slice(2000)]),
        "refill.yaml": policy("refill", "egress", [[{ cidr: "0.0.0.0/0", except: ["10.0.0.0/8"] }], [{ cidr: "10.0.0.0/8" }]]),
        "gap.yaml": policy("gap", "ingress", [SLASH_TWELVES.slice(1)]),
        "holes.yaml": policy("holes", "egress", [[{ cidr: "0.0.0.0/1", except: ["10.0.0.0/8"] }], [{ cidr: "128.0.0.0/1" }]]),
      },
      "net-no-open-ingress,net-egress-allowlist",
    );
    expect(report.inputErrors).toEqual([]);
    expect(report.disagreements).toEqual([]);
    expect(code).toBe(1);
    expect(failing(report)).toEqual([
      "halves openIpBlockUnion",
      "many openIpBlockUnion",
      "refill egressOpenIpBlockUnion",
      "v6 openIpBlockUnion",
    ]);
    const many = report.findings.find((f) => f.resource.name === "many" && f.status === "fail")!;
    expect(many.path).toBe("spec.ingress[0].from[0].ipBlock.cidr");
    expect(many.message).toContain("0.7.1.2/12, 0.23.1.2/12");
  }, 120_000);
});
