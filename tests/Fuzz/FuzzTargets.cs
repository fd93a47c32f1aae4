using System.Buffers.Binary;
using System.IO.Hashing;
using System.Numerics;
using System.Text;
using Hosting.Core.Organizations;
using Hosting.Core.Security;
using Hosting.Core.Shared;
using Hosting.Core.Wallets;
using Hosting.GrpcHost.Services;

namespace Hosting.Fuzz;

/// <summary>An input that a parser handled wrongly: it neither accepted it soundly nor refused it with its documented error.</summary>
public sealed class FuzzFinding(string message) : Exception(message);

/// <summary>
/// The parser fuzz targets, shared by the afl++ harness (tests/Fuzz) and the corpus replay test
/// (Hosting.Tests links this file). Each feeds raw bytes to one parser: the parser's own refusal
/// (a failed <see cref="Result{T}"/> with its documented reason, or <c>false</c>) is normal; any
/// exception, and any acceptance that breaks the parser's own guarantees, is a finding.
/// </summary>
public static class FuzzTargets
{
    /// <summary>The targets, as named on the harness's command line and in tests/Fuzz/corpus.</summary>
    public static readonly IReadOnlyList<string> Names = ["logo", "phc", "iban", "page-token", "resource-name", "contact-details"];

    private static readonly string[] LogoReasons = ["LOGO_REQUIRED", "LOGO_TOO_LARGE", "LOGO_NOT_PNG", "LOGO_WRONG_SIZE", "LOGO_NO_TRANSPARENCY"];

    private static readonly string[] ContactReasons = ["FIELD_REQUIRED", "FIELD_TOO_LONG", "FIELD_INVALID", "INVALID_COUNTRY", "COMPANY_FIELDS_FOR_INDIVIDUAL"];

    // Not UTF8Encoding's default: invalid bytes become U+FFFD, as an HTTP/gRPC string would carry them.
    private static readonly Encoding Utf8 = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: false);

    /// <summary>Runs one target on one input; throws on a finding, else tells whether the parser accepted the input.</summary>
    public static bool Run(string target, byte[] input) => target switch
    {
        // afl rarely guesses a CRC, a mod-97 check or a Base64 encoding, so each of those targets also
        // tries the input with them made right, which lets mutations reach the checks behind them.
        "logo" => Logo(input) | Logo(WithCrcsRepaired(input)),
        "phc" => Phc(Utf8.GetString(input)),
        "iban" => Iban(Utf8.GetString(input)) | Iban(WithCheckDigitsRepaired(Utf8.GetString(input))),
        "page-token" => PageTokens(Utf8.GetString(input)) | PageTokens(Secrets.Base64Url(input)),
        "resource-name" => ResourceName(Utf8.GetString(input)),
        "contact-details" => Contact(Utf8.GetString(input)),
        _ => throw new ArgumentException($"Unknown fuzz target '{target}'.", nameof(target)),
    };

    /// <summary>ORG-10: the PNG logo check.</summary>
    public static bool Logo(byte[] input)
    {
        var result = OrganizationLogo.Validate(input);
        if (!result.IsSuccess)
        {
            Refused(result.Error!, "content", LogoReasons);
            return false;
        }

        var content = result.Value.Content;
        Expect(!ReferenceEquals(content, input) && content.AsSpan().SequenceEqual(input), "an accepted logo holds its own copy of the bytes");
        Expect(content.Length <= OrganizationLogo.MaxBytes, "an accepted logo is at most 1 MiB");
        return true;
    }

    /// <summary>ACC-1: the PHC string parser behind password verification and rehashing.</summary>
    public static bool Phc(string input)
    {
        // A stored hash that cannot be read must ask for a rehash, never throw at sign-in.
        _ = Argon2Parameters.Owasp.IsStrongerThan(input);
        if (!PhcString.TryParse(input, out var parts))
        {
            return false;
        }

        Expect(parts.MemoryKib > 0 && parts.Iterations > 0 && parts.Parallelism > 0, "parsed parameters are positive");
        var again = PhcString.Format(parts.MemoryKib, parts.Iterations, parts.Parallelism, parts.Salt, parts.Hash);
        Expect(PhcString.TryParse(again, out var reread)
               && reread.MemoryKib == parts.MemoryKib && reread.Iterations == parts.Iterations && reread.Parallelism == parts.Parallelism
               && reread.Salt.AsSpan().SequenceEqual(parts.Salt) && reread.Hash.AsSpan().SequenceEqual(parts.Hash),
               "a parsed PHC string formats back to one that parses to the same parts");
        return true;
    }

    /// <summary>WAL-3: IBAN validation of withdrawal destinations.</summary>
    public static bool Iban(string input)
    {
        var result = PayoutDestination.Iban(input, "destination.iban");
        if (!result.IsSuccess)
        {
            Refused(result.Error!, "destination.iban", ["INVALID_IBAN"]);
            return false;
        }

        var value = result.Value.Value;
        Expect(result.Value.Kind == PayoutKind.BankAccount, "an IBAN is a bank account");
        Expect(value.Length is >= 15 and <= 34 && value.All(c => char.IsAsciiDigit(c) || char.IsAsciiLetterUpper(c)),
               "an accepted IBAN is stored as 15 to 34 upper-case ASCII letters and digits");
        var again = PayoutDestination.Iban(value, "destination.iban");
        Expect(again.IsSuccess && again.Value.Value == value, "a stored IBAN validates to itself");
        return true;
    }

    /// <summary>API-4: page tokens and page requests.</summary>
    public static bool PageTokens(string input)
    {
        var result = PageToken.Decode(input);
        if (!result.IsSuccess)
        {
            Refused(result.Error!, "page_token", ["INVALID_PAGE_TOKEN"]);
        }
        else if (result.Value is { } token)
        {
            var again = PageToken.Decode(token.Encode());
            Expect(again.IsSuccess && again.Value == token, "an accepted token encodes to one that decodes to the same position");
        }
        else
        {
            Expect(input.Length == 0, "only an empty token means the first page");
        }

        var request = PageRequest.Parse(input.Length, input);
        Expect(request.IsSuccess == result.IsSuccess, "a page request fails exactly when its token does");
        return result.IsSuccess && input.Length > 0;
    }

    /// <summary>API-3: resource names are refused as INVALID_RESOURCE_NAME on their field.</summary>
    public static bool ResourceName(string input)
    {
        var organization = ResourceNames.ParseOrganization(input, "name");
        var accepted = organization.IsSuccess;
        if (organization.IsSuccess)
        {
            var again = ResourceNames.ParseOrganization(ResourceNames.Organization(organization.Value), "name");
            Expect(again.IsSuccess && again.Value == organization.Value, "a parsed organization name formats back to itself");
        }
        else
        {
            Refused(organization.Error!, "name", ["INVALID_RESOURCE_NAME"]);
        }

        foreach (var collection in new[] { "members", "invitations", "products" })
        {
            var child = ResourceNames.ParseChild(input, collection, "name");
            if (!child.IsSuccess)
            {
                Refused(child.Error!, "name", ["INVALID_RESOURCE_NAME"]);
                continue;
            }

            accepted = true;
            var (parent, id) = child.Value;
            var formatted = collection switch
            {
                "members" => ResourceNames.Member(parent, id),
                "invitations" => ResourceNames.Invitation(parent, id),
                _ => ResourceNames.Product(parent, id),
            };
            var again = ResourceNames.ParseChild(formatted, collection, "name");
            Expect(again.IsSuccess && again.Value == child.Value, "a parsed child name formats back to itself");
            var product = ResourceNames.ParseProductOf(parent, input, "product");
            Expect(collection != "products" || (product.IsSuccess && product.Value == id), "a product name parses under its own organization");
        }

        return accepted;
    }

    /// <summary>
    /// ORG-11: the contact-details validator. The input is one field a line: kind (a number), first name,
    /// last name, company name, street, postal code, city, country, VAT number; missing lines are null,
    /// as an unset field may reach the validator.
    /// </summary>
    public static bool Contact(string input)
    {
        var lines = input.Split('\n');
        string Line(int i) => i < lines.Length ? lines[i] : null!;
        var kind = int.TryParse(Line(0), out var k) ? (HolderKind)k : default;
        var details = new ContactDetails
        {
            Kind = kind,
            FirstName = Line(1),
            LastName = Line(2),
            CompanyName = Line(3),
            Street = Line(4),
            PostalCode = Line(5),
            City = Line(6),
            Country = Line(7),
            VatNumber = Line(8),
        };
        var result = details.Validated("contact");
        if (!result.IsSuccess)
        {
            var error = result.Error!;
            Expect(error.Kind == ErrorKind.InvalidArgument && error.Fields.Count > 0 && error.Reason == error.Fields[0].Reason,
                   "refused contact details are INVALID_ARGUMENT with the first violation's reason");
            Expect(error.Fields.All(f => f.Field.StartsWith("contact.", StringComparison.Ordinal) && ContactReasons.Contains(f.Reason)),
                   "every violation names a field under its prefix with a documented reason");
            return false;
        }

        var clean = result.Value;
        Expect(Enum.IsDefined(clean.Kind), "accepted details are a person or a company");
        foreach (var text in new[] { clean.FirstName, clean.LastName, clean.Street, clean.PostalCode, clean.City })
        {
            Expect(text.Length is > 0 and <= ContactDetails.MaxTextLength && !text.Any(char.IsControl) && text == text.Trim(),
                   "accepted text fields are trimmed, present, short and free of control characters");
        }

        var again = clean.Validated("contact");
        Expect(again.IsSuccess && again.Value == clean, "validating accepted details again changes nothing");
        return true;
    }

    // The PNG with every whole chunk's CRC recomputed; the signature and lengths are left as they are.
    private static byte[] WithCrcsRepaired(byte[] input)
    {
        var png = input.ToArray();
        var offset = 8;
        while (png.Length - offset >= 12)
        {
            var length = BinaryPrimitives.ReadUInt32BigEndian(png.AsSpan(offset, 4));
            if (length > (uint)(png.Length - offset - 12))
            {
                break;
            }

            var typeAndData = png.AsSpan(offset + 4, 4 + (int)length);
            BinaryPrimitives.WriteUInt32BigEndian(png.AsSpan(offset + 8 + (int)length, 4), Crc32.HashToUInt32(typeAndData));
            offset += 12 + (int)length;
        }

        return png;
    }

    // The text with its check digits (third and fourth characters) set as ISO 7064 mod 97-10 has
    // them, when it is ASCII letters, digits and spaces of IBAN length; otherwise the text as it is.
    private static string WithCheckDigitsRepaired(string text)
    {
        var compact = new string(text.Where(c => c != ' ').ToArray()).ToUpperInvariant();
        if (compact.Length is < 15 or > 34 || !compact.All(char.IsAsciiLetterOrDigit) || !char.IsAsciiLetter(compact[0]) || !char.IsAsciiLetter(compact[1]))
        {
            return text;
        }

        var digits = string.Concat((compact[4..] + compact[..2] + "00").Select(c => char.IsAsciiDigit(c) ? c - '0' : c - 'A' + 10));
        var check = 98 - (int)(BigInteger.Parse(digits, System.Globalization.CultureInfo.InvariantCulture) % 97);
        return compact[..2] + check.ToString("00", System.Globalization.CultureInfo.InvariantCulture) + compact[4..];
    }

    // The parser's documented refusal: INVALID_ARGUMENT, one of its reasons, on the field it was given.
    private static void Refused(DomainError error, string field, string[] reasons)
    {
        Expect(error.Kind == ErrorKind.InvalidArgument, $"a refusal is INVALID_ARGUMENT, not {error.Kind}");
        Expect(reasons.Contains(error.Reason), $"a refusal gives a documented reason, not {error.Reason}");
        Expect(error.Fields.Count == 1 && error.Fields[0].Field == field, "a refusal names the field it was given");
    }

    private static void Expect(bool condition, string guarantee)
    {
        if (!condition)
        {
            throw new FuzzFinding($"Broken: {guarantee}.");
        }
    }
}
