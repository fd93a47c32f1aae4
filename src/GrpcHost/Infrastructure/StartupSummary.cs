using System.Globalization;
using System.Net;
using System.Text;
using Hosting.Core.Notifications;
using Hosting.Persistence;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Options;

namespace Hosting.GrpcHost.Infrastructure;

/// <summary>
/// One block, once the host listens, that says what listens where and what it runs with: the gRPC
/// (h2c) and HTTP/JSON addresses as bound (a port 0 shows the port chosen), the store, the
/// environment and where emails go. Connection strings are never printed: only the SQLite file, or
/// PostgreSQL's host, port, database and user, so a password in one never reaches the output.
/// </summary>
internal static class StartupSummary
{
    public static string Describe(IReadOnlyList<ListenAddress> addresses, IConfiguration configuration, IServiceProvider services)
    {
        var text = new StringBuilder("The hosting accounts service listens:");
        foreach (var address in addresses.Where(a => a.Protocols == HttpProtocols.Http2))
        {
            Line(text, "gRPC (HTTP/2 cleartext, h2c)", Bound(address));
        }

        var json = addresses.Where(a => a.Protocols == HttpProtocols.Http1).ToList();
        foreach (var address in json)
        {
            Line(text, "HTTP/JSON (HTTP/1.1)", Bound(address));
        }

        if (json.Count == 0)
        {
            Line(text, "HTTP/JSON", "off (set JsonTranscoding:Url)");
        }

        Line(text, "store", Store(configuration.GetSection(StorageOptions.Section).Get<StorageOptions>() ?? new StorageOptions()));
        Line(text, "environment", services.GetRequiredService<IHostEnvironment>().EnvironmentName);
        Line(text, "mail", Mail(services));
        return text.ToString();
    }

    /// <summary>The store without its secrets: built from the parsed parts, never from the string itself.</summary>
    public static string Store(StorageOptions storage)
    {
        try
        {
            if (storage.IsPostgres)
            {
                var postgres = new Npgsql.NpgsqlConnectionStringBuilder(storage.ConnectionString);
                return string.Create(CultureInfo.InvariantCulture, $"PostgreSQL, host {postgres.Host}:{postgres.Port}, database {postgres.Database}, user {postgres.Username}");
            }

            var sqlite = new Microsoft.Data.Sqlite.SqliteConnectionStringBuilder(storage.ConnectionString);
            return sqlite.DataSource is ":memory:" or ""
                ? "SQLite, in memory"
                : $"SQLite, file {Path.GetFullPath(sqlite.DataSource)}";
        }
        catch (ArgumentException)
        {
            // The store reports a malformed string itself; the summary never echoes it.
            return $"{storage.Provider} (connection string not readable)";
        }
    }

    private static string Mail(IServiceProvider services)
    {
        if (!services.GetRequiredService<IOptions<NotificationOptions>>().Value.DispatcherEnabled)
        {
            return "not sent from this host (Notifications:DispatcherEnabled=false)";
        }

        return services.GetRequiredService<INotificationSender>() switch
        {
            ConsoleNotificationSender => "Console: each email printed here in full (Development)",
            PickupNotificationSender => $"Files: one .eml per email in {Path.GetFullPath(services.GetRequiredService<IOptions<PickupOptions>>().Value.Directory)}",
            SmtpNotificationSender => Smtp(services.GetRequiredService<IOptions<SmtpOptions>>().Value),
            LoggingNotificationSender => "Log: only kind, id and recipient are logged (Notifications:Sender=Files to read emails)",
            var other => other.GetType().Name,
        };
    }

    private static string Smtp(SmtpOptions smtp) =>
        string.Create(CultureInfo.InvariantCulture, $"SMTP {smtp.Host}:{smtp.Port} ({smtp.Security}), from {smtp.From}");

    /// <summary>The address as Kestrel bound it (the port it chose for 0), else as configured.</summary>
    private static string Bound(ListenAddress address)
    {
        var url = address.Bound?.IPEndPoint is { } endpoint && !address.IsLocalhost
            ? $"http://{Format(endpoint)}"
            : address.Url;
        var every = address.Bound?.IPEndPoint?.Address is { } ip && (ip.Equals(IPAddress.Any) || ip.Equals(IPAddress.IPv6Any));
        return every ? url + " (every interface)" : url;
    }

    private static string Format(IPEndPoint endpoint) =>
        endpoint.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6
            ? $"[{endpoint.Address}]:{endpoint.Port.ToString(CultureInfo.InvariantCulture)}"
            : $"{endpoint.Address}:{endpoint.Port.ToString(CultureInfo.InvariantCulture)}";

    private static void Line(StringBuilder text, string what, string value) =>
        text.Append(Environment.NewLine).Append("  ").Append((what + ":").PadRight(32)).Append(value);
}
