using ChainInterop.Codec;
using ChainInterop.Consensus.CrossChain;
using ChainInterop.Settlement.CrossChainTransactions;

namespace ChainInterop.Settlement.Relay;

/// <summary>The kind of a <see cref="SettlementEntry"/>. Stable numbers.</summary>
public enum SettlementEntryKind
{
    /// <summary>A chain's own command (a bank's <see cref="StartTransfer"/>, a validator's <see cref="Tick"/>).</summary>
    Command = 1,

    /// <summary>A validator's attestation that it received a cross-chain message for this chain ("vote after receiving").</summary>
    Delivered = 2,

    /// <summary>An operator's read of the chain's state (<see cref="SettlementQuery"/>), answered in the replies.</summary>
    Query = 3,
}

/// <summary>
/// The payload of a client request on a settlement chain (a PPC or an ICC): the chain's own command, a validator's
/// attestation of a delivered cross-chain message, or an operator's query. The chain executes a delivered message once f + 1 of its
/// own validators attested identical content (docs/SETTLEMENT.md, "Relay").
/// </summary>
/// <remarks>Canonical form: <c>[kind, value]</c>, the value being a <see cref="TransferMessage"/>, a <see cref="CrossChainMessage"/> or a <see cref="SettlementQuery"/>.</remarks>
public sealed class SettlementEntry : ICanonicalEncodable<SettlementEntry>
{
    private SettlementEntry(TransferMessage? command, CrossChainMessage? delivered, SettlementQuery? query = null)
    {
        Command = command;
        Delivered = delivered;
        Query = query;
    }

    /// <summary>The kind.</summary>
    public SettlementEntryKind Kind =>
        Command is not null ? SettlementEntryKind.Command : Query is not null ? SettlementEntryKind.Query : SettlementEntryKind.Delivered;

    /// <summary>The operator's query, for <see cref="SettlementEntryKind.Query"/>.</summary>
    public SettlementQuery? Query { get; }

    /// <summary>The chain's own command, for <see cref="SettlementEntryKind.Command"/>.</summary>
    public TransferMessage? Command { get; }

    /// <summary>The attested message, for <see cref="SettlementEntryKind.Delivered"/>.</summary>
    public CrossChainMessage? Delivered { get; }

    /// <summary>A chain's own command.</summary>
    /// <param name="command">The command.</param>
    /// <returns>The entry.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="command"/> is null.</exception>
    public static SettlementEntry OwnCommand(TransferMessage command)
    {
        ArgumentNullException.ThrowIfNull(command);
        return new SettlementEntry(command, null);
    }

    /// <summary>A validator's attestation of a delivered message.</summary>
    /// <param name="message">The message.</param>
    /// <returns>The entry.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="message"/> is null.</exception>
    public static SettlementEntry Attest(CrossChainMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        return new SettlementEntry(null, message);
    }

    /// <summary>An operator's read of the chain's state.</summary>
    /// <param name="query">The query.</param>
    /// <returns>The entry.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="query"/> is null.</exception>
    public static SettlementEntry Ask(SettlementQuery query)
    {
        ArgumentNullException.ThrowIfNull(query);
        return new SettlementEntry(null, null, query);
    }

    /// <inheritdoc />
    public void Encode(ref CanonicalWriter writer)
    {
        writer.WriteArrayHeader(2);
        writer.WriteUInt32((uint)Kind);
        if (Command is not null)
        {
            Command.Encode(ref writer);
        }
        else if (Query is not null)
        {
            Query.Encode(ref writer);
        }
        else
        {
            Delivered!.Encode(ref writer);
        }
    }

    /// <inheritdoc />
    /// <exception cref="CodecException">The bytes are not a canonical settlement entry.</exception>
    public static SettlementEntry Decode(ref CanonicalReader reader)
    {
        reader.ReadArrayHeader(2);
        long kindOffset = reader.Consumed;
        return (SettlementEntryKind)reader.ReadUInt32() switch
        {
            SettlementEntryKind.Command => new SettlementEntry(TransferMessage.Decode(ref reader), null),
            SettlementEntryKind.Delivered => new SettlementEntry(null, CrossChainMessage.Decode(ref reader)),
            SettlementEntryKind.Query => new SettlementEntry(null, null, SettlementQuery.Decode(ref reader)),
            var kind => throw new CodecException(CodecError.ValueOutOfRange, kindOffset, $"unknown settlement entry kind {(int)kind}"),
        };
    }

    /// <summary>The canonical bytes (the client request's payload).</summary>
    /// <returns>The encoding.</returns>
    public byte[] ToCanonicalBytes() => Canonical.Encode(this);
}
