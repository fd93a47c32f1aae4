#!/usr/bin/env python3
"""Writes the Torture target's figures into docs/reliability.md between the torture markers."""
import collections
import datetime
import platform
import sys

figures, target, iterations, fuzz, points, label = sys.argv[1:7]
models, fuzzes, crashes, steps = [], [], [], {}
for line in open(figures, encoding="utf-8"):
    parts = line.split()
    if not parts:
        continue
    if parts[0] == "model":
        models.append((parts[1], parts[2], int(parts[3])))
    elif parts[0] == "fuzz":
        fuzzes.append(tuple(int(p) for p in parts[1:5]))
    elif parts[0] == "crash":
        crashes.append((parts[1], int(parts[2]), parts[3], int(parts[4]), int(parts[5])))
    elif parts[0] == "step":
        steps[parts[1]] = (parts[2], parts[3], " ".join(parts[4:]))


def command(name):
    code, seconds, text = steps.get(name, ("-", "0", "not run"))
    verdict = "passed" if code == "0" else "not run" if code == "-" else f"FAILED (exit {code})"
    return f"`{text}` ({seconds} s, {verdict})"


today = datetime.date.today().isoformat()
out = [f"Torture run of {today} on this machine ({platform.machine()}, 2 cores shared), `dotnet cake --target=Torture`"
       f" (`tests/Torture/torture.sh`); counts used: {iterations} histories per model and store, {fuzz} requests per RPC,"
       f" {points} kill points per store." + (f" {label}" if label else ""), ""]

out += ["**Linearizability** (CsCheck `SampleParallel`: up to 4 sequential then 4 parallel calls per history, each history",
        "compared with every order of its parallel calls on the model; a failure is shrunk to a minimal history). " + command("models"), "",
        "| model | store | histories checked | result |", "|---|---|---|---|"]
for name, store, histories in sorted(models):
    out.append(f"| {name} | {store} | {histories:,} | linearizable |")
for name in ("wallet", "organization"):
    for store in ("sqlite", "postgres"):
        if not any(m[0] == name and m[1] == store for m in models):
            out.append(f"| {name} | {store} | 0 | not run (store not available, or failed: see the step) |")

out += ["", "**RPC fuzz at depth** (`FuzzTests`, seed 20261125). " + command("fuzz"), "",
        "| RPCs | requests per RPC | requests | undefined replies |", "|---|---|---|---|"]
for rpcs, per, tried, undefined in fuzzes:
    out.append(f"| {rpcs} | {per:,} | {tried:,} | {undefined} |")
if not fuzzes:
    out.append("| - | - | - | not run |")

out += ["", "**Crash campaign** (`CrashCampaignTests`: SIGKILL at a seeded point, restart, then ledger audit, gapless invoice",
        "numbers, a legal representative (ORG-6) and every acknowledged change present; `CrashSafetyTests` ran too). " + command("crash"), "",
        "| store | kill points | kinds (points each) | acknowledged changes checked | lost |", "|---|---|---|---|---|"]
by_store = collections.defaultdict(list)
for crash in crashes:
    by_store[crash[0]].append(crash)
for store in ("sqlite", "postgres"):
    rows = by_store.get(store, [])
    if not rows:
        out.append(f"| {store} | 0 | not run | - | - |")
        continue
    kinds = collections.Counter(r[2] for r in rows)
    out.append(f"| {store} | {len(rows)} | {', '.join(f'{k} ({v})' for k, v in kinds.items())} | {sum(r[3] for r in rows):,} | {sum(r[4] for r in rows)} |")

text = open(target, encoding="utf-8").read()
begin, end = "<!-- torture:begin -->", "<!-- torture:end -->"
section = begin + "\n" + "\n".join(out) + "\n" + end
if begin in text:
    text = text[:text.index(begin)] + section + text[text.index(end) + len(end):]
else:
    text = text.replace("## Takeover paths", "## Torture\n\n" + section + "\n\n## Takeover paths", 1)
open(target, "w", encoding="utf-8").write(text)
print("\n".join(out))
