using ChainInterop.Blocks;
using ChainInterop.Codec;

namespace ChainInterop.Consensus.CrossChain;

/// <summary>
/// The sending side of cross-chain delivery (C6) at one validator of the source chain: once the source chain has
/// committed a cross-chain message, says which envelopes this validator sends to which destination validators.
/// Deterministic: every validator computes the same plan, so in certificate mode exactly one of them sends.
/// </summary>
public sealed class CrossChainOutbox
{
    private readonly NodeId _self;
    private readonly ValidatorSet _local;
    private readonly IReadOnlyDictionary<ChainId, ValidatorSet> _destinations;

    /// <summary>Creates the outbox of validator <paramref name="self"/>.</summary>
    /// <param name="self">This validator.</param>
    /// <param name="local">The source chain's validators.</param>
    /// <param name="destinations">The registered destination chains and their validators.</param>
    /// <param name="mode">How messages travel.</param>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="self"/> is not one of <paramref name="local"/>.</exception>
    public CrossChainOutbox(NodeId self, ValidatorSet local, IReadOnlyDictionary<ChainId, ValidatorSet> destinations, CrossChainMode mode)
    {
        ArgumentNullException.ThrowIfNull(local);
        ArgumentNullException.ThrowIfNull(destinations);
        if (!local.Contains(self))
        {
            throw new ArgumentException("The outbox belongs to a validator of the source chain.", nameof(self));
        }

        _self = self;
        _local = local;
        _destinations = destinations;
        Mode = mode;
    }

    /// <summary>How messages travel.</summary>
    public CrossChainMode Mode { get; }

    /// <summary>
    /// The envelopes this validator sends for <paramref name="message"/>, committed as entry
    /// <paramref name="entryIndex"/> of <paramref name="block"/> (a client request whose payload is the message).
    /// </summary>
    /// <param name="block">The committed, certified source block.</param>
    /// <param name="entryIndex">The entry holding the message.</param>
    /// <param name="message">The message.</param>
    /// <param name="attempt">0 first; the driver raises it when the destination did not acknowledge in time, which in
    /// certificate mode moves the duty to the next source validator and the next destination validator.</param>
    /// <returns>The recipients and envelopes; empty when this validator has nothing to send.</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentException">The destination is not registered, or the message is not from this chain.</exception>
    public IReadOnlyList<(NodeId Recipient, byte[] Envelope)> Plan(Block block, int entryIndex, CrossChainMessage message, int attempt = 0)
    {
        ArgumentNullException.ThrowIfNull(block);
        ArgumentNullException.ThrowIfNull(message);
        ArgumentOutOfRangeException.ThrowIfNegative(attempt);
        if (message.Source != block.Header.ChainId)
        {
            throw new ArgumentException($"The message is from {message.Source}, the block from {block.Header.ChainId}.", nameof(message));
        }

        if (!_destinations.TryGetValue(message.Destination, out var destination))
        {
            throw new ArgumentException($"Chain {message.Destination} is not registered as a destination.", nameof(message));
        }

        if (Mode == CrossChainMode.Scatter)
        {
            byte[] envelope = Canonical.Encode(CrossChainEnvelope.Scatter(message));
            return [.. destination.NodeIds.Select(recipient => (recipient, envelope))];
        }

        // Certificate mode: one sender, one recipient, both rotating with the sequence (and the attempt) so the duty spreads.
        ulong turn = message.Sequence + (ulong)attempt;
        if (_local.NodeIds[(int)(turn % (ulong)_local.Count)] != _self)
        {
            return [];
        }

        var recipientId = destination.NodeIds[(int)(turn % (ulong)destination.Count)];
        return [(recipientId, Canonical.Encode(CrossChainEnvelope.Certificate(CertifiedEntry.FromBlock(block, entryIndex))))];
    }
}
