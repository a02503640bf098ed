using System.Buffers;
using ChainInterop.Codec;
using ChainInterop.Crypto;

namespace ChainInterop.Transport.Tcp;

/// <summary>
/// The peer-authentication handshake of the TCP transport, as a sans-IO state machine: the driver sends
/// <see cref="CreateHello"/>, feeds every handshake frame it receives to <see cref="OnMessage"/>, and sends what that
/// returns. Both sides run the same machine at once (no round trip is waited for before sending Hello).
/// </summary>
/// <remarks>
/// <para>Messages (canonical MessagePack arrays, one per frame):</para>
/// <list type="bullet">
/// <item><description>Hello = [1, protocol version, chain id, key algorithm, public key, nonce (32 bytes)]</description></item>
/// <item><description>Auth = [2, signature]</description></item>
/// </list>
/// <para>
/// The signature is <see cref="SignedDigest"/> under <see cref="DialerDomainTag"/> or <see cref="ListenerDomainTag"/>
/// (by the signer's role, so an Auth cannot be reflected back) over SHA-256 of the transcript
/// [protocol version, dialer chain id, dialer node id, dialer nonce, listener chain id, listener node id,
/// listener nonce, channel binding]. Each side's nonce is fresh per connection, so an Auth recorded on one connection
/// never verifies on another. The channel binding is SHA-256 of the TLS server certificate (RFC 5929
/// tls-server-end-point) or empty without TLS, so a TLS man-in-the-middle cannot relay the handshake.
/// </para>
/// </remarks>
internal sealed class Handshake
{
    /// <summary>The handshake and frame-kind protocol this build speaks.</summary>
    public const int ProtocolVersion = 1;

    /// <summary>Size of each side's nonce, in bytes.</summary>
    public const int NonceSizeBytes = 32;

    /// <summary>The largest handshake frame accepted before authentication, in bytes: an unauthenticated peer can make us buffer no more.</summary>
    public const int MaxMessageSizeBytes = 1024;

    private const int HelloType = 1;
    private const int AuthType = 2;

    private static readonly CodecLimits Limits = new()
    {
        MaxMessageSizeBytes = MaxMessageSizeBytes,
        MaxStringLengthBytes = Identifier.MaxLength,
        MaxBinaryLengthBytes = 128,
        MaxDepth = 2,
        MaxElementCount = 8,
    };

    private readonly PrivateKey _key;
    private readonly ChainId _chainId;
    private readonly bool _isDialer;
    private readonly NodeId? _expectedPeer;
    private readonly Func<NodeId, ChainId?> _admittedChainOf;
    private readonly byte[] _nonce;
    private readonly byte[] _channelBinding;
    private State _state = State.AwaitingHello;
    private PublicKey? _peerKey;
    private Hash256 _transcript;

    /// <summary>Creates one side's handshake.</summary>
    /// <param name="key">This node's key (signs the transcript).</param>
    /// <param name="chainId">This node's chain.</param>
    /// <param name="isDialer">Whether this side opened the connection.</param>
    /// <param name="expectedPeer">For the dialer: the node it meant to reach.</param>
    /// <param name="admittedChainOf">The admission whitelist: the chain a node id is configured for, or null when it is not admitted.</param>
    /// <param name="nonce">A fresh random nonce of <see cref="NonceSizeBytes"/> bytes (the driver's randomness).</param>
    /// <param name="channelBinding">SHA-256 of the TLS server certificate, or empty without TLS.</param>
    public Handshake(PrivateKey key, ChainId chainId, bool isDialer, NodeId? expectedPeer, Func<NodeId, ChainId?> admittedChainOf,
        ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> channelBinding)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(admittedChainOf);
        if (nonce.Length != NonceSizeBytes)
        {
            throw new ArgumentException($"A nonce is {NonceSizeBytes} bytes.", nameof(nonce));
        }

        _key = key;
        _chainId = chainId;
        _isDialer = isDialer;
        _expectedPeer = expectedPeer;
        _admittedChainOf = admittedChainOf;
        _nonce = nonce.ToArray();
        _channelBinding = channelBinding.ToArray();
        LocalNode = NodeId.FromPublicKey(key.PublicKey);
    }

    private enum State
    {
        AwaitingHello,
        AwaitingAuth,
        Done,
        Failed,
    }

    /// <summary>Signature domain of the side that opened the connection.</summary>
    public static ReadOnlySpan<byte> DialerDomainTag => "ChainInterop/transport-handshake/dialer/v1"u8;

    /// <summary>Signature domain of the side that accepted the connection.</summary>
    public static ReadOnlySpan<byte> ListenerDomainTag => "ChainInterop/transport-handshake/listener/v1"u8;

    /// <summary>This node.</summary>
    public NodeId LocalNode { get; }

    /// <summary>The authenticated peer, once <see cref="HandshakeStep.IsComplete"/> was returned.</summary>
    public NodeId Peer { get; private set; }

    /// <summary>The peer's chain, as it declared it (checked against the whitelist).</summary>
    public ChainId PeerChainId { get; private set; }

    /// <summary>This side's Hello.</summary>
    /// <returns>The message bytes (one frame payload).</returns>
    public byte[] CreateHello()
    {
        var output = new ArrayBufferWriter<byte>(256);
        var writer = new CanonicalWriter(output);
        writer.WriteArrayHeader(6);
        writer.WriteUInt32(HelloType);
        writer.WriteUInt32(ProtocolVersion);
        writer.WriteString(_chainId.Value);
        writer.WriteUInt32((uint)_key.Algorithm);
        writer.WriteBinary(_key.PublicKey.Bytes);
        writer.WriteBinary(_nonce);
        return output.WrittenSpan.ToArray();
    }

    /// <summary>Takes the next handshake message from the peer.</summary>
    /// <param name="message">One frame payload.</param>
    /// <returns>What to send, whether the handshake is complete, or why it failed (then the connection must be closed).</returns>
    public HandshakeStep OnMessage(ReadOnlySequence<byte> message)
    {
        try
        {
            var step = _state switch
            {
                State.AwaitingHello => OnHello(message),
                State.AwaitingAuth => OnAuth(message),
                _ => HandshakeStep.Fail(ConnectionCloseReason.ProtocolViolation, "message after the handshake ended"),
            };
            if (step.Failure != ConnectionCloseReason.None)
            {
                _state = State.Failed;
            }

            return step;
        }
        catch (CodecException e)
        {
            _state = State.Failed;
            return HandshakeStep.Fail(ConnectionCloseReason.ProtocolViolation, "malformed handshake message: " + e.Message);
        }
    }

    private HandshakeStep OnHello(ReadOnlySequence<byte> message)
    {
        var reader = new CanonicalReader(message, Limits);
        reader.ReadArrayHeader(6);
        if (reader.ReadUInt32() != HelloType)
        {
            return HandshakeStep.Fail(ConnectionCloseReason.ProtocolViolation, "expected Hello");
        }

        uint version = reader.ReadUInt32();
        string chainText = reader.ReadString();
        uint algorithm = reader.ReadUInt32();
        var keyBytes = reader.ReadBinaryArray();
        Span<byte> peerNonce = stackalloc byte[NonceSizeBytes];
        reader.ReadBinary(peerNonce);
        reader.EnsureEnd();

        if (version != ProtocolVersion)
        {
            return HandshakeStep.Fail(ConnectionCloseReason.HandshakeFailed, $"protocol version {version}, this node speaks {ProtocolVersion}");
        }

        if (!ChainId.TryCreate(chainText, out var peerChain))
        {
            return HandshakeStep.Fail(ConnectionCloseReason.ProtocolViolation, "invalid chain id");
        }

        if (algorithm is not ((uint)SignatureAlgorithm.Ed25519 or (uint)SignatureAlgorithm.EcdsaP256))
        {
            return HandshakeStep.Fail(ConnectionCloseReason.HandshakeFailed, $"unknown key algorithm {algorithm}");
        }

        PublicKey peerKey;
        try
        {
            peerKey = PublicKey.Create((SignatureAlgorithm)algorithm, keyBytes);
        }
        catch (ArgumentException)
        {
            return HandshakeStep.Fail(ConnectionCloseReason.ProtocolViolation, "malformed public key");
        }

        var peer = NodeId.FromPublicKey(peerKey);
        if (_admittedChainOf(peer) is not { } admittedChain)
        {
            return HandshakeStep.Fail(ConnectionCloseReason.UnknownPeer, $"node {peer.ToShortString()} is not on the whitelist");
        }

        if (admittedChain != peerChain)
        {
            return HandshakeStep.Fail(ConnectionCloseReason.HandshakeFailed, $"node {peer.ToShortString()} declared chain {peerChain}, configured for {admittedChain}");
        }

        if (_expectedPeer is { } expected && expected != peer)
        {
            return HandshakeStep.Fail(ConnectionCloseReason.HandshakeFailed, $"dialled {expected.ToShortString()} but {peer.ToShortString()} answered");
        }

        if (peer == LocalNode)
        {
            return HandshakeStep.Fail(ConnectionCloseReason.HandshakeFailed, "connected to itself");
        }

        _peerKey = peerKey;
        Peer = peer;
        PeerChainId = peerChain;
        _transcript = _isDialer
            ? Transcript(_chainId, LocalNode, _nonce, peerChain, peer, peerNonce, _channelBinding)
            : Transcript(peerChain, peer, peerNonce, _chainId, LocalNode, _nonce, _channelBinding);
        var signature = SignedDigest.Sign(_key, _isDialer ? DialerDomainTag : ListenerDomainTag, _transcript);

        var output = new ArrayBufferWriter<byte>(96);
        var writer = new CanonicalWriter(output);
        writer.WriteArrayHeader(2);
        writer.WriteUInt32(AuthType);
        writer.WriteBinary(signature);
        _state = State.AwaitingAuth;
        return HandshakeStep.Send(output.WrittenSpan.ToArray());
    }

    private HandshakeStep OnAuth(ReadOnlySequence<byte> message)
    {
        var reader = new CanonicalReader(message, Limits);
        reader.ReadArrayHeader(2);
        if (reader.ReadUInt32() != AuthType)
        {
            return HandshakeStep.Fail(ConnectionCloseReason.ProtocolViolation, "expected Auth");
        }

        var signature = reader.ReadBinaryArray();
        reader.EnsureEnd();
        if (!SignedDigest.Verify(_peerKey!, _isDialer ? ListenerDomainTag : DialerDomainTag, _transcript, signature))
        {
            return HandshakeStep.Fail(ConnectionCloseReason.HandshakeFailed, $"node {Peer.ToShortString()}'s transcript signature does not verify (replayed or forged handshake)");
        }

        _state = State.Done;
        return HandshakeStep.Complete;
    }

    private static Hash256 Transcript(ChainId dialerChain, NodeId dialer, ReadOnlySpan<byte> dialerNonce,
        ChainId listenerChain, NodeId listener, ReadOnlySpan<byte> listenerNonce, ReadOnlySpan<byte> channelBinding)
    {
        var output = new ArrayBufferWriter<byte>(512);
        var writer = new CanonicalWriter(output);
        writer.WriteArrayHeader(8);
        writer.WriteUInt32(ProtocolVersion);
        writer.WriteString(dialerChain.Value);
        writer.WriteHash256(dialer.Value);
        writer.WriteBinary(dialerNonce);
        writer.WriteString(listenerChain.Value);
        writer.WriteHash256(listener.Value);
        writer.WriteBinary(listenerNonce);
        writer.WriteBinary(channelBinding);
        return Hash256.Compute(output.WrittenSpan);
    }
}

/// <summary>What <see cref="Handshake.OnMessage"/> asks the driver to do.</summary>
/// <param name="Reply">A message to send, or null.</param>
/// <param name="IsComplete">Whether the peer is now authenticated.</param>
/// <param name="Failure">Why the handshake failed, or <see cref="ConnectionCloseReason.None"/>.</param>
/// <param name="Detail">Words for the log.</param>
internal readonly record struct HandshakeStep(byte[]? Reply, bool IsComplete, ConnectionCloseReason Failure, string? Detail)
{
    public static HandshakeStep Complete => new(null, true, ConnectionCloseReason.None, null);

    public static HandshakeStep Send(byte[] reply) => new(reply, false, ConnectionCloseReason.None, null);

    public static HandshakeStep Fail(ConnectionCloseReason reason, string detail) => new(null, false, reason, detail);
}
