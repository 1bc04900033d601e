/** Questions asked of a built network model: may one workload reach another, do allowed ports overlap a set. */
import type { Direction, Endpoint, NetworkModel, PortRange, WorkloadNode } from "./network-types.js";

function portIncluded(ranges: readonly PortRange[], protocol: string, port: number, target: WorkloadNode | undefined): boolean {
  return ranges.some((r) => {
    if (r.protocol !== "any" && r.protocol !== protocol) return false;
    if (r.port !== null && r.endPort !== null) return port >= r.port && port <= r.endPort;
    return !!target?.ports.some((cp) => cp.name === r.name && cp.protocol === r.protocol && cp.port === port);
  });
}

function endpointIs(endpoint: Endpoint, id: string): boolean {
  return endpoint.type === "anything" || (endpoint.type === "workload" && endpoint.id === id);
}

/** Whether pods of workload `from` may open a connection to `to` on protocol/port (both directions' policies). */
export function canReach(model: NetworkModel, from: string, to: string, protocol: string, port: number): boolean {
  const target = model.workloads.find((w) => w.id === to);
  const allowed = (direction: Direction) =>
    model.flows.some(
      (f) => f.direction === direction && endpointIs(f.from, from) && endpointIs(f.to, to) && portIncluded(f.ports, protocol, port, target),
    );
  return allowed("egress") && allowed("ingress");
}

/** Whether any range of `ranges` (TCP or any protocol) overlaps the port set `ports`. */
export function rangesOverlap(ranges: readonly PortRange[], ports: ReadonlySet<number>, protocol = "TCP"): boolean {
  return ranges.some(
    (r) =>
      (r.protocol === "any" || r.protocol === protocol) &&
      r.port !== null &&
      r.endPort !== null &&
      [...ports].some((p) => p >= (r.port as number) && p <= (r.endPort as number)),
  );
}
