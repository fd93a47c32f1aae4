using Google.Protobuf.WellKnownTypes;
using Google.Rpc;
using Grpc.Core;
using Hosting.Accounts.V1;
using Hosting.Organizations.V1;
using Hosting.Core.Organizations;
using Hosting.Persistence;
using Hosting.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Hosting.Tests.Grpc;

public abstract class OrganizationsGrpcTestsBase<TFactory>(TFactory host) : IClassFixture<TFactory>
    where TFactory : HostFactory
{
    private OrganizationsService.OrganizationsServiceClient _organizations => new(host.Channel());
    private AccountsService.AccountsServiceClient _accounts => host.Accounts();

    private async Task<(Metadata Auth, Account Account)> UserAsync()
    {
        var login = $"user-{Guid.NewGuid():N}@example.com";
        await _accounts.SignUpAsync(new SignUpRequest { Login = login, Password = Passwords.Good });
        var signIn = await _accounts.SignInAsync(new SignInRequest { Login = login, Password = Passwords.Good });
        await host.ConfirmLoginAsync(login, Bearer.Of(signIn.SessionToken));
        return (Bearer.Of(signIn.SessionToken), signIn.Account);
    }

    private static Hosting.Organizations.V1.ContactDetails Contact() => new()
    {
        Kind = Hosting.Organizations.V1.HolderKind.Individual,
        FirstName = "Ann",
        LastName = "Meier",
        Street = "Rue du Lac 1",
        PostalCode = "1200",
        City = "Geneva",
        Country = "CH",
    };

    private async Task<string> MemberAsync(string organization, Metadata ownerAuth, Metadata auth, Account account, bool administrator)
    {
        var invitation = await _organizations.CreateInvitationAsync(
            new CreateInvitationRequest { Parent = organization, Email = account.Login, Rights = new Hosting.Organizations.V1.MemberRights { Administrator = administrator } }, ownerAuth);
        await _organizations.AcceptInvitationAsync(new AcceptInvitationRequest { Name = invitation.Invitation.Name }, auth);
        return $"{organization}/members/{account.Name.Split('/')[1]}";
    }

    [SkippableFact]
    [Trait("Rule", "ORG-4")]
    public async Task InvitationsOfOneAddressAtOnce_SendOne_AndTheOthersFindItPending()
    {
        host.SkipUnlessAvailable();
        var (ownerAuth, _) = await UserAsync();
        var organization = (await _organizations.CreateOrganizationAsync(new CreateOrganizationRequest { ContactDetails = Contact() }, ownerAuth)).Organization.Name;

        // All at once: each checked for a pending invitation before any had committed, and all were sent.
        const int rounds = 10;
        for (var round = 0; round < rounds; round++)
        {
            var email = $"new.person.{round}@example.com";
            var sent = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => Task.Run(async () =>
            {
                try
                {
                    await _organizations.CreateInvitationAsync(new CreateInvitationRequest { Parent = organization, Email = email }, ownerAuth);
                    return "ok";
                }
                catch (RpcException e)
                {
                    return $"{e.StatusCode} {e.GetRpcStatus()?.GetDetail<Google.Rpc.ErrorInfo>()?.Reason}";
                }
            })));

            Assert.Equal([.. Enumerable.Repeat("AlreadyExists INVITATION_PENDING", 5), "ok"], sent.Order(StringComparer.Ordinal));
        }

        Assert.Equal(rounds, (await _organizations.ListInvitationsAsync(new ListInvitationsRequest { Parent = organization, PageSize = 50 }, ownerAuth)).Invitations.Count);
    }

    [SkippableFact]
    [Trait("Rule", "ORG-6")]
    public async Task TwoLegalRepresentatives_RemovingEachOtherAtOnce_NeverLeaveTheOrganizationWithoutOne()
    {
        host.SkipUnlessAvailable();
        for (var round = 0; round < 5; round++)
        {
            var (aliceAuth, alice) = await UserAsync();
            var (bobAuth, bob) = await UserAsync();
            var organization = (await _organizations.CreateOrganizationAsync(new CreateOrganizationRequest { ContactDetails = Contact() }, aliceAuth)).Organization.Name;
            var bobMember = await MemberAsync(organization, aliceAuth, bobAuth, bob, administrator: true);
            await _organizations.ProposeLegalRepresentativeAsync(new ProposeLegalRepresentativeRequest { Member = bobMember }, aliceAuth);
            await _organizations.AcceptLegalRepresentativeAsync(new AcceptLegalRepresentativeRequest { Name = organization }, bobAuth);
            var aliceMember = $"{organization}/members/{alice.Name.Split('/')[1]}";

            var outcomes = await Task.WhenAll(
                Outcome(() => _organizations.RemoveMemberAsync(new RemoveMemberRequest { Name = bobMember }, aliceAuth).ResponseAsync),
                Outcome(() => _organizations.RemoveMemberAsync(new RemoveMemberRequest { Name = aliceMember }, bobAuth).ResponseAsync));

            Assert.Equal(1, outcomes.Count(o => o == StatusCode.OK));
            Assert.All(outcomes.Where(o => o != StatusCode.OK), o => Assert.Contains(o, new[] { StatusCode.Aborted, StatusCode.FailedPrecondition, StatusCode.NotFound }));
            var survivor = outcomes[0] == StatusCode.OK ? aliceAuth : bobAuth;
            var members = await _organizations.ListMembersAsync(new ListMembersRequest { Parent = organization }, survivor);
            Assert.True(Assert.Single(members.Members).LegalRepresentative);
        }
    }

    /// <summary>
    /// Adds members straight to the store through the aggregate (no sign-ups: these members never
    /// call), so that an organization reaches a size the protections must hold at.
    /// </summary>
    private async Task AddSilentMembersAsync(string organization, int count)
    {
        await using var scope = host.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<HostingDbContext>();
        var id = Guid.Parse(organization.Split('/')[1]);
        var loaded = await db.Set<Hosting.Core.Organizations.Organization>().SingleAsync(o => o.Id == id);
        for (var i = 0; i < count; i++)
        {
            loaded.AddMember(Guid.NewGuid(), new Hosting.Core.Organizations.MemberRights(false, [], false), host.Clock.GetUtcNow());
        }

        await db.SaveChangesAsync();
    }

    /// <summary>The counts on the organization's row against its membership rows.</summary>
    private async Task<(int Members, int MemberRows, int Representatives, int RepresentativeRows)> CountsAsync(string organization)
    {
        await using var scope = host.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<HostingDbContext>();
        var id = Guid.Parse(organization.Split('/')[1]);
        var row = await db.Set<Hosting.Core.Organizations.Organization>().AsNoTracking().SingleAsync(o => o.Id == id);
        var rows = db.Set<Membership>().Where(m => m.OrganizationId == id);
        return (row.MemberCount, await rows.CountAsync(), row.LegalRepresentativeCount, await rows.CountAsync(m => m.IsLegalRepresentative));
    }

    [SkippableFact]
    [Trait("Rule", "ORG-6")]
    [Trait("Rule", "ORG-8")]
    public async Task TwoLegalRepresentatives_RemovingEachOtherAtOnce_AmongTenThousandMembers_NeverLeaveTheOrganizationWithoutOne()
    {
        host.SkipUnlessAvailable();
        var (aliceAuth, alice) = await UserAsync();
        var (bobAuth, bob) = await UserAsync();
        var (carolAuth, carol) = await UserAsync();
        var (daveAuth, dave) = await UserAsync();
        var organization = (await _organizations.CreateOrganizationAsync(new CreateOrganizationRequest { ContactDetails = Contact() }, aliceAuth)).Organization.Name;
        var bobMember = await MemberAsync(organization, aliceAuth, bobAuth, bob, administrator: true);
        await MemberAsync(organization, aliceAuth, carolAuth, carol, administrator: false);
        await MemberAsync(organization, aliceAuth, daveAuth, dave, administrator: false);
        await _organizations.ProposeLegalRepresentativeAsync(new ProposeLegalRepresentativeRequest { Member = bobMember }, aliceAuth);
        await _organizations.AcceptLegalRepresentativeAsync(new AcceptLegalRepresentativeRequest { Name = organization }, bobAuth);
        await AddSilentMembersAsync(organization, 10_000 - 4);
        var aliceMember = $"{organization}/members/{alice.Name.Split('/')[1]}";

        // The two legal representatives remove each other while two members leave.
        var outcomes = await Task.WhenAll(
            Outcome(() => _organizations.RemoveMemberAsync(new RemoveMemberRequest { Name = bobMember }, aliceAuth).ResponseAsync),
            Outcome(() => _organizations.RemoveMemberAsync(new RemoveMemberRequest { Name = aliceMember }, bobAuth).ResponseAsync),
            Outcome(() => _organizations.LeaveOrganizationAsync(new LeaveOrganizationRequest { Name = organization }, carolAuth).ResponseAsync),
            Outcome(() => _organizations.LeaveOrganizationAsync(new LeaveOrganizationRequest { Name = organization }, daveAuth).ResponseAsync));

        // Optimistic concurrency may abort both removals; it never lets both commit.
        var removed = outcomes.Take(2).Count(o => o == StatusCode.OK);
        Assert.True(removed <= 1);
        Assert.All(outcomes.Where(o => o != StatusCode.OK), o => Assert.Contains(o, new[] { StatusCode.Aborted, StatusCode.FailedPrecondition, StatusCode.NotFound }));
        var counts = await CountsAsync(organization);
        Assert.Equal(counts.MemberRows, counts.Members);
        Assert.Equal(10_000 - outcomes.Count(o => o == StatusCode.OK), counts.Members);
        Assert.Equal(2 - removed, counts.Representatives);
        Assert.Equal(counts.RepresentativeRows, counts.Representatives);
        var survivor = outcomes[1] == StatusCode.OK ? bobAuth : aliceAuth;

        // The silent members have no login to show, so a page may hold fewer: the next token still follows.
        var page = await _organizations.ListMembersAsync(new ListMembersRequest { Parent = organization, PageSize = 50 }, survivor);
        Assert.NotEmpty(page.NextPageToken);
    }

    [SkippableFact]
    [Trait("Rule", "ACC-10")]
    [Trait("Rule", "ORG-6")]
    public async Task BothLegalRepresentatives_GoingAtOnce_AmongTenThousandMembers_OneStays()
    {
        host.SkipUnlessAvailable();
        var (aliceAuth, _) = await UserAsync();
        var (bobAuth, bob) = await UserAsync();
        var organization = (await _organizations.CreateOrganizationAsync(new CreateOrganizationRequest { ContactDetails = Contact() }, aliceAuth)).Organization.Name;
        var bobMember = await MemberAsync(organization, aliceAuth, bobAuth, bob, administrator: true);
        await _organizations.ProposeLegalRepresentativeAsync(new ProposeLegalRepresentativeRequest { Member = bobMember }, aliceAuth);
        await _organizations.AcceptLegalRepresentativeAsync(new AcceptLegalRepresentativeRequest { Name = organization }, bobAuth);
        await AddSilentMembersAsync(organization, 10_000 - 2);

        // Alice deletes her account (ACC-10) while Bob leaves: one of them must stay.
        var outcomes = await Task.WhenAll(
            Outcome(() => _accounts.DeleteAccountAsync(new DeleteAccountRequest { CurrentPassword = Passwords.Good }, aliceAuth).ResponseAsync),
            Outcome(() => _organizations.LeaveOrganizationAsync(new LeaveOrganizationRequest { Name = organization }, bobAuth).ResponseAsync));

        Assert.Equal(1, outcomes.Count(o => o == StatusCode.OK));
        var counts = await CountsAsync(organization);
        Assert.Equal((10_000 - 1, 10_000 - 1, 1, 1), counts);
    }

    [SkippableFact]
    [Trait("Rule", "ORG-6")]
    public async Task OnlyLegalRepresentative_Leaving_IsFailedPrecondition_WithThePreconditionListed()
    {
        host.SkipUnlessAvailable();
        var (ownerAuth, _) = await UserAsync();
        var (otherAuth, other) = await UserAsync();
        var organization = (await _organizations.CreateOrganizationAsync(new CreateOrganizationRequest { ContactDetails = Contact() }, ownerAuth)).Organization.Name;
        await MemberAsync(organization, ownerAuth, otherAuth, other, administrator: true);

        var status = await RpcAssert.FailsAsync(
            () => _organizations.LeaveOrganizationAsync(new LeaveOrganizationRequest { Name = organization }, ownerAuth).ResponseAsync,
            StatusCode.FailedPrecondition, "LAST_LEGAL_REPRESENTATIVE");

        Assert.Equal("LAST_LEGAL_REPRESENTATIVE", Assert.Single(status.GetDetail<PreconditionFailure>()!.Violations).Type);
    }

    [SkippableFact]
    [Trait("Rule", "ORG-9")]
    public async Task DeleteOrganization_ListsEachUnmetCondition()
    {
        host.SkipUnlessAvailable();
        var login = $"order-{Guid.NewGuid():N}@example.com";
        var order = await _organizations.OrderFirstProductAsync(new OrderFirstProductRequest
        {
            ContactDetails = Contact(), Login = login, Password = Passwords.Good,
            ProductType = Hosting.Organizations.V1.ProductType.WebHosting, ProductDisplayName = "meier.ch",
        });
        Assert.Equal(login, order.Organization.Me.Login);
        var signIn = await _accounts.SignInAsync(new SignInRequest { Login = login, Password = Passwords.Good });
        var owner = Bearer.Of(signIn.SessionToken);
        await host.ConfirmLoginAsync(login, owner);

        var status = await RpcAssert.FailsAsync(
            () => _organizations.DeleteOrganizationAsync(new DeleteOrganizationRequest { Name = order.Organization.Name }, owner).ResponseAsync,
            StatusCode.FailedPrecondition, "ORGANIZATION_NOT_DELETABLE");
        Assert.Equal(order.Product.Name, Assert.Single(status.GetDetail<PreconditionFailure>()!.Violations).Subject);

        await _organizations.TerminateProductAsync(new TerminateProductRequest { Name = order.Product.Name }, owner);
        await _organizations.DeleteOrganizationAsync(new DeleteOrganizationRequest { Name = order.Organization.Name }, owner);
        await RpcAssert.FailsAsync(
            () => _organizations.GetOrganizationAsync(new GetOrganizationRequest { Name = order.Organization.Name }, owner).ResponseAsync,
            StatusCode.NotFound, "ORGANIZATION_NOT_FOUND");
    }

    [SkippableFact]
    [Trait("Rule", "ORG-11")]
    public async Task UpdateOrganization_AppliesOnlyTheMaskedFields_AndRefusesAStaleEtag()
    {
        host.SkipUnlessAvailable();
        var (auth, _) = await UserAsync();
        var created = (await _organizations.CreateOrganizationAsync(new CreateOrganizationRequest { ContactDetails = Contact() }, auth)).Organization;

        var updated = (await _organizations.UpdateOrganizationAsync(new UpdateOrganizationRequest
        {
            Organization = new Hosting.Organizations.V1.Organization { Name = created.Name, Etag = created.Etag, ContactDetails = new Hosting.Organizations.V1.ContactDetails { City = "Bern", Street = "ignored" } },
            UpdateMask = new FieldMask { Paths = { "contact_details.city" } },
        }, auth)).Organization;

        Assert.Equal("Bern", updated.ContactDetails.City);
        Assert.Equal("Rue du Lac 1", updated.ContactDetails.Street);
        await RpcAssert.FailsAsync(
            () => _organizations.UpdateOrganizationAsync(new UpdateOrganizationRequest
            {
                Organization = new Hosting.Organizations.V1.Organization { Name = created.Name, Etag = created.Etag, ContactDetails = new Hosting.Organizations.V1.ContactDetails { City = "Basel" } },
                UpdateMask = new FieldMask { Paths = { "contact_details.city" } },
            }, auth).ResponseAsync,
            StatusCode.Aborted, "ETAG_MISMATCH");
        var bad = await RpcAssert.FailsAsync(
            () => _organizations.UpdateOrganizationAsync(new UpdateOrganizationRequest
            {
                Organization = new Hosting.Organizations.V1.Organization { Name = created.Name },
                UpdateMask = new FieldMask { Paths = { "display_name" } },
            }, auth).ResponseAsync,
            StatusCode.InvalidArgument, "INVALID_UPDATE_MASK");
        Assert.Equal("update_mask", bad.ViolatedField());
    }

    [SkippableFact]
    [Trait("Rule", "ORG-10")]
    public async Task Logo_NotAPng_IsRefusedWithTheReason()
    {
        host.SkipUnlessAvailable();
        var (auth, _) = await UserAsync();
        var organization = (await _organizations.CreateOrganizationAsync(new CreateOrganizationRequest { ContactDetails = Contact() }, auth)).Organization.Name;

        var status = await RpcAssert.FailsAsync(
            () => _organizations.SetLogoAsync(new SetLogoRequest { Parent = organization, Content = Google.Protobuf.ByteString.CopyFromUtf8("GIF89a") }, auth).ResponseAsync,
            StatusCode.InvalidArgument, "LOGO_NOT_PNG");

        Assert.Equal("content", status.ViolatedField());
        await RpcAssert.FailsAsync(
            () => _organizations.GetLogoAsync(new GetLogoRequest { Parent = organization }, auth).ResponseAsync,
            StatusCode.NotFound, "LOGO_NOT_FOUND");
    }

    [SkippableFact]
    [Trait("Rule", "ORG-10")]
    public async Task Logo_IsSetReadAndRemoved()
    {
        host.SkipUnlessAvailable();
        var (auth, _) = await UserAsync();
        var organization = (await _organizations.CreateOrganizationAsync(new CreateOrganizationRequest { ContactDetails = Contact() }, auth)).Organization.Name;
        var png = Core.OrganizationLogoTests.Png();

        await _organizations.SetLogoAsync(new SetLogoRequest { Parent = organization, Content = Google.Protobuf.ByteString.CopyFrom(png) }, auth);
        var read = await _organizations.GetLogoAsync(new GetLogoRequest { Parent = organization }, auth);
        await _organizations.DeleteLogoAsync(new DeleteLogoRequest { Parent = organization }, auth);

        Assert.Equal(png, read.Content.ToByteArray());
        await RpcAssert.FailsAsync(() => _organizations.GetLogoAsync(new GetLogoRequest { Parent = organization }, auth).ResponseAsync, StatusCode.NotFound, "LOGO_NOT_FOUND");
    }

    [SkippableFact]
    [Trait("Rule", "ORG-5")]
    public async Task MalformedResourceName_IsInvalidArgument_OnItsField()
    {
        host.SkipUnlessAvailable();
        var (auth, _) = await UserAsync();

        var status = await RpcAssert.FailsAsync(
            () => _organizations.GetOrganizationAsync(new GetOrganizationRequest { Name = "organizations/not-a-uuid" }, auth).ResponseAsync,
            StatusCode.InvalidArgument, "INVALID_RESOURCE_NAME");

        Assert.Equal("name", status.ViolatedField());
    }

    [SkippableFact]
    [Trait("Rule", "ACC-10")]
    public async Task DeleteAccount_AsOnlyLegalRepresentative_IsRefused_NamingTheOrganization()
    {
        host.SkipUnlessAvailable();
        var (auth, _) = await UserAsync();
        var organization = (await _organizations.CreateOrganizationAsync(new CreateOrganizationRequest { ContactDetails = Contact() }, auth)).Organization.Name;

        var status = await RpcAssert.FailsAsync(
            () => _accounts.DeleteAccountAsync(new DeleteAccountRequest { CurrentPassword = Passwords.Good }, auth).ResponseAsync,
            StatusCode.FailedPrecondition, "ACCOUNT_NOT_DELETABLE");

        Assert.Equal(organization, Assert.Single(status.GetDetail<PreconditionFailure>()!.Violations).Subject);
    }

    private static async Task<StatusCode> Outcome(Func<Task> call)
    {
        try
        {
            await call();
            return StatusCode.OK;
        }
        catch (RpcException e)
        {
            return e.StatusCode;
        }
    }

    [SkippableFact]
    [Trait("Rule", "API-4")]
    public async Task ListMyInvitations_PagesOldestFirst_WithoutRepeatOrLoss()
    {
        host.SkipUnlessAvailable();
        var (inviteeAuth, invitee) = await UserAsync();
        var sent = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            var (ownerAuth, _) = await UserAsync();
            var organization = (await _organizations.CreateOrganizationAsync(new CreateOrganizationRequest { ContactDetails = Contact() }, ownerAuth)).Organization.Name;
            host.Clock.Advance(TimeSpan.FromSeconds(1));
            sent.Add((await _organizations.CreateInvitationAsync(new CreateInvitationRequest { Parent = organization, Email = invitee.Login }, ownerAuth)).Invitation.Name);
        }

        await Paging.AssertWalksAsync(sent, async (size, token) =>
        {
            var page = await _organizations.ListMyInvitationsAsync(new ListMyInvitationsRequest { PageSize = size, PageToken = token }, inviteeAuth);
            return (page.Invitations.Select(i => i.Name), page.NextPageToken);
        });
        await Paging.AssertRefusesForeignTokenAsync(token => _organizations.ListMyInvitationsAsync(new ListMyInvitationsRequest { PageToken = token }, inviteeAuth).ResponseAsync);
    }

    [SkippableFact]
    [Trait("Rule", "API-4")]
    public async Task UpdateMember_RefusesAStaleEtag()
    {
        host.SkipUnlessAvailable();
        var (ownerAuth, _) = await UserAsync();
        var (memberAuth, account) = await UserAsync();
        var organization = (await _organizations.CreateOrganizationAsync(new CreateOrganizationRequest { ContactDetails = Contact() }, ownerAuth)).Organization.Name;
        var name = await MemberAsync(organization, ownerAuth, memberAuth, account, administrator: false);
        var read = (await _organizations.ListMembersAsync(new ListMembersRequest { Parent = organization }, ownerAuth)).Members.Single(m => m.Name == name);
        Assert.NotEmpty(read.Etag);
        var mask = new FieldMask { Paths = { "rights.billing" } };

        var updated = (await _organizations.UpdateMemberAsync(
            new UpdateMemberRequest { Member = new Member { Name = name, Rights = new Hosting.Organizations.V1.MemberRights { Billing = true }, Etag = read.Etag }, UpdateMask = mask }, ownerAuth)).Member;
        Assert.True(updated.Rights.Billing);
        Assert.Equal(account.Login, updated.Login);
        Assert.NotEqual(read.Etag, updated.Etag);

        await RpcAssert.FailsAsync(
            () => _organizations.UpdateMemberAsync(
                new UpdateMemberRequest { Member = new Member { Name = name, Rights = new Hosting.Organizations.V1.MemberRights(), Etag = read.Etag }, UpdateMask = mask }, ownerAuth).ResponseAsync,
            StatusCode.Aborted, "ETAG_MISMATCH");
        var current = (await _organizations.GetOrganizationAsync(new GetOrganizationRequest { Name = organization }, ownerAuth)).Organization;
        Assert.Equal(updated.Etag, current.Etag);
        Assert.Equal(current.Etag, current.Me.Etag);
    }
}

/// <summary>The suite on SQLite, the embedded store.</summary>
public sealed class OrganizationsGrpcTests(HostFactory host) : OrganizationsGrpcTestsBase<HostFactory>(host);

/// <summary>The same suite on PostgreSQL.</summary>
public sealed class OrganizationsGrpcTestsPostgres(PostgresHostFactory host) : OrganizationsGrpcTestsBase<PostgresHostFactory>(host);
