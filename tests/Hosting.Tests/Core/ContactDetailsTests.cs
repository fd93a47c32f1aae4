using Hosting.Core.Organizations;
using Hosting.Core.Shared;
using Hosting.Tests.Support;

namespace Hosting.Tests.Core;

/// <summary>The organization's contact details (ORG-11): each field's rule, named under the caller's prefix, and what is stored once they pass.</summary>
public sealed class ContactDetailsTests
{
    private static IReadOnlyList<FieldViolation> Violations(ContactDetails contact)
    {
        var result = contact.Validated("contact");
        Assert.False(result.IsSuccess, "expected the contact details to be refused");
        Assert.Equal(ErrorKind.InvalidArgument, result.Error.Kind);
        Assert.Equal(result.Error.Fields[0].Reason, result.Error.Reason);
        return result.Error.Fields;
    }

    private static void AssertOnly(ContactDetails contact, string field, string reason)
    {
        var violation = Assert.Single(Violations(contact));
        Assert.Equal(field, violation.Field);
        Assert.Equal(reason, violation.Reason);
    }

    // Rows are the field's name (serializable), so each is its own test case with its own coverage.
    public static TheoryData<string> TextFields =>
        ["contact.first_name", "contact.last_name", "contact.street", "contact.postal_code", "contact.city", "contact.company_name"];

    private static ContactDetails With(string field, string value) => field switch
    {
        "contact.first_name" => Contacts.Company with { FirstName = value },
        "contact.last_name" => Contacts.Company with { LastName = value },
        "contact.street" => Contacts.Company with { Street = value },
        "contact.postal_code" => Contacts.Company with { PostalCode = value },
        "contact.city" => Contacts.Company with { City = value },
        "contact.company_name" => Contacts.Company with { CompanyName = value },
        _ => throw new ArgumentOutOfRangeException(nameof(field), field, null),
    };

    [Theory]
    [Trait("Rule", "ORG-11")]
    [MemberData(nameof(TextFields))]
    public void EachRequiredField_LeftBlank_IsRefusedByName(string field)
    {
        AssertOnly(With(field, ""), field, "FIELD_REQUIRED");
        AssertOnly(With(field, " \t "), field, "FIELD_REQUIRED");
    }

    [Theory]
    [Trait("Rule", "ORG-11")]
    [MemberData(nameof(TextFields))]
    public void EachTextField_OfTwoHundredCharacters_Passes_AndOfOneMore_IsTooLong(string field)
    {
        ContactDetails OfLength(int length) => With(field, new string(field == "contact.postal_code" ? '1' : 'a', length));

        Assert.True(OfLength(ContactDetails.MaxTextLength).Validated("contact").IsSuccess);
        AssertOnly(OfLength(ContactDetails.MaxTextLength + 1), field, "FIELD_TOO_LONG");
        Assert.Contains("201", Assert.Single(Violations(OfLength(ContactDetails.MaxTextLength + 1))).Description, StringComparison.Ordinal);
    }

    [Fact]
    [Trait("Rule", "ORG-11")]
    public void AControlCharacterInsideAField_IsRefused()
    {
        AssertOnly(Contacts.Company with { City = "Gen\u0007eva" }, "contact.city", "FIELD_INVALID");
        AssertOnly(Contacts.Company with { FirstName = "An\nn" }, "contact.first_name", "FIELD_INVALID");
    }

    [Fact]
    [Trait("Rule", "ORG-11")]
    public void EveryFault_IsNamed_TheFirstGivingTheReason()
    {
        var faults = Violations(Contacts.Company with { Kind = (HolderKind)9, FirstName = "", City = new string('a', 201), Country = "XX", VatNumber = "CHE/123" });

        // A kind that is not "company" makes the company fields a fault of their own.
        Assert.Equal(["contact.kind", "contact.first_name", "contact.city", "contact.country", "contact.vat_number", "contact.vat_number"], faults.Select(f => f.Field));
        Assert.Equal(["FIELD_REQUIRED", "FIELD_REQUIRED", "FIELD_TOO_LONG", "INVALID_COUNTRY", "COMPANY_FIELDS_FOR_INDIVIDUAL", "FIELD_INVALID"], faults.Select(f => f.Reason));
    }

    [Fact]
    [Trait("Rule", "ORG-11")]
    public void APerson_HasNeitherCompanyNameNorVatNumber()
    {
        AssertOnly(Contacts.Person with { CompanyName = "Meier Web" }, "contact.vat_number", "COMPANY_FIELDS_FOR_INDIVIDUAL");
        AssertOnly(Contacts.Person with { VatNumber = "CHE-123.456.789" }, "contact.vat_number", "COMPANY_FIELDS_FOR_INDIVIDUAL");
        Assert.True((Contacts.Person with { CompanyName = "  ", VatNumber = " " }).Validated("contact").IsSuccess);
    }

    [Theory]
    [Trait("Rule", "ORG-11")]
    [InlineData("CHE-123.456.789 MWST", true)]
    [InlineData("", true)]
    [InlineData("DE123456789", true)]
    [InlineData("CHE_123", false)]
    [InlineData("CHE/123", false)]
    [InlineData("CHÉ-123", false)]
    public void AVatNumber_HoldsLettersDigitsSpacesDotsAndDashesOnly(string vat, bool valid)
    {
        var result = (Contacts.Company with { VatNumber = vat }).Validated("contact");

        Assert.Equal(valid, result.IsSuccess);
        if (!valid)
        {
            AssertOnly(Contacts.Company with { VatNumber = vat }, "contact.vat_number", "FIELD_INVALID");
        }
    }

    [Fact]
    [Trait("Rule", "ORG-11")]
    public void AVatNumber_OfThirtyTwoCharacters_Passes_AndOfThirtyThree_IsRefused()
    {
        Assert.True((Contacts.Company with { VatNumber = new string('1', 32) }).Validated("contact").IsSuccess);
        AssertOnly(Contacts.Company with { VatNumber = new string('1', 33) }, "contact.vat_number", "FIELD_INVALID");
    }

    [Fact]
    [Trait("Rule", "ORG-11")]
    public void ValidDetails_AreStoredTrimmed_WithTheCountryInCapitals()
    {
        var raw = Contacts.Company with
        {
            FirstName = " Ann ",
            LastName = " Meier\t",
            CompanyName = " Meier Web Sàrl ",
            Street = " Rue du Lac 1 ",
            PostalCode = " 1200 ",
            City = " Geneva ",
            Country = " ch ",
            VatNumber = " CHE-123.456.789 ",
        };

        var clean = raw.Validated("contact").Value;

        Assert.Equal(
            ("Ann", "Meier", "Meier Web Sàrl", "Rue du Lac 1", "1200", "Geneva", "CH", "CHE-123.456.789"),
            (clean.FirstName, clean.LastName, clean.CompanyName, clean.Street, clean.PostalCode, clean.City, clean.Country, clean.VatNumber));
        Assert.Equal("Meier Web Sàrl", clean.DisplayName);
        Assert.Equal("Ann Meier", Contacts.Person.Validated("contact").Value.DisplayName);
    }

    [Fact]
    [Trait("Rule", "ORG-11")]
    public void MissingOptionalFields_AreStoredEmpty_AndMissingRequiredOnesAreRefused()
    {
        var person = Contacts.Person with { CompanyName = null!, VatNumber = null! };
        var clean = person.Validated("contact").Value;
        Assert.Equal(string.Empty, clean.CompanyName);
        Assert.Equal(string.Empty, clean.VatNumber);

        var faults = Violations(Contacts.Company with { FirstName = null!, LastName = null!, Street = null!, PostalCode = null!, City = null!, Country = null!, CompanyName = null! });
        Assert.Equal(
            ["contact.first_name", "contact.last_name", "contact.street", "contact.postal_code", "contact.city", "contact.country", "contact.company_name"],
            faults.Select(f => f.Field));
    }
}
