using System.Net;
using System.Net.Sockets;

namespace ChainInterop.Testing;

/// <summary>Loopback ports for tests and benchmarks that start listeners.</summary>
internal static class FreePorts
{
    /// <summary>
    /// A block of <paramref name="count"/> consecutive loopback ports that are free now (a settlement layout numbers its
    /// ports consecutively), below the system's ephemeral range: the nodes' own outgoing connections take ports from
    /// that range, so a block inside it could be taken between this check and the nodes' binds.
    /// </summary>
    public static int Block(int count)
    {
        int ceiling = EphemeralStart() - count;
        for (int attempt = 0; attempt < 200; attempt++)
        {
            int first = Random.Shared.Next(10_000, ceiling);
            var listeners = new List<TcpListener>();
            try
            {
                for (int port = first; port < first + count; port++)
                {
                    var listener = new TcpListener(IPAddress.Loopback, port);
                    listener.Start();
                    listeners.Add(listener);
                }

                return first;
            }
            catch (SocketException)
            {
                // Taken: try another block.
            }
            finally
            {
                listeners.ForEach(l => l.Stop());
            }
        }

        throw new InvalidOperationException($"No block of {count} free loopback ports.");
    }

    /// <summary>The first port of the system's ephemeral range (Linux: ip_local_port_range; elsewhere the IANA 49152).</summary>
    private static int EphemeralStart()
    {
        const string range = "/proc/sys/net/ipv4/ip_local_port_range";
        return File.Exists(range) && int.TryParse(File.ReadAllText(range).Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)[0], out int start) && start > 11_000
            ? start
            : 49_152;
    }

}
