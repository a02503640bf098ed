using ChainInterop.Crypto;

namespace ChainInterop.Consensus;

/// <summary>How replicas authenticate clients' requests and how they answer them.</summary>
public enum ClientAuthentication
{
    /// <summary>
    /// Default: every request carries the client's signature, which every replica verifies, and every reply is signed
    /// by its replica, so a client can trust f + 1 matching replies over any channel (K2).
    /// </summary>
    Signatures = 0,

    /// <summary>
    /// Clients are authenticated by the channel they use (e.g. an institution's own gateway over mutually
    /// authenticated TLS): replicas do not verify request signatures and send unsigned replies. The chain still
    /// tolerates Byzantine <em>replicas</em>; it no longer protects against forged <em>requests</em>, so use it only
    /// where the channel to the clients is trusted. It is also the BFT-SMaRt "0/0" benchmark setting.
    /// </summary>
    TrustedTransport = 1,
}

/// <summary>The one place where an engine applies its <see cref="ClientAuthentication"/> mode.</summary>
public static class ClientAuthenticationPolicy
{
    /// <summary>Whether a replica in <paramref name="mode"/> accepts <paramref name="request"/> as the client's.</summary>
    /// <param name="mode">The chain's mode.</param>
    /// <param name="request">The request.</param>
    /// <returns>True when authentic (always, under <see cref="ClientAuthentication.TrustedTransport"/>).</returns>
    /// <exception cref="ArgumentNullException"><paramref name="request"/> is null.</exception>
    public static bool Accepts(this ClientAuthentication mode, ClientRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return mode == ClientAuthentication.TrustedTransport || request.VerifySignature();
    }

    /// <summary>
    /// The replies a replica in <paramref name="mode"/> sends for the requests one block executed, each with its
    /// result: signed with one signature for the block (<see cref="ClientReply.CreateSigned"/>), or unsigned under
    /// <see cref="ClientAuthentication.TrustedTransport"/>.
    /// </summary>
    /// <param name="mode">The chain's mode.</param>
    /// <param name="replicaKey">The replica's key.</param>
    /// <param name="replica">The replica's id.</param>
    /// <param name="block">The executed block.</param>
    /// <param name="execution">What the application returned for its requests.</param>
    /// <returns>The replies, in order.</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    public static ClientReply[] Replies(this ClientAuthentication mode, PrivateKey replicaKey, NodeId replica, CommittedBlock block, BlockExecution execution)
    {
        ArgumentNullException.ThrowIfNull(block);
        ArgumentNullException.ThrowIfNull(execution);
        var executed = new (ClientRequest Request, int EntryIndex, ReadOnlyMemory<byte> Result)[block.Requests.Count];
        for (int i = 0; i < executed.Length; i++)
        {
            executed[i] = (block.Requests[i].Request, block.Requests[i].EntryIndex, execution.Results[i]);
        }

        return Replies(mode, replicaKey, replica, block.Height, executed);
    }

    /// <summary>The reply a replica in <paramref name="mode"/> sends again for one committed request (its reply cache).</summary>
    /// <param name="mode">The chain's mode.</param>
    /// <param name="replicaKey">The replica's key.</param>
    /// <param name="replica">The replica's id.</param>
    /// <param name="request">The committed request.</param>
    /// <param name="height">The block holding it.</param>
    /// <param name="entryIndex">Its index in the block.</param>
    /// <param name="result">The application's result for it.</param>
    /// <returns>The reply.</returns>
    public static ClientReply Reply(this ClientAuthentication mode, PrivateKey replicaKey, NodeId replica, ClientRequest request, ulong height, int entryIndex, ReadOnlyMemory<byte> result) =>
        Replies(mode, replicaKey, replica, height, [(request, entryIndex, result)])[0];

    private static ClientReply[] Replies(ClientAuthentication mode, PrivateKey replicaKey, NodeId replica, ulong height, (ClientRequest Request, int EntryIndex, ReadOnlyMemory<byte> Result)[] executed)
    {
        if (mode != ClientAuthentication.TrustedTransport)
        {
            return ClientReply.CreateSigned(replicaKey, replica, height, executed);
        }

        var replies = new ClientReply[executed.Length];
        for (int i = 0; i < replies.Length; i++)
        {
            replies[i] = ClientReply.CreateUnsigned(replica, executed[i].Request, height, executed[i].EntryIndex, executed[i].Result);
        }

        return replies;
    }
}
