using System.Globalization;
using Xunit.Abstractions;

namespace ChainInterop.Simulation;

/// <summary>
/// The thesis claim of K3, side by side on the same seeds: with one censoring replica of four (it leaves one client's
/// requests out of every block it proposes), how often is it the primary of an agreed block, and how long do the
/// censored client's requests wait, under PBFT (primary per view) and CBFT (credit-scored primary per block)?
/// Every run also passes the simulator's checkers, so every censored request does commit.
/// Longer evaluation: <c>CHAININTEROP_CBFT_EVAL_SEEDS=200</c>.
/// </summary>
public class CbftEvaluationTests(ITestOutputHelper output)
{
    private static readonly FaultProfile OneCensor = FaultProfile.None with
    {
        Byzantine = true,
        ByzantineBehaviourFactories = [() => new PbftBehaviours.CensorOneClient()],
        ClientCount = 4,
        RequestsPerClient = 12,
    };

    /// <summary>Per engine: the runs that had the censor, its share of agreed blocks, and the waits.</summary>
    public sealed record Row(string Engine, int Runs, double CensorShare, double CensoredWaitMs, double HonestWaitMs, double CensoredWaitP99Ms);

    public static Row Evaluate(EngineUnderTest engine, IEnumerable<int> seeds)
    {
        int runs = 0;
        long censorBlocks = 0;
        long blocks = 0;
        var censoredWaits = new List<long>();
        var honestWaits = new List<long>();
        foreach (int seed in seeds)
        {
            var result = new Simulation(seed, engine, OneCensor).Run();
            if (result.ByzantineValidators.Count != 1)
            {
                continue; // a run drew no censor
            }

            runs++;
            int censor = result.ByzantineValidators[0];
            censorBlocks += result.Proposers.Count(p => p == censor);
            blocks += result.Proposers.Count;

            // The censored client is the one whose requests waited longest on average.
            var byClient = result.RequestWaits.GroupBy(w => w.Client).ToDictionary(g => g.Key, g => g.Select(w => w.WaitMs).ToList());
            int censored = byClient.MaxBy(p => p.Value.Average()).Key;
            censoredWaits.AddRange(byClient[censored]);
            honestWaits.AddRange(byClient.Where(p => p.Key != censored).SelectMany(p => p.Value));
        }

        censoredWaits.Sort();
        return new Row(engine.Name, runs, (double)censorBlocks / blocks, censoredWaits.Average(), honestWaits.Average(),
            censoredWaits[(int)(censoredWaits.Count * 0.99)]);
    }

    [Fact]
    public void Credit_scores_keep_a_censoring_primary_below_its_fair_share_and_censored_requests_still_commit_K3()
    {
        int count = int.TryParse(Environment.GetEnvironmentVariable("CHAININTEROP_CBFT_EVAL_SEEDS"), CultureInfo.InvariantCulture, out int n) ? n : 60;
        var seeds = Enumerable.Range(0, count).ToArray();
        var pbft = Evaluate(Engines.Pbft, seeds);
        var cbft = Evaluate(Engines.Cbft, seeds);
        output.WriteLine("| engine | runs with a censor | censor's share of agreed blocks | censored client's mean wait (ms) | p99 (ms) | other clients' mean wait (ms) |");
        output.WriteLine("|---|---:|---:|---:|---:|---:|");
        foreach (var row in new[] { pbft, cbft })
        {
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {row.Engine} | {row.Runs} | {row.CensorShare:P1} | {row.CensoredWaitMs:F0} | {row.CensoredWaitP99Ms:F0} | {row.HonestWaitMs:F0} |"));
        }

        // Plain rotation (formula 3.3) makes every replica primary 1/N of the time; CBFT's credit scores must push the
        // censor below that. (Our PBFT replaces a censoring primary through its request timer and, its primary being
        // per view, does not give it the role back: that is why its share is lower still — see docs/BENCHMARKS.md.)
        Assert.True(cbft.Runs > 0 && pbft.Runs > 0, "no run drew the censor");
        Assert.True(cbft.CensorShare < 1.0 / 4, $"CBFT gave the censor {cbft.CensorShare:P1} of the blocks, not below 1/N");
    }
}
