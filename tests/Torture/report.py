#!/usr/bin/env python3
"""Writes the Torture target's figures into docs/reliability.md between the torture markers, and the
parser fuzzing figures between the parsers markers.

    report.py FIGURES TARGET ITERATIONS FUZZ POINTS [LABEL]   a whole Torture run: both sections
    report.py --parsers FIGURES TARGET [LABEL]                tests/Fuzz/fuzz.sh alone: the parsers section only
"""
import collections
import datetime
import platform
import sys

parsers_only = sys.argv[1] == "--parsers"
if parsers_only:
    figures, target = sys.argv[2:4]
    label = sys.argv[4] if len(sys.argv) > 4 else ""
    iterations = fuzz = points = "-"
else:
    figures, target, iterations, fuzz, points = sys.argv[1:6]
    label = sys.argv[6] if len(sys.argv) > 6 else ""
models, fuzzes, crashes, steps, parsers = [], [], [], {}, []
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
    elif parts[0] == "parser":
        parsers.append((parts[1], parts[2], parts[3], parts[4], parts[5], " ".join(parts[6:])))
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


def number(text):
    return f"{int(text):,}" if text.isdigit() else text


# The parsers section: its own markers, so that fuzz.sh alone can refresh it without a whole Torture run.
how = (f"`dotnet cake --target=Torture` (`tests/Torture/torture.sh`, step parsers: {command('parsers')})" if not parsers_only
       else "`tests/Fuzz/fuzz.sh` alone")
fuzzed = [f"**Parser fuzzing** run of {today} on this machine ({platform.machine()}, 2 cores shared), {how}: afl++"
          " 4.04c with SharpFuzz 2.3.0 in persistent mode, one target per parser (`tests/Fuzz/FuzzTargets.cs`), seeded from"
          " `tests/Fuzz/corpus/<target>`; a crash is any exception other than the parser's documented refusal, or an"
          " acceptance that breaks the parser's own guarantees (round trip, stored form); a hang is an execution over 5 s."
          + (f" {label}" if label else ""), "",
          "| parser | executions | crashes | hangs | seconds | command |", "|---|---|---|---|---|---|"]
for name, done, crashed, hung, seconds, text in parsers:
    fuzzed.append(f"| {name} | {number(done)} | {crashed} | {hung} | {seconds} | `{text}` |")
if not parsers:
    fuzzed.append("| - | 0 | - | - | - | not run |")


def replace(text, name, lines):
    begin, end = f"<!-- {name}:begin -->", f"<!-- {name}:end -->"
    section = begin + "\n" + "\n".join(lines) + "\n" + end
    if begin in text:
        return text[:text.index(begin)] + section + text[text.index(end) + len(end):]
    if name == "parsers":
        return text.replace("## Takeover paths", section + "\n\n## Takeover paths", 1)
    return text.replace("## Takeover paths", "## Torture\n\n" + section + "\n\n## Takeover paths", 1)


text = open(target, encoding="utf-8").read()
if not parsers_only:
    text = replace(text, "torture", out)
    print("\n".join(out))
text = replace(text, "parsers", fuzzed)
open(target, "w", encoding="utf-8").write(text)
print("\n".join(fuzzed))
