using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Hosting.Core.Organizations;
using Hosting.GrpcHost.Callers;
using Hosting.GrpcHost.Errors;
using Hosting.GrpcHost.Limits;
using Hosting.Organizations.V1;
using CoreInvitation = Hosting.Core.Organizations.Invitation;
using MemberRights = Hosting.Organizations.V1.MemberRights;

namespace Hosting.GrpcHost.Services;

/// <summary>The invitations' and legal representatives' RPCs of the Organizations service (ORG-4, ORG-8).</summary>
internal sealed partial class OrganizationsGrpcService
{
    [UserCaller]
    [RateLimited(RateLimitedAttribute.Invitation)]
    public override async Task<CreateInvitationResponse> CreateInvitation(CreateInvitationRequest request, ServerCallContext context)
    {
        var id = ResourceNames.ParseOrganization(request.Parent, "parent").OrThrow();
        var rights = ToCore(id, request.Rights, "rights");
        var invitation = (await organizations.InviteAsync(context.User(), id, request.Email, rights, context.CancellationToken)).OrThrow();
        return new CreateInvitationResponse { Invitation = ToProto(invitation, null) };
    }

    [UserCaller]
    public override async Task<ListInvitationsResponse> ListInvitations(ListInvitationsRequest request, ServerCallContext context)
    {
        var id = ResourceNames.ParseOrganization(request.Parent, "parent").OrThrow();
        var page = (await organizations.ListInvitationsAsync(context.User(), id, request.PageSize, request.PageToken, context.CancellationToken)).OrThrow();
        var response = new ListInvitationsResponse { NextPageToken = page.NextPageToken };
        response.Invitations.AddRange(page.Items.Select(i => ToProto(i, null)));
        return response;
    }

    [UserCaller]
    [RateLimited(RateLimitedAttribute.Invitation)]
    public override async Task<ResendInvitationResponse> ResendInvitation(ResendInvitationRequest request, ServerCallContext context)
    {
        var (organizationId, invitationId) = ResourceNames.ParseChild(request.Name, "invitations", "name").OrThrow();
        var invitation = (await organizations.ResendInvitationAsync(context.User(), organizationId, invitationId, context.CancellationToken)).OrThrow();
        return new ResendInvitationResponse { Invitation = ToProto(invitation, null) };
    }

    [UserCaller]
    public override async Task<RevokeInvitationResponse> RevokeInvitation(RevokeInvitationRequest request, ServerCallContext context)
    {
        var (organizationId, invitationId) = ResourceNames.ParseChild(request.Name, "invitations", "name").OrThrow();
        var invitation = (await organizations.RevokeInvitationAsync(context.User(), organizationId, invitationId, context.CancellationToken)).OrThrow();
        return new RevokeInvitationResponse { Invitation = ToProto(invitation, null) };
    }

    [UserCaller]
    public override async Task<ListMyInvitationsResponse> ListMyInvitations(ListMyInvitationsRequest request, ServerCallContext context)
    {
        var page = (await organizations.ListMyInvitationsAsync(context.User(), request.PageSize, request.PageToken, context.CancellationToken)).OrThrow();
        var response = new ListMyInvitationsResponse { NextPageToken = page.NextPageToken };
        response.Invitations.AddRange(page.Items.Select(i => ToProto(i.Invitation, i.OrganizationName)));
        return response;
    }

    [UserCaller]
    public override async Task<AcceptInvitationResponse> AcceptInvitation(AcceptInvitationRequest request, ServerCallContext context)
    {
        var (_, invitationId) = ResourceNames.ParseChild(request.Name, "invitations", "name").OrThrow();
        var view = (await organizations.AcceptInvitationAsync(context.User(), invitationId, context.CancellationToken)).OrThrow();
        return new AcceptInvitationResponse { Organization = ToProto(view, context.User().Login) };
    }

    [UserCaller]
    public override async Task<ProposeLegalRepresentativeResponse> ProposeLegalRepresentative(ProposeLegalRepresentativeRequest request, ServerCallContext context)
    {
        var (organizationId, accountId) = ResourceNames.ParseChild(request.Member, "members", "member").OrThrow();
        var user = context.User();
        var organization = (await organizations.ProposeLegalRepresentativeAsync(user, organizationId, accountId, request.ReplaceMe, context.CancellationToken)).OrThrow();
        return new ProposeLegalRepresentativeResponse { Organization = ToProto(new OrganizationView(organization, organization.MemberOf(user.AccountId)!, false)) };
    }

    [UserCaller]
    public override async Task<AcceptLegalRepresentativeResponse> AcceptLegalRepresentative(AcceptLegalRepresentativeRequest request, ServerCallContext context)
    {
        var id = ResourceNames.ParseOrganization(request.Name, "name").OrThrow();
        var user = context.User();
        var organization = (await organizations.AcceptLegalRepresentativeAsync(user, id, context.CancellationToken)).OrThrow();
        return new AcceptLegalRepresentativeResponse { Organization = ToProto(new OrganizationView(organization, organization.MemberOf(user.AccountId)!, false)) };
    }

    private Hosting.Organizations.V1.Invitation ToProto(CoreInvitation invitation, string? organizationName)
    {
        var proto = new Hosting.Organizations.V1.Invitation
        {
            Name = ResourceNames.Invitation(invitation.OrganizationId, invitation.Id),
            Email = invitation.Email.Value,
            Rights = new MemberRights { Administrator = invitation.Administrator, Billing = invitation.Billing },
            State = (Hosting.Organizations.V1.InvitationState)(int)invitation.StateAt(clock.GetUtcNow()),
            ExpireTime = Timestamp.FromDateTimeOffset(invitation.ExpiresAt),
            OrganizationDisplayName = organizationName ?? string.Empty,
        };
        proto.Rights.ProductIds.AddRange(invitation.ProductIds.Select(p => ResourceNames.Product(invitation.OrganizationId, p)));
        return proto;
    }
}
