using System.Net;
using Grpc.Core;
using Microsoft.Extensions.Options;

namespace Hosting.GrpcHost.Callers;

/// <summary>Which front ends may name the end user's address (configuration section <c>Network</c>).</summary>
public sealed class NetworkOptions
{
    /// <summary>The configuration section.</summary>
    public const string Section = "Network";

    /// <summary>Trusted when <see cref="TrustedProxies"/> is not configured: a console on the same machine.</summary>
    public static readonly IReadOnlyList<string> DefaultTrustedProxies = ["127.0.0.0/8", "::1/128"];

    /// <summary>
    /// Addresses or CIDR ranges of front ends (the console) whose <c>x-client-ip</c> is believed;
    /// anyone else's header is ignored, as anyone can send it. Unset means
    /// <see cref="DefaultTrustedProxies"/>; a configured list replaces them (null rather than a
    /// list holding the defaults, since the configuration binder appends to a list it finds), and
    /// empty entries are skipped, so a single empty entry trusts nobody.
    /// </summary>
    public List<string>? TrustedProxies { get; set; }
}

/// <summary>The end user's network address, the one place that decides whether to believe <c>x-client-ip</c>.</summary>
public sealed class ClientAddress(IOptions<NetworkOptions> options)
{
    /// <summary>Metadata a trusted front end sets with the end user's address.</summary>
    public const string Header = "x-client-ip";

    private readonly IPNetwork[] _trusted = (options.Value.TrustedProxies ?? NetworkOptions.DefaultTrustedProxies)
        .Where(n => !string.IsNullOrWhiteSpace(n)).Select(n => IPNetwork.Parse(n.Trim())).ToArray();

    /// <summary>
    /// The forwarded address when the peer is a trusted front end (or an in-process or local
    /// socket caller, which has no address) and the header holds an address; else the peer's.
    /// </summary>
    public IPAddress? Of(ServerCallContext context) =>
        Of(context.GetHttpContext().Connection.RemoteIpAddress, context.RequestHeaders.GetValue(Header));

    /// <summary>The same, from the transport peer and the header's value.</summary>
    public IPAddress? Of(IPAddress? transportPeer, string? forwarded)
    {
        var peer = Normalize(transportPeer);
        if ((peer is null || _trusted.Any(n => n.Contains(peer))) && IPAddress.TryParse(forwarded, out var claimed))
        {
            return Normalize(claimed);
        }

        return peer;
    }

    private static IPAddress? Normalize(IPAddress? address) =>
        address is { IsIPv4MappedToIPv6: true } ? address.MapToIPv4() : address;
}
