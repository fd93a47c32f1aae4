using Grpc.Core;
using Grpc.Net.Client;
using Hosting.Accounts.V1;
using Hosting.Billing.V1;
using Hosting.Organizations.V1;
using Hosting.Wallets.V1;

namespace Hosting.LoadDriver;

/// <summary>A customer made through the public API: account, organization with one product, session.</summary>
internal sealed record Customer(string Login, string Password, string Organization, string Product, Metadata Bearer)
{
    public Guid OrganizationId => Guid.Parse(Organization.Split('/')[1]);

    public Guid ProductId => Guid.Parse(Product.Split('/')[^1]);
}

internal static class Customers
{
    public const string Password = "violet-harbour-lantern-42";

    /// <summary>Orders a first product for <paramref name="count"/> new accounts (a few at a time), signs each in and confirms its login.</summary>
    public static async Task<Customer[]> CreateAsync(HostProcess host, GrpcChannel channel, string prefix, int count, int parallel = 4)
    {
        var organizations = new OrganizationsService.OrganizationsServiceClient(channel);
        var accounts = new AccountsService.AccountsServiceClient(channel);
        var result = new Customer[count];
        using var gate = new SemaphoreSlim(parallel);
        await Task.WhenAll(Enumerable.Range(0, count).Select(async i =>
        {
            await gate.WaitAsync();
            try
            {
                var login = $"{prefix}-{i}@bench.example";
                var order = await organizations.OrderFirstProductAsync(new OrderFirstProductRequest
                {
                    ContactDetails = new ContactDetails
                    {
                        Kind = HolderKind.Company, FirstName = "Ann", LastName = "Meier", CompanyName = $"Bench {prefix} {i} Sàrl",
                        Street = "Rue 1", PostalCode = "1200", City = "Genève", Country = "CH",
                    },
                    Login = login,
                    Password = Password,
                    ProductType = Hosting.Organizations.V1.ProductType.WebHosting,
                    ProductDisplayName = $"{prefix}-{i}.ch",
                });
                var session = await accounts.SignInAsync(new SignInRequest { Login = login, Password = Password });
                var bearer = new Metadata { { "authorization", "Bearer " + session.SessionToken } };
                // The login is proven with the code the host emailed to it (ACC-12), as a customer would.
                await accounts.ConfirmLoginAsync(new ConfirmLoginRequest { Code = await host.LoginCodeAsync(login) }, bearer);
                result[i] = new Customer(login, Password, order.Organization.Name, order.Product.Name, bearer);
            }
            finally
            {
                gate.Release();
            }
        }));
        return result;
    }

    /// <summary>Funds each customer's CHF wallet through the simulated gateway.</summary>
    public static async Task TopUpAsync(GrpcChannel channel, IEnumerable<Customer> customers, long minor)
    {
        var wallet = new WalletService.WalletServiceClient(channel);
        foreach (var c in customers)
        {
            await wallet.TopUpWalletAsync(new TopUpWalletRequest
            {
                Parent = c.Organization, Amount = new Hosting.Wallets.V1.Money { Minor = minor, Currency = "CHF" },
                PaymentMethod = "sim-success", RequestId = "fund-" + Guid.NewGuid().ToString("N"),
            }, c.Bearer);
        }
    }

    /// <summary>One wallet payment through the whole write path: a checkout of the customer's product paid from the wallet.</summary>
    public static Task CheckoutAsync(BillingService.BillingServiceClient billing, Customer c, string requestId) =>
        billing.CheckoutAsync(new CheckoutRequest { Parent = c.Organization, Products = { c.Product }, PaymentMethod = "wallet", RequestId = requestId }, c.Bearer).ResponseAsync;

    /// <summary>An order of one web hosting confirmed for payment by bank transfer (ORD-3): the unpaid final invoice's name.</summary>
    public static async Task<string> ConfirmBankTransferAsync(BillingService.BillingServiceClient billing, Customer c, string requestId)
    {
        var confirmed = await billing.ConfirmOrderAsync(new ConfirmOrderRequest
        {
            Parent = c.Organization,
            Lines = { new CartLine { ProductType = (int)Hosting.Organizations.V1.ProductType.WebHosting, DisplayName = "site " + requestId } },
            PaymentMethod = "bank-transfer",
            RequestId = requestId,
        }, c.Bearer);
        return confirmed.Invoice.Name;
    }

    /// <summary>An unpaid invoice of "to pay" paid from the wallet (ORD-3).</summary>
    public static Task PayInvoiceAsync(BillingService.BillingServiceClient billing, Customer c, string invoice, string requestId) =>
        billing.PayInvoiceAsync(new PayInvoiceRequest { Name = invoice, PaymentMethod = "wallet", RequestId = requestId }, c.Bearer).ResponseAsync;
}
