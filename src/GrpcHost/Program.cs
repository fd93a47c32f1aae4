using Hosting.GrpcHost.Infrastructure;
using Hosting.GrpcHost.Services;

var builder = WebApplication.CreateBuilder(args);
builder.WebHost.ConfigureEndpoints(builder.Configuration);
builder.Services.AddHostingService(builder.Configuration);

var app = builder.Build();
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

await app.RunAsync();

/// <summary>The host's entry point, visible to in-process tests.</summary>
public partial class Program;
