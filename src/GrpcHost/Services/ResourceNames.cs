using Hosting.Core.Shared;

namespace Hosting.GrpcHost.Services;

/// <summary>Parses and formats AIP-style resource names; a malformed name is INVALID_ARGUMENT on its field.</summary>
/// <remarks>Public so that the parser fuzz harness (tests/Fuzz) can reach it.</remarks>
public static class ResourceNames
{
    public static string Organization(Guid id) => $"organizations/{id}";

    public static string Member(Guid organizationId, Guid accountId) => $"organizations/{organizationId}/members/{accountId}";

    public static string Invitation(Guid organizationId, Guid invitationId) => $"organizations/{organizationId}/invitations/{invitationId}";

    public static string Product(Guid organizationId, Guid productId) => $"organizations/{organizationId}/products/{productId}";

    /// <summary>`organizations/{id}`.</summary>
    public static Result<Guid> ParseOrganization(string? name, string field)
    {
        var parts = (name ?? string.Empty).Split('/');
        return parts.Length == 2 && parts[0] == "organizations" && Guid.TryParse(parts[1], out var id)
            ? id
            : Malformed(field, "organizations/{organization_id}");
    }

    /// <summary>`organizations/{id}/{collection}/{id}`.</summary>
    public static Result<(Guid Parent, Guid Child)> ParseChild(string? name, string collection, string field)
    {
        var parts = (name ?? string.Empty).Split('/');
        return parts.Length == 4 && parts[0] == "organizations" && parts[2] == collection
            && Guid.TryParse(parts[1], out var parent) && Guid.TryParse(parts[3], out var child)
            ? (parent, child)
            : Malformed(field, $"organizations/{{organization_id}}/{collection}/{{id}}");
    }

    /// <summary>A product id given as a resource name of the organization.</summary>
    public static Result<Guid> ParseProductOf(Guid organizationId, string? name, string field)
    {
        var parsed = ParseChild(name, "products", field);
        if (!parsed.IsSuccess)
        {
            return parsed.Error;
        }

        return parsed.Value.Parent == organizationId ? parsed.Value.Child : Malformed(field, $"organizations/{organizationId}/products/{{id}}");
    }

    private static DomainError Malformed(string field, string shape) =>
        DomainError.Invalid(field, "INVALID_RESOURCE_NAME", $"{field} must have the form {shape}.");
}
