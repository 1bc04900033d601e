#!/usr/bin/env bash
# Builds the admission webhook image (scripts/image/Containerfile) with buildah (Debian: apt-get install
# buildah), daemonless and rootless-friendly (vfs storage), into an OCI archive.
#   scripts/build-image.sh [OUT.tar]     default: artifacts/erlmcp-audit-image.oci.tar
# The Node runtime comes from the npm `node` package ($ERLMCP_AUDIT_NODE24_DIR, as .ci/run installs it,
# else npm install node@24); the app is this package's `npm pack` installed with --omit=dev.
# Prints the image digest (sha256:...) on the last line.
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
out=$(realpath -m "${1:-$repo/artifacts/erlmcp-audit-image.oci.tar}")
version=$(node -p 'require(process.argv[1]).version' "$repo/package.json")
die() { echo "build-image: $*" >&2; exit 3; }
command -v buildah >/dev/null 2>&1 || die "buildah is not installed (Debian: apt-get install buildah)"

stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
rootfs="$stage/rootfs"
mkdir -p "$rootfs/usr/local/bin" "$rootfs/app" "$rootfs/tmp"

# The Node runtime from the npm `node` package and the shared libraries it links.
node_dir="${ERLMCP_AUDIT_NODE24_DIR:-/root/.cache/erlmcp-audit/node24}"
if [ ! -x "$node_dir/node_modules/node/bin/node" ]; then
  npm install --prefix "$node_dir" --no-audit --no-fund --no-save --prefer-offline node@24 >/dev/null
fi
node_bin=$(realpath "$node_dir/node_modules/node/bin/node")
cp "$node_bin" "$rootfs/usr/local/bin/node"
for lib in $(ldd "$node_bin" | awk '/=>/ { print $3 } /^\t\/[^ ]+ \(/ { print $1 }'); do
  mkdir -p "$rootfs$(dirname "$lib")"
  cp -L "$lib" "$rootfs$lib"
done

# The app: the package as a user installs it, without dev dependencies.
# ERLMCP_AUDIT_PACK_NO_BUILD=1 packs the dist/ already built (tests: other tests read dist/ meanwhile).
pack_flags=()
[ "${ERLMCP_AUDIT_PACK_NO_BUILD:-}" = 1 ] && [ -f "$repo/dist/index.js" ] && pack_flags=(--ignore-scripts)
(cd "$repo" && npm pack --silent "${pack_flags[@]}" --pack-destination "$stage" >/dev/null)
echo '{"name":"erlmcp-audit-image","private":true}' >"$rootfs/app/package.json"
(cd "$rootfs/app" && npm install --prefer-offline --omit=dev --no-audit --no-fund --no-package-lock \
  "$stage"/erlmcp-audit-*.tgz >/dev/null)
rm -f "$rootfs/app/package.json"
chmod -R a+rX,go-w "$rootfs"

cp "$repo/scripts/image/Containerfile" "$stage/Containerfile"
tag="localhost/erlmcp-audit:$version"
storage=(--storage-driver vfs --root "$stage/storage" --runroot "$stage/run")
buildah "${storage[@]}" bud --quiet --format oci --timestamp 0 --layers=false -f "$stage/Containerfile" -t "$tag" "$stage" >/dev/null
mkdir -p "$(dirname "$out")"
rm -f "$out"
buildah "${storage[@]}" push --quiet --digestfile "$stage/digest" "$tag" "oci-archive:$out:$tag" >/dev/null
echo "image: $out"
cat "$stage/digest"
echo
