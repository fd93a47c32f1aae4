using System.Collections.Concurrent;
using CsCheck;
using Hosting.Core.Accounts;
using Hosting.Core.Organizations;
using Hosting.Core.Shared;
using Hosting.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace Hosting.Tests.Model;

/// <summary>
/// Parallel histories of invitations, acceptances, leaving, removal, demotion, handover of legal
/// representation and account deletion on one organization of three people (the founder and two
/// others), run through the application services over the real store, must be linearizable
/// against a model of members and rights with the ORG-6, ORG-8 and ACC-10 protections: the same
/// members, rights, counters and proposal, and the same answer to every call. A failure is shrunk
/// to a minimal history.
/// </summary>
public abstract class OrganizationModelTestsBase
{
    private const int CiIterations = 5;

    private static int _logins;

    protected abstract bool Postgres { get; }

    [SkippableFact]
    [Trait("Rule", "ORG-4")]
    [Trait("Rule", "ORG-6")]
    [Trait("Rule", "ORG-7")]
    [Trait("Rule", "ORG-8")]
    [Trait("Rule", "ACC-10")]
    public async Task ParallelMembershipHistories_AreLinearizable_AgainstTheMembershipModel()
    {
        using var host = ModelRuns.Host(Postgres);
        host.SkipUnlessAvailable();
        var organizations = new Hosting.Organizations.V1.OrganizationsService.OrganizationsServiceClient(host.Channel());
        var iterations = ModelRuns.Iterations(CiIterations);
        var histories = 0;

        // CsCheck builds the initial state again for every order of the calls it tries on the model,
        // so the people and their organization are made on first use only.
        (Guid Organization, (string Login, AuthenticatedUser User)[] People) NewOrganization()
        {
            Interlocked.Increment(ref histories);
            var people = Enumerable.Range(0, 3).Select(i =>
            {
                var login = $"org-model-{Interlocked.Increment(ref _logins)}@example.com";
                var bearer = host.SignedUpAsync(login).GetAwaiter().GetResult();
                return (Login: login, Bearer: bearer, User: ModelRuns.User(host, bearer));
            }).ToArray();
            var organization = organizations.CreateOrganizationAsync(ModelRuns.NewOrganization(), people[0].Bearer).ResponseAsync.GetAwaiter().GetResult().Organization.Name;
            return (Guid.Parse(organization.Split('/')[1]), people.Select(p => (p.Login, p.User)).ToArray());
        }

        var initial = Gen.Const(0).Select(_ => (new OrganizationWorld(host, NewOrganization), new OrganizationModel()));

        var person = Gen.Int[0, 2];
        var other = Gen.Int[1, 2];
        GenOperation<OrganizationWorld, OrganizationModel>[] operations =
        [
            Gen.Select(Gen.Int[0, 1], other, Gen.Bool).Operation<OrganizationWorld, OrganizationModel>(t => $"Invite(by {t.Item1}, {t.Item2}, admin {t.Item3})", (w, t) => w.Invite(t.Item1, t.Item2, t.Item3), (m, t) => m.Invite(t.Item1, t.Item2, t.Item3)),
            other.Operation<OrganizationWorld, OrganizationModel>(t => $"Accept({t})", (w, t) => w.Accept(t), (m, t) => m.Accept(t)),
            person.Operation<OrganizationWorld, OrganizationModel>(i => $"Leave({i})", (w, i) => w.Leave(i), (m, i) => m.Leave(i)),
            Gen.Select(person, person).Operation<OrganizationWorld, OrganizationModel>(t => $"Remove(by {t.Item1}, {t.Item2})", (w, t) => w.Remove(t.Item1, t.Item2), (m, t) => m.Remove(t.Item1, t.Item2)),
            Gen.Select(person, person).Operation<OrganizationWorld, OrganizationModel>(t => $"Demote(by {t.Item1}, {t.Item2})", (w, t) => w.Demote(t.Item1, t.Item2), (m, t) => m.Demote(t.Item1, t.Item2)),
            Gen.Select(person, person).Operation<OrganizationWorld, OrganizationModel>(t => $"HandOver(by {t.Item1}, to {t.Item2})", (w, t) => w.Propose(t.Item1, t.Item2), (m, t) => m.Propose(t.Item1, t.Item2)),
            person.Operation<OrganizationWorld, OrganizationModel>(i => $"AcceptHandOver({i})", (w, i) => w.AcceptHandOver(i), (m, i) => m.AcceptHandOver(i)),
            person.Operation<OrganizationWorld, OrganizationModel>(i => $"DeleteAccount({i})", (w, i) => w.DeleteAccount(i), (m, i) => m.DeleteAccount(i)),
        ];

        await ModelRuns.CheckLinearizableAsync(initial, operations, w => w.Snapshot(), m => m.Describe(), maxSequential: 5, iterations);

        ModelRuns.Record($"model organization {(Postgres ? "postgres" : "sqlite")} {iterations} {histories}");
    }
}

public sealed class OrganizationModelTests : OrganizationModelTestsBase
{
    protected override bool Postgres => false;
}

public sealed class OrganizationModelTestsPostgres : OrganizationModelTestsBase
{
    protected override bool Postgres => true;
}

/// <summary>The real organization: calls go through the application services, each in its own scope.</summary>
public sealed class OrganizationWorld(HostFactory host, Func<(Guid Organization, (string Login, AuthenticatedUser User)[] People)> create)
{
    private readonly Lazy<(Guid Organization, (string Login, AuthenticatedUser User)[] People)> _setup = new(create);

    private readonly ConcurrentBag<string> _answers = [];
    private readonly ConcurrentDictionary<int, Guid> _invitations = new();
    private string? _snapshot;

    private Guid organization => _setup.Value.Organization;

    private (string Login, AuthenticatedUser User)[] people => _setup.Value.People;

    public void Invite(int by, int person, bool administrator)
    {
        var invited = ModelRuns.Call(host, s => s.GetRequiredService<OrganizationService>()
            .InviteAsync(people[by].User, organization, people[person].Login, new MemberRights(administrator, [], false)));
        if (invited.IsSuccess)
        {
            _invitations[person] = invited.Value.Id;
        }

        Answer($"invite {by} {person} {administrator}", invited);
    }

    public void Accept(int person) =>
        _answers.Add($"accept {person} -> " + (_invitations.TryGetValue(person, out var id)
            ? Outcome(ModelRuns.Call(host, s => s.GetRequiredService<OrganizationService>().AcceptInvitationAsync(people[person].User, id)))
            : "none"));

    public void Leave(int person) =>
        Answer($"leave {person}", ModelRuns.Call(host, s => s.GetRequiredService<OrganizationService>().LeaveAsync(people[person].User, organization)));

    public void Remove(int by, int person) =>
        Answer($"remove {by} {person}", ModelRuns.Call(host, s => s.GetRequiredService<OrganizationService>()
            .RemoveMemberAsync(people[by].User, organization, people[person].User.AccountId)));

    public void Demote(int by, int person) =>
        Answer($"demote {by} {person}", ModelRuns.Call(host, s => s.GetRequiredService<OrganizationService>()
            .UpdateMemberAsync(people[by].User, organization, people[person].User.AccountId, _ => new MemberRights(false, [], false), demoteLegalRepresentative: true)));

    public void Propose(int by, int person) =>
        Answer($"hand-over {by} {person}", ModelRuns.Call(host, s => s.GetRequiredService<OrganizationService>()
            .ProposeLegalRepresentativeAsync(people[by].User, organization, people[person].User.AccountId, replaceMe: true)));

    public void AcceptHandOver(int person) =>
        Answer($"accept-hand-over {person}", ModelRuns.Call(host, s => s.GetRequiredService<OrganizationService>()
            .AcceptLegalRepresentativeAsync(people[person].User, organization)));

    public void DeleteAccount(int person) =>
        Answer($"delete-account {person}", ModelRuns.Call(host, s => s.GetRequiredService<OrganizationService>()
            .DeleteAccountAsync(people[person].User, Passwords.Good)));

    /// <summary>The stored members, counters and proposal, and every answer, in the model's words; read once after the history.</summary>
    public string Snapshot() => _snapshot ??= ModelRuns.Call(host, async s =>
    {
        var ids = people.Select(p => p.User.AccountId).ToArray();
        var stored = (await s.GetRequiredService<IOrganizationStore>().FindAsync(organization, ids, CancellationToken.None))!;
        var members = Enumerable.Range(0, people.Length)
            .Select(i => (Index: i, Member: stored.MemberOf(ids[i])))
            .Where(m => m.Member is not null)
            .Select(m => OrganizationModel.Member(m.Index, m.Member!.IsAdministrator, m.Member.HasBillingRights, m.Member.IsLegalRepresentative));
        string Person(Guid? id) => id is { } known ? Array.IndexOf(ids, known).ToString(System.Globalization.CultureInfo.InvariantCulture) : "-";
        var proposal = stored.ProposedLegalRepresentative is null ? "none" : $"{Person(stored.ProposedLegalRepresentative)} by {Person(stored.ProposedBy)}";
        return OrganizationModel.Describe(members, stored.MemberCount, stored.LegalRepresentativeCount, proposal, _answers);
    });

    private void Answer<T>(string call, Result<T> result) => _answers.Add($"{call} -> {Outcome(result)}");

    private static string Outcome<T>(Result<T> result) => result.IsSuccess ? "ok" : result.Error.Reason;
}

/// <summary>One organization's members and rights as the rules describe them, one call at a time.</summary>
public sealed class OrganizationModel
{
    private readonly List<string> _answers = [];
    private readonly Dictionary<int, (bool Administrator, bool Billing, bool Legal)> _members = new() { [0] = (true, true, true) };
    private readonly HashSet<int> _deleted = [];
    private readonly Dictionary<int, (bool Administrator, bool Accepted)> _invitations = [];
    private (int Candidate, int By)? _proposal;

    private int LegalCount => _members.Values.Count(m => m.Legal);

    public void Invite(int by, int person, bool administrator) => Answer($"invite {by} {person} {administrator}", () =>
    {
        if (Manager(by) is { } refused)
        {
            return refused;
        }

        if (_members.ContainsKey(person))
        {
            return "ALREADY_MEMBER";
        }

        if (_invitations.TryGetValue(person, out var open) && !open.Accepted)
        {
            return "INVITATION_PENDING";
        }

        _invitations[person] = (administrator, false);
        return "ok";
    });

    public void Accept(int person)
    {
        string outcome;
        if (!_invitations.TryGetValue(person, out var invitation))
        {
            outcome = "none";
        }
        else if (_deleted.Contains(person))
        {
            outcome = "INVITATION_NOT_FOUND";
        }
        else if (invitation.Accepted)
        {
            outcome = "INVITATION_ALREADY_ACCEPTED";
        }
        else if (_members.ContainsKey(person))
        {
            outcome = "ALREADY_MEMBER";
        }
        else
        {
            _members[person] = (invitation.Administrator, false, false);
            _invitations[person] = (invitation.Administrator, true);
            outcome = "ok";
        }

        _answers.Add($"accept {person} -> {outcome}");
    }

    public void Leave(int person) => Answer($"leave {person}", () => _members.ContainsKey(person) ? Depart(person) : "ORGANIZATION_NOT_FOUND");

    public void Remove(int by, int person) => Answer($"remove {by} {person}", () =>
    {
        if (Manager(by) is { } refused)
        {
            return refused;
        }

        if (!_members.TryGetValue(person, out var member))
        {
            return "MEMBER_NOT_FOUND";
        }

        return member.Legal && !_members[by].Legal ? "LEGAL_REPRESENTATIVE_REQUIRED" : Depart(person);
    });

    public void Demote(int by, int person) => Answer($"demote {by} {person}", () =>
    {
        if (!_members.ContainsKey(by))
        {
            return "ORGANIZATION_NOT_FOUND";
        }

        if (!_members.TryGetValue(person, out var member))
        {
            return Manager(by) ?? "MEMBER_NOT_FOUND";
        }

        if (Manager(by) is { } refused)
        {
            return refused;
        }

        if (member.Legal && !_members[by].Legal)
        {
            return "LEGAL_REPRESENTATIVE_REQUIRED";
        }

        if (member.Legal)
        {
            if (LegalCount == 1)
            {
                return "LAST_LEGAL_REPRESENTATIVE";
            }

            ClearProposalInvolving(person);
        }

        _members[person] = (false, false, false);
        return "ok";
    });

    public void Propose(int by, int person) => Answer($"hand-over {by} {person}", () =>
    {
        if (!_members.TryGetValue(by, out var proposer))
        {
            return "ORGANIZATION_NOT_FOUND";
        }

        if (!proposer.Legal)
        {
            return "LEGAL_REPRESENTATIVE_REQUIRED";
        }

        if (!_members.TryGetValue(person, out var candidate))
        {
            return "MEMBER_NOT_FOUND";
        }

        if (candidate.Legal)
        {
            return "ALREADY_LEGAL_REPRESENTATIVE";
        }

        _proposal = (person, by);
        return "ok";
    });

    // ORG-8: the candidate becomes legal representative and the proposer steps down in one change.
    public void AcceptHandOver(int person) => Answer($"accept-hand-over {person}", () =>
    {
        if (!_members.TryGetValue(person, out var candidate))
        {
            return "ORGANIZATION_NOT_FOUND";
        }

        if (_proposal?.Candidate != person)
        {
            return "NO_LEGAL_REPRESENTATIVE_PROPOSAL";
        }

        _members[person] = candidate with { Legal = true };
        if (_members.ContainsKey(_proposal.Value.By) && _members[_proposal.Value.By].Legal)
        {
            _members[_proposal.Value.By] = (true, true, false);
        }

        _proposal = null;
        return "ok";
    });

    // ACC-10: refused when it would leave the organization without a user or a legal representative.
    public void DeleteAccount(int person) => Answer($"delete-account {person}", () =>
    {
        if (_deleted.Contains(person))
        {
            return "SESSION_INVALID";
        }

        if (_members.TryGetValue(person, out var member))
        {
            if (Blocker(member) is not null)
            {
                return "ACCOUNT_NOT_DELETABLE";
            }

            Depart(person);
        }

        _deleted.Add(person);
        return "ok";
    });

    public string Describe() => Describe(
        _members.Select(m => Member(m.Key, m.Value.Administrator, m.Value.Billing, m.Value.Legal)),
        _members.Count,
        LegalCount,
        _proposal is { } p ? $"{p.Candidate} by {p.By}" : "none",
        _answers);

    public static string Member(int index, bool administrator, bool billing, bool legal) =>
        $"{index}{(administrator ? " admin" : string.Empty)}{(billing ? " billing" : string.Empty)}{(legal ? " legal" : string.Empty)}";

    public static string Describe(IEnumerable<string> members, int memberCount, int legalCount, string proposal, IEnumerable<string> answers) =>
        $"members [{string.Join(", ", members.Order(StringComparer.Ordinal))}], counted {memberCount}, legal {legalCount}; proposal {proposal}; " +
        $"answers [{string.Join(", ", answers.Order(StringComparer.Ordinal))}]";

    private void Answer(string call, Func<string> run) => _answers.Add($"{call} -> {run()}");

    private string? Manager(int by) =>
        !_members.TryGetValue(by, out var member) ? "ORGANIZATION_NOT_FOUND"
        : member.Administrator || member.Legal ? null
        : "ADMINISTRATOR_REQUIRED";

    // ORG-6: never the last user, never the only legal representative.
    private string? Blocker((bool Administrator, bool Billing, bool Legal) member) =>
        _members.Count <= 1 ? "LAST_USER"
        : member.Legal && LegalCount == 1 ? "LAST_LEGAL_REPRESENTATIVE"
        : null;

    private string Depart(int person)
    {
        if (Blocker(_members[person]) is { } blocked)
        {
            return blocked;
        }

        _members.Remove(person);
        ClearProposalInvolving(person);
        return "ok";
    }

    private void ClearProposalInvolving(int person)
    {
        if (_proposal is { } p && (p.Candidate == person || p.By == person))
        {
            _proposal = null;
        }
    }
}
