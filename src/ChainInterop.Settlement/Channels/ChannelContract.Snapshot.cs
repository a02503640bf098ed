using System.Buffers;
using ChainInterop.Codec;
using ChainInterop.Crypto;
using ChainInterop.Ledger;
using ChainInterop.Settlement.Netting;

namespace ChainInterop.Settlement.Channels;

/// <content>Checkpoints: the whole replicated state as canonical bytes, and its restore.</content>
public sealed partial class ChannelContract
{
    /// <summary>The snapshot format version written by <see cref="WriteSnapshot"/>.</summary>
    public const int SnapshotVersion = 1;

    private const int SnapshotFieldCount = 11;
    private const int AccountFieldCount = 2;
    private const int ChannelFieldCount = 10;
    private const int OpenFieldCount = 3;
    private const int NonceFieldCount = 4;

    /// <inheritdoc />
    /// <remarks>
    /// <para>Layout: <c>[version, height, blockTime, executedPaymentCount, claimCount, ledger, [[account, key | nil]...],
    /// [[terms, collateralId, openedAt, collateralExpiresAt, state, settledAmount, claimedAmount, penalty, claimReason,
    /// finalTransaction]...], [[payer, nonce, channelId]...], [[payer, nonce, transaction, channelId]...],
    /// [receipt...]]</c>: <c>ledger</c> is the account ledger's own snapshot (<see cref="AccountLedger.ExportSnapshot"/>)
    /// as a binary, <c>height</c> is <see cref="LastAppliedHeight"/> (nil before the first block), accounts sorted by id,
    /// channels by id, open channels and used nonces by payer then nonce, and the retained receipts oldest first (the
    /// order they are forgotten in).</para>
    /// <para>The configuration (chain, operator, collateral account, assets, claim window) is not in it: a snapshot is
    /// restored into a contract built with the same options.</para>
    /// </remarks>
    /// <exception cref="ArgumentNullException"><paramref name="output"/> is null.</exception>
    public void WriteSnapshot(IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(output);
        var w = new CanonicalWriter(output);
        w.WriteArrayHeader(SnapshotFieldCount);
        w.WriteInt32(SnapshotVersion);
        if (LastAppliedHeight is { } height)
        {
            w.WriteUInt64(height);
        }
        else
        {
            w.WriteNil();
        }

        w.WriteInt64(_blockTime);
        w.WriteInt64(ExecutedPaymentCount);
        w.WriteInt64(ClaimCount);
        w.WriteBinary(_ledger.ExportSnapshot());

        var accounts = _accountKeys.Keys.ToArray();
        Array.Sort(accounts);
        w.WriteArrayHeader(accounts.Length);
        foreach (var account in accounts)
        {
            w.WriteArrayHeader(AccountFieldCount);
            w.WriteAccountId(account);
            if (_accountKeys[account] is { } key)
            {
                w.WritePublicKey(key);
            }
            else
            {
                w.WriteNil();
            }
        }

        var channels = _channels.Keys.ToArray();
        Array.Sort(channels);
        w.WriteArrayHeader(channels.Length);
        foreach (var id in channels)
        {
            WriteChannel(ref w, _channels[id]);
        }

        var open = _openByNonce.Keys.ToArray();
        Array.Sort(open);
        w.WriteArrayHeader(open.Length);
        foreach (var key in open)
        {
            w.WriteArrayHeader(OpenFieldCount);
            w.WriteAccountId(key.Payer);
            w.WriteUInt64(key.Nonce);
            w.WriteHash256(_openByNonce[key]);
        }

        var used = _usedNonces.Keys.ToArray();
        Array.Sort(used);
        w.WriteArrayHeader(used.Length);
        foreach (var key in used)
        {
            var use = _usedNonces[key];
            w.WriteArrayHeader(NonceFieldCount);
            w.WriteAccountId(key.Payer);
            w.WriteUInt64(key.Nonce);
            w.WriteHash256(use.Transaction);
            w.WriteHash256(use.Channel);
        }

        // Invariant: _receiptOrder holds exactly the keys of _receipts, each once, oldest first.
        w.WriteArrayHeader(_receiptOrder.Count);
        foreach (var digest in _receiptOrder)
        {
            _receipts[digest].Encode(ref w);
        }
    }

    /// <inheritdoc />
    /// <remarks>
    /// Checked before anything changes: the version, canonical form, sort orders and limits, the embedded ledger
    /// (<see cref="AccountLedger.ImportSnapshot"/>), that the recorded height is <paramref name="height"/>, and that the
    /// tables agree with each other and with this contract's configuration (the collateral account, its derived
    /// reservation ids, the claim window). <see cref="LastAppliedHeight"/> becomes <paramref name="height"/>.
    /// </remarks>
    public void RestoreSnapshot(ulong height, ReadOnlyMemory<byte> snapshot)
    {
        var reader = new CanonicalReader(snapshot, CodecLimits.Snapshot);
        Restored state;
        try
        {
            state = ReadSnapshot(ref reader, height);
            reader.EnsureEnd();
        }
        catch (Exception e) when (e is ArgumentException or FormatException or OverflowException)
        {
            throw new CodecException(CodecError.ValueOutOfRange, reader.Consumed, $"the channel contract snapshot holds a rejected value: {e.Message}", e);
        }

        // Everything decoded and checked: only now does the state change.
        _ledger = state.Ledger;
        SnapshotCodec.Refill(_accountKeys, state.AccountKeys);
        SnapshotCodec.Refill(_channels, state.Channels);
        SnapshotCodec.Refill(_openByNonce, state.OpenByNonce);
        SnapshotCodec.Refill(_usedNonces, state.UsedNonces);
        _receipts.Clear();
        _receiptOrder.Clear();
        foreach (var receipt in state.Receipts)
        {
            _receipts.Add(receipt.RequestDigest, receipt);
            _receiptOrder.Enqueue(receipt.RequestDigest);
        }

        _blockTime = state.BlockTime;
        ExecutedPaymentCount = state.ExecutedPaymentCount;
        ClaimCount = state.ClaimCount;
        LastAppliedHeight = height;
    }

    private static void WriteChannel(ref CanonicalWriter w, ChannelRecord c)
    {
        w.WriteArrayHeader(ChannelFieldCount);
        c.Terms.Encode(ref w);
        c.CollateralId.Encode(ref w);
        w.WriteInt64(c.OpenedAtUnixMs);
        w.WriteInt64(c.CollateralExpiresAtUnixMs);
        w.WriteUInt32((uint)c.State);
        w.WriteAmount(c.SettledAmount);
        w.WriteAmount(c.ClaimedAmount);
        w.WriteAmount(c.Penalty);
        w.WriteUInt32((uint)c.ClaimReason);
        w.WriteHash256(c.FinalTransaction);
    }

    /// <summary>Decodes and checks a snapshot into new collections; reads this contract's configuration, changes nothing.</summary>
    private Restored ReadSnapshot(ref CanonicalReader r, ulong height)
    {
        r.ReadArrayHeader(SnapshotFieldCount);
        long offset = r.Consumed;
        if (r.ReadInt32() != SnapshotVersion)
        {
            throw Bad(offset, $"unsupported channel contract snapshot version (expected {SnapshotVersion})");
        }

        offset = r.Consumed;
        if (r.TryReadNil() || r.ReadUInt64() != height)
        {
            throw Bad(offset, $"the snapshot was not taken at height {height}");
        }

        offset = r.Consumed;
        long blockTime = r.ReadInt64();
        long payments = r.ReadInt64();
        long claims = r.ReadInt64();
        if (blockTime < 0 || payments < 0 || claims < 0)
        {
            throw Bad(offset, "a negative block time or count");
        }

        offset = r.Consumed;
        var ledgerBytes = r.ReadBinaryArray();
        AccountLedger ledger;
        try
        {
            ledger = AccountLedger.ImportSnapshot(ledgerBytes);
        }
        catch (CodecException e)
        {
            throw new CodecException(e.Error, offset, $"the account ledger: {e.Message}", e);
        }

        var accountKeys = ReadAccounts(ref r, ledger);
        var channels = ReadChannels(ref r, accountKeys, ledger);
        var openByNonce = ReadOpenChannels(ref r, channels);
        var usedNonces = ReadUsedNonces(ref r, channels);
        var receipts = SnapshotCodec.ReadReplies<ChannelReceipt>(ref r, MaxRetainedReceipts, x => x.RequestDigest, "receipts");
        return new Restored(ledger, accountKeys, channels, openByNonce, usedNonces, receipts, blockTime, payments, claims);
    }

    /// <summary>The account keys: sorted, exactly the ledger's accounts, the collateral account among them without a key.</summary>
    private Dictionary<AccountId, PublicKey?> ReadAccounts(ref CanonicalReader r, AccountLedger ledger)
    {
        long offset = r.Consumed;
        int count = r.ReadArrayHeader();
        if (count != ledger.AccountCount)
        {
            throw Bad(offset, "the account keys do not match the ledger's accounts");
        }

        var accountKeys = new Dictionary<AccountId, PublicKey?>(count);
        AccountId previous = default;
        for (int i = 0; i < count; i++)
        {
            offset = r.Consumed;
            r.ReadArrayHeader(AccountFieldCount);
            var account = r.ReadAccountId();
            var key = r.TryReadNil() ? null : r.ReadPublicKey();
            if ((i > 0 && account.CompareTo(previous) <= 0) || !ledger.TryGetAccount(account, out _)
                || (account == CollateralAccount && key is not null))
            {
                throw Bad(offset, "account keys out of order, without a ledger account, or a key on the collateral account");
            }

            previous = account;
            accountKeys.Add(account, key);
        }

        if (!accountKeys.ContainsKey(CollateralAccount))
        {
            throw Bad(offset, "the collateral account is missing");
        }

        return accountKeys;
    }

    /// <summary>The channels: sorted by id, on this chain, between registered accounts, their reservation in the ledger, each state consistent.</summary>
    private Dictionary<Hash256, ChannelRecord> ReadChannels(ref CanonicalReader r, Dictionary<AccountId, PublicKey?> accountKeys, AccountLedger ledger)
    {
        long offset = r.Consumed;
        int count = r.ReadArrayHeader();
        if (count > MaxChannels)
        {
            throw Bad(offset, $"more than {MaxChannels} channels");
        }

        var channels = new Dictionary<Hash256, ChannelRecord>(count);
        Hash256 previous = default;
        for (int i = 0; i < count; i++)
        {
            offset = r.Consumed;
            r.ReadArrayHeader(ChannelFieldCount);
            var terms = ChannelTerms.Decode(ref r);
            var collateralId = TransferId.Decode(ref r);
            long openedAt = r.ReadInt64();
            long expiresAt = r.ReadInt64();
            var state = NettingCodec.ReadEnum<ChannelState>(ref r, "channel state");
            var settled = r.ReadAmount();
            var claimed = r.ReadAmount();
            var penalty = r.ReadAmount();
            var reason = NettingCodec.ReadEnum<ClaimReason>(ref r, "claim reason");
            var final = r.ReadHash256();

            var id = terms.Id;
            bool consistent = (i == 0 || id.CompareTo(previous) > 0)
                && terms.Chain == Chain
                && collateralId == DeriveId(id, "collateral")
                && (Int128)terms.DeadlineUnixMs + _claimWindowMs == expiresAt
                && accountKeys.ContainsKey(terms.Payer) && accountKeys.ContainsKey(terms.Provider) && accountKeys.ContainsKey(terms.PenaltyRecipient)
                && ledger.TryGetTransfer(collateralId, out _)
                && state switch
                {
                    ChannelState.Open => final.IsZero && reason == ClaimReason.None,
                    ChannelState.Settled => !final.IsZero && reason == ClaimReason.None,
                    _ => !final.IsZero && reason != ClaimReason.None,
                };
            if (!consistent)
            {
                throw Bad(offset, "a channel out of order or inconsistent with its terms, accounts or collateral");
            }

            previous = id;
            channels.Add(id, new ChannelRecord(terms, collateralId, openedAt, expiresAt)
            {
                State = state,
                SettledAmount = settled,
                ClaimedAmount = claimed,
                Penalty = penalty,
                ClaimReason = reason,
                FinalTransaction = final,
            });
        }

        return channels;
    }

    /// <summary>The open channels by (payer, nonce): sorted, and exactly the channels in state Open.</summary>
    private static Dictionary<(AccountId Payer, ulong Nonce), Hash256> ReadOpenChannels(ref CanonicalReader r, Dictionary<Hash256, ChannelRecord> channels)
    {
        long offset = r.Consumed;
        int count = r.ReadArrayHeader();
        if (count != channels.Values.Count(c => c.State == ChannelState.Open))
        {
            throw Bad(offset, "the open channels by nonce are not the channels in state Open");
        }

        var openByNonce = new Dictionary<(AccountId Payer, ulong Nonce), Hash256>(count);
        (AccountId Payer, ulong Nonce) previous = default;
        for (int i = 0; i < count; i++)
        {
            offset = r.Consumed;
            r.ReadArrayHeader(OpenFieldCount);
            var key = (Payer: r.ReadAccountId(), Nonce: r.ReadUInt64());
            var id = r.ReadHash256();
            if ((i > 0 && key.CompareTo(previous) <= 0) || !channels.TryGetValue(id, out var channel)
                || channel.State != ChannelState.Open || channel.Terms.Payer != key.Payer || channel.Terms.Nonce != key.Nonce)
            {
                throw Bad(offset, "an open channel by nonce out of order or naming no open channel of that payer and nonce");
            }

            previous = key;
            openByNonce.Add(key, id);
        }

        return openByNonce;
    }

    /// <summary>The used (payer, nonce) pairs: sorted, within the limit, each naming no channel or a registered one.</summary>
    private static Dictionary<(AccountId Payer, ulong Nonce), NonceUse> ReadUsedNonces(ref CanonicalReader r, Dictionary<Hash256, ChannelRecord> channels)
    {
        long offset = r.Consumed;
        int count = r.ReadArrayHeader();
        if (count > MaxUsedNonces)
        {
            throw Bad(offset, $"more than {MaxUsedNonces} used nonces");
        }

        var usedNonces = new Dictionary<(AccountId Payer, ulong Nonce), NonceUse>(count);
        (AccountId Payer, ulong Nonce) previous = default;
        for (int i = 0; i < count; i++)
        {
            offset = r.Consumed;
            r.ReadArrayHeader(NonceFieldCount);
            var key = (Payer: r.ReadAccountId(), Nonce: r.ReadUInt64());
            var use = new NonceUse(r.ReadHash256(), r.ReadHash256());
            if ((i > 0 && key.CompareTo(previous) <= 0) || (!use.Channel.IsZero && !channels.ContainsKey(use.Channel)))
            {
                throw Bad(offset, "used nonces out of order or naming an unknown channel");
            }

            previous = key;
            usedNonces.Add(key, use);
        }

        return usedNonces;
    }

    private static CodecException Bad(long offset, string detail) => SnapshotCodec.Invalid(offset, detail);

    /// <summary>A decoded, checked snapshot, not yet in force.</summary>
    private sealed record Restored(
        AccountLedger Ledger,
        Dictionary<AccountId, PublicKey?> AccountKeys,
        Dictionary<Hash256, ChannelRecord> Channels,
        Dictionary<(AccountId Payer, ulong Nonce), Hash256> OpenByNonce,
        Dictionary<(AccountId Payer, ulong Nonce), NonceUse> UsedNonces,
        List<ChannelReceipt> Receipts,
        long BlockTime,
        long ExecutedPaymentCount,
        long ClaimCount);
}
