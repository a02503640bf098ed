using ChainInterop.Codec;
using ChainInterop.Consensus;
using ChainInterop.Crypto;
using ChainInterop.Ledger;
using ChainInterop.Settlement.Channels;
using ChainInterop.Testing;
using FsCheck;
using FsCheck.Fluent;
using static ChainInterop.Settlement.Tests.Channels.ChannelTestSupport;
using static ChainInterop.Settlement.Tests.SnapshotAssert;

namespace ChainInterop.Settlement.Tests.Channels;

/// <summary>C5 checkpoints of the channel contract: a contract restored from a snapshot goes on exactly as the original.</summary>
public sealed class ChannelContractSnapshotTests
{
    /// <summary>The height the first five blocks of <see cref="Script"/> end at.</summary>
    private const ulong SnapshotHeight = 5;

    // Channels of the script, one per fate: settled, claimed (nonce used elsewhere), released, settled after the
    // snapshot, claimed after it (payer underfunded), expired after it.
    private static readonly ChannelTerms A = Terms(nonce: 7);
    private static readonly ChannelTerms B = Terms(nonce: 8);
    private static readonly ChannelTerms C = Terms(nonce: 9);
    private static readonly ChannelTerms D = Terms(nonce: 10);
    private static readonly ChannelTerms E = Terms(nonce: 11);
    private static readonly ChannelTerms F = Terms(nonce: 12, deadline: T0 + 20_000);

    // Made on first use by the property below: FsCheck.Xunit runs all of a property's cases on one instance.
    private readonly Lazy<byte[]> _midway = new(() =>
    {
        var script = new Script();
        script.RunToSnapshot();
        return Snapshot(script.Original);
    });

    /// <summary>A contract configured as every test's: the same options make the same contract.</summary>
    private static ChannelContract NewContract()
    {
        var options = new ChannelContractOptions { Chain = Chain, Operator = OperatorKey.PublicKey, ClaimWindowMs = 10_000 };
        options.Assets.Add(Cny);
        return new ChannelContract(options);
    }

    [Fact]
    public void A_contract_restored_from_a_snapshot_executes_the_next_blocks_exactly_as_the_original_C5()
    {
        var script = new Script();
        script.RunToSnapshot();
        var bytes = Snapshot(script.Original);

        var restored = NewContract();
        restored.RestoreSnapshot(SnapshotHeight, bytes);

        Assert.Equal(bytes, Snapshot(restored));
        Assert.Equal(script.Original.ComputeStateHash(), restored.ComputeStateHash());
        Assert.Equal(SnapshotHeight, restored.LastAppliedHeight);
        Assert.Equal((3L, 1L, 5), (restored.ExecutedPaymentCount, restored.ClaimCount, restored.ChannelCount)); // two plain payments and A's settlement
        Assert.True(restored.TryGetReceipt(script.FirstDigest, out var first));
        Assert.Equal(ChannelResultCode.Ok, first.Code);

        script.RunAfterSnapshot(restored);

        Assert.Equal(Snapshot(script.Original), Snapshot(restored));
        Assert.Equal(script.Original.ComputeStateHash(), restored.ComputeStateHash());
        Assert.Equal(script.Original.LastAppliedHeight, restored.LastAppliedHeight);
        Assert.Equal((script.Original.ExecutedPaymentCount, script.Original.ClaimCount, script.Original.ChannelCount),
            (restored.ExecutedPaymentCount, restored.ClaimCount, restored.ChannelCount));
        Assert.Equal(script.Original.GetAccountIds(), restored.GetAccountIds());
        foreach (var account in restored.GetAccountIds())
        {
            Assert.True(script.Original.TryGetBalance(account, Cny, out var expected));
            Assert.True(restored.TryGetBalance(account, Cny, out var actual));
            Assert.Equal(expected, actual);
        }

        var fates = new (ChannelTerms Terms, ChannelState State, TransferState Collateral)[]
        {
            (A, ChannelState.Settled, TransferState.Voided),
            (B, ChannelState.Claimed, TransferState.Posted),
            (C, ChannelState.Open, TransferState.Voided),
            (D, ChannelState.Settled, TransferState.Voided),
            (E, ChannelState.Claimed, TransferState.Posted),
            (F, ChannelState.Open, TransferState.Expired),
        };
        foreach (var (terms, state, collateral) in fates)
        {
            Assert.True(restored.TryGetChannel(terms.Id, out var record));
            Assert.Equal((state, collateral), (record.State, restored.GetCollateralState(terms.Id)));
            Assert.Equal(script.Original.IsNonceUsed(PayerAccount, terms.Nonce), restored.IsNonceUsed(PayerAccount, terms.Nonce));
        }

        Assert.True(restored.TryGetChannel(E.Id, out var claimed));
        Assert.Equal(ClaimReason.PayerUnderfunded, claimed.ClaimReason);
        Assert.True(restored.IsNonceUsed(PayerAccount, E.Nonce));
    }

    [Fact]
    public void Truncated_corrupted_foreign_or_misplaced_snapshot_bytes_are_refused_and_change_nothing_C5()
    {
        var script = new Script();
        script.RunToSnapshot();
        var bytes = Snapshot(script.Original);

        // The target has a state of its own: the first two blocks of the same chain.
        var target = NewContract();
        foreach (var block in script.Blocks.Take(2))
        {
            target.Execute(block);
        }

        var before = Snapshot(target);
        for (int length = 0; length < bytes.Length; length++)
        {
            Assert.Throws<CodecException>(() => target.RestoreSnapshot(SnapshotHeight, bytes.AsMemory(0, length)));
        }

        Assert.Equal(before, Snapshot(target));

        var otherVersion = (byte[])bytes.Clone();
        Assert.Equal(ChannelContract.SnapshotVersion, otherVersion[1]); // [0] is the array header, [1] the version as a fixint
        otherVersion[1] = ChannelContract.SnapshotVersion + 1;
        Assert.Equal(CodecError.ValueOutOfRange, Refused(target, SnapshotHeight, otherVersion).Error);

        Refused(target, SnapshotHeight + 1, bytes);                                   // taken at another height
        Refused(target, SnapshotHeight, [.. bytes, 0xc0]);                            // trailing bytes
        Refused(target, SnapshotHeight, Snapshot(OrderingOnlyApplication.Instance));  // another application's snapshot
        Refused(target, 0, Snapshot(NewContract()));                                  // a contract that ran no block has no height

        // A channel whose collateral id was not derived from its terms: found by the cross-checks, not the codec.
        var channel = script.Original.TryGetChannel(A.Id, out var record) ? record : throw new InvalidOperationException();
        var collateral = Canonical.Encode(channel.CollateralId);
        int at = bytes.AsSpan().LastIndexOf(collateral); // the channel's record: after the ledger, which names it too
        Assert.True(at > 0);
        var tampered = (byte[])bytes.Clone();
        tampered[at + collateral.Length - 1] ^= 1;
        Refused(target, SnapshotHeight, tampered);

        // The genuine bytes replace the target's state.
        target.RestoreSnapshot(SnapshotHeight, bytes);
        Assert.Equal(bytes, Snapshot(target));
    }

    [Property(MaxTest = 300)]
    public Property Flipping_any_byte_of_a_snapshot_is_refused_with_a_codec_error_and_no_change_or_restores_a_contract_that_writes_it_back_C5()
    {
        var bytes = _midway.Value;
        return Prop.ForAll(Arbitraries.ByteFlips(bytes.Length), f =>
        {
            var copy = (byte[])bytes.Clone();
            copy[f.Position] ^= f.Mask;
            var target = NewContract();
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

            // Accepted (a flip in a free value such as an amount or a time): a consistent state, written back as read.
            Assert.Equal(copy, Snapshot(target));
        });
    }

    /// <summary>
    /// One chain's blocks, executed by <see cref="Original"/> as they are made: every command kind, accepted and
    /// refused, the first five blocks before the snapshot height and three after.
    /// </summary>
    private sealed class Script
    {
        private readonly CommittedBlockWriter _writer = new(Chain, OperatorKey);

        public ChannelContract Original { get; } = NewContract();

        public List<CommittedBlock> Blocks { get; } = [];

        /// <summary>The digest of the first request (the payer's registration).</summary>
        public Hash256 FirstDigest { get; private set; }

        public void RunToSnapshot()
        {
            var register = Entry(OperatorKey, Register(PayerAccount, PayerKey));
            FirstDigest = Canonical.Decode<ClientRequest>(register).Digest;
            Expect(Commit(T0,
                register,
                Entry(OperatorKey, Register(ProviderAccount, ProviderKey)),
                Entry(OperatorKey, new RegisterAccountCommand(PenaltyFund, Bank, null, [Cny])),
                Entry(OperatorKey, Register(Merchant, StrangerKey)),
                Entry(StrangerKey, Register(new AccountId("mallory"), StrangerKey)),
                _writer.Request(StrangerKey, [0x92, 0x01])),
                ChannelResultCode.Ok, ChannelResultCode.Ok, ChannelResultCode.Ok, ChannelResultCode.Ok, ChannelResultCode.Unauthorized, ChannelResultCode.Malformed);

            Expect(Commit(T0 + 1,
                Entry(OperatorKey, new DepositCommand(PayerAccount, Cny, M(20_000))),
                Entry(StrangerKey, new DepositCommand(Merchant, Cny, M(1_000_000)))),
                ChannelResultCode.Ok, ChannelResultCode.Unauthorized);

            Expect(Commit(T0 + 2,
                Entry(PayerKey, new OpenChannelCommand(Agree(A))),
                Entry(PayerKey, new OpenChannelCommand(Agree(B))),
                Entry(PayerKey, new OpenChannelCommand(Agree(C))),
                Entry(PayerKey, new OpenChannelCommand(Agree(D))),
                Entry(PayerKey, new OpenChannelCommand(Agree(F))),
                Entry(PayerKey, new OpenChannelCommand(new ChannelAgreement(E, E.Sign(PayerKey), E.Sign(StrangerKey))))),
                ChannelResultCode.Ok, ChannelResultCode.Ok, ChannelResultCode.Ok, ChannelResultCode.Ok, ChannelResultCode.Ok, ChannelResultCode.InvalidSignature);

            var plain = Plain(100, 100);
            Expect(Commit(T0 + 3,
                Entry(StrangerKey, new SubmitPaymentCommand(plain)),
                Entry(StrangerKey, new SubmitPaymentCommand(plain)),
                Entry(StrangerKey, new SubmitPaymentCommand(Plain(B.Nonce, 500)))),
                ChannelResultCode.Ok, ChannelResultCode.NonceAlreadyUsed, ChannelResultCode.Ok);

            Expect(Commit(T0 + 4,
                Entry(ProviderKey, new SubmitPaymentCommand(Iterative(A, 1_000))),
                Entry(ProviderKey, new SubmitPaymentCommand(Iterative(B, 1_000))),
                Entry(ProviderKey, new ClaimCollateralCommand(Iterative(B, 1_000))),
                Entry(StrangerKey, ReleaseCollateralCommand.Create(C.Id, ProviderKey)),
                Entry(StrangerKey, ReleaseCollateralCommand.Create(D.Id, PayerKey))),
                ChannelResultCode.Ok, ChannelResultCode.NonceAlreadyUsed, ChannelResultCode.Ok, ChannelResultCode.Ok, ChannelResultCode.InvalidSignature);
            Assert.Equal(SnapshotHeight, _writer.Height);
        }

        /// <summary>Makes the blocks after the snapshot height and executes each on the original and on <paramref name="copy"/>, comparing results.</summary>
        public void RunAfterSnapshot(ChannelContract copy)
        {
            // Every refusal here rests on state from before the snapshot: a used nonce, a (payer, nonce) of an open
            // channel, a settled channel. A block time before the previous block's counts as the previous block's.
            Expect(Commit(copy, T0 + 3,
                Entry(StrangerKey, new SubmitPaymentCommand(Plain(100, 100))),
                Entry(PayerKey, new OpenChannelCommand(Agree(Terms(nonce: D.Nonce, collateral: 2_000)))),
                Entry(ProviderKey, new ClaimCollateralCommand(Iterative(A, 1_000))),
                Entry(PayerKey, new OpenChannelCommand(Agree(E))),
                Entry(ProviderKey, new SubmitPaymentCommand(Iterative(D, 300))),
                Entry(ProviderKey, new ClaimCollateralCommand(Iterative(E, 1_000)))),
                ChannelResultCode.NonceAlreadyUsed, ChannelResultCode.ChannelExists, ChannelResultCode.ChannelNotOpen,
                ChannelResultCode.Ok, ChannelResultCode.Ok, ChannelResultCode.ClaimNotAllowed);

            // The payer moves away all but 50 of what it can spend: E's transaction can no longer execute, so its
            // provider claims the collateral.
            Assert.True(Original.TryGetBalance(PayerAccount, Cny, out var balance));
            Expect(Commit(copy, T0 + 6,
                Entry(StrangerKey, new SubmitPaymentCommand(Plain(101, balance.Available.MinorUnits - 50))),
                Entry(ProviderKey, new SubmitPaymentCommand(Iterative(E, 1_000))),
                Entry(ProviderKey, new ClaimCollateralCommand(Iterative(E, 1_000)))),
                ChannelResultCode.Ok, ChannelResultCode.LedgerRefused, ChannelResultCode.Ok);

            // F's claim window ended: its collateral went back to the payer when this block's time came.
            Expect(Commit(copy, T0 + 40_000,
                Entry(ProviderKey, new ClaimCollateralCommand(Iterative(F, 500))),
                Entry(StrangerKey, ReleaseCollateralCommand.Create(F.Id, ProviderKey)),
                Entry(OperatorKey, Register(PayerAccount, StrangerKey)),
                Entry(OperatorKey, Register(new AccountId("late:cny"), StrangerKey)),
                Entry(OperatorKey, new DepositCommand(new AccountId("late:cny"), Cny, M(5)))),
                ChannelResultCode.ClaimWindowClosed, ChannelResultCode.ClaimWindowClosed, ChannelResultCode.AccountExists, ChannelResultCode.Ok, ChannelResultCode.Ok);
        }

        private static RegisterAccountCommand Register(AccountId account, PrivateKey key) => new(account, Bank, key.PublicKey, [Cny]);

        private static PaymentTransaction Plain(ulong nonce, long amount) =>
            PaymentTransaction.Create(PayerKey, Chain, PayerAccount, Merchant, Cny, M(amount), nonce, default);

        private static void Expect(BlockExecution execution, params ChannelResultCode[] codes) =>
            Assert.Equal(codes, execution.Results.Select(r => Canonical.Decode<ChannelReceipt>(r).Code));

        private byte[] Entry(PrivateKey submitter, ChannelCommand command) => _writer.Request(submitter, command.ToPayload());

        private BlockExecution Commit(long timeUnixMs, params byte[][] entries)
        {
            var block = _writer.Next(timeUnixMs, entries);
            Blocks.Add(block);
            return Original.Execute(block);
        }

        private BlockExecution Commit(ChannelContract copy, long timeUnixMs, params byte[][] entries)
        {
            var block = _writer.Next(timeUnixMs, entries);
            Blocks.Add(block);
            var expected = Original.Execute(block);
            SameExecution(expected, copy.Execute(block), block.Height);
            return expected;
        }
    }
}
