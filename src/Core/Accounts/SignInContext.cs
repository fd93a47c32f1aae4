using System.Net;

namespace Hosting.Core.Accounts;

/// <summary>Where a request comes from, as the client and the transport tell it.</summary>
public sealed record SignInContext(string? IpAddress, string? DeviceId, string? UserAgent)
{
    /// <summary>Longest device id or user agent kept.</summary>
    public const int MaxTextLength = 256;

    /// <summary>Nothing known.</summary>
    public static readonly SignInContext Unknown = new(null, null, null);

    /// <summary>A context with over-long values cut and blanks dropped.</summary>
    public static SignInContext Create(string? ipAddress, string? deviceId, string? userAgent) =>
        new(Clean(ipAddress), Clean(deviceId), Clean(userAgent));

    /// <summary>
    /// The network a sign-in comes from: the /24 of an IPv4 address, the /48 of an IPv6 one, so
    /// that a new address from the same provider block is not a "new location".
    /// </summary>
    public string? Network()
    {
        if (IpAddress is null || !IPAddress.TryParse(IpAddress, out var ip))
        {
            return null;
        }

        if (ip.IsIPv4MappedToIPv6)
        {
            ip = ip.MapToIPv4();
        }

        var bytes = ip.GetAddressBytes();
        var keep = bytes.Length == 4 ? 3 : 6;
        for (var i = keep; i < bytes.Length; i++)
        {
            bytes[i] = 0;
        }

        return $"{new IPAddress(bytes)}/{keep * 8}";
    }

    private static string? Clean(string? value)
    {
        var trimmed = value?.Trim();
        if (string.IsNullOrEmpty(trimmed))
        {
            return null;
        }

        return trimmed.Length > MaxTextLength ? trimmed[..MaxTextLength] : trimmed;
    }
}
