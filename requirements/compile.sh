#!/usr/bin/env bash
# Regenerate the lock files in this folder from setup.cfg (and pyproject.toml's build
# requirements) with uv: `pip install uv` once, then `bash requirements/compile.sh`.
# Every file is universal (any OS, Python >= 3.10) and carries a sha256 for every file pip may
# download, so `pip install --require-hashes -r FILE` installs exactly what CI tested.
#
#   lock.txt     the package and its test, lint and serve extras, newest versions allowed by setup.cfg
#                (minus holds.txt): .ci/run, the project's CI and the README install this.
#   runtime.txt  the package's own dependencies and its build backend, at lock.txt's versions:
#                action.yml (and so the hub templates) installs this.
#   lowest.txt   the package and its test extra, every direct dependency at the lowest
#                version setup.cfg allows: .ci/run's second test run proves the floors.
#
# Made with uv 0.13.9. Extra uv options pass through, e.g. `bash requirements/compile.sh --upgrade-package ruff`.
# Without --upgrade (or --upgrade-package) uv keeps the versions already locked.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v uv >/dev/null; then
  echo "requirements/compile.sh needs uv: pip install uv" >&2
  exit 2
fi

common=(--universal --python-version 3.10 --generate-hashes --quiet
        --custom-compile-command "bash requirements/compile.sh")

# pyproject.toml's build requirements, as an input file (action.yml builds the package with them,
# without build isolation, so they are locked too).
python3 - <<'PY'
try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib
with open("pyproject.toml", "rb") as stream:
    requires = tomllib.load(stream)["build-system"]["requires"]
with open("requirements/build.in", "w", encoding="utf-8") as out:
    out.write("# pyproject.toml [build-system] requires; written by requirements/compile.sh\n")
    out.write("".join(f"{line}\n" for line in requires))
PY

uv pip compile "${common[@]}" "$@" setup.cfg --extra test --extra lint --extra serve \
  --constraint requirements/holds.txt --output-file requirements/lock.txt
uv pip compile "${common[@]}" "$@" setup.cfg requirements/build.in \
  --constraint requirements/lock.txt --output-file requirements/runtime.txt
uv pip compile "${common[@]}" "$@" setup.cfg --extra test --resolution lowest-direct \
  --output-file requirements/lowest.txt
echo "requirements/{lock,runtime,lowest}.txt written"
