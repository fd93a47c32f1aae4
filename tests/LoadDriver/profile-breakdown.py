#!/usr/bin/env python3
"""Where the host's CPU goes, from a dotnet-trace speedscope file (dotnet-sampled-thread-time).

Counts only samples on CPU (the CPU_TIME pseudo-frame) outside idle loops, then splits them by the
innermost layer on the stack and, within EF Core, by phase. Usage: profile-breakdown.py FILE
"""
import collections
import json
import sys

LAYERS = ['Microsoft.EntityFrameworkCore', 'SQLitePCLRaw', 'Microsoft.Data.Sqlite', 'Npgsql',
          'Hosting.Persistence', 'Hosting.Core', 'Hosting.GrpcHost', 'Grpc.AspNetCore', 'Google.Protobuf',
          'Microsoft.AspNetCore', 'Microsoft.Extensions']
IDLE = ('RunFinalizers', 'WorkerThreadStart', 'Wait')


def ef_phase(stack):
    s = ' '.join(n for n in stack if n.startswith('Microsoft.EntityFrameworkCore!'))
    if not s:
        return None
    if 'DetectChanges' in s:
        return 'change detection'
    if any(k in s for k in ('BatchExecutor', 'CommandBatch', 'UpdateAdapter', 'StateManager.SaveChanges', 'GetEntriesToSave')):
        return 'save (update pipeline)'
    if 'QueryCompiler' in s and any(k in s for k in ('Funcletizer', 'CompileQuery', 'QueryCache', 'ExpressionEqualityComparer', 'Visitor')):
        return 'query translation and cache lookup'
    if any(k in s for k in ('StartTracking', 'Materializ', 'Snapshot', 'IdentityMap', 'Shaper')):
        return 'materialization and tracking'
    return 'query execution' if 'Query' in s else 'other'


def main(path):
    trace = json.load(open(path))
    frames = [f['name'] for f in trace['shared']['frames']]
    layers, phases, total = collections.Counter(), collections.Counter(), 0.0
    for profile in trace['profiles']:
        stack, last = [], None
        for event in profile['events']:
            if last is not None and len(stack) > 1 and frames[stack[-1]] == 'CPU_TIME':
                names = [frames[i] for i in stack[:-1]]
                if not any(w in names[-1] for w in IDLE):
                    spent = event['at'] - last
                    total += spent
                    layer = next((l for n in reversed(names) for l in LAYERS if n.startswith(l)), 'runtime and other')
                    layers[layer] += spent
                    if (phase := ef_phase(names)) is not None:
                        phases[phase] += spent
            last = event['at']
            if event['type'] == 'O':
                stack.append(event['frame'])
            elif stack:
                stack.pop()
    print(f'CPU sampled: {total / 1000:.1f} s')
    print('innermost layer:')
    for name, spent in layers.most_common():
        print(f'  {100 * spent / total:5.1f}% {name}')
    print('EF Core by phase (share of all CPU):')
    for name, spent in phases.most_common():
        print(f'  {100 * spent / total:5.1f}% {name}')


if __name__ == '__main__':
    main(sys.argv[1])
