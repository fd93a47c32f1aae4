namespace Hosting.Core.Events;

/// <summary>
/// Wakes the watches of this process when a unit of work committed events, so a caught-up
/// watcher hears of a change without waiting for its next poll. Other hosts' changes arrive by
/// polling.
/// </summary>
public sealed class EventSignal
{
    private TaskCompletionSource _next = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes at the next pulse; take it before reading, so no pulse is missed.</summary>
    public Task Next => Volatile.Read(ref _next).Task;

    /// <summary>Wakes everyone waiting.</summary>
    public void Pulse() =>
        Interlocked.Exchange(ref _next, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
}
