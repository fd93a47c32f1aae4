namespace Hosting.Core.Organizations;

/// <summary>An organization's validated logo (ORG-10), kept apart so loading an organization never loads it.</summary>
public sealed class StoredLogo
{
    private StoredLogo(Guid organizationId, byte[] content, DateTimeOffset updatedAt)
    {
        OrganizationId = organizationId;
        Content = content;
        UpdatedAt = updatedAt;
    }

    /// <summary>The organization.</summary>
    public Guid OrganizationId { get; private set; }

    /// <summary>The PNG bytes.</summary>
    public byte[] Content { get; private set; }

    /// <summary>When it was last set.</summary>
    public DateTimeOffset UpdatedAt { get; private set; }

    /// <summary>A logo for an organization.</summary>
    public static StoredLogo For(Guid organizationId, OrganizationLogo logo, DateTimeOffset now) => new(organizationId, logo.Content, now);

    /// <summary>Replaces the image.</summary>
    public void Replace(OrganizationLogo logo, DateTimeOffset now)
    {
        Content = logo.Content;
        UpdatedAt = now;
    }
}
