using System.Buffers.Binary;
using System.IO.Hashing;
using Hosting.Core.Shared;

namespace Hosting.Core.Organizations;

/// <summary>
/// A validated organization logo (ORG-10): a PNG of exactly 270 x 70 pixels with transparency,
/// at most 1 MiB, shown in place of the organization's name in the console header.
/// Obtain one through <see cref="Validate"/>; the bytes are never decoded, only the chunk structure is read.
/// </summary>
/// <param name="Content">The validated PNG bytes.</param>
public sealed record OrganizationLogo(byte[] Content)
{
    /// <summary>Largest file accepted, in bytes (1 MiB).</summary>
    public const int MaxBytes = 1024 * 1024;

    /// <summary>Required width in pixels.</summary>
    public const int Width = 270;

    /// <summary>Required height in pixels.</summary>
    public const int Height = 70;

    private const string Field = "content";

    // Length (4) + type (4) + CRC (4) around each chunk's data.
    private const int ChunkOverhead = 12;

    private const int IhdrLength = 13;

    private static ReadOnlySpan<byte> Signature => [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];

    /// <summary>
    /// Checks the bytes of an uploaded logo. Reasons, in the order checked: LOGO_REQUIRED, LOGO_TOO_LARGE,
    /// LOGO_NOT_PNG, LOGO_WRONG_SIZE, LOGO_NO_TRANSPARENCY; each is reported against the field "content".
    /// </summary>
    /// <param name="content">The uploaded file.</param>
    /// <returns>The logo, holding its own copy of the bytes, or the reason it is refused.</returns>
    public static Result<OrganizationLogo> Validate(byte[]? content)
    {
        if (content is null || content.Length == 0)
        {
            return DomainError.Invalid(Field, "LOGO_REQUIRED", "A logo image is required.");
        }

        if (content.Length > MaxBytes)
        {
            return DomainError.Invalid(Field, "LOGO_TOO_LARGE", $"The logo must be at most {MaxBytes} bytes (1 MiB); this one is {content.Length} bytes.");
        }

        var header = ReadHeader(content);
        if (header is not { } png)
        {
            return DomainError.Invalid(Field, "LOGO_NOT_PNG", "The logo must be a well-formed PNG image.");
        }

        if (png.Width != Width || png.Height != Height)
        {
            return DomainError.Invalid(Field, "LOGO_WRONG_SIZE", $"The logo must be {Width} x {Height} pixels; this one is {png.Width} x {png.Height}.");
        }

        if (png.ColourType is not (4 or 6) && !png.HasTrns)
        {
            return DomainError.Invalid(Field, "LOGO_NO_TRANSPARENCY", "The logo must have transparency (an alpha channel or a tRNS chunk).");
        }

        // A copy, so a caller reusing its buffer cannot change what was validated.
        return new OrganizationLogo(content.ToArray());
    }

    // Walks every chunk up to IEND, checking bounds and CRCs; null when the file is not a well-formed PNG.
    private static PngHeader? ReadHeader(ReadOnlySpan<byte> data)
    {
        if (!data.StartsWith(Signature))
        {
            return null;
        }

        var offset = Signature.Length;
        PngHeader? header = null;
        var paletteEntries = 0;
        bool hasTrns = false, seenIdat = false, lastWasIdat = false;
        while (data.Length - offset >= ChunkOverhead)
        {
            // Compared unsigned against what is left, so a huge declared length neither overflows nor is trusted.
            var declared = BinaryPrimitives.ReadUInt32BigEndian(data.Slice(offset, 4));
            if (declared > (uint)(data.Length - offset - ChunkOverhead))
            {
                return null;
            }

            var length = (int)declared;
            var typeAndData = data.Slice(offset + 4, 4 + length);
            var type = typeAndData[..4];
            var body = typeAndData[4..];
            var crc = BinaryPrimitives.ReadUInt32BigEndian(data.Slice(offset + 8 + length, 4));
            if (Crc32.HashToUInt32(typeAndData) != crc || !IsChunkType(type))
            {
                return null;
            }

            offset += ChunkOverhead + length;
            if (header is not { } ihdr)
            {
                header = type.SequenceEqual("IHDR"u8) ? ParseIhdr(body) : null;
                if (header is null)
                {
                    return null;
                }
            }
            else if (type.SequenceEqual("IHDR"u8))
            {
                return null;
            }
            else if (type.SequenceEqual("PLTE"u8))
            {
                // Greyscale images must not carry a palette, and an indexed image's palette holds no more
                // entries than its bit depth can index (PNG spec, 11.2.3).
                if (seenIdat || paletteEntries > 0 || ihdr.ColourType is 0 or 4 || length == 0 || length % 3 != 0
                    || length / 3 > (ihdr.ColourType == 3 ? 1 << ihdr.BitDepth : 256))
                {
                    return null;
                }

                paletteEntries = length / 3;
            }
            else if (type.SequenceEqual("tRNS"u8) && !seenIdat)
            {
                // Transparency only counts when it precedes the image data, as the PNG spec requires.
                if (!TrnsFits(ihdr.ColourType, length, paletteEntries))
                {
                    return null;
                }

                hasTrns = true;
            }
            else if (type.SequenceEqual("IDAT"u8))
            {
                // An indexed image cannot be drawn without its palette.
                if (ihdr.ColourType == 3 && paletteEntries == 0)
                {
                    return null;
                }

                // The image data is one run of consecutive IDAT chunks (PNG spec, 5.6).
                if (seenIdat && !lastWasIdat)
                {
                    return null;
                }

                seenIdat = true;
            }
            else if (type.SequenceEqual("IEND"u8))
            {
                // Bytes after IEND are not image; refusing them keeps what is stored and served exactly a PNG.
                return seenIdat && length == 0 && offset == data.Length ? ihdr with { HasTrns = hasTrns } : null;
            }

            lastWasIdat = type.SequenceEqual("IDAT"u8);
        }

        return null;
    }

    // IHDR fields per the PNG spec; a decoder would refuse any other combination.
    private static PngHeader? ParseIhdr(ReadOnlySpan<byte> body)
    {
        if (body.Length != IhdrLength)
        {
            return null;
        }

        var width = BinaryPrimitives.ReadUInt32BigEndian(body[..4]);
        var height = BinaryPrimitives.ReadUInt32BigEndian(body.Slice(4, 4));
        var bitDepth = body[8];
        var colourType = body[9];
        var depthFits = colourType switch
        {
            0 => bitDepth is 1 or 2 or 4 or 8 or 16,
            3 => bitDepth is 1 or 2 or 4 or 8,
            2 or 4 or 6 => bitDepth is 8 or 16,
            _ => false,
        };
        if (width is 0 or > int.MaxValue || height is 0 or > int.MaxValue || !depthFits
            || body[10] != 0 || body[11] != 0 || body[12] > 1)
        {
            return null;
        }

        return new PngHeader(width, height, bitDepth, colourType, HasTrns: false);
    }

    // tRNS holds one grey sample, one RGB triple, or at most one alpha per palette entry.
    private static bool TrnsFits(byte colourType, int length, int paletteEntries) => colourType switch
    {
        0 => length == 2,
        2 => length == 6,
        3 => length >= 1 && length <= paletteEntries,
        _ => true, // Ignored beside a real alpha channel, as decoders do.
    };

    // Chunk types are four ASCII letters.
    private static bool IsChunkType(ReadOnlySpan<byte> type)
    {
        foreach (var b in type)
        {
            if (!char.IsAsciiLetter((char)b))
            {
                return false;
            }
        }

        return true;
    }

    private readonly record struct PngHeader(uint Width, uint Height, byte BitDepth, byte ColourType, bool HasTrns);
}
