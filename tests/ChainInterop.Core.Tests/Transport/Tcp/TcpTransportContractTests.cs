using System.Security.Cryptography.X509Certificates;
using ChainInterop.Testing.Transport;
using ChainInterop.Transport;
using ChainInterop.Transport.Tcp;

namespace ChainInterop.Tests.Transport.Tcp;

/// <summary>The transport contract (C6) against the TCP transport on loopback, plain TCP.</summary>
public sealed class TcpTransportContractTests : TransportContractTests
{
    private readonly TcpTestNodes _nodes = new();

    protected override Task<IReadOnlyList<ITransport>> CreateTransportsAsync(int count) =>
        Task.FromResult<IReadOnlyList<ITransport>>([.. _nodes.StartMesh(count)]);

    protected override async Task OnDisposedAsync() => await _nodes.DisposeAsync();
}

/// <summary>The transport contract (C6) against the TCP transport with TLS (self-signed certificates).</summary>
public sealed class TcpTlsTransportContractTests : TransportContractTests
{
    private readonly TcpTestNodes _nodes = new();
    private readonly X509Certificate2 _certificate = TcpTestNodes.SelfSignedCertificate();

    protected override Task<IReadOnlyList<ITransport>> CreateTransportsAsync(int count) =>
        Task.FromResult<IReadOnlyList<ITransport>>([.. _nodes.StartMesh(count, new TcpTlsOptions { Certificate = _certificate })]);

    protected override async Task OnDisposedAsync()
    {
        await _nodes.DisposeAsync();
        _certificate.Dispose();
    }
}
