using ChainInterop.Blocks;

namespace ChainInterop.Consensus;

/// <summary>
/// The client side of K2's reply rule: collects replicas' replies to one request and accepts an outcome once
/// <see cref="ValidatorSet.WeakQuorum"/> (f + 1) distinct validators sent matching, correctly signed replies, so at
/// least one honest replica vouches for it. Replies from non-validators, forged or duplicate replies, and replies to
/// other requests are ignored.
/// </summary>
public sealed class ReplyCollector
{
    private readonly ValidatorSet _validators;
    private readonly ClientRequest _request;
    private readonly Dictionary<NodeId, ClientReply> _replies = [];
    private readonly ClientAuthentication _mode;

    /// <summary>Starts collecting replies to <paramref name="request"/>.</summary>
    /// <param name="validators">The chain's validators.</param>
    /// <param name="request">The request sent.</param>
    /// <param name="mode">
    /// The chain's client mode: under <see cref="ClientAuthentication.Signatures"/> (default) only signed replies count;
    /// under <see cref="ClientAuthentication.TrustedTransport"/> unsigned replies count too (the channel vouches for the sender).
    /// </param>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    public ReplyCollector(ValidatorSet validators, ClientRequest request, ClientAuthentication mode = ClientAuthentication.Signatures)
    {
        _mode = mode;
        ArgumentNullException.ThrowIfNull(validators);
        ArgumentNullException.ThrowIfNull(request);
        _validators = validators;
        _request = request;
    }

    /// <summary>The accepted reply once f + 1 matched; null until then.</summary>
    public ClientReply? Accepted { get; private set; }

    /// <summary>Adds a reply.</summary>
    /// <param name="reply">The reply.</param>
    /// <returns>True when this reply completed the f + 1 match.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="reply"/> is null.</exception>
    public bool Add(ClientReply reply)
    {
        ArgumentNullException.ThrowIfNull(reply);
        if (Accepted is not null || reply.ChainId != _request.ChainId || reply.ClientId != _request.ClientId
            || reply.Timestamp != _request.Timestamp || reply.RequestDigest != _request.Digest
            || !_validators.TryGetPublicKey(reply.Replica, out var key) || _replies.ContainsKey(reply.Replica)
            || !(reply.Verify(key) || (_mode == ClientAuthentication.TrustedTransport && !reply.IsSigned)))
        {
            return false;
        }

        _replies.Add(reply.Replica, reply);
        int matching = _replies.Values.Count(r => r.Outcome == reply.Outcome);
        if (matching < _validators.WeakQuorum)
        {
            return false;
        }

        Accepted = reply;
        return true;
    }
}
