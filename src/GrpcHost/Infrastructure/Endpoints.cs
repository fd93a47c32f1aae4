using System.Net;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace Hosting.GrpcHost.Infrastructure;

internal static class Endpoints
{
    private const string DefaultGrpcUrl = "http://127.0.0.1:50051";
    private const string DefaultJsonUrl = "http://127.0.0.1:50052";

    /// <summary>
    /// gRPC over cleartext HTTP/2 on <c>--urls</c> / <c>ASPNETCORE_URLS</c> (default 127.0.0.1:50051),
    /// and HTTP/JSON transcoding over HTTP/1.1 on <c>JsonTranscoding:Url</c>: a Kestrel endpoint without
    /// TLS speaks one protocol, so the two need their own ports. With neither setting, JSON is served on
    /// 127.0.0.1:50052; with explicit <c>--urls</c>, only where <c>JsonTranscoding:Url</c> says.
    /// </summary>
    public static void ConfigureEndpoints(this IWebHostBuilder webHost, IConfiguration configuration)
    {
        var configured = configuration[WebHostDefaults.ServerUrlsKey];
        var grpcUrls = string.IsNullOrEmpty(configured) ? DefaultGrpcUrl : configured;
        var jsonUrl = configuration["JsonTranscoding:Url"] ?? (string.IsNullOrEmpty(configured) ? DefaultJsonUrl : null);
        webHost.ConfigureKestrel(kestrel =>
        {
            foreach (var url in grpcUrls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                Listen(kestrel, url, HttpProtocols.Http2);
            }

            if (!string.IsNullOrEmpty(jsonUrl))
            {
                Listen(kestrel, jsonUrl, HttpProtocols.Http1);
            }
        });
    }

    private static void Listen(KestrelServerOptions kestrel, string url, HttpProtocols protocols)
    {
        var uri = new Uri(url.Replace("://*", "://0.0.0.0", StringComparison.Ordinal).Replace("://+", "://0.0.0.0", StringComparison.Ordinal));
        if (uri.Scheme != Uri.UriSchemeHttp)
        {
            throw new InvalidOperationException($"Only cleartext http:// endpoints are served directly ({url}); put TLS in front.");
        }

        void Options(Microsoft.AspNetCore.Server.Kestrel.Core.ListenOptions o) => o.Protocols = protocols;
        if (uri.IsLoopback && uri.Host == "localhost")
        {
            kestrel.ListenLocalhost(uri.Port, Options);
        }
        else if (uri.Host == "0.0.0.0")
        {
            kestrel.ListenAnyIP(uri.Port, Options);
        }
        else
        {
            kestrel.Listen(IPAddress.Parse(uri.Host.Trim('[', ']')), uri.Port, Options);
        }
    }
}
