using System.Net;
using System.Net.Sockets;
using ChainInterop.Transport.Tcp;

namespace ChainInterop.Tests.Transport.Tcp;

/// <summary>What the idle rule asks the kernel: bytes waiting unread, and whether a peer that does not read still answers (C6).</summary>
public sealed class TcpKernelStateTests
{
    private static async Task<(Socket Client, Socket Server)> ConnectedPairAsync()
    {
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(1);
        var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await client.ConnectAsync(listener.LocalEndPoint!).WaitAsync(RawPeer.Timeout);
        var server = await listener.AcceptAsync().WaitAsync(RawPeer.Timeout);
        return (client, server);
    }

    [Fact]
    public async Task Bytes_the_peer_sent_count_as_waiting_until_they_are_read()
    {
        var (client, server) = await ConnectedPairAsync();
        using (client)
        using (server)
        {
            Assert.False(TcpKernelState.HasUnreadBytes(server));
            await client.SendAsync(new byte[] { 1, 2, 3 });
            await RawPeer.WaitUntilAsync(() => TcpKernelState.HasUnreadBytes(server), "the bytes never reached the socket");
            var buffer = new byte[16];
            int read = 0;
            while (read < 3)
            {
                read += await server.ReceiveAsync(buffer.AsMemory(read));
            }

            Assert.False(TcpKernelState.HasUnreadBytes(server));
        }

        Assert.False(TcpKernelState.HasUnreadBytes(server)); // a closed socket has nothing to say
    }

    [Fact]
    public async Task A_peer_that_does_not_read_but_is_alive_answers_while_the_writer_waits()
    {
        var (client, server) = await ConnectedPairAsync();
        using (client)
        using (server)
        {
            // Fill the peer's receive buffer and our send buffer: the window closes, and the next write waits.
            client.Blocking = false;
            var chunk = new byte[64 * 1024];
            long sent = 0;
            while (true)
            {
                int n = client.Send(chunk, 0, chunk.Length, SocketFlags.None, out var error);
                if (error == SocketError.WouldBlock)
                {
                    break;
                }

                Assert.Equal(SocketError.Success, error);
                sent += n;
            }

            Assert.True(sent > 0);
            if (OperatingSystem.IsLinux())
            {
                // TCP_INFO: the peer's kernel acknowledges everything and answers the window probes.
                await RawPeer.WaitUntilAsync(() => TcpKernelState.PeerKernelAnswers(client), "a live peer's kernel never answered");
            }
            else
            {
                Assert.False(TcpKernelState.PeerKernelAnswers(client)); // no evidence elsewhere (docs/TRANSPORT.md)
            }
        }

        Assert.False(TcpKernelState.PeerKernelAnswers(client)); // a closed socket is no evidence
    }
}
