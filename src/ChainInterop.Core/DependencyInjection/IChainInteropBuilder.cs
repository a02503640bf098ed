namespace Microsoft.Extensions.DependencyInjection;

/// <summary>
/// Returned by <see cref="ChainInteropServiceCollectionExtensions.AddChainInterop"/> to chain the choices of a host:
/// <c>services.AddChainInterop().AddFileStore(path)</c>, later <c>.AddPbft()</c>, <c>.AddTcpTransport(…)</c>.
/// </summary>
public interface IChainInteropBuilder
{
    /// <summary>The host's service collection.</summary>
    IServiceCollection Services { get; }
}
