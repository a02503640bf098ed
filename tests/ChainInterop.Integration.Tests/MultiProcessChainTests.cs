using ChainInterop.Consensus.Hosting;
using ChainInterop.Samples.Node;
using ChainInterop.Transport.Tcp;

namespace ChainInterop.Integration.Tests;

/// <summary>
/// Four node processes on loopback run PBFT over TCP (K2, C6): a client submits requests, one node is killed with
/// SIGKILL and commits continue, the node restarts from its durable store and catches up to the same tip.
/// </summary>
public sealed class MultiProcessChainTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "chaininterop-it-" + Guid.NewGuid().ToString("N"));

    [Fact]
    public async Task Four_node_processes_commit_over_TCP_survive_a_SIGKILL_and_the_restarted_node_catches_up_K2_C5_C6()
    {
        var (configs, clientConfig) = NodeConfig.WriteTestChain(_directory, "ppc-it", NodeConfig.FreeLoopbackPorts(4));
        var nodes = new NodeProcess?[4];
        try
        {
            for (int i = 0; i < 4; i++)
            {
                nodes[i] = await NodeProcess.StartAsync(configs[i]);
            }

            var client = NodeConfig.Load(clientConfig);
            using var key = client.LoadKey();
            var options = new TcpTransportOptions();
            client.ConfigureTransport(options, key);
            await using var transport = TcpTransport.Start(options);
            await using var chainClient = ChainClient.Connect(transport, new ChainId(client.ChainId), client.ValidatorSet(), key);

            async Task<ulong> SubmitAsync(int count)
            {
                ulong height = 0;
                for (int i = 0; i < count; i++)
                {
                    height = (await chainClient.SubmitAsync(BitConverter.GetBytes(i)).WaitAsync(TimeSpan.FromSeconds(120))).Height;
                }

                return height;
            }

            await SubmitAsync(10);

            // SIGKILL one validator: f = 1, so the other three keep committing.
            nodes[3]!.Kill();
            nodes[3]!.Dispose();
            nodes[3] = null;
            ulong tip = await SubmitAsync(10);
            Assert.True(tip >= 19, $"tip {tip}");

            // Restart it from its durable store: state transfer brings it to the same tip.
            nodes[3] = await NodeProcess.StartAsync(configs[3]);
            var deadline = DateTime.UtcNow.AddSeconds(180); // a restarting process on a busy machine is slow; a green run never waits for it
            while (nodes[3]!.CommittedHeight < (long)tip && DateTime.UtcNow < deadline)
            {
                await Task.Delay(50);
            }

            Assert.True(nodes[3]!.CommittedHeight >= (long)tip, $"restarted node at {nodes[3]!.CommittedHeight}, tip {tip}\n{nodes[3]!.Tail}");

            // And it takes part again: with it back, the chain still commits.
            ulong after = await SubmitAsync(3);
            Assert.True(after > tip);
        }
        finally
        {
            foreach (var node in nodes)
            {
                node?.Dispose();
            }
        }
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // A killed process may still be releasing files; the temp directory is cleaned by the OS eventually.
        }
    }
}
