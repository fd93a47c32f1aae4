using System.Buffers.Binary;
using System.IO.Compression;
using System.IO.Hashing;
using System.Text;
using Hosting.Core.Organizations;
using Hosting.Core.Shared;
using Hosting.Tests.Support;

namespace Hosting.Tests.Core;

public sealed class OrganizationLogoTests
{
    /// <summary>
    /// A minimal well-formed 8-bit PNG: IHDR, PLTE for indexed colour, optional tRNS, one IDAT of blank
    /// scanlines, optional padding chunk, IEND. <paramref name="padTo"/> pads the whole file to exactly that size.
    /// Also used by the gRPC tests.
    /// </summary>
    public static byte[] Png(int width = 270, int height = 70, byte colourType = 6, bool trns = false, int padTo = 0)
    {
        var header = new byte[13];
        BinaryPrimitives.WriteUInt32BigEndian(header, (uint)width);
        BinaryPrimitives.WriteUInt32BigEndian(header.AsSpan(4), (uint)height);
        header[8] = 8;
        header[9] = colourType;
        var chunks = new List<(string, byte[])> { ("IHDR", header) };
        if (colourType == 3)
        {
            chunks.Add(("PLTE", [0, 0, 0, 255, 255, 255]));
        }

        if (trns)
        {
            chunks.Add(("tRNS", Trns(colourType)));
        }

        chunks.Add(("IDAT", BlankScanlines(width, height, colourType)));
        var size = Assemble([.. chunks, ("IEND", [])]).Length;
        if (padTo > 0)
        {
            // A valid tEXt chunk whose filler makes the total exactly padTo bytes.
            var keyword = "Comment\0"u8.ToArray();
            chunks.Add(("tEXt", [.. keyword, .. Enumerable.Repeat((byte)'x', padTo - size - 12 - keyword.Length)]));
        }

        chunks.Add(("IEND", []));
        return Assemble([.. chunks]);
    }

    /// <summary>The PNG signature followed by each chunk, with its length and CRC.</summary>
    private static byte[] Assemble(params (string Type, byte[] Data)[] chunks)
    {
        using var file = new MemoryStream();
        file.Write([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]);
        foreach (var (type, data) in chunks)
        {
            var length = new byte[4];
            BinaryPrimitives.WriteUInt32BigEndian(length, (uint)data.Length);
            file.Write(length);
            byte[] typed = [.. Encoding.ASCII.GetBytes(type), .. data];
            file.Write(typed);
            var crc = new byte[4];
            BinaryPrimitives.WriteUInt32BigEndian(crc, Crc32.HashToUInt32(typed));
            file.Write(crc);
        }

        return file.ToArray();
    }

    private static byte[] Trns(byte colourType) => colourType switch
    {
        0 => [0, 0],
        2 => [0, 0, 0, 0, 0, 0],
        _ => [0],
    };

    // Filter byte 0 plus zeroed pixels per row, zlib-compressed; never decoded by the validator.
    private static byte[] BlankScanlines(int width, int height, byte colourType)
    {
        var bytesPerPixel = colourType switch { 2 => 3, 4 => 2, 6 => 4, _ => 1 };
        using var pixels = new MemoryStream();
        using (var zlib = new ZLibStream(pixels, CompressionLevel.Fastest, leaveOpen: true))
        {
            zlib.Write(new byte[height * (1 + (width * bytesPerPixel))]);
        }

        return pixels.ToArray();
    }

    // Offset of the named chunk's length field, walking a well-formed file.
    private static int ChunkStart(byte[] png, string type)
    {
        var offset = 8;
        while (Encoding.ASCII.GetString(png, offset + 4, 4) != type)
        {
            offset += 12 + (int)BinaryPrimitives.ReadUInt32BigEndian(png.AsSpan(offset));
        }

        return offset;
    }

    private static FieldViolation Refused(byte[]? content, string reason)
    {
        var error = ResultAssert.Fails(OrganizationLogo.Validate(content), reason);
        var violation = Assert.Single(error.Fields);
        Assert.Equal("content", violation.Field);
        Assert.Equal(reason, violation.Reason);
        return violation;
    }

    [Theory]
    [Trait("Rule", "ORG-10")]
    [InlineData(6)]
    [InlineData(4)]
    public void Validate_AcceptsA270x70PngWithAlpha(byte colourType)
    {
        var png = Png(colourType: colourType);

        var logo = OrganizationLogo.Validate(png);

        Assert.True(logo.IsSuccess);
        Assert.Equal(png, logo.Value.Content);
    }

    [Fact]
    [Trait("Rule", "ORG-10")]
    public void Validate_AcceptsAPaletteWithTrns() =>
        Assert.True(OrganizationLogo.Validate(Png(colourType: 3, trns: true)).IsSuccess);

    [Theory]
    [Trait("Rule", "ORG-10")]
    [InlineData(0)]
    [InlineData(2)]
    public void Validate_AcceptsGreyOrTruecolourWithTrns(byte colourType) =>
        Assert.True(OrganizationLogo.Validate(Png(colourType: colourType, trns: true)).IsSuccess);

    [Fact]
    [Trait("Rule", "ORG-10")]
    public void Validate_KeepsItsOwnCopyOfTheBytes()
    {
        var png = Png();
        var logo = OrganizationLogo.Validate(png).Value;

        png[20] ^= 0xFF;

        Assert.NotEqual(png, logo.Content);
    }

    [Theory]
    [Trait("Rule", "ORG-10")]
    [InlineData(0)]
    [InlineData(2)]
    [InlineData(3)]
    public void Validate_RefusesAPngWithoutTransparency(byte colourType) =>
        Refused(Png(colourType: colourType), "LOGO_NO_TRANSPARENCY");

    [Fact]
    [Trait("Rule", "ORG-10")]
    public void Validate_IgnoresATrnsAfterTheImageData()
    {
        var header = Png(colourType: 2).AsSpan(16, 13).ToArray();
        var png = Assemble(("IHDR", header), ("IDAT", BlankScanlines(270, 70, 2)), ("tRNS", Trns(2)), ("IEND", []));

        Refused(png, "LOGO_NO_TRANSPARENCY");
    }

    [Theory]
    [Trait("Rule", "ORG-10")]
    [InlineData(70, 270)]
    [InlineData(271, 70)]
    [InlineData(540, 140)]
    public void Validate_RefusesWrongSize_NamingIt(int width, int height)
    {
        var violation = Refused(Png(width, height), "LOGO_WRONG_SIZE");

        Assert.Contains($"{width} x {height}", violation.Description, StringComparison.Ordinal);
    }

    [Fact]
    [Trait("Rule", "ORG-10")]
    public void Validate_ChecksTheSizeBeforeTheTransparency() =>
        Refused(Png(width: 100, height: 100, colourType: 2), "LOGO_WRONG_SIZE");

    [Fact]
    [Trait("Rule", "ORG-10")]
    public void Validate_RefusesOverOneMebibyte() =>
        Refused(Png(padTo: OrganizationLogo.MaxBytes + 1), "LOGO_TOO_LARGE");

    [Fact]
    [Trait("Rule", "ORG-10")]
    public void Validate_AcceptsExactlyOneMebibyte()
    {
        var png = Png(padTo: OrganizationLogo.MaxBytes);

        Assert.Equal(OrganizationLogo.MaxBytes, png.Length);
        Assert.True(OrganizationLogo.Validate(png).IsSuccess);
    }

    [Theory]
    [Trait("Rule", "ORG-10")]
    [InlineData(null)]
    [InlineData(new byte[0])]
    public void Validate_RefusesNoContent(byte[]? content) => Refused(content, "LOGO_REQUIRED");

    [Fact]
    [Trait("Rule", "ORG-10")]
    public void Validate_RefusesAJpeg() =>
        Refused([0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, 0x4A, 0x46, 0x49, 0x46, 0x00], "LOGO_NOT_PNG");

    [Theory]
    [Trait("Rule", "ORG-10")]
    [InlineData("IHDR")]
    [InlineData("IDAT")]
    [InlineData("IEND")]
    public void Validate_RefusesACorruptedCrc(string chunk)
    {
        var png = Png();
        var start = ChunkStart(png, chunk);
        var crcAt = start + 8 + (int)BinaryPrimitives.ReadUInt32BigEndian(png.AsSpan(start));
        png[crcAt] ^= 0x01;

        Refused(png, "LOGO_NOT_PNG");
    }

    [Fact]
    [Trait("Rule", "ORG-10")]
    public void Validate_RefusesCorruptedChunkData()
    {
        var png = Png();
        png[ChunkStart(png, "IDAT") + 10] ^= 0x01;

        Refused(png, "LOGO_NOT_PNG");
    }

    [Theory]
    [Trait("Rule", "ORG-10")]
    [InlineData(4)]
    [InlineData(20)]
    [InlineData(40)]
    [InlineData(-1)]
    [InlineData(-12)]
    public void Validate_RefusesATruncatedFile(int keep)
    {
        var png = Png();

        Refused(png[..(keep > 0 ? keep : png.Length + keep)], "LOGO_NOT_PNG");
    }

    [Theory]
    [Trait("Rule", "ORG-10")]
    [InlineData(0xFFFFFFFFu)]
    [InlineData(0x7FFFFFFFu)]
    [InlineData(0x80000000u)]
    public void Validate_RefusesAHugeDeclaredChunkLength(uint length)
    {
        var png = Png();
        BinaryPrimitives.WriteUInt32BigEndian(png.AsSpan(ChunkStart(png, "IDAT")), length);

        Refused(png, "LOGO_NOT_PNG");
    }

    [Fact]
    [Trait("Rule", "ORG-10")]
    public void Validate_RefusesWhenTheFirstChunkIsNotIhdr()
    {
        var header = Png().AsSpan(16, 13).ToArray();
        var png = Assemble(("tEXt", "Comment\0x"u8.ToArray()), ("IHDR", header), ("IDAT", BlankScanlines(270, 70, 6)), ("IEND", []));

        Refused(png, "LOGO_NOT_PNG");
    }

    [Fact]
    [Trait("Rule", "ORG-10")]
    public void Validate_RefusesAFileWithoutIend()
    {
        var header = Png().AsSpan(16, 13).ToArray();

        Refused(Assemble(("IHDR", header), ("IDAT", BlankScanlines(270, 70, 6))), "LOGO_NOT_PNG");
    }

    [Fact]
    [Trait("Rule", "ORG-10")]
    public void Validate_RefusesBytesAfterIend() => Refused([.. Png(), 0], "LOGO_NOT_PNG");

    [Fact]
    [Trait("Rule", "ORG-10")]
    public void Validate_RefusesAPaletteImageWithoutPalette()
    {
        var header = Png(colourType: 3).AsSpan(16, 13).ToArray();
        var png = Assemble(("IHDR", header), ("IDAT", BlankScanlines(270, 70, 3)), ("IEND", []));

        Refused(png, "LOGO_NOT_PNG");
    }

    [Theory]
    [Trait("Rule", "ORG-10")]
    [InlineData(270u, 16, 3, 0, 0, 0)]         // 16-bit palette does not exist
    [InlineData(270u, 8, 5, 0, 0, 0)]          // colour type 5 does not exist
    [InlineData(270u, 8, 6, 1, 0, 0)]          // unknown compression method
    [InlineData(270u, 8, 6, 0, 1, 0)]          // unknown filter method
    [InlineData(270u, 8, 6, 0, 0, 2)]          // unknown interlace method
    [InlineData(0x80000000u, 8, 6, 0, 0, 0)]   // width beyond 2^31 - 1
    [InlineData(0u, 8, 6, 0, 0, 0)]            // zero width
    public void Validate_RefusesAnInvalidHeader(uint width, byte bitDepth, byte colourType, byte compression, byte filter, byte interlace)
    {
        var header = new byte[13];
        BinaryPrimitives.WriteUInt32BigEndian(header, width);
        BinaryPrimitives.WriteUInt32BigEndian(header.AsSpan(4), 70);
        header[8] = bitDepth;
        header[9] = colourType;
        header[10] = compression;
        header[11] = filter;
        header[12] = interlace;
        var png = Assemble(("IHDR", header), ("PLTE", [0, 0, 0]), ("IDAT", BlankScanlines(270, 70, 6)), ("IEND", []));

        Refused(png, "LOGO_NOT_PNG");
    }

    private static readonly byte[] Idat = BlankScanlines(270, 70, 6);

    // An IHDR body; the defaults are the accepted 270 x 70 8-bit RGBA.
    private static byte[] Ihdr(uint width = 270, uint height = 70, byte bitDepth = 8, byte colourType = 6, byte interlace = 0)
    {
        var header = new byte[13];
        BinaryPrimitives.WriteUInt32BigEndian(header, width);
        BinaryPrimitives.WriteUInt32BigEndian(header.AsSpan(4), height);
        header[8] = bitDepth;
        header[9] = colourType;
        header[12] = interlace;
        return header;
    }

    private static byte[] Palette(int entries) => new byte[entries * 3];

    // IHDR, the given chunks, IEND.
    private static byte[] PngOf(byte[] ihdr, params (string Type, byte[] Data)[] middle) => Assemble([("IHDR", ihdr), .. middle, ("IEND", [])]);

    // A file of this depth and colour type that is otherwise acceptable: a palette for indexed colour, tRNS where there is no alpha.
    private static byte[] Image(byte colourType, byte bitDepth)
    {
        var chunks = new List<(string, byte[])>();
        if (colourType == 3)
        {
            chunks.Add(("PLTE", Palette(2)));
        }

        if (colourType is 0 or 2 or 3)
        {
            chunks.Add(("tRNS", Trns(colourType)));
        }

        chunks.Add(("IDAT", Idat));
        return PngOf(Ihdr(bitDepth: bitDepth, colourType: colourType), [.. chunks]);
    }

    private static void Accepted(byte[] png)
    {
        var logo = OrganizationLogo.Validate(png);
        Assert.True(logo.IsSuccess, logo.IsSuccess ? null : logo.Error.Reason);
    }

    [Theory]
    [Trait("Rule", "ORG-10")]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(7)]
    public void Validate_RefusesABrokenSignature(int at)
    {
        var png = Png();
        png[at] ^= 0x20;

        Refused(png, "LOGO_NOT_PNG");
    }

    [Fact]
    [Trait("Rule", "ORG-10")]
    public void Validate_RefusesALastChunkDeclaringOneByteMoreThanTheFileHolds()
    {
        var png = Png();
        BinaryPrimitives.WriteUInt32BigEndian(png.AsSpan(ChunkStart(png, "IEND")), 1);

        Refused(png, "LOGO_NOT_PNG");
    }

    [Theory]
    [Trait("Rule", "ORG-10")]
    [InlineData("tEX1")]
    [InlineData("tE t")]
    [InlineData("t@Xt")]
    [InlineData("t[Xt")]
    [InlineData("t`Xt")]
    [InlineData("t{Xt")]
    public void Validate_RefusesAChunkTypeThatIsNotFourLetters(string type) =>
        Refused(PngOf(Ihdr(), (type, [1]), ("IDAT", Idat)), "LOGO_NOT_PNG");

    [Theory]
    [Trait("Rule", "ORG-10")]
    [InlineData("tEXt")]
    [InlineData("AZaz")]
    public void Validate_AcceptsAnUnknownChunkOfLetters(string type) =>
        Accepted(PngOf(Ihdr(), (type, [1]), ("IDAT", Idat)));

    [Fact]
    [Trait("Rule", "ORG-10")]
    public void Validate_RefusesASecondIhdr() =>
        Refused(PngOf(Ihdr(), ("IHDR", Ihdr()), ("IDAT", Idat)), "LOGO_NOT_PNG");

    [Theory]
    [Trait("Rule", "ORG-10")]
    [InlineData(12)]
    [InlineData(14)]
    public void Validate_RefusesAnIhdrOfTheWrongLength(int length)
    {
        var header = Ihdr();
        Array.Resize(ref header, length);

        Refused(PngOf(header, ("IDAT", Idat)), "LOGO_NOT_PNG");
    }

    [Theory]
    [Trait("Rule", "ORG-10")]
    [InlineData(0, 1)]
    [InlineData(0, 2)]
    [InlineData(0, 4)]
    [InlineData(0, 8)]
    [InlineData(0, 16)]
    [InlineData(3, 1)]
    [InlineData(3, 2)]
    [InlineData(3, 4)]
    [InlineData(3, 8)]
    [InlineData(2, 8)]
    [InlineData(2, 16)]
    [InlineData(4, 8)]
    [InlineData(4, 16)]
    [InlineData(6, 8)]
    [InlineData(6, 16)]
    public void Validate_AcceptsEveryBitDepthItsColourTypeAllows(byte colourType, byte bitDepth) =>
        Accepted(Image(colourType, bitDepth));

    [Theory]
    [Trait("Rule", "ORG-10")]
    [InlineData(0, 0)]
    [InlineData(0, 3)]
    [InlineData(0, 32)]
    [InlineData(3, 0)]
    [InlineData(3, 3)]
    [InlineData(3, 16)]
    [InlineData(2, 1)]
    [InlineData(2, 2)]
    [InlineData(2, 4)]
    [InlineData(2, 32)]
    [InlineData(4, 1)]
    [InlineData(4, 2)]
    [InlineData(4, 4)]
    [InlineData(4, 32)]
    [InlineData(6, 1)]
    [InlineData(6, 2)]
    [InlineData(6, 4)]
    [InlineData(6, 32)]
    [InlineData(1, 8)]
    [InlineData(5, 8)]
    [InlineData(7, 8)]
    [InlineData(8, 8)]
    [InlineData(255, 8)]
    public void Validate_RefusesABitDepthOrColourTypeThePngSpecDoesNotDefine(byte colourType, byte bitDepth) =>
        Refused(Image(colourType, bitDepth), "LOGO_NOT_PNG");

    [Fact]
    [Trait("Rule", "ORG-10")]
    public void Validate_AcceptsAnInterlacedImage() =>
        Accepted(PngOf(Ihdr(interlace: 1), ("IDAT", Idat)));

    [Theory]
    [Trait("Rule", "ORG-10")]
    [InlineData(270u, 0u)]
    [InlineData(270u, 0x80000000u)]
    [InlineData(270u, 0xFFFFFFFFu)]
    [InlineData(0xFFFFFFFFu, 70u)]
    public void Validate_RefusesADimensionOfZeroOrBeyondTheLargestPngAllows(uint width, uint height) =>
        Refused(PngOf(Ihdr(width, height), ("IDAT", Idat)), "LOGO_NOT_PNG");

    [Theory]
    [Trait("Rule", "ORG-10")]
    [InlineData(0x7FFFFFFFu, 70u)]
    [InlineData(270u, 0x7FFFFFFFu)]
    [InlineData(1u, 70u)]
    [InlineData(270u, 1u)]
    [InlineData(269u, 70u)]
    [InlineData(270u, 69u)]
    [InlineData(270u, 71u)]
    public void Validate_ReadsAnyDimensionUpToTheLargest_ButWantsExactly270x70(uint width, uint height)
    {
        var violation = Refused(PngOf(Ihdr(width, height), ("IDAT", Idat)), "LOGO_WRONG_SIZE");

        Assert.Equal($"The logo must be 270 x 70 pixels; this one is {width} x {height}.", violation.Description);
    }

    [Fact]
    [Trait("Rule", "ORG-10")]
    public void Validate_SaysHowLargeATooLargeFileIs()
    {
        var violation = Refused(Png(padTo: OrganizationLogo.MaxBytes + 1), "LOGO_TOO_LARGE");

        Assert.Equal("The logo must be at most 1048576 bytes (1 MiB); this one is 1048577 bytes.", violation.Description);
    }

    [Fact]
    [Trait("Rule", "ORG-10")]
    public void Validate_DescribesEachRefusal()
    {
        Assert.Equal("A logo image is required.", Refused(null, "LOGO_REQUIRED").Description);
        Assert.Equal("The logo must be a well-formed PNG image.", Refused([1], "LOGO_NOT_PNG").Description);
        Assert.Equal("The logo must have transparency (an alpha channel or a tRNS chunk).", Refused(Png(colourType: 2), "LOGO_NO_TRANSPARENCY").Description);
    }

    [Theory]
    [Trait("Rule", "ORG-10")]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(255)]
    [InlineData(256)]
    public void Validate_AcceptsAPaletteOfOneTo256Entries(int entries) =>
        Accepted(PngOf(Ihdr(colourType: 3), ("PLTE", Palette(entries)), ("tRNS", [0]), ("IDAT", Idat)));

    [Theory]
    [Trait("Rule", "ORG-10")]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(4)]
    [InlineData(5)]
    [InlineData(767)]
    [InlineData(769)]
    [InlineData(771)]
    [InlineData(774)]
    public void Validate_RefusesAPaletteOfNoEntries_PartOfAnEntry_OrMoreThan256(int length) =>
        Refused(PngOf(Ihdr(colourType: 3), ("PLTE", new byte[length]), ("tRNS", [0]), ("IDAT", Idat)), "LOGO_NOT_PNG");

    [Theory]
    [Trait("Rule", "ORG-10")]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(4)]
    public void Validate_AcceptsAsManyPaletteEntriesAsTheBitDepthIndexes_AndRefusesOneMore(byte bitDepth)
    {
        Accepted(PngOf(Ihdr(bitDepth: bitDepth, colourType: 3), ("PLTE", Palette(1 << bitDepth)), ("tRNS", [0]), ("IDAT", Idat)));
        Refused(PngOf(Ihdr(bitDepth: bitDepth, colourType: 3), ("PLTE", Palette((1 << bitDepth) + 1)), ("tRNS", [0]), ("IDAT", Idat)), "LOGO_NOT_PNG");
    }

    [Theory]
    [Trait("Rule", "ORG-10")]
    [InlineData(2)]
    [InlineData(6)]
    public void Validate_RefusesAnEmptyPalette_WhereAPaletteIsOptional(byte colourType) =>
        Refused(PngOf(Ihdr(colourType: colourType), ("PLTE", []), ("tRNS", Trns(colourType)), ("IDAT", Idat)), "LOGO_NOT_PNG");

    [Fact]
    [Trait("Rule", "ORG-10")]
    public void Validate_RefusesAnEmptyPaletteFollowedByARealOne() =>
        Refused(PngOf(Ihdr(colourType: 3), ("PLTE", []), ("PLTE", Palette(2)), ("tRNS", [0]), ("IDAT", Idat)), "LOGO_NOT_PNG");

    [Fact]
    [Trait("Rule", "ORG-10")]
    public void Validate_RefusesASecondPalette() =>
        Refused(PngOf(Ihdr(colourType: 3), ("PLTE", Palette(2)), ("PLTE", Palette(2)), ("tRNS", [0]), ("IDAT", Idat)), "LOGO_NOT_PNG");

    [Fact]
    [Trait("Rule", "ORG-10")]
    public void Validate_RefusesAPaletteAfterTheImageData() =>
        Refused(PngOf(Ihdr(colourType: 6), ("IDAT", Idat), ("PLTE", Palette(2))), "LOGO_NOT_PNG");

    [Theory]
    [Trait("Rule", "ORG-10")]
    [InlineData(2)]
    [InlineData(6)]
    public void Validate_AcceptsASuggestedPaletteBeforeTheImageDataOfTruecolour(byte colourType) =>
        Accepted(PngOf(Ihdr(colourType: colourType), ("PLTE", Palette(2)), ("tRNS", Trns(colourType == 2 ? (byte)2 : (byte)6)), ("IDAT", Idat)));

    [Theory]
    [Trait("Rule", "ORG-10")]
    [InlineData(0)]
    [InlineData(4)]
    public void Validate_RefusesAPaletteInAGreyscaleImage(byte colourType) =>
        Refused(PngOf(Ihdr(colourType: colourType), ("PLTE", Palette(2)), ("tRNS", Trns(0)), ("IDAT", Idat)), "LOGO_NOT_PNG");

    [Theory]
    [Trait("Rule", "ORG-10")]
    [InlineData(0, 1)]
    [InlineData(0, 3)]
    [InlineData(2, 5)]
    [InlineData(2, 7)]
    [InlineData(3, 0)]
    [InlineData(3, 3)]
    public void Validate_RefusesATrnsOfTheWrongLength(byte colourType, int length)
    {
        // Two palette entries for indexed colour, so three alphas is one too many.
        (string, byte[])[] palette = colourType == 3 ? [("PLTE", Palette(2))] : [];

        Refused(PngOf(Ihdr(colourType: colourType), [.. palette, ("tRNS", new byte[length]), ("IDAT", Idat)]), "LOGO_NOT_PNG");
    }

    [Theory]
    [Trait("Rule", "ORG-10")]
    [InlineData(1)]
    [InlineData(2)]
    public void Validate_AcceptsATrnsOfOneAlphaUpToOnePerPaletteEntry(int length) =>
        Accepted(PngOf(Ihdr(colourType: 3), ("PLTE", Palette(2)), ("tRNS", new byte[length]), ("IDAT", Idat)));

    [Fact]
    [Trait("Rule", "ORG-10")]
    public void Validate_RefusesATrnsBeforeThePalette() =>
        Refused(PngOf(Ihdr(colourType: 3), ("tRNS", [0]), ("PLTE", Palette(2)), ("IDAT", Idat)), "LOGO_NOT_PNG");

    [Theory]
    [Trait("Rule", "ORG-10")]
    [InlineData(4, 0)]
    [InlineData(6, 0)]
    [InlineData(6, 5)]
    public void Validate_IgnoresTheTrnsLengthBesideAnAlphaChannel(byte colourType, int length) =>
        Accepted(PngOf(Ihdr(colourType: colourType), ("tRNS", new byte[length]), ("IDAT", Idat)));

    [Fact]
    [Trait("Rule", "ORG-10")]
    public void Validate_AcceptsConsecutiveImageDataChunks() =>
        Accepted(PngOf(Ihdr(), ("IDAT", Idat[..10]), ("IDAT", Idat[10..]), ("tEXt", "Comment\0x"u8.ToArray())));

    [Fact]
    [Trait("Rule", "ORG-10")]
    public void Validate_RefusesImageDataChunksSeparatedByAnotherChunk() =>
        Refused(PngOf(Ihdr(), ("IDAT", Idat[..10]), ("tEXt", "Comment\0x"u8.ToArray()), ("IDAT", Idat[10..])), "LOGO_NOT_PNG");

    [Fact]
    [Trait("Rule", "ORG-10")]
    public void Validate_RefusesAFileWithoutImageData() =>
        Refused(PngOf(Ihdr()), "LOGO_NOT_PNG");

    [Fact]
    [Trait("Rule", "ORG-10")]
    public void Validate_RefusesAnIendBeforeTheImageData() =>
        Refused(Assemble(("IHDR", Ihdr()), ("IEND", []), ("IDAT", Idat), ("IEND", [])), "LOGO_NOT_PNG");

    [Fact]
    [Trait("Rule", "ORG-10")]
    public void Validate_RefusesAnIendWithData() =>
        Refused(Assemble(("IHDR", Ihdr()), ("IDAT", Idat), ("IEND", [0])), "LOGO_NOT_PNG");

    [Fact]
    [Trait("Rule", "ORG-10")]
    public void Validate_RefusesAWholeChunkAfterIend() =>
        Refused([.. Png(), .. Assemble(("tEXt", "Comment\0x"u8.ToArray()))[8..]], "LOGO_NOT_PNG");
}
