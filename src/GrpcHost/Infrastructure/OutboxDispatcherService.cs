using Hosting.Core.Accounts;
using Hosting.Core.Notifications;

namespace Hosting.GrpcHost.Infrastructure;

/// <summary>Settings of notification delivery.</summary>
public sealed class NotificationOptions
{
    /// <summary>The configuration section.</summary>
    public const string Section = "Notifications";

    /// <summary>Whether this host dispatches the outbox.</summary>
    public bool DispatcherEnabled { get; set; } = true;

    /// <summary>How often the outbox is polled.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Messages sent per poll at most.</summary>
    public int BatchSize { get; set; } = 50;

    /// <summary>
    /// Where notifications go: <c>Log</c> (only kind, id and recipient are logged), <c>Console</c>
    /// (whole messages printed), <c>Smtp</c>, or <c>Files</c> (alias <c>Pickup</c>: one <c>.eml</c>
    /// file per message in <c>Notifications:Directory</c>). Unset: <c>Console</c> in the Development
    /// environment, <c>Log</c> elsewhere.
    /// </summary>
    public string Sender { get; set; } = string.Empty;
}

/// <summary>
/// Polls the outbox: issues the reset tokens asked for (<see cref="PasswordResetIssuer"/>), then
/// hands due messages to the <see cref="INotificationSender"/>.
/// </summary>
public sealed partial class OutboxDispatcherService(
    IServiceScopeFactory scopes,
    Microsoft.Extensions.Options.IOptions<NotificationOptions> options,
    TimeProvider clock,
    ILogger<OutboxDispatcherService> logger) : BackgroundService
{
    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.DispatcherEnabled)
        {
            return;
        }

        using var timer = new PeriodicTimer(options.Value.PollInterval, clock);
        do
        {
            try
            {
                // Reset requests first, in their own unit of work, so their mail goes out in this same tick.
                await using var issuing = scopes.CreateAsyncScope();
                await issuing.ServiceProvider.GetRequiredService<PasswordResetIssuer>().IssuePendingAsync(options.Value.BatchSize, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
#pragma warning disable CA1031 // a failing reset request must not hold up the rest of the mail
            catch (Exception e)
#pragma warning restore CA1031
            {
                LogIssueFailed(logger, e);
            }

            try
            {
                await using var scope = scopes.CreateAsyncScope();
                var dispatcher = scope.ServiceProvider.GetRequiredService<NotificationDispatcher>();
                dispatcher.DeliveryFailed += (kind, id, error) => LogDeliveryFailed(logger, error, kind, id);
                await dispatcher.DispatchDueAsync(options.Value.BatchSize, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
#pragma warning disable CA1031 // one failed poll must not stop delivery for good
            catch (Exception e)
#pragma warning restore CA1031
            {
                LogPollFailed(logger, e);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Notification {Kind} {Id} could not be delivered; it will be retried")]
    private static partial void LogDeliveryFailed(ILogger logger, Exception exception, string kind, Guid id);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Issuing requested reset tokens failed; retrying at the next tick")]
    private static partial void LogIssueFailed(ILogger logger, Exception exception);

        [LoggerMessage(Level = LogLevel.Warning, Message = "Outbox poll failed; retrying at the next tick")]
    private static partial void LogPollFailed(ILogger logger, Exception exception);
}

/// <summary>The default sender: writes that a notification went out, never its body (it may hold a reset token).</summary>
public sealed partial class LoggingNotificationSender(ILogger<LoggingNotificationSender> logger) : INotificationSender
{
    /// <inheritdoc />
    public Task SendAsync(OutboxMessage message, CancellationToken cancellationToken)
    {
        LogSent(logger, message.Kind, message.Id, message.Recipient);
        return Task.CompletedTask;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Notification {Kind} {Id} to {Recipient}")]
    private static partial void LogSent(ILogger logger, string kind, Guid id, string recipient);
}
