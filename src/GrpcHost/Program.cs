using Hosting.GrpcHost.Infrastructure;
using Hosting.GrpcHost.Services;

WebApplication app;
IReadOnlyList<ListenAddress> addresses;
try
{
    var urls = HostUrls.Take(ref args);
    var builder = WebApplication.CreateBuilder(args);
    addresses = builder.WebHost.ConfigureEndpoints(builder.Configuration, urls);
    builder.Services.AddHostingService(builder.Configuration);
    app = builder.Build();
    // Only Kestrel binds these addresses; an in-process test server binds none.
    if (app.Services.GetRequiredService<Microsoft.AspNetCore.Hosting.Server.IServer>().GetType().Namespace?.StartsWith("Microsoft.AspNetCore.Server.Kestrel", StringComparison.Ordinal) == true)
    {
        Endpoints.EnsureFree(addresses);
    }
}
catch (HostStartupException e)
{
    // A configuration the host cannot run with: one line that says what to change, no stack trace.
    await Console.Error.WriteLineAsync("The host cannot start: " + e.Message);
    return 1;
}

if (!addresses.Any(a => a.Protocols == Microsoft.AspNetCore.Server.Kestrel.Core.HttpProtocols.Http1))
{
    // Said once, so that a missing HTTP/JSON endpoint is never a surprise.
    app.Logger.LogInformation("HTTP/JSON transcoding is off: --urls chose the gRPC address and JsonTranscoding:Url is not set.");
}

// After Kestrel's own lines, one block that says which address is which and what the host runs with.
app.Lifetime.ApplicationStarted.Register(() => app.Logger.LogInformation("{Summary}", StartupSummary.Describe(addresses, app.Configuration, app.Services)));

await app.MigrateStoreAsync();

app.UseMiddleware<Hosting.GrpcHost.Limits.MalformedRequestMiddleware>();

app.MapGrpcService<AccountsGrpcService>();
app.MapGrpcService<OrganizationsGrpcService>();
app.MapGrpcService<WalletGrpcService>();
app.MapGrpcService<MailboxesGrpcService>();
app.MapGrpcService<BillingGrpcService>();
app.MapGrpcService<SupportGrpcService>();
app.MapGrpcService<EventsGrpcService>();
app.MapGrpcHealthChecksService();
app.MapGrpcReflectionService();
// The OpenAPI document of the HTTP/JSON routes, for clients that generate code from it or browse it.
app.MapSwagger("/openapi/{documentName}.json");

try
{
    await app.RunAsync();
}
catch (IOException e) when (e.InnerException is Microsoft.AspNetCore.Connections.AddressInUseException)
{
    // Taken between the check above and Kestrel's bind.
    await Console.Error.WriteLineAsync("The host cannot start: " + e.Message);
    return 1;
}

return 0;

/// <summary>The host's entry point, visible to in-process tests.</summary>
public partial class Program;
