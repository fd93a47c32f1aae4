using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Hosting.Core.Mailboxes;
using Hosting.GrpcHost.Callers;
using Hosting.GrpcHost.Errors;
using Hosting.GrpcHost.Limits;
using Hosting.Mailboxes.V1;
using CoreCredential = Hosting.Core.Mailboxes.ProductCredential;
using CoreMailbox = Hosting.Core.Mailboxes.Mailbox;
using ProtoMailbox = Hosting.Mailboxes.V1.Mailbox;
using ProtoWebmail = Hosting.Mailboxes.V1.WebmailMailbox;

namespace Hosting.GrpcHost.Services;

/// <summary>The Mailboxes gRPC service: maps requests to <see cref="MailboxService"/> and back.</summary>
internal sealed class MailboxesGrpcService(MailboxService mailboxes) : MailboxesService.MailboxesServiceBase
{
    /// <summary>The scope of mail servers' API keys.</summary>
    public const string CredentialsScope = "mailbox.credentials";

    [UserCaller]
    public override async Task<CreateMailboxResponse> CreateMailbox(CreateMailboxRequest request, ServerCallContext context)
    {
        var (organizationId, productId) = ResourceNames.ParseChild(request.Parent, "products", "parent").OrThrow();
        var mailbox = (await mailboxes.CreateAsync(context.User(), organizationId, productId, request.LocalPart, request.Password, context.CancellationToken)).OrThrow();
        return new CreateMailboxResponse { Mailbox = ToProto(mailbox) };
    }

    [UserCaller]
    public override async Task<ListMailboxesResponse> ListMailboxes(ListMailboxesRequest request, ServerCallContext context)
    {
        var (organizationId, productId) = ResourceNames.ParseChild(request.Parent, "products", "parent").OrThrow();
        var page = (await mailboxes.ListAsync(context.User(), organizationId, productId, request.PageSize, request.PageToken, context.CancellationToken)).OrThrow();
        var response = new ListMailboxesResponse { NextPageToken = page.NextPageToken };
        response.Mailboxes.AddRange(page.Items.Select(ToProto));
        return response;
    }

    [UserCaller]
    public override async Task<DeleteMailboxResponse> DeleteMailbox(DeleteMailboxRequest request, ServerCallContext context)
    {
        var (organizationId, mailboxId) = ResourceNames.ParseChild(request.Name, "mailboxes", "name").OrThrow();
        (await mailboxes.DeleteAsync(context.User(), organizationId, mailboxId, context.CancellationToken)).OrThrow();
        return new DeleteMailboxResponse();
    }

    [UserCaller]
    public override async Task<SetMailboxPasswordResponse> SetMailboxPassword(SetMailboxPasswordRequest request, ServerCallContext context)
    {
        var (organizationId, mailboxId) = ResourceNames.ParseChild(request.Name, "mailboxes", "name").OrThrow();
        var (mailbox, report) = (await mailboxes.ChangePasswordAsync(
            context.User(), organizationId, mailboxId, request.NewPassword, request.AcceptUnification, request.CurrentPassword, context.SignInContext(), context.CancellationToken)).OrThrow();
        var response = new SetMailboxPasswordResponse { Mailbox = ToProto(mailbox), UnificationOffered = report.Offered, Unified = report.Unified };
        response.FailedConditions.AddRange(report.FailedConditions);
        return response;
    }

    [UserCaller]
    public override async Task<AcceptPasswordUnificationResponse> AcceptPasswordUnification(AcceptPasswordUnificationRequest request, ServerCallContext context)
    {
        var (organizationId, mailboxId) = ResourceNames.ParseChild(request.Name, "mailboxes", "name").OrThrow();
        var mailbox = (await mailboxes.AcceptUnificationAsync(
            context.User(), organizationId, mailboxId, request.MailboxPassword, request.CurrentPassword, context.SignInContext(), context.CancellationToken)).OrThrow();
        return new AcceptPasswordUnificationResponse { Mailbox = ToProto(mailbox) };
    }

    [ServiceCaller(CredentialsScope)]
    [RateLimited(RateLimitedAttribute.MailboxCredentials)]
    public override async Task<CheckMailboxCredentialsResponse> CheckMailboxCredentials(CheckMailboxCredentialsRequest request, ServerCallContext context)
    {
        (await mailboxes.CheckCredentialsAsync(request.Address, request.Password, context.CancellationToken)).OrThrow();
        return new CheckMailboxCredentialsResponse();
    }

    [UserCaller]
    public override async Task<LinkWebmailResponse> LinkWebmail(LinkWebmailRequest request, ServerCallContext context)
    {
        var linked = (await mailboxes.LinkWebmailAsync(context.User(), request.Address, request.MailboxPassword, context.SignInContext(), context.CancellationToken)).OrThrow();
        return new LinkWebmailResponse { Mailbox = ToProto(linked) };
    }

    [UserCaller]
    public override async Task<UnlinkWebmailResponse> UnlinkWebmail(UnlinkWebmailRequest request, ServerCallContext context)
    {
        (await mailboxes.UnlinkWebmailAsync(context.User(), request.Address, context.SignInContext(), context.CancellationToken)).OrThrow();
        return new UnlinkWebmailResponse();
    }

    [UserCaller]
    public override async Task<ListWebmailMailboxesResponse> ListWebmailMailboxes(ListWebmailMailboxesRequest request, ServerCallContext context)
    {
        var page = (await mailboxes.ListWebmailAsync(context.User(), request.PageSize, request.PageToken, context.CancellationToken)).OrThrow();
        var response = new ListWebmailMailboxesResponse { NextPageToken = page.NextPageToken };
        response.Mailboxes.AddRange(page.Items.Select(ToProto));
        return response;
    }

    [UserCaller]
    public override async Task<ReconfirmWebmailResponse> ReconfirmWebmail(ReconfirmWebmailRequest request, ServerCallContext context)
    {
        var linked = (await mailboxes.ReconfirmWebmailAsync(context.User(), request.Address, request.MailboxPassword, context.CancellationToken)).OrThrow();
        return new ReconfirmWebmailResponse { Mailbox = ToProto(linked) };
    }

    [UserCaller]
    public override async Task<CreateProductCredentialResponse> CreateProductCredential(CreateProductCredentialRequest request, ServerCallContext context)
    {
        var (organizationId, productId) = ResourceNames.ParseChild(request.Parent, "products", "parent").OrThrow();
        var credential = (await mailboxes.CreateCredentialAsync(
            context.User(), organizationId, productId, (Core.Mailboxes.CredentialKind)(int)request.Kind, request.Username, request.Password, context.CancellationToken)).OrThrow();
        return new CreateProductCredentialResponse { Credential = ToProto(credential) };
    }

    [UserCaller]
    public override async Task<ListProductCredentialsResponse> ListProductCredentials(ListProductCredentialsRequest request, ServerCallContext context)
    {
        var (organizationId, productId) = ResourceNames.ParseChild(request.Parent, "products", "parent").OrThrow();
        var page = (await mailboxes.ListCredentialsAsync(context.User(), organizationId, productId, request.PageSize, request.PageToken, context.CancellationToken)).OrThrow();
        var response = new ListProductCredentialsResponse { NextPageToken = page.NextPageToken };
        response.Credentials.AddRange(page.Items.Select(ToProto));
        return response;
    }

    [UserCaller]
    public override async Task<SetProductCredentialPasswordResponse> SetProductCredentialPassword(SetProductCredentialPasswordRequest request, ServerCallContext context)
    {
        var (organizationId, credentialId) = ResourceNames.ParseChild(request.Name, "credentials", "name").OrThrow();
        var credential = (await mailboxes.SetCredentialPasswordAsync(context.User(), organizationId, credentialId, request.Password, context.CancellationToken)).OrThrow();
        return new SetProductCredentialPasswordResponse { Credential = ToProto(credential) };
    }

    private static ProtoMailbox ToProto(CoreMailbox mailbox) => new()
    {
        Name = $"organizations/{mailbox.OrganizationId}/mailboxes/{mailbox.Id}",
        Address = mailbox.Address.Value,
        MailService = ResourceNames.Product(mailbox.OrganizationId, mailbox.MailServiceId),
        Unified = mailbox.UnifiedAccountId is not null,
        CreateTime = Timestamp.FromDateTimeOffset(mailbox.CreatedAt),
    };

    private static ProtoWebmail ToProto(Core.Mailboxes.WebmailMailbox linked) => new()
    {
        Address = linked.Mailbox.Address.Value,
        NeedsReconfirmation = linked.Link.NeedsReconfirmation,
        Unified = linked.Mailbox.UnifiedAccountId == linked.Link.AccountId,
    };

    private static Hosting.Mailboxes.V1.ProductCredential ToProto(CoreCredential credential) => new()
    {
        Name = $"organizations/{credential.OrganizationId}/credentials/{credential.Id}",
        Kind = (Hosting.Mailboxes.V1.CredentialKind)(int)credential.Kind,
        Username = credential.Username,
        Product = ResourceNames.Product(credential.OrganizationId, credential.ProductId),
    };
}
