namespace Hosting.Core.Shared;

/// <summary>
/// The ISO 4217 currency codes in circulation (funds, metals and testing codes left out: nobody
/// pays a hosting bill in gold). No package served to the build carries the list, so it is kept
/// here, as data; the provider trades in a configured subset (<see cref="CurrencyOptions"/>).
/// </summary>
public static class Iso4217
{
    private static readonly HashSet<string> Codes = new(
        """
        AED AFN ALL AMD AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB BOV BRL BSD BTN BWP BYN
        BZD CAD CDF CHE CHF CHW CLF CLP CNY COP COU CRC CUP CVE CZK DJF DKK DOP DZD EGP ERN ETB EUR FJD
        FKP GBP GEL GHS GIP GMD GNF GTQ GYD HKD HNL HTG HUF IDR ILS INR IQD IRR ISK JMD JOD JPY KES KGS
        KHR KMF KPW KRW KWD KYD KZT LAK LBP LKR LRD LSL LYD MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK
        MXN MXV MYR MZN NAD NGN NIO NOK NPR NZD OMR PAB PEN PGK PHP PKR PLN PYG QAR RON RSD RUB RWF SAR
        SBD SCR SDG SEK SGD SHP SLE SOS SRD SSP STN SVC SYP SZL THB TJS TMT TND TOP TRY TTD TWD TZS UAH
        UGX USD USN UYI UYU UYW UZS VED VES VND VUV WST XAF XCD XCG XOF XPF YER ZAR ZMW ZWG
        """.Split((char[])[' ', '\r', '\n'], StringSplitOptions.RemoveEmptyEntries),
        StringComparer.Ordinal);

    /// <summary>Whether <paramref name="code"/> (upper case) is a currency in circulation.</summary>
    public static bool IsCode(string code) => Codes.Contains(code);
}

/// <summary>
/// The ISO 3166-1 alpha-2 codes officially assigned (249): user-assigned codes such as <c>XX</c>
/// and reserved ones are refused (ORG-11).
/// </summary>
public static class Iso3166
{
    private static readonly HashSet<string> Codes = new(
        """
        AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS
        BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE
        EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM
        HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN KP KR KW KY KZ LA LB LC
        LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ NA
        NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW
        SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO
        TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW
        """.Split((char[])[' ', '\r', '\n'], StringSplitOptions.RemoveEmptyEntries),
        StringComparer.Ordinal);

    /// <summary>How many codes are assigned.</summary>
    public static int Count => Codes.Count;

    /// <summary>Whether <paramref name="code"/> (upper case) is an assigned country code.</summary>
    public static bool IsCode(string code) => Codes.Contains(code);
}

/// <summary>The currencies the provider trades in (BIL-10): CHF and EUR unless configured.</summary>
public sealed record CurrencyOptions
{
    /// <summary>The configuration section.</summary>
    public const string Section = "Currencies";

    /// <summary>ISO 4217 codes separated by commas, as configured.</summary>
    public string Traded { get; init; } = "CHF,EUR";

    /// <summary>The traded codes, upper case; throws at start when one is not in ISO 4217.</summary>
    public IReadOnlySet<string> Codes => _codes ??= Parse(Traded);

    private IReadOnlySet<string>? _codes;

    /// <summary>An amount in a traded currency, or INVALID_CURRENCY on <paramref name="field"/>.</summary>
    public Result<Money> Accept(long minor, string? currency, string field)
    {
        var money = Money.Of(minor, currency, field);
        return money.IsSuccess && Refusal(money.Value, field) is { } refused ? refused : money;
    }

    /// <summary>INVALID_CURRENCY on <paramref name="field"/> when <paramref name="amount"/> is not in a traded currency; else null.</summary>
    public DomainError? Refusal(Money amount, string field) =>
        Codes.Contains(amount.Currency) ? null : DomainError.Invalid(field, "INVALID_CURRENCY", $"The provider trades in {string.Join(" and ", Codes.Order())} only.");

    private static HashSet<string> Parse(string traded)
    {
        var codes = traded.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(c => c.ToUpperInvariant()).ToHashSet(StringComparer.Ordinal);
        var unknown = codes.Where(c => !Iso4217.IsCode(c)).ToList();
        if (codes.Count == 0 || unknown.Count > 0)
        {
            throw new InvalidOperationException($"{Section}:Traded must list ISO 4217 codes separated by commas; not a currency: {string.Join(", ", unknown)}.");
        }

        return codes;
    }
}
