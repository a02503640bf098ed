using ChainInterop.Crypto;
using ChainInterop.Testing.Transport;
using ChainInterop.Transport;

namespace ChainInterop.Tests.Transport;

/// <summary>The transport contract (C6) against <see cref="InMemoryNetwork"/>.</summary>
public sealed class InMemoryTransportContractTests : TransportContractTests
{
    protected override Task<IReadOnlyList<ITransport>> CreateTransportsAsync(int count)
    {
        var network = new InMemoryNetwork();
        IReadOnlyList<ITransport> nodes = [.. Enumerable.Range(0, count).Select(i => network.Connect(new NodeId(Hash256.Compute([(byte)i, 42]))))];
        return Task.FromResult(nodes);
    }
}
