using ChainInterop.Blocks;
using ChainInterop.Codec;
using ChainInterop.Consensus;
using ChainInterop.Crypto;

namespace ChainInterop.Simulation;

public sealed partial class Simulation
{
    // The first block an honest node committed at each height; every other honest commit must equal it.
    private readonly Dictionary<ulong, (Block Block, int Node)> _canonical = [];

    /// <summary>Safety, checked at every commit of an honest node.</summary>
    private void OnCommit(SimNode node, Block block)
    {
        TraceNote($"commit {node.Index} h{block.Height} {block.Hash}");
        var tip = node.Store.Tip;
        if (!node.IsHonest)
        {
            // A Byzantine node's own chain is not checked; keep its store consistent if the block fits.
            try
            {
                Sync(node.Store.AppendAsync(block));
            }
            catch (ArgumentException)
            {
            }

            return;
        }

        ulong expected = tip is null ? 0 : tip.Height + 1;
        if (block.Height != expected)
        {
            Fail($"safety: node {node.Index} delivered height {block.Height} but its next height is {expected} (heights must be delivered in order, exactly once, also across restarts)");
            return;
        }

        var verified = ChainVerifier.Verify(_chainId, _validators, [block], tip);
        if (!verified.IsValid)
        {
            Fail($"safety: node {node.Index} committed block {block.Height} that does not verify: {verified}");
            return;
        }

        if (_canonical.TryGetValue(block.Height, out var first))
        {
            if (first.Block.Hash != block.Hash)
            {
                Fail($"safety: fork at height {block.Height}: node {first.Node} committed {first.Block.Hash.ToShortString()}, node {node.Index} committed {block.Hash.ToShortString()}");
                return;
            }
        }
        else
        {
            _canonical.Add(block.Height, (block, node.Index));
        }

        try
        {
            Sync(node.Store.AppendAsync(block));
        }
        catch (ArgumentException ex)
        {
            Fail($"safety: node {node.Index}'s store refused block {block.Height}: {ex.Message}");
        }
    }

    /// <summary>Whether the run may stop: every client is done and (when required) every honest node has the whole chain.</summary>
    private bool IsQuiescentAndComplete()
    {
        foreach (var client in _clients)
        {
            if (client.Completed < Faults.RequestsPerClient)
            {
                return false;
            }
        }

        if (!Engine.RequiresConvergence)
        {
            return true;
        }

        ulong? top = _canonical.Count == 0 ? null : (ulong)(_canonical.Count - 1);
        foreach (var node in _nodes)
        {
            if (node.IsHonest && (!node.Alive || node.Store.Tip?.Height != top))
            {
                return false;
            }
        }

        return true;
    }

    private string DescribeProgress()
    {
        var clients = string.Join(", ", _clients.Select(c => $"client {c.Index}: {c.Completed}/{Faults.RequestsPerClient} done{(c.Current is null ? string.Empty : $", waiting on t{c.Current.Timestamp}")}"));
        var nodes = string.Join(", ", _nodes.Select(n => $"node {n.Index}{(n.IsHonest ? string.Empty : " (byzantine " + n.Behaviour!.Name + ")")}{(n.Alive ? string.Empty : " down")} at height {n.Store.Tip?.Height.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "-"}"));
        return $"{clients}; {nodes}; agreed height {_canonical.Count - 1}";
    }

    /// <summary>End-of-run checks: whole chains verify, accepted replies match committed entries, requests execute once.</summary>
    private void CheckFinalState()
    {
        for (ulong h = 0; h < (ulong)_canonical.Count; h++)
        {
            if (!_canonical.ContainsKey(h))
            {
                Fail($"safety: no honest node holds height {h} below the agreed tip");
                return;
            }
        }

        foreach (var node in _nodes.Where(n => n.IsHonest))
        {
            var blocks = new List<Block>();
            for (ulong h = 0; ; h++)
            {
                var block = Sync(node.Store.GetAsync(h));
                if (block is null)
                {
                    break;
                }

                blocks.Add(block);
            }

            var verified = ChainVerifier.Verify(_chainId, _validators, blocks);
            if (!verified.IsValid)
            {
                Fail($"safety: node {node.Index}'s chain does not verify: {verified}");
                return;
            }
        }

        var seen = new HashSet<(NodeId, ulong)>();
        for (ulong h = 0; h < (ulong)_canonical.Count; h++)
        {
            var block = _canonical[h].Block;
            foreach (var entry in block.Entries)
            {
                if (TryDecodeRequest(entry, out var request) && !seen.Add((request.ClientId, request.Timestamp)))
                {
                    Fail($"safety: request t{request.Timestamp} of client {request.ClientId.ToShortString()} executed twice (again at height {h})");
                    return;
                }
            }
        }

        foreach (var (request, reply) in _accepted)
        {
            if (!_canonical.TryGetValue(reply.Height, out var committed) || reply.EntryIndex >= committed.Block.Entries.Count
                || !TryDecodeRequest(committed.Block.Entries[reply.EntryIndex], out var atIndex) || atIndex.Digest != request.Digest)
            {
                Fail($"safety: client accepted height {reply.Height} entry {reply.EntryIndex} for request t{request.Timestamp}, but the agreed chain holds something else there");
                return;
            }
        }

        int expected = _clients.Length * Faults.RequestsPerClient;
        if (_accepted.Count != expected)
        {
            Fail($"liveness: {_accepted.Count} of {expected} requests were accepted");
        }
    }

    private static bool TryDecodeRequest(ReadOnlyMemory<byte> entry, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out ClientRequest? request)
    {
        try
        {
            request = Canonical.Decode<ClientRequest>(entry);
            return true;
        }
        catch (CodecException)
        {
            request = null;
            return false;
        }
    }
}
