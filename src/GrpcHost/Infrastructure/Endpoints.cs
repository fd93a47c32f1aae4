using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace Hosting.GrpcHost.Infrastructure;

/// <summary>A configuration problem the host cannot start with; its message says what to change.</summary>
public sealed class HostStartupException(string message) : Exception(message);

/// <summary>One address the host listens on, as Kestrel reads a URL.</summary>
internal sealed record ListenAddress(string Url, string Host, int Port, HttpProtocols Protocols)
{
    /// <summary>Where to bind: null for loopback (localhost) or every interface (<c>*</c>, <c>+</c>, host names).</summary>
    public IPAddress? Address => IPAddress.TryParse(Host.Trim('[', ']'), out var ip) ? ip : null;

    /// <summary>localhost: both loopback addresses, as Kestrel binds it.</summary>
    public bool IsLocalhost => string.Equals(Host, "localhost", StringComparison.OrdinalIgnoreCase);

    /// <summary>Kestrel's endpoint for it, which holds the port actually bound once the host listens.</summary>
    public ListenOptions? Bound { get; set; }
}

/// <summary>
/// The gRPC address from <c>--urls</c> or <c>ASPNETCORE_URLS</c>, taken out before the web host reads
/// them: the host binds its endpoints itself (gRPC and JSON need their own ports), and Kestrel warns
/// that it overrides any address it was also given.
/// </summary>
internal sealed record HostUrls(string? CommandLine, string? Environment)
{
    private const string Variable = "ASPNETCORE_URLS";

    /// <summary>Removes the address settings from <paramref name="args"/> and the environment, and returns them.</summary>
    public static HostUrls Take(ref string[] args)
    {
        string? commandLine = null;
        var rest = new List<string>();
        for (var i = 0; i < args.Length; i++)
        {
            var arg = args[i];
            if (string.Equals(arg, "--urls", StringComparison.OrdinalIgnoreCase) && i + 1 < args.Length)
            {
                commandLine = args[++i];
            }
            else if (arg.StartsWith("--urls=", StringComparison.OrdinalIgnoreCase))
            {
                commandLine = arg["--urls=".Length..];
            }
            else
            {
                rest.Add(arg);
            }
        }

        args = [.. rest];
        var environment = System.Environment.GetEnvironmentVariable(Variable);
        System.Environment.SetEnvironmentVariable(Variable, null);
        return new HostUrls(commandLine, environment);
    }
}

internal static class Endpoints
{
    private const string DefaultGrpcUrl = "http://127.0.0.1:50051";
    private const string DefaultJsonUrl = "http://127.0.0.1:50052";

    /// <summary>
    /// gRPC over cleartext HTTP/2 on <c>--urls</c> / <c>ASPNETCORE_URLS</c> (default 127.0.0.1:50051),
    /// and HTTP/JSON transcoding over HTTP/1.1 on <c>JsonTranscoding:Url</c>: a Kestrel endpoint without
    /// TLS speaks one protocol, so the two need their own ports. JSON is served on 127.0.0.1:50052 unless
    /// <c>JsonTranscoding:Url</c> says otherwise, or <c>--urls</c> on the command line chose the gRPC
    /// address (several hosts on one machine) without naming a JSON one.
    /// </summary>
    public static IReadOnlyList<ListenAddress> ConfigureEndpoints(this IWebHostBuilder webHost, IConfiguration configuration, HostUrls? urls = null)
    {
        var configured = new[] { urls?.CommandLine, urls?.Environment, configuration[WebHostDefaults.ServerUrlsKey] }.FirstOrDefault(u => !string.IsNullOrEmpty(u));
        var grpcUrls = string.IsNullOrEmpty(configured) ? DefaultGrpcUrl : configured;
        var jsonUrl = configuration["JsonTranscoding:Url"] ?? (string.IsNullOrEmpty(urls?.CommandLine) ? DefaultJsonUrl : null);
        var addresses = grpcUrls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(url => Parse(url, HttpProtocols.Http2))
            .ToList();
        if (!string.IsNullOrEmpty(jsonUrl))
        {
            addresses.Add(Parse(jsonUrl, HttpProtocols.Http1));
        }

        webHost.ConfigureKestrel(kestrel =>
        {
            foreach (var address in addresses)
            {
                Listen(kestrel, address);
            }
        });
        return addresses;
    }

    /// <summary>
    /// Refuses to start, with one clear message, when another process already listens on one of the
    /// addresses: Kestrel's own bind failure comes with stack traces and a misleading cancellation.
    /// </summary>
    public static void EnsureFree(IEnumerable<ListenAddress> addresses)
    {
        foreach (var address in addresses.Where(a => a.Port != 0))
        {
            var ip = address.IsLocalhost ? IPAddress.Loopback : address.Address ?? IPAddress.IPv6Any;
            using var socket = new Socket(ip.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
            if (ip.Equals(IPAddress.IPv6Any))
            {
                socket.DualMode = true;
            }

            try
            {
                socket.Bind(new IPEndPoint(ip, address.Port));
            }
            catch (SocketException e) when (e.SocketErrorCode == SocketError.AddressAlreadyInUse)
            {
                throw new HostStartupException($"The address {address.Url} is already in use (another host running?); choose another with --urls or JsonTranscoding:Url.");
            }
            catch (SocketException) when (ip.Equals(IPAddress.IPv6Any))
            {
                // No IPv6 on this machine: Kestrel falls back to IPv4 and reports its own failure.
            }
        }
    }

    /// <summary>Reads a URL as Kestrel does: localhost, an IP address, or any other host (<c>*</c>, <c>+</c>, a name) for every interface.</summary>
    private static ListenAddress Parse(string url, HttpProtocols protocols)
    {
        const string scheme = "http://";
        if (!url.StartsWith(scheme, StringComparison.OrdinalIgnoreCase))
        {
            throw new HostStartupException($"Only cleartext http:// endpoints are served directly ({url}); put TLS in front.");
        }

        var authority = url[scheme.Length..].TrimEnd('/');
        var slash = authority.IndexOf('/', StringComparison.Ordinal);
        if (slash >= 0)
        {
            authority = authority[..slash];
        }

        var colon = authority.LastIndexOf(':');
        if (colon <= 0 || colon < authority.LastIndexOf(']')
            || !int.TryParse(authority[(colon + 1)..], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var port)
            || port > IPEndPoint.MaxPort)
        {
            throw new HostStartupException($"The address {url} needs a port, as in http://127.0.0.1:50051.");
        }

        return new ListenAddress(url, authority[..colon], port, protocols);
    }

    private static void Listen(KestrelServerOptions kestrel, ListenAddress address)
    {
        void Options(ListenOptions o)
        {
            o.Protocols = address.Protocols;
            address.Bound = o;
        }

        if (address.IsLocalhost)
        {
            kestrel.ListenLocalhost(address.Port, Options);
        }
        else if (address.Address is { } ip)
        {
            kestrel.Listen(ip, address.Port, Options);
        }
        else
        {
            kestrel.ListenAnyIP(address.Port, Options);
        }
    }
}
