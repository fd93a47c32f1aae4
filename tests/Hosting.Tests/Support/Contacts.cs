using Hosting.Core.Organizations;

namespace Hosting.Tests.Support;

public static class Contacts
{
    public static readonly ContactDetails Person = new()
    {
        Kind = HolderKind.Individual,
        FirstName = "Ann",
        LastName = "Meier",
        Street = "Rue du Lac 1",
        PostalCode = "1200",
        City = "Geneva",
        Country = "ch",
    };

    public static readonly ContactDetails Company = Person with
    {
        Kind = HolderKind.Company,
        CompanyName = "Meier Web Sàrl",
        VatNumber = "CHE-123.456.789",
    };
}
