using System.Text;
using ChainInterop.Blocks;
using ChainInterop.Consensus;
using ChainInterop.Crypto;

namespace ChainInterop.Simulation;

public sealed partial class Simulation
{
    private readonly SimClient[] _clients;
    private readonly Dictionary<NodeId, int> _clientIndex = [];

    // Every accepted outcome: the request and the reply the client accepted (f + 1 matching).
    private readonly List<(ClientRequest Request, ClientReply Reply)> _accepted = [];

    // How long each accepted request waited: virtual ms from its creation to its acceptance, by client.
    private readonly List<RequestWait> _waits = [];

    private void ScheduleClientWake(SimClient client, long delayMs) =>
        Schedule(delayMs, new ClientWake(client.Index, client.Generation));

    private void OnClientWake(ClientWake wake)
    {
        var client = _clients[wake.Client];
        if (wake.Generation != client.Generation)
        {
            return;
        }

        if (client.Current is null)
        {
            if (client.Completed >= Faults.RequestsPerClient)
            {
                return;
            }

            var payload = Encoding.UTF8.GetBytes($"client {client.Index} request {client.Completed}");
            // Clients stamp requests with their clock (Unix ms), strictly increasing, as PBFT clients do; CBFT reads it to
            // judge whether a primary left a request out.
            client.LastTimestamp = Math.Max(client.LastTimestamp + 1, (ulong)(EpochUnixMs + Now));
            client.Current = ClientRequest.Create(client.Key, _chainId, client.LastTimestamp, payload);
            client.Collector = new ReplyCollector(_validators, client.Current);
            SendToNode(client, Random.Next(_nodes.Length));
        }
        else
        {
            // No accepted answer yet: resend to every node (PBFT's client rule; a follower forwards).
            for (int n = 0; n < _nodes.Length; n++)
            {
                SendToNode(client, n);
            }
        }

        ScheduleClientWake(client, Faults.ClientRetryMs);
    }

    private void SendToNode(SimClient client, int node)
    {
        if (!ClientMessageLost())
        {
            Schedule(NetworkDelay(), new ClientToNode(client.Index, node, client.Current!));
        }
    }

    private void OnClientToNode(ClientToNode submit)
    {
        var node = _nodes[submit.Node];
        if (node.Alive)
        {
            Feed(node, "client request", (r, e) => r.OnClientRequest(submit.Request, EpochUnixMs + Now, e));
        }
    }

    private void OnReplyToClient(ReplyToClient reply)
    {
        var client = _clients[reply.Client];
        if (client.Current is null || client.Collector is null || !client.Collector.Add(reply.Reply))
        {
            return;
        }

        _accepted.Add((client.Current, client.Collector.Accepted!));
        _waits.Add(new RequestWait(client.Index, client.Id, EpochUnixMs + Now - (long)client.Current.Timestamp));
        TraceNote($"accepted c{client.Index} t{client.Current.Timestamp} h{reply.Reply.Height}/{reply.Reply.EntryIndex}");
        client.Current = null;
        client.Collector = null;
        client.Completed++;
        client.Generation++;
        ScheduleClientWake(client, Random.Next(0, Faults.ClientThinkMs + 1));
    }

    /// <summary>A simulated client: one outstanding request at a time, strictly increasing timestamps.</summary>
    private sealed class SimClient(int index, PrivateKey key, ValidatorSet validators)
    {
        public int Index { get; } = index;

        public PrivateKey Key { get; } = key;

        public NodeId Id { get; } = NodeId.FromPublicKey(key.PublicKey);

        public ValidatorSet Validators { get; } = validators;

        public ulong LastTimestamp { get; set; }

        public int Completed { get; set; }

        /// <summary>Bumped when a request completes so that its pending retry wake-up is ignored.</summary>
        public long Generation { get; set; }

        public ClientRequest? Current { get; set; }

        public ReplyCollector? Collector { get; set; }
    }
}
