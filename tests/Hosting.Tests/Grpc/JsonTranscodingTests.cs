using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Hosting.Tests.Support;

namespace Hosting.Tests.Grpc;

/// <summary>The same service over HTTP/JSON (transcoded from the google.api.http annotations).</summary>
public sealed class JsonTranscodingTests(HostFactory host) : IClassFixture<HostFactory>
{
    [Fact]
    [Trait("Rule", "API-1")]
    public async Task SignUpSignInAndGetAccount_WorkOverHttpJson()
    {
        using var http = host.CreateClient();
        var login = $"json-{Guid.NewGuid():N}@example.com";

        var signUp = await http.PostAsJsonAsync("/v1/accounts:signUp", new { login, password = Passwords.Good });
        var signIn = await http.PostAsJsonAsync("/v1/accounts:signIn", new { login, password = Passwords.Good });
        var token = (await signIn.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("sessionToken").GetString();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/v1/accounts/me");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        var me = await http.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, signUp.StatusCode);
        Assert.Equal(login, (await me.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("account").GetProperty("login").GetString());
    }

    [Fact]
    [Trait("Rule", "API-3")]
    public async Task Errors_ComeBackAsJsonStatus_WithTheSameDetails()
    {
        using var http = host.CreateClient();

        var weak = await http.PostAsJsonAsync("/v1/accounts:signUp", new { login = "json-weak@example.com", password = "password1" });
        var anonymous = await http.GetAsync(new Uri("/v1/accounts/me", UriKind.Relative));

        Assert.Equal(HttpStatusCode.BadRequest, weak.StatusCode);
        var status = await weak.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(3, status.GetProperty("code").GetInt32());
        var details = status.GetProperty("details").EnumerateArray().ToList();
        Assert.Contains(details, d => d.GetProperty("@type").GetString()!.EndsWith("ErrorInfo", StringComparison.Ordinal) && d.GetProperty("reason").GetString() == "PASSWORD_TOO_COMMON");
        Assert.Contains(details, d => d.GetProperty("@type").GetString()!.EndsWith("BadRequest", StringComparison.Ordinal));
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
    }
}
