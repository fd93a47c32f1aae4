using Hosting.GrpcHost.Infrastructure;
using Hosting.GrpcHost.Services;
using Microsoft.AspNetCore.Server.Kestrel.Core;

var builder = WebApplication.CreateBuilder(args);

// gRPC over cleartext HTTP/2 on loopback unless --urls, ASPNETCORE_URLS or configuration say otherwise.
if (string.IsNullOrEmpty(builder.Configuration[WebHostDefaults.ServerUrlsKey]))
{
    builder.WebHost.UseUrls("http://127.0.0.1:50051");
}

builder.WebHost.ConfigureKestrel(k => k.ConfigureEndpointDefaults(o => o.Protocols = HttpProtocols.Http2));
builder.Services.AddHostingService(builder.Configuration);

var app = builder.Build();
await app.MigrateStoreAsync();

app.MapGrpcService<AccountsGrpcService>();
app.MapGrpcService<OrganizationsGrpcService>();
app.MapGrpcService<WalletGrpcService>();
app.MapGrpcService<MailboxesGrpcService>();
app.MapGrpcService<BillingGrpcService>();
app.MapGrpcService<SupportGrpcService>();
app.MapGrpcHealthChecksService();
app.MapGrpcReflectionService();

await app.RunAsync();

/// <summary>The host's entry point, visible to in-process tests.</summary>
public partial class Program;
