using Grpc.Core;
using Grpc.Health.V1;
using Grpc.Reflection.V1Alpha;
using Hosting.Accounts.V1;
using ActivityEntry = Hosting.Core.Accounts.ActivityEntry;
using Session = Hosting.Core.Accounts.Session;
using Hosting.Core.Accounts;
using Hosting.Core.Shared;
using Hosting.Tests.Support;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Hosting.Tests.Grpc;

public sealed class HostPlumbingTests
{
    [Fact]
    [Trait("Rule", "API-1")]
    public async Task Health_IsServing_OnceTheStoreIsMigrated()
    {
        using var host = new HostFactory();

        var reply = await new Health.HealthClient(host.Channel()).CheckAsync(new HealthCheckRequest());

        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, reply.Status);
    }

    [Fact]
    [Trait("Rule", "API-1")]
    public async Task Telemetry_IsOnlyCollectedWhenAnOtlpEndpointIsConfigured()
    {
        using var plain = new HostFactory();
        using var traced = new HostFactory();
        using var withEndpoint = traced.WithWebHostBuilder(b => b.UseSetting("OpenTelemetry:OtlpEndpoint", "http://127.0.0.1:4317"));

        var reply = await new Health.HealthClient(GrpcChannelFor(withEndpoint)).CheckAsync(new HealthCheckRequest());

        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, reply.Status);
        Assert.NotNull(withEndpoint.Services.GetService<OpenTelemetry.Trace.TracerProvider>());
        Assert.Null(plain.Services.GetService<OpenTelemetry.Trace.TracerProvider>());
    }

    private static global::Grpc.Net.Client.GrpcChannel GrpcChannelFor(Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactory<Program> factory) =>
        global::Grpc.Net.Client.GrpcChannel.ForAddress(factory.Server.BaseAddress, new global::Grpc.Net.Client.GrpcChannelOptions { HttpHandler = factory.Server.CreateHandler() });

    [Fact]
    [Trait("Rule", "API-1")]
    public async Task Reflection_ListsTheAccountsService()
    {
        using var host = new HostFactory();
        var call = new ServerReflection.ServerReflectionClient(host.Channel()).ServerReflectionInfo();

        await call.RequestStream.WriteAsync(new ServerReflectionRequest { ListServices = string.Empty });
        await call.RequestStream.CompleteAsync();
        Assert.True(await call.ResponseStream.MoveNext(CancellationToken.None));

        var names = call.ResponseStream.Current.ListServicesResponse.Service.Select(s => s.Name).ToList();
        Assert.Contains("hosting.accounts.v1.AccountsService", names);
        Assert.Contains("grpc.health.v1.Health", names);
    }

    [Theory]
    [Trait("Rule", "API-3")]
    [InlineData("google.rpc.ErrorInfo", "google/rpc/error_details.proto")]
    [InlineData("google.rpc.BadRequest", "google/rpc/error_details.proto")]
    [InlineData("google.rpc.Status", "google/rpc/status.proto")]
    public async Task Reflection_ServesTheErrorDetailTypes_SoReflectionClientsDecodeThem(string symbol, string file)
    {
        using var host = new HostFactory();

        foreach (var version in new[] { "v1", "v1alpha" })
        {
            var descriptors = version == "v1"
                ? await ReflectV1Async(host, symbol)
                : await ReflectV1AlphaAsync(host, symbol);

            var files = descriptors.Select(Google.Protobuf.Reflection.FileDescriptorProto.Parser.ParseFrom).ToList();
            var served = Assert.Single(files, f => f.Name == file);
            var message = symbol["google.rpc.".Length..];
            Assert.Contains(served.MessageType, m => m.Name == message);
        }

        // The services are still listed alongside.
        Assert.NotEmpty(await ReflectV1Async(host, "hosting.accounts.v1.AccountsService"));
    }

    private static async Task<IReadOnlyList<Google.Protobuf.ByteString>> ReflectV1Async(HostFactory host, string symbol)
    {
        var call = new global::Grpc.Reflection.V1.ServerReflection.ServerReflectionClient(host.Channel()).ServerReflectionInfo();
        await call.RequestStream.WriteAsync(new global::Grpc.Reflection.V1.ServerReflectionRequest { FileContainingSymbol = symbol });
        await call.RequestStream.CompleteAsync();
        Assert.True(await call.ResponseStream.MoveNext(CancellationToken.None));
        Assert.Null(call.ResponseStream.Current.ErrorResponse);
        return call.ResponseStream.Current.FileDescriptorResponse.FileDescriptorProto;
    }

    private static async Task<IReadOnlyList<Google.Protobuf.ByteString>> ReflectV1AlphaAsync(HostFactory host, string symbol)
    {
        var call = new ServerReflection.ServerReflectionClient(host.Channel()).ServerReflectionInfo();
        await call.RequestStream.WriteAsync(new ServerReflectionRequest { FileContainingSymbol = symbol });
        await call.RequestStream.CompleteAsync();
        Assert.True(await call.ResponseStream.MoveNext(CancellationToken.None));
        Assert.Null(call.ResponseStream.Current.ErrorResponse);
        return call.ResponseStream.Current.FileDescriptorResponse.FileDescriptorProto;
    }

    [Fact]
    [Trait("Rule", "API-3")]
    public async Task UnexpectedException_IsInternal_WithoutItsText()
    {
        using var host = new HostFactory { Override = s => s.Replace(ServiceDescriptor.Scoped<IAccountStore>(_ => new FailingStore(new InvalidOperationException("secret connection string")))) };

        var status = await RpcAssert.FailsAsync(
            () => host.Accounts().SignUpAsync(new SignUpRequest { Login = "ann@example.com", Password = Passwords.Good }).ResponseAsync,
            StatusCode.Internal, "INTERNAL");

        Assert.DoesNotContain("secret", status.Message, StringComparison.Ordinal);
        Assert.Single(status.Details);
    }

    [Fact]
    [Trait("Rule", "API-3")]
    public async Task ConcurrentModification_IsAborted()
    {
        using var host = new HostFactory { Override = s => s.Replace(ServiceDescriptor.Scoped<IAccountStore>(_ => new FailingStore(new ConcurrencyConflictException("lost")))) };

        await RpcAssert.FailsAsync(
            () => host.Accounts().SignUpAsync(new SignUpRequest { Login = "ann@example.com", Password = Passwords.Good }).ResponseAsync,
            StatusCode.Aborted, "CONCURRENT_MODIFICATION");
    }

    [Fact]
    [Trait("Rule", "ACC-1")]
    public async Task Logs_NeverContainPasswordsTokensOrHashes()
    {
        using var host = new HostFactory();
        var client = host.Accounts();
        const string login = "leak-check@example.com";
        await client.SignUpAsync(new SignUpRequest { Login = login, Password = Passwords.Good });
        var signIn = await client.SignInAsync(new SignInRequest { Login = login, Password = Passwords.Good });
        await host.ConfirmLoginAsync(login, Bearer.Of(signIn.SessionToken));
        await Assert.ThrowsAsync<RpcException>(() => client.SignInAsync(new SignInRequest { Login = login, Password = Passwords.Other }).ResponseAsync);
        await client.ChangePasswordAsync(new ChangePasswordRequest { CurrentPassword = Passwords.Good, NewPassword = Passwords.Other }, Bearer.Of(signIn.SessionToken));
        await client.RequestPasswordResetAsync(new RequestPasswordResetRequest { Login = login });

        using var scope = host.Services.CreateScope();
        var account = await scope.ServiceProvider.GetRequiredService<IAccountStore>()
            .FindAccountByLoginAsync(EmailAddress.Parse(login, "login").Value, CancellationToken.None);
        var hash = account!.PasswordHash;
        Assert.NotEmpty(host.Logs.Lines);
        foreach (var secret in new[] { Passwords.Good, Passwords.Other, signIn.SessionToken, hash, hash.Split('$')[^1] })
        {
            Assert.DoesNotContain(host.Logs.Lines, line => line.Contains(secret, StringComparison.Ordinal));
        }
    }

    private sealed class FailingStore(Exception failure) : IAccountStore
    {
        public Task<UserAccount?> FindAccountByLoginAsync(EmailAddress login, CancellationToken cancellationToken) => Task.FromResult<UserAccount?>(null);

        public Task<UserAccount?> FindAccountAsync(Guid id, CancellationToken cancellationToken) => throw failure;

        public Task<SessionWithLogin?> FindSessionWithLoginAsync(string tokenDigest, CancellationToken cancellationToken) => throw failure;

        public Task<Guid?> FindCurrentOrganizationAsync(Guid accountId, CancellationToken cancellationToken) => throw failure;

        public Task<IReadOnlyList<Session>> ListActiveSessionsAsync(Guid accountId, DateTimeOffset now, DateTimeOffset usedSince, PageToken? after, int max, CancellationToken cancellationToken) => throw failure;

        public Task<LoginThrottle?> FindThrottleAsync(string loginDigest, CancellationToken cancellationToken) => throw failure;

        public Task<bool> IsKnownSourceAsync(Guid accountId, SignInSourceKind kind, string digest, CancellationToken cancellationToken) => throw failure;

        public Task<IReadOnlyList<ActivityEntry>> ListActivityAsync(Guid accountId, PageToken? after, int max, CancellationToken cancellationToken) => throw failure;

        public Task<PasswordResetToken?> FindResetTokenAsync(string tokenDigest, CancellationToken cancellationToken) => throw failure;

        public Task<IReadOnlyList<PasswordResetToken>> ListOpenResetTokensAsync(Guid accountId, DateTimeOffset now, CancellationToken cancellationToken) => throw failure;

        public Task<IReadOnlyList<Hosting.Core.Notifications.OutboxMessage>> PendingResetRequestsAsync(int max, CancellationToken cancellationToken) => throw failure;

        public Task<LoginConfirmation?> FindLoginConfirmationAsync(Guid accountId, CancellationToken cancellationToken) => throw failure;


        public Task<int> CountActivitySinceAsync(Guid accountId, Hosting.Core.Accounts.ActivityKind kind, DateTimeOffset since, CancellationToken cancellationToken) => throw failure;

        public void Remove(object entity)
        {
        }

        public void Add(object entity)
        {
        }

        public Task SaveChangesAsync(CancellationToken cancellationToken) => throw failure;
    }
}
