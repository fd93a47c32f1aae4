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
}
