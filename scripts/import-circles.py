#!/usr/bin/env python3
"""Import circles between each crate's top-level modules (a folder counts as one module).

Counts every `crate::` path outside `#[cfg(test)]` items, in a `use` or inline (`crate::{a, b::c}` groups
included), and prints each strongly connected group of modules that import one another, with the edges.
Exit status 1 when a crate has a circle, so it can gate CI once there are none.

    scripts/import-circles.py            # proto, core, src-tauri
"""

import os
import re
import sys

CRATES = {"ccmeter-proto": "proto/src", "ccmeter-core": "core/src", "ccmeter": "src-tauri/src"}


def without_tests(text):
    """The source with every `#[cfg(test)]` item (a module block or one item) removed."""
    out, i = [], 0
    while True:
        at = text.find("#[cfg(test)]", i)
        if at < 0:
            out.append(text[i:])
            return "".join(out)
        out.append(text[i:at])
        brace = text.find("{", at)
        semi = text.find(";", at)
        if semi != -1 and (brace == -1 or semi < brace):
            i = semi + 1
            continue
        depth, j = 0, brace
        while j < len(text):
            if text[j] == "{":
                depth += 1
            elif text[j] == "}":
                depth -= 1
                if depth == 0:
                    break
            j += 1
        i = j + 1


def strip_comments(text):
    text = re.sub(r"//[^\n]*", "", text)
    return re.sub(r"/\*.*?\*/", "", text, flags=re.S)


def group_heads(group):
    """`a, b::c, d::{e, f}` -> [a, b, d]"""
    heads, depth, current = [], 0, ""
    for ch in group:
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
        if ch == "," and depth == 0:
            heads.append(current)
            current = ""
        else:
            current += ch
    heads.append(current)
    return [re.match(r"\s*(\w+)", h).group(1) for h in heads if re.match(r"\s*(\w+)", h)]


def references(text):
    found = set()
    for m in re.finditer(r"\bcrate::(\{|\w+)", text):
        if m.group(1) == "{":
            start, depth, j = m.end(), 1, m.end()
            while j < len(text) and depth:
                depth += {"{": 1, "}": -1}.get(text[j], 0)
                j += 1
            found.update(group_heads(text[start : j - 1]))
        else:
            found.add(m.group(1))
    return found


def modules(src):
    mods = {}
    for entry in sorted(os.listdir(src)):
        path = os.path.join(src, entry)
        if entry in ("lib.rs", "main.rs") or entry == "bin":
            continue
        if os.path.isdir(path):
            files = [os.path.join(d, f) for d, _, fs in os.walk(path) for f in fs if f.endswith(".rs")]
            mods[entry] = files
        elif entry.endswith(".rs"):
            name = entry[:-3]
            mods.setdefault(name, []).append(path)
    return mods


def circles(graph):
    """Tarjan's strongly connected components of more than one module."""
    index, low, stack, on, out, counter = {}, {}, [], set(), [], [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in graph.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = []
            while True:
                w = stack.pop()
                on.discard(w)
                group.append(w)
                if w == v:
                    break
            if len(group) > 1:
                out.append(sorted(group))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return out


def main():
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    total = 0
    for crate, src in CRATES.items():
        mods = modules(os.path.join(root, src))
        graph = {}
        for name, files in mods.items():
            refs = set()
            for path in files:
                text = strip_comments(without_tests(open(path, encoding="utf-8").read()))
                refs |= references(text)
            graph[name] = sorted(r for r in refs if r in mods and r != name)
        found = circles(graph)
        total += len(found)
        print(f"{crate}: {len(mods)} top-level modules, {len(found)} import circle(s)")
        for group in found:
            members = set(group)
            edges = [f"{a} -> {b}" for a in group for b in graph[a] if b in members]
            print(f"  circle of {len(group)}: {', '.join(group)}")
            print(f"    {'; '.join(edges)}")
    return 1 if total else 0


if __name__ == "__main__":
    sys.exit(main())
