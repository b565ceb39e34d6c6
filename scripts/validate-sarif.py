#!/usr/bin/env python3
"""Validates every SARIF log the test suite wrote (tests/it/outputs.rs,
`assert_valid_sarif`, into target/tmp/sarif/) against the official SARIF
2.1.0 schema (tests/fixtures/sarif-schema-2.1.0.json, the OASIS schema),
with format checking. Run by .ci/run after `cargo test`; fails when a log is
invalid, when the suite wrote none, or when the validator would accept a log
with an unknown `columnKind` (the check is live).

usage: scripts/validate-sarif.py [DIR]   (needs the PyPI package jsonschema)
"""
import copy
import json
import pathlib
import sys

import jsonschema

ROOT = pathlib.Path(__file__).resolve().parent.parent
SCHEMA = json.loads((ROOT / "tests/fixtures/sarif-schema-2.1.0.json").read_text())


def main() -> int:
    logs = pathlib.Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "target/tmp/sarif"
    files = sorted(logs.glob("*.sarif"))
    if not files:
        print(f"validate-sarif: no SARIF log in {logs}: run `cargo test` first", file=sys.stderr)
        return 1
    cls = jsonschema.validators.validator_for(SCHEMA)
    cls.check_schema(SCHEMA)
    validator = cls(SCHEMA, format_checker=cls.FORMAT_CHECKER)
    bad = 0
    for f in files:
        doc = json.loads(f.read_text())
        errors = [f"{e.message} at /{'/'.join(map(str, e.absolute_path))}" for e in validator.iter_errors(doc)]
        if errors:
            bad += 1
            print(f"{f.name}: SARIF invalid:\n  " + "\n  ".join(errors), file=sys.stderr)
        broken = copy.deepcopy(doc)
        broken["runs"][0]["columnKind"] = "bytes"
        if validator.is_valid(broken):
            print(f"{f.name}: the validator accepted a broken log", file=sys.stderr)
            return 1
    print(f"validate-sarif: {len(files) - bad} of {len(files)} SARIF logs valid against SARIF 2.1.0")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
