using ChainInterop.Blocks;
using ChainInterop.Codec;
using ChainInterop.Consensus;
using ChainInterop.Consensus.Pbft.Messages;

namespace ChainInterop.Simulation;

/// <summary>
/// PBFT-specific Byzantine behaviours: validly signed lies (they sign with the node's real key). They act when the
/// Byzantine validator is the primary; otherwise they send honestly.
/// </summary>
public static class PbftBehaviours
{
    /// <summary>The generic behaviours plus the PBFT-specific ones.</summary>
    public static IReadOnlyList<Func<IByzantineBehaviour>> All { get; } =
        [.. ByzantineBehaviours.Generic, () => new Equivocate(), () => new CensorOneClient()];

    /// <summary>Re-signs a PRE-PREPARE whose block has other entries (header otherwise unchanged).</summary>
    internal static byte[] ReProposal(PbftMessage message, PrePrepareBody body, IEnumerable<ReadOnlyMemory<byte>> entries, ByzantineContext context)
    {
        var h = body.Block.Header;
        var block = Block.Create(h.ChainId, h.Height, h.PreviousHash, h.TimestampUnixMs, h.Proposer, h.View, entries);
        return PbftMessage.Create(context.Setup.Key, message.ChainId, PbftMessageKind.PrePrepare, message.View, new PrePrepareBody(body.Height, block)).ToBytes();
    }

    internal static PbftMessage? TryDecode(byte[] bytes)
    {
        try
        {
            return Canonical.Decode<PbftMessage>(bytes);
        }
        catch (CodecException)
        {
            return null;
        }
    }

    /// <summary>
    /// An equivocating primary: every PRE-PREPARE it sends goes out as two different, validly signed proposals for the
    /// same (view, height) — the honest batch to even-indexed nodes, the batch without its last request (possibly
    /// empty) to odd-indexed ones — so no digest may gather a quorum unless a quorum really saw it.
    /// </summary>
    public sealed class Equivocate : IByzantineBehaviour
    {
        /// <inheritdoc />
        public string Name => "equivocate";

        /// <inheritdoc />
        public void OnSend(NodeId recipient, byte[] message, ByzantineContext context)
        {
            var decoded = TryDecode(message);
            int index = context.Nodes.ToList().IndexOf(recipient);
            if (decoded is { Kind: PbftMessageKind.PrePrepare } && index % 2 == 1)
            {
                var body = decoded.DecodeBody<PrePrepareBody>();
                var entries = body.Block.Entries;
                context.Deliver(recipient, ReProposal(decoded, body, entries.Take(Math.Max(0, entries.Count - 1)), context));
                return;
            }

            context.Deliver(recipient, message);
        }
    }

    /// <summary>
    /// A censoring primary: it never proposes the requests of one client (the first it sees in its own proposals);
    /// its PRE-PREPAREs go out consistently to everyone, re-signed without that client's requests. The honest
    /// replicas must replace it by a view change and commit the censored requests under an honest primary.
    /// </summary>
    public sealed class CensorOneClient : IByzantineBehaviour
    {
        private NodeId? _censored;

        /// <inheritdoc />
        public string Name => "censor-one-client";

        /// <inheritdoc />
        public void OnSend(NodeId recipient, byte[] message, ByzantineContext context)
        {
            var decoded = TryDecode(message);
            if (decoded is not { Kind: PbftMessageKind.PrePrepare })
            {
                context.Deliver(recipient, message);
                return;
            }

            var body = decoded.DecodeBody<PrePrepareBody>();
            var kept = new List<ReadOnlyMemory<byte>>();
            foreach (var entry in body.Block.Entries)
            {
                var client = Canonical.Decode<ClientRequest>(entry).ClientId;
                _censored ??= client;
                if (client != _censored)
                {
                    kept.Add(entry);
                }
            }

            context.Deliver(recipient, kept.Count == body.Block.Entries.Count ? message : ReProposal(decoded, body, kept, context));
        }
    }
}
