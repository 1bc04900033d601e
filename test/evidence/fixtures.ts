/** Shared inputs of the evidence tests: a hostile manifest set whose strings try to run script in report.html. */
export const PAYLOAD = `<script>window.__pwned=1</script><img src=x onerror="window.__pwned=2">`;
export const JS_URL = "javascript:window.__pwned=3";

export const HOSTILE_MANIFEST = `apiVersion: v1
kind: Service
metadata:
  name: 'edge<script>window.__pwned=1</script>'
  namespace: 'shop"><svg onload=window.__pwned=4>'
  annotations:
    note: '${PAYLOAD}'
    link: '${JS_URL}'
spec:
  type: LoadBalancer
  externalIPs: ['${JS_URL}']
  selector: { app: shop }
  ports: [{ name: http, port: 80 }]
---
apiVersion: v1
kind: Pod
metadata:
  name: '=HYPERLINK("${JS_URL}")'
  namespace: 'shop"><svg onload=window.__pwned=4>'
  annotations:
    description: '${PAYLOAD}'
spec:
  hostNetwork: true
  containers:
    - name: app
      image: '${JS_URL}<script>window.__pwned=5</script>'
      env:
        - { name: API_TOKEN, value: '${PAYLOAD}' }
`;

export const HOSTILE_WAIVERS = `apiVersion: erlmcp-audit/v1
kind: WaiverList
waivers:
  - id: WVR-XSS
    control: net-external-exposure
    messageId: loadBalancerService
    match: { kind: Service, namespace: 'shop"><svg onload=window.__pwned=4>', name: 'edge<script>window.__pwned=1</script>' }
    justification: '${PAYLOAD} ${JS_URL}'
    owner: '<b onmouseover=window.__pwned=6>owner</b>'
    approver: '${JS_URL}'
    ticket: '<a href="${JS_URL}">SEC-1</a>'
    approved: "2025-06-01"
    expires: "2026-05-31"
`;
