#!/usr/bin/env bash
# The whole test suite (README: `npm test`). Fails on the first failing step.
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

step "engines (pinned, cached)"
bash scripts/install-engines.sh --all
# The real API server of test/cluster (etcd, kube-apiserver, kube-controller-manager): part of the suite,
# so its tests fail rather than skip when these are missing.
bash scripts/install-engines.sh --cluster
export ERLMCP_AUDIT_REQUIRE_CLUSTER=1
export PATH="${ERLMCP_AUDIT_ENGINES_DIR:-$PWD/.engines}/bin:$PATH"

step "chromium (browser tests of the HTML report)"
if ! command -v chromium >/dev/null; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium >/dev/null
fi
chromium --version

step "type-check"
npx tsc -p tsconfig.json --noEmit

step "lint and format"
npx eslint .
npx prettier --check .
opa fmt --list --fail policies

step "generated files are up to date"
npx tsx scripts/generate-types.ts --check
npx tsx scripts/generate-file-validators.ts --check
npx tsx scripts/generate-kinds.ts --check
npx tsx scripts/generate-catalog.ts --check
npx tsx scripts/generate-rego-messages.ts --check
npx tsx scripts/build-policies.ts --check
npx tsx scripts/generate-docs.ts --check
npx tsx scripts/generate-gatekeeper.ts --check
npx tsx scripts/generate-trivy-mapping.ts --check
npx tsx scripts/generate-kyverno-tests.ts --check
npx tsx scripts/generate-reports.ts --check

step "Kyverno policy tests (kyverno test)"
kyverno test policies/kyverno/tests --remove-color --fail-only

step "Rego unit tests (opa test, coverage >= 90%)"
npx tsx scripts/opa-coverage.ts 90

step "vitest (coverage of src/ >= 85%)"
npx vitest run --coverage

step "API docs (typedoc, warnings are errors)"
npx typedoc --out "$(mktemp -d)"

step "build and audit manifests/"
npm run build --silent
node bin/erlmcp-audit.js manifests/ --quiet

step "benchmark smoke (1,000 resources: erlmcp-audit and the parse floor)"
npm run bench --silent -- --smoke >/dev/null
node bin/erlmcp-audit.js verify reports/package --allow-unverified
