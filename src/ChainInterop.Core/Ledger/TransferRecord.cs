namespace ChainInterop.Ledger;

/// <summary>What the ledger keeps per applied id: enough to detect resubmission, resolve a reservation and snapshot.</summary>
internal struct TransferRecord
{
    public LedgerCommandKind Kind;
    public TransferState State;

    /// <summary>Slot of the asset in <see cref="Debit"/> / <see cref="Credit"/>.</summary>
    public byte DebitSlot;
    public byte CreditSlot;

    /// <summary>For a post: whether the command named an amount (null means "all").</summary>
    public bool HasRequestedAmount;

    public AccountState? Debit;
    public AccountState? Credit;
    public AssetCode Asset;

    /// <summary>The amount moved or reserved; for a post, the amount committed.</summary>
    public long Amount;
    public long ExpiresAt;
    public UInt128 PendingId;
}

/// <summary>Orders the expiry queue by expiry time, then id.</summary>
internal readonly record struct ExpiryKey(long ExpiresAt, UInt128 Id);

/// <summary>Compares <see cref="ExpiryKey"/> values without boxing.</summary>
internal sealed class ExpiryKeyComparer : IComparer<ExpiryKey>
{
    public static readonly ExpiryKeyComparer Instance = new();

    public int Compare(ExpiryKey x, ExpiryKey y)
    {
        int c = x.ExpiresAt.CompareTo(y.ExpiresAt);
        return c != 0 ? c : x.Id.CompareTo(y.Id);
    }
}

/// <summary>
/// Hashes transfer ids by folding their 128 bits (like <see cref="ulong"/>'s own hash): ids that are close (sequential
/// ids) land in nearby buckets, which keeps the index cache-friendly; ids derived from hashes are uniform already.
/// </summary>
internal sealed class TransferIdComparer : IEqualityComparer<UInt128>
{
    public static readonly TransferIdComparer Instance = new();

    public bool Equals(UInt128 x, UInt128 y) => x == y;

    public int GetHashCode(UInt128 obj)
    {
        ulong folded = (ulong)obj ^ (ulong)(obj >> 64);
        return (int)folded ^ (int)(folded >> 32);
    }
}
