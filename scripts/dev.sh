#!/usr/bin/env bash
# The one entry behind `npm start`, `npm test` and `npm run cli` (and their
# pnpm spellings). Works from a fresh clone on a machine with only Node 20 and
# npm, in any new terminal: it puts Node 24 and the pinned pnpm on PATH
# (installing them into .toolchain/ the first time), installs dependencies
# when the lockfile or a manifest changed, builds only the packages whose
# sources changed, then runs the command.
#
#   bash scripts/dev.sh start [args]   the reference server (PGlite in ./.data by default)
#   bash scripts/dev.sh cli [args]     a CLI command, e.g. `cli tenants list`
#   bash scripts/dev.sh test           lint, typecheck, build, package checks, every test
set -euo pipefail
cd "$(dirname "$0")/.."

# setup-node.sh reports on stderr; keep it to its one line unless it has to install.
. scripts/setup-node.sh

# Written after each install here; an install is due when a manifest is newer than it.
install_stamp=node_modules/.dev-install-stamp
needs_install() {
  [ -f "$install_stamp" ] || return 0
  local manifest
  for manifest in pnpm-lock.yaml pnpm-workspace.yaml package.json packages/*/package.json apps/*/package.json; do
    [ "$manifest" -nt "$install_stamp" ] && return 0
  done
  return 1
}

if needs_install; then
  echo "dev: installing dependencies" >&2
  pnpm install --frozen-lockfile >&2
  touch "$install_stamp"
fi

# Node keeps the compiled code of the server's modules here between runs: about a fifth less
# CPU for each start or CLI call (see docs/benchmarks.md).
export NODE_COMPILE_CACHE="${NODE_COMPILE_CACHE:-$PWD/node_modules/.cache/node-compile-cache}"

command="${1:-}"
shift || true
case "$command" in
  start)
    node scripts/build-stale.ts
    exec node apps/reference-server/src/cli.ts start "$@"
    ;;
  cli)
    node scripts/build-stale.ts --quiet
    exec node apps/reference-server/src/cli.ts "$@"
    ;;
  test)
    exec pnpm run test:all "$@"
    ;;
  *)
    echo "usage: scripts/dev.sh start|cli|test [args]" >&2
    exit 64
    ;;
esac
