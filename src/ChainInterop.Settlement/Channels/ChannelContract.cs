using System.Buffers;
using System.Text;
using ChainInterop.Blocks;
using ChainInterop.Codec;
using ChainInterop.Consensus;
using ChainInterop.Crypto;
using ChainInterop.Ledger;

namespace ChainInterop.Settlement.Channels;

/// <summary>
/// The chain-side settlement contract of iterative payment channels (SPEC P2, P4): a deterministic application that
/// every validator runs on the committed blocks of its chain. Balances live in an <see cref="AccountLedger"/>; the
/// contract adds the account keys, a per-payer table of used sequence numbers (nonces), and the registered channels.
/// </summary>
/// <remarks>
/// <para>Rules (docs/CHANNELS.md):</para>
/// <list type="number">
/// <item><description>One transaction per (payer, nonce): a <see cref="SubmitPaymentCommand"/> whose nonce is used is
/// refused with <see cref="ChannelResultCode.NonceAlreadyUsed"/>, so no earlier iterative transaction can be replayed
/// after close (P2).</description></item>
/// <item><description>A transaction that names a channel executes only when submitted by the channel's provider and
/// only while the channel is open; its execution settles the channel and releases the collateral.</description></item>
/// <item><description><see cref="OpenChannelCommand"/> reserves the collateral from the payer to the preset collateral
/// account until the channel's deadline plus the claim window; the ledger releases it to the payer at that time unless
/// it was claimed.</description></item>
/// <item><description><see cref="ClaimCollateralCommand"/> (provider only, open channel, collateral still held) pays the
/// last iterative transaction from the collateral, plus the penalty to the penalty recipient, when the payer used the
/// nonce on another transaction or cannot pay it; the rest of the collateral returns to the payer (P4).</description></item>
/// </list>
/// <para>A refused command changes nothing. Deterministic and single-threaded: the inputs are the committed requests
/// and the block times; not thread-safe.</para>
/// </remarks>
public sealed partial class ChannelContract : IChainApplication
{
    /// <summary>The most channels the contract registers, in channels.</summary>
    public const int MaxChannels = 1_000_000;

    /// <summary>The most used (payer, nonce) pairs the contract records, in pairs.</summary>
    public const int MaxUsedNonces = 10_000_000;

    /// <summary>The most receipts kept for <see cref="TryGetReceipt"/>, in receipts; older ones are forgotten first.</summary>
    public const int MaxRetainedReceipts = 100_000;

    // Copied from the options at construction: a caller changing its options object later cannot make validators disagree.
    private readonly PublicKey _operator;
    private readonly long _claimWindowMs;
    // Not readonly: RestoreSnapshot replaces it with the ledger the snapshot holds.
    private AccountLedger _ledger = new();
    private readonly Dictionary<AccountId, PublicKey?> _accountKeys = [];
    private readonly Dictionary<Hash256, ChannelRecord> _channels = [];

    // Invariant: holds (payer, nonce) of every channel in state Open, and only those.
    private readonly Dictionary<(AccountId Payer, ulong Nonce), Hash256> _openByNonce = [];

    // Invariant: a (payer, nonce) is here iff a transaction with it executed, or a claim for an underfunded payer consumed it.
    private readonly Dictionary<(AccountId Payer, ulong Nonce), NonceUse> _usedNonces = [];
    private readonly Dictionary<Hash256, ChannelReceipt> _receipts = [];
    private readonly Queue<Hash256> _receiptOrder = new();
    private long _blockTime;

    /// <summary>Creates the contract and opens its collateral account.</summary>
    /// <param name="options">The chain, operator, collateral account, assets and claim window.</param>
    /// <exception cref="ArgumentNullException"><paramref name="options"/> is null.</exception>
    /// <exception cref="ArgumentException">The options are invalid.</exception>
    public ChannelContract(ChannelContractOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        Chain = options.Chain;
        CollateralAccount = options.CollateralAccount;
        _operator = options.Operator!;
        _claimWindowMs = options.ClaimWindowMs;
        var opened = _ledger.Apply(new OpenAccountCommand(options.CollateralAccount, options.ContractOwner, [.. options.Assets]), 0);
        System.Diagnostics.Debug.Assert(opened.Code == LedgerResultCode.Ok, "a fresh ledger opens the collateral account");
        _accountKeys.Add(options.CollateralAccount, null);
    }

    /// <summary>The chain the contract runs on.</summary>
    public ChainId Chain { get; }

    /// <summary>The preset collateral account.</summary>
    public AccountId CollateralAccount { get; }

    /// <summary>The height of the last block applied, or null before the first.</summary>
    public ulong? LastAppliedHeight { get; private set; }

    /// <summary>How many payment transactions executed on chain (plain and channel).</summary>
    public long ExecutedPaymentCount { get; private set; }

    /// <summary>How many collateral claims were paid.</summary>
    public long ClaimCount { get; private set; }

    /// <summary>The number of registered channels.</summary>
    public int ChannelCount => _channels.Count;

    /// <summary>Executes a committed block's new requests, in order (the contract is the chain's <see cref="IChainApplication"/>).</summary>
    /// <param name="block">The committed block and its requests, decoded and verified by consensus.</param>
    /// <returns>One result per request: its <see cref="ChannelReceipt"/> in canonical form (<see cref="ChannelReceipt.Read"/>).</returns>
    /// <exception cref="ArgumentNullException"><paramref name="block"/> is null.</exception>
    public BlockExecution Execute(CommittedBlock block)
    {
        ArgumentNullException.ThrowIfNull(block);
        ApplyTime(block.TimestampUnixMs);
        var results = new ReadOnlyMemory<byte>[block.Requests.Count];
        for (int i = 0; i < results.Length; i++)
        {
            results[i] = Canonical.Encode(Execute(block.Requests[i].Request, block.TimestampUnixMs));
        }

        LastAppliedHeight = block.Height;
        return new BlockExecution(results, []);
    }

    /// <summary>Executes one committed request.</summary>
    /// <param name="request">The request; its payload is a <see cref="ChannelCommand"/>.</param>
    /// <param name="blockTimeUnixMs">The committed block's time; a time before the previous block's counts as the previous block's.</param>
    /// <returns>The receipt, also kept for <see cref="TryGetReceipt"/>.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="request"/> is null.</exception>
    public ChannelReceipt Execute(ClientRequest request, long blockTimeUnixMs)
    {
        ArgumentNullException.ThrowIfNull(request);
        ApplyTime(blockTimeUnixMs);
        ChannelReceipt receipt;
        if (request.ChainId != Chain)
        {
            receipt = Receipt(request, ChannelCommandKind.None, ChannelResultCode.WrongChain);
        }
        else
        {
            ChannelCommand? command = null;
            try
            {
                command = Canonical.Decode<ChannelCommand>(request.Payload);
            }
            catch (CodecException)
            {
                // Falls through to a Malformed receipt.
            }

            receipt = command switch
            {
                null => Receipt(request, ChannelCommandKind.None, ChannelResultCode.Malformed),
                RegisterAccountCommand c => RegisterAccount(request, c),
                DepositCommand c => Deposit(request, c),
                OpenChannelCommand c => OpenChannel(request, c),
                SubmitPaymentCommand c => SubmitPayment(request, c),
                ClaimCollateralCommand c => ClaimCollateral(request, c),
                ReleaseCollateralCommand c => ReleaseCollateral(request, c),
                _ => Receipt(request, command.Kind, ChannelResultCode.Malformed),
            };
        }

        Remember(receipt);
        return receipt;
    }

    /// <summary>
    /// Lets block time pass: the ledger releases to their payers the collaterals whose claim window ended at or before
    /// <paramref name="blockTimeUnixMs"/> (both <c>Execute</c> overloads do this first).
    /// </summary>
    /// <param name="blockTimeUnixMs">The committed block's time; a time before the previous block's changes nothing.</param>
    public void ApplyTime(long blockTimeUnixMs)
    {
        if (blockTimeUnixMs <= _blockTime)
        {
            return;
        }

        _blockTime = blockTimeUnixMs;
        _ledger.ApplyBlock(Array.Empty<LedgerCommand>(), _blockTime, Span<LedgerResult>.Empty);
    }

    /// <summary>Looks up the receipt of a request executed recently (the last <see cref="MaxRetainedReceipts"/>).</summary>
    /// <param name="requestDigest">The request's digest (<see cref="ClientReply.RequestDigest"/>).</param>
    /// <param name="receipt">The receipt when known.</param>
    /// <returns>Whether it is known.</returns>
    public bool TryGetReceipt(Hash256 requestDigest, out ChannelReceipt receipt) => _receipts.TryGetValue(requestDigest, out receipt);

    /// <summary>Looks up a registered channel.</summary>
    /// <param name="channelId">The channel's id.</param>
    /// <param name="record">The channel when registered.</param>
    /// <returns>Whether it is registered.</returns>
    public bool TryGetChannel(Hash256 channelId, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out ChannelRecord? record) =>
        _channels.TryGetValue(channelId, out record);

    /// <summary>
    /// Where a channel's collateral stands: <see cref="TransferState.Pending"/> while held (claimable),
    /// <see cref="TransferState.Posted"/> once claimed, <see cref="TransferState.Voided"/> once released by settlement or
    /// by the provider, <see cref="TransferState.Expired"/> once released at the end of the claim window.
    /// </summary>
    /// <param name="channelId">The channel's id.</param>
    /// <returns>The state, or null for an unknown channel.</returns>
    public TransferState? GetCollateralState(Hash256 channelId) =>
        _channels.TryGetValue(channelId, out var record) && _ledger.TryGetTransfer(record.CollateralId, out var info) ? info.State : null;

    /// <summary>Whether a transaction with (<paramref name="payer"/>, <paramref name="nonce"/>) executed (or a claim consumed it).</summary>
    /// <param name="payer">The payer's account.</param>
    /// <param name="nonce">The sequence number.</param>
    /// <returns>True when used.</returns>
    public bool IsNonceUsed(AccountId payer, ulong nonce) => _usedNonces.ContainsKey((payer, nonce));

    /// <summary>Looks up the balance of one asset in one account.</summary>
    /// <param name="account">The account.</param>
    /// <param name="asset">The asset.</param>
    /// <param name="balance">The balance when the account holds the asset.</param>
    /// <returns>Whether the account exists and holds the asset.</returns>
    public bool TryGetBalance(AccountId account, AssetCode asset, out Balance balance) => _ledger.TryGetBalance(account, asset, out balance);

    /// <summary>The ids of every account, sorted (the collateral account included).</summary>
    /// <returns>A new list.</returns>
    public IReadOnlyList<AccountId> GetAccountIds() => _ledger.GetAccountIds();

    /// <summary>
    /// SHA-256 over the ledger's state hash, the account keys, the channels and the used nonces, each in sorted order:
    /// equal on every validator that applied the same blocks.
    /// </summary>
    /// <returns>The hash.</returns>
    public Hash256 ComputeStateHash()
    {
        var buffer = new ArrayBufferWriter<byte>(4096);
        var writer = new CanonicalWriter(buffer);
        writer.WriteArrayHeader(4);
        writer.WriteHash256(_ledger.ComputeStateHash());

        var accounts = _accountKeys.Keys.ToArray();
        Array.Sort(accounts);
        writer.WriteArrayHeader(accounts.Length);
        foreach (var account in accounts)
        {
            writer.WriteArrayHeader(2);
            writer.WriteAccountId(account);
            if (_accountKeys[account] is { } key)
            {
                writer.WritePublicKey(key);
            }
            else
            {
                writer.WriteNil();
            }
        }

        var channels = _channels.Values.OrderBy(c => c.Id).ToArray();
        writer.WriteArrayHeader(channels.Length);
        foreach (var c in channels)
        {
            writer.WriteArrayHeader(7);
            writer.WriteHash256(c.Id);
            writer.WriteUInt32((uint)c.State);
            writer.WriteAmount(c.SettledAmount);
            writer.WriteAmount(c.ClaimedAmount);
            writer.WriteAmount(c.Penalty);
            writer.WriteUInt32((uint)c.ClaimReason);
            writer.WriteHash256(c.FinalTransaction);
        }

        var nonces = _usedNonces.OrderBy(n => n.Key.Payer).ThenBy(n => n.Key.Nonce).ToArray();
        writer.WriteArrayHeader(nonces.Length);
        foreach (var (key, use) in nonces)
        {
            writer.WriteArrayHeader(4);
            writer.WriteAccountId(key.Payer);
            writer.WriteUInt64(key.Nonce);
            writer.WriteHash256(use.Transaction);
            writer.WriteHash256(use.Channel);
        }

        return Hash256.Compute(buffer.WrittenSpan);
    }

    // ---- commands -------------------------------------------------------------------------------------------------

    private ChannelReceipt RegisterAccount(ClientRequest request, RegisterAccountCommand c)
    {
        if (!SignedBy(request, _operator))
        {
            return Receipt(request, c.Kind, ChannelResultCode.Unauthorized);
        }

        if (_accountKeys.ContainsKey(c.Account))
        {
            return Receipt(request, c.Kind, ChannelResultCode.AccountExists);
        }

        var result = _ledger.Apply(new OpenAccountCommand(c.Account, c.Owner, c.Assets), _blockTime);
        if (result.Code != LedgerResultCode.Ok)
        {
            return Receipt(request, c.Kind, ChannelResultCode.LedgerRefused, result.Code);
        }

        _accountKeys.Add(c.Account, c.Key);
        return Receipt(request, c.Kind, ChannelResultCode.Ok);
    }

    private ChannelReceipt Deposit(ClientRequest request, DepositCommand c)
    {
        if (!SignedBy(request, _operator))
        {
            return Receipt(request, c.Kind, ChannelResultCode.Unauthorized);
        }

        var result = _ledger.Apply(new IssueCommand(TransferId.FromHash(request.Digest), c.Account, c.Asset, c.Amount), _blockTime);
        return result.Code == LedgerResultCode.Ok
            ? Receipt(request, c.Kind, ChannelResultCode.Ok)
            : Receipt(request, c.Kind, ChannelResultCode.LedgerRefused, result.Code);
    }

    private ChannelReceipt OpenChannel(ClientRequest request, OpenChannelCommand c)
    {
        var terms = c.Agreement.Terms;
        var kind = c.Kind;
        if (terms.Chain != Chain)
        {
            return Receipt(request, kind, ChannelResultCode.WrongChain);
        }

        var code = c.Agreement.Verify(_blockTime);
        if (code != ChannelResultCode.Ok)
        {
            return Receipt(request, kind, code);
        }

        var id = terms.Id;
        if (terms.Payer == CollateralAccount || terms.Provider == CollateralAccount || terms.PenaltyRecipient == CollateralAccount)
        {
            return Receipt(request, kind, ChannelResultCode.InvalidTerms, channel: id);
        }

        code = CheckAccountKey(terms.Payer, terms.PayerKey);
        if (code == ChannelResultCode.Ok)
        {
            code = CheckAccountKey(terms.Provider, terms.ProviderKey);
        }

        if (code == ChannelResultCode.Ok && !_accountKeys.ContainsKey(terms.PenaltyRecipient))
        {
            code = ChannelResultCode.UnknownAccount;
        }

        if (code != ChannelResultCode.Ok)
        {
            return Receipt(request, kind, code, channel: id);
        }

        if (_channels.ContainsKey(id) || _openByNonce.ContainsKey((terms.Payer, terms.Nonce)))
        {
            return Receipt(request, kind, ChannelResultCode.ChannelExists, channel: id);
        }

        if (IsNonceUsed(terms.Payer, terms.Nonce))
        {
            return Receipt(request, kind, ChannelResultCode.NonceAlreadyUsed, channel: id);
        }

        // Every open channel keeps room in the nonce table for its one settlement (or claim): a channel that could not
        // settle would let the payer keep both the service and, at expiry, the collateral.
        if (_channels.Count >= MaxChannels || _usedNonces.Count + _openByNonce.Count >= MaxUsedNonces)
        {
            return Receipt(request, kind, ChannelResultCode.LimitExceeded, channel: id);
        }

        if (!new Amount(terms.DeadlineUnixMs).TryAdd(new Amount(_claimWindowMs), out var expiry))
        {
            return Receipt(request, kind, ChannelResultCode.InvalidTerms, channel: id);
        }

        var collateralId = DeriveId(id, "collateral");
        var reserve = new ReserveCommand(collateralId, terms.Payer, CollateralAccount, terms.Asset, terms.Collateral, expiry.MinorUnits);
        var result = _ledger.Apply(reserve, _blockTime);
        if (result.Code != LedgerResultCode.Ok)
        {
            return Receipt(request, kind, ChannelResultCode.LedgerRefused, result.Code, id);
        }

        _channels.Add(id, new ChannelRecord(terms, collateralId, _blockTime, expiry.MinorUnits));
        _openByNonce.Add((terms.Payer, terms.Nonce), id);
        return Receipt(request, kind, ChannelResultCode.Ok, channel: id);
    }

    private ChannelReceipt SubmitPayment(ClientRequest request, SubmitPaymentCommand c)
    {
        var tx = c.Transaction;
        var kind = c.Kind;
        if (tx.Chain != Chain)
        {
            return Receipt(request, kind, ChannelResultCode.WrongChain, channel: tx.ChannelId);
        }

        // The pooled collateral account has no owner: a payment into it could never be spent by anyone.
        if (!_accountKeys.TryGetValue(tx.Payer, out var payerKey) || payerKey is null || tx.Payee == CollateralAccount)
        {
            return Receipt(request, kind, ChannelResultCode.UnknownAccount, channel: tx.ChannelId);
        }

        if (!tx.VerifySignature(payerKey))
        {
            return Receipt(request, kind, ChannelResultCode.InvalidSignature, channel: tx.ChannelId);
        }

        ChannelRecord? channel = null;
        if (!tx.ChannelId.IsZero)
        {
            var code = CheckChannelTransaction(request, tx, out channel);
            if (code != ChannelResultCode.Ok)
            {
                return Receipt(request, kind, code, channel: tx.ChannelId);
            }
        }

        if (IsNonceUsed(tx.Payer, tx.Nonce))
        {
            return Receipt(request, kind, ChannelResultCode.NonceAlreadyUsed, channel: tx.ChannelId);
        }

        // A plain transaction may not take the room kept for the open channels' settlements.
        if (_usedNonces.Count + (channel is null ? _openByNonce.Count : 0) >= MaxUsedNonces)
        {
            return Receipt(request, kind, ChannelResultCode.LimitExceeded, channel: tx.ChannelId);
        }

        LedgerCommand transfer = new TransferCommand(TransferId.FromHash(tx.Digest), tx.Payer, tx.Payee, tx.Asset, tx.Amount);
        if (channel is not null && IsCollateralHeld(channel))
        {
            // Settling the channel ends the provider's claim: the collateral goes back to the payer in the same step.
            transfer = new LinkedCommand([transfer, new VoidCommand(DeriveId(channel.Id, "settle-release"), channel.CollateralId)]);
        }

        var result = _ledger.Apply(transfer, _blockTime);
        if (result.Code != LedgerResultCode.Ok)
        {
            return Receipt(request, kind, ChannelResultCode.LedgerRefused, result.Code, tx.ChannelId);
        }

        _usedNonces.Add((tx.Payer, tx.Nonce), new NonceUse(tx.Digest, tx.ChannelId));
        ExecutedPaymentCount++;
        if (channel is not null)
        {
            channel.State = ChannelState.Settled;
            channel.SettledAmount = tx.Amount;
            channel.FinalTransaction = tx.Digest;
            _openByNonce.Remove((tx.Payer, tx.Nonce));
        }

        return Receipt(request, kind, ChannelResultCode.Ok, channel: tx.ChannelId);
    }

    private ChannelReceipt ClaimCollateral(ClientRequest request, ClaimCollateralCommand c)
    {
        var tx = c.Transaction;
        var kind = c.Kind;
        if (tx.Chain != Chain)
        {
            return Receipt(request, kind, ChannelResultCode.WrongChain, channel: tx.ChannelId);
        }

        var code = CheckChannelTransaction(request, tx, out var channel);
        if (code == ChannelResultCode.Ok && !tx.VerifySignature(channel!.Terms.PayerKey))
        {
            code = ChannelResultCode.InvalidSignature;
        }

        if (code != ChannelResultCode.Ok)
        {
            return Receipt(request, kind, code, channel: tx.ChannelId);
        }

        if (!IsCollateralHeld(channel!))
        {
            return Receipt(request, kind, ChannelResultCode.ClaimWindowClosed, channel: tx.ChannelId);
        }

        var terms = channel!.Terms;
        ClaimReason reason;
        if (IsNonceUsed(tx.Payer, tx.Nonce))
        {
            reason = ClaimReason.NonceUsedElsewhere;
        }
        else if (!_ledger.TryGetBalance(tx.Payer, tx.Asset, out var balance) || balance.Available < tx.Amount)
        {
            reason = ClaimReason.PayerUnderfunded;
            if (_usedNonces.Count >= MaxUsedNonces)
            {
                return Receipt(request, kind, ChannelResultCode.LimitExceeded, channel: tx.ChannelId);
            }
        }
        else
        {
            return Receipt(request, kind, ChannelResultCode.ClaimNotAllowed, channel: tx.ChannelId);
        }

        // Terms.Check at open guaranteed that the collateral covers the largest amount plus its penalty; checked again
        // here because a claim must never take more than the payer deposited.
        if (!terms.Penalty.TryCompute(tx.Amount, out var penalty) || !tx.Amount.TryAdd(penalty, out var taken) || taken > terms.Collateral)
        {
            return Receipt(request, kind, ChannelResultCode.AmountOutOfRange, channel: tx.ChannelId);
        }

        var steps = new List<LedgerCommand>(3)
        {
            // Commit amount + penalty of the reservation into the collateral account; the rest returns to the payer.
            new PostCommand(DeriveId(channel.Id, "claim-post"), channel.CollateralId, taken),
            new TransferCommand(DeriveId(channel.Id, "claim-pay"), CollateralAccount, terms.Provider, terms.Asset, tx.Amount),
        };
        if (penalty.IsPositive)
        {
            steps.Add(new TransferCommand(DeriveId(channel.Id, "claim-penalty"), CollateralAccount, terms.PenaltyRecipient, terms.Asset, penalty));
        }

        var result = _ledger.Apply(new LinkedCommand(steps), _blockTime);
        if (result.Code != LedgerResultCode.Ok)
        {
            return Receipt(request, kind, ChannelResultCode.LedgerRefused, result.Code, tx.ChannelId);
        }

        if (reason == ClaimReason.PayerUnderfunded)
        {
            // The claim is the channel's one transaction for this nonce: the payer cannot spend it afterwards either.
            _usedNonces.Add((tx.Payer, tx.Nonce), new NonceUse(tx.Digest, tx.ChannelId));
        }

        channel.State = ChannelState.Claimed;
        channel.ClaimedAmount = tx.Amount;
        channel.Penalty = penalty;
        channel.ClaimReason = reason;
        channel.FinalTransaction = tx.Digest;
        _openByNonce.Remove((terms.Payer, terms.Nonce));
        ClaimCount++;
        return Receipt(request, kind, ChannelResultCode.Ok, channel: tx.ChannelId);
    }

    private ChannelReceipt ReleaseCollateral(ClientRequest request, ReleaseCollateralCommand c)
    {
        if (!_channels.TryGetValue(c.ChannelId, out var channel))
        {
            return Receipt(request, c.Kind, ChannelResultCode.UnknownChannel, channel: c.ChannelId);
        }

        if (!c.VerifySignature(channel.Terms.ProviderKey))
        {
            return Receipt(request, c.Kind, ChannelResultCode.InvalidSignature, channel: c.ChannelId);
        }

        if (!IsCollateralHeld(channel))
        {
            return Receipt(request, c.Kind, ChannelResultCode.ClaimWindowClosed, channel: c.ChannelId);
        }

        var result = _ledger.Apply(new VoidCommand(DeriveId(channel.Id, "release"), channel.CollateralId), _blockTime);
        return result.Code == LedgerResultCode.Ok
            ? Receipt(request, c.Kind, ChannelResultCode.Ok, channel: c.ChannelId)
            : Receipt(request, c.Kind, ChannelResultCode.LedgerRefused, result.Code, c.ChannelId);
    }

    // ---- checks ---------------------------------------------------------------------------------------------------

    /// <summary>
    /// The checks a channel's iterative transaction passes before the contract pays it or pays its claim: a registered
    /// channel, submitted by its provider, matching its terms, an amount within its limits, still open.
    /// </summary>
    private ChannelResultCode CheckChannelTransaction(ClientRequest request, PaymentTransaction tx, out ChannelRecord? channel)
    {
        if (!_channels.TryGetValue(tx.ChannelId, out channel))
        {
            return ChannelResultCode.UnknownChannel;
        }

        var terms = channel.Terms;
        if (!SignedBy(request, terms.ProviderKey))
        {
            return ChannelResultCode.Unauthorized;
        }

        if (tx.Payer != terms.Payer || tx.Payee != terms.Provider || tx.Asset != terms.Asset)
        {
            return ChannelResultCode.TermsMismatch;
        }

        if (tx.Nonce != terms.Nonce)
        {
            return ChannelResultCode.WrongNonce;
        }

        if (!tx.Amount.IsPositive || tx.Amount > terms.MaxTotal)
        {
            return ChannelResultCode.AmountOutOfRange;
        }

        return channel.State == ChannelState.Open ? ChannelResultCode.Ok : ChannelResultCode.ChannelNotOpen;
    }

    private ChannelResultCode CheckAccountKey(AccountId account, PublicKey key)
    {
        if (!_accountKeys.TryGetValue(account, out var registered) || registered is null)
        {
            return ChannelResultCode.UnknownAccount;
        }

        return registered == key ? ChannelResultCode.Ok : ChannelResultCode.WrongKey;
    }

    /// <summary>Whether the collateral is still reserved and not due to expire at the current block time.</summary>
    private bool IsCollateralHeld(ChannelRecord channel) =>
        _ledger.TryGetTransfer(channel.CollateralId, out var info) && info.State == TransferState.Pending && _blockTime < info.ExpiresAtUnixMs;

    /// <summary>Whether the request is genuinely signed by <paramref name="key"/> (the contract does not rely on the replicas having checked).</summary>
    private static bool SignedBy(ClientRequest request, PublicKey key) => request.ClientKey == key && request.VerifySignature();

    /// <summary>A ledger id for one step of one channel: the same on every validator, distinct per purpose.</summary>
    private static TransferId DeriveId(Hash256 channelId, string purpose)
    {
        Span<byte> id = stackalloc byte[Hash256.SizeBytes];
        channelId.WriteTo(id);
        return TransferId.FromHash(Hash256.Compute(id, Encoding.ASCII.GetBytes("ChainInterop/channel/" + purpose)));
    }

    private static ChannelReceipt Receipt(
        ClientRequest request, ChannelCommandKind kind, ChannelResultCode code, LedgerResultCode ledger = LedgerResultCode.Ok, Hash256 channel = default) =>
        new(request.Digest, kind, code, ledger, channel);

    private void Remember(ChannelReceipt receipt)
    {
        if (!_receipts.TryAdd(receipt.RequestDigest, receipt))
        {
            return;
        }

        _receiptOrder.Enqueue(receipt.RequestDigest);
        if (_receiptOrder.Count > MaxRetainedReceipts)
        {
            _receipts.Remove(_receiptOrder.Dequeue());
        }
    }

    /// <summary>The transaction that consumed a (payer, nonce), and its channel (zero for a plain transfer).</summary>
    private readonly record struct NonceUse(Hash256 Transaction, Hash256 Channel);
}
