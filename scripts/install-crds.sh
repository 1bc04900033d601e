#!/usr/bin/env bash
# Installs the published CRDs pinned in scripts/engines/crds.lock into $ERLMCP_AUDIT_ENGINES_DIR/crds
# (else <repo>/.engines/crds), from the Go module proxy: each module zip must have its pinned h1: sum and
# each file its pinned SHA-256. Idempotent: a file already installed with its pinned SHA-256 is kept.
# Run by scripts/install-engines.sh --cluster; read by the test cluster (test/helpers/cluster.ts).
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
dir=${ERLMCP_AUDIT_ENGINES_DIR:-$repo/.engines}
lock="$repo/scripts/engines/crds.lock"

die() { echo "erlmcp-audit crds: $*" >&2; exit 3; }
sha_of() { sha256sum "$1" | cut -d' ' -f1; }

module_folder() { # module@version sum -> the module's folder in the Go module cache, its zip sum checked
  local mv=$1 json got folder
  command -v go >/dev/null 2>&1 || die "Go is needed to fetch $mv from the module proxy and is not installed"
  json=$(GOTOOLCHAIN=local GOFLAGS=-mod=mod GONOSUMDB="${mv%@*}" go mod download -json "$mv" 2>&1) ||
    die "go mod download $mv failed: $json"
  got=$(sed -n 's/^\t"Sum": "\(.*\)",$/\1/p' <<<"$json")
  [ "$got" = "$2" ] || die "$mv has zip sum '$got', $lock pins $2"
  folder=$(sed -n 's/^\t"Dir": "\(.*\)",$/\1/p' <<<"$json")
  [ -d "$folder" ] || die "go mod download $mv left no folder: $json"
  echo "$folder"
}

while read -r name mv sum path sha; do
  case "$name" in "" | "#"*) continue ;; esac
  dest="$dir/crds/$name/${path##*/}"
  if [ -f "$dest" ] && [ "$(sha_of "$dest")" = "$sha" ]; then
    echo "ok      crd $name ${path##*/}"
    continue
  fi
  folder=$(module_folder "$mv" "$sum")
  [ "$(sha_of "$folder/$path")" = "$sha" ] || die "$mv $path does not have the SHA-256 pinned in $lock"
  mkdir -p "${dest%/*}"
  cp "$folder/$path" "$dest.tmp"
  chmod 0644 "$dest.tmp"
  mv -f "$dest.tmp" "$dest"
  echo "fetched crd $name ${path##*/} ($mv)"
done <"$lock"
echo "crds: $dir/crds"
