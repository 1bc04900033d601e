import { describe, expect, it } from "vitest";
import { formatPath } from "../../src/k8s/field-path.js";
import { parseManifestStream } from "../../src/loaders/yaml.js";
import { obsMetricsScraped } from "../../src/validators/obs-metrics-scraped.js";

const text = `apiVersion: v1
kind: Service
metadata: { name: erlmcp, namespace: erlmcp, labels: { app: erlmcp } }
spec:
  ports:
    - { name: http, port: 8080 }
    - { name: metrics, port: 9090 }
    - { name: http-metrics, port: 9091 }
---
apiVersion: monitoring.coreos.com/v1
kind: ServiceMonitor
metadata: { name: erlmcp, namespace: erlmcp }
spec:
  selector: { matchLabels: { app: erlmcp } }
  endpoints: [{ port: metrics }]
`;

describe("obs-metrics-scraped paths", () => {
  it("point at each metrics port no ServiceMonitor scrapes", () => {
    const { resources } = parseManifestStream(text, { file: "svc.yaml" });
    const located = obsMetricsScraped
      .validate(resources, { metricsPortNames: ["metrics", "http-metrics"] })
      .map((v) => `${v.messageId} ${v.data.port} @ ${formatPath(v.path ?? [])}`);
    expect(located).toEqual(["metricsPortNotScraped http-metrics @ spec.ports[2]"]);
  });
});
