#!/usr/bin/env bash
# Installs what SceneFarm needs on Debian/Ubuntu, only when something is missing:
# EGL/GL headers and Mesa's EGL + DRI drivers (headless OpenGL 4.5 on llvmpipe without a GPU),
# libpng (decoding) and libdeflate (PNG encoding), libjpeg-turbo (JPEG textures), SQLite (the farm's journal),
# GLFW (for the preview window; loaded at run time), Xvfb and xauth (the preview window's tests run under
# `xvfb-run`), iproute2 (network namespaces for the multi-host farm test), openssl (the farm's TLS tests make
# their certificates with it) and python3 with jsonschema and PyYAML (the scene schema test checks scenes/
# against docs/scene.schema.json with them). Safe to run again: it does nothing when all is there.
set -euo pipefail

packages=(
  libegl-dev libgl-dev libegl1 libegl-mesa0 libgl1-mesa-dri libgbm1
  libpng-dev libdeflate-dev libjpeg-dev libsqlite3-dev libglfw3-dev xvfb xauth pkg-config iproute2 openssl
  python3 python3-jsonschema python3-yaml
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}" >&2
  sudo=""
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null || { echo "setup: need root or sudo to install ${missing[*]}" >&2; exit 1; }
    sudo="sudo"
  fi
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# A python3 ahead of the system's on PATH (pyenv, a virtualenv) does not see Debian's packages.
if ! python3 -c "import jsonschema, yaml" 2>/dev/null; then
  echo "setup: installing jsonschema and PyYAML for $(command -v python3)" >&2
  python3 -m pip install --quiet jsonschema pyyaml
fi

if ! command -v swift >/dev/null; then
  echo "setup: the Swift 6 toolchain is required (swift not found on PATH); see https://www.swift.org/install/linux/" >&2
  exit 1
fi
