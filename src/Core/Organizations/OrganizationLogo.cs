using System.Buffers.Binary;
using System.IO.Hashing;
using Hosting.Core.Shared;

namespace Hosting.Core.Organizations;

/// <summary>
/// A validated organization logo (ORG-10): a PNG of exactly 270 x 70 pixels with transparency,
/// at most 1 MiB. Validation reads the PNG chunk structure itself; it never decodes pixels.
/// </summary>
public sealed record OrganizationLogo(byte[] Content)
{
    /// <summary>Largest file accepted.</summary>
    public const int MaxBytes = 1024 * 1024;

    /// <summary>Required width in pixels.</summary>
    public const int Width = 270;

    /// <summary>Required height in pixels.</summary>
    public const int Height = 70;

    private const string Field = "content";

    private static ReadOnlySpan<byte> Signature => [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];

    /// <summary>Validates the bytes of an uploaded logo.</summary>
    public static Result<OrganizationLogo> Validate(byte[]? content)
    {
        if (content is null || content.Length == 0)
        {
            return DomainError.Invalid(Field, "LOGO_REQUIRED", "A logo image is required.");
        }

        if (content.Length > MaxBytes)
        {
            return DomainError.Invalid(Field, "LOGO_TOO_LARGE", "The logo must be at most 1 MiB.");
        }

        var header = ReadHeader(content);
        if (header is null)
        {
            return DomainError.Invalid(Field, "LOGO_NOT_PNG", "The logo must be a PNG image.");
        }

        var (width, height, colourType, hasTrns) = header.Value;
        if (width != Width || height != Height)
        {
            return DomainError.Invalid(Field, "LOGO_WRONG_SIZE", $"The logo must be {Width} x {Height} pixels; this one is {width} x {height}.");
        }

        var hasAlpha = colourType is 4 or 6 || hasTrns;
        if (!hasAlpha)
        {
            return DomainError.Invalid(Field, "LOGO_NO_TRANSPARENCY", "The logo must have transparency (an alpha channel or a tRNS chunk).");
        }

        return new OrganizationLogo(content);
    }

    // Walks every chunk, checking lengths and CRCs; null when the file is not a well-formed PNG.
    private static (long Width, long Height, byte ColourType, bool HasTrns)? ReadHeader(byte[] content)
    {
        ReadOnlySpan<byte> data = content;
        if (data.Length < Signature.Length || !data[..Signature.Length].SequenceEqual(Signature))
        {
            return null;
        }

        var offset = Signature.Length;
        var first = true;
        long width = 0, height = 0;
        byte colourType = 0;
        bool hasTrns = false, seenIdat = false;
        while (offset + 12 <= data.Length)
        {
            var length = BinaryPrimitives.ReadUInt32BigEndian(data.Slice(offset, 4));
            if (length > (uint)(data.Length - offset - 12))
            {
                return null;
            }

            var type = data.Slice(offset + 4, 4);
            var body = data.Slice(offset + 8, (int)length);
            var crc = BinaryPrimitives.ReadUInt32BigEndian(data.Slice(offset + 8 + (int)length, 4));
            if (Crc32.HashToUInt32(data.Slice(offset + 4, 4 + (int)length)) != crc)
            {
                return null;
            }

            var name = System.Text.Encoding.ASCII.GetString(type);
            if (first)
            {
                if (name != "IHDR" || length != 13)
                {
                    return null;
                }

                width = BinaryPrimitives.ReadUInt32BigEndian(body[..4]);
                height = BinaryPrimitives.ReadUInt32BigEndian(body.Slice(4, 4));
                colourType = body[9];
                if (width == 0 || height == 0 || colourType is not (0 or 2 or 3 or 4 or 6))
                {
                    return null;
                }

                first = false;
            }
            else if (name == "tRNS" && !seenIdat)
            {
                hasTrns = true;
            }
            else if (name == "IDAT")
            {
                seenIdat = true;
            }
            else if (name == "IEND")
            {
                return seenIdat ? (width, height, colourType, hasTrns) : null;
            }

            offset += 12 + (int)length;
        }

        return null;
    }
}
