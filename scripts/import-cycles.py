#!/usr/bin/env python3
"""Import circles between files under src/ (ARCHITECTURE.md: "No module
imports one that imports it back"). A file's imports are its `use crate::..`,
`use super::..` paths and `crate::a::b` paths in code, resolved to the file
that defines the module; `mod.rs` re-exports are followed to the file that
owns the item when it is a `pub use` of a submodule. Prints every cycle
(strongly connected component of more than one file) and exits 1 if any."""
import os, re, sys

root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "src")
root = os.path.normpath(root)

def module_of(path):
    rel = os.path.relpath(path, root)[:-3].split(os.sep)
    if rel[-1] in ("mod", "lib", "main"):
        rel = rel[:-1]
    return tuple(rel)

files = {}
for d, _, fs in os.walk(root):
    for f in fs:
        if f.endswith(".rs"):
            p = os.path.join(d, f)
            if os.path.basename(p) == "main.rs" and d == root:
                continue
            files[module_of(p)] = p

def strip_tests(text):
    # drop #[cfg(test)] mod tests { ... } blocks (brace matched)
    out, i = [], 0
    for m in re.finditer(r"#\[cfg\(test\)\]\s*mod\s+\w+\s*\{", text):
        if m.start() < i:
            continue
        out.append(text[i:m.start()])
        depth, j = 1, m.end()
        while j < len(text) and depth:
            if text[j] == "{": depth += 1
            elif text[j] == "}": depth -= 1
            j += 1
        i = j
    out.append(text[i:])
    return "".join(out)

def resolve(mod, parts):
    """Longest prefix of parts that names a known module file."""
    best = None
    for k in range(len(parts), 0, -1):
        cand = tuple(parts[:k])
        if cand in files:
            best = cand
            break
    return best

path_re = re.compile(r"\b(crate|super)((?:::\w+)+)")
use_group_re = re.compile(r"\buse\s+(crate|super)((?:::\w+)*)::\{([^;]*)\};", re.S)

edges = {m: set() for m in files}
for mod, p in files.items():
    text = strip_tests(open(p, encoding="utf-8").read())
    text = re.sub(r"//[^\n]*", "", text)
    refs = []
    for m in use_group_re.finditer(text):
        base = m.group(1); head = [x for x in m.group(2).split("::") if x]
        for item in re.split(r",", m.group(3)):
            item = item.strip().split(" as ")[0].strip()
            if not item or "{" in item or "}" in item:
                # nested groups: take the first segment
                item = re.split(r"[{}]", item)[0].strip(": ")
            segs = [x for x in item.split("::") if x and x != "self"]
            refs.append((base, head + segs))
    for m in path_re.finditer(text):
        refs.append((m.group(1), [x for x in m.group(2).split("::") if x]))
    for base, segs in refs:
        if base == "crate":
            full = segs
        else:
            up = list(mod[:-1])
            while segs and segs[0] == "super":
                up = up[:-1]; segs = segs[1:]
            full = up + segs
        target = resolve(mod, full)
        if target is not None and target != mod and target != ():
            # a reference to a parent module (mod.rs) from its own child is
            # only an edge if the item is defined in mod.rs itself; follow
            # `pub use` re-exports to the submodule that owns the item
            if len(full) > len(target):
                item = full[len(target)]
                tp = files[target]
                ttext = open(tp, encoding="utf-8").read()
                rm = re.search(r"pub(?:\(\w+\))?\s+use\s+(?:self::)?(\w+)::(?:\{[^}]*\b%s\b[^}]*\}|%s\b)" % (item, item), ttext)
                if rm and target + (rm.group(1),) in files:
                    target = target + (rm.group(1),)
            if target != mod:
                edges[mod].add(target)

# Tarjan SCC
index, low, stack, on, sccs, n = {}, {}, [], set(), [], [0]
sys.setrecursionlimit(10000)
def strong(v):
    index[v] = low[v] = n[0]; n[0] += 1; stack.append(v); on.add(v)
    for w in edges[v]:
        if w not in index:
            strong(w); low[v] = min(low[v], low[w])
        elif w in on:
            low[v] = min(low[v], index[w])
    if low[v] == index[v]:
        comp = []
        while True:
            w = stack.pop(); on.discard(w); comp.append(w)
            if w == v: break
        if len(comp) > 1: sccs.append(comp)
for v in files:
    if v not in index: strong(v)
name = lambda m: os.path.relpath(files[m], os.path.dirname(root))
for comp in sccs:
    cs = set(comp)
    print("cycle:", ", ".join(sorted(name(m) for m in comp)))
    for m in sorted(comp):
        for w in sorted(edges[m] & cs):
            print(f"   {name(m)} -> {name(w)}")
sys.exit(1 if sccs else 0)
