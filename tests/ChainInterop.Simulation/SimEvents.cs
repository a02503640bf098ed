using ChainInterop.Consensus;

namespace ChainInterop.Simulation;

/// <summary>An event on the simulation's queue. <see cref="TraceKey"/> feeds the trace hash.</summary>
internal abstract record SimEvent
{
    public abstract string TraceKey { get; }
}

internal sealed record StartNode(int Node) : SimEvent
{
    public override string TraceKey => $"start {Node}";
}

internal sealed record Deliver(int From, int To, ReadOnlyMemory<byte> Message) : SimEvent
{
    public override string TraceKey => $"msg {From}->{To} {Message.Length}";
}

internal sealed record TimerFire(int Node, int Incarnation, ReplicaTimer Timer, long Generation) : SimEvent
{
    public override string TraceKey => $"timer {Node}/{Incarnation} {Timer.Kind}:{Timer.Subject} g{Generation}";
}

internal sealed record LoadBlocks(int Node, int Incarnation, NodeId Requester, ulong FromHeight, int MaxCount) : SimEvent
{
    public override string TraceKey => $"load {Node}/{Incarnation} {Requester.ToShortString()} {FromHeight}+{MaxCount}";
}

internal sealed record ClientToNode(int Client, int Node, ClientRequest Request) : SimEvent
{
    public override string TraceKey => $"request c{Client}->{Node} t{Request.Timestamp}";
}

internal sealed record ReplyToClient(int Client, ClientReply Reply) : SimEvent
{
    public override string TraceKey => $"reply ->c{Client} t{Reply.Timestamp} h{Reply.Height}/{Reply.EntryIndex} from {Reply.Replica.ToShortString()}";
}

internal sealed record ClientWake(int Client, long Generation) : SimEvent
{
    public override string TraceKey => $"wake c{Client} g{Generation}";
}

internal sealed record Crash(int Node) : SimEvent
{
    public override string TraceKey => $"crash {Node}";
}

internal sealed record Restart(int Node) : SimEvent
{
    public override string TraceKey => $"restart {Node}";
}

internal sealed record PartitionStart(bool[] Sides) : SimEvent
{
    public override string TraceKey => "partition " + string.Concat(Sides.Select(s => s ? '1' : '0'));
}

internal sealed record PartitionHeal : SimEvent
{
    public override string TraceKey => "heal";
}
