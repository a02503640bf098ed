using System.Buffers;
using ChainInterop.Codec;
using ChainInterop.Crypto;
using ChainInterop.Settlement.Netting;
using static ChainInterop.Settlement.Tests.Netting.NettingTestSupport;

namespace ChainInterop.Settlement.Tests.Netting;

/// <summary>Recording a cycle's gross obligations (SPEC S3, Alg. 11 steps 4–6): validation, idempotence, limits and the records digest.</summary>
public class GrossObligationBookTests
{
    [Fact]
    public void Records_in_order_and_interns_participants_and_assets_once_S3_Alg11()
    {
        var book = Book([Ob(1, BankB, BankA, Usd, 5), Ob(2, BankA, BankC, Cny, 7), Ob(3, BankC, BankB, Usd, 9)]);
        Assert.Equal(3, book.Count);
        Assert.Equal([BankB, BankA, BankC], book.Participants);
        Assert.Equal([Usd, Cny], book.Assets);
        Assert.Equal(Ob(2, BankA, BankC, Cny, 7), book[1]);
        Assert.Equal(book.ToArray(), book);
        Assert.True(book.TryGet(Tx(3), out var third));
        Assert.Equal(Ob(3, BankC, BankB, Usd, 9), third);
        Assert.False(book.TryGet(Tx(4), out _));
        Assert.Throws<ArgumentOutOfRangeException>(() => book[3]);
    }

    [Fact]
    public void Invalid_and_duplicate_obligations_are_refused_and_change_nothing_S3_Alg11()
    {
        var book = Book([Ob(1, BankA, BankB, Cny, 5)]);
        Assert.Equal(ObligationCode.AlreadyRecorded, book.Add(Ob(1, BankA, BankB, Cny, 5)));
        Assert.Equal(ObligationCode.DuplicateTransaction, book.Add(Ob(1, BankA, BankC, Cny, 5)));
        Assert.Equal(ObligationCode.InvalidAmount, book.Add(Ob(2, BankA, BankD, Eur, 0)));
        Assert.Equal(ObligationCode.InvalidAmount, book.Add(Ob(2, BankA, BankD, Eur, long.MinValue)));
        Assert.Equal(ObligationCode.SameParticipant, book.Add(Ob(2, BankD, BankD, Eur, 3)));
        Assert.Equal(ObligationCode.MissingField, book.Add(new GrossObligation(Hash256.Zero, BankA, BankD, Eur, M(3))));
        Assert.Equal(ObligationCode.MissingField, book.Add(new GrossObligation(Tx(2), default, BankD, Eur, M(3))));
        Assert.Equal(ObligationCode.MissingField, book.Add(new GrossObligation(Tx(2), BankA, default, Eur, M(3))));
        Assert.Single(book);
        Assert.Equal([BankA, BankB], book.Participants);
        Assert.Equal([Cny], book.Assets);
    }

    [Fact]
    public void Keeps_gross_count_and_value_per_asset_and_refuses_what_would_overflow_them_S3_Alg11()
    {
        long half = (long.MaxValue / 2) + 1;
        var book = Book([Ob(1, BankA, BankB, Cny, half - 1), Ob(2, BankB, BankC, Usd, 7), Ob(3, BankB, BankA, Cny, half)]);
        Assert.Equal((2, M(long.MaxValue)), (book.CountOf(Cny), book.GrossValueOf(Cny)));
        Assert.Equal((1, M(7)), (book.CountOf(Usd), book.GrossValueOf(Usd)));
        Assert.Equal((0, M(0)), (book.CountOf(Eur), book.GrossValueOf(Eur)));
        Assert.Equal(ObligationCode.GrossValueOverflow, book.Add(Ob(4, BankC, BankA, Cny, 1)));
        Assert.Equal(ObligationCode.Ok, book.Add(Ob(4, BankC, BankA, Eur, long.MaxValue)));
        Assert.Equal((2, M(long.MaxValue)), (book.CountOf(Cny), book.GrossValueOf(Cny)));
        Assert.Equal(4, book.Count);

        // A book at the limit still nets: every sum is bounded by the gross value.
        var result = new NettingEngine().Net(Cycle1, book).Result!;
        Assert.Equal(M(long.MaxValue), result.Find(Cny)!.GrossValue);
        Assert.Equal(M(1), result.NetOf(BankA, Cny));
        Assert.Equal(M(long.MaxValue), result.NetOf(BankA, Eur));
    }

    [Fact]
    public void Participant_asset_and_obligation_limits_are_typed_refusals_S3_Alg11()
    {
        var participants = new GrossObligationBook();
        int n = 0;
        for (int i = 0; i < GrossObligationBook.MaxParticipantsPerCycle; i += 2)
        {
            Assert.Equal(ObligationCode.Ok, participants.Add(Ob(n++, new ChainId($"p{i}"), new ChainId($"p{i + 1}"), Cny, 1)));
        }

        Assert.Equal(ObligationCode.ParticipantLimitExceeded, participants.Add(Ob(n++, new ChainId("p0"), new ChainId("new"), Cny, 1)));
        Assert.Equal(ObligationCode.Ok, participants.Add(Ob(n++, new ChainId("p0"), new ChainId("p7"), Cny, 1)));

        var assets = new GrossObligationBook();
        for (int i = 0; i < GrossObligationBook.MaxAssetsPerCycle; i++)
        {
            Assert.Equal(ObligationCode.Ok, assets.Add(Ob(i, BankA, BankB, new AssetCode($"A{i}"), 1)));
        }

        Assert.Equal(ObligationCode.AssetLimitExceeded, assets.Add(Ob(1000, BankA, BankB, new AssetCode("NEW"), 1)));
        Assert.Equal(ObligationCode.Ok, assets.Add(Ob(1001, BankA, BankB, new AssetCode("A7"), 1)));

        var obligations = new GrossObligationBook(initialCapacity: 0, maxObligations: 2);
        Assert.Equal(ObligationCode.Ok, obligations.Add(Ob(1, BankA, BankB, Cny, 1)));
        Assert.Equal(ObligationCode.Ok, obligations.Add(Ob(2, BankA, BankB, Cny, 1)));
        Assert.Equal(ObligationCode.ObligationLimitExceeded, obligations.Add(Ob(3, BankA, BankB, Cny, 1)));
        Assert.Equal(ObligationCode.AlreadyRecorded, obligations.Add(Ob(2, BankA, BankB, Cny, 1)));
        Assert.Equal(2, obligations.Count);
    }

    [Fact]
    public void Digest_is_SHA256_of_the_canonical_array_of_records_S3_Alg11()
    {
        // 2,000 records (about 200 KB) so the streaming hash crosses its 64 KB chunks.
        var records = Enumerable.Range(0, 2000).Select(i => Ob(i, i % 2 == 0 ? BankA : BankB, BankC, i % 3 == 0 ? Usd : Cny, 1 + i)).ToArray();
        var buffer = new ArrayBufferWriter<byte>();
        var writer = new CanonicalWriter(buffer);
        writer.WriteArrayHeader(records.Length);
        foreach (var r in records)
        {
            r.Encode(ref writer);
        }

        Assert.Equal(Hash256.Compute(buffer.WrittenSpan), Book(records).ComputeDigest());
        Assert.Equal(Hash256.Compute([0x90]), new GrossObligationBook().ComputeDigest());
        Assert.NotEqual(Book(records).ComputeDigest(), Book(records.Reverse()).ComputeDigest());
    }

    [Fact]
    public void Capacity_is_bounded_S3_Alg11()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new GrossObligationBook(-1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new GrossObligationBook(GrossObligationBook.MaxObligationsPerCycle + 1));
        var book = new GrossObligationBook(4);
        for (int i = 0; i < 40; i++)
        {
            Assert.Equal(ObligationCode.Ok, book.Add(Ob(i, BankA, BankB, Cny, 1)));
        }

        Assert.Equal(40, book.Count);
    }
}
