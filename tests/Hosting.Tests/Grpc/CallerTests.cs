using System.Reflection;
using Grpc.Core;
using Hosting.Core.Accounts;
using Hosting.GrpcHost.Callers;
using Hosting.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace Hosting.Tests.Grpc;

public sealed class CallerTests(HostFactory host) : IClassFixture<HostFactory>
{
    private CallerAuthenticator Authenticator(IServiceScope scope) => scope.ServiceProvider.GetRequiredService<CallerAuthenticator>();

    [Fact]
    [Trait("Rule", "API-2")]
    public void EveryRpcOfEveryService_DeclaresExactlyOneKindOfCaller()
    {
        var services = typeof(Program).Assembly.GetTypes()
            .Where(t => t.BaseType?.GetCustomAttribute<BindServiceMethodAttribute>() is not null)
            .ToList();
        Assert.NotEmpty(services);

        var missing = new List<string>();
        foreach (var service in services)
        {
            var rpcs = service.BaseType!.GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.DeclaredOnly)
                .Where(m => m.IsVirtual);
            foreach (var rpc in rpcs)
            {
                var implementation = service.GetMethod(rpc.Name, rpc.GetParameters().Select(p => p.ParameterType).ToArray());
                var declared = implementation?.DeclaringType == service ? implementation.GetCustomAttributes<CallerAttribute>().Count() : 0;
                if (declared != 1)
                {
                    missing.Add($"{service.Name}.{rpc.Name}");
                }
            }
        }

        Assert.Empty(missing);
    }

    [Fact]
    [Trait("Rule", "API-2")]
    public async Task ServiceRpc_AcceptsAKeyWithTheScope_AndRefusesOthers()
    {
        using var scope = host.Services.CreateScope();
        var authenticator = Authenticator(scope);

        var ok = await authenticator.AuthenticateAsync(new ServiceCallerAttribute("support"), new Metadata { { "x-api-key", HostFactory.SupportKey } }, CancellationToken.None);
        var wrongScope = await authenticator.AuthenticateAsync(new ServiceCallerAttribute("mailbox.credentials"), new Metadata { { "x-api-key", HostFactory.SupportKey } }, CancellationToken.None);
        var wrongKey = await authenticator.AuthenticateAsync(new ServiceCallerAttribute("support"), new Metadata { { "x-api-key", HostFactory.SupportKey + "x" } }, CancellationToken.None);
        var noKey = await authenticator.AuthenticateAsync(new ServiceCallerAttribute("support"), [], CancellationToken.None);

        Assert.Equal("support-desk", Assert.IsType<ServiceCaller>(ok.Value).Name);
        ResultAssert.Fails(wrongScope, "API_KEY_SCOPE_MISSING");
        ResultAssert.Fails(wrongKey, "API_KEY_REQUIRED");
        ResultAssert.Fails(noKey, "API_KEY_REQUIRED");
    }

    [Fact]
    [Trait("Rule", "API-2")]
    public async Task UserRpc_RefusesAnApiKey_AndAnRpcWithoutDeclarationIsClosed()
    {
        using var scope = host.Services.CreateScope();
        var authenticator = Authenticator(scope);

        var apiKeyOnUserRpc = await authenticator.AuthenticateAsync(new UserCallerAttribute(), new Metadata { { "x-api-key", HostFactory.SupportKey } }, CancellationToken.None);
        var undeclared = await authenticator.AuthenticateAsync(null, [], CancellationToken.None);

        ResultAssert.Fails(apiKeyOnUserRpc, "SESSION_REQUIRED");
        ResultAssert.Fails(undeclared, "RPC_NOT_EXPOSED");
    }

    [Fact]
    [Trait("Rule", "API-2")]
    public async Task UserRpc_ResolvesTheSessionsAccount()
    {
        using var scope = host.Services.CreateScope();
        var accounts = scope.ServiceProvider.GetRequiredService<AccountService>();
        await accounts.SignUpAsync("caller@example.com", Passwords.Good, null, Contexts.Home);
        var signedIn = (await scope.ServiceProvider.GetRequiredService<AccountService>().SignInAsync("caller@example.com", Passwords.Good, null, null, Contexts.Home)).Value;
        await host.ConfirmLoginAsync("caller@example.com", Bearer.Of(signedIn.Token));

        var caller = await Authenticator(scope).AuthenticateAsync(new UserCallerAttribute(), Bearer.Of(signedIn.Token), CancellationToken.None);

        Assert.Equal(signedIn.Account.Id, Assert.IsType<UserCaller>(caller.Value).User.AccountId);
    }
}
