using ChainInterop.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Adds a settlement node to a .NET Generic Host.</summary>
public static class SettlementNodeBuilderExtensions
{
    /// <summary>The name of the node's health check (<see cref="SettlementNodeHealthCheck"/>).</summary>
    public const string HealthCheckName = "settlement-node";

    /// <summary>
    /// Runs this server's validators of a settlement network as a hosted service (<see cref="SettlementNodeService"/>):
    /// binds and validates the network and node sections of <paramref name="configuration"/>
    /// (<see cref="SettlementHostingServiceCollectionExtensions.AddSettlementNodeOptions"/>: every bad field named at
    /// start), reads keys through the registered <see cref="ISigningKeyProvider"/> (key files by default), and adds
    /// the <see cref="SettlementNodeHealthCheck"/> as <see cref="HealthCheckName"/>. Calling it again changes nothing.
    /// </summary>
    /// <param name="builder">The ChainInterop builder (<c>services.AddChainInterop()</c>).</param>
    /// <param name="configuration">The configuration holding <c>ChainInterop:Network</c> and <c>ChainInterop:Node</c>.</param>
    /// <param name="baseDirectory">The directory relative paths resolve against (the configuration file's); null: as bound, else the current directory.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    public static IChainInteropBuilder AddSettlementNode(this IChainInteropBuilder builder, IConfiguration configuration, string? baseDirectory = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configuration);
        var services = builder.Services;
        if (services.Any(d => d.ServiceType == typeof(SettlementNodeService)))
        {
            return builder;
        }

        services.AddSettlementNodeOptions(configuration, baseDirectory);
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<SettlementNodeService>();
        services.AddHostedService(sp => sp.GetRequiredService<SettlementNodeService>());
        services.AddHealthChecks().AddCheck<SettlementNodeHealthCheck>(HealthCheckName);
        return builder;
    }
}
