#!/usr/bin/env bash
# Puts Node >=22 and pnpm first on PATH for this checkout.
#
# Source it (`. scripts/setup-node.sh`) so the PATH change reaches the caller.
# A machine that already has Node >=22 and the pinned pnpm keeps what it has;
# an older machine gets Node 24 LTS and pnpm from the npm registry, installed
# into .toolchain/ inside the checkout (git-ignored) and reused afterwards.

_cb_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
_cb_toolchain="${CLINICBRIDGE_TOOLCHAIN_DIR:-$_cb_root/.toolchain}"
_cb_node_spec="node@24"
_cb_pnpm_version="$(sed -n 's/.*"packageManager": *"pnpm@\([^"]*\)".*/\1/p' "$_cb_root/package.json")"

_cb_node_major() {
  command -v node >/dev/null 2>&1 || { echo 0; return; }
  node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0
}

if [ -x "$_cb_toolchain/node_modules/node/bin/node" ]; then
  export PATH="$_cb_toolchain/node_modules/node/bin:$_cb_toolchain/node_modules/.bin:$PATH"
fi

if [ "$(_cb_node_major)" -lt 22 ]; then
  echo "setup-node: node $(node --version 2>/dev/null || echo none) is older than 22; installing $_cb_node_spec into $_cb_toolchain" >&2
  mkdir -p "$_cb_toolchain"
  npm install --prefix "$_cb_toolchain" --no-audit --no-fund --loglevel=error "$_cb_node_spec" >&2 || return 1 2>/dev/null || exit 1
  export PATH="$_cb_toolchain/node_modules/node/bin:$_cb_toolchain/node_modules/.bin:$PATH"
fi

if [ "$(pnpm --version 2>/dev/null)" != "$_cb_pnpm_version" ]; then
  echo "setup-node: installing pnpm@$_cb_pnpm_version into $_cb_toolchain" >&2
  mkdir -p "$_cb_toolchain"
  npm install --prefix "$_cb_toolchain" --no-audit --no-fund --loglevel=error "pnpm@$_cb_pnpm_version" >&2 || return 1 2>/dev/null || exit 1
  export PATH="$_cb_toolchain/node_modules/.bin:$PATH"
  # the node from .toolchain must stay ahead of the machine's
  if [ -x "$_cb_toolchain/node_modules/node/bin/node" ]; then
    export PATH="$_cb_toolchain/node_modules/node/bin:$PATH"
  fi
fi

# Use the pnpm on PATH as it is; never try to download another for the packageManager pin.
export npm_config_manage_package_manager_versions=false
echo "setup-node: node $(node --version), pnpm $(pnpm --version)" >&2
unset _cb_root _cb_toolchain _cb_node_spec _cb_pnpm_version
unset -f _cb_node_major
