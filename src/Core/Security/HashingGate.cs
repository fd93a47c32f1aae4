namespace Hosting.Core.Security;

/// <summary>
/// Bounds hashing to a few at a time, so that a burst of sign-ins queues instead of allocating
/// memory for every request at once.
/// </summary>
internal sealed class HashingGate(int? maxConcurrent) : IDisposable
{
    private readonly SemaphoreSlim _slots = new(Math.Max(1, maxConcurrent ?? Environment.ProcessorCount));

    /// <summary>Runs CPU-bound <paramref name="work"/> off the caller's thread once a slot is free.</summary>
    public async Task<T> RunAsync<T>(Func<T> work, CancellationToken cancellationToken)
    {
        await _slots.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return await Task.Run(work, CancellationToken.None).ConfigureAwait(false);
        }
        finally
        {
            _slots.Release();
        }
    }

    /// <inheritdoc />
    public void Dispose() => _slots.Dispose();
}
