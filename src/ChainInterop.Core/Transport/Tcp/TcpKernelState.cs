using System.Net.Sockets;

namespace ChainInterop.Transport.Tcp;

/// <summary>What the kernel knows about a TCP connection that the application cannot see: bytes waiting to be read, and
/// whether the peer's kernel answers what is sent to it.</summary>
internal static class TcpKernelState
{
    // Linux <netinet/tcp.h>: getsockopt(IPPROTO_TCP, TCP_INFO) fills struct tcp_info, whose layout only ever grows at
    // its end: byte 2 is tcpi_retransmits (consecutive retransmission timeouts of unacknowledged data, reset by any
    // acknowledgement that makes progress), byte 3 tcpi_probes (zero-window probes sent and not answered, reset by any
    // acknowledgement).
    private const int IpProtoTcp = 6;
    private const int TcpInfo = 11;
    private const int TcpInfoRetransmits = 2;
    private const int TcpInfoProbes = 3;

    /// <summary>Whether bytes the peer sent wait in the socket's receive buffer (this node has not read them yet).</summary>
    public static bool HasUnreadBytes(Socket socket)
    {
        try
        {
            return socket.Available > 0;
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            return false;
        }
    }

    /// <summary>
    /// Whether the peer's kernel answers everything sent to it: no data has waited a retransmission timeout for its
    /// acknowledgement, and every zero-window probe was answered. A write that waits while this holds waits for TCP flow
    /// control (the peer's kernel is alive and its application not reading), not for a dead peer. Linux only (TCP_INFO);
    /// false elsewhere and on any error, so that the caller relies on its other evidence.
    /// </summary>
    public static bool PeerKernelAnswers(Socket socket)
    {
        if (!OperatingSystem.IsLinux())
        {
            return false;
        }

        Span<byte> info = stackalloc byte[8];
        try
        {
            return socket.GetRawSocketOption(IpProtoTcp, TcpInfo, info) > TcpInfoProbes
                && info[TcpInfoRetransmits] == 0 && info[TcpInfoProbes] == 0;
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException or PlatformNotSupportedException)
        {
            return false;
        }
    }
}
