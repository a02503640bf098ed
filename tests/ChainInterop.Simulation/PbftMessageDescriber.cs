using ChainInterop.Codec;
using ChainInterop.Consensus.Pbft.Messages;

namespace ChainInterop.Simulation;

/// <summary>Renders PBFT messages for the simulator's debug log.</summary>
internal static class PbftMessageDescriber
{
    public static string Describe(ReadOnlyMemory<byte> bytes)
    {
        try
        {
            var m = Canonical.Decode<PbftMessage>(bytes);
            string detail = m.Kind switch
            {
                PbftMessageKind.PrePrepare => Pre(m.DecodeBody<PrePrepareBody>()),
                PbftMessageKind.Prepare => $"h{m.DecodeBody<PrepareBody>().Height} {Short(m.DecodeBody<PrepareBody>().Digest.ToString())}",
                PbftMessageKind.Commit => $"h{m.DecodeBody<CommitBody>().Height} {Short(m.DecodeBody<CommitBody>().Digest.ToString())}",
                PbftMessageKind.Checkpoint => $"h{m.DecodeBody<CheckpointBody>().Height}{(m.DecodeBody<CheckpointBody>().IsAnswer ? " answer" : string.Empty)}",
                PbftMessageKind.ViewChange => VcText(m.DecodeBody<ViewChangeBody>()),
                PbftMessageKind.NewView => $"{m.DecodeBody<NewViewBody>().ViewChanges.Length} vcs pp={(m.DecodeBody<NewViewBody>().PrePrepare is null ? "none" : "yes")}",
                PbftMessageKind.StateRequest => $"from h{m.DecodeBody<StateRequestBody>().FromHeight}",
                PbftMessageKind.StateResponse => $"blocks {string.Join(",", m.DecodeBody<StateResponseBody>().Blocks.Select(b => b.Height))}",
                PbftMessageKind.Forward => $"c{Short(m.DecodeBody<ForwardBody>().Request.ClientId.ToString())} t{m.DecodeBody<ForwardBody>().Request.Timestamp}",
                _ => string.Empty,
            };
            return $"{m.Kind} v{m.View} from {Short(m.Sender.ToString())} {detail}";
        }
        catch (CodecException)
        {
            return $"undecodable {bytes.Length} bytes";
        }
    }

    private static string Pre(PrePrepareBody b) => $"h{b.Height} {Short(b.Block.Hash.ToString())} entries {b.Block.Entries.Count}";

    private static string VcText(ViewChangeBody b) => $"tip {(b.CommittedHeader is null ? "-" : b.CommittedHeader.Height.ToString(System.Globalization.CultureInfo.InvariantCulture))} prepared {(b.PrePrepare is null ? "no" : "yes")}";

    private static string Short(string s) => s.Length > 8 ? s[..8] : s;
}
