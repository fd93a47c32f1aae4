#!/usr/bin/env python3
"""Writes docs/api.md from the protos: every service, RPC and message with its comments.

Run from the repository root: python3 docs/generate-api.py. CI runs it with --check, which fails
when the committed file differs (the reference never drifts from the protos) or when any service,
RPC, message, field, enum or enum value has no leading comment (API quality: everything
documented).
"""
import pathlib
import re
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
PROTOS = ROOT / "protos"


def parse(path):
    """Yields (kind, name, detail, comment) for services, rpcs, messages, fields and enum values."""
    comment = []
    scope = []
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if line.startswith("//"):
            comment.append(line[2:].strip())
            continue
        text = " ".join(comment)
        comment = []
        if m := re.match(r"service (\w+)", line):
            scope.append(("service", m[1]))
            yield "service", m[1], "", text
        elif m := re.match(r"rpc (\w+)\((\w+)\) returns \((\w+)\)", line):
            yield "rpc", m[1], f"{m[2]} → {m[3]}", text
        elif m := re.match(r"message (\w+)", line):
            scope.append(("message", m[1]))
            yield "message", ".".join(n for k, n in scope if k == "message"), "", text
        elif m := re.match(r"enum (\w+)", line):
            scope.append(("enum", m[1]))
            yield "enum", m[1], "", text
        elif m := re.match(r"(repeated |map<[^>]+> )?([\w.]+) (\w+) = (\d+);", line):
            kind = (m[1] or "").strip()
            yield "field", m[3], f"{kind + ' ' if kind else ''}{m[2]}", text
        elif m := re.match(r"(\w+) = (\d+);", line):
            yield "value", m[1], m[2], text
        if line.endswith("{}"):
            if scope and line.startswith(("message", "service", "enum")):
                scope.pop()
        elif line == "}" and scope:
            scope.pop()


def undocumented():
    """Every service, RPC, message, field, enum and enum value without a leading comment."""
    missing = []
    for path in sorted((PROTOS / "hosting").rglob("*.proto")):
        scope = ""
        for kind, name, _, comment in parse(path):
            if kind in ("service", "message", "enum"):
                scope = name
            if not comment:
                where = name if kind in ("service", "message", "enum") else f"{scope}.{name}"
                missing.append(f"{path.relative_to(ROOT)}: {kind} {where}")
    return missing


def render():
    out = ["# API reference", "", "Generated from `protos/` by `docs/generate-api.py`; do not edit by hand.", ""]
    for path in sorted((PROTOS / "hosting").rglob("*.proto")):
        package = re.search(r"^package ([\w.]+);", path.read_text(encoding="utf-8"), re.M)[1]
        out += [f"## `{package}`", "", f"File: `{path.relative_to(ROOT)}`", ""]
        table = None
        for kind, name, detail, comment in parse(path):
            if kind in ("service", "message", "enum"):
                out += ["", f"### {kind} `{name}`", ""]
                if comment:
                    out += [comment, ""]
                table = kind
                if kind == "service":
                    out += ["| RPC | request → response | description |", "|---|---|---|"]
                elif kind == "message":
                    out += ["| field | type | description |", "|---|---|---|"]
                else:
                    out += ["| value | number | description |", "|---|---|---|"]
            elif table:
                out.append(f"| `{name}` | {detail} | {comment.replace('|', '/')} |")
        out.append("")
    return "\n".join(out).rstrip() + "\n"


if __name__ == "__main__":
    target = ROOT / "docs" / "api.md"
    text = render()
    if "--check" in sys.argv:
        if missing := undocumented():
            sys.exit("undocumented in the protos:\n  " + "\n  ".join(missing))
        if target.read_text(encoding="utf-8") != text:
            sys.exit("docs/api.md is out of date: run python3 docs/generate-api.py")
        print("docs/api.md is up to date")
    else:
        target.write_text(text, encoding="utf-8")
