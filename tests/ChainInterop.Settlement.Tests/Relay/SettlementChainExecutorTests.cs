using ChainInterop.Blocks;
using ChainInterop.Codec;
using ChainInterop.Consensus;
using ChainInterop.Consensus.CrossChain;
using ChainInterop.Crypto;
using ChainInterop.Ledger;
using ChainInterop.Settlement.CrossChainTransactions;
using ChainInterop.Settlement.Relay;
using ChainInterop.Settlement.Tests.Hosting;

namespace ChainInterop.Settlement.Tests.Relay;

/// <summary>
/// The settlement chain executor: a chain acts only on what it committed; a delivered message is executed once f + 1
/// of the chain's validators attested identical content ("vote after receiving", Alg. 1–4), exactly once.
/// </summary>
public sealed class SettlementChainExecutorTests : IDisposable
{
    private static readonly ChainId BankB = new("bank-b");
    private static readonly ChainId Icc = new("icc-1");

    // BankB's TBC at the ICC: everything the ICC sends BankB comes from it.
    private static readonly ChainId Tbc = InProcessSettlementNetworkTests.Spec().Intermediaries[0].TradingChainOf(BankB);
    private static readonly AssetCode Usd = new("USD");
    private static readonly AccountId Bob = new("bob");

    private readonly PrivateKey[] _validators = [.. Enumerable.Range(0, 4).Select(_ => SignatureSchemes.Ed25519.GenerateKey())];
    private readonly PrivateKey _operator = SignatureSchemes.Ed25519.GenerateKey();
    private readonly PrivateKey _stranger = SignatureSchemes.Ed25519.GenerateKey();
    private readonly ParticipantChainApplication _ppc = InProcessSettlementNetworkTests.Spec().CreateParticipant(BankB);
    private readonly SettlementChainExecutor _executor;
    private ulong _height;
    private ulong _timestamp;

    public SettlementChainExecutorTests()
    {
        _executor = Executor(_ppc, new SettlementExecutorOptions { MaxPendingAttestationsPerValidator = 3, SequenceWindow = 100 });
    }

    public void Dispose()
    {
        foreach (var key in _validators.Append(_operator).Append(_stranger))
        {
            key.Dispose();
        }
    }

    [Fact]
    public void An_operators_query_is_answered_in_its_reply_and_changes_nothing_and_a_strangers_is_refused_S2()
    {
        var balanceQuery = Request(_operator, SettlementEntry.Ask(SettlementQuery.Balance(SettlementNetworkSpec.TransitAccount, Usd)));
        var unknownTx = Request(_operator, SettlementEntry.Ask(SettlementQuery.Transaction(Hash256.Compute("unknown"u8))));
        var stranger = Request(_stranger, SettlementEntry.Ask(SettlementQuery.Balance(Bob, Usd)));
        var result = Apply(balanceQuery, unknownTx, stranger);

        var answers = result.Results.Select(r => Canonical.Decode<SettlementReply>(r)).ToArray();
        Assert.Equal(SettlementEntryCode.Answered, answers[0].Code);
        Assert.Equal(_ppc.Ledger.GetBalance(SettlementNetworkSpec.TransitAccount, Usd), answers[0].Balance);
        Assert.Equal((SettlementEntryCode.Answered, (CrossChainTransactionState?)null), (answers[1].Code, answers[1].State));
        Assert.Equal((SettlementEntryCode.Unauthorized, (Ledger.Balance?)null), (answers[2].Code, answers[2].Balance));
        Assert.Empty(result.Outbound);
        Assert.Equal(0, _ppc.Ledger.PendingCount);
    }

    [Fact]
    public void Queries_and_replies_round_trip_through_the_canonical_codec_and_malformed_ones_are_refused()
    {
        foreach (var query in new[] { SettlementQuery.Transaction(Hash256.Compute("t"u8)), SettlementQuery.Balance(Bob, Usd) })
        {
            var decoded = Canonical.Decode<SettlementEntry>(SettlementEntry.Ask(query).ToCanonicalBytes());
            Assert.Equal(SettlementEntryKind.Query, decoded.Kind);
            Assert.Equal(Canonical.Encode(query), Canonical.Encode(decoded.Query!));
        }

        var reply = new SettlementReply(SettlementEntryCode.Answered, CrossChainResultCode.Ok, Hash256.Compute("r"u8), CrossChainTransactionState.Committed,
            TransferFailureReason.None) { Balance = new Ledger.Balance(new Amount(5), new Amount(1), new Amount(2), new Amount(0)) };
        Assert.Equal(reply, Canonical.Decode<SettlementReply>(Canonical.Encode(reply)));
        Assert.Throws<ArgumentException>(() => SettlementQuery.Balance(default, Usd));
        Assert.Throws<CodecException>(() => Canonical.Decode<SettlementQuery>(new byte[] { 0x92, 0x02, 0x01 })); // a balance query needs 3 fields
    }

    [Fact]
    public void A_delivered_offer_executes_when_f_plus_one_validators_attested_it_and_only_once_Alg3()
    {
        var offer = Offer(sequence: 0, amount: 40);
        Assert.Equal(SettlementEntryCode.Attested, Single(Attest(0, offer)).Code);
        var executed = Apply(Attest(1, offer), Attest(2, offer));

        Assert.Equal(SettlementEntryCode.Executed, executed.Entries[0].Code);
        Assert.Equal(SettlementEntryCode.AlreadyDelivered, executed.Entries[1].Code);
        Assert.Equal([(Tbc, 0UL)], executed.Executed);
        Assert.Equal(CrossChainTransactionState.Pending, _ppc.GetState(offer.TxId));
        var accept = Assert.Single(executed.Outbound);
        Assert.IsType<TransferAccept>(Canonical.Decode<TransferMessage>(accept.Payload));
        Assert.Equal(40, _ppc.Ledger.GetBalance(SettlementNetworkSpec.TransitAccount, Usd).PendingDebits.MinorUnits);
        Assert.True(_executor.WasExecuted(Tbc, 0));
        Assert.Equal(1UL, _executor.NextExpected(Tbc));
        Assert.Equal(0, _executor.PendingAttestations);
    }

    [Fact]
    public void F_Byzantine_validators_cannot_inject_a_forged_message_S2()
    {
        var genuine = Offer(sequence: 0, amount: 40);
        var forged = Offer(sequence: 0, amount: 900);

        // One Byzantine validator alone, or one forged copy against one genuine copy, executes nothing.
        var split = Apply(Attest(3, forged), Attest(0, genuine));
        Assert.All(split.Entries, e => Assert.Equal(SettlementEntryCode.Attested, e.Code));
        Assert.Null(_ppc.GetState(genuine.TxId));

        // The second honest validator completes f + 1 for the genuine content only.
        var executed = Single(Attest(1, genuine));
        Assert.Equal(SettlementEntryCode.Executed, executed.Code);
        Assert.Equal(40, _ppc.Ledger.GetBalance(SettlementNetworkSpec.TransitAccount, Usd).PendingDebits.MinorUnits);
        Assert.Equal(SettlementEntryCode.AlreadyDelivered, Single(Attest(2, forged)).Code);
    }

    [Fact]
    public void Only_validators_attest_only_operators_start_transfers_and_ticks_are_throttled_S1()
    {
        var offer = Offer(sequence: 0, amount: 40);
        Assert.Equal(SettlementEntryCode.Unauthorized, Single(Request(_operator, SettlementEntry.Attest(offer.Message))).Code);
        Assert.Equal(SettlementEntryCode.Unauthorized, Single(Request(_stranger, SettlementEntry.Attest(offer.Message))).Code);

        var start = SettlementEntry.OwnCommand(new StartTransfer(Hash256.Compute("s"u8), Icc, Bob, new ChainId("bank-a"), new AccountId("alice"),
            Usd, new Amount(5), AckMode.ModeI, SettlementTiming.RealTime, long.MaxValue));
        Assert.Equal(SettlementEntryCode.Unauthorized, Single(Request(_validators[0], start)).Code);
        Assert.Equal(SettlementEntryCode.Unauthorized, Single(Request(_stranger, start)).Code);
        Assert.Equal(SettlementEntryCode.Executed, Single(Request(_operator, start)).Code);

        var tick = SettlementEntry.OwnCommand(new Tick(0));
        Assert.Equal(SettlementEntryCode.Executed, Single(Request(_validators[0], tick), timeMs: 10_000).Code);
        Assert.Equal(SettlementEntryCode.Throttled, Single(Request(_validators[1], tick), timeMs: 10_100).Code);
        Assert.Equal(SettlementEntryCode.Executed, Single(Request(_validators[1], tick), timeMs: 10_600).Code);
        Assert.Equal(SettlementEntryCode.Unauthorized, Single(Request(_stranger, tick), timeMs: 20_000).Code);
    }

    [Fact]
    public void Messages_from_unlinked_chains_beyond_the_window_or_for_another_chain_are_refused_and_change_nothing()
    {
        var stranger = new CrossChainMessage(new ChainId("icc-9"), BankB, 0, new PendingAck(Hash256.Compute("x"u8)).ToCanonicalBytes());
        Assert.Equal(SettlementEntryCode.OutOfWindow, Single(Attest(0, stranger)).Code);
        Assert.Equal(SettlementEntryCode.OutOfWindow, Single(Attest(0, Offer(sequence: 100, amount: 1).Message)).Code);
        var elsewhere = new CrossChainMessage(Tbc, new ChainId("bank-c"), 0, new PendingAck(Hash256.Compute("x"u8)).ToCanonicalBytes());
        Assert.Equal(SettlementEntryCode.Malformed, Single(Attest(0, elsewhere)).Code);

        // A request consensus committed whose payload is not a settlement entry (consensus already dropped entries that are not requests of this chain).
        var notAnEntry = ClientRequest.Create(_operator, BankB, ++_timestamp, new byte[] { 0x93, 0x01 });
        var result = Apply([Canonical.Encode(notAnEntry)]);
        Assert.Equal(SettlementEntryCode.Malformed, result.Entries[0].Code);
        Assert.Equal(new SettlementReply(SettlementEntryCode.Malformed, null, Hash256.Zero, null, TransferFailureReason.None),
            Canonical.Decode<SettlementReply>(result.Results[0]));
        Assert.Equal(0, _executor.PendingAttestations);
        Assert.Equal(0, _ppc.Ledger.PendingCount);
    }

    [Fact]
    public void A_validator_over_its_attestation_limit_is_refused_so_it_cannot_grow_the_state()
    {
        for (ulong s = 1; s <= 3; s++)
        {
            Assert.Equal(SettlementEntryCode.Attested, Single(Attest(3, Offer(s, 1).Message)).Code);
        }

        Assert.Equal(SettlementEntryCode.LimitExceeded, Single(Attest(3, Offer(4, 1).Message)).Code);
        Assert.Equal(SettlementEntryCode.Attested, Single(Attest(0, Offer(4, 1).Message)).Code);
    }

    [Fact]
    public void Every_copy_executing_the_same_blocks_agrees_and_a_block_executes_once_in_height_order()
    {
        var twin = Executor(InProcessSettlementNetworkTests.Spec().CreateParticipant(BankB), null);
        var offer = Offer(sequence: 0, amount: 40);
        var block = Block([Encode(_validators[0], SettlementEntry.Attest(offer.Message)), Encode(_validators[1], SettlementEntry.Attest(offer.Message))], 5_000);

        var first = _executor.Execute(CommittedBlock.Decode(block));
        Assert.Throws<ArgumentException>(() => _executor.Execute(CommittedBlock.Decode(block)));
        var copy = twin.Execute(CommittedBlock.Decode(block));

        Assert.Single(first.Outbound);
        Assert.Equal(first.Outbound.Select(m => m.Digest), copy.Outbound.Select(m => m.Digest));
        Assert.Equal(first.Results.Select(r => Hash256.Compute(r.Span)), copy.Results.Select(r => Hash256.Compute(r.Span)));
    }

    private SettlementChainExecutor Executor(ParticipantChainApplication ppc, SettlementExecutorOptions? options) =>
        SettlementChainExecutor.ForParticipant(ppc, new ValidatorSet(_validators.Select(k => k.PublicKey)),
            new HashSet<NodeId> { NodeId.FromPublicKey(_operator.PublicKey) }, [Tbc], options);

    private static (Hash256 TxId, CrossChainMessage Message) Offer(ulong sequence, long amount)
    {
        var tx = Hash256.Compute(BitConverter.GetBytes(sequence));
        var offer = new TransferOffer(tx, new ChainId("bank-a"), Bob, Usd, new Amount(amount), long.MaxValue);
        return (tx, new CrossChainMessage(Tbc, BankB, sequence, offer.ToCanonicalBytes()));
    }

    private byte[] Attest(int validator, (Hash256 TxId, CrossChainMessage Message) offer) => Attest(validator, offer.Message);

    private byte[] Attest(int validator, CrossChainMessage message) => Encode(_validators[validator], SettlementEntry.Attest(message));

    private byte[] Request(PrivateKey key, SettlementEntry entry) => Encode(key, entry);

    private byte[] Encode(PrivateKey key, SettlementEntry entry) =>
        Canonical.Encode(ClientRequest.Create(key, BankB, ++_timestamp, entry.ToCanonicalBytes()));

    private SettlementEntryResult Single(byte[] entry, long timeMs = 1_000) => Apply([entry], timeMs).Entries[0];

    private SettlementBlockResult Apply(params byte[][] entries) => Apply(entries, 1_000);

    private SettlementBlockResult Apply(byte[][] entries, long timeMs) => _executor.Execute(CommittedBlock.Decode(Block(entries, timeMs)));

    private Block Block(byte[][] entries, long timeMs) =>
        Blocks.Block.Create(BankB, _height++, Hash256.Zero, timeMs, NodeId.FromPublicKey(_validators[0].PublicKey), 0, entries.Select(e => (ReadOnlyMemory<byte>)e));
}
