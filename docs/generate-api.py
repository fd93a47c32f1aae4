#!/usr/bin/env python3
"""Writes docs/api.md from the protos: every service, RPC and message with its comments.

Run from the repository root: python3 docs/generate-api.py. CI runs it with --check, which fails
when the committed file differs (the reference never drifts from the protos) or when any service,
RPC, message, field, enum or enum value has no leading comment (API quality: everything
documented), or when an RPC has neither an HTTP route (google.api.http) nor a reason in
NOT_OVER_HTTP below.
"""
import pathlib
import re
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
PROTOS = ROOT / "protos"

# The RPCs without an HTTP/JSON route, each with its reason (tests/Hosting.Tests checks the same
# list against the service descriptors).
NOT_OVER_HTTP = {
    "hosting.events.v1.EventsService.WatchEvents": "server streaming: a watch holds its call open "
    "for as long as the client wants events, which the HTTP/JSON port does not serve; HTTP clients "
    "poll `ListEvents` (`GET /v1/events`) with the cursor of the last event instead.",
    "hosting.billing.v1.BillingService.GetInvoicePdf": "the same PDF is served over HTTP by "
    "`DownloadInvoicePdf` (`GET /v1/{name=organizations/*/invoices/*}:download`) as the response "
    "body itself, with content type application/pdf, rather than base64 inside JSON.",
}

HTTP_RULE = re.compile(
    r"rpc (\w+)\([^)]*\) returns \([^)]*\)\s*\{\s*option \(google\.api\.http\) = \{(?P<rule>.*?)\};", re.S)


def routes(path):
    """{rpc: (METHOD, path template, body)} of the google.api.http annotations of one proto file."""
    found = {}
    for m in HTTP_RULE.finditer(path.read_text(encoding="utf-8")):
        verb = re.search(r'(get|post|put|patch|delete): "([^"]+)"', m["rule"])
        body = re.search(r'body: "([^"]*)"', m["rule"])
        found[m[1]] = (verb[1].upper(), verb[2], body[1] if body else "")
    return found


def rpcs():
    """(full name, route or None) of every RPC, in file order."""
    out = []
    for path in sorted((PROTOS / "hosting").rglob("*.proto")):
        package = re.search(r"^package ([\w.]+);", path.read_text(encoding="utf-8"), re.M)[1]
        found = routes(path)
        service = None
        for kind, name, _, _ in parse(path):
            if kind == "service":
                service = name
            elif kind == "rpc":
                out.append((f"{package}.{service}.{name}", found.get(name)))
    return out


def unrouted():
    """RPCs with neither a route nor a reason, and reasons for RPCs that have a route or do not exist."""
    problems = []
    known = dict(rpcs())
    for rpc, route in known.items():
        if route is None and rpc not in NOT_OVER_HTTP:
            problems.append(f"{rpc}: no google.api.http route and no reason in NOT_OVER_HTTP")
    for rpc in NOT_OVER_HTTP:
        if rpc not in known:
            problems.append(f"{rpc}: in NOT_OVER_HTTP but no such RPC")
        elif known[rpc] is not None:
            problems.append(f"{rpc}: in NOT_OVER_HTTP but it has a route")
    return problems


def show(route):
    """A route as one table cell."""
    if route is None:
        return "none (see below)"
    verb, template, body = route
    return f"`{verb} {template}`" + (f" body `{body}`" if body else "")


def parse(path):
    """Yields (kind, name, detail, comment) for services, rpcs, messages, fields and enum values."""
    comment = []
    scope = []
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if line.startswith("//"):
            # buf's lint exceptions are for the linter, not the reader.
            if not line[2:].strip().startswith("buf:lint:"):
                comment.append(line[2:].strip())
            continue
        text = " ".join(comment)
        comment = []
        if m := re.match(r"service (\w+)", line):
            scope.append(("service", m[1]))
            yield "service", m[1], "", text
        elif m := re.match(r"rpc (\w+)\((stream )?([\w.]+)\) returns \((stream )?([\w.]+)\)", line):
            yield "rpc", m[1], f"{m[2] or ''}{m[3]} → {m[4] or ''}{m[5]}", text
            if line.endswith("{"):
                scope.append(("rpc", m[1]))
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
        found = routes(path)
        table = None
        for kind, name, detail, comment in parse(path):
            if kind in ("service", "message", "enum"):
                out += ["", f"### {kind} `{name}`", ""]
                if comment:
                    out += [comment, ""]
                table = kind
                if kind == "service":
                    out += ["| RPC | request → response | HTTP/JSON | description |", "|---|---|---|---|"]
                elif kind == "message":
                    out += ["| field | type | description |", "|---|---|---|"]
                else:
                    out += ["| value | number | description |", "|---|---|---|"]
            elif table == "service" and kind == "rpc":
                out.append(f"| `{name}` | {detail} | {show(found.get(name))} | {comment.replace('|', '/')} |")
            elif table:
                out.append(f"| `{name}` | {detail} | {comment.replace('|', '/')} |")
        out.append("")
    out += [
        "## HTTP/JSON routes",
        "",
        "The host transcodes each routed RPC to HTTP/JSON on its HTTP/1.1 port (`http://127.0.0.1:50052` by",
        "default, `JsonTranscoding:Url`), following AIP-127: resource paths, `:verb` custom methods, a JSON",
        "body where one is sent (`*`: the whole request but the path's fields). A path variable such as",
        "`{name=organizations/*/invoices/*}` takes the resource name with its slashes, for example",
        "`/v1/organizations/0193.../invoices/0193...:download`. Fields neither in the path nor in the body",
        "are query parameters (`?pageSize=20&pageToken=...`). Signed-in calls send",
        "`authorization: Bearer <session token>`; errors come back as a JSON google.rpc.Status with the same",
        "details as over gRPC, and a RESOURCE_EXHAUSTED with RetryInfo answers 429 with `Retry-After`",
        "(seconds). The OpenAPI document of these routes is served at `/openapi/v1.json` on the same port",
        "and committed as `docs/openapi.json`.",
        "",
        "| RPC | HTTP/JSON |",
        "|---|---|",
    ]
    out += [f"| `{rpc}` | {show(route)} |" for rpc, route in rpcs()]
    out += ["", "### Not over HTTP/JSON", ""]
    out += [f"- `{rpc}`: {reason}" for rpc, reason in NOT_OVER_HTTP.items()]
    return "\n".join(out).rstrip() + "\n"


if __name__ == "__main__":
    target = ROOT / "docs" / "api.md"
    text = render()
    if "--check" in sys.argv:
        if missing := undocumented():
            sys.exit("undocumented in the protos:\n  " + "\n  ".join(missing))
        if problems := unrouted():
            sys.exit("HTTP/JSON routes:\n  " + "\n  ".join(problems))
        if target.read_text(encoding="utf-8") != text:
            sys.exit("docs/api.md is out of date: run python3 docs/generate-api.py")
        print("docs/api.md is up to date")
    else:
        target.write_text(text, encoding="utf-8")
