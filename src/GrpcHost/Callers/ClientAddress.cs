using System.Net;
using Grpc.Core;
using Microsoft.Extensions.Options;

namespace Hosting.GrpcHost.Callers;

/// <summary>Which front ends may name the end user's address (configuration section <c>Network</c>).</summary>
public sealed class NetworkOptions
{
    /// <summary>The configuration section.</summary>
    public const string Section = "Network";

    /// <summary>
    /// Addresses or CIDR ranges of front ends (the console) whose <c>x-client-ip</c> is believed.
    /// Loopback by default, for a console on the same machine; anyone else's header is ignored,
    /// as anyone can send it.
    /// </summary>
    public List<string> TrustedProxies { get; set; } = ["127.0.0.0/8", "::1/128"];
}

/// <summary>The end user's network address, the one place that decides whether to believe <c>x-client-ip</c>.</summary>
public sealed class ClientAddress(IOptions<NetworkOptions> options)
{
    /// <summary>Metadata a trusted front end sets with the end user's address.</summary>
    public const string Header = "x-client-ip";

    private readonly IPNetwork[] _trusted = options.Value.TrustedProxies.Select(IPNetwork.Parse).ToArray();

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
