using ChainInterop.Blocks;
using ChainInterop.Consensus;
using ChainInterop.Consensus.Hosting;
using ChainInterop.Settlement.Vouchers;
using static ChainInterop.Settlement.Tests.Vouchers.VoucherWorld;

namespace ChainInterop.Settlement.Tests.Vouchers;

/// <summary>The whole flow V1 → V4, the clearing vouchers published through PBFT on a 4-validator voucher ledger chain.</summary>
public class VoucherEndToEndTests
{
    [Fact]
    public async Task A_cross_bank_card_payment_runs_V1_to_V4_and_its_clearing_is_published_through_PBFT_and_proven_offline()
    {
        using var world = new VoucherWorld();
        var ledgers = Enumerable.Range(0, 4).Select(_ => new VoucherLedger(world.Directory)).ToArray();
        await using var chain = await InProcessChain.StartAsync(
            new InProcessChainOptions { ChainId = new ChainId("voucher-ledger"), UseDemoKeys = true, ConfigureReplica = o => o.BatchDelayMs = 1 },
            i => ledgers[i]);

        // V1–V3: audit, co-signing (with the card scheme's confirmation), retention, clearing relation, notices.
        var id = VoucherIdOf(world.Submit(CardPayment(250_00, withScheme: true)));
        world.Single(Ccb, FlowEventKind.Approved);
        Assert.True(world.ThirdParty.TryGetRetained(id, out var notice));
        var relation = notice.Relation;
        Assert.Equal(2, world.Network.Publications.Count);

        // V4 step 311: each paying institution publishes its clearing voucher through consensus, as its own client.
        using var ccbClient = chain.CreateClient(world.Key(Ccb));
        using var icbcClient = chain.CreateClient(world.Key(Icbc));
        var clients = new Dictionary<InstitutionId, ChainClient> { [Ccb] = ccbClient, [Icbc] = icbcClient };
        var replies = new List<ClientReply>();
        foreach (var publication in world.Network.Publications)
        {
            replies.Add(await clients[publication.Clearing.Originator].SubmitAsync(publication.ToPayload()).WaitAsync(TimeSpan.FromSeconds(120)));
        }

        ulong top = replies.Max(r => r.Height);
        await WaitUntilAsync(() => ledgers.All(l => l.LastHeight >= top));

        // Step 312: any institution's copy of the ledger confirms the clearing executed; all copies agree.
        foreach (var ledger in ledgers)
        {
            Assert.Equal(ClearingStatus.Executed, ledger.GetClearingStatus(relation.Id));
            Assert.Equal(ClearingStatus.Executed, ledger.GetClearingStatusOfTransaction(id));
            Assert.All(replies, r => Assert.True(ledger.TryGetOutcome(r.RequestDigest, out var outcome) && outcome.IsAccepted));
            Assert.Equal(ledgers[0].StateHash, ledger.StateHash);
            Assert.Equal(Amount.FromMinorUnits(250_00 + 1_25 - 50), ledger.GetNetPosition(Ccb, Cny));
            Assert.Equal(Amount.Zero, Amount.Sum(ledger.GetNetPositions().Select(p => p.Position)));
        }

        // A replayed publication commits again but the ledger refuses it as a duplicate, on every validator.
        var replayed = world.Network.Publications.Single(p => p.Clearing.Originator == Icbc);
        var replay = await icbcClient.SubmitAsync(replayed.ToPayload()).WaitAsync(TimeSpan.FromSeconds(120));
        await WaitUntilAsync(() => ledgers.All(l => l.LastHeight >= replay.Height));
        Assert.All(ledgers, l => Assert.True(l.TryGetOutcome(replay.RequestDigest, out var o) && o.Failure == VoucherFailure.Duplicate));
        Assert.All(ledgers, l => Assert.Equal(2, l.ClearingCount));

        // Dispute: the third party assembles the evidence chain from the ledger; it verifies offline with the directory
        // and the ledger chain's validator set only.
        var published = ledgers[0].GetClearings(relation.Id);
        var blocks = new List<Block>();
        foreach (ulong height in published.Select(p => p.Height).Distinct())
        {
            blocks.Add((await chain.Stores[0].GetAsync(height))!);
        }

        var evidence = world.ThirdParty.AssembleEvidence(id, published.Select(p => p.Voucher), blocks);
        Assert.True(evidence.IsSuccess);
        var offline = Codec.Canonical.Decode<EvidenceChain>(Codec.Canonical.Encode(evidence.Value));
        Assert.True(VoucherVerifier.VerifyEvidence(offline, world.Directory, Fees, chain.Validators).IsValid);

        // Without the blocks, or with a validator set of another chain, the ledger part is not proven.
        var unproven = new EvidenceChain(offline.Retention, offline.Relation, offline.Clearings, []);
        Assert.Equal(VoucherFailure.NotOnLedger, VoucherVerifier.VerifyEvidence(unproven, world.Directory, Fees, chain.Validators).Failure);
        using var other = KeyOf("other-validator");
        Assert.Equal(VoucherFailure.NotOnLedger, VoucherVerifier.VerifyEvidence(offline, world.Directory, Fees, new ValidatorSet([other.PublicKey])).Failure);
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(120); // generous: a green run never waits for it
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "timed out waiting for the validators");
            await Task.Delay(5);
        }
    }
}
