#!/usr/bin/env bash
# The Mutate target (`dotnet cake --target=Mutate`): mutation testing of src/Core with Stryker.NET
# (tests/Mutate/stryker-config.json) against tests/Hosting.Tests, then the score per Core folder into
# docs/reliability.md between the mutation markers. Not part of CI.
#   tests/Mutate/mutate.sh                 the five rule folders, in one Stryker run
#   tests/Mutate/mutate.sh Wallets Billing only those folders (one run); the table's other rows stay
# A run costs a build and two whole test runs (initial and coverage) before its first mutant, so
# several folders in one run are cheaper than one run each. Output (reports, logs, survivors.txt)
# goes under artifacts/mutate/ (gitignored); MUTATE_CONCURRENCY (2) sets Stryker's workers.
set -uo pipefail
cd "$(dirname "$0")/../.."
root=$(pwd)

folders=("$@")
[ ${#folders[@]} -gt 0 ] || folders=(Wallets Accounts Organizations Billing Mailboxes)
concurrency=${MUTATE_CONCURRENCY:-2}

# The tests each mutant runs (those among them that cover it): by default the rule tests
# (Hosting.Tests.Core, which run the application services over a real SQLite store, and the parser
# corpus), about 16 s in all. MUTATE_TESTS=host adds the tests through the in-process gRPC host: each
# of their classes starts a host, which made a mutant cost about a minute of a worker on 2 cores.
# Never included: EndToEnd runs the host as its own process (Stryker sees no coverage from it), the
# model, fuzz and tenant-isolation sweeps repeat through thousands of calls what the rule tests check
# one by one, and the PostgreSQL tests skip without HOSTING_TEST_POSTGRES.
if [ "${MUTATE_TESTS:-rules}" = host ]; then
    filter="FullyQualifiedName!~Hosting.Tests.EndToEnd.&FullyQualifiedName!~Hosting.Tests.Model.\
&FullyQualifiedName!~Grpc.FuzzTests&FullyQualifiedName!~Grpc.TenantIsolationTests&FullyQualifiedName!~Postgres"
else
    filter="FullyQualifiedName~Hosting.Tests.Core.|FullyQualifiedName~Hosting.Tests.Parsers."
fi

patterns=()
for folder in "${folders[@]}"; do
    [ -d "src/Core/$folder" ] || { echo "no folder src/Core/$folder"; exit 2; }
    patterns+=(-m "**/Core/$folder/**/*.cs")
done
# The error catalogues (*Errors.cs) are static fields: each of their string mutants needs every test run,
# about 40 s of a worker here, for reasons the rule tests assert wherever they matter.
patterns+=(-m "!**/Core/**/*Errors.cs")
name=$(IFS=-; echo "${folders[*]}")
out="$root/artifacts/mutate/$name"
rm -rf "$out"; mkdir -p "$out"
command="${MUTATE_TESTS:+MUTATE_TESTS=$MUTATE_TESTS }tests/Mutate/mutate.sh $*"
command=${command% }

dotnet tool restore >/dev/null || { echo "dotnet tool restore failed"; exit 1; }
echo "== ${folders[*]}: dotnet stryker ${patterns[*]} (log and reports in artifacts/mutate/$name)"
(cd tests/Hosting.Tests && dotnet stryker -f ../Mutate/stryker-config.json -c "$concurrency" \
    "${patterns[@]}" --test-case-filter "$filter" -O "$out" --skip-version-check -L) > "$out/stryker.log" 2>&1
code=$?
grep -E "mutants created|mutants will be tested|final mutation score|\[ERR\]" "$out/stryker.log" | cut -c1-300 | tail -n 20
report=$(find "$out" -name mutation-report.json | head -n 1)
if [ "$code" -ne 0 ] || [ -z "$report" ]; then
    echo "Stryker failed (exit $code): see $out/stryker.log"
    exit 1
fi
/usr/bin/python3 tests/Mutate/report.py "$report" "$out/stryker.log" "$command" docs/reliability.md "${folders[@]}"
