using System.Buffers;
using System.Security.Cryptography;
using ChainInterop.Codec;
using ChainInterop.Crypto;
using ChainInterop.Transport;
using ChainInterop.Transport.Tcp;

namespace ChainInterop.Tests.Transport.Tcp;

/// <summary>The sans-IO peer-authentication handshake (C1, C6, thesis §4.3 admission).</summary>
public sealed class HandshakeTests : IDisposable
{
    private static readonly ChainId Chain = new("ppc-bank-a");
    private readonly PrivateKey _a = SignatureSchemes.Ed25519.GenerateKey();
    private readonly PrivateKey _b = SignatureSchemes.Ed25519.GenerateKey();

    private NodeId A => NodeId.FromPublicKey(_a.PublicKey);

    private NodeId B => NodeId.FromPublicKey(_b.PublicKey);

    public void Dispose()
    {
        _a.Dispose();
        _b.Dispose();
    }

    private Handshake Dialer(PrivateKey? key = null, NodeId? expected = null, byte[]? binding = null, ChainId? chain = null) =>
        new(key ?? _a, chain ?? Chain, isDialer: true, expected ?? B, n => n == B ? Chain : null, RandomNumberGenerator.GetBytes(32), binding ?? []);

    private Handshake Listener(byte[]? binding = null, Func<NodeId, ChainId?>? whitelist = null) =>
        new(_b, Chain, isDialer: false, null, whitelist ?? (n => n == A ? Chain : null), RandomNumberGenerator.GetBytes(32), binding ?? []);

    private static ReadOnlySequence<byte> Seq(byte[] bytes) => new(bytes);

    /// <summary>Runs both sides to the end; returns the dialer's messages (Hello, Auth) and the final steps.</summary>
    private static (byte[] Hello, byte[] Auth, HandshakeStep DialerEnd, HandshakeStep ListenerEnd) Run(Handshake dialer, Handshake listener)
    {
        var dialerHello = dialer.CreateHello();
        var listenerHello = listener.CreateHello();
        var listenerAuth = listener.OnMessage(Seq(dialerHello));
        var dialerAuth = dialer.OnMessage(Seq(listenerHello));
        Assert.Equal(ConnectionCloseReason.None, listenerAuth.Failure);
        Assert.Equal(ConnectionCloseReason.None, dialerAuth.Failure);
        var dialerEnd = dialer.OnMessage(Seq(listenerAuth.Reply!));
        var listenerEnd = listener.OnMessage(Seq(dialerAuth.Reply!));
        return (dialerHello, dialerAuth.Reply!, dialerEnd, listenerEnd);
    }

    [Fact]
    public void Both_sides_authenticate_each_other_C6()
    {
        var (dialer, listener) = (Dialer(), Listener());
        var (_, _, dialerEnd, listenerEnd) = Run(dialer, listener);
        Assert.True(dialerEnd.IsComplete);
        Assert.True(listenerEnd.IsComplete);
        Assert.Equal(B, dialer.Peer);
        Assert.Equal(A, listener.Peer);
        Assert.Equal(Chain, listener.PeerChainId);
    }

    [Fact]
    public void A_recorded_handshake_replayed_on_a_new_connection_fails_because_the_listener_nonce_is_fresh_C6()
    {
        var (hello, auth, _, recordedEnd) = Run(Dialer(), Listener());
        Assert.True(recordedEnd.IsComplete);

        var fresh = Listener();
        fresh.CreateHello();
        var reply = fresh.OnMessage(Seq(hello));
        Assert.NotNull(reply.Reply);
        var replayed = fresh.OnMessage(Seq(auth));
        Assert.False(replayed.IsComplete);
        Assert.Equal(ConnectionCloseReason.HandshakeFailed, replayed.Failure);
    }

    [Fact]
    public void Different_tls_channel_bindings_fail_so_a_tls_man_in_the_middle_cannot_relay_C6()
    {
        var dialer = Dialer(binding: SHA256.HashData("certificate the attacker showed"u8));
        var listener = Listener(binding: SHA256.HashData("the listener's real certificate"u8));
        var (_, _, dialerEnd, listenerEnd) = Run(dialer, listener);
        Assert.Equal(ConnectionCloseReason.HandshakeFailed, dialerEnd.Failure);
        Assert.Equal(ConnectionCloseReason.HandshakeFailed, listenerEnd.Failure);
    }

    [Fact]
    public void A_listener_auth_reflected_back_as_the_dialer_auth_fails_C6()
    {
        // Same key on both sides (a node talking to a mirror of itself): the roles' domain tags still differ.
        var dialer = new Handshake(_a, Chain, isDialer: true, B, _ => Chain, RandomNumberGenerator.GetBytes(32), []);
        var listener = Listener();
        listener.CreateHello();
        var listenerAuth = listener.OnMessage(Seq(dialer.CreateHello()));
        var step = listener.OnMessage(Seq(listenerAuth.Reply!));
        Assert.Equal(ConnectionCloseReason.HandshakeFailed, step.Failure);
    }

    [Fact]
    public void Keys_not_on_the_whitelist_are_refused_as_unknown_before_anything_is_signed_C6()
    {
        using var stranger = SignatureSchemes.Ed25519.GenerateKey();
        var listener = Listener();
        var step = listener.OnMessage(Seq(Dialer(key: stranger).CreateHello()));
        Assert.Equal(ConnectionCloseReason.UnknownPeer, step.Failure);
        Assert.Null(step.Reply);
    }

    [Fact]
    public void A_peer_declaring_another_chain_than_configured_is_refused_and_a_cross_chain_peer_is_admitted_C6()
    {
        var other = new ChainId("icc-1-tbc-a");
        var refused = Listener().OnMessage(Seq(Dialer(chain: other).CreateHello()));
        Assert.Equal(ConnectionCloseReason.HandshakeFailed, refused.Failure);

        var crossChain = Listener(whitelist: n => n == A ? other : null);
        var admitted = crossChain.OnMessage(Seq(Dialer(chain: other).CreateHello()));
        Assert.Equal(ConnectionCloseReason.None, admitted.Failure);
        Assert.Equal(other, crossChain.PeerChainId);
    }

    [Fact]
    public void A_dialer_reaching_another_node_than_it_dialled_refuses_it_C6()
    {
        using var impostor = SignatureSchemes.Ed25519.GenerateKey();
        var dialer = new Handshake(_a, Chain, isDialer: true, B, _ => Chain, RandomNumberGenerator.GetBytes(32), []);
        var wrongNode = new Handshake(impostor, Chain, isDialer: false, null, _ => Chain, RandomNumberGenerator.GetBytes(32), []);
        Assert.Equal(ConnectionCloseReason.HandshakeFailed, dialer.OnMessage(Seq(wrongNode.CreateHello())).Failure);
    }

    [Fact]
    public void Another_protocol_version_is_refused_C6()
    {
        var hello = Dialer().CreateHello();
        var writer = new ArrayBufferWriter<byte>();
        var w = new CanonicalWriter(writer);
        var r = new CanonicalReader(hello);
        r.ReadArrayHeader(6);
        w.WriteArrayHeader(6);
        w.WriteUInt32(r.ReadUInt32());
        r.ReadUInt32();
        w.WriteUInt32(Handshake.ProtocolVersion + 1);
        w.WriteString(r.ReadString());
        w.WriteUInt32(r.ReadUInt32());
        w.WriteBinary(r.ReadBinaryArray());
        w.WriteBinary(r.ReadBinaryArray());
        Assert.Equal(ConnectionCloseReason.HandshakeFailed, Listener().OnMessage(Seq(writer.WrittenSpan.ToArray())).Failure);
    }

    [Fact]
    public void Every_truncation_and_corruption_of_the_messages_is_a_typed_failure_never_an_exception_C2()
    {
        var hello = Dialer().CreateHello();
        for (int n = 0; n < hello.Length; n++)
        {
            Assert.Equal(ConnectionCloseReason.ProtocolViolation, Listener().OnMessage(Seq(hello[..n])).Failure);
        }

        Assert.Equal(ConnectionCloseReason.ProtocolViolation, Listener().OnMessage(Seq([.. hello, 0])).Failure);
        for (int i = 0; i < hello.Length; i++)
        {
            var flipped = (byte[])hello.Clone();
            flipped[i] ^= 0xff;
            var step = Listener().OnMessage(Seq(flipped));
            Assert.False(step.IsComplete);
            Assert.True(step.Failure != ConnectionCloseReason.None || step.Reply is not null);
        }

        var (dialer, listener) = (Dialer(), Listener());
        listener.OnMessage(Seq(dialer.CreateHello()));
        var auth = dialer.OnMessage(Seq(listener.CreateHello())).Reply!;
        for (int n = 0; n < auth.Length; n++)
        {
            var fresh = Listener();
            var d = Dialer();
            fresh.OnMessage(Seq(d.CreateHello()));
            Assert.Equal(ConnectionCloseReason.ProtocolViolation, fresh.OnMessage(Seq(auth[..n])).Failure);
        }
    }

    [Fact]
    public void A_message_after_the_handshake_ended_is_a_protocol_violation_C6()
    {
        var (dialer, listener) = (Dialer(), Listener());
        var (hello, _, _, end) = Run(dialer, listener);
        Assert.True(end.IsComplete);
        Assert.Equal(ConnectionCloseReason.ProtocolViolation, listener.OnMessage(Seq(hello)).Failure);
    }
}
