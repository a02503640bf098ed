using System.Buffers;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using ChainInterop.Crypto;
using ChainInterop.Framing;
using ChainInterop.Transport;
using ChainInterop.Transport.Tcp;

namespace ChainInterop.Tests.Transport.Tcp;

/// <summary>
/// A hand-driven TCP client for hostile-input tests: sends arbitrary bytes, records what it sent, reads frames, and
/// can run the real handshake (as any key) with the sans-IO <see cref="Handshake"/>.
/// </summary>
internal sealed class RawPeer : IAsyncDisposable
{
    /// <summary>
    /// Budget of every "eventually" wait in the TCP tests. Waits return as soon as their condition holds, so a green run
    /// never waits for it; it is generous because a busy machine (load far above its cores) runs seconds late.
    /// </summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(120);

    private readonly Socket _socket;
    private readonly List<byte> _sent = [];
    private readonly byte[] _readBuffer = new byte[64 * 1024];
    private ReadOnlySequence<byte> _unread = ReadOnlySequence<byte>.Empty;

    private RawPeer(Socket socket) => _socket = socket;

    /// <summary>Every byte sent so far (to replay a recorded session).</summary>
    public byte[] Sent => [.. _sent];

    public static async Task<RawPeer> ConnectAsync(IPEndPoint endPoint)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync(endPoint).WaitAsync(Timeout);
        return new RawPeer(socket);
    }

    /// <summary>Polls <paramref name="condition"/> until it holds; fails the test with <paramref name="what"/> after <see cref="Timeout"/>.</summary>
    public static async Task WaitUntilAsync(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + Timeout;
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, what);
            await Task.Delay(2);
        }
    }

    public async Task SendAsync(byte[] bytes)
    {
        _sent.AddRange(bytes);
        await _socket.SendAsync(bytes.AsMemory()).AsTask().WaitAsync(Timeout);
    }

    public Task SendFrameAsync(byte[] payload)
    {
        var buffer = new ArrayBufferWriter<byte>();
        Frame.Write(buffer, payload);
        return SendAsync(buffer.WrittenSpan.ToArray());
    }

    /// <summary>The next frame's payload, or null when the other side closed the connection.</summary>
    public async Task<byte[]?> ReadFrameAsync()
    {
        while (true)
        {
            var buffer = _unread;
            if (Frame.TryRead(ref buffer, 1 << 24, out var payload) == FrameStatus.Complete)
            {
                var result = payload.ToArray();
                _unread = new ReadOnlySequence<byte>(buffer.ToArray());
                return result;
            }

            int n;
            try
            {
                n = await _socket.ReceiveAsync(_readBuffer.AsMemory()).AsTask().WaitAsync(Timeout);
            }
            catch (SocketException)
            {
                return null;
            }

            if (n == 0)
            {
                return null;
            }

            _unread = new ReadOnlySequence<byte>([.. _unread.ToArray(), .. _readBuffer.AsSpan(0, n)]);
        }
    }

    /// <summary>Reads (and ignores) until the other side closes; fails the test if it does not within the timeout.</summary>
    public async Task AssertClosedByRemoteAsync()
    {
        while (await ReadFrameAsync() is not null)
        {
        }
    }

    /// <summary>Authenticates as <paramref name="key"/>'s node to <paramref name="listener"/>; returns the listener's final step.</summary>
    public async Task<HandshakeStep> HandshakeAsync(PrivateKey key, NodeId listener, ChainId? chain = null)
    {
        var handshake = new Handshake(key, chain ?? TcpTestNodes.Chain, isDialer: true, listener, _ => chain ?? TcpTestNodes.Chain,
            RandomNumberGenerator.GetBytes(Handshake.NonceSizeBytes), []);
        await SendFrameAsync(handshake.CreateHello());
        while (true)
        {
            var message = await ReadFrameAsync();
            if (message is null)
            {
                return HandshakeStep.Fail(ConnectionCloseReason.RemoteClosed, "closed during the handshake");
            }

            var step = handshake.OnMessage(new ReadOnlySequence<byte>(message));
            if (step.Reply is not null)
            {
                await SendFrameAsync(step.Reply);
            }

            if (step.IsComplete || step.Failure != ConnectionCloseReason.None)
            {
                return step;
            }
        }
    }

    public ValueTask DisposeAsync()
    {
        _socket.Dispose();
        return ValueTask.CompletedTask;
    }
}
