using System.Text;
using Google.Protobuf;
using Google.Protobuf.Reflection;
using Google.Rpc;
using Grpc.Core;
using Hosting.Accounts.V1;
using Hosting.Core.Billing;
using Hosting.Organizations.V1;
using Hosting.Persistence;
using Hosting.Tests.Support;
using Hosting.Wallets.V1;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Hosting.Tests.Grpc;

/// <summary>The host with one API key holding every scope, so that service RPCs get past authentication too.</summary>
public sealed class FuzzHostFactory : HostFactory
{
    public const string AllScopesKey = "fuzz-all-scopes-key-0123456789-abcdefgh";

    public FuzzHostFactory()
    {
        Settings = new()
        {
            ["ApiKeys:Keys:2:Name"] = "fuzzer",
            ["ApiKeys:Keys:2:Key"] = AllScopesKey,
            ["ApiKeys:Keys:2:Scopes:0"] = "mailbox.credentials",
            ["ApiKeys:Keys:2:Scopes:1"] = "support",
            ["ApiKeys:Keys:2:Scopes:2"] = "payouts",
            ["ApiKeys:Keys:2:Scopes:3"] = "audit",
        };
    }
}

/// <summary>
/// Sends every RPC of every service requests built at random from its descriptor, at the wire
/// level (so strings may hold invalid UTF-8 and enums unknown numbers), with a fixed seed. Every
/// reply must be a success or a defined status with an ErrorInfo reason, and the store's
/// invariants must hold afterwards.
/// </summary>
public sealed class FuzzTests(FuzzHostFactory host) : IClassFixture<FuzzHostFactory>
{
    private const int Seed = 20261125;

    // CI's short run; the Torture target sets HOSTING_FUZZ_REQUESTS for the deep one.
    private static readonly int RequestsPerRpc =
        int.TryParse(Environment.GetEnvironmentVariable("HOSTING_FUZZ_REQUESTS"), out var n) && n > 0 ? n : 40;

    [Fact]
    [Trait("Rule", "API-3")]
    public async Task EveryRpc_AnswersHostileRequests_WithADefinedStatusAndReason_AndTheInvariantsHold()
    {
        var world = await World.CreateAsync(host);
        var random = new Random(Seed);
        var invoker = host.Channel().CreateCallInvoker();
        var undefined = new List<string>();
        var tried = 0;

        foreach (var method in Rpcs.Services.SelectMany(s => s.Methods))
        {
            // A fresh session per RPC: SignOut or a password change may end the previous one, and
            // wrong passwords fuzzed at SignIn may have locked the login for a while.
            host.Clock.Advance(TimeSpan.FromMinutes(20));
            var headers = new Metadata
            {
                { "authorization", $"Bearer {await world.SignInAsync()}" },
                { "x-api-key", FuzzHostFactory.AllScopesKey },
            };
            var rpc = Rpcs.Unary(method);
            for (var i = 0; i < RequestsPerRpc; i++)
            {
                var request = new RequestWriter(random, world.Names).Write(method.InputType, depth: 0);
                tried++;
                try
                {
                    await invoker.AsyncUnaryCall(rpc, null, new CallOptions(headers), request);
                }
                catch (RpcException e) when (Undefined(e) is { } why)
                {
                    undefined.Add($"{method.FullName} #{i}: {why}");
                }
                catch (RpcException)
                {
                    // A defined refusal.
                }
            }
        }

        var rpcs = Rpcs.Services.Sum(s => s.Methods.Count);
        Assert.True(rpcs >= 75 && tried == rpcs * RequestsPerRpc, $"only {tried} requests were sent");
        Assert.True(undefined.Count == 0, $"{undefined.Count} undefined replies:\n" + string.Join("\n", undefined.Take(40)) + string.Join("\n", host.Logs.Lines.Where(l => l.Contains("xception", StringComparison.Ordinal)).Take(5)));
        await AssertInvariantsAsync();
        Hosting.Tests.Model.ModelRuns.Record($"fuzz {rpcs} {RequestsPerRpc} {tried} {undefined.Count}");
    }

    private static string? Undefined(RpcException e)
    {
        if (e.StatusCode is StatusCode.Unknown or StatusCode.Internal)
        {
            return $"{e.StatusCode}: {e.Status.Detail}";
        }

        var info = e.GetRpcStatus()?.GetDetail<ErrorInfo>();
        return string.IsNullOrEmpty(info?.Reason) ? $"{e.StatusCode} without an ErrorInfo reason: {e.Status.Detail}" : null;
    }

    private async Task AssertInvariantsAsync()
    {
        var wallet = new WalletService.WalletServiceClient(host.Channel());
        var audit = await wallet.AuditLedgerAsync(new AuditLedgerRequest(), new Metadata { { "x-api-key", FuzzHostFactory.AllScopesKey } });
        Assert.Empty(audit.Violations);

        await using var scope = host.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<HostingDbContext>();
        var numbers = (await db.Set<Invoice>().Select(i => i.SequenceNumber).ToListAsync()).Order().ToList();
        Assert.Equal(Enumerable.Range(1, numbers.Count).Select(n => (long)n), numbers);
        var organizations = await db.Set<Hosting.Core.Organizations.Organization>().Include(o => o.Memberships).Where(o => o.DeletedAt == null).ToListAsync();
        Assert.NotEmpty(organizations);
        Assert.All(organizations, o => Assert.Contains(o.Memberships, m => m.IsLegalRepresentative));
    }

    /// <summary>Data for the fuzzer to aim at: a user with an organization, a paid invoice and a funded wallet.</summary>
    private sealed class World(AccountsService.AccountsServiceClient accounts, string login, List<string> names)
    {
        public IReadOnlyList<string> Names => names;

        public static async Task<World> CreateAsync(HostFactory host)
        {
            var accounts = host.Accounts();
            const string login = "fuzz-owner@example.com";
            await accounts.SignUpAsync(new SignUpRequest { Login = login, Password = Passwords.Good });
            List<string> names = [login, "someone-else@example.com"];
            var world = new World(accounts, login, names);
            var auth = Bearer.Of(await world.SignInAsync());
            await host.ConfirmLoginAsync(login, auth);
            var organizations = new OrganizationsService.OrganizationsServiceClient(host.Channel());
            var organization = (await organizations.CreateOrganizationAsync(new CreateOrganizationRequest
            {
                ContactDetails = new Hosting.Organizations.V1.ContactDetails
                {
                    Kind = HolderKind.Individual, FirstName = "Ann", LastName = "Meier", Street = "Rue du Lac 1", PostalCode = "1200", City = "Geneva", Country = "CH",
                },
            }, auth)).Organization;
            names.Add(organization.Name);
            names.Add($"{organization.Name}/members/{organization.Name.Split('/')[1]}");
            var invitation = await organizations.CreateInvitationAsync(new CreateInvitationRequest
            {
                Parent = organization.Name, Email = "guest@example.com", Rights = new Hosting.Organizations.V1.MemberRights { Administrator = true },
            }, auth);
            names.Add(invitation.Invitation.Name);
            var wallet = new WalletService.WalletServiceClient(host.Channel());
            await wallet.TopUpWalletAsync(new TopUpWalletRequest
            {
                Parent = organization.Name, Amount = new Money { Minor = 100_000, Currency = "CHF" }, PaymentMethod = "sim-success", RequestId = "fuzz-fund",
            }, auth);
            names.AddRange(["fuzz-fund", "sim-success", "sim-decline", "sim-timeout", "wallet", "CHF", "EUR", "web_hosting", "mail_service", "FUZZ10"]);
            return world;
        }

        public async Task<string> SignInAsync() =>
            (await accounts.SignInAsync(new SignInRequest { Login = login, Password = Passwords.Good })).SessionToken;
    }

    /// <summary>Writes a random message of a descriptor straight to the wire format.</summary>
    private sealed class RequestWriter(Random random, IReadOnlyList<string> names)
    {
        private const int MaxDepth = 3;

        public byte[] Write(MessageDescriptor descriptor, int depth)
        {
            using var buffer = new MemoryStream();
            var output = new CodedOutputStream(buffer);
            foreach (var field in descriptor.Fields.InFieldNumberOrder())
            {
                if (random.NextDouble() < 0.3)
                {
                    continue; // a missing field, required or not
                }

                var count = field.IsRepeated ? random.Next(0, 4) : 1;
                for (var i = 0; i < count; i++)
                {
                    WriteField(output, field, depth);
                }
            }

            output.Flush();
            return buffer.ToArray();
        }

        private void WriteField(CodedOutputStream output, FieldDescriptor field, int depth)
        {
            if (field.IsMap)
            {
                return;
            }

            switch (field.FieldType)
            {
                case FieldType.String:
                    output.WriteTag(field.FieldNumber, WireFormat.WireType.LengthDelimited);
                    output.WriteBytes(ByteString.CopyFrom(StringBytes()));
                    break;
                case FieldType.Bytes:
                    output.WriteTag(field.FieldNumber, WireFormat.WireType.LengthDelimited);
                    output.WriteBytes(ByteString.CopyFrom(RandomBytes(random.Next(0, 64))));
                    break;
                case FieldType.Message or FieldType.Group when depth < MaxDepth:
                    output.WriteTag(field.FieldNumber, WireFormat.WireType.LengthDelimited);
                    output.WriteBytes(ByteString.CopyFrom(Write(field.MessageType, depth + 1)));
                    break;
                case FieldType.Bool:
                    output.WriteTag(field.FieldNumber, WireFormat.WireType.Varint);
                    output.WriteBool(random.Next(2) == 1);
                    break;
                case FieldType.Enum:
                    output.WriteTag(field.FieldNumber, WireFormat.WireType.Varint);
                    output.WriteEnum(Pick([0, 1, 2, 3, 7, 99, -1, int.MaxValue]));
                    break;
                case FieldType.Int32 or FieldType.SInt32 or FieldType.UInt32:
                    output.WriteTag(field.FieldNumber, WireFormat.WireType.Varint);
                    output.WriteInt32(Pick([0, 1, -1, 10, 1000, int.MaxValue, int.MinValue, random.Next()]));
                    break;
                case FieldType.Int64 or FieldType.SInt64 or FieldType.UInt64:
                    output.WriteTag(field.FieldNumber, WireFormat.WireType.Varint);
                    output.WriteInt64(Pick([0L, 1L, -1L, 100L, 10_000L, long.MaxValue, long.MinValue, random.NextInt64()]));
                    break;
                case FieldType.Double:
                    output.WriteTag(field.FieldNumber, WireFormat.WireType.Fixed64);
                    output.WriteDouble(Pick([0d, -1d, double.NaN, double.PositiveInfinity, 1e308]));
                    break;
            }
        }

        private byte[] StringBytes() => random.Next(12) switch
        {
            0 => [],
            1 => [0xC3, 0x28, 0xFF, 0xFE], // invalid UTF-8
            2 => Encoding.UTF8.GetBytes(new string('x', random.Next(5_000, 20_000))),
            3 => Encoding.UTF8.GetBytes("' OR 1=1 --; DROP TABLE \"Accounts\";"),
            4 => Encoding.UTF8.GetBytes("../../etc/passwd\0\u202E\uFEFF"),
            5 => Encoding.UTF8.GetBytes("Zoë 🧪 名前 ñ"),
            6 => Encoding.UTF8.GetBytes($"{Pick(names)}/{SeededGuid()}"),
            7 => Encoding.UTF8.GetBytes(SeededGuid().ToString()),
            8 => Encoding.UTF8.GetBytes("W/\"" + random.Next(-5, 50) + "\""),
            _ => Encoding.UTF8.GetBytes(Pick(names)),
        };

        private Guid SeededGuid() => new(RandomBytes(16));

        private byte[] RandomBytes(int length)
        {
            var bytes = new byte[length];
            random.NextBytes(bytes);
            return bytes;
        }

        private T Pick<T>(IReadOnlyList<T> values) => values[random.Next(values.Count)];
    }
}
