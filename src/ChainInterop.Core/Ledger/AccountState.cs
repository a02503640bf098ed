namespace ChainInterop.Ledger;

/// <summary>The balances of one asset in one account, stored inline in <see cref="AccountState.Slots"/>.</summary>
internal struct AssetSlot
{
    public AssetCode Asset;
    public long CreditLimit;
    public long Posted;
    public long PendingDebits;
    public long PendingCredits;

    /// <summary><c>Posted - PendingDebits + CreditLimit</c>; fits 64 bits by the ledger's invariants.</summary>
    public readonly long Available => Posted - PendingDebits + CreditLimit;

    /// <summary>
    /// Whether <paramref name="amount"/> more may arrive: keeps <c>Posted + PendingCredits + CreditLimit</c> within 64
    /// bits, so that committing every pending credit can never overflow.
    /// </summary>
    public readonly bool CanReceive(long amount) =>
        (Int128)Posted + PendingCredits + CreditLimit + amount <= long.MaxValue;

    public readonly Balance ToBalance() => new(new(Posted), new(PendingDebits), new(PendingCredits), new(CreditLimit));
}

/// <summary>One account: its assets (sorted by code) and its history.</summary>
internal sealed class AccountState(AccountId id, InstitutionId owner, AssetSlot[] slots)
{
    private const int InitialHistoryCapacity = 8;

    public AccountId Id { get; } = id;

    public InstitutionId Owner { get; } = owner;

    /// <summary>One per asset, sorted by code; at most <see cref="AccountLedger.MaxAssetsPerAccount"/>.</summary>
    public AssetSlot[] Slots { get; } = slots;

    /// <summary>The postings, in sequence order; the first <see cref="HistoryCount"/> are used.</summary>
    public Posting[] History { get; private set; } = [];

    public int HistoryCount { get; private set; }

    public int FindSlot(AssetCode asset)
    {
        var slots = Slots;
        for (int i = 0; i < slots.Length; i++)
        {
            if (string.Equals(slots[i].Asset.Value, asset.Value, StringComparison.Ordinal))
            {
                return i;
            }
        }

        return -1;
    }

    public void Append(in Posting posting)
    {
        if (HistoryCount == History.Length)
        {
            var grown = new Posting[Math.Max(InitialHistoryCapacity, History.Length * 2)];
            Array.Copy(History, grown, HistoryCount);
            History = grown;
        }

        History[HistoryCount++] = posting;
    }

    public void RemoveLastPosting() => History[--HistoryCount] = default;
}
