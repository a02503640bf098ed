using System.Collections.ObjectModel;
using ChainInterop.Codec;
using ChainInterop.Crypto;

namespace ChainInterop.Settlement.Netting;

/// <summary>
/// The settlement payments of one cycle in one <see cref="SettlementMode"/>, bound to the digest of the
/// <see cref="NetResult"/> they settle, so a participant chain can check them against the committed result.
/// </summary>
/// <remarks>Canonical form: <c>[cycle, mode, netResultDigest, [instruction…]]</c>.</remarks>
public sealed class SettlementInstructionSet : ICanonicalEncodable<SettlementInstructionSet>
{
    private const int FieldCount = 4;

    private readonly SettlementInstruction[] _instructions;
    private Hash256? _digest;

    /// <summary>Creates the set.</summary>
    /// <param name="cycle">The cycle settled.</param>
    /// <param name="mode">How it is settled.</param>
    /// <param name="netResultDigest">The <see cref="NetResult.Digest"/> of the result settled.</param>
    /// <param name="instructions">The payments, each between two distinct chains with a positive amount.</param>
    /// <exception cref="ArgumentNullException"><paramref name="instructions"/> is null.</exception>
    /// <exception cref="ArgumentException">The cycle is default, the mode undefined, or an instruction is malformed.</exception>
    public SettlementInstructionSet(CycleId cycle, SettlementMode mode, Hash256 netResultDigest, IReadOnlyList<SettlementInstruction> instructions)
    {
        ArgumentNullException.ThrowIfNull(instructions);
        if (cycle.Intermediary.IsDefault || !Enum.IsDefined(mode))
        {
            throw new ArgumentException("An instruction set names its cycle and a defined mode.", nameof(cycle));
        }

        _instructions = [.. instructions];
        foreach (var i in _instructions)
        {
            if (i.Payer.IsDefault || i.Payee.IsDefault || i.Asset.IsDefault || i.Payer == i.Payee || !i.Amount.IsPositive)
            {
                throw new ArgumentException($"Malformed settlement instruction: {i}.", nameof(instructions));
            }
        }

        Cycle = cycle;
        Mode = mode;
        NetResultDigest = netResultDigest;
        Instructions = new ReadOnlyCollection<SettlementInstruction>(_instructions);
    }

    /// <summary>The cycle settled.</summary>
    public CycleId Cycle { get; }

    /// <summary>How it is settled.</summary>
    public SettlementMode Mode { get; }

    /// <summary>The digest of the net result these payments settle.</summary>
    public Hash256 NetResultDigest { get; }

    /// <summary>The payments, in execution order.</summary>
    public IReadOnlyList<SettlementInstruction> Instructions { get; }

    /// <summary>SHA-256 of the canonical encoding.</summary>
    public Hash256 Digest => _digest ??= Hash256.Compute(Canonical.Encode(this));

    /// <inheritdoc />
    public void Encode(ref CanonicalWriter writer)
    {
        writer.WriteArrayHeader(FieldCount);
        Cycle.Encode(ref writer);
        writer.WriteUInt32((uint)Mode);
        writer.WriteHash256(NetResultDigest);
        writer.WriteArrayHeader(_instructions.Length);
        foreach (var i in _instructions)
        {
            i.Encode(ref writer);
        }
    }

    /// <inheritdoc />
    public static SettlementInstructionSet Decode(ref CanonicalReader reader)
    {
        long offset = reader.Consumed;
        reader.ReadArrayHeader(FieldCount);
        var cycle = CycleId.Decode(ref reader);
        var mode = NettingCodec.ReadEnum<SettlementMode>(ref reader, "settlement mode");
        var digest = reader.ReadHash256();
        var instructions = new SettlementInstruction[reader.ReadArrayHeader()];
        for (int i = 0; i < instructions.Length; i++)
        {
            instructions[i] = SettlementInstruction.Decode(ref reader);
        }

        try
        {
            return new SettlementInstructionSet(cycle, mode, digest, instructions);
        }
        catch (ArgumentException e)
        {
            throw NettingCodec.Invalid(offset, "settlement instruction set", e);
        }
    }
}
