using Grpc.Core;
using Hosting.Wallets.V1;

namespace Hosting.Tests.Support;

/// <summary>Every service of the API, read from the descriptors, and a way to call any RPC with raw bytes.</summary>
public static class Rpcs
{
    public static readonly Google.Protobuf.Reflection.ServiceDescriptor[] Services =
    [
        Hosting.Accounts.V1.AccountsReflection.Descriptor.Services.Single(),
        Hosting.Organizations.V1.OrganizationsReflection.Descriptor.Services.Single(),
        Hosting.Mailboxes.V1.MailboxesReflection.Descriptor.Services.Single(),
        .. Hosting.Billing.V1.BillingReflection.Descriptor.Services,
        WalletReflection.Descriptor.Services.Single(),
    ];

    private static readonly Marshaller<byte[]> Raw = Marshallers.Create(b => b, b => b);

    /// <summary>The unary RPC <paramref name="method"/>, taking and returning wire bytes.</summary>
    public static Method<byte[], byte[]> Unary(Google.Protobuf.Reflection.MethodDescriptor method) =>
        new(MethodType.Unary, method.Service.FullName, method.Name, Raw, Raw);
}

/// <summary>Reads of a wallet's ledger.</summary>
public static class Ledger
{
    /// <summary>The names of every transaction of the organization's CHF wallet, walking all pages.</summary>
    public static async Task<HashSet<string>> TransactionNamesAsync(WalletService.WalletServiceClient wallet, string organization, Metadata auth)
    {
        var recorded = new HashSet<string>();
        var token = string.Empty;
        do
        {
            var page = await wallet.ListLedgerTransactionsAsync(new ListLedgerTransactionsRequest { Parent = $"{organization}/wallets/CHF", PageSize = 200, PageToken = token }, auth);
            recorded.UnionWith(page.Transactions.Select(t => t.Name));
            token = page.NextPageToken;
        }
        while (token.Length > 0);
        return recorded;
    }
}
