using System.Buffers.Binary;
using System.IO.Compression;
using System.IO.Hashing;
using System.Text;
using Hosting.Core.Organizations;
using Hosting.Tests.Support;

namespace Hosting.Tests.Core;

public sealed class OrganizationLogoTests
{
    /// <summary>A minimal well-formed PNG: IHDR, optional tRNS, one IDAT of blank scanlines, IEND.</summary>
    public static byte[] Png(int width = 270, int height = 70, byte colourType = 6, bool trns = false, int padTo = 0)
    {
        using var file = new MemoryStream();
        file.Write([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]);
        var header = new byte[13];
        BinaryPrimitives.WriteUInt32BigEndian(header, (uint)width);
        BinaryPrimitives.WriteUInt32BigEndian(header.AsSpan(4), (uint)height);
        header[8] = 8;
        header[9] = colourType;
        Chunk(file, "IHDR", header);
        if (colourType == 3)
        {
            Chunk(file, "PLTE", [0, 0, 0]);
        }

        if (trns)
        {
            Chunk(file, "tRNS", colourType == 3 ? [0] : [0, 0, 0, 0, 0, 0]);
        }

        using (var pixels = new MemoryStream())
        {
            using (var zlib = new ZLibStream(pixels, CompressionLevel.Fastest, leaveOpen: true))
            {
                zlib.Write(new byte[height * (1 + (width * 4))]);
            }

            Chunk(file, "IDAT", pixels.ToArray());
        }

        if (padTo > file.Length)
        {
            Chunk(file, "tEXt", new byte[padTo - file.Length]);
        }

        Chunk(file, "IEND", []);
        return file.ToArray();
    }

    private static void Chunk(Stream stream, string type, byte[] data)
    {
        var length = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(length, (uint)data.Length);
        stream.Write(length);
        var typed = Encoding.ASCII.GetBytes(type).Concat(data).ToArray();
        stream.Write(typed);
        var crc = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(crc, Crc32.HashToUInt32(typed));
        stream.Write(crc);
    }

    private static void Refused(byte[]? content, string reason)
    {
        var error = ResultAssert.Fails(OrganizationLogo.Validate(content), reason);
        Assert.Equal("content", Assert.Single(error.Fields).Field);
    }

    [Fact]
    [Trait("Rule", "ORG-10")]
    public void Validate_AcceptsA270x70PngWithAlpha() =>
        Assert.True(OrganizationLogo.Validate(Png()).IsSuccess);

    [Fact]
    [Trait("Rule", "ORG-10")]
    public void Validate_AcceptsAPaletteWithTrns() =>
        Assert.True(OrganizationLogo.Validate(Png(colourType: 3, trns: true)).IsSuccess);

    [Fact]
    [Trait("Rule", "ORG-10")]
    public void Validate_RefusesAPngWithoutTransparency() => Refused(Png(colourType: 2), "LOGO_NO_TRANSPARENCY");

    [Fact]
    [Trait("Rule", "ORG-10")]
    public void Validate_RefusesWrongSize_NamingIt()
    {
        var error = ResultAssert.Fails(OrganizationLogo.Validate(Png(width: 70, height: 270)), "LOGO_WRONG_SIZE");

        Assert.Contains("70 x 270", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    [Trait("Rule", "ORG-10")]
    public void Validate_RefusesOverOneMebibyte() => Refused(Png(padTo: OrganizationLogo.MaxBytes + 1), "LOGO_TOO_LARGE");

    [Fact]
    [Trait("Rule", "ORG-10")]
    public void Validate_RefusesAJpeg() => Refused([0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, 0x4A, 0x46, 0x49, 0x46, 0x00], "LOGO_NOT_PNG");

    [Fact]
    [Trait("Rule", "ORG-10")]
    public void Validate_RefusesACorruptedCrc()
    {
        var png = Png();
        png[20] ^= 0xFF;

        Refused(png, "LOGO_NOT_PNG");
    }

    [Fact]
    [Trait("Rule", "ORG-10")]
    public void Validate_RefusesATruncatedFile() => Refused(Png()[..40], "LOGO_NOT_PNG");

    [Fact]
    [Trait("Rule", "ORG-10")]
    public void Validate_RefusesNothing() => Refused([], "LOGO_REQUIRED");
}
