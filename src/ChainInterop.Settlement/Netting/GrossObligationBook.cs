using System.Collections;
using System.Security.Cryptography;
using ChainInterop.Codec;
using ChainInterop.Crypto;

namespace ChainInterop.Settlement.Netting;

/// <summary>
/// The committed gross obligations of one settlement cycle, in the order they were recorded: the input of the
/// <see cref="NettingEngine"/> (seed 000 Alg. 11 steps 4–6: the participant chains that traded in the cycle and their
/// recorded transactions). Recording interns each participant and asset once, so that netting at the cycle's end
/// runs over compact index records and never hashes a name.
/// </summary>
/// <remarks>
/// <para>The compact records are kept grouped by payer (each group in recording order), with a separate index of the
/// recording order: netting then walks one payer at a time and touches only that payer's row of pair totals, which
/// stays in the CPU's first-level cache.</para>
/// <para>Recording also keeps each asset's gross count and value, and refuses an obligation that would take an asset's
/// gross value beyond the 64-bit range (<see cref="ObligationCode.GrossValueOverflow"/>), so netting never overflows.</para>
/// <para>Deterministic: the same obligations added in the same order give the same book, digest and net result on every
/// replica. Not thread-safe (protocol objects run on one logical thread).</para>
/// </remarks>
public sealed class GrossObligationBook : IReadOnlyList<GrossObligation>
{
    /// <summary>The most distinct participant chains one book (one cycle) may name.</summary>
    public const int MaxParticipantsPerCycle = 4096;

    /// <summary>The most distinct assets one book (one cycle) may name.</summary>
    public const int MaxAssetsPerCycle = 256;

    /// <summary>The most obligations one book (one cycle) may hold.</summary>
    public const int MaxObligationsPerCycle = 10_000_000;

    private const int MinGrowCount = 16;

    /// <summary>How many encoded bytes <see cref="ComputeDigest"/> buffers before feeding the hash.</summary>
    private const int DigestChunkSizeBytes = 64 * 1024;

    // Invariants: obligation i (recording order, i < _count) is _byPayer[_order[i].Payer].Items[_order[i].Position]
    // with id _transactionIds[i]; every index in an entry is below _participants.Count / _assets.Count; _byPayer has
    // one group per participant; _byTransaction maps each recorded id to its position in recording order.
    private readonly List<PayerGroup> _byPayer = [];
    private Slot[] _order;
    private Hash256[] _transactionIds;
    private int _count;
    private readonly Dictionary<Hash256, int> _byTransaction;
    private readonly List<ChainId> _participants = [];
    private readonly Dictionary<ChainId, int> _participantIndex = [];
    private readonly List<AssetCode> _assets = [];
    private readonly Dictionary<AssetCode, int> _assetIndex = [];
    private readonly List<long> _assetGross = [];
    private readonly List<int> _assetCounts = [];
    private readonly int _maxObligations;

    /// <summary>Creates an empty book.</summary>
    /// <param name="initialCapacity">How many obligations to make room for up front (0 to <see cref="MaxObligationsPerCycle"/>).</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="initialCapacity"/> is negative or above the limit.</exception>
    public GrossObligationBook(int initialCapacity = 0)
        : this(initialCapacity, MaxObligationsPerCycle)
    {
    }

    /// <summary>Test seam: a book with a lower obligation limit, so the limit can be reached cheaply.</summary>
    internal GrossObligationBook(int initialCapacity, int maxObligations)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(initialCapacity);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(initialCapacity, MaxObligationsPerCycle);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxObligations);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(maxObligations, MaxObligationsPerCycle);
        _maxObligations = maxObligations;
        _order = initialCapacity == 0 ? [] : new Slot[initialCapacity];
        _transactionIds = initialCapacity == 0 ? [] : new Hash256[initialCapacity];
        _byTransaction = new Dictionary<Hash256, int>(initialCapacity);
    }

    /// <summary>The number of obligations recorded.</summary>
    public int Count => _count;

    /// <summary>The participant chains named so far, in the order they first appeared.</summary>
    public IReadOnlyList<ChainId> Participants => _participants;

    /// <summary>The assets named so far, in the order they first appeared.</summary>
    public IReadOnlyList<AssetCode> Assets => _assets;

    /// <summary>The obligation recorded at <paramref name="index"/>.</summary>
    /// <param name="index">0 to <see cref="Count"/> − 1, in recording order.</param>
    /// <returns>The obligation.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="index"/> is out of range.</exception>
    public GrossObligation this[int index]
    {
        get
        {
            ArgumentOutOfRangeException.ThrowIfNegative(index);
            ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, _count);
            var slot = _order[index];
            ref readonly var e = ref _byPayer[slot.Payer].Items[slot.Position];
            return new GrossObligation(
                _transactionIds[index], _participants[e.Payer], _participants[e.Payee], _assets[e.Asset], new Amount(e.Amount));
        }
    }

    /// <summary>The compact records paid by participant index <paramref name="payer"/>, in recording order (indices into
    /// <see cref="Participants"/> and <see cref="Assets"/>).</summary>
    internal ReadOnlySpan<Entry> EntriesPaidBy(int payer) => _byPayer[payer].Items.AsSpan(0, _byPayer[payer].Count);

    /// <summary>The running gross total per asset index, kept as obligations are recorded (independent of any net computation).</summary>
    internal IReadOnlyList<long> AssetGross => _assetGross;

    /// <summary>The number of obligations per asset index.</summary>
    internal IReadOnlyList<int> AssetCounts => _assetCounts;

    /// <summary>The number of obligations recorded in <paramref name="asset"/> so far.</summary>
    /// <param name="asset">The asset.</param>
    /// <returns>The count; zero for an asset not named yet.</returns>
    public int CountOf(AssetCode asset) => _assetIndex.TryGetValue(asset, out int i) ? _assetCounts[i] : 0;

    /// <summary>The gross value recorded in <paramref name="asset"/> so far: Σ of its obligations' amounts.</summary>
    /// <param name="asset">The asset.</param>
    /// <returns>The total; zero for an asset not named yet.</returns>
    public Amount GrossValueOf(AssetCode asset) => _assetIndex.TryGetValue(asset, out int i) ? new Amount(_assetGross[i]) : Amount.Zero;

    /// <summary>Records one obligation.</summary>
    /// <param name="obligation">The obligation.</param>
    /// <returns><see cref="ObligationCode.Ok"/>, <see cref="ObligationCode.AlreadyRecorded"/> for an identical repeat,
    /// or why it was refused (nothing changed).</returns>
    public ObligationCode Add(GrossObligation obligation)
    {
        var validity = obligation.Validate();
        if (validity != ObligationCode.Ok)
        {
            return validity;
        }

        if (_byTransaction.TryGetValue(obligation.TransactionId, out int existing))
        {
            return this[existing] == obligation ? ObligationCode.AlreadyRecorded : ObligationCode.DuplicateTransaction;
        }

        if (_count >= _maxObligations)
        {
            return ObligationCode.ObligationLimitExceeded;
        }

        bool payerKnown = _participantIndex.TryGetValue(obligation.Payer, out int payer);
        bool payeeKnown = _participantIndex.TryGetValue(obligation.Payee, out int payee);
        int newParticipants = (payerKnown ? 0 : 1) + (payeeKnown ? 0 : 1);
        if (_participants.Count + newParticipants > MaxParticipantsPerCycle)
        {
            return ObligationCode.ParticipantLimitExceeded;
        }

        bool assetKnown = _assetIndex.TryGetValue(obligation.Asset, out int asset);
        if (!assetKnown && _assets.Count >= MaxAssetsPerCycle)
        {
            return ObligationCode.AssetLimitExceeded;
        }

        // The asset's gross total bounds every sum netting computes (paid, received, pair totals, nets), so keeping it
        // in range here is what makes netting overflow-free.
        var gross = Amount.Zero;
        if (assetKnown && !new Amount(_assetGross[asset]).TryAdd(obligation.Amount, out gross))
        {
            return ObligationCode.GrossValueOverflow;
        }

        // Every check passed: from here on the book changes.
        payer = payerKnown ? payer : InternParticipant(obligation.Payer);
        payee = payeeKnown ? payee : InternParticipant(obligation.Payee);
        if (assetKnown)
        {
            _assetGross[asset] = gross.MinorUnits;
            _assetCounts[asset]++;
        }
        else
        {
            asset = Intern(_assets, _assetIndex, obligation.Asset);
            _assetGross.Add(obligation.Amount.MinorUnits);
            _assetCounts.Add(1);
        }

        if (_count == _order.Length)
        {
            int capacity = (int)Math.Min(MaxObligationsPerCycle, Math.Max(MinGrowCount, 2L * _order.Length));
            Array.Resize(ref _order, capacity);
            Array.Resize(ref _transactionIds, capacity);
        }

        var group = _byPayer[payer];
        if (group.Count == group.Items.Length)
        {
            Array.Resize(ref group.Items, (int)Math.Min(MaxObligationsPerCycle, Math.Max(MinGrowCount, 2L * group.Items.Length)));
        }

        group.Items[group.Count] = new Entry((ushort)payer, (ushort)payee, (ushort)asset, obligation.Amount.MinorUnits);
        _order[_count] = new Slot(payer, group.Count);
        group.Count++;
        _transactionIds[_count] = obligation.TransactionId;
        _byTransaction.Add(obligation.TransactionId, _count);
        _count++;
        return ObligationCode.Ok;
    }

    /// <summary>Whether <paramref name="transactionId"/> is recorded, and its obligation.</summary>
    /// <param name="transactionId">The cross-chain transaction.</param>
    /// <param name="obligation">The recorded obligation when found.</param>
    /// <returns>Whether it is recorded.</returns>
    public bool TryGet(Hash256 transactionId, out GrossObligation obligation)
    {
        bool found = _byTransaction.TryGetValue(transactionId, out int index);
        obligation = found ? this[index] : default;
        return found;
    }

    /// <summary>
    /// SHA-256 of the canonical encoding of the array of every obligation in recording order, i.e. of
    /// <c>array header(Count) ‖ obligation₀ ‖ … ‖ obligationₙ₋₁</c>: what a cycle report commits to, so any party
    /// holding the records can check that they are the ones netted. Streams; allocates no copy of the records.
    /// </summary>
    /// <returns>The digest.</returns>
    public Hash256 ComputeDigest()
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        using var buffer = new PooledBufferWriter();
        var header = new CanonicalWriter(buffer);
        header.WriteArrayHeader(_count);
        for (int i = 0; i < _count; i++)
        {
            var writer = new CanonicalWriter(buffer);
            this[i].Encode(ref writer);
            if (buffer.WrittenCount >= DigestChunkSizeBytes)
            {
                hash.AppendData(buffer.WrittenSpan);
                buffer.Reset();
            }
        }

        hash.AppendData(buffer.WrittenSpan);
        Span<byte> digest = stackalloc byte[Hash256.SizeBytes];
        hash.GetHashAndReset(digest);
        return new Hash256(digest);
    }

    /// <summary>Copies the obligations out, in recording order.</summary>
    /// <returns>A new array.</returns>
    public GrossObligation[] ToArray()
    {
        var copy = new GrossObligation[_count];
        for (int i = 0; i < copy.Length; i++)
        {
            copy[i] = this[i];
        }

        return copy;
    }

    /// <inheritdoc />
    public IEnumerator<GrossObligation> GetEnumerator()
    {
        for (int i = 0; i < _count; i++)
        {
            yield return this[i];
        }
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    private int InternParticipant(ChainId participant)
    {
        _byPayer.Add(new PayerGroup());
        return Intern(_participants, _participantIndex, participant);
    }

    private static int Intern<T>(List<T> names, Dictionary<T, int> index, T name)
        where T : notnull
    {
        names.Add(name);
        index.Add(name, names.Count - 1);
        return names.Count - 1;
    }

    /// <summary>One obligation as indices and minor units: 16 bytes, so netting streams through memory.</summary>
    internal readonly record struct Entry(ushort Payer, ushort Payee, ushort Asset, long Amount);

    /// <summary>Where obligation i (in recording order) sits: its payer's group and its position there.</summary>
    private readonly record struct Slot(int Payer, int Position);

    /// <summary>The records one participant pays, in recording order; grows by doubling.</summary>
    private sealed class PayerGroup
    {
        public Entry[] Items = [];
        public int Count;
    }
}
