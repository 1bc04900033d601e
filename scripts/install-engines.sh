#!/usr/bin/env bash
# Builds the pinned policy engines from the Go module proxy into a cache folder.
# Idempotent: a tool already built at its pinned version is kept.
#   scripts/install-engines.sh           opa, helm, kustomize
#   scripts/install-engines.sh --all     + kyverno, gator, conftest, trivy
#   scripts/install-engines.sh --cluster etcd, kube-apiserver, kube-controller-manager, CRDs (scripts/install-crds.sh)
#   scripts/install-engines.sh TOOL...   just those tools (kube-score: only a peer of npm run bench)
#   scripts/install-engines.sh --resolve [TOOL...]  rewrites the committed wrapper modules (scripts/engines)
# ERLMCP_AUDIT_BUILD_NICE=1 builds at low priority, one package at a time (nice -n 10, go -p=1).
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
  "kube-score|v1.20.0|github.com/zegl/kube-score/cmd/kube-score|version|kube-score version: 1.20.0"
  "kube-apiserver|v1.34.4|k8s.io/kubernetes/cmd/kube-apiserver|--version|Kubernetes v1.34.4"
  "kube-controller-manager|v1.34.4|k8s.io/kubernetes/cmd/kube-controller-manager|--version|Kubernetes v1.34.4"
  "etcd|v3.6.16|go.etcd.io/etcd/server/v3|--version|etcd Version: 3.6.16"
)
# The Kubernetes staging modules that k8s.io/kubernetes replaces with ./staging/src/k8s.io/<name>; the
# wrapper module pins each to the release tag v0.<minor>.<patch> of the kube-apiserver pin.
k8s_staging=(api apiextensions-apiserver apimachinery apiserver cli-runtime client-go cloud-provider
  cluster-bootstrap code-generator component-base component-helpers controller-manager cri-api cri-client
  csi-translation-lib dynamic-resource-allocation endpointslice externaljwt kms kube-aggregator
  kube-controller-manager kube-proxy kube-scheduler kubectl kubelet metrics mount-utils
  pod-security-admission sample-apiserver)
light=(opa helm kustomize)

die() { echo "erlmcp-audit engines: $*" >&2; exit 3; }

wanted=()
resolve=""
if [ "${1:-}" = "--resolve" ]; then resolve=1; shift; [ $# -gt 0 ] || set -- kyverno etcd kube-apiserver kube-controller-manager; fi
if [ $# -eq 0 ]; then wanted=("${light[@]}")
elif [ "$1" = "--all" ]; then wanted=(opa helm kustomize gator conftest kyverno trivy)
elif [ "$1" = "--cluster" ]; then wanted=(etcd kube-apiserver kube-controller-manager)
elif [ "$1" = "--help" ] || [ "$1" = "-h" ]; then sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//'; exit 0
else wanted=("$@")
fi

# Go is needed only to build: an engine already in the cache or on PATH at its pinned version is kept.
go_hint="Install Go >= 1.26 from https://go.dev/dl (e.g. curl -fsSLO https://go.dev/dl/go1.26.0.linux-amd64.tar.gz &&"
go_hint+=" tar -C /usr/local -xzf go1.26.0.linux-amd64.tar.gz && export PATH=/usr/local/go/bin:\$PATH): Debian's golang"
go_hint+=" package is Go 1.19 (bookworm), too old; or put the engines on PATH at their pinned versions."
require_go() {
  command -v go >/dev/null 2>&1 || die "Go is needed to build $1 and is not installed. $go_hint"
  local v
  v=$(GOTOOLCHAIN=local go env GOVERSION 2>/dev/null) || die "'go env GOVERSION' failed. $go_hint"
  v=${v#go}
  local major=${v%%.*} rest=${v#*.}
  local minor=${rest%%[!0-9]*}
  { [ "$major" -gt 1 ] || { [ "$major" -eq 1 ] && [ "${minor:-0}" -ge 26 ]; }; } ||
    die "Go $v is installed; building $1 needs Go >= 1.26. $go_hint"
}
mkdir -p "$bin" "$dir/log"

# The tools built from a wrapper module committed in scripts/engines/<tool>-wrapper, and the module it requires.
module_of() {
  case "$1" in
    kyverno) echo github.com/kyverno/kyverno ;;
    kube-apiserver | kube-controller-manager) echo k8s.io/kubernetes ;;
    etcd) echo go.etcd.io/etcd/server/v3 ;;
  esac
}

pin_of() { local p; for p in "${pins[@]}"; do [ "${p%%|*}" = "$1" ] && { echo "$p"; return 0; }; done; return 1; }

version_ok() { # tool cmd expected
  local out
  out=$("$bin/$1" $2 2>&1) || return 1
  grep -qF -- "$3" <<<"$out"
}

path_tool_at_pin() { # tool cmd expected: the tool's path on PATH (outside the cache) when it reports the pinned version
  local p out
  p=$(command -v "$1" 2>/dev/null) || return 1
  [ "$p" != "$bin/$1" ] || return 1
  out=$("$p" $2 2>&1) || return 1
  grep -qF -- "$3" <<<"$out" || return 1
  echo "$p"
}

# engines.lock beside bin/: one line per engine, "name<TAB>version<TAB>sha256", read by the CLI before use.
lock="$dir/engines.lock"
locked_sha() { [ -f "$lock" ] && awk -F'\t' -v n="$1" '$1 == n { print $3 }' "$lock"; return 0; }
record_lock() { # tool version: records the SHA-256 of $bin/<tool>
  local sha tmp
  sha=$(sha256sum "$bin/$1" | cut -d' ' -f1)
  tmp=$(mktemp "$dir/engines.lock.XXXXXX")
  { [ -f "$lock" ] && awk -F'\t' -v n="$1" '$1 != n' "$lock"; printf '%s\t%s\t%s\n' "$1" "$2" "$sha"; } | LC_ALL=C sort >"$tmp"
  mv -f "$tmp" "$lock"
}
check_lock() { # tool version: an engine kept from the cache must still be the one recorded; unrecorded ones are recorded
  local want
  want=$(locked_sha "$1")
  if [ -z "$want" ]; then record_lock "$1" "$2"; return 0; fi
  [ "$(sha256sum "$bin/$1" | cut -d' ' -f1)" = "$want" ] ||
    die "$bin/$1 is not the binary recorded in $lock (SHA-256 differs); delete it and run this again to rebuild it"
}

ldflags_for() { # tool version
  case "$1" in
    helm) echo "-X helm.sh/helm/v3/internal/version.version=$2" ;;
    kustomize) echo "-X sigs.k8s.io/kustomize/api/provenance.version=kustomize/$2" ;;
    gator) echo "-X github.com/open-policy-agent/gatekeeper/v3/pkg/version.Version=$2" ;;
    conftest) echo "-X github.com/open-policy-agent/conftest/internal/version.Version=${2#v}" ;;
    kyverno) echo "-X github.com/kyverno/kyverno/pkg/version.BuildVersion=$2" ;;
    trivy) echo "-X github.com/aquasecurity/trivy/pkg/version/app.ver=${2#v}" ;;
    kube-score) echo "-X main.version=${2#v}" ;;
    kube-apiserver | kube-controller-manager)
      local minor=${2#v1.}
      minor=${minor%%.*}
      echo "-X k8s.io/component-base/version.gitVersion=$2 -X k8s.io/component-base/version.gitMajor=1" \
        "-X k8s.io/component-base/version.gitMinor=$minor -X k8s.io/component-base/version.gitTreeState=clean"
      ;;
    *) echo "" ;;
  esac
}

build_committed() { # tool version module package log: from the committed wrapper module (go.mod and go.sum in
  # scripts/engines/<tool>-wrapper), -mod=readonly, no tidy; `--resolve TOOL` rewrites the committed module
  local w="$dir/src/$1-wrapper" committed="$repo/scripts/engines/$1-wrapper" missing
  grep -qx "require $3 $2" "$committed/go.mod" ||
    die "$committed/go.mod does not require $3 $2; run scripts/install-engines.sh --resolve $1 and commit go.mod and go.sum"
  if [ "$3" = k8s.io/kubernetes ]; then
    missing=$(staging_replaces "$2" | grep -vxF -f "$committed/go.mod" || true)
    [ -z "$missing" ] || die "$committed/go.mod lacks the staging replaces of $2 ($(head -n 1 <<<"$missing" | tr -d '\t')…); run scripts/install-engines.sh --resolve $1"
  fi
  mkdir -p "$w"
  cp "$committed/go.mod" "$committed/go.sum" "$committed/tools.go" "$w/"
  (cd "$w" && gobuild build -trimpath -ldflags "-s -w $(ldflags_for "$1" "$2")" -o "$bin/$1" "$4" >>"$5" 2>&1)
}

gobuild() { # go command with the low-priority settings when asked for
  if [ -n "${ERLMCP_AUDIT_BUILD_NICE:-}" ]; then
    nice -n 10 env GOTOOLCHAIN=local GOFLAGS="-mod=readonly -p=1" go "$@"
  else
    env GOTOOLCHAIN=local GOFLAGS=-mod=readonly go "$@"
  fi
}

# Resolves the wrapper module of a tool whose module cannot be `go install`ed directly (its go.mod has
# replace directives, or the build must not depend on `go mod tidy` at install time): writes go.mod,
# tools.go and go.sum in scripts/engines/<tool>-wrapper, to be committed.
resolve_wrapper() { # tool version module package [go.mod extra lines]
  local w="$repo/scripts/engines/$1-wrapper"
  mkdir -p "$w"
  printf 'module erlmcp-audit/%s-wrapper\n\ngo 1.26\n\nrequire %s %s\n%s\n' "$1" "$3" "$2" "${5:-}" >"$w/go.mod"
  printf '//go:build tools\n\npackage tools\n\nimport _ "%s"\n' "$4" >"$w/tools.go"
  rm -f "$w/go.sum"
  (cd "$w" && GOTOOLCHAIN=local go mod tidy) || die "go mod tidy failed in $w"
  echo "resolved $1 $2  $w (commit go.mod, go.sum and tools.go)"
}

staging_replaces() { # kubernetes version: replace each staging module by its v0.x.y release
  local m
  echo "replace ("
  for m in "${k8s_staging[@]}"; do echo "	k8s.io/$m => k8s.io/$m v0${1#v1}"; done
  echo ")"
}

for tool in "${wanted[@]}"; do
  pin=$(pin_of "$tool") || die "unknown tool '$tool' (known: opa helm kustomize gator conftest kyverno trivy kube-score etcd kube-apiserver kube-controller-manager)"
  IFS='|' read -r name version pkg vcmd expect <<<"$pin"
  if [ -n "$resolve" ]; then
    [ -n "$(module_of "$name")" ] || die "$name has no wrapper module (it is built with go install)"
    require_go "the $name wrapper module"
    extra=""
    [ "$(module_of "$name")" = k8s.io/kubernetes ] && extra=$(staging_replaces "$version")
    resolve_wrapper "$name" "$version" "$(module_of "$name")" "$pkg" "$extra"
    continue
  fi
  if [ -x "$bin/$name" ] && version_ok "$name" "$vcmd" "$expect"; then
    check_lock "$name" "$version"
    echo "ok      $name $version  $bin/$name"
    continue
  fi
  if on_path=$(path_tool_at_pin "$name" "$vcmd" "$expect"); then
    echo "ok      $name $version  $on_path (PATH)"
    continue
  fi
  require_go "$name $version"
  log="$dir/log/$name.log"
  : >"$log"
  echo "build   $name $version (log: $log)" >&2
  start=$(date +%s)
  if [ -n "$(module_of "$name")" ]; then
    build_committed "$name" "$version" "$(module_of "$name")" "$pkg" "$log" ||
      die "building $name $version failed; see $log (last lines: $(tail -n 3 "$log" | tr '\n' ' '))"
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
  record_lock "$name" "$version"
  echo "built   $name $version in $(($(date +%s) - start))s  $bin/$name"
done
if [ "${1:-}" = "--cluster" ]; then ERLMCP_AUDIT_ENGINES_DIR=$dir bash "$repo/scripts/install-crds.sh"; fi
echo "engines: $bin"
