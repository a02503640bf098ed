namespace ChainInterop.Simulation.Settlement;

/// <summary>A relay frame on the simulated wire between validators of two chains.</summary>
internal sealed record FrameDeliver(int From, int To, ReadOnlyMemory<byte> Frame) : SimEvent
{
    public override string TraceKey => $"frame {From}->{To} {Frame.Length}";
}

/// <summary>A validator hands its own signed entry (attestation or tick) to its replica.</summary>
internal sealed record ValidatorSubmit(int Node, int Incarnation, ChainInterop.Consensus.ClientRequest Request) : SimEvent
{
    public override string TraceKey => $"submit {Node}/{Incarnation} t{Request.Timestamp}";
}

/// <summary>A validator's periodic relay tick (and, every so often, a Tick entry).</summary>
internal sealed record ValidatorTick(int Node, int Incarnation) : SimEvent
{
    public override string TraceKey => $"tick {Node}/{Incarnation}";
}
