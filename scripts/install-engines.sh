#!/usr/bin/env bash
# Builds the pinned policy engines from the Go module proxy into a cache folder.
# Idempotent: a tool already built at its pinned version is kept.
#   scripts/install-engines.sh           opa, helm, kustomize
#   scripts/install-engines.sh --all     + kyverno, gator, conftest, trivy
#   scripts/install-engines.sh TOOL...   just those tools
# Cache: $ERLMCP_AUDIT_ENGINES_DIR, else <repo>/.engines
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
dir=${ERLMCP_AUDIT_ENGINES_DIR:-$repo/.engines}
bin="$dir/bin"

# tool|version|module or package|version command|expected text in its output
pins=(
  "opa|v1.22.3|github.com/open-policy-agent/opa|version|Version: 1.22.3"
  "helm|v3.22.0|helm.sh/helm/v3/cmd/helm|version --short|v3.22.0"
  "kustomize|v5.8.1|sigs.k8s.io/kustomize/kustomize/v5|version|v5.8.1"
  "gator|v3.23.0|github.com/open-policy-agent/gatekeeper/v3/cmd/gator|--version|v3.23.0"
  "conftest|v0.69.0|github.com/open-policy-agent/conftest|--version|0.69.0"
  "kyverno|v1.19.0|github.com/kyverno/kyverno/cmd/cli/kubectl-kyverno|version|1.19.0"
  "trivy|v0.74.0|github.com/aquasecurity/trivy/cmd/trivy|--version|0.74.0"
)
light=(opa helm kustomize)

die() { echo "erlmcp-audit engines: $*" >&2; exit 3; }

wanted=()
if [ $# -eq 0 ]; then wanted=("${light[@]}")
elif [ "$1" = "--all" ]; then wanted=(opa helm kustomize gator conftest kyverno trivy)
elif [ "$1" = "--help" ] || [ "$1" = "-h" ]; then sed -n '2,7p' "$0" | sed 's/^# \{0,1\}//'; exit 0
else wanted=("$@")
fi

command -v go >/dev/null 2>&1 || die "Go is not installed. Install Go >= 1.26 (Debian: apt-get install golang, or https://go.dev/dl) and run this again."
mkdir -p "$bin" "$dir/log"

pin_of() { local p; for p in "${pins[@]}"; do [ "${p%%|*}" = "$1" ] && { echo "$p"; return 0; }; done; return 1; }

version_ok() { # tool cmd expected
  local out
  out=$("$bin/$1" $2 2>&1) || return 1
  grep -qF -- "$3" <<<"$out"
}

ldflags_for() { # tool version
  case "$1" in
    helm) echo "-X helm.sh/helm/v3/internal/version.version=$2" ;;
    kustomize) echo "-X sigs.k8s.io/kustomize/api/provenance.version=kustomize/$2" ;;
    gator) echo "-X github.com/open-policy-agent/gatekeeper/v3/pkg/version.Version=$2" ;;
    conftest) echo "-X github.com/open-policy-agent/conftest/internal/version.Version=${2#v}" ;;
    kyverno) echo "-X github.com/kyverno/kyverno/pkg/version.BuildVersion=$2" ;;
    trivy) echo "-X github.com/aquasecurity/trivy/pkg/version/app.ver=${2#v}" ;;
    *) echo "" ;;
  esac
}

build_kyverno() { # version log
  local w="$dir/src/kyverno-wrapper"
  mkdir -p "$w"
  cat >"$w/go.mod" <<EOF
module erlmcp-audit/kyverno-wrapper

go 1.26

require github.com/kyverno/kyverno $1

replace k8s.io/pod-security-admission => github.com/kyverno/pod-security-admission v0.0.0-20251031094455-46f20778634f
EOF
  cat >"$w/tools.go" <<'EOF'
//go:build tools

package tools

import _ "github.com/kyverno/kyverno/cmd/cli/kubectl-kyverno"
EOF
  (cd "$w" && GOTOOLCHAIN=local GOFLAGS=-mod=mod go mod tidy -e >>"$2" 2>&1 &&
    GOTOOLCHAIN=local GOFLAGS=-mod=mod go build -trimpath -ldflags "-s -w $(ldflags_for kyverno "$1")" \
      -o "$bin/kyverno" github.com/kyverno/kyverno/cmd/cli/kubectl-kyverno >>"$2" 2>&1)
}

for tool in "${wanted[@]}"; do
  pin=$(pin_of "$tool") || die "unknown tool '$tool' (known: opa helm kustomize gator conftest kyverno trivy)"
  IFS='|' read -r name version pkg vcmd expect <<<"$pin"
  if [ -x "$bin/$name" ] && version_ok "$name" "$vcmd" "$expect"; then
    echo "ok      $name $version  $bin/$name"
    continue
  fi
  log="$dir/log/$name.log"
  : >"$log"
  echo "build   $name $version (log: $log)" >&2
  start=$(date +%s)
  if [ "$name" = kyverno ]; then
    build_kyverno "$version" "$log" || die "building kyverno $version failed; see $log"
  else
    extra_env=()
    [ "$name" = trivy ] && extra_env=(GOEXPERIMENT=jsonv2)
    env GOTOOLCHAIN=local GOBIN="$bin" "${extra_env[@]}" \
      go install -trimpath -ldflags "-s -w $(ldflags_for "$name" "$version")" "$pkg@$version" >>"$log" 2>&1 ||
      die "building $name $version failed; see $log (last lines: $(tail -n 3 "$log" | tr '\n' ' '))"
    [ "$name" = kustomize ] || [ -x "$bin/$name" ] || die "go install of $name left no binary in $bin"
  fi
  version_ok "$name" "$vcmd" "$expect" ||
    die "$name built but '$name $vcmd' does not report $expect: $("$bin/$name" $vcmd 2>&1 | head -n 2 | tr '\n' ' ')"
  echo "built   $name $version in $(($(date +%s) - start))s  $bin/$name"
done
echo "engines: $bin"
