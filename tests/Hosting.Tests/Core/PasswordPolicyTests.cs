using Hosting.Core.Security;
using Hosting.Core.Shared;
using Hosting.Tests.Support;

namespace Hosting.Tests.Core;

public sealed class PasswordPolicyTests
{
    private static readonly EmailAddress Login = EmailAddress.Parse("ann@example.com", "login").Value;
    private readonly PasswordPolicy _policy = new(new ZxcvbnCommonPasswords());

    [Theory]
    [Trait("Rule", "ACC-2")]
    [InlineData("abcdefg", "PASSWORD_TOO_SHORT")]
    [InlineData("😀🦊🌍🎈🚲🍀🎵", "PASSWORD_TOO_SHORT")] // 7 code points, 14 UTF-16 units
    [InlineData("qwertyuiop", "PASSWORD_TOO_COMMON")]
    [InlineData("Sunshine1", "PASSWORD_TOO_COMMON")]
    [InlineData("ANN@example.com", "PASSWORD_EQUALS_LOGIN")]
    public void Check_RefusesWithTheRuleThatFailed_AndNeverEchoesThePassword(string password, string reason)
    {
        var result = _policy.Check(password, Login, "password");

        var error = ResultAssert.Fails(result, reason);
        var field = Assert.Single(error.Fields);
        Assert.Equal("password", field.Field);
        Assert.Equal(reason, field.Reason);
        Assert.DoesNotContain(password, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(password, field.Description, StringComparison.Ordinal);
        Assert.False(string.IsNullOrWhiteSpace(error.Message));
    }

    [Theory]
    [Trait("Rule", "ACC-2")]
    [InlineData("none", "PASSWORD_REQUIRED", "required")]
    [InlineData("empty", "PASSWORD_REQUIRED", "required")]
    [InlineData("seven", "PASSWORD_TOO_SHORT", "at least 8 characters")]
    [InlineData("129", "PASSWORD_TOO_LONG", "at most 128 characters")]
    [InlineData("lone surrogate", "PASSWORD_INVALID_TEXT", "not valid Unicode")]
    public void ARefusal_SaysWhatThePasswordNeeds(string password, string reason, string said)
    {
        var text = password switch
        {
            "none" => null,
            "empty" => string.Empty,
            "seven" => "abcdefg",
            "129" => new string('x', 129),
            _ => "lone \ud800 surrogate",
        };

        var error = ResultAssert.Fails(_policy.Check(text, Login, "password"), reason);

        Assert.Contains(said, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    [Trait("Rule", "ACC-2")]
    public void Check_CountsCodePoints_NotUtf16Units()
    {
        Assert.True(_policy.Check("😀🦊🌍🎈🚲🍀🎵🐝", Login, "password").IsSuccess);
        Assert.True(_policy.Check(string.Concat(Enumerable.Repeat("🦊", 128)), Login, "password").IsSuccess);
        ResultAssert.Fails(_policy.Check(string.Concat(Enumerable.Repeat("🦊", 129)), Login, "password"), "PASSWORD_TOO_LONG");
    }

    [Fact]
    [Trait("Rule", "ACC-2")]
    public void Check_HasNoCompositionRules()
    {
        Assert.True(_policy.Check("lowercase only words", Login, "password").IsSuccess);
        Assert.True(_policy.Check("73915284066", Login, "password").IsSuccess);
    }

    [Fact]
    [Trait("Rule", "ACC-2")]
    public void CommonPasswordList_ComesFromThePackage_WithAtLeastTenThousandEntries()
    {
        Assert.True(ZxcvbnCommonPasswords.Count >= 10_000, $"only {ZxcvbnCommonPasswords.Count} entries");
        Assert.True(new ZxcvbnCommonPasswords().Contains("QWERTY123"));
    }

    [Fact]
    [Trait("Rule", "ACC-2")]
    public void Check_ReturnsTheNormalizedForm_SoCompatibleSpellingsHashAlike()
    {
        var fullWidth = _policy.Check("ｂｌｕｅ ｔｒａｉｎ ｒａｉｎ", Login, "password");

        Assert.Equal("blue train rain", fullWidth.Value);
    }
}
