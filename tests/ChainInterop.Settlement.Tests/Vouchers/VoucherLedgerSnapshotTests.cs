using ChainInterop.Codec;
using ChainInterop.Consensus;
using ChainInterop.Crypto;
using ChainInterop.Settlement.Vouchers;
using ChainInterop.Testing;
using FsCheck;
using FsCheck.Fluent;
using static ChainInterop.Settlement.Tests.SnapshotAssert;
using static ChainInterop.Settlement.Tests.Vouchers.VoucherWorld;

namespace ChainInterop.Settlement.Tests.Vouchers;

/// <summary>C5 checkpoints of the voucher ledger: a ledger restored from a snapshot goes on exactly as the original.</summary>
public sealed class VoucherLedgerSnapshotTests : IDisposable
{
    /// <summary>The height the first three blocks of <see cref="Script"/> end at.</summary>
    private const ulong SnapshotHeight = 3;

    private static readonly ChainId LedgerChain = new("voucher-ledger");

    // Made on first use by the property below: FsCheck.Xunit runs all of a property's cases on one instance.
    private readonly Lazy<Script> _midway = new(() =>
    {
        var script = new Script();
        script.RunToSnapshot();
        return script;
    });

    public void Dispose()
    {
        if (_midway.IsValueCreated)
        {
            _midway.Value.Dispose();
        }
    }

    [Fact]
    public void A_voucher_ledger_restored_from_a_snapshot_executes_the_next_blocks_exactly_as_the_original_C5()
    {
        using var script = new Script();
        script.RunToSnapshot();
        var bytes = Snapshot(script.Original);

        var restored = new VoucherLedger(script.World.Directory);
        restored.RestoreSnapshot(SnapshotHeight, bytes);

        Assert.Equal(bytes, Snapshot(restored));
        Assert.Equal(script.Original.StateHash, restored.StateHash);
        Assert.Equal(SnapshotHeight, restored.LastHeight);
        Assert.Equal(3, restored.ClearingCount);
        Assert.Equal(ClearingStatus.Executed, restored.GetClearingStatus(script.Payments[0].Relation));
        Assert.Equal(ClearingStatus.Partial, restored.GetClearingStatusOfTransaction(script.Payments[1].Transaction));
        Assert.True(restored.TryGetOutcome(script.FirstDigest, out var first));
        Assert.True(first.IsAccepted);

        // A block at or below the restored height is refused, as on the original.
        Assert.Throws<ArgumentException>(() => restored.Execute(script.Blocks[^1]));

        script.RunAfterSnapshot(restored);

        Assert.Equal(Snapshot(script.Original), Snapshot(restored));
        Assert.Equal(script.Original.StateHash, restored.StateHash);
        Assert.Equal((script.Original.LastHeight, script.Original.ClearingCount), (restored.LastHeight, restored.ClearingCount));
        Assert.Equal(script.Original.GetNetPositions(), restored.GetNetPositions());
        Assert.Equal(Amount.Zero, Amount.Sum(restored.GetNetPositions().Select(p => p.Position)));
        foreach (var (transaction, relation) in script.Payments)
        {
            Assert.Equal(ClearingStatus.Executed, restored.GetClearingStatus(relation));
            Assert.Equal(ClearingStatus.Executed, restored.GetClearingStatusOfTransaction(transaction));
            Assert.Equal(
                script.Original.GetClearings(relation).Select(c => (c.Voucher.Id, c.Height, c.EntryIndex, c.RequestDigest)),
                restored.GetClearings(relation).Select(c => (c.Voucher.Id, c.Height, c.EntryIndex, c.RequestDigest)));
        }
    }

    [Fact]
    public void Truncated_corrupted_foreign_or_misplaced_snapshot_bytes_are_refused_and_change_nothing_C5()
    {
        using var script = new Script();
        script.RunToSnapshot();
        var bytes = Snapshot(script.Original);

        // The target has a state of its own: the first block of the same chain.
        var target = new VoucherLedger(script.World.Directory);
        target.Execute(script.Blocks[0]);

        var before = Snapshot(target);
        for (int length = 0; length < bytes.Length; length++)
        {
            Assert.Throws<CodecException>(() => target.RestoreSnapshot(SnapshotHeight, bytes.AsMemory(0, length)));
        }

        Assert.Equal(before, Snapshot(target));

        var otherVersion = (byte[])bytes.Clone();
        Assert.Equal(VoucherLedger.SnapshotVersion, otherVersion[1]); // [0] is the array header, [1] the version as a fixint
        otherVersion[1] = VoucherLedger.SnapshotVersion + 1;
        Assert.Equal(CodecError.ValueOutOfRange, Refused(target, SnapshotHeight, otherVersion).Error);

        Refused(target, SnapshotHeight - 1, bytes);                                          // taken at another height
        Refused(target, SnapshotHeight, [.. bytes, 0xc0]);                                   // trailing bytes
        Refused(target, SnapshotHeight, Snapshot(OrderingOnlyApplication.Instance));         // another application's snapshot
        Refused(target, 0, Snapshot(new VoucherLedger(script.World.Directory)));            // a ledger that ran no block has no height

        // A net position moved without its counterpart: found by the cross-checks (positions sum to zero), not the codec.
        var ccb = script.Original.GetNetPosition(Ccb, Cny);
        var position = Canonical.Encode(new PositionProbe(ccb));
        int at = bytes.AsSpan().LastIndexOf(position);
        Assert.True(at > 0);
        var tampered = (byte[])bytes.Clone();
        tampered[at + position.Length - 1] ^= 1;
        Refused(target, SnapshotHeight, tampered);

        // The genuine bytes replace the target's state.
        target.RestoreSnapshot(SnapshotHeight, bytes);
        Assert.Equal(bytes, Snapshot(target));
    }

    [Property(MaxTest = 300)]
    public Property Flipping_any_byte_of_a_snapshot_is_refused_with_a_codec_error_and_no_change_or_restores_a_ledger_that_writes_it_back_C5()
    {
        var script = _midway.Value;
        var bytes = Snapshot(script.Original);
        return Prop.ForAll(Arbitraries.ByteFlips(bytes.Length), f =>
        {
            var copy = (byte[])bytes.Clone();
            copy[f.Position] ^= f.Mask;
            var target = new VoucherLedger(script.World.Directory);
            var before = Snapshot(target);
            try
            {
                target.RestoreSnapshot(SnapshotHeight, copy);
            }
            catch (CodecException)
            {
                Assert.Equal(before, Snapshot(target));
                return;
            }

            // Accepted (a flip in a free value such as a block time or an outcome digest): written back as read.
            Assert.Equal(copy, Snapshot(target));
        });
    }

    /// <summary>Encodes a position's amount as the snapshot does, to find it in the bytes.</summary>
    private readonly record struct PositionProbe(Amount Amount) : ICanonicalEncodable<PositionProbe>
    {
        public void Encode(ref CanonicalWriter writer)
        {
            writer.WriteArrayHeader(3);
            writer.WriteInstitutionId(Ccb);
            writer.WriteAssetCode(Cny);
            writer.WriteAmount(Amount);
        }

        public static PositionProbe Decode(ref CanonicalReader reader) => throw new NotSupportedException();
    }

    /// <summary>
    /// One voucher ledger chain's blocks, executed by <see cref="Original"/> as they are made: three card payments'
    /// clearings, with duplicates, a forgery, a second relation for a cleared payment, a half-signed relation and
    /// an entry that is no publication; three blocks before the snapshot height and two after.
    /// </summary>
    private sealed class Script : IDisposable
    {
        private readonly CommittedBlockWriter _writer;
        private readonly List<(Hash256 Transaction, RetentionNotice Notice, ClearingPublication Ccb, ClearingPublication Icbc)> _payments = [];

        public Script()
        {
            _writer = new CommittedBlockWriter(LedgerChain, World.Key(House));
            Original = new VoucherLedger(World.Directory);
            for (ulong nonce = 1; nonce <= 3; nonce++)
            {
                var id = VoucherIdOf(World.Submit(CardPayment((long)nonce * 100_00, nonce: nonce)));
                Assert.True(World.ThirdParty.TryGetRetained(id, out var notice));
                var byPayer = World.Network.Publications.Where(p => p.Relation.Id == notice.Relation.Id).ToDictionary(p => p.Clearing.Originator);
                _payments.Add((id, notice, byPayer[Ccb], byPayer[Icbc]));
            }
        }

        public VoucherWorld World { get; } = new();

        public VoucherLedger Original { get; }

        public List<CommittedBlock> Blocks { get; } = [];

        /// <summary>Each payment's transaction voucher and clearing relation.</summary>
        public IReadOnlyList<(Hash256 Transaction, Hash256 Relation)> Payments => [.. _payments.Select(p => (p.Transaction, p.Notice.Relation.Id))];

        /// <summary>The digest of the first request (the first payment's CCB clearing).</summary>
        public Hash256 FirstDigest { get; private set; }

        public void Dispose() => World.Dispose();

        public void RunToSnapshot()
        {
            var (_, _, ccb1, icbc1) = _payments[0];
            var (_, notice2, ccb2, icbc2) = _payments[1];
            var first = Entry(ccb1);
            FirstDigest = Canonical.Decode<ClientRequest>(first).Digest;
            Expect(Commit(StartMs, first, Entry(icbc1), _writer.Request(World.Key(Stranger), [0x92, 0x01])),
                VoucherFailure.None, VoucherFailure.None, VoucherFailure.Malformed);

            // ICBC's clearing of the second payment signed with another key.
            var clearing = icbc2.Clearing;
            var forged = ClearingVoucher.Create(Icbc, World.Key(Stranger), notice2.Relation.Id, clearing.Transfers, clearing.AssetSources, clearing.CreatedAtMs);
            Expect(Commit(StartMs + 1_000, Entry(ccb2), Entry(icbc1), Entry(new ClearingPublication(forged, notice2.Relation))),
                VoucherFailure.None, VoucherFailure.Duplicate, VoucherFailure.InvalidSignature);

            Expect(Commit(StartMs + 2_000));
            Assert.Equal(SnapshotHeight, _writer.Height);
        }

        /// <summary>Makes the blocks after the snapshot height and executes each on the original and on <paramref name="copy"/>, comparing results.</summary>
        public void RunAfterSnapshot(VoucherLedger copy)
        {
            var (transaction1, notice1, _, _) = _payments[0];
            var (_, _, _, icbc2) = _payments[1];
            var (_, notice3, ccb3, icbc3) = _payments[2];

            // A retried third party makes a second, fully co-signed relation for the first payment: it never clears twice.
            var again = ClearingRelationVoucher.Create(House, World.Key(House), transaction1, notice1.Retention.Id, notice1.Relation.Obligations, notice1.Relation.CreatedAtMs + 1);
            foreach (var payer in again.Payers.Where(p => p != House))
            {
                again = again.WithSignature(again.Sign(payer, World.Key(payer)));
            }

            var twice = ClearingVoucher.Create(Icbc, World.Key(Icbc), again, World.Ledger, World.Directory, StartMs);
            Assert.True(twice.IsSuccess, twice.Check.ToString());
            Expect(Commit(copy, StartMs + 3_000, Entry(icbc2), Entry(ccb3), Entry(new ClearingPublication(twice.Value!, again))),
                VoucherFailure.None, VoucherFailure.None, VoucherFailure.Duplicate);

            // The third payment's relation without ICBC's co-signature, then the genuine one, then it again.
            var halfSigned = ClearingRelationVoucher.Create(House, World.Key(House), notice3.Relation.TransactionVoucherId, notice3.Relation.RetentionVoucherId,
                notice3.Relation.Obligations, notice3.Relation.CreatedAtMs);
            halfSigned = halfSigned.WithSignature(halfSigned.Sign(Ccb, World.Key(Ccb)));
            Expect(Commit(copy, StartMs + 4_000, Entry(new ClearingPublication(icbc3.Clearing, halfSigned)), Entry(icbc3), Entry(icbc3)),
                VoucherFailure.MissingSignature, VoucherFailure.None, VoucherFailure.Duplicate);
        }

        private static void Expect(BlockExecution execution, params VoucherFailure[] failures) =>
            Assert.Equal(failures, execution.Results.Select(r => Canonical.Decode<VoucherLedgerOutcome>(r).Failure));

        /// <summary>A publication submitted by its paying institution, as its own client.</summary>
        private byte[] Entry(ClearingPublication publication) =>
            _writer.Request(World.Key(publication.Clearing.Originator), publication.ToPayload());

        private BlockExecution Commit(long timeUnixMs, params byte[][] entries)
        {
            var block = _writer.Next(timeUnixMs, entries);
            Blocks.Add(block);
            return Original.Execute(block);
        }

        private BlockExecution Commit(VoucherLedger copy, long timeUnixMs, params byte[][] entries)
        {
            var block = _writer.Next(timeUnixMs, entries);
            Blocks.Add(block);
            var expected = Original.Execute(block);
            SameExecution(expected, copy.Execute(block), block.Height);
            return expected;
        }
    }
}
