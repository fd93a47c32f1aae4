using Hosting.Fuzz;

namespace Hosting.Tests.Parsers;

/// <summary>
/// Every input of the committed fuzz corpus (tests/Fuzz/corpus), seeds and what afl++ found, replayed
/// through the same targets the afl harness runs: none may escape as an exception or break a parser's
/// guarantees. Fast and without afl, so CI keeps every past finding fixed.
/// </summary>
public sealed class ParserCorpusTests
{
    private static readonly string Corpus = Path.Combine(AppContext.BaseDirectory, "FuzzCorpus");

    [Fact]
    [Trait("Rule", "ORG-10")]
    public void Every_logo_corpus_input_is_accepted_or_refused_with_a_logo_reason() => Replay("logo", expectAccepted: 3);

    [Fact]
    [Trait("Rule", "ACC-1")]
    public void Every_phc_corpus_input_parses_and_formats_back_or_is_refused() => Replay("phc", expectAccepted: 2);

    [Fact]
    [Trait("Rule", "WAL-3")]
    public void Every_iban_corpus_input_is_a_stored_iban_or_invalid_iban() => Replay("iban", expectAccepted: 4);

    [Fact]
    [Trait("Rule", "API-4")]
    public void Every_page_token_corpus_input_decodes_to_a_position_or_is_invalid_page_token() => Replay("page-token", expectAccepted: 3);

    [Fact]
    [Trait("Rule", "API-3")]
    public void Every_resource_name_corpus_input_parses_or_is_invalid_resource_name_on_its_field() => Replay("resource-name", expectAccepted: 5);

    [Fact]
    [Trait("Rule", "ORG-11")]
    public void Every_contact_details_corpus_input_is_validated_or_refused_with_field_violations() => Replay("contact-details", expectAccepted: 2);

    [Fact]
    [Trait("Category", "Fuzz")]
    public void Every_fuzz_target_has_a_committed_corpus_of_at_most_fifty_inputs()
    {
        foreach (var target in FuzzTargets.Names)
        {
            var count = Directory.GetFiles(Path.Combine(Corpus, target)).Length;
            Assert.InRange(count, 1, 50);
        }
    }

    // Replays every file of one target's corpus. The seeds include valid inputs, and at least
    // expectAccepted must be accepted, so that the corpus keeps exercising the accepting path.
    private static void Replay(string target, int expectAccepted)
    {
        var files = Directory.GetFiles(Path.Combine(Corpus, target));
        Assert.NotEmpty(files);
        var failures = new List<string>();
        var accepted = 0;
        foreach (var file in files)
        {
            try
            {
                accepted += FuzzTargets.Run(target, File.ReadAllBytes(file)) ? 1 : 0;
            }
            catch (Exception e)
            {
                failures.Add($"{Path.GetFileName(file)}: {e.GetType().Name}: {e.Message}");
            }
        }

        Assert.Empty(failures);
        Assert.True(accepted >= expectAccepted, $"{accepted} accepted inputs in the {target} corpus, fewer than {expectAccepted}");
    }
}
