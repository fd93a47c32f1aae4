using Grpc.Core;
using Hosting.Core.Accounts;
using Hosting.GrpcHost.Callers;

namespace Hosting.GrpcHost.Services;

internal static class CallContextExtensions
{
    /// <summary>Metadata with a device identifier the client keeps (ACC-5).</summary>
    public const string DeviceIdHeader = "x-device-id";

    /// <summary>The signed-in user; the interceptor has authenticated the call as the RPC declares.</summary>
    public static AuthenticatedUser User(this ServerCallContext context) =>
        CallerInterceptor.CallerOf(context) is UserCaller user
            ? user.User
            : throw new InvalidOperationException("This RPC must be declared [UserCaller].");

    /// <summary>Where the request comes from: the end user's address when a trusted front end passes it, else the peer's.</summary>
    public static SignInContext SignInContext(this ServerCallContext context)
    {
        var ip = context.GetHttpContext().RequestServices.GetRequiredService<ClientAddress>().Of(context)?.ToString();
        return Core.Accounts.SignInContext.Create(ip, context.RequestHeaders.GetValue(DeviceIdHeader), context.RequestHeaders.GetValue("user-agent"));
    }
}
