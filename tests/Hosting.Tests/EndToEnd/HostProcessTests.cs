using Grpc.Core;
using Hosting.Accounts.V1;
using Hosting.Organizations.V1;
using Hosting.Tests.Support;

namespace Hosting.Tests.EndToEnd;

/// <summary>Journeys against the host started as a process, over a real socket.</summary>
public sealed class HostProcessTests(RunningHost host) : IClassFixture<RunningHost>
{
    [Fact]
    [Trait("Rule", "API-1")]
    public async Task HostStartedAsTheReadmeSays_SignsUpAndSignsInOverARealSocket()
    {
        var client = new AccountsService.AccountsServiceClient(host.Channel());

        await client.SignUpAsync(new SignUpRequest { Login = "e2e@example.com", Password = Passwords.Good });
        var signIn = await client.SignInAsync(new SignInRequest { Login = "e2e@example.com", Password = Passwords.Good });
        var me = await client.GetAccountAsync(new GetAccountRequest(), Bearer.Of(signIn.SessionToken));

        Assert.Equal("e2e@example.com", me.Account.Login);
        Assert.True(File.Exists(Path.Combine(host.DataFolder, "hosting.db")));
    }

    [Fact]
    [Trait("Rule", "ORG-4")]
    [Trait("Rule", "ORG-5")]
    [Trait("Rule", "ORG-6")]
    public async Task Journey_SignUpCreateInviteAcceptSwitchChangeRightsLeave()
    {
        var accounts = new AccountsService.AccountsServiceClient(host.Channel());
        var organizations = new OrganizationsService.OrganizationsServiceClient(host.Channel());
        async Task<Metadata> UserAsync(string login)
        {
            await accounts.SignUpAsync(new SignUpRequest { Login = login, Password = Passwords.Good });
            var auth = Bearer.Of((await accounts.SignInAsync(new SignInRequest { Login = login, Password = Passwords.Good })).SessionToken);
            await host.ConfirmLoginAsync(login, auth);
            return auth;
        }

        var owner = await UserAsync("journey-owner@example.com");
        var organization = (await organizations.CreateOrganizationAsync(new CreateOrganizationRequest
        {
            ContactDetails = new Hosting.Organizations.V1.ContactDetails
            {
                Kind = Hosting.Organizations.V1.HolderKind.Company, FirstName = "Ann", LastName = "Meier", CompanyName = "Journey SA",
                Street = "Rue du Lac 1", PostalCode = "1200", City = "Geneva", Country = "CH",
            },
        }, owner)).Organization;
        var invitation = (await organizations.CreateInvitationAsync(new CreateInvitationRequest { Parent = organization.Name, Email = "journey-member@example.com" }, owner)).Invitation;

        // The invitee signs up only now, then finds and accepts the invitation.
        var member = await UserAsync("journey-member@example.com");
        var mine = await organizations.ListMyInvitationsAsync(new ListMyInvitationsRequest(), member);
        Assert.Equal("Journey SA", Assert.Single(mine.Invitations).OrganizationDisplayName);
        await organizations.AcceptInvitationAsync(new AcceptInvitationRequest { Name = invitation.Name }, member);

        var own = (await organizations.CreateOrganizationAsync(new CreateOrganizationRequest
        {
            ContactDetails = new Hosting.Organizations.V1.ContactDetails
            {
                Kind = Hosting.Organizations.V1.HolderKind.Individual, FirstName = "Bob", LastName = "Keller",
                Street = "Bahnhofstrasse 2", PostalCode = "8001", City = "Zurich", Country = "CH",
            },
        }, member)).Organization;
        await organizations.SwitchOrganizationAsync(new SwitchOrganizationRequest { Name = own.Name }, member);
        var listed = await organizations.ListOrganizationsAsync(new ListOrganizationsRequest(), member);
        Assert.Equal(own.Name, Assert.Single(listed.Organizations, o => o.Current).Name);
        Assert.Equal(2, listed.Organizations.Count);

        var memberName = (await organizations.ListMembersAsync(new ListMembersRequest { Parent = organization.Name }, owner)).Members.Single(m => m.Login == "journey-member@example.com").Name;
        var updated = await organizations.UpdateMemberAsync(new UpdateMemberRequest
        {
            Member = new Member { Name = memberName, Rights = new Hosting.Organizations.V1.MemberRights { Billing = true } },
            UpdateMask = new Google.Protobuf.WellKnownTypes.FieldMask { Paths = { "rights.billing" } },
        }, owner);
        Assert.True(updated.Member.Rights.Billing);

        await organizations.LeaveOrganizationAsync(new LeaveOrganizationRequest { Name = organization.Name }, member);
        var after = await organizations.ListOrganizationsAsync(new ListOrganizationsRequest(), member);
        Assert.Equal(own.Name, Assert.Single(after.Organizations).Name);
        var error = await Assert.ThrowsAsync<RpcException>(() => organizations.LeaveOrganizationAsync(new LeaveOrganizationRequest { Name = organization.Name }, owner).ResponseAsync);
        Assert.Equal(StatusCode.FailedPrecondition, error.StatusCode);
    }
}
