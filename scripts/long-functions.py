#!/usr/bin/env python3
"""Lists functions under src/ longer than a limit (ARCHITECTURE.md: no
function over 80 lines). A function's length is counted from its `fn` line
to its closing brace, test modules (`#[cfg(test)]`) included; comments and
strings are skipped when matching braces. Exit 1 if any is found.

usage: scripts/long-functions.py [LIMIT] [--list]
"""
import pathlib
import re
import sys

LIMIT = int(next((a for a in sys.argv[1:] if a.isdigit()), 80))
FN = re.compile(r"^\s*(pub(\([^)]*\))?\s+)?(const\s+)?(async\s+)?(unsafe\s+)?fn\s+(\w+)")


def strip(src: str) -> str:
    """Blanks out comments, strings and char literals, keeping newlines."""
    out, i, n = [], 0, len(src)
    while i < n:
        c = src[i]
        if src.startswith("//", i):
            j = src.find("\n", i)
            j = n if j < 0 else j
            i = j
        elif src.startswith("/*", i):
            j = src.find("*/", i + 2)
            j = n if j < 0 else j + 2
            out.append("\n" * src.count("\n", i, j))
            i = j
        elif c == "r" and re.match(r'r#*"', src[i:i + 10]) and (i == 0 or not (src[i - 1].isalnum() or src[i - 1] == "_")):
            m = re.match(r'r(#*)"', src[i:])
            end = '"' + m.group(1)
            j = src.find(end, i + len(m.group(0)))
            j = n if j < 0 else j + len(end)
            out.append('""' + "\n" * src.count("\n", i, j))
            i = j
        elif c == '"':
            j = i + 1
            while j < n and src[j] != '"':
                j += 2 if src[j] == "\\" else 1
            out.append('""' + "\n" * src.count("\n", i, j))
            i = j + 1
        elif c == "'" and re.match(r"'(\\.|[^\\'])'|'\\u\{[0-9a-fA-F]+\}'|'\\x[0-9a-fA-F]{2}'", src[i:i + 12]):
            m = re.match(r"'(\\.|[^\\'])'|'\\u\{[0-9a-fA-F]+\}'|'\\x[0-9a-fA-F]{2}'", src[i:])
            out.append("' '")
            i += len(m.group(0))
        else:
            out.append(c)
            i += 1
    return "".join(out)


def long_functions(path: pathlib.Path):
    lines = strip(path.read_text()).split("\n")
    for start, line in enumerate(lines):
        m = FN.match(line)
        if not m:
            continue
        depth, opened = 0, False
        for end in range(start, len(lines)):
            for ch in lines[end]:
                if ch == "{":
                    depth, opened = depth + 1, True
                elif ch == "}":
                    depth -= 1
                elif ch == ";" and not opened and depth == 0:
                    break  # a declaration without a body
            else:
                if opened and depth == 0:
                    length = end - start + 1
                    if length > LIMIT:
                        yield m.group(6), start + 1, length
                    break
                continue
            break


def main() -> int:
    root = pathlib.Path(__file__).resolve().parent.parent / "src"
    found = [
        (length, f"{p.relative_to(root.parent)}:{line}", name)
        for p in sorted(root.rglob("*.rs"))
        for name, line, length in long_functions(p)
    ]
    for length, where, name in sorted(found, reverse=True):
        print(f"{length:4} lines  {where}  fn {name}")
    if found:
        print(f"{len(found)} function(s) over {LIMIT} lines", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
