using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Hosting.Core.Organizations;
using Hosting.Core.Shared;
using Hosting.GrpcHost.Callers;
using Hosting.GrpcHost.Errors;
using Hosting.GrpcHost.Limits;
using Hosting.Organizations.V1;
using CoreContact = Hosting.Core.Organizations.ContactDetails;
using CoreProduct = Hosting.Core.Organizations.Product;
using ProtoContact = Hosting.Organizations.V1.ContactDetails;
using MemberRights = Hosting.Organizations.V1.MemberRights;
using Organization = Hosting.Organizations.V1.Organization;

namespace Hosting.GrpcHost.Services;

/// <summary>The Organizations gRPC service: maps requests to <see cref="OrganizationService"/> and back.</summary>
internal sealed partial class OrganizationsGrpcService(OrganizationService organizations, TimeProvider clock) : OrganizationsService.OrganizationsServiceBase
{
    private static readonly string[] ContactPaths =
        ["kind", "first_name", "last_name", "company_name", "street", "postal_code", "city", "country", "vat_number"];

    [AnonymousCaller]
    // Creates an account as sign-up does, so it shares sign-up's budget per address.
    [RateLimited(RateLimitedAttribute.SignIn)]
    public override async Task<OrderFirstProductResponse> OrderFirstProduct(OrderFirstProductRequest request, ServerCallContext context)
    {
        var order = (await organizations.OrderFirstProductAsync(
            ToCore(request.ContactDetails), request.Login, request.Password, (Core.Organizations.ProductType)(int)request.ProductType,
            request.ProductDisplayName, context.SignInContext(), context.CancellationToken)).OrThrow();
        return new OrderFirstProductResponse
        {
            Account = $"accounts/{order.Account.Id}",
            Organization = ToProto(new OrganizationView(order.Organization, order.Organization.Memberships[0], true), order.Account.Login),
            Product = ToProto(order.Product),
        };
    }

    [UserCaller]
    public override async Task<CreateOrganizationResponse> CreateOrganization(CreateOrganizationRequest request, ServerCallContext context)
    {
        var view = (await organizations.CreateAsync(context.User(), ToCore(request.ContactDetails), context.CancellationToken)).OrThrow();
        return new CreateOrganizationResponse { Organization = ToProto(view, context.User().Login) };
    }

    [UserCaller]
    public override async Task<GetOrganizationResponse> GetOrganization(GetOrganizationRequest request, ServerCallContext context)
    {
        var id = ResourceNames.ParseOrganization(request.Name, "name").OrThrow();
        var view = (await organizations.GetAsync(context.User(), id, context.CancellationToken)).OrThrow();
        return new GetOrganizationResponse { Organization = ToProto(view, context.User().Login) };
    }

    [UserCaller]
    public override async Task<ListOrganizationsResponse> ListOrganizations(ListOrganizationsRequest request, ServerCallContext context)
    {
        var page = (await organizations.ListMineAsync(context.User(), request.PageSize, request.PageToken, context.CancellationToken)).OrThrow();
        var response = new ListOrganizationsResponse { NextPageToken = page.NextPageToken };
        response.Organizations.AddRange(page.Items.Select(v => ToProto(v, context.User().Login)));
        return response;
    }

    [UserCaller]
    public override async Task<SwitchOrganizationResponse> SwitchOrganization(SwitchOrganizationRequest request, ServerCallContext context)
    {
        var id = ResourceNames.ParseOrganization(request.Name, "name").OrThrow();
        var view = (await organizations.SwitchAsync(context.User(), id, context.SignInContext(), context.CancellationToken)).OrThrow();
        return new SwitchOrganizationResponse { Organization = ToProto(view, context.User().Login) };
    }

    [UserCaller]
    public override async Task<UpdateOrganizationResponse> UpdateOrganization(UpdateOrganizationRequest request, ServerCallContext context)
    {
        var organization = request.Organization ?? new Organization();
        var id = ResourceNames.ParseOrganization(organization.Name, "organization.name").OrThrow();
        var paths = MaskPaths(request.UpdateMask);
        var fields = new HashSet<string>(StringComparer.Ordinal);
        foreach (var path in paths)
        {
            if (path == "contact_details")
            {
                fields.UnionWith(ContactPaths);
            }
            else if (path.StartsWith("contact_details.", StringComparison.Ordinal) && ContactPaths.Contains(path["contact_details.".Length..]))
            {
                fields.Add(path["contact_details.".Length..]);
            }
            else
            {
                throw InvalidMask(path);
            }
        }

        var given = organization.ContactDetails ?? new ProtoContact();
        var view = (await organizations.UpdateContactAsync(
            context.User(), id, current => Merge(current, given, fields), organization.Etag, context.CancellationToken)).OrThrow();
        return new UpdateOrganizationResponse { Organization = ToProto(view, context.User().Login) };
    }

    [UserCaller]
    public override async Task<DeleteOrganizationResponse> DeleteOrganization(DeleteOrganizationRequest request, ServerCallContext context)
    {
        var id = ResourceNames.ParseOrganization(request.Name, "name").OrThrow();
        (await organizations.DeleteAsync(context.User(), id, request.EmailPaidInvoices, context.CancellationToken)).OrThrow();
        return new DeleteOrganizationResponse();
    }

    [UserCaller]
    public override async Task<ListMembersResponse> ListMembers(ListMembersRequest request, ServerCallContext context)
    {
        var id = ResourceNames.ParseOrganization(request.Parent, "parent").OrThrow();
        var page = (await organizations.ListMembersAsync(context.User(), id, request.PageSize, request.PageToken, context.CancellationToken)).OrThrow();
        var response = new ListMembersResponse { NextPageToken = page.NextPageToken };
        response.Members.AddRange(page.Items.Select(m => ToProto(id, m.Membership, m.Login, m.ETag)));
        return response;
    }

    [UserCaller]
    public override async Task<UpdateMemberResponse> UpdateMember(UpdateMemberRequest request, ServerCallContext context)
    {
        var member = request.Member ?? new Member();
        var (organizationId, accountId) = ResourceNames.ParseChild(member.Name, "members", "member.name").OrThrow();
        var given = member.Rights ?? new MemberRights();
        var products = given.ProductIds.Select((p, i) => ResourceNames.ParseProductOf(organizationId, p, $"member.rights.product_ids[{i}]").OrThrow()).ToArray();
        bool? administrator = null, billing = null;
        IReadOnlyList<Guid>? productIds = null;
        var demote = false;
        foreach (var path in MaskPaths(request.UpdateMask))
        {
            switch (path)
            {
                case "rights":
                    (administrator, productIds, billing) = (given.Administrator, products, given.Billing);
                    break;
                case "rights.administrator":
                    administrator = given.Administrator;
                    break;
                case "rights.product_ids":
                    productIds = products;
                    break;
                case "rights.billing":
                    billing = given.Billing;
                    break;
                case "legal_representative":
                    if (member.LegalRepresentative)
                    {
                        throw OrganizationErrors.LegalRepresentativeByProposalOnly.ToRpcException();
                    }

                    demote = true;
                    break;
                default:
                    throw InvalidMask(path);
            }
        }

        var updated = (await organizations.UpdateMemberAsync(
            context.User(), organizationId, accountId,
            current => new Core.Organizations.MemberRights(administrator ?? current.Administrator, productIds ?? current.ProductIds, billing ?? current.Billing),
            demote, member.Etag, context.CancellationToken)).OrThrow();
        return new UpdateMemberResponse { Member = ToProto(organizationId, updated.Membership, updated.Login, updated.ETag) };
    }

    [UserCaller]
    public override async Task<RemoveMemberResponse> RemoveMember(RemoveMemberRequest request, ServerCallContext context)
    {
        var (organizationId, accountId) = ResourceNames.ParseChild(request.Name, "members", "name").OrThrow();
        (await organizations.RemoveMemberAsync(context.User(), organizationId, accountId, context.CancellationToken)).OrThrow();
        return new RemoveMemberResponse();
    }

    [UserCaller]
    public override async Task<LeaveOrganizationResponse> LeaveOrganization(LeaveOrganizationRequest request, ServerCallContext context)
    {
        var id = ResourceNames.ParseOrganization(request.Name, "name").OrThrow();
        (await organizations.LeaveAsync(context.User(), id, context.CancellationToken)).OrThrow();
        return new LeaveOrganizationResponse();
    }

    [UserCaller]
    public override async Task<ListProductsResponse> ListProducts(ListProductsRequest request, ServerCallContext context)
    {
        var id = ResourceNames.ParseOrganization(request.Parent, "parent").OrThrow();
        var page = (await organizations.ListProductsAsync(context.User(), id, request.PageSize, request.PageToken, context.CancellationToken)).OrThrow();
        var response = new ListProductsResponse { NextPageToken = page.NextPageToken };
        response.Products.AddRange(page.Items.Select(ToProto));
        return response;
    }

    [UserCaller]
    public override async Task<TerminateProductResponse> TerminateProduct(TerminateProductRequest request, ServerCallContext context)
    {
        var (organizationId, productId) = ResourceNames.ParseChild(request.Name, "products", "name").OrThrow();
        var product = (await organizations.TerminateProductAsync(context.User(), organizationId, productId, context.CancellationToken)).OrThrow();
        return new TerminateProductResponse { Product = ToProto(product) };
    }

    [UserCaller]
    public override async Task<SetLogoResponse> SetLogo(SetLogoRequest request, ServerCallContext context)
    {
        var id = ResourceNames.ParseOrganization(request.Parent, "parent").OrThrow();
        var stored = (await organizations.SetLogoAsync(context.User(), id, request.Content.ToByteArray(), context.CancellationToken)).OrThrow();
        return new SetLogoResponse { UpdateTime = Timestamp.FromDateTimeOffset(stored.UpdatedAt) };
    }

    [UserCaller]
    public override async Task<GetLogoResponse> GetLogo(GetLogoRequest request, ServerCallContext context)
    {
        var id = ResourceNames.ParseOrganization(request.Parent, "parent").OrThrow();
        var stored = (await organizations.GetLogoAsync(context.User(), id, context.CancellationToken)).OrThrow();
        return new GetLogoResponse { Content = ByteString.CopyFrom(stored.Content), UpdateTime = Timestamp.FromDateTimeOffset(stored.UpdatedAt) };
    }

    [UserCaller]
    public override async Task<DeleteLogoResponse> DeleteLogo(DeleteLogoRequest request, ServerCallContext context)
    {
        var id = ResourceNames.ParseOrganization(request.Parent, "parent").OrThrow();
        (await organizations.DeleteLogoAsync(context.User(), id, context.CancellationToken)).OrThrow();
        return new DeleteLogoResponse();
    }

    private static IReadOnlyList<string> MaskPaths(FieldMask? mask)
    {
        if (mask is null || mask.Paths.Count == 0)
        {
            throw DomainError.Invalid("update_mask", "UPDATE_MASK_REQUIRED", "update_mask must name the fields to change.").ToRpcException();
        }

        return mask.Paths;
    }

    private static RpcException InvalidMask(string path) =>
        DomainError.Invalid("update_mask", "INVALID_UPDATE_MASK", $"update_mask path '{path}' cannot be updated.").ToRpcException();

    private static CoreContact Merge(CoreContact current, ProtoContact given, HashSet<string> fields) => current with
    {
        Kind = fields.Contains("kind") ? (Hosting.Core.Organizations.HolderKind)(int)given.Kind : current.Kind,
        FirstName = fields.Contains("first_name") ? given.FirstName : current.FirstName,
        LastName = fields.Contains("last_name") ? given.LastName : current.LastName,
        CompanyName = fields.Contains("company_name") ? given.CompanyName : current.CompanyName,
        Street = fields.Contains("street") ? given.Street : current.Street,
        PostalCode = fields.Contains("postal_code") ? given.PostalCode : current.PostalCode,
        City = fields.Contains("city") ? given.City : current.City,
        Country = fields.Contains("country") ? given.Country : current.Country,
        VatNumber = fields.Contains("vat_number") ? given.VatNumber : current.VatNumber,
    };

    private static CoreContact ToCore(ProtoContact? contact)
    {
        contact ??= new ProtoContact();
        return new CoreContact
        {
            Kind = (Hosting.Core.Organizations.HolderKind)(int)contact.Kind,
            FirstName = contact.FirstName,
            LastName = contact.LastName,
            CompanyName = contact.CompanyName,
            Street = contact.Street,
            PostalCode = contact.PostalCode,
            City = contact.City,
            Country = contact.Country,
            VatNumber = contact.VatNumber,
        };
    }

    private static Core.Organizations.MemberRights ToCore(Guid organizationId, MemberRights? rights, string field)
    {
        rights ??= new MemberRights();
        var products = rights.ProductIds.Select((p, i) => ResourceNames.ParseProductOf(organizationId, p, $"{field}.product_ids[{i}]").OrThrow()).ToArray();
        return new Core.Organizations.MemberRights(rights.Administrator, products, rights.Billing);
    }

    private static ProtoContact ToProto(CoreContact contact) => new()
    {
        Kind = (Hosting.Organizations.V1.HolderKind)(int)contact.Kind,
        FirstName = contact.FirstName,
        LastName = contact.LastName,
        CompanyName = contact.CompanyName,
        Street = contact.Street,
        PostalCode = contact.PostalCode,
        City = contact.City,
        Country = contact.Country,
        VatNumber = contact.VatNumber,
    };

    private static Organization ToProto(OrganizationView view, EmailAddress? myLogin = null) => new()
    {
        Name = ResourceNames.Organization(view.Organization.Id),
        DisplayName = view.Organization.Name,
        ContactDetails = ToProto(view.Organization.Contact),
        CreateTime = Timestamp.FromDateTimeOffset(view.Organization.CreatedAt),
        Etag = view.Organization.ETag,
        Current = view.IsCurrent,
        Me = ToProto(view.Organization.Id, view.Me, myLogin, view.Organization.ETag),
        ProposedLegalRepresentative = view.Organization.ProposedLegalRepresentative is { } candidate
            ? ResourceNames.Member(view.Organization.Id, candidate)
            : string.Empty,
    };

    private static Member ToProto(Guid organizationId, Membership membership, EmailAddress? login, string etag)
    {
        var member = new Member
        {
            Etag = etag,
            Name = ResourceNames.Member(organizationId, membership.AccountId),
            Login = login?.Value ?? string.Empty,
            Rights = new MemberRights { Administrator = membership.CanManage, Billing = membership.CanBill },
            LegalRepresentative = membership.IsLegalRepresentative,
            JoinTime = Timestamp.FromDateTimeOffset(membership.JoinedAt),
        };
        member.Rights.ProductIds.AddRange(membership.ProductIds.Select(p => ResourceNames.Product(organizationId, p)));
        return member;
    }

    private static Hosting.Organizations.V1.Product ToProto(CoreProduct product) => new()
    {
        Name = ResourceNames.Product(product.OrganizationId, product.Id),
        Type = (Hosting.Organizations.V1.ProductType)(int)product.Type,
        DisplayName = product.Name,
        Status = (Hosting.Organizations.V1.ProductStatus)(int)product.Status,
        RenewalTime = product.RenewalDate is { } renewal ? Timestamp.FromDateTimeOffset(renewal) : null,
        PriceMinor = product.PriceMinor,
        Currency = product.Currency,
    };
}
