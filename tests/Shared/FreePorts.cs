using System.Net;
using System.Net.Sockets;

namespace ChainInterop.Testing;

/// <summary>Loopback ports for tests and benchmarks that start listeners.</summary>
internal static class FreePorts
{
    /// <summary>A block of <paramref name="count"/> consecutive loopback ports that are free now (a settlement layout numbers its ports consecutively).</summary>
    public static int Block(int count)
    {
        for (int attempt = 0; attempt < 200; attempt++)
        {
            int first = Random.Shared.Next(20_000, 60_000 - count);
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

}
