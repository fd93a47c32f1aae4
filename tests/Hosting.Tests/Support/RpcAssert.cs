using Google.Rpc;
using Grpc.Core;

namespace Hosting.Tests.Support;

public static class RpcAssert
{
    /// <summary>Asserts the call fails with the status and ErrorInfo reason; returns the rich status.</summary>
    public static async Task<Google.Rpc.Status> FailsAsync(Func<Task> call, StatusCode code, string reason)
    {
        var e = await Assert.ThrowsAsync<RpcException>(call);
        Assert.Equal(code, e.StatusCode);
        var status = e.GetRpcStatus();
        Assert.NotNull(status);
        var info = status.GetDetail<ErrorInfo>();
        Assert.NotNull(info);
        Assert.Equal(reason, info.Reason);
        Assert.Equal("hosting.example", info.Domain);
        return status;
    }

    public static string ViolatedField(this Google.Rpc.Status status) =>
        Assert.Single(status.GetDetail<BadRequest>()!.FieldViolations).Field;
}
