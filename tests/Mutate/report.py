"""Writes the rows of the folders of one Stryker run into the mutation table of docs/reliability.md (between
the mutation markers) from Stryker's JSON report and log, and lists the surviving and uncovered mutants
next to the report (survivors.txt). Usage: report.py REPORT LOG COMMAND DOC FOLDER..."""
import collections
import datetime
import json
import os
import re
import sys

report_path, log_path, command, doc, folders = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5:]
FOLDERS = ["Accounts", "Organizations", "Wallets", "Billing", "Mailboxes", "Events", "Notifications", "Security", "Shared"]
HEADER = ["| folder | mutants | killed | survived | timeout | no coverage | score | date | command |",
          "|---|---|---|---|---|---|---|---|---|"]
BEGIN, END = "<!-- mutation:begin -->", "<!-- mutation:end -->"

def seconds(stamp):
    h, m, sec = map(int, stamp.split(":"))
    return h * 3600 + m * 60 + sec


# The run's phases from the log's timestamps: start, first mutant tested, end (a run may pass midnight).
stamps = []
with open(log_path) as log:
    for line in log:
        match = re.match(r"\[(\d\d:\d\d:\d\d) ", line)
        if match:
            stamps.append((seconds(match.group(1)), "will be tested" in line))
start, end = stamps[0][0], stamps[-1][0]
testing = next((s for s, mark in stamps if mark), start)
total_s, mutants_s = (end - start) % 86400, (end - testing) % 86400

report = json.load(open(report_path))
rows_new, left, all_tested = {}, [], 0
today = datetime.date.today().isoformat()
for folder in folders:
    counts = collections.Counter()
    for path, entry in report["files"].items():
        if f"/Core/{folder}/" not in path.replace("\\", "/"):
            continue
        for mutant in entry["mutants"]:
            counts[mutant["status"]] += 1
            if mutant["status"] in ("Survived", "NoCoverage"):
                start_at = mutant["location"]["start"]
                left.append(f"{mutant['status']} {os.path.relpath(path)}:{start_at['line']}:{start_at['column']}"
                            f" {mutant['mutatorName']}: {mutant.get('replacement', '').strip()[:160]}")
    killed, survived, timeout, nocov = counts["Killed"], counts["Survived"], counts["Timeout"], counts["NoCoverage"]
    tested = killed + survived + timeout + nocov
    all_tested += tested
    score = f"{100 * (killed + timeout) / tested:.1f} %" if tested else "n/a"
    rows_new[folder] = f"| {folder} | {tested} | {killed} | {survived} | {timeout} | {nocov} | {score} | {today} | `{command}` |"
    print(rows_new[folder])
    print(f"  not counted: {counts['Ignored']} ignored, {counts['CompileError']} compile errors")

rate = f"{all_tested / (mutants_s / 60):.1f}" if mutants_s else "n/a"
timing = (f"`{command}` ({today}): {all_tested} mutants in {total_s // 60} min {total_s % 60} s, of which"
          f" {(total_s - mutants_s) // 60} min {(total_s - mutants_s) % 60} s build, initial test run and coverage,"
          f" then {rate} mutants per minute.")
print(timing)

with open(os.path.join(os.path.dirname(log_path), "survivors.txt"), "w") as f:
    f.write("\n".join(sorted(left)) + "\n")

text = open(doc).read()
rows, timings = {}, []
if BEGIN in text:
    for line in text[text.index(BEGIN):text.index(END)].splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if line.startswith("| ") and cells[0] in FOLDERS:
            rows[cells[0]] = line
        elif line.startswith("- Run time of `"):
            timings.append(line)
rows.update(rows_new)
timings = [t for t in timings if not t.startswith(f"- Run time of `{command}`")] + ["- Run time of " + timing]
# A run whose rows a later run replaced no longer explains any figure in the table.
commands = {row.rstrip().rstrip("|").rsplit("|", 1)[-1].strip().strip("`") for row in rows.values()}
timings = [t for t in timings if t.split("`")[1] in commands]
lines = ["Stryker.NET 5.1.0 on src/Core (`dotnet cake --target=Mutate`, or `tests/Mutate/mutate.sh FOLDER...`; config in",
         "`tests/Mutate/stryker-config.json`) on this machine (2 cores shared, concurrency 2). Score = (killed + timeout) /",
         "mutants; ignored mutants (ignore-methods) and compile errors are not counted. Each mutant runs the tests that",
         "cover it among the rule tests (`tests/Hosting.Tests/Core` and `Parsers`), or also those through the in-process",
         "host when the command says `MUTATE_TESTS=host`.", ""] + HEADER
for name in FOLDERS:
    lines.append(rows.get(name, f"| {name} | | | | | | not run | | `tests/Mutate/mutate.sh {name}` |"))
lines += [""] + sorted(timings)
section = BEGIN + "\n" + "\n".join(lines) + "\n" + END
if BEGIN in text:
    text = text[:text.index(BEGIN)] + section + text[text.index(END) + len(END):]
else:
    text = text.replace("## Takeover paths", "## Mutation\n\n" + section + "\n\n## Takeover paths", 1)
open(doc, "w").write(text)
