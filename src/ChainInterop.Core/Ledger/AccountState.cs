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

/// <summary>One account: its assets (sorted by code) and the positions of its postings in the ledger's log.</summary>
internal sealed class AccountState(int index, AccountId id, InstitutionId owner, AssetSlot[] slots)
{
    private const int InitialHistoryCapacity = 8;

    /// <summary>The account's position in the ledger's account list (postings name counterparties by it).</summary>
    public int Index { get; } = index;

    public AccountId Id { get; } = id;

    public InstitutionId Owner { get; } = owner;

    /// <summary>One per asset, sorted by code; at most <see cref="AccountLedger.MaxAssetsPerAccount"/>.</summary>
    public AssetSlot[] Slots { get; } = slots;

    /// <summary>Log positions of the account's postings, increasing; the first <see cref="PostingCount"/> are used.</summary>
    public long[] Postings { get; private set; } = [];

    public int PostingCount { get; private set; }

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

    public void AddPosting(long position)
    {
        if (PostingCount == Postings.Length)
        {
            var grown = new long[Math.Max(InitialHistoryCapacity, Postings.Length * 2)];
            Array.Copy(Postings, grown, PostingCount);
            Postings = grown;
        }

        Postings[PostingCount++] = position;
    }

    public void RemoveLastPosting() => PostingCount--;
}

/// <summary>One posting as stored: no references (the GC never scans the log), accounts and assets by index.</summary>
internal struct PostingRecord
{
    public UInt128 TransferId;
    public UInt128 PendingId;
    public long PostedDelta;
    public long PendingDelta;
    public long BlockTime;

    /// <summary>The counterparty's <see cref="AccountState.Index"/>, or -1.</summary>
    public int Counterparty;
    public byte Kind;
    public byte Side;

    /// <summary>The asset's slot in the owning account.</summary>
    public byte Slot;
}

/// <summary>
/// The ledger-wide posting log, append-only in sequence order (position = sequence - 1), in fixed-size chunks: appends
/// are sequential writes and never copy earlier postings.
/// </summary>
internal sealed class PostingLog
{
    private const int ChunkShift = 13;
    private const int ChunkSize = 1 << ChunkShift; // postings per chunk
    private const int ChunkMask = ChunkSize - 1;

    private readonly List<PostingRecord[]> _chunks = [];

    public long Count { get; private set; }

    public ref PostingRecord this[long position] => ref _chunks[(int)(position >> ChunkShift)][position & ChunkMask];

    public long Append(in PostingRecord record)
    {
        long position = Count;
        int chunk = (int)(position >> ChunkShift);
        if (chunk == _chunks.Count)
        {
            _chunks.Add(new PostingRecord[ChunkSize]);
        }

        _chunks[chunk][position & ChunkMask] = record;
        Count = position + 1;
        return position;
    }

    public void RemoveLast() => Count--;
}
