using System.Diagnostics.CodeAnalysis;
using ChainInterop.Crypto;

namespace ChainInterop.Settlement.Vouchers;

/// <summary>One institution of the directory: its signing key, its settlement account and whether it may retain vouchers.</summary>
/// <param name="Id">The institution.</param>
/// <param name="PublicKey">The key every voucher signature of this institution must verify under.</param>
/// <param name="SettlementAccount">Its account on the shared account ledger (queried in V1, the source of its clearing funds in V4).</param>
/// <param name="IsRetentionInstitution">Whether it may act as the third-party retention institution (V3).</param>
public sealed record InstitutionEntry(InstitutionId Id, PublicKey PublicKey, AccountId SettlementAccount, bool IsRetentionInstitution = false);

/// <summary>
/// The trust root of voucher co-signing: institution id → public key, settlement account and role. Every signature
/// on every voucher is checked against this directory and nothing else; an institution it does not list is refused
/// with <see cref="VoucherFailure.UnknownInstitution"/>. Immutable, thread-safe.
/// </summary>
public sealed class InstitutionDirectory
{
    /// <summary>The most institutions one directory lists, in institutions.</summary>
    public const int MaxInstitutions = 10_000;

    private readonly Dictionary<InstitutionId, InstitutionEntry> _entries;

    /// <summary>Creates the directory.</summary>
    /// <param name="entries">One entry per institution, at most <see cref="MaxInstitutions"/>.</param>
    /// <exception cref="ArgumentNullException"><paramref name="entries"/> or one of them is null.</exception>
    /// <exception cref="ArgumentException">An id is default or listed twice, or there are too many entries.</exception>
    public InstitutionDirectory(IEnumerable<InstitutionEntry> entries)
    {
        ArgumentNullException.ThrowIfNull(entries);
        _entries = [];
        foreach (var entry in entries)
        {
            ArgumentNullException.ThrowIfNull(entry, nameof(entries));
            ArgumentNullException.ThrowIfNull(entry.PublicKey, nameof(entries));
            if (entry.Id.IsDefault || entry.SettlementAccount.IsDefault)
            {
                throw new ArgumentException("Every entry needs an institution id and a settlement account.", nameof(entries));
            }

            if (!_entries.TryAdd(entry.Id, entry))
            {
                throw new ArgumentException($"Institution {entry.Id} is listed twice.", nameof(entries));
            }

            if (_entries.Count > MaxInstitutions)
            {
                throw new ArgumentException($"A directory lists at most {MaxInstitutions} institutions.", nameof(entries));
            }
        }
    }

    /// <summary>The number of institutions.</summary>
    public int Count => _entries.Count;

    /// <summary>Every entry, sorted by id.</summary>
    public IReadOnlyList<InstitutionEntry> Entries => [.. _entries.Values.OrderBy(e => e.Id)];

    /// <summary>Looks an institution up.</summary>
    /// <param name="id">The institution.</param>
    /// <param name="entry">Its entry when listed.</param>
    /// <returns>Whether it is listed.</returns>
    public bool TryGet(InstitutionId id, [NotNullWhen(true)] out InstitutionEntry? entry)
    {
        if (id.IsDefault)
        {
            entry = null;
            return false;
        }

        return _entries.TryGetValue(id, out entry);
    }

    /// <summary>Whether an institution is listed.</summary>
    /// <param name="id">The institution.</param>
    /// <returns>True when listed.</returns>
    public bool Contains(InstitutionId id) => !id.IsDefault && _entries.ContainsKey(id);
}
